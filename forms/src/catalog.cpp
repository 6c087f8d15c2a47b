#include "ow/forms/catalog.h"

#include "ow/forms/error.h"
#include "ow/forms/identifiers.h"
#include "utf8.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>

namespace ow::forms {

namespace {

using json = nlohmann::json;

constexpr std::string_view kFormat = "onewindow-catalog/1";

bool is_key_segment(std::string_view s) {
    if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// "applicant.name": two or more lowercase segments joined by dots.
bool is_semantic_key(std::string_view key) {
    std::size_t parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto dot = key.find('.', start);
        const auto seg = key.substr(start, dot == std::string_view::npos ? key.npos : dot - start);
        if (!is_key_segment(seg)) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return parts >= 2 && key.size() <= 80;
}

json read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw FormsError(FormsErrorCode::DataFile, N_("Cannot open the catalog file {path}."),
                         {{"path", path.string()}});
    }
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw FormsError(FormsErrorCode::Catalog, N_("Catalog {path} is not valid JSON: {detail}."),
                         {{"path", path.string()}, {"detail", e.what()}});
    }
}

} // namespace

// Reads a catalog document and reports errors with their place (file, item, field).
class CatalogLoader {
public:
    // `read_file` resolves a file name of the root document ("items/scjgj.json"); empty when the
    // catalog is one self-contained document.
    using FileReader = std::function<json(const std::string& relative)>;
    CatalogLoader(Catalog& cat, std::string source, FileReader read_file)
        : cat_(cat), source_(std::move(source)), read_file_(std::move(read_file)) {}

    void load(const json& doc) {
        where_ = "document";
        if (!doc.is_object()) {
            fail("the catalog must be a JSON object");
        }
        check_keys(doc, {"format", "version", "name", "dictionaries", "departments", "sections",
                         "fields", "materials", "items", "bundles", "note"});
        if (doc.value("format", "") != kFormat) {
            fail("\"format\" must be \"" + std::string(kFormat) + "\"");
        }
        cat_.version_ = str(doc, "version", true);
        cat_.name_ = text(doc, "name", true);
        for (const auto& d : section_array(doc, "dictionaries")) {
            load_dictionary(d);
        }
        for (const auto& d : section_array(doc, "departments")) {
            load_department(d);
        }
        for (const auto& s : section_array(doc, "sections")) {
            load_section(s);
        }
        std::stable_sort(cat_.sections_.begin(), cat_.sections_.end(),
                         [](const Section& a, const Section& b) { return a.order < b.order; });
        for (const auto& f : section_array(doc, "fields")) {
            where_ = "field library";
            auto def = load_field(f, false);
            if (!cat_.library_.emplace(def.key, def).second) {
                fail_field(def.key, "the key is defined twice");
            }
        }
        check_library_expressions();
        for (const auto& m : section_array(doc, "materials")) {
            where_ = "material library";
            auto mat = load_material(m);
            const auto key = mat.key;
            if (!materials_.emplace(key, std::move(mat)).second) {
                fail("material " + key + " is defined twice");
            }
        }
        std::set<std::string> codes;
        for (const auto& i : section_array(doc, "items")) {
            auto item = load_item(i);
            if (!codes.insert(item.code).second) {
                fail("the item code is used twice");
            }
            cat_.items_.push_back(std::move(item));
        }
        for (const auto& b : section_array(doc, "bundles")) {
            load_bundle(b);
        }
    }

private:
    static std::string strip_period(std::string s) {
        while (!s.empty() && s.back() == '.') {
            s.pop_back();
        }
        return s;
    }
    // The problem part of a nested error: a catalog error's own problem, else the whole message.
    static std::string problem_of(const FormsError& e) {
        if (e.code() == FormsErrorCode::Catalog && e.arguments().count("problem") != 0) {
            return e.arguments().at("problem");
        }
        return strip_period(e.what());
    }
    [[noreturn]] void fail(const std::string& problem) const {
        throw FormsError(
            FormsErrorCode::Catalog, N_("Catalog {source}, {where}: {problem}."),
            {{"source", source_}, {"where", where_}, {"problem", strip_period(problem)}});
    }
    [[noreturn]] void fail_field(const std::string& key, const std::string& problem) const {
        throw FormsError(FormsErrorCode::Catalog,
                         N_("Catalog {source}, {where}, field {field}: {problem}."),
                         {{"source", source_},
                          {"where", where_},
                          {"field", key},
                          {"problem", strip_period(problem)}});
    }

    void check_keys(const json& obj, std::initializer_list<const char*> allowed) const {
        for (const auto& [k, v] : obj.items()) {
            if (std::none_of(allowed.begin(), allowed.end(),
                             [&](const char* a) { return k == a; })) {
                std::string list;
                for (const auto* a : allowed) {
                    list += (list.empty() ? "" : ", ") + std::string(a);
                }
                fail("unknown property \"" + k + "\" (allowed: " + list + ")");
            }
        }
    }

    // A top-level section: inline array, a file name, or a list of file names. A file holds
    // {"<section>": [...]} or the array itself.
    std::vector<json> section_array(const json& doc, const char* section) {
        std::vector<json> out;
        if (!doc.contains(section)) {
            return out;
        }
        const auto& v = doc[section];
        auto from_file = [&](const std::string& rel) {
            if (!read_file_) {
                where_ = std::string("section ") + section;
                fail("\"" + rel +
                     "\" refers to a file, but the catalog was not loaded from a file");
            }
            if (rel.find("..") != std::string::npos || std::filesystem::path(rel).is_absolute()) {
                where_ = std::string("section ") + section;
                fail("the file name \"" + rel +
                     "\" must be relative and stay inside the catalog "
                     "folder");
            }
            const auto f = read_file_(rel);
            const auto& arr = f.is_object() && f.contains(section) ? f[section] : f;
            if (!arr.is_array()) {
                where_ = rel;
                fail(std::string("the file must hold an array \"") + section + "\"");
            }
            for (const auto& e : arr) {
                out.push_back(e);
            }
        };
        if (v.is_string()) {
            from_file(v.get<std::string>());
        } else if (v.is_array()) {
            for (const auto& e : v) {
                if (e.is_string()) {
                    from_file(e.get<std::string>());
                } else {
                    out.push_back(e);
                }
            }
        } else {
            where_ = std::string("section ") + section;
            fail("must be an array or a file name");
        }
        return out;
    }

    std::string str(const json& obj, const char* key, bool required, std::size_t max = 4000) const {
        if (!obj.contains(key) || obj[key].is_null()) {
            if (required) {
                fail(std::string("\"") + key + "\" is missing");
            }
            return {};
        }
        if (!obj[key].is_string()) {
            fail(std::string("\"") + key + "\" must be a string");
        }
        auto s = obj[key].get<std::string>();
        if (required && s.empty()) {
            fail(std::string("\"") + key + "\" is empty");
        }
        if (detail::utf8_length(s) > max) {
            fail(std::string("\"") + key + "\" is longer than " + std::to_string(max) +
                 " characters");
        }
        return s;
    }

    LocalizedText text(const json& obj, const char* key, bool required) const {
        LocalizedText t;
        if (!obj.contains(key)) {
            if (required) {
                fail(std::string("\"") + key + "\" is missing");
            }
            return t;
        }
        const auto& v = obj[key];
        if (v.is_string()) {
            t.zh = v.get<std::string>();
        } else if (v.is_object()) {
            check_keys(v, {"zh", "en"});
            t.zh = str(v, "zh", required);
            t.en = str(v, "en", false);
        } else {
            fail(std::string("\"") + key + "\" must be a string or {\"zh\", \"en\"}");
        }
        if (required && t.zh.empty()) {
            fail(std::string("\"") + key + "\" has no Chinese text");
        }
        return t;
    }

    int integer(const json& obj, const char* key, int fallback, int lo, int hi) const {
        if (!obj.contains(key)) {
            return fallback;
        }
        if (!obj[key].is_number_integer()) {
            fail(std::string("\"") + key + "\" must be an integer");
        }
        const auto v = obj[key].get<long long>();
        if (v < lo || v > hi) {
            fail(std::string("\"") + key + "\" is " + std::to_string(v) + ", outside " +
                 std::to_string(lo) + ".." + std::to_string(hi));
        }
        return static_cast<int>(v);
    }

    bool boolean(const json& obj, const char* key, bool fallback) const {
        if (!obj.contains(key)) {
            return fallback;
        }
        if (!obj[key].is_boolean()) {
            fail(std::string("\"") + key + "\" must be true or false");
        }
        return obj[key].get<bool>();
    }

    std::optional<double> number(const json& obj, const char* key) const {
        if (!obj.contains(key)) {
            return std::nullopt;
        }
        if (!obj[key].is_number()) {
            fail(std::string("\"") + key + "\" must be a number");
        }
        const double v = obj[key].get<double>();
        if (!(v > -1e15 && v < 1e15)) {
            fail(std::string("\"") + key + "\" is out of range");
        }
        return v;
    }

    CodedValue coded(const json& obj, const char* key, const char* dictionary,
                     bool required) const {
        const auto code = str(obj, key, required, 50);
        if (code.empty()) {
            return {};
        }
        return coded_value(code, key, dictionary);
    }

    CodedValue coded_value(const std::string& code, const char* key, const char* dictionary) const {
        const auto* d = cat_.find_dictionary(dictionary);
        if (d == nullptr) {
            fail(std::string("\"") + key + "\" needs the dictionary \"" + dictionary +
                 "\", which the catalog does not define");
        }
        if (d->find(code) == nullptr) {
            std::string codes;
            for (const auto& e : d->entries) {
                codes += (codes.empty() ? "" : ", ") + e.code;
            }
            fail(std::string("\"") + key + "\" is \"" + code + "\", which is not in dictionary " +
                 dictionary + " (" + d->version + "; codes: " + codes + ")");
        }
        return CodedValue{code, d->id, d->version};
    }

    std::vector<CodedValue> coded_list(const json& obj, const char* key, const char* dictionary,
                                       bool required) const {
        std::vector<CodedValue> out;
        if (!obj.contains(key)) {
            if (required) {
                fail(std::string("\"") + key + "\" is missing");
            }
            return out;
        }
        if (!obj[key].is_array() || (required && obj[key].empty())) {
            fail(std::string("\"") + key + "\" must be a non-empty array of codes");
        }
        std::set<std::string> seen;
        for (const auto& c : obj[key]) {
            if (!c.is_string()) {
                fail(std::string("\"") + key + "\" must hold code strings");
            }
            if (!seen.insert(c.get<std::string>()).second) {
                fail(std::string("\"") + key + "\" lists \"" + c.get<std::string>() + "\" twice");
            }
            out.push_back(coded_value(c.get<std::string>(), key, dictionary));
        }
        return out;
    }

    void load_dictionary(const json& d) {
        where_ = "dictionaries";
        if (!d.is_object()) {
            fail("each dictionary must be an object");
        }
        Dictionary dict;
        dict.id = str(d, "id", true, 60);
        where_ = "dictionary " + dict.id;
        check_keys(d, {"id", "version", "title", "entries", "note"});
        dict.version = str(d, "version", true);
        dict.title = text(d, "title", true);
        if (!d.contains("entries") || !d["entries"].is_array() || d["entries"].empty()) {
            fail("\"entries\" must be a non-empty array");
        }
        std::set<std::string> codes;
        for (const auto& e : d["entries"]) {
            if (!e.is_object()) {
                fail("each entry must be an object");
            }
            check_keys(e, {"code", "name", "kind", "paper", "electronic", "note"});
            DictionaryEntry entry;
            entry.code = str(e, "code", true, 50);
            entry.name = text(e, "name", true);
            entry.kind = str(e, "kind", false, 20);
            entry.paper = boolean(e, "paper", false);
            entry.electronic = boolean(e, "electronic", false);
            if (!codes.insert(entry.code).second) {
                fail("code \"" + entry.code + "\" appears twice");
            }
            if (dict.id == "material_necessity" && entry.kind != "required" &&
                entry.kind != "deferrable" && entry.kind != "optional") {
                fail("entry \"" + entry.code +
                     "\" needs \"kind\": required, deferrable or optional");
            }
            dict.entries.push_back(std::move(entry));
        }
        if (!cat_.dictionaries_.emplace(dict.id, dict).second) {
            fail("the dictionary is defined twice");
        }
    }

    void load_department(const json& d) {
        where_ = "departments";
        if (!d.is_object()) {
            fail("each department must be an object");
        }
        Department dep;
        dep.code = str(d, "code", true, 50);
        where_ = "department " + dep.code;
        check_keys(d, {"code", "name", "uscc", "region", "phone", "note"});
        dep.name = text(d, "name", true);
        dep.uscc = str(d, "uscc", true, 18);
        const auto u = check_uscc(dep.uscc);
        if (u.status == CheckStatus::Invalid) {
            fail("\"uscc\": " + u.message);
        }
        dep.uscc = u.normalized;
        dep.region = str(d, "region", true, 6);
        if (check_region_code(dep.region).status == CheckStatus::Invalid) {
            fail("\"region\": " + check_region_code(dep.region).message);
        }
        dep.phone = str(d, "phone", false, 40);
        if (cat_.find_department(dep.code) != nullptr) {
            fail("the department code is used twice");
        }
        cat_.departments_.push_back(std::move(dep));
    }

    void load_section(const json& s) {
        where_ = "sections";
        if (!s.is_object()) {
            fail("each section must be an object");
        }
        check_keys(s, {"id", "title", "order"});
        Section sec;
        sec.id = str(s, "id", true, 40);
        if (!is_key_segment(sec.id)) {
            fail("section id \"" + sec.id + "\" must be lowercase letters, digits and _");
        }
        where_ = "section " + sec.id;
        sec.title = text(s, "title", true);
        sec.order = integer(s, "order", 0, -100000, 100000);
        if (cat_.find_section(sec.id) != nullptr) {
            fail("the section is defined twice");
        }
        cat_.sections_.push_back(std::move(sec));
    }

    // Field definition (library) or table column (column = true: plain key, no section).
    FieldDef load_field(const json& f, bool column) {
        if (!f.is_object()) {
            fail("each field must be an object");
        }
        FieldDef def;
        def.key = str(f, "key", true, 80);
        if (column ? !is_key_segment(def.key) : !is_semantic_key(def.key)) {
            fail_field(def.key, column ? "a column key is lowercase letters, digits and _"
                                       : "a semantic key is two or more lowercase segments "
                                         "joined by dots, e.g. applicant.name");
        }
        try {
            check_keys(f, {"key",        "section",    "type",     "label",       "help",
                           "order",      "dictionary", "options",  "columns",     "material",
                           "prefill",    "messages",   "required", "required_if", "visible_if",
                           "max_length", "min",        "max",      "decimals",    "min_date",
                           "max_date",   "allowed",    "min_rows", "max_rows",    "note"});
            const auto type_text = str(f, "type", true, 20);
            const auto type = parse_field_type(type_text);
            if (!type) {
                fail("\"type\" \"" + type_text +
                     "\" is unknown (text, number, money, date, boolean, choice, multi_choice, "
                     "phone, email, address, region, id_number, uscc, org_code, license_id, "
                     "table, attachment)");
            }
            def.type = *type;
            if (!column) {
                def.section = str(f, "section", true, 40);
                if (cat_.find_section(def.section) == nullptr) {
                    fail("\"section\" \"" + def.section + "\" is not defined in \"sections\"");
                }
            }
            def.label = text(f, "label", true);
            def.help = text(f, "help", false);
            def.order = integer(f, "order", 0, -100000, 100000);
            def.prefill = str(f, "prefill", false, 80);
            if (f.contains("messages")) {
                if (!f["messages"].is_object()) {
                    fail("\"messages\" must map issue codes to {\"zh\", \"en\"}");
                }
                for (const auto& [code, m] : f["messages"].items()) {
                    def.messages[code] = text(f["messages"], code.c_str(), true);
                }
            }
            if (def.type == FieldType::Choice || def.type == FieldType::MultiChoice) {
                def.dictionary = str(f, "dictionary", false, 60);
                if (!def.dictionary.empty()) {
                    const auto* d = cat_.find_dictionary(def.dictionary);
                    if (d == nullptr) {
                        fail("\"dictionary\" \"" + def.dictionary + "\" is not defined");
                    }
                    for (const auto& e : d->entries) {
                        def.options.push_back(ChoiceOption{e.code, e.name});
                    }
                } else {
                    if (!f.contains("options") || !f["options"].is_array() ||
                        f["options"].empty()) {
                        fail("a choice needs \"dictionary\" or a non-empty \"options\" array");
                    }
                    std::set<std::string> seen;
                    for (const auto& o : f["options"]) {
                        if (!o.is_object()) {
                            fail("each option must be {\"code\", \"label\"}");
                        }
                        check_keys(o, {"code", "label"});
                        ChoiceOption opt{str(o, "code", true, 50), text(o, "label", true)};
                        if (!seen.insert(opt.code).second) {
                            fail("option \"" + opt.code + "\" appears twice");
                        }
                        def.options.push_back(std::move(opt));
                    }
                }
            } else if (f.contains("options") || f.contains("dictionary")) {
                fail("\"options\" and \"dictionary\" are only for choice fields");
            }
            if (def.type == FieldType::Table) {
                if (column) {
                    fail("a table cannot contain a table");
                }
                if (!f.contains("columns") || !f["columns"].is_array() || f["columns"].empty()) {
                    fail("a table needs a non-empty \"columns\" array");
                }
                std::set<std::string> seen;
                for (const auto& c : f["columns"]) {
                    FieldDef col;
                    try {
                        col = load_field(c, true);
                    } catch (const FormsError& e) {
                        const auto& a = e.arguments();
                        fail_field(def.key,
                                   "column " +
                                       (a.count("field") ? a.at("field") : std::string("?")) +
                                       ": " + problem_of(e));
                    }
                    if (col.type == FieldType::Attachment) {
                        fail("column " + col.key + ": attachments cannot be table cells");
                    }
                    if (!seen.insert(col.key).second) {
                        fail("column " + col.key + " appears twice");
                    }
                    def.columns.push_back(std::move(col));
                }
            } else if (f.contains("columns")) {
                fail("\"columns\" is only for tables");
            }
            if (def.type == FieldType::Attachment) {
                def.material = str(f, "material", true, 80);
            }
            if (column && (f.contains("visible_if") || f.contains("required_if"))) {
                fail("table columns cannot have visible_if or required_if (conditions apply to "
                     "whole fields)");
            }
            apply_rules(f, def);
        } catch (const FormsError& e) {
            if (e.message_template().find("{field}") != std::string::npos) {
                throw;
            }
            fail_field(def.key, problem_of(e));
        }
        return def;
    }

    // Rules that both the library and an item may set. Expressions are parsed here, names
    // checked later (the item's own keys, or the library's keys).
    void apply_rules(const json& f, FieldDef& def) const {
        auto& r = def.rules;
        r.required = boolean(f, "required", r.required);
        for (const char* key : {"required_if", "visible_if"}) {
            if (f.contains(key)) {
                const auto text = str(f, key, true, 2000);
                auto e = Expression::parse(text);
                auto& list = std::string_view(key) == "required_if" ? r.required_if : r.visible_if;
                list = {std::move(e)};
            }
        }
        if (f.contains("max_length")) {
            if (def.type != FieldType::Text && def.type != FieldType::Address &&
                def.type != FieldType::Email) {
                fail("\"max_length\" is only for text, address and email fields");
            }
            r.max_length = static_cast<std::size_t>(integer(f, "max_length", 0, 1, 100000));
        }
        const bool numeric = def.type == FieldType::Number || def.type == FieldType::Money;
        if ((f.contains("min") || f.contains("max") || f.contains("decimals")) && !numeric) {
            fail("\"min\", \"max\" and \"decimals\" are only for number and money fields");
        }
        if (auto v = number(f, "min")) {
            r.min = v;
        }
        if (auto v = number(f, "max")) {
            r.max = v;
        }
        if (f.contains("decimals")) {
            r.decimals = integer(f, "decimals", 0, 0, 6);
        }
        if (r.min && r.max && *r.min > *r.max) {
            fail("\"min\" is greater than \"max\"");
        }
        for (const char* key : {"min_date", "max_date"}) {
            if (f.contains(key)) {
                if (def.type != FieldType::Date) {
                    fail(std::string("\"") + key + "\" is only for date fields");
                }
                const auto v = str(f, key, true, 10);
                if (v != "today") {
                    parse_date(v, key);
                }
                (std::string_view(key) == "min_date" ? r.min_date : r.max_date) = v;
            }
        }
        if (f.contains("allowed")) {
            if (def.type != FieldType::Choice && def.type != FieldType::MultiChoice) {
                fail("\"allowed\" is only for choice fields");
            }
            if (!f["allowed"].is_array() || f["allowed"].empty()) {
                fail("\"allowed\" must be a non-empty array of option codes");
            }
            std::vector<std::string> allowed;
            for (const auto& c : f["allowed"]) {
                if (!c.is_string()) {
                    fail("\"allowed\" must hold option codes");
                }
                const auto code = c.get<std::string>();
                if (std::none_of(def.options.begin(), def.options.end(),
                                 [&](const ChoiceOption& o) { return o.code == code; })) {
                    fail("\"allowed\" lists \"" + code + "\", which is not an option");
                }
                allowed.push_back(code);
            }
            r.allowed = std::move(allowed);
        }
        if (f.contains("min_rows") || f.contains("max_rows")) {
            if (def.type != FieldType::Table) {
                fail("\"min_rows\" and \"max_rows\" are only for tables");
            }
            if (f.contains("min_rows")) {
                r.min_rows = static_cast<std::size_t>(integer(f, "min_rows", 0, 0, 1000));
            }
            if (f.contains("max_rows")) {
                r.max_rows = static_cast<std::size_t>(integer(f, "max_rows", 0, 1, 1000));
            }
            if (r.min_rows && r.max_rows && *r.min_rows > *r.max_rows) {
                fail("\"min_rows\" is greater than \"max_rows\"");
            }
        }
    }

    void check_expressions(const FieldDef& def, const std::set<std::string>& names) const {
        const auto known = [&](std::string_view n) {
            return names.count(std::string(n)) != 0;
        };
        for (const auto* list : {&def.rules.required_if, &def.rules.visible_if}) {
            for (const auto& e : *list) {
                try {
                    Expression::parse(e.text(), known);
                } catch (const FormsError& err) {
                    fail_field(def.key, strip_period(err.what()) +
                                            " (conditions may only use fields of the same form)");
                }
            }
        }
    }

    void check_library_expressions() {
        where_ = "field library";
        std::set<std::string> names;
        for (const auto& [k, f] : cat_.library_) {
            names.insert(k);
        }
        for (const auto& [k, f] : cat_.library_) {
            check_expressions(f, names);
        }
    }

    Material load_material(const json& m) {
        if (!m.is_object()) {
            fail("each material must be an object");
        }
        Material mat;
        mat.key = str(m, "key", true, 80);
        if (!is_semantic_key(mat.key) || mat.key.rfind("mat.", 0) != 0) {
            fail("material key \"" + mat.key + "\" must look like mat.<name>");
        }
        const auto saved = where_;
        where_ += ", material " + mat.key;
        check_keys(m, {"key", "name", "form", "necessity", "source", "originals", "copies",
                       "paper_spec", "blank_form", "sample", "accept_standard", "basis",
                       "required_if", "e_license_types", "note"});
        mat.name = text(m, "name", true);
        mat.form = coded(m, "form", "material_form", true);
        mat.necessity = coded(m, "necessity", "material_necessity", true);
        mat.source = coded(m, "source", "material_source", true);
        apply_material_rules(m, mat);
        mat.paper_spec = str(m, "paper_spec", false, 20);
        mat.blank_form = str(m, "blank_form", false, 200);
        mat.sample = str(m, "sample", false, 200);
        mat.accept_standard = str(m, "accept_standard", false);
        mat.basis = str(m, "basis", false);
        mat.note = str(m, "note", false);
        if (m.contains("e_license_types")) {
            if (!m["e_license_types"].is_array()) {
                fail("\"e_license_types\" must be an array of license type codes");
            }
            for (const auto& t : m["e_license_types"]) {
                if (!t.is_string() || t.get<std::string>().size() != 21) {
                    fail("\"e_license_types\" entries are 21-character license type codes "
                         "(USCC + 3 digits)");
                }
                mat.e_license_types.push_back(t.get<std::string>());
            }
        }
        where_ = saved;
        return mat;
    }

    void resolve_material(Material& mat) const {
        const auto* nec = cat_.find_dictionary("material_necessity")->find(mat.necessity.code);
        mat.necessity_kind = nec->kind == "required"     ? Necessity::Required
                             : nec->kind == "deferrable" ? Necessity::Deferrable
                                                         : Necessity::Optional;
        const auto* form = cat_.find_dictionary("material_form")->find(mat.form.code);
        mat.needs_paper = form->paper;
        mat.needs_electronic = form->electronic;
    }

    void apply_material_rules(const json& m, Material& mat) const {
        if (m.contains("form")) {
            mat.form = coded(m, "form", "material_form", true);
        }
        if (m.contains("necessity")) {
            mat.necessity = coded(m, "necessity", "material_necessity", true);
        }
        mat.originals = integer(m, "originals", mat.originals, 0, 20);
        mat.copies = integer(m, "copies", mat.copies, 0, 20);
        if (m.contains("required_if")) {
            mat.required_if = {Expression::parse(str(m, "required_if", true, 2000))};
        }
        resolve_material(mat);
    }

    ServiceItem load_item(const json& i) {
        where_ = "items";
        if (!i.is_object()) {
            fail("each item must be an object");
        }
        ServiceItem item;
        item.code = str(i, "code", true, 50);
        where_ = "item " + item.code;
        item.name = text(i, "name", true);
        where_ += " (" + item.name.zh + ")";
        check_keys(i, {"code",
                       "basic_code",
                       "handle_item_code",
                       "version",
                       "name",
                       "initials",
                       "item_type",
                       "exercise_levels",
                       "department",
                       "body_nature",
                       "service_targets",
                       "channels",
                       "case_type",
                       "legal_limit",
                       "promised_limit",
                       "onsite_visits",
                       "legal_basis",
                       "accept_conditions",
                       "charged",
                       "fees",
                       "result",
                       "fields",
                       "materials",
                       "note"});
        item.basic_code = str(i, "basic_code", true, 50);
        item.handle_item_code = str(i, "handle_item_code", false, 50);
        item.version = str(i, "version", true, 20);
        item.initials = str(i, "initials", true, 60);
        if (!std::all_of(item.initials.begin(), item.initials.end(),
                         [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); })) {
            fail("\"initials\" must be lowercase pinyin initials and digits");
        }
        item.item_type = coded(i, "item_type", "item_type", true);
        item.exercise_levels = coded_list(i, "exercise_levels", "exercise_level", true);
        item.department = str(i, "department", true, 50);
        if (cat_.find_department(item.department) == nullptr) {
            fail("\"department\" \"" + item.department + "\" is not defined in \"departments\"");
        }
        item.body_nature = coded(i, "body_nature", "body_nature", true);
        item.service_targets = coded_list(i, "service_targets", "service_target", true);
        item.channels = coded_list(i, "channels", "channel", true);
        item.case_type = coded(i, "case_type", "case_type", true);
        item.legal_limit = limit(i, "legal_limit");
        item.promised_limit = limit(i, "promised_limit");
        if (item.is_immediate() != (item.promised_limit.amount == 0)) {
            fail("\"case_type\" 1 (即办件) goes with a promised limit of 0 and only then; the "
                 "promised limit is " +
                 std::to_string(item.promised_limit.amount));
        }
        if (item.legal_limit.unit == item.promised_limit.unit &&
            item.promised_limit.amount > item.legal_limit.amount) {
            fail("the promised limit (" + std::to_string(item.promised_limit.amount) +
                 ") exceeds the legal limit (" + std::to_string(item.legal_limit.amount) + ")");
        }
        item.onsite_visits = integer(i, "onsite_visits", 1, 0, 10);
        item.legal_basis = str(i, "legal_basis", true);
        item.accept_conditions = str(i, "accept_conditions", false);
        item.charged = boolean(i, "charged", false);
        if (i.contains("fees")) {
            if (!i["fees"].is_array()) {
                fail("\"fees\" must be an array");
            }
            for (const auto& f : i["fees"]) {
                if (!f.is_object()) {
                    fail("each fee must be an object");
                }
                check_keys(f, {"name", "standard", "basis", "reducible"});
                item.fees.push_back(FeeItem{str(f, "name", true), str(f, "standard", true),
                                            str(f, "basis", false),
                                            boolean(f, "reducible", false)});
            }
        }
        if (item.charged != !item.fees.empty()) {
            fail("\"charged\" must be true exactly when \"fees\" lists fee items");
        }
        if (!i.contains("result") || !i["result"].is_object()) {
            fail("\"result\" {\"type\", \"name\"} is missing");
        }
        {
            const auto& r = i["result"];
            check_keys(r, {"type", "name", "license_type"});
            item.result_type = coded(r, "type", "result_type", true);
            item.result_name = str(r, "name", false, 200);
            item.result_license_type = str(r, "license_type", false, 21);
            if (!item.result_license_type.empty() && item.result_license_type.size() != 21) {
                fail("\"result.license_type\" must be a 21-character license type code");
            }
        }
        load_item_fields(i, item);
        load_item_materials(i, item);
        return item;
    }

    TimeLimit limit(const json& i, const char* key) const {
        if (!i.contains(key) || !i[key].is_object()) {
            fail(std::string("\"") + key + "\" {\"amount\", \"unit\"} is missing");
        }
        const auto& l = i[key];
        check_keys(l, {"amount", "unit", "note"});
        TimeLimit t;
        t.amount = integer(l, "amount", -1, 0, 3650);
        if (t.amount < 0) {
            fail(std::string("\"") + key + ".amount\" is missing");
        }
        try {
            t.unit = parse_time_unit(str(l, "unit", true, 20));
        } catch (const FormsError& e) {
            fail(std::string("\"") + key + ".unit\": " + e.what());
        }
        t.note = str(l, "note", false);
        return t;
    }

    void load_item_fields(const json& i, ServiceItem& item) {
        if (!i.contains("fields") || !i["fields"].is_array() || i["fields"].empty()) {
            fail("\"fields\" must be a non-empty array");
        }
        std::set<std::string> keys;
        for (const auto& f : i["fields"]) {
            const json ref = f.is_string() ? json{{"key", f}} : f;
            if (!ref.is_object() || !ref.contains("key") || !ref["key"].is_string()) {
                fail("each entry of \"fields\" is a key or {\"key\", …rules}");
            }
            const auto key = ref["key"].get<std::string>();
            const auto it = cat_.library_.find(key);
            if (it == cat_.library_.end()) {
                fail_field(key, "not defined in the field library");
            }
            if (!keys.insert(key).second) {
                fail_field(key, "listed twice");
            }
            FieldDef def = it->second;
            try {
                check_keys(ref, {"key", "required", "required_if", "visible_if", "max_length",
                                 "min", "max", "decimals", "min_date", "max_date", "allowed",
                                 "min_rows", "max_rows"});
                apply_rules(ref, def);
            } catch (const FormsError& e) {
                fail_field(key, problem_of(e));
            }
            item.fields.push_back(std::move(def));
        }
        for (const auto& def : item.fields) {
            check_expressions(def, keys);
            if (def.type == FieldType::Attachment) {
                attachment_materials_.push_back({def.key, def.material});
            }
        }
        item_keys_ = keys;
    }

    void load_item_materials(const json& i, ServiceItem& item) {
        if (!i.contains("materials") || !i["materials"].is_array()) {
            fail("\"materials\" must be an array");
        }
        std::set<std::string> keys;
        const auto known = [&](std::string_view n) {
            return item_keys_.count(std::string(n)) != 0;
        };
        for (const auto& m : i["materials"]) {
            const json ref = m.is_string() ? json{{"key", m}} : m;
            if (!ref.is_object() || !ref.contains("key") || !ref["key"].is_string()) {
                fail("each entry of \"materials\" is a key or {\"key\", …}");
            }
            const auto key = ref["key"].get<std::string>();
            const auto it = materials_.find(key);
            if (it == materials_.end()) {
                fail("material " + key + " is not defined in the material library");
            }
            if (!keys.insert(key).second) {
                fail("material " + key + " is listed twice");
            }
            Material mat = it->second;
            const auto saved = where_;
            where_ += ", material " + key;
            check_keys(ref, {"key", "form", "necessity", "originals", "copies", "required_if"});
            apply_material_rules(ref, mat);
            for (const auto& e : mat.required_if) {
                try {
                    Expression::parse(e.text(), known);
                } catch (const FormsError& err) {
                    fail(std::string("\"required_if\": ") + err.what());
                }
            }
            where_ = saved;
            item.materials.push_back(std::move(mat));
        }
        for (const auto& [field, material] : attachment_materials_) {
            if (keys.count(material) == 0) {
                fail_field(field, "the attachment refers to material " + material +
                                      ", which this item does not list");
            }
        }
        attachment_materials_.clear();
    }

    void load_bundle(const json& b) {
        where_ = "bundles";
        if (!b.is_object()) {
            fail("each bundle must be an object");
        }
        Bundle bundle;
        bundle.code = str(b, "code", true, 50);
        where_ = "bundle " + bundle.code;
        bundle.name = text(b, "name", true);
        where_ += " (" + bundle.name.zh + ")";
        check_keys(b, {"code", "name", "initials", "description", "items"});
        bundle.initials = str(b, "initials", true, 60);
        bundle.description = str(b, "description", false);
        if (!b.contains("items") || !b["items"].is_array() || b["items"].size() < 2) {
            fail("\"items\" must list at least two item codes");
        }
        for (const auto& c : b["items"]) {
            if (!c.is_string() || cat_.find_item(c.get<std::string>()) == nullptr) {
                fail("\"items\" lists " + c.dump() + ", which is not an item of the catalog");
            }
            if (std::find(bundle.items.begin(), bundle.items.end(), c.get<std::string>()) !=
                bundle.items.end()) {
                fail("\"items\" lists " + c.get<std::string>() + " twice");
            }
            bundle.items.push_back(c.get<std::string>());
        }
        if (cat_.find_bundle(bundle.code) != nullptr || cat_.find_item(bundle.code) != nullptr) {
            fail("the bundle code is already used by another bundle or an item");
        }
        cat_.bundles_.push_back(std::move(bundle));
    }

    Catalog& cat_;
    std::string source_;
    FileReader read_file_;
    std::string where_;
    std::map<std::string, Material, std::less<>> materials_;
    std::set<std::string> item_keys_;
    std::vector<std::pair<std::string, std::string>> attachment_materials_;
};

const DictionaryEntry* Dictionary::find(std::string_view code) const {
    for (const auto& e : entries) {
        if (e.code == code) {
            return &e;
        }
    }
    return nullptr;
}

bool ServiceItem::allows_deficiency_acceptance() const {
    return std::any_of(materials.begin(), materials.end(),
                       [](const Material& m) { return m.necessity_kind == Necessity::Deferrable; });
}

const char* to_string(FieldType type) {
    switch (type) {
    case FieldType::Text:
        return "text";
    case FieldType::Number:
        return "number";
    case FieldType::Money:
        return "money";
    case FieldType::Date:
        return "date";
    case FieldType::Boolean:
        return "boolean";
    case FieldType::Choice:
        return "choice";
    case FieldType::MultiChoice:
        return "multi_choice";
    case FieldType::Phone:
        return "phone";
    case FieldType::Email:
        return "email";
    case FieldType::Address:
        return "address";
    case FieldType::Region:
        return "region";
    case FieldType::IdNumber:
        return "id_number";
    case FieldType::Uscc:
        return "uscc";
    case FieldType::OrgCode:
        return "org_code";
    case FieldType::LicenseId:
        return "license_id";
    case FieldType::Table:
        return "table";
    case FieldType::Attachment:
        return "attachment";
    }
    return "text";
}

std::optional<FieldType> parse_field_type(std::string_view text) {
    for (int t = 0; t <= static_cast<int>(FieldType::Attachment); ++t) {
        if (text == to_string(static_cast<FieldType>(t))) {
            return static_cast<FieldType>(t);
        }
    }
    return std::nullopt;
}

Catalog Catalog::from_json(const nlohmann::json& document, std::string_view source) {
    Catalog cat;
    CatalogLoader(cat, std::string(source), {}).load(document);
    return cat;
}

Catalog Catalog::load(const std::filesystem::path& file) {
    const auto doc = read_json_file(file);
    Catalog cat;
    const auto base = file.parent_path();
    CatalogLoader(cat, file.filename().string(), [&base](const std::string& relative) {
        return read_json_file(base / relative);
    }).load(doc);
    return cat;
}

Catalog Catalog::from_files(const std::map<std::string, nlohmann::json, std::less<>>& files,
                            std::string_view source) {
    const auto root = files.find("catalog.json");
    if (root == files.end()) {
        throw FormsError(FormsErrorCode::Catalog, N_("Catalog {path} has no catalog.json."),
                         {{"path", std::string(source)}});
    }
    Catalog cat;
    CatalogLoader(cat, std::string(source), [&files, source](const std::string& relative) {
        const auto it = files.find(relative);
        if (it == files.end()) {
            throw FormsError(FormsErrorCode::DataFile, N_("Cannot open the catalog file {path}."),
                             {{"path", std::string(source) + ": " + relative}});
        }
        return it->second;
    }).load(root->second);
    return cat;
}

Catalog Catalog::load_directory(const std::filesystem::path& dir) {
    return load(dir / "catalog.json");
}

const ServiceItem* Catalog::find_item(std::string_view code) const {
    for (const auto& i : items_) {
        if (i.code == code) {
            return &i;
        }
    }
    return nullptr;
}

const Bundle* Catalog::find_bundle(std::string_view code) const {
    for (const auto& b : bundles_) {
        if (b.code == code) {
            return &b;
        }
    }
    return nullptr;
}

const Department* Catalog::find_department(std::string_view code) const {
    for (const auto& d : departments_) {
        if (d.code == code) {
            return &d;
        }
    }
    return nullptr;
}

const Dictionary* Catalog::find_dictionary(std::string_view id) const {
    const auto it = dictionaries_.find(id);
    return it == dictionaries_.end() ? nullptr : &it->second;
}

const Section* Catalog::find_section(std::string_view id) const {
    for (const auto& s : sections_) {
        if (s.id == id) {
            return &s;
        }
    }
    return nullptr;
}

std::string Catalog::label(const CodedValue& value, std::string_view lang) const {
    const auto* d = find_dictionary(value.dictionary);
    const auto* e = d ? d->find(value.code) : nullptr;
    return e ? e->name.in(lang) : std::string();
}

std::vector<SearchHit> Catalog::search(std::string_view raw, std::size_t limit) const {
    const auto query = detail::normalize_width_and_trim(raw);
    std::vector<SearchHit> hits;
    if (query.empty()) {
        return hits;
    }
    const auto lower = detail::to_lower_ascii(query);
    const auto score = [&](const std::string& code, const LocalizedText& name,
                           const std::string& initials, std::string* matched) {
        const auto code_lower = detail::to_lower_ascii(code);
        if (code_lower == lower) {
            *matched = "code";
            return 100;
        }
        if (name.zh == query) {
            *matched = "name";
            return 95;
        }
        if (name.zh.rfind(query, 0) == 0) {
            *matched = "name";
            return 80;
        }
        if (initials.rfind(lower, 0) == 0) {
            *matched = "initials";
            return 75;
        }
        if (name.zh.find(query) != std::string::npos) {
            *matched = "name";
            return 60;
        }
        if (code_lower.rfind(lower, 0) == 0) {
            *matched = "code";
            return 55;
        }
        if (lower.size() >= 2 && initials.find(lower) != std::string::npos) {
            *matched = "initials";
            return 45;
        }
        if (!name.en.empty() && detail::to_lower_ascii(name.en).find(lower) != std::string::npos) {
            *matched = "name";
            return 40;
        }
        if (lower.size() >= 4 && code_lower.find(lower) != std::string::npos) {
            *matched = "code";
            return 30;
        }
        return 0;
    };
    for (const auto& b : bundles_) {
        SearchHit h;
        h.bundle = &b;
        h.score = score(b.code, b.name, b.initials, &h.matched);
        if (h.score > 0) {
            hits.push_back(h);
        }
    }
    for (const auto& i : items_) {
        SearchHit h;
        h.item = &i;
        h.score = score(i.code, i.name, i.initials, &h.matched);
        if (h.score == 0) {
            h.score = score(i.basic_code, {}, {}, &h.matched) / 2;
        }
        if (h.score > 0) {
            hits.push_back(h);
        }
    }
    std::stable_sort(hits.begin(), hits.end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
    if (hits.size() > limit) {
        hits.resize(limit);
    }
    return hits;
}

std::filesystem::path default_data_dir(std::string_view folder) {
    const std::string name(folder);
    if (folder == "catalog") {
        if (const char* env = std::getenv("OW_CATALOG_DIR"); env != nullptr && *env != '\0') {
            return env;
        }
    }
#if defined(__linux__)
    // A binary run from its build tree uses the source tree's data.
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path build(OW_BINARY_DIR);
    if (!ec && exe.string().rfind(build.string() + "/", 0) == 0) {
        const auto src = std::filesystem::path(OW_SOURCE_DIR) / "forms" / "data" / name;
        if (std::filesystem::is_directory(src, ec)) {
            return src;
        }
    }
#endif
    return std::filesystem::path(OW_DATA_DIR_INSTALLED) / name;
}

std::filesystem::path default_catalog_dir() {
    return default_data_dir("catalog");
}

} // namespace ow::forms
