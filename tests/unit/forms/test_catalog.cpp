#include "ow/forms/catalog.h"
#include "ow/forms/error.h"
#include "ow/forms/identifiers.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <set>

using namespace ow::forms;
using nlohmann::json;

namespace {

const Catalog& demo() {
    static const Catalog c = Catalog::load_directory(OW_SOURCE_DIR "/forms/data/catalog");
    return c;
}

// A minimal valid inline catalog; tests break one thing at a time.
json minimal() {
    return json::parse(R"({
      "format": "onewindow-catalog/1", "version": "t1", "name": "测试目录",
      "dictionaries": [
        {"id": "item_type", "version": "A.1", "title": "事项类型", "entries": [
          {"code": "01", "name": "行政许可"}, {"code": "20", "name": "公共服务"}]},
        {"id": "exercise_level", "version": "A.2", "title": "行使层级", "entries": [{"code": "3", "name": "市级"}]},
        {"id": "body_nature", "version": "A.3", "title": "性质", "entries": [{"code": "1", "name": "法定机关"}]},
        {"id": "service_target", "version": "A.4", "title": "对象", "entries": [{"code": "1", "name": "自然人"}]},
        {"id": "channel", "version": "A.5", "title": "形式", "entries": [{"code": "1", "name": "窗口办理"}]},
        {"id": "case_type", "version": "A.6", "title": "办件类型", "entries": [
          {"code": "1", "name": "即办件"}, {"code": "2", "name": "承诺件"}]},
        {"id": "result_type", "version": "r", "title": "结果", "entries": [{"code": "10", "name": "证照"}]},
        {"id": "material_form", "version": "f", "title": "形式", "entries": [
          {"code": "01", "name": "纸质", "paper": true}, {"code": "02", "name": "电子", "electronic": true},
          {"code": "03", "name": "纸质或电子"}, {"code": "04", "name": "纸质和电子", "paper": true, "electronic": true}]},
        {"id": "material_necessity", "version": "n", "title": "必要性", "entries": [
          {"code": "1", "name": "必要", "kind": "required"}, {"code": "2", "name": "非必要", "kind": "optional"},
          {"code": "3", "name": "容缺后补", "kind": "deferrable"}]},
        {"id": "material_source", "version": "s", "title": "来源", "entries": [{"code": "1", "name": "申请人自备"}]}
      ],
      "departments": [{"code": "d1", "name": "测试局", "uscc": "11100000000013338W", "region": "150100"}],
      "sections": [{"id": "applicant", "title": "申请人", "order": 1}, {"id": "business", "title": "经营", "order": 2}],
      "fields": [
        {"key": "applicant.type", "section": "applicant", "type": "choice", "label": "类型",
         "options": [{"code": "person", "label": "自然人"}, {"code": "entity", "label": "单位"}]},
        {"key": "applicant.name", "section": "applicant", "type": "text", "label": "名称", "max_length": 100},
        {"key": "business.area", "section": "business", "type": "number", "label": "面积", "min": 1}
      ],
      "materials": [{"key": "mat.id", "name": "身份证明", "form": "03", "necessity": "1", "source": "1"}],
      "items": [{
        "code": "T-1", "basic_code": "B1", "version": "1", "name": "测试事项", "initials": "csx",
        "item_type": "01", "exercise_levels": ["3"], "department": "d1", "body_nature": "1",
        "service_targets": ["1"], "channels": ["1"], "case_type": "2",
        "legal_limit": {"amount": 20, "unit": "working_days"},
        "promised_limit": {"amount": 5, "unit": "working_days"},
        "legal_basis": "某法", "result": {"type": "10"},
        "fields": ["applicant.type", {"key": "applicant.name", "required": true}, "business.area"],
        "materials": ["mat.id"]
      }],
      "bundles": []
    })");
}

void expect_catalog_error(const json& doc, const std::vector<std::string>& fragments) {
    try {
        Catalog::from_json(doc, "test.json");
        BOOST_ERROR("catalog accepted");
    } catch (const FormsError& e) {
        BOOST_TEST((e.code() == FormsErrorCode::Catalog));
        for (const auto& f : fragments) {
            BOOST_TEST(std::string(e.what()).find(f) != std::string::npos,
                       "'" << f << "' not in: " << e.what());
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(catalog)

BOOST_AUTO_TEST_CASE(demo_catalog_counts) {
    const auto& c = demo();
    BOOST_TEST(c.items().size() >= 40u);
    std::set<std::string> departments;
    std::set<std::string> types;
    for (const auto& item : c.items()) {
        departments.insert(item.department);
        types.insert(item.item_type.code);
        BOOST_TEST(item.fields.size() >= 10u, item.code);
        BOOST_TEST(item.fields.size() <= 60u, item.code);
        BOOST_TEST(item.materials.size() >= 3u, item.code);
        BOOST_TEST(item.materials.size() <= 12u, item.code);
        BOOST_TEST(!item.initials.empty());
        BOOST_TEST(item.item_type.dictionary == "item_type");
        BOOST_TEST(item.item_type.dictionary_version == "GB/T 39046-2020 A.1");
    }
    BOOST_TEST(departments.size() >= 8u);
    // The ten administrative-power kinds (01-10) and public services (20).
    for (const char* t : {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}) {
        BOOST_TEST(types.count(t) == 1u, "item type " << t);
    }
    BOOST_TEST(c.bundles().size() >= 3u);
    for (const auto& d : c.departments()) {
        BOOST_TEST((check_uscc(d.uscc).status == CheckStatus::Valid), d.uscc);
    }
    BOOST_TEST(c.version() == "2026.11-demo.1");
}

BOOST_AUTO_TEST_CASE(demo_catalog_content) {
    const auto& c = demo();
    const auto* item = c.find_item("01010400150100");
    BOOST_REQUIRE(item != nullptr);
    BOOST_TEST(item->name.zh == "食品经营许可");
    BOOST_TEST(c.label(item->item_type) == "行政许可");
    BOOST_TEST(c.label(item->item_type, "en") == "Administrative licensing");
    BOOST_TEST(item->promised_limit.amount == 5);
    BOOST_TEST((item->legal_limit.unit == TimeUnit::WorkingDays));
    BOOST_TEST(item->allows_deficiency_acceptance()); // 食品安全管理制度 容缺后补
    BOOST_TEST(c.find_department(item->department)->name.zh == "呼和浩特市市场监督管理局");
    // An immediate item (即办件) has a promised limit of 0.
    const auto* marriage = c.find_item("07060100150100");
    BOOST_REQUIRE(marriage != nullptr);
    BOOST_TEST(marriage->is_immediate());
    // Library rules reach the item; the item's tightening too.
    const auto& fields = item->fields;
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [](const FieldDef& f) { return f.key == "business.seats"; });
    BOOST_REQUIRE(it != fields.end());
    BOOST_TEST(it->rules.visible_if.size() == 1u);
    BOOST_TEST(c.field_library().count("applicant.id_number") == 1u);
    BOOST_TEST(c.field_library().at("applicant.id_number").prefill == "person.id_number");
}

BOOST_AUTO_TEST_CASE(search_by_name_code_and_initials) {
    const auto& c = demo();
    auto first_item = [&](const std::string& q) -> std::string {
        const auto hits = c.search(q);
        if (hits.empty()) {
            return "";
        }
        return hits.front().item ? hits.front().item->name.zh : hits.front().bundle->name.zh;
    };
    BOOST_TEST(first_item("gtgsh") == "个体工商户设立登记");
    BOOST_TEST(first_item("GTGSH") == "个体工商户设立登记");
    BOOST_TEST(first_item("ｇｔｇｓｈ") == "个体工商户设立登记");
    BOOST_TEST(first_item("食品经营") == "食品经营许可");
    BOOST_TEST(first_item("01010400150100") == "食品经营许可");
    BOOST_TEST(first_item("spjyxk") == "食品经营许可");
    BOOST_TEST(first_item("kbcyd") == "开办餐饮店一件事"); // bundles too
    BOOST_TEST(first_item("marriage") == "内地居民结婚登记");
    // Substring of initials: "xfaqjc" (消防安全检查) inside a long name.
    BOOST_TEST(first_item("xfaqjc") == "公众聚集场所投入使用、营业前消防安全检查");
    BOOST_TEST(c.search("").empty());
    BOOST_TEST(c.search("zzzzqqq").empty());
    BOOST_TEST(c.search("登记", 3).size() == 3u);
    const auto hits = c.search("gtgsh");
    BOOST_TEST(hits.front().matched == "initials");
}

BOOST_AUTO_TEST_CASE(minimal_inline_catalog_loads) {
    const auto c = Catalog::from_json(minimal(), "test.json");
    BOOST_TEST(c.items().size() == 1u);
    BOOST_TEST(c.items()[0].fields[1].rules.required);
    BOOST_TEST(!c.field_library().at("applicant.name").rules.required);
}

BOOST_AUTO_TEST_CASE(load_errors_name_item_field_and_problem) {
    {
        auto d = minimal();
        d["format"] = "other";
        expect_catalog_error(d, {"test.json", "format"});
    }
    {
        auto d = minimal();
        d["items"][0]["item_type"] = "99";
        expect_catalog_error(
            d, {"item T-1 (测试事项)", "\"item_type\" is \"99\"", "not in dictionary item_type"});
    }
    {
        auto d = minimal();
        d["items"][0]["fields"].push_back("business.missing");
        expect_catalog_error(
            d, {"item T-1", "field business.missing", "not defined in the field library"});
    }
    {
        auto d = minimal();
        d["items"][0]["fields"][1] = {{"key", "applicant.name"}, {"max_length", "long"}};
        expect_catalog_error(d, {"item T-1", "field applicant.name", "max_length"});
    }
    {
        auto d = minimal();
        d["items"][0]["fields"][2] = {{"key", "business.area"},
                                      {"required_if", "applicant.typo == \"x\""}};
        expect_catalog_error(d, {"field business.area", "unknown field 'applicant.typo'"});
    }
    {
        auto d = minimal();
        d["items"][0]["fields"][2] = {{"key", "business.area"}, {"visible_if", "((("}};
        expect_catalog_error(d, {"field business.area", "Expression"});
    }
    {
        auto d = minimal();
        d["items"][0]["colour"] = "red";
        expect_catalog_error(d, {"item T-1", "unknown property \"colour\""});
    }
    {
        auto d = minimal();
        d["items"][0]["case_type"] = "1";
        expect_catalog_error(d, {"item T-1", "即办件"});
    }
    {
        auto d = minimal();
        d["items"][0]["promised_limit"]["amount"] = 30;
        expect_catalog_error(d, {"item T-1", "exceeds the legal limit"});
    }
    {
        auto d = minimal();
        d["items"][0]["legal_limit"]["unit"] = "fortnights";
        expect_catalog_error(d, {"item T-1", "legal_limit.unit"});
    }
    {
        auto d = minimal();
        d["items"][0]["materials"] = {"mat.none"};
        expect_catalog_error(d, {"item T-1", "material mat.none"});
    }
    {
        auto d = minimal();
        d["items"][0]["materials"] = {{{"key", "mat.id"}, {"necessity", "7"}}};
        expect_catalog_error(d, {"item T-1", "material mat.id", "material_necessity"});
    }
    {
        auto d = minimal();
        d["departments"][0]["uscc"] = "11100000000013338";
        expect_catalog_error(d, {"department d1", "uscc"});
    }
    {
        auto d = minimal();
        d["fields"][2]["type"] = "slider";
        expect_catalog_error(d, {"field business.area", "\"type\" \"slider\" is unknown"});
    }
    {
        auto d = minimal();
        d["fields"][2]["min"] = 10;
        d["fields"][2]["max"] = 5;
        expect_catalog_error(d, {"field business.area", "\"min\" is greater than \"max\""});
    }
    {
        auto d = minimal();
        d["fields"][1]["key"] = "Applicant Name";
        expect_catalog_error(d, {"field Applicant Name", "semantic key"});
    }
    {
        auto d = minimal();
        d["bundles"] = json::array(
            {{{"code", "B"}, {"name", "包"}, {"initials", "b"}, {"items", {"T-1", "T-9"}}}});
        expect_catalog_error(d, {"bundle B (包)", "\"T-9\""});
    }
    {
        auto d = minimal();
        d["items"].push_back(d["items"][0]);
        expect_catalog_error(d, {"item T-1", "used twice"});
    }
    {
        auto d = minimal();
        d["dictionaries"][0]["entries"].push_back({{"code", "01"}, {"name", "重复"}});
        expect_catalog_error(d, {"dictionary item_type", "\"01\" appears twice"});
    }
    {
        auto d = minimal();
        d["fields"].push_back({{"key", "business.staff"},
                               {"section", "business"},
                               {"type", "table"},
                               {"label", "人员"},
                               {"columns",
                                {{{"key", "name"},
                                  {"type", "text"},
                                  {"label", "姓名"},
                                  {"required_if", "business.area > 1"}}}}});
        expect_catalog_error(d, {"field business.staff: column name", "table columns cannot have"});
    }
    {
        auto d = minimal();
        d["items"] = "items.json"; // a file reference without a file to resolve against
        expect_catalog_error(d, {"refers to a file"});
    }
}

BOOST_AUTO_TEST_CASE(file_errors) {
    BOOST_CHECK_THROW(Catalog::load(OW_SOURCE_DIR "/no/such/catalog.json"), FormsError);
    BOOST_CHECK_THROW(Catalog::load(OW_SOURCE_DIR "/forms/data/regions/gb2260.csv"), FormsError);
}

BOOST_AUTO_TEST_CASE(default_catalog_dir_lookup) {
    ::setenv("OW_CATALOG_DIR", "/tmp/ow-catalog-test", 1);
    BOOST_TEST(default_catalog_dir().string() == "/tmp/ow-catalog-test");
    ::unsetenv("OW_CATALOG_DIR");
    // The test binary runs from the build tree: the source tree's catalog.
    BOOST_TEST(default_catalog_dir().string() == OW_SOURCE_DIR "/forms/data/catalog");
    BOOST_TEST(default_data_dir("calendar").string() == OW_SOURCE_DIR "/forms/data/calendar");
}

BOOST_AUTO_TEST_SUITE_END()
