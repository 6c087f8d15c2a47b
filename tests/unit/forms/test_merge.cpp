#include "ow/forms/error.h"
#include "ow/forms/merge.h"
#include "ow/forms/validation.h"

#include <boost/test/unit_test.hpp>

using namespace ow::forms;
using nlohmann::json;

namespace {

const Catalog& demo() {
    static const Catalog c = Catalog::load_directory(OW_SOURCE_DIR "/forms/data/catalog");
    return c;
}

json item(const std::string& code, json fields, json materials) {
    return json{{"code", code},
                {"basic_code", "B" + code},
                {"version", "1"},
                {"name", "事项" + code},
                {"initials", "sx"},
                {"item_type", "01"},
                {"exercise_levels", {"3"}},
                {"department", "d1"},
                {"body_nature", "1"},
                {"service_targets", {"1"}},
                {"channels", {"1"}},
                {"case_type", "2"},
                {"legal_limit", {{"amount", 20}, {"unit", "working_days"}}},
                {"promised_limit", {{"amount", 5}, {"unit", "working_days"}}},
                {"legal_basis", "某法"},
                {"result", {{"type", "10"}}},
                {"fields", fields},
                {"materials", materials}};
}

// Three items over one library, disagreeing on purpose.
Catalog merge_catalog(json extra_items = json::array()) {
    json doc = json::parse(R"({
      "format": "onewindow-catalog/1", "version": "m1", "name": "合并测试",
      "dictionaries": [
        {"id": "item_type", "version": "A.1", "title": "t", "entries": [{"code": "01", "name": "行政许可"}]},
        {"id": "exercise_level", "version": "A.2", "title": "t", "entries": [{"code": "3", "name": "市级"}]},
        {"id": "body_nature", "version": "A.3", "title": "t", "entries": [{"code": "1", "name": "法定机关"}]},
        {"id": "service_target", "version": "A.4", "title": "t", "entries": [{"code": "1", "name": "自然人"}]},
        {"id": "channel", "version": "A.5", "title": "t", "entries": [{"code": "1", "name": "窗口"}]},
        {"id": "case_type", "version": "A.6", "title": "t", "entries": [{"code": "1", "name": "即办件"}, {"code": "2", "name": "承诺件"}]},
        {"id": "result_type", "version": "r", "title": "t", "entries": [{"code": "10", "name": "证照"}]},
        {"id": "material_form", "version": "f", "title": "t", "entries": [
          {"code": "01", "name": "纸质", "paper": true}, {"code": "02", "name": "电子", "electronic": true},
          {"code": "03", "name": "纸质或电子"}, {"code": "04", "name": "纸质和电子", "paper": true, "electronic": true}]},
        {"id": "material_necessity", "version": "n", "title": "t", "entries": [
          {"code": "1", "name": "必要", "kind": "required"}, {"code": "2", "name": "非必要", "kind": "optional"},
          {"code": "3", "name": "容缺后补", "kind": "deferrable"}]},
        {"id": "material_source", "version": "s", "title": "t", "entries": [{"code": "1", "name": "自备"}]}
      ],
      "departments": [{"code": "d1", "name": "局", "uscc": "11100000000013338W", "region": "150100"}],
      "sections": [{"id": "business", "title": "经营", "order": 20}, {"id": "applicant", "title": "申请人", "order": 10}],
      "fields": [
        {"key": "applicant.type", "section": "applicant", "type": "choice", "label": "类型", "order": 1,
         "options": [{"code": "person", "label": "自然人"}, {"code": "entity", "label": "单位"}, {"code": "other", "label": "其他"}]},
        {"key": "applicant.name", "section": "applicant", "type": "text", "label": "名称", "order": 2, "max_length": 200},
        {"key": "business.kind", "section": "business", "type": "choice", "label": "类别", "order": 1,
         "options": [{"code": "restaurant", "label": "餐饮"}, {"code": "retail", "label": "零售"}]},
        {"key": "business.area", "section": "business", "type": "number", "label": "面积", "order": 3},
        {"key": "business.seats", "section": "business", "type": "number", "label": "座位", "order": 4},
        {"key": "business.staff", "section": "business", "type": "table", "label": "人员", "order": 5,
         "columns": [{"key": "name", "type": "text", "label": "姓名"}]},
        {"key": "business.opening", "section": "business", "type": "date", "label": "开业", "order": 2},
        {"key": "business.text_area", "section": "business", "type": "text", "label": "说明", "order": 6}
      ],
      "materials": [
        {"key": "mat.lease", "name": "租赁合同", "form": "01", "necessity": "2", "source": "1", "originals": 1, "copies": 0},
        {"key": "mat.plan", "name": "平面图", "form": "02", "necessity": "3", "source": "1", "copies": 1},
        {"key": "mat.id", "name": "身份证明", "form": "03", "necessity": "1", "source": "1", "copies": 1}
      ],
      "bundles": []
    })");
    json items = json::array();
    items.push_back(item(
        "A",
        json::array({"applicant.type",
                     {{"key", "applicant.name"}, {"max_length", 50}},
                     {{"key", "business.area"}, {"min", 10}, {"max", 500}},
                     {{"key", "business.kind"}, {"allowed", {"restaurant"}}},
                     {{"key", "business.staff"}, {"min_rows", 1}},
                     "business.opening"}),
        json::array({{{"key", "mat.lease"}, {"copies", 2}},
                     "mat.id",
                     {{"key", "mat.plan"}, {"required_if", "business.kind == \"restaurant\""}}})));
    items.push_back(
        item("B",
             json::array({{{"key", "applicant.type"}, {"allowed", {"person", "entity"}}},
                          {{"key", "applicant.name"}, {"required", true}},
                          {{"key", "business.area"}, {"min", 20}, {"max", 1000}},
                          "business.kind",
                          {{"key", "business.seats"},
                           {"visible_if", "business.kind == \"restaurant\""},
                           {"required", true}},
                          {{"key", "business.staff"}, {"max_rows", 5}}}),
             json::array({{{"key", "mat.lease"}, {"necessity", "1"}},
                          {{"key", "mat.plan"}, {"form", "01"}}})));
    items.push_back(
        item("C",
             json::array({"applicant.type",
                          {{"key", "business.seats"}, {"required_if", "business.area > 100"}},
                          "business.text_area",
                          "business.kind",
                          "business.area"}),
             json::array({"mat.id", "mat.plan"})));
    for (const auto& e : extra_items) {
        items.push_back(e);
    }
    doc["items"] = items;
    return Catalog::from_json(doc, "merge.json");
}

} // namespace

BOOST_AUTO_TEST_SUITE(merge)

BOOST_AUTO_TEST_CASE(one_field_per_key_with_needed_by) {
    const auto cat = merge_catalog();
    const auto form = merge_items(cat, {"A", "B", "C", "A"});
    BOOST_TEST((form.items == std::vector<std::string>{"A", "B", "C"}));
    BOOST_TEST(form.fields.size() == 8u);
    BOOST_TEST(
        (form.find_field("applicant.type")->needed_by == std::vector<std::string>{"A", "B", "C"}));
    BOOST_TEST(
        (form.find_field("business.seats")->needed_by == std::vector<std::string>{"B", "C"}));
    BOOST_TEST(
        (form.find_field("business.area")->needed_by == std::vector<std::string>{"A", "B", "C"}));
    BOOST_TEST((form.find_field("business.opening")->needed_by == std::vector<std::string>{"A"}));
    BOOST_TEST(form.catalog_version == "m1");
}

BOOST_AUTO_TEST_CASE(stable_section_and_field_order) {
    const auto cat = merge_catalog();
    for (const auto& order :
         std::vector<std::vector<std::string>>{{"A", "B", "C"}, {"C", "B", "A"}}) {
        const auto form = merge_items(cat, order);
        std::vector<std::string> keys;
        for (const auto& f : form.fields) {
            keys.push_back(f.field.key);
        }
        // Sections by catalog order (applicant 10 before business 20), fields by their order.
        BOOST_TEST(
            (keys == std::vector<std::string>{"applicant.type", "applicant.name", "business.kind",
                                              "business.opening", "business.area", "business.seats",
                                              "business.staff", "business.text_area"}));
        BOOST_TEST(form.sections.size() == 2u);
        BOOST_TEST(form.sections[0].section.id == "applicant");
        BOOST_TEST(form.sections[1].fields.size() == 6u);
    }
}

BOOST_AUTO_TEST_CASE(stricter_rule_wins) {
    const auto form = merge_items(merge_catalog(), {"A", "B", "C"});
    const auto& name = form.find_field("applicant.name")->field.rules;
    BOOST_TEST(name.required);           // B requires it
    BOOST_TEST(*name.max_length == 50u); // A: 50 < library 200
    const auto& area = form.find_field("business.area")->field.rules;
    BOOST_TEST(*area.min == 20.0);  // max of mins
    BOOST_TEST(*area.max == 500.0); // min of maxes
    const auto& kind = form.find_field("business.kind")->field.rules;
    BOOST_TEST((*kind.allowed == std::vector<std::string>{"restaurant"}));
    const auto& type = form.find_field("applicant.type")->field.rules;
    BOOST_TEST((*type.allowed == std::vector<std::string>{"person", "entity"}));
    const auto& staff = form.find_field("business.staff")->field.rules;
    BOOST_TEST(*staff.min_rows == 1u);
    BOOST_TEST(*staff.max_rows == 5u);
}

BOOST_AUTO_TEST_CASE(conditions_combine_per_item) {
    const auto form = merge_items(merge_catalog(), {"A", "B", "C"});
    const auto& seats = *form.find_field("business.seats");
    // C shows it always, so it is always visible; B requires it when a restaurant, C when the
    // area is above 100.
    BOOST_TEST(seats.field.rules.visible_if.empty());
    BOOST_TEST(!seats.field.rules.required);
    BOOST_TEST(seats.field.rules.required_if.size() == 2u);
    BOOST_TEST(is_required(seats, json{{"business.kind", "restaurant"}, {"business.area", 50}}));
    BOOST_TEST(is_required(seats, json{{"business.kind", "retail"}, {"business.area", 150}}));
    BOOST_TEST(!is_required(seats, json{{"business.kind", "retail"}, {"business.area", 50}}));
    // B alone: visible (and then required) only for restaurants.
    const auto only_b = merge_items(merge_catalog(), {"B"});
    const auto& seats_b = *only_b.find_field("business.seats");
    BOOST_TEST(!is_visible(seats_b, json{{"business.kind", "retail"}}));
    BOOST_TEST(!is_required(seats_b, json{{"business.kind", "retail"}}));
    BOOST_TEST(is_required(seats_b, json{{"business.kind", "restaurant"}}));
}

BOOST_AUTO_TEST_CASE(materials_merge) {
    const auto form = merge_items(merge_catalog(), {"A", "B", "C"});
    BOOST_TEST(form.materials.size() == 3u);
    const auto& lease = form.find_material("mat.lease")->material;
    BOOST_TEST((lease.necessity_kind == Necessity::Required)); // B: 必要 over 非必要
    BOOST_TEST(lease.necessity.code == "1");
    BOOST_TEST(lease.copies == 2); // A
    BOOST_TEST(lease.originals == 1);
    const auto& plan = *form.find_material("mat.plan");
    BOOST_TEST((plan.needed_by == std::vector<std::string>{"A", "B", "C"}));
    // A wants it electronic, B on paper: both → 04 纸质和电子.
    BOOST_TEST(plan.material.form.code == "04");
    BOOST_TEST(plan.material.needs_paper);
    BOOST_TEST(plan.material.needs_electronic);
    // A needs it only for restaurants, B and C always: always.
    BOOST_TEST(plan.material.required_if.empty());
    BOOST_TEST((plan.material.necessity_kind == Necessity::Deferrable));
    // One scan serves every item asking for the same material.
    const auto& id = *form.find_material("mat.id");
    BOOST_TEST((id.needed_by == std::vector<std::string>{"A", "C"}));
    // Applicable materials follow required_if: A alone, retail → no plan.
    const auto only_a = merge_items(merge_catalog(), {"A"});
    BOOST_TEST(applicable_materials(only_a, json{{"business.kind", "retail"}}).size() == 2u);
    BOOST_TEST(applicable_materials(only_a, json{{"business.kind", "restaurant"}}).size() == 3u);
}

BOOST_AUTO_TEST_CASE(conflicts_are_errors) {
    // D allows only "retail" for business.kind: no common option with A.
    const auto cat = merge_catalog(json::array(
        {item("D",
              json::array({{{"key", "business.kind"}, {"allowed", {"retail"}}}, "applicant.type"}),
              json::array({"mat.id"})),
         item("E", json::array({{{"key", "business.area"}, {"min", 600}}, "applicant.type"}),
              json::array({"mat.id"}))}));
    try {
        merge_items(cat, {"A", "D"});
        BOOST_ERROR("merged");
    } catch (const FormsError& e) {
        BOOST_TEST((e.code() == FormsErrorCode::Merge));
        const std::string m = e.what();
        BOOST_TEST(m.find("business.kind") != std::string::npos, m);
        BOOST_TEST(m.find("items A and item D") != std::string::npos, m);
        BOOST_TEST(m.find("no common option") != std::string::npos, m);
    }
    try {
        merge_items(cat, {"A", "E"});
        BOOST_ERROR("merged");
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()).find("at least 600 and at most 500") != std::string::npos,
                   e.what());
    }
    BOOST_CHECK_THROW(merge_items(cat, {"A", "NOPE"}), FormsError);
    BOOST_CHECK_THROW(merge_items(cat, {}), FormsError);
    BOOST_CHECK_THROW(merge_bundle(cat, "NOPE"), FormsError);
}

BOOST_AUTO_TEST_CASE(demo_bundles_merge) {
    const auto& cat = demo();
    for (const auto& b : cat.bundles()) {
        const auto form = merge_bundle(cat, b.code);
        BOOST_TEST(form.items == b.items);
        std::size_t sum = 0;
        for (const auto& code : b.items) {
            sum += cat.find_item(code)->fields.size();
        }
        BOOST_TEST(form.fields.size() < sum, b.code); // shared keys appear once
    }
    const auto form = merge_bundle(cat, "OW-YJS-0001"); // 开办餐饮店
    const auto* name = form.find_field("applicant.name");
    BOOST_TEST(name->needed_by.size() == 3u);
    BOOST_TEST((*form.find_field("applicant.type")->field.rules.allowed ==
                std::vector<std::string>{"person"}));
    const auto* id = form.find_material("mat.id_card");
    BOOST_REQUIRE(id != nullptr);
    BOOST_TEST(id->needed_by.size() == 3u);
    BOOST_TEST(!id->material.e_license_types.empty());
    // The immediate-visibility of a restaurant's seats comes from the food license.
    BOOST_TEST(form.find_field("business.seats")->field.rules.visible_if.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
