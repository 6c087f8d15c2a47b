// The service-item catalog (政务服务事项目录): dictionaries (code sets), implementing bodies, the
// shared field library, service items with their materials, and bundles (一件事). Modelled on the
// GB/T 39046-2020 implementation-list fields; the format is documented in docs/catalog-format.md.
//
// A catalog is JSON, loaded and validated at once: every error names the file, the item, the field
// and what is wrong (FormsError with code Catalog). Loaded catalogs are immutable values.
#pragma once

#include "ow/forms/calendar.h"
#include "ow/forms/expression.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ow::forms {

// Chinese text with its English translation (zh is required, en optional: falls back to zh).
struct LocalizedText {
    std::string zh;
    std::string en;
    const std::string& in(std::string_view lang) const {
        return lang == "en" && !en.empty() ? en : zh;
    }
};

// A coded value: the code, the dictionary it belongs to and that dictionary's version (notes
// §2.5: the same field differs between GB/T 39046, 好差评 interfaces and provincial systems).
struct CodedValue {
    std::string code;
    std::string dictionary;
    std::string dictionary_version;
};

struct DictionaryEntry {
    std::string code;
    LocalizedText name;
    // Semantics of some dictionaries' entries (docs/catalog-format.md):
    //   material_necessity: "kind" = required | deferrable (容缺后补, 信用后补) | optional
    //   material_form: "paper" / "electronic" = which carriers are required (neither = either one)
    std::string kind;
    bool paper = false;
    bool electronic = false;
};

struct Dictionary {
    std::string id;      // "item_type"
    std::string version; // "GB/T 39046-2020 A.1"
    LocalizedText title;
    std::vector<DictionaryEntry> entries;
    const DictionaryEntry* find(std::string_view code) const;
};

struct Department {
    std::string code; // local department code
    LocalizedText name;
    std::string uscc;   // 实施主体编码 (GB 32100)
    std::string region; // GB/T 2260
    std::string phone;  // 咨询电话
};

enum class FieldType {
    Text,
    Number,
    Money,
    Date,
    Boolean,
    Choice,
    MultiChoice,
    Phone,
    Email,
    Address, // {"region": "440305", "detail": "…"}
    Region,
    IdNumber,
    Uscc,
    OrgCode,
    LicenseId,
    Table,      // rows of `columns`
    Attachment, // a reference to a stored scan / e-license for `material`
};

const char* to_string(FieldType type);
std::optional<FieldType> parse_field_type(std::string_view text);

struct ChoiceOption {
    std::string code;
    LocalizedText label;
};

// Constraints that items may tighten (see merge rules in docs/catalog-format.md).
struct FieldRules {
    bool required = false;
    std::vector<Expression> required_if;   // required when ANY is true
    std::vector<Expression> visible_if;    // visible when ANY is true; empty = always visible
    std::optional<std::size_t> max_length; // text: in characters
    std::optional<double> min;             // number, money
    std::optional<double> max;             // number, money
    std::optional<int> decimals;           // number
    std::optional<std::string> min_date;   // "YYYY-MM-DD" or "today"
    std::optional<std::string> max_date;   // "YYYY-MM-DD" or "today"
    std::optional<std::vector<std::string>> allowed; // choice codes allowed (subset of options)
    std::optional<std::size_t> min_rows;             // table
    std::optional<std::size_t> max_rows;             // table
};

struct FieldDef {
    std::string key;     // semantic key, e.g. "applicant.id_number"; in a table: the column name
    std::string section; // section id (top-level fields)
    FieldType type = FieldType::Text;
    LocalizedText label;
    LocalizedText help;
    int order = 0;
    std::string dictionary;            // choice options from a dictionary …
    std::vector<ChoiceOption> options; // … or inline (resolved from the dictionary at load)
    std::vector<FieldDef> columns;     // table
    std::string material;              // attachment: the material key it documents
    std::string prefill; // where prefill reads from, e.g. "person.name", "entity.uscc"
    std::map<std::string, LocalizedText> messages; // per-field messages by issue code
    FieldRules rules;
};

struct Section {
    std::string id;
    LocalizedText title;
    int order = 0;
};

struct TimeLimit {
    int amount = 0;
    TimeUnit unit = TimeUnit::WorkingDays;
    std::string note;
};

struct FeeItem {
    std::string name;
    std::string standard; // 收费标准, text
    std::string basis;    // 收费依据
    bool reducible = false;
};

enum class Necessity { Optional, Deferrable, Required }; // ordered: the stricter is larger

struct Material {
    std::string key; // semantic key shared across items: "mat.id_card", "mat.lease_contract"
    LocalizedText name;
    Necessity necessity_kind = Necessity::Required; // resolved from `necessity`
    bool needs_paper = false;                       // resolved from `form`
    bool needs_electronic = false;
    CodedValue form;      // material_form: 纸质 / 电子 / …
    CodedValue necessity; // material_necessity: 必要 / 非必要 / 容缺后补 / …
    CodedValue source; // material_source: 申请人自备 / 政府部门核发 / 电子证照库 …
    int originals = 0;                   // 原件份数
    int copies = 0;                      // 复印件份数
    std::string paper_spec;              // "A4"
    std::string blank_form;              // 空白表格 file name
    std::string sample;                  // 示例样表 file name
    std::string accept_standard;         // 受理标准
    std::string basis;                   // 要求提供材料的依据
    std::vector<Expression> required_if; // 非必要时: needed when ANY is true (empty = always)
    std::vector<std::string> e_license_types; // license type codes that replace it (免提交)
    std::string note;
};

struct ServiceItem {
    std::string code;             // 实施编码 (opaque, ≤ 50)
    std::string basic_code;       // 基本编码
    std::string handle_item_code; // 业务办理项编码 (optional)
    std::string version;          // 事项版本
    LocalizedText name;
    std::string initials; // pinyin initials of the name, lowercase, for search ("gtgshsldj")
    CodedValue item_type; // 事项类型
    std::vector<CodedValue> exercise_levels; // 行使层级
    std::string department;                  // Department::code
    CodedValue body_nature;                  // 实施主体性质
    std::vector<CodedValue> service_targets; // 服务对象
    std::vector<CodedValue> channels;        // 办理形式
    CodedValue case_type;                    // 办件类型: 1 即办件 / 2 承诺件
    TimeLimit legal_limit;                   // 法定办结时限
    TimeLimit promised_limit;                // 承诺办结时限
    int onsite_visits = 0;                   // 到办事现场次数
    std::string legal_basis;                 // 设定依据
    std::string accept_conditions;           // 受理条件
    bool charged = false;
    std::vector<FeeItem> fees;
    CodedValue result_type;          // 结果类型
    std::string result_name;         // 结果名称
    std::string result_license_type; // the e-license type code of the result, if any
    std::vector<FieldDef> fields;    // resolved: library definition + the item's tightening
    std::vector<Material> materials;

    bool is_immediate() const { return case_type.code == "1"; }
    // True when some material may be handed in later (容缺后补).
    bool allows_deficiency_acceptance() const;
};

struct Bundle {
    std::string code;
    LocalizedText name;
    std::string initials;
    std::string description;
    std::vector<std::string> items; // item codes, in the order the form shows them
};

struct SearchHit {
    const ServiceItem* item = nullptr; // one of item / bundle is set
    const Bundle* bundle = nullptr;
    int score = 0;       // higher is better
    std::string matched; // "code", "name", "initials"
};

class Catalog {
public:
    // Loads a catalog file: either a manifest whose sections name other files (relative paths),
    // or one self-contained document. Throws FormsError(Catalog) naming file, item, field, problem.
    static Catalog load(const std::filesystem::path& file);
    // Loads `catalog.json` of a directory.
    static Catalog load_directory(const std::filesystem::path& dir);
    // Parses an in-memory document (sections inline); `source` names it in errors.
    static Catalog from_json(const nlohmann::json& document, std::string_view source);
    // A catalog as published through sync: every file under its path relative to catalog.json
    // ("catalog.json", "fields.json", "items/scjgj.json"); `source` names it in errors.
    static Catalog from_files(const std::map<std::string, nlohmann::json, std::less<>>& files,
                              std::string_view source);

    const std::string& version() const noexcept { return version_; }
    const LocalizedText& name() const noexcept { return name_; }
    const std::vector<ServiceItem>& items() const noexcept { return items_; }
    const std::vector<Bundle>& bundles() const noexcept { return bundles_; }
    const std::vector<Department>& departments() const noexcept { return departments_; }
    const std::vector<Section>& sections() const noexcept { return sections_; }
    const std::map<std::string, Dictionary, std::less<>>& dictionaries() const noexcept {
        return dictionaries_;
    }
    // The field library (every field an item may use), by key.
    const std::map<std::string, FieldDef, std::less<>>& field_library() const noexcept {
        return library_;
    }

    const ServiceItem* find_item(std::string_view code) const;
    const Bundle* find_bundle(std::string_view code) const;
    const Department* find_department(std::string_view code) const;
    const Dictionary* find_dictionary(std::string_view id) const;
    const Section* find_section(std::string_view id) const;
    // The display name of a coded value, "" if unknown.
    std::string label(const CodedValue& value, std::string_view lang = "zh") const;

    // Items and bundles by code, name (substring) and pinyin initials ("gtgsh"), best first.
    std::vector<SearchHit> search(std::string_view query, std::size_t limit = 20) const;

private:
    friend class CatalogLoader;
    std::string version_;
    LocalizedText name_;
    std::map<std::string, Dictionary, std::less<>> dictionaries_;
    std::vector<Department> departments_;
    std::vector<Section> sections_;
    std::map<std::string, FieldDef, std::less<>> library_;
    std::vector<ServiceItem> items_;
    std::vector<Bundle> bundles_;
};

// Where the catalog lives: $OW_CATALOG_DIR if set; else, for a binary run from its build tree,
// <source>/forms/data/catalog; else <install prefix>/share/onewindow/catalog.
std::filesystem::path default_catalog_dir();
// The same rule for the other data folders: "calendar", "regions", "catalog".
std::filesystem::path default_data_dir(std::string_view folder);

} // namespace ow::forms
