#include "ow/forms/prefill.h"

namespace ow::forms {

namespace {

using json = nlohmann::json;

const json* resolve(const json& sources, const std::string& path) {
    const json* node = &sources;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto dot = path.find('.', start);
        const auto part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!node->is_object()) {
            return nullptr;
        }
        const auto it = node->find(part);
        if (it == node->end()) {
            return nullptr;
        }
        node = &*it;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return node->is_null() ? nullptr : node;
}

bool empty_value(const json& v) {
    if (v.is_null()) {
        return true;
    }
    if (v.is_string()) {
        return v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos;
    }
    return (v.is_array() || v.is_object()) && v.empty();
}

} // namespace

std::vector<PrefillValue> compute_prefill(const MergedForm& form, const json& sources,
                                          const json& current, bool overwrite) {
    std::vector<PrefillValue> out;
    for (const auto& f : form.fields) {
        const auto& def = f.field;
        if (def.prefill.empty() || def.type == FieldType::Table ||
            def.type == FieldType::Attachment) {
            continue;
        }
        if (!overwrite && current.is_object()) {
            const auto it = current.find(def.key);
            if (it != current.end() && !empty_value(*it)) {
                continue; // the clerk's entry wins
            }
        }
        const auto* v = resolve(sources, def.prefill);
        if (v == nullptr || empty_value(*v)) {
            continue;
        }
        out.push_back(PrefillValue{def.key, *v, def.prefill});
    }
    return out;
}

json apply_prefill(const std::vector<PrefillValue>& prefill, json values) {
    if (!values.is_object()) {
        values = json::object();
    }
    for (const auto& p : prefill) {
        values[p.key] = p.value;
    }
    return values;
}

} // namespace ow::forms
