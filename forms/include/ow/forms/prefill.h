// Prefill (预填): fields of a merged form name where their value comes from ("prefill":
// "person.name", "entity.uscc", "party.phone" in the catalog). Given the records the caller looked
// up in the cache, this computes the values to fill and remembers their origin, so the clerk sees
// which fields were prefilled and from where. Values the clerk already entered are kept.
#pragma once

#include "ow/forms/merge.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ow::forms {

struct PrefillValue {
    std::string key; // the form field, e.g. "applicant.name"
    nlohmann::json value;
    std::string source; // the path it came from, e.g. "person.name"
};

// `sources` is an object of records: {"person": {...}, "entity": {...}, "party": {...}} (a
// record's attributes may be nested objects: "person.address.detail" is looked up as such).
// For every field with a prefill path that resolves to a non-null value, and whose current value
// is empty (unless overwrite), returns the value to fill. Table and attachment fields are not
// prefilled.
std::vector<PrefillValue> compute_prefill(const MergedForm& form, const nlohmann::json& sources,
                                          const nlohmann::json& current = nlohmann::json::object(),
                                          bool overwrite = false);

// Applies the prefill to `values` and returns it (a convenience over compute_prefill).
nlohmann::json apply_prefill(const std::vector<PrefillValue>& prefill, nlohmann::json values);

} // namespace ow::forms
