// Chinese identifier checks (domain notes §4): citizen ID number (GB 11643-1999), unified social
// credit code (GB 32100-2015), organisation code (GB 11714-1997), e-license identifier
// (GB/T 36904-2018) and administrative division code (GB/T 2260).
//
// Every check first normalises the input (normalize_identifier) and returns the normalised text in
// CheckResult::normalized, so a caller can store what the clerk meant rather than what was typed.
// Messages are English and say what is wrong; CheckResult::code is a stable token for translations.
//
// Severity follows the notes' §4.6 table: a wrong ID-number or e-license check character rejects
// the input; a wrong USCC or organisation-code check character only warns (real pilot codes fail
// it, and the clerk's override is audited by the caller); an unknown region code warns.
#pragma once

#include <string>
#include <string_view>

namespace ow::forms {

class RegionTable;

enum class CheckStatus { Valid, Warning, Invalid };

const char* to_string(CheckStatus status);

struct CheckResult {
    CheckStatus status = CheckStatus::Invalid;
    std::string
        normalized; // the input after normalize_identifier (for IDs with the hyphen dropped …)
    std::string message; // English; says what is wrong, or what the value is when valid
    std::string code;    // stable token, e.g. "id.check-char", "uscc.alphabet", "ok"

    bool ok() const noexcept { return status != CheckStatus::Invalid; }
};

// Full-width ASCII (U+FF01..U+FF5E) → ASCII, ideographic space → space, trims surrounding white
// space (ASCII and U+3000), upper-cases ASCII letters (so a lowercase x check character is
// accepted). Inner characters are kept: an inner space is reported by the checks, not silently
// removed.
std::string normalize_identifier(std::string_view raw);

// GB 11643: the check character of the first 17 digits, '0'..'9' or 'X'.
// Throws FormsError(InvalidArgument) unless `first17` is exactly 17 ASCII digits.
char id_number_check_char(std::string_view first17);

// 18 characters: a known province prefix (or '9' + province for the 2023 foreign permanent-resident
// card), an existing birth date not in the future and not before 1850, 3-digit sequence, check
// char. A 15-digit first-generation number is Invalid; the message gives its 18-digit form, and
// `normalized` holds that 18-digit form so a caller can offer it to the clerk.
CheckResult check_id_number(std::string_view raw);

// Helpers for an ID number that passed check_id_number (undefined input otherwise → FormsError).
std::string id_number_birth_date(std::string_view id18); // "YYYY-MM-DD"
bool id_number_is_male(std::string_view id18);           // odd sequence = male

// Converts a 15-digit legacy ID number to 18 digits (inserts "19", appends the check character).
// Throws FormsError(InvalidArgument) unless the input is 15 digits.
std::string upgrade_legacy_id_number(std::string_view id15);

// GB 32100: the check character of the first 17 characters (alphabet 0-9 A-H J-N P-R T U W X Y).
// Throws FormsError(InvalidArgument) on a wrong length or a character outside the alphabet.
char uscc_check_char(std::string_view first17);

// Invalid: wrong length, a character outside the 31-character alphabet, non-digits in the region
// part (positions 3-8). Warning: wrong check character, embedded organisation code (positions 9-17)
// failing GB 11714, unknown registration-authority code. The message names every problem.
CheckResult check_uscc(std::string_view raw);

// GB 11714: the check character of an 8-character body (0-9, A-Z), '0'..'9' or 'X'.
char org_code_check_char(std::string_view first8);

// "19220382-1" or "192203821". Invalid: length or alphabet; Warning: check character (legacy
// documents carry codes that fail it). normalized is the hyphenated form.
CheckResult check_org_code(std::string_view raw);

// GB/T 36904 ISO/IEC 7064 MOD 37,36 over the body (type code + issuer + serial + version, without
// dots and without the root). Throws FormsError(InvalidArgument) on a character outside 0-9 A-Z.
char license_id_check_char(std::string_view body);

// "1.2.156.3005.2.<type code 21>.<issuer: USCC 18 or region 6 digits>.<serial>.<version
// 3>.<check>". Invalid: structure, alphabet or check character. Warning: an embedded USCC that
// fails GB 32100.
CheckResult check_license_id(std::string_view raw);

// GB/T 2260 against the built-in table (RegionTable::builtin()). Invalid: not 6 digits, or an
// impossible structure (province 00, county set under prefecture 00). Warning: not in the table
// (abolished, newer than the shipped edition, or outside the partial county coverage).
CheckResult check_region_code(std::string_view raw);
CheckResult check_region_code(std::string_view raw, const RegionTable& table);

} // namespace ow::forms
