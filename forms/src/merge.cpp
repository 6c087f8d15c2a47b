#include "ow/forms/merge.h"

#include "ow/forms/error.h"

#include <algorithm>
#include <map>

namespace ow::forms {

namespace {

// Merged conditions may combine several items' expressions; allow more text than one item may.
ExpressionLimits merged_limits() {
    ExpressionLimits l;
    l.max_length = 8000;
    l.max_depth = 40;
    return l;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

[[noreturn]] void conflict(const std::string& key, const std::vector<std::string>& earlier,
                           const std::string& item, const std::string& problem) {
    throw FormsError(
        FormsErrorCode::Merge,
        N_("Cannot merge field {field}: items {earlier} and item {item} {problem}."),
        {{"field", key}, {"earlier", join(earlier)}, {"item", item}, {"problem", problem}});
}

std::string fmt_number(double v) {
    auto s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    return s;
}

// Per-item view of a field's conditions: visible when V (empty = always), required when R
// (empty = never; "true" = whenever visible).
struct ItemConditions {
    std::string visible;
    std::string required;
};

ItemConditions conditions_of(const FieldDef& def) {
    ItemConditions c;
    if (!def.rules.visible_if.empty()) {
        c.visible = def.rules.visible_if.front().text();
    }
    if (def.rules.required) {
        c.required = "true";
    } else if (!def.rules.required_if.empty()) {
        c.required = def.rules.required_if.front().text();
    }
    return c;
}

Date resolve(const std::string& d) {
    return d == "today" ? today() : parse_date(d);
}

void merge_rules(FieldDef& into, const FieldDef& other, const std::vector<std::string>& earlier,
                 const std::string& item) {
    if (into.type != other.type) {
        conflict(into.key, earlier, item,
                 std::string("define it as ") + to_string(into.type) + " and " +
                     to_string(other.type));
    }
    auto& a = into.rules;
    const auto& b = other.rules;
    if (b.max_length) {
        a.max_length = a.max_length ? std::min(*a.max_length, *b.max_length) : *b.max_length;
    }
    if (b.min) {
        a.min = a.min ? std::max(*a.min, *b.min) : *b.min;
    }
    if (b.max) {
        a.max = a.max ? std::min(*a.max, *b.max) : *b.max;
    }
    if (a.min && a.max && *a.min > *a.max) {
        conflict(into.key, earlier, item,
                 "together need a value of at least " + fmt_number(*a.min) + " and at most " +
                     fmt_number(*a.max));
    }
    if (b.decimals) {
        a.decimals = a.decimals ? std::min(*a.decimals, *b.decimals) : *b.decimals;
    }
    if (b.min_date) {
        a.min_date =
            !a.min_date || resolve(*b.min_date) > resolve(*a.min_date) ? b.min_date : a.min_date;
    }
    if (b.max_date) {
        a.max_date =
            !a.max_date || resolve(*b.max_date) < resolve(*a.max_date) ? b.max_date : a.max_date;
    }
    if (a.min_date && a.max_date && resolve(*a.min_date) > resolve(*a.max_date)) {
        conflict(into.key, earlier, item, "together allow no date");
    }
    if (b.allowed || a.allowed) {
        auto all = [](const FieldDef& f) {
            std::vector<std::string> codes;
            for (const auto& o : f.options) {
                codes.push_back(o.code);
            }
            return codes;
        };
        const auto left = a.allowed ? *a.allowed : all(into);
        const auto right = b.allowed ? *b.allowed : all(other);
        std::vector<std::string> both;
        for (const auto& c : left) {
            if (std::find(right.begin(), right.end(), c) != right.end()) {
                both.push_back(c);
            }
        }
        if (both.empty()) {
            conflict(into.key, earlier, item, "allow no common option");
        }
        a.allowed = both;
    }
    if (b.min_rows) {
        a.min_rows = a.min_rows ? std::max(*a.min_rows, *b.min_rows) : *b.min_rows;
    }
    if (b.max_rows) {
        a.max_rows = a.max_rows ? std::min(*a.max_rows, *b.max_rows) : *b.max_rows;
    }
    if (a.min_rows && a.max_rows && *a.min_rows > *a.max_rows) {
        conflict(into.key, earlier, item,
                 "together need at least " + std::to_string(*a.min_rows) + " and at most " +
                     std::to_string(*a.max_rows) + " rows");
    }
    // Table columns: merged by column key; conditions of columns are not used.
    for (const auto& col : other.columns) {
        const auto it = std::find_if(into.columns.begin(), into.columns.end(),
                                     [&](const FieldDef& c) { return c.key == col.key; });
        if (it == into.columns.end()) {
            into.columns.push_back(col);
        } else {
            merge_rules(*it, col, earlier, item);
            it->rules.required = it->rules.required || col.rules.required;
        }
    }
    if (into.prefill.empty()) {
        into.prefill = other.prefill;
    }
    for (const auto& [code, msg] : other.messages) {
        into.messages.emplace(code, msg);
    }
}

// Builds the merged visible_if / required / required_if from every item's conditions.
void merge_conditions(FieldDef& field, const std::vector<ItemConditions>& per_item) {
    auto& r = field.rules;
    r.visible_if.clear();
    r.required_if.clear();
    r.required = false;
    const bool always_visible =
        std::any_of(per_item.begin(), per_item.end(),
                    [](const ItemConditions& c) { return c.visible.empty(); });
    if (!always_visible) {
        for (const auto& c : per_item) {
            if (std::none_of(r.visible_if.begin(), r.visible_if.end(),
                             [&](const Expression& e) { return e.text() == c.visible; })) {
                r.visible_if.push_back(Expression::parse(c.visible, nullptr, merged_limits()));
            }
        }
    }
    for (const auto& c : per_item) {
        if (c.required.empty()) {
            continue;
        }
        if (c.required == "true" && c.visible.empty()) {
            r.required = true;
            r.required_if.clear();
            return;
        }
        std::string text;
        if (c.visible.empty()) {
            text = c.required;
        } else if (c.required == "true") {
            text = c.visible;
        } else {
            text = "(" + c.visible + ") and (" + c.required + ")";
        }
        if (std::none_of(r.required_if.begin(), r.required_if.end(),
                         [&](const Expression& e) { return e.text() == text; })) {
            r.required_if.push_back(Expression::parse(text, nullptr, merged_limits()));
        }
    }
}

// The dictionary entry with exactly these carrier flags, or "" if none.
std::string form_code_for(const Catalog& catalog, bool paper, bool electronic) {
    const auto* d = catalog.find_dictionary("material_form");
    if (d == nullptr) {
        return {};
    }
    for (const auto& e : d->entries) {
        if (e.paper == paper && e.electronic == electronic) {
            return e.code;
        }
    }
    return {};
}

void merge_material(const Catalog& catalog, Material& into, const Material& other,
                    bool& into_always, bool other_always) {
    if (other.necessity_kind > into.necessity_kind) {
        into.necessity = other.necessity;
        into.necessity_kind = other.necessity_kind;
    }
    into.originals = std::max(into.originals, other.originals);
    into.copies = std::max(into.copies, other.copies);
    const bool paper = into.needs_paper || other.needs_paper;
    const bool electronic = into.needs_electronic || other.needs_electronic;
    if (paper != into.needs_paper || electronic != into.needs_electronic) {
        const auto code = form_code_for(catalog, paper, electronic);
        if (!code.empty()) {
            into.form.code = code;
        }
        into.needs_paper = paper;
        into.needs_electronic = electronic;
    }
    if (into_always || other_always) {
        into_always = true;
        into.required_if.clear();
    } else {
        for (const auto& e : other.required_if) {
            if (std::none_of(into.required_if.begin(), into.required_if.end(),
                             [&](const Expression& x) { return x.text() == e.text(); })) {
                into.required_if.push_back(e);
            }
        }
    }
    for (const auto& t : other.e_license_types) {
        if (std::find(into.e_license_types.begin(), into.e_license_types.end(), t) ==
            into.e_license_types.end()) {
            into.e_license_types.push_back(t);
        }
    }
}

} // namespace

const MergedField* MergedForm::find_field(std::string_view key) const {
    for (const auto& f : fields) {
        if (f.field.key == key) {
            return &f;
        }
    }
    return nullptr;
}

const MergedMaterial* MergedForm::find_material(std::string_view key) const {
    for (const auto& m : materials) {
        if (m.material.key == key) {
            return &m;
        }
    }
    return nullptr;
}

MergedForm merge_items(const Catalog& catalog, const std::vector<std::string>& item_codes) {
    MergedForm form;
    form.catalog_version = catalog.version();
    std::vector<const ServiceItem*> items;
    for (const auto& code : item_codes) {
        if (std::find(form.items.begin(), form.items.end(), code) != form.items.end()) {
            continue;
        }
        const auto* item = catalog.find_item(code);
        if (item == nullptr) {
            throw FormsError(FormsErrorCode::NotFound,
                             N_("The catalog (version {version}) has no service item {item}."),
                             {{"version", catalog.version()}, {"item", code}});
        }
        form.items.push_back(code);
        items.push_back(item);
    }
    if (items.empty()) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("Select at least one service item to build a form."));
    }
    std::vector<MergedField> fields;
    std::vector<std::vector<ItemConditions>> conditions;
    std::map<std::string, std::size_t> field_index;
    std::vector<MergedMaterial> materials;
    std::vector<bool> material_always;
    std::map<std::string, std::size_t> material_index;
    for (const auto* item : items) {
        for (const auto& def : item->fields) {
            const auto it = field_index.find(def.key);
            if (it == field_index.end()) {
                field_index.emplace(def.key, fields.size());
                fields.push_back(MergedField{def, {item->code}});
                conditions.push_back({conditions_of(def)});
            } else {
                auto& mf = fields[it->second];
                merge_rules(mf.field, def, mf.needed_by, item->code);
                mf.needed_by.push_back(item->code);
                conditions[it->second].push_back(conditions_of(def));
            }
        }
        for (const auto& mat : item->materials) {
            const auto it = material_index.find(mat.key);
            if (it == material_index.end()) {
                material_index.emplace(mat.key, materials.size());
                materials.push_back(MergedMaterial{mat, {item->code}});
                material_always.push_back(mat.required_if.empty());
            } else {
                auto& mm = materials[it->second];
                bool always = material_always[it->second];
                merge_material(catalog, mm.material, mat, always, mat.required_if.empty());
                material_always[it->second] = always;
                mm.needed_by.push_back(item->code);
            }
        }
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
        merge_conditions(fields[i].field, conditions[i]);
    }
    // Display order: catalog section order, then the field's order, then its key.
    std::map<std::string, std::size_t> section_rank;
    for (std::size_t i = 0; i < catalog.sections().size(); ++i) {
        section_rank[catalog.sections()[i].id] = i;
    }
    std::stable_sort(fields.begin(), fields.end(), [&](const MergedField& a, const MergedField& b) {
        const auto ra = section_rank[a.field.section];
        const auto rb = section_rank[b.field.section];
        if (ra != rb) {
            return ra < rb;
        }
        if (a.field.order != b.field.order) {
            return a.field.order < b.field.order;
        }
        return a.field.key < b.field.key;
    });
    form.fields = std::move(fields);
    for (std::size_t i = 0; i < form.fields.size(); ++i) {
        const auto& sid = form.fields[i].field.section;
        if (form.sections.empty() || form.sections.back().section.id != sid) {
            const auto* s = catalog.find_section(sid);
            form.sections.push_back(MergedSection{s ? *s : Section{sid, {sid, sid}, 0}, {}});
        }
        form.sections.back().fields.push_back(i);
    }
    form.materials = std::move(materials);
    return form;
}

MergedForm merge_bundle(const Catalog& catalog, std::string_view bundle_code) {
    const auto* b = catalog.find_bundle(bundle_code);
    if (b == nullptr) {
        throw FormsError(FormsErrorCode::NotFound,
                         N_("The catalog (version {version}) has no bundle {bundle}."),
                         {{"version", catalog.version()}, {"bundle", std::string(bundle_code)}});
    }
    return merge_items(catalog, b->items);
}

const char* to_string(MaterialStatus status) {
    switch (status) {
    case MaterialStatus::Received:
        return "received";
    case MaterialStatus::ELicense:
        return "e-license";
    case MaterialStatus::Missing:
        return "missing";
    case MaterialStatus::Deferred:
        return "deferred";
    case MaterialStatus::NotApplicable:
        return "not-applicable";
    }
    return "missing";
}

std::vector<const MergedMaterial*> applicable_materials(const MergedForm& form,
                                                        const nlohmann::json& values) {
    std::vector<const MergedMaterial*> out;
    for (const auto& m : form.materials) {
        const auto& conds = m.material.required_if;
        const bool applies =
            conds.empty() || std::any_of(conds.begin(), conds.end(), [&](const Expression& e) {
                return e.evaluate_bool(values);
            });
        if (applies) {
            out.push_back(&m);
        }
    }
    return out;
}

} // namespace ow::forms
