// Field validation of a (merged) form: normalises the input (full-width digits, lowercase x,
// surrounding spaces, dates, money) and reports every field error and warning at once, with a
// message in zh_CN and in English naming the field.
//
// Values are a JSON object keyed by semantic key. Representation per field type:
//   text, phone, email, id_number, uscc, org_code, license_id, region: string
//   number: number (a numeric string is accepted and converted)
//   money: string with two decimals, "1234.50" (numbers and "1,234.5" are accepted and converted)
//   date: "YYYY-MM-DD" ("YYYYMMDD" accepted); boolean: true / false
//   choice: code string; multi_choice: array of distinct code strings
//   address: {"region": "440305", "detail": "…"}
//   table: array of row objects keyed by column key; attachment: reference string (or array)
#pragma once

#include "ow/forms/merge.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ow::forms {

enum class Severity { Error, Warning };

struct FieldIssue {
    std::string key; // "applicant.id_number", or in a table "business.shareholders[2].id_number"
    Severity severity = Severity::Error;
    std::string code; // stable: "required", "invalid", "too_long", "below_min", "check_char" …
    std::string message_zh;
    std::string message_en;
    const std::string& message(std::string_view lang) const {
        return lang == "en" ? message_en : message_zh;
    }
};

struct ValidationResult {
    nlohmann::json values = nlohmann::json::object(); // normalised values (hidden fields kept)
    std::vector<FieldIssue> issues;                   // in form order
    bool ok() const;                                  // no errors (warnings allowed)
    std::size_t error_count() const;
    std::size_t warning_count() const;
    // Issues of one key (and its table cells).
    std::vector<const FieldIssue*> for_key(std::string_view key) const;
};

struct ValidationOptions {
    Date today = ow::forms::today(); // for "today" bounds of dates
    bool report_unknown_keys = true; // a value for a key not in the form → warning
};

ValidationResult validate_form(const MergedForm& form, const nlohmann::json& values,
                               const ValidationOptions& options = {});

// Whether a field is visible / required for these values (expressions evaluated).
bool is_visible(const MergedField& field, const nlohmann::json& values);
bool is_required(const MergedField& field, const nlohmann::json& values);

} // namespace ow::forms
