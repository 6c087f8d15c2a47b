#include "ow/forms/identifiers.h"

#include "ow/forms/error.h"
#include "ow/forms/regions.h"
#include "utf8.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

namespace ow::forms {

namespace {

using detail::describe_char;

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::string_view kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kLicenseRoot = "1.2.156.3005.2.";
// GB 32100 登记管理部门代码.
constexpr std::string_view kUsccAuthorities = "123456789ABCDEFGY";
// Province-level prefixes of GB/T 2260 (83 = Taiwan residents' residence permits).
constexpr std::array<std::string_view, 35> kProvinces = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
    "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), is_digit);
}

int alnum_value(char c) {
    const auto pos = kAlnum.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

CheckResult make(CheckStatus status, std::string normalized, std::string message,
                 std::string code) {
    return CheckResult{status, std::move(normalized), std::move(message), std::move(code)};
}

// The first character of `s` that is not ASCII, as a message fragment, with its 1-based position.
std::string first_bad_char(std::string_view s, std::string_view alphabet, std::size_t* position) {
    const auto cps = detail::decode_utf8(s);
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const auto cp = cps[i];
        if (cp >= 0x80 || alphabet.find(static_cast<char>(cp)) == std::string_view::npos) {
            *position = i + 1;
            return describe_char(cp);
        }
    }
    *position = 0;
    return {};
}

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool is_province(std::string_view two) {
    return std::find(kProvinces.begin(), kProvinces.end(), two) != kProvinces.end();
}

// Problems of a USCC that are warnings (check characters, authority code); "" when none.
std::string uscc_warnings(std::string_view n) {
    std::string problems;
    auto add = [&](const std::string& p) {
        if (!problems.empty()) {
            problems += "; ";
        }
        problems += p;
    };
    const char expected = uscc_check_char(n.substr(0, 17));
    if (expected != n[17]) {
        add("its check character is '" + std::string(1, n[17]) + "' but GB 32100 gives '" +
            std::string(1, expected) +
            "' (pilot codes issued before the national rule fail this check: compare with the "
            "business license)");
    }
    const char org_expected = org_code_check_char(n.substr(8, 8));
    if (org_expected != n[16]) {
        add("the embedded organisation code " + std::string(n.substr(8, 8)) + "-" +
            std::string(1, n[16]) + " (positions 9-17) fails GB 11714, which gives '" +
            std::string(1, org_expected) + "'");
    }
    if (kUsccAuthorities.find(n[0]) == std::string_view::npos) {
        add("registration-authority code '" + std::string(1, n[0]) +
            "' is not defined by GB 32100");
    }
    return problems;
}

} // namespace

const char* to_string(CheckStatus status) {
    switch (status) {
    case CheckStatus::Valid:
        return "valid";
    case CheckStatus::Warning:
        return "warning";
    case CheckStatus::Invalid:
        return "invalid";
    }
    return "invalid";
}

std::string normalize_identifier(std::string_view raw) {
    return detail::to_upper_ascii(detail::normalize_width_and_trim(raw));
}

// ---- GB 11643 citizen ID number ----

char id_number_check_char(std::string_view first17) {
    if (first17.size() != 17 || !all_digits(first17)) {
        throw FormsError(
            FormsErrorCode::InvalidArgument,
            N_("The ID-number check character needs exactly 17 digits, got '{value}'."),
            {{"value", std::string(first17)}});
    }
    static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                     3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        sum += (first17[i] - '0') * kWeights[i];
    }
    return "10X98765432"[sum % 11];
}

std::string upgrade_legacy_id_number(std::string_view id15) {
    if (id15.size() != 15 || !all_digits(id15)) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A first-generation ID number has exactly 15 digits, got '{value}'."),
                         {{"value", std::string(id15)}});
    }
    std::string first17 = std::string(id15.substr(0, 6)) + "19" + std::string(id15.substr(6));
    return first17 + id_number_check_char(first17);
}

CheckResult check_id_number(std::string_view raw) {
    const std::string n = normalize_identifier(raw);
    if (n.empty()) {
        return make(CheckStatus::Invalid, n, "The ID number is empty.", "id.empty");
    }
    if (n.size() == 15 && all_digits(n)) {
        const auto upgraded = upgrade_legacy_id_number(n);
        return make(CheckStatus::Invalid, upgraded,
                    "This is a 15-digit first-generation ID number, which is no longer valid; its "
                    "18-digit form is " +
                        upgraded + ". Ask for the applicant's current ID card.",
                    "id.legacy-15");
    }
    const auto length = detail::utf8_length(n);
    if (length != 18) {
        return make(CheckStatus::Invalid, n,
                    "An ID number has 18 characters; '" + n + "' has " + std::to_string(length) +
                        ".",
                    "id.length");
    }
    std::size_t pos = 0;
    auto bad = first_bad_char(n.substr(0, 17), "0123456789", &pos);
    if (pos != 0 || n.size() != 18) {
        if (pos == 0) {
            bad = first_bad_char(n, "0123456789X", &pos);
        }
        return make(CheckStatus::Invalid, n,
                    "Character " + std::to_string(pos) + " of the ID number is " + bad +
                        "; the first 17 characters must be digits.",
                    "id.alphabet");
    }
    if (!is_digit(n[17]) && n[17] != 'X') {
        return make(CheckStatus::Invalid, n,
                    "The last character of the ID number is " +
                        describe_char(static_cast<char32_t>(static_cast<unsigned char>(n[17]))) +
                        "; it must be a digit or X.",
                    "id.alphabet");
    }
    const bool foreign = n[0] == '9';
    const auto province = foreign ? n.substr(1, 2) : n.substr(0, 2);
    if (!is_province(province)) {
        return make(CheckStatus::Invalid, n,
                    "The ID number " + n + " starts with " + province +
                        ", which is not a province-level region code (GB/T 2260).",
                    "id.region");
    }
    const int year = std::stoi(n.substr(6, 4));
    const int month = std::stoi(n.substr(10, 2));
    const int day = std::stoi(n.substr(12, 2));
    const auto date = n.substr(6, 4) + "-" + n.substr(10, 2) + "-" + n.substr(12, 2);
    if (year < 1850 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return make(CheckStatus::Invalid, n,
                    "The birth date in the ID number (characters 7-14) is " + date +
                        ", which does not exist.",
                    "id.birth-date");
    }
    const std::chrono::year_month_day today{
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    const std::chrono::year_month_day born{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (born > today) {
        return make(CheckStatus::Invalid, n,
                    "The birth date in the ID number (characters 7-14) is " + date +
                        ", which is in the future.",
                    "id.birth-date");
    }
    const char expected = id_number_check_char(n.substr(0, 17));
    if (expected != n[17]) {
        return make(CheckStatus::Invalid, n,
                    "The ID number " + n + " ends in '" + std::string(1, n[17]) +
                        "' but its check character (GB 11643) should be '" +
                        std::string(1, expected) + "': a digit was probably mistyped.",
                    "id.check-char");
    }
    return make(
        CheckStatus::Valid, n,
        std::string(foreign ? "Valid foreign permanent-resident ID number" : "Valid ID number") +
            ": born " + date + ", " + (id_number_is_male(n) ? "male" : "female") + ".",
        "ok");
}

std::string id_number_birth_date(std::string_view id18) {
    if (id18.size() != 18 || !all_digits(id18.substr(6, 8))) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("'{value}' is not an 18-character ID number."),
                         {{"value", std::string(id18)}});
    }
    return std::string(id18.substr(6, 4)) + "-" + std::string(id18.substr(10, 2)) + "-" +
           std::string(id18.substr(12, 2));
}

bool id_number_is_male(std::string_view id18) {
    if (id18.size() != 18 || !is_digit(id18[16])) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("'{value}' is not an 18-character ID number."),
                         {{"value", std::string(id18)}});
    }
    return (id18[16] - '0') % 2 == 1;
}

// ---- GB 32100 unified social credit code ----

char uscc_check_char(std::string_view first17) {
    if (first17.size() != 17) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("The USCC check character needs exactly 17 characters, got '{value}'."),
                         {{"value", std::string(first17)}});
    }
    static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                     29, 25, 13, 8,  24, 10, 30, 28};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        const auto v = kUsccAlphabet.find(first17[i]);
        if (v == std::string_view::npos) {
            throw FormsError(FormsErrorCode::InvalidArgument,
                             N_("'{value}' contains a character outside the USCC alphabet."),
                             {{"value", std::string(first17)}});
        }
        sum += static_cast<int>(v) * kWeights[i];
    }
    const int c = (31 - sum % 31) % 31;
    return kUsccAlphabet[static_cast<std::size_t>(c)];
}

CheckResult check_uscc(std::string_view raw) {
    const std::string n = normalize_identifier(raw);
    if (n.empty()) {
        return make(CheckStatus::Invalid, n, "The unified social credit code is empty.",
                    "uscc.empty");
    }
    const auto length = detail::utf8_length(n);
    if (length != 18) {
        return make(CheckStatus::Invalid, n,
                    "A unified social credit code has 18 characters; '" + n + "' has " +
                        std::to_string(length) + ".",
                    "uscc.length");
    }
    std::size_t pos = 0;
    const auto bad = first_bad_char(n, kUsccAlphabet, &pos);
    if (pos != 0) {
        return make(CheckStatus::Invalid, n,
                    "Character " + std::to_string(pos) + " of the unified social credit code is " +
                        bad +
                        ", which GB 32100 does not use (only digits and A-Y without I, O, S, "
                        "V, Z).",
                    "uscc.alphabet");
    }
    if (!all_digits(n.substr(2, 6))) {
        return make(CheckStatus::Invalid, n,
                    "Characters 3-8 of the unified social credit code " + n +
                        " must be the digits of a region code (GB/T 2260).",
                    "uscc.region");
    }
    const auto problems = uscc_warnings(n);
    if (!problems.empty()) {
        return make(CheckStatus::Warning, n,
                    "The unified social credit code " + n + " may be mistyped: " + problems + ".",
                    "uscc.check-char");
    }
    return make(CheckStatus::Valid, n, "Valid unified social credit code.", "ok");
}

// ---- GB 11714 organisation code ----

char org_code_check_char(std::string_view first8) {
    if (first8.size() != 8) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("The organisation-code check character needs 8 characters, got "
                            "'{value}'."),
                         {{"value", std::string(first8)}});
    }
    static constexpr std::array<int, 8> kWeights = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        const int v = alnum_value(first8[i]);
        if (v < 0) {
            throw FormsError(FormsErrorCode::InvalidArgument,
                             N_("'{value}' contains a character outside 0-9 and A-Z."),
                             {{"value", std::string(first8)}});
        }
        sum += v * kWeights[i];
    }
    const int c = 11 - sum % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : static_cast<char>('0' + c);
}

CheckResult check_org_code(std::string_view raw) {
    std::string n = normalize_identifier(raw);
    if (n.empty()) {
        return make(CheckStatus::Invalid, n, "The organisation code is empty.", "org.empty");
    }
    if (n.size() == 10 && n[8] == '-') {
        n.erase(8, 1);
    }
    const auto length = detail::utf8_length(n);
    if (length != 9) {
        return make(CheckStatus::Invalid, n,
                    "An organisation code has 9 characters (8 + check, e.g. 19220382-1); '" + n +
                        "' has " + std::to_string(length) + ".",
                    "org.length");
    }
    std::size_t pos = 0;
    auto bad = first_bad_char(n.substr(0, 8), kAlnum, &pos);
    if (pos != 0) {
        return make(CheckStatus::Invalid, n,
                    "Character " + std::to_string(pos) + " of the organisation code is " + bad +
                        "; only digits and A-Z are allowed.",
                    "org.alphabet");
    }
    bad = first_bad_char(n.substr(8), "0123456789X", &pos);
    if (pos != 0) {
        return make(CheckStatus::Invalid, n,
                    "The check character of the organisation code is " + bad +
                        "; it must be a digit or X.",
                    "org.alphabet");
    }
    const std::string hyphenated = n.substr(0, 8) + "-" + n.substr(8);
    const char expected = org_code_check_char(n.substr(0, 8));
    if (expected != n[8]) {
        return make(CheckStatus::Warning, hyphenated,
                    "The organisation code " + hyphenated + " ends in '" + std::string(1, n[8]) +
                        "' but GB 11714 gives '" + std::string(1, expected) +
                        "': check it against the certificate.",
                    "org.check-char");
    }
    return make(CheckStatus::Valid, hyphenated, "Valid organisation code.", "ok");
}

// ---- GB/T 36904 e-license identifier ----

char license_id_check_char(std::string_view body) {
    int p = 36;
    for (const char c : body) {
        const int v = alnum_value(c);
        if (v < 0) {
            throw FormsError(FormsErrorCode::InvalidArgument,
                             N_("'{value}' contains a character outside 0-9 and A-Z."),
                             {{"value", std::string(body)}});
        }
        int s = (p + v) % 36;
        if (s == 0) {
            s = 36;
        }
        p = (2 * s) % 37;
    }
    return kAlnum[static_cast<std::size_t>((37 - p) % 36)];
}

CheckResult check_license_id(std::string_view raw) {
    const std::string n = normalize_identifier(raw);
    if (n.empty()) {
        return make(CheckStatus::Invalid, n, "The e-license identifier is empty.", "license.empty");
    }
    if (n.rfind(kLicenseRoot, 0) != 0) {
        return make(CheckStatus::Invalid, n,
                    "An e-license identifier (GB/T 36904) starts with the root 1.2.156.3005.2; '" +
                        n + "' does not.",
                    "license.root");
    }
    std::vector<std::string> parts;
    {
        std::string rest = n.substr(kLicenseRoot.size());
        std::size_t start = 0;
        while (true) {
            const auto dot = rest.find('.', start);
            parts.push_back(
                rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
            if (dot == std::string::npos) {
                break;
            }
            start = dot + 1;
        }
    }
    if (parts.size() != 5) {
        return make(CheckStatus::Invalid, n,
                    "After the root an e-license identifier has 5 dot-separated parts (type code, "
                    "issuer, serial, version, check); '" +
                        n + "' has " + std::to_string(parts.size()) + ".",
                    "license.structure");
    }
    static constexpr std::array<const char*, 5> kNames = {"license type code", "issuer code",
                                                          "serial number", "version", "check"};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::size_t pos = 0;
        const auto bad = first_bad_char(parts[i], kAlnum, &pos);
        if (parts[i].empty() || pos != 0) {
            return make(CheckStatus::Invalid, n,
                        std::string("The ") + kNames[i] + " part of the e-license identifier " +
                            (parts[i].empty()
                                 ? "is empty"
                                 : "contains " + bad + " at position " + std::to_string(pos)) +
                            "; only digits and A-Z are allowed.",
                        "license.alphabet");
        }
    }
    const auto& type = parts[0];
    const auto& issuer = parts[1];
    const auto& serial = parts[2];
    const auto& version = parts[3];
    const auto& check = parts[4];
    if (type.size() != 21 || !all_digits(type.substr(18))) {
        return make(CheckStatus::Invalid, n,
                    "The license type code '" + type +
                        "' must be the defining organisation's 18-character USCC followed by 3 "
                        "digits.",
                    "license.type-code");
    }
    const bool issuer_is_region = issuer.size() == 6 && all_digits(issuer);
    if (issuer.size() != 18 && !issuer_is_region) {
        return make(CheckStatus::Invalid, n,
                    "The issuer code '" + issuer +
                        "' must be an 18-character USCC or a 6-digit region code.",
                    "license.issuer");
    }
    if (serial.size() > 64) {
        return make(CheckStatus::Invalid, n,
                    "The serial number of the e-license identifier has " +
                        std::to_string(serial.size()) + " characters; at most 64 are accepted.",
                    "license.serial");
    }
    if (version.size() != 3 || !all_digits(version)) {
        return make(CheckStatus::Invalid, n,
                    "The version part '" + version + "' must be 3 digits (e.g. 001).",
                    "license.version");
    }
    if (check.size() != 1) {
        return make(CheckStatus::Invalid, n,
                    "The check part '" + check + "' must be one character.", "license.structure");
    }
    const char expected = license_id_check_char(type + issuer + serial + version);
    if (expected != check[0]) {
        return make(CheckStatus::Invalid, n,
                    "The e-license identifier ends in '" + check +
                        "' but its check character (GB/T 36904, ISO 7064 MOD 37,36) should be '" +
                        std::string(1, expected) + "': do not use this license.",
                    "license.check-char");
    }
    std::string problems;
    const auto embedded = [&](const std::string& what, const std::string& code) {
        const auto r = check_uscc(code);
        if (r.status != CheckStatus::Valid) {
            if (!problems.empty()) {
                problems += " ";
            }
            problems += "The " + what + " " + code + ": " + r.message;
        }
    };
    embedded("defining organisation's USCC", type.substr(0, 18));
    if (!issuer_is_region) {
        embedded("issuer's USCC", issuer);
    }
    if (!problems.empty()) {
        return make(CheckStatus::Warning, n,
                    "The e-license identifier's check character is right, but: " + problems,
                    "license.embedded-uscc");
    }
    return make(CheckStatus::Valid, n, "Valid e-license identifier.", "ok");
}

// ---- GB/T 2260 region code ----

CheckResult check_region_code(std::string_view raw) {
    return check_region_code(raw, RegionTable::builtin());
}

CheckResult check_region_code(std::string_view raw, const RegionTable& table) {
    const std::string n = normalize_identifier(raw);
    if (n.empty()) {
        return make(CheckStatus::Invalid, n, "The region code is empty.", "region.empty");
    }
    if (n.size() != 6 || !all_digits(n)) {
        return make(CheckStatus::Invalid, n,
                    "A region code (GB/T 2260) has 6 digits; '" + n + "' does not.",
                    "region.format");
    }
    if (n.substr(0, 2) == "00") {
        return make(CheckStatus::Invalid, n,
                    "The region code " + n + " has no province part (its first two digits are 00).",
                    "region.structure");
    }
    if (n.substr(2, 2) == "00" && n.substr(4, 2) != "00") {
        return make(CheckStatus::Invalid, n,
                    "The region code " + n +
                        " names a county (digits 5-6) under prefecture 00, which GB/T 2260 does "
                        "not allow.",
                    "region.structure");
    }
    if (table.find(n) != nullptr) {
        return make(CheckStatus::Valid, n, "Valid region code: " + table.full_name(n) + ".", "ok");
    }
    const auto province = n.substr(0, 2) + "0000";
    if (table.find(province) == nullptr) {
        return make(CheckStatus::Warning, n,
                    "The region code " + n + " is not in the GB/T 2260 table (" + table.edition() +
                        "): no province-level division " + province + ".",
                    "region.unknown");
    }
    return make(CheckStatus::Warning, n,
                "The region code " + n + " is not in the GB/T 2260 table (" + table.edition() +
                    "): it may be abolished, newer than the table, or outside its partial county "
                    "coverage. Province: " +
                    table.full_name(province) + ".",
                "region.unknown");
}

} // namespace ow::forms
