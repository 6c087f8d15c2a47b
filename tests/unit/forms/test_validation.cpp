#include "ow/forms/error.h"
#include "ow/forms/validation.h"

#include <boost/test/unit_test.hpp>

using namespace ow::forms;
using nlohmann::json;

namespace {

const Catalog& demo() {
    static const Catalog c = Catalog::load_directory(OW_SOURCE_DIR "/forms/data/catalog");
    return c;
}

const MergedForm& restaurant() {
    static const MergedForm f = merge_bundle(demo(), "OW-YJS-0001");
    return f;
}

ValidationOptions at_2026_11_28() {
    ValidationOptions o;
    o.today = parse_date("2026-11-28");
    return o;
}

// A complete, valid application for the restaurant bundle.
json valid_values() {
    return json::parse(R"({
      "applicant.type": "person",
      "applicant.name": "张三",
      "applicant.id_number": "11010519491231002X",
      "applicant.gender": "1",
      "applicant.birth_date": "1949-12-31",
      "applicant.phone": "13800138000",
      "applicant.address": {"region": "150102", "detail": "新华大街1号"},
      "agent.present": false,
      "business.name": "老张家常菜馆",
      "business.form": "personal",
      "business.kind": "restaurant",
      "business.scope": "餐饮服务",
      "business.address": {"region": "150102", "detail": "中山西路8号一层"},
      "business.area": 85.5,
      "business.seats": 40,
      "business.premises_ownership": "lease",
      "business.lease_end": "2029-12-31",
      "business.food_categories": ["hot", "cold"],
      "business.food_safety_manager": "李四",
      "business.food_safety_manager_id": "440524188001010014",
      "sign.kind": "signboard",
      "sign.text": "老张家常菜",
      "sign.location": {"region": "150102", "detail": "中山西路8号"},
      "sign.width": 4.5,
      "sign.height": 1.2,
      "sign.material": "acrylic",
      "sign.duration_months": 36,
      "sign.photos": "blob:3f9a",
      "delivery.method": "window",
      "declaration.commitment": "agree"
    })");
}

const FieldIssue* find(const ValidationResult& r, const std::string& key, const std::string& code) {
    for (const auto& i : r.issues) {
        if (i.key == key && i.code == code) {
            return &i;
        }
    }
    return nullptr;
}

std::string dump(const ValidationResult& r) {
    std::string s;
    for (const auto& i : r.issues) {
        s += i.key + " " + i.code + ": " + i.message_en + "\n";
    }
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(valid_form_passes) {
    const auto r = validate_form(restaurant(), valid_values(), at_2026_11_28());
    BOOST_TEST(r.ok(), dump(r));
    BOOST_TEST(r.issues.empty(), dump(r));
}

BOOST_AUTO_TEST_CASE(required_fields_listed_all_at_once) {
    const auto r = validate_form(restaurant(), json::object(), at_2026_11_28());
    BOOST_TEST(!r.ok());
    for (const char* key :
         {"applicant.type", "applicant.name", "applicant.phone", "business.name", "business.kind",
          "sign.text", "delivery.method", "declaration.commitment"}) {
        const auto* i = find(r, key, "required");
        BOOST_TEST(i != nullptr, key);
    }
    const auto* name = find(r, "applicant.name", "required");
    BOOST_TEST(name->message_zh == "申请人名称（姓名）为必填项。");
    BOOST_TEST(name->message_en == "Applicant name is required.");
    // Hidden fields are not required: no applicant.type → the ID number is not visible.
    BOOST_TEST(find(r, "applicant.id_number", "required") == nullptr);
}

BOOST_AUTO_TEST_CASE(normalisation) {
    auto v = valid_values();
    v["applicant.id_number"] = " １１０１０５１９４９１２３１００２ｘ ";
    v["applicant.phone"] = "+86 138 0013 8000";
    v["business.area"] = "1,085.50";
    v["business.seats"] = "４０";
    v["applicant.name"] = "\u3000张三 ";
    v["business.lease_end"] = "20291231";
    v["sign.illuminated"] = "是";
    v["business.kind"] = "餐饮服务"; // the label instead of the code
    const auto r = validate_form(restaurant(), v, at_2026_11_28());
    BOOST_TEST(r.ok(), dump(r));
    BOOST_TEST(r.values["applicant.id_number"] == "11010519491231002X");
    BOOST_TEST(r.values["applicant.phone"] == "13800138000");
    BOOST_TEST(r.values["business.area"] == 1085.5);
    BOOST_TEST(r.values["business.seats"] == 40);
    BOOST_TEST(r.values["applicant.name"] == "张三");
    BOOST_TEST(r.values["business.lease_end"] == "2029-12-31");
    BOOST_TEST(r.values["sign.illuminated"] == true);
    BOOST_TEST(r.values["business.kind"] == "restaurant");
}

BOOST_AUTO_TEST_CASE(identifier_errors_and_warnings) {
    auto v = valid_values();
    v["applicant.id_number"] = "340524198001010013";
    v["business.food_safety_manager_id"] = "110105491231002";
    v["sign.installer_uscc"] = "91350100M0001TGQXM"; // real pilot code: warning only
    v["applicant.address"]["region"] = "440524";     // abolished county: warning
    const auto r = validate_form(restaurant(), v, at_2026_11_28());
    BOOST_TEST(r.error_count() == 2u, dump(r));
    BOOST_TEST(r.warning_count() == 2u, dump(r));
    const auto* id = find(r, "applicant.id_number", "id.check-char");
    BOOST_REQUIRE(id != nullptr);
    BOOST_TEST((id->severity == Severity::Error));
    // The field's own message overrides the default one.
    BOOST_TEST(id->message_zh == "身份证号码校验位错误，请核对身份证原件。");
    const auto* legacy = find(r, "business.food_safety_manager_id", "id.legacy-15");
    BOOST_REQUIRE(legacy != nullptr);
    BOOST_TEST(legacy->message_zh.find("11010519491231002X") != std::string::npos);
    BOOST_TEST(legacy->message_en.find("18-digit form is 11010519491231002X") != std::string::npos);
    const auto* uscc = find(r, "sign.installer_uscc", "uscc.check-char");
    BOOST_REQUIRE(uscc != nullptr);
    BOOST_TEST((uscc->severity == Severity::Warning));
    BOOST_TEST(find(r, "applicant.address.region", "region.unknown") != nullptr);
}

BOOST_AUTO_TEST_CASE(type_and_range_errors) {
    auto v = valid_values();
    v["business.area"] = 0.5;                  // min 1
    v["business.seats"] = 12.5;                // decimals 0
    v["sign.width"] = 80;                      // max 50
    v["sign.duration_months"] = "many";        // not a number
    v["applicant.phone"] = "1380013800";       // 10 digits: neither mobile nor landline
    v["applicant.email"] = "zhang@@example";   // invalid
    v["business.lease_end"] = "2026-02-30";    // no such date
    v["business.opening_date"] = "2026-11-01"; // before today
    v["business.food_categories"] = {"hot", "hot", "caviar"};
    v["business.kind"] = "retail";               // not allowed? seats become hidden then
    v["applicant.name"] = std::string(101, 'x'); // max 100
    v["agent.present"] = "maybe";                // not a boolean
    v["declaration.commitment"] = "disagree";
    const auto r = validate_form(restaurant(), v, at_2026_11_28());
    BOOST_TEST(find(r, "business.area", "below_min") != nullptr, dump(r));
    BOOST_TEST(find(r, "sign.width", "above_max") != nullptr);
    BOOST_TEST(find(r, "sign.duration_months", "not_a_number") != nullptr);
    BOOST_TEST(find(r, "applicant.phone", "invalid_phone") != nullptr);
    BOOST_TEST(find(r, "applicant.email", "invalid_email") != nullptr);
    BOOST_TEST(find(r, "business.lease_end", "not_a_date") != nullptr);
    const auto* early = find(r, "business.opening_date", "date_too_early");
    BOOST_REQUIRE(early != nullptr);
    BOOST_TEST(early->message_en == "Planned opening date must not be before 2026-11-28.");
    BOOST_TEST(find(r, "business.food_categories", "duplicate_option") != nullptr);
    BOOST_TEST(find(r, "business.food_categories", "not_an_option") != nullptr);
    BOOST_TEST(find(r, "applicant.name", "too_long") != nullptr);
    BOOST_TEST(find(r, "agent.present", "wrong_type") != nullptr);
    // A wrongly typed agent.present counts as empty for conditions: agent fields stay hidden.
    BOOST_TEST(find(r, "agent.name", "required") == nullptr);
    BOOST_TEST(find(r, "declaration.commitment", "not_an_option") != nullptr);
    // Seats are hidden for a retail business: not validated although 12.5 is wrong.
    BOOST_TEST(find(r, "business.seats", "too_many_decimals") == nullptr);
    v["business.kind"] = "restaurant";
    const auto r2 = validate_form(restaurant(), v, at_2026_11_28());
    BOOST_TEST(find(r2, "business.seats", "too_many_decimals") != nullptr);
}

BOOST_AUTO_TEST_CASE(allowed_options_from_merge) {
    auto v = valid_values();
    v["applicant.type"] = "entity"; // the bundle allows persons only (个体工商户)
    v["applicant.uscc"] = "914403001922038216";
    const auto r = validate_form(restaurant(), v, at_2026_11_28());
    const auto* i = find(r, "applicant.type", "option_not_allowed");
    BOOST_REQUIRE(i != nullptr);
    BOOST_TEST(i->message_zh == "所选事项不允许申请人类型为“entity”。");
}

BOOST_AUTO_TEST_CASE(conditional_requirements) {
    auto v = valid_values();
    v["agent.present"] = true;
    v.erase("business.lease_end");
    v["delivery.method"] = "mail";
    const auto r = validate_form(restaurant(), v, at_2026_11_28());
    for (const char* key : {"agent.name", "agent.id_number", "agent.phone", "business.lease_end",
                            "delivery.recipient", "delivery.phone", "delivery.address"}) {
        BOOST_TEST(find(r, key, "required") != nullptr, key);
    }
    v["business.premises_ownership"] = "own";
    v["agent.present"] = false;
    v["delivery.method"] = "window";
    BOOST_TEST(validate_form(restaurant(), v, at_2026_11_28()).ok());
}

BOOST_AUTO_TEST_CASE(tables_and_addresses) {
    const auto form = merge_items(demo(), {"01010200150100"}); // 有限责任公司设立登记
    json v = json::object();
    v["entity.shareholders"] =
        json::array({{{"name", "王五"},
                      {"cert_number", "11010519491231002X"},
                      {"subscribed", "10"},
                      {"method", "cash"},
                      {"due_date", "2030-12-31"}},
                     {{"name", ""}, {"cert_number", "x"}, {"subscribed", "-1"}, {"method", "gold"}},
                     "not a row"});
    v["entity.directors"] = json::array(
        {{{"name", "赵六"}, {"position", "执行董事"}, {"id_number", "11010519491231002Y"}}});
    v["entity.address"] = {{"region", "150102"}};
    const auto r = validate_form(form, v, at_2026_11_28());
    BOOST_TEST(r.values["entity.shareholders"][0]["subscribed"] == "10.00");
    BOOST_TEST(find(r, "entity.shareholders[2].name", "required") != nullptr, dump(r));
    BOOST_TEST(find(r, "entity.shareholders[2].subscribed", "below_min") != nullptr);
    BOOST_TEST(find(r, "entity.shareholders[2].method", "not_an_option") != nullptr);
    BOOST_TEST(find(r, "entity.shareholders[2].due_date", "required") != nullptr);
    BOOST_TEST(find(r, "entity.shareholders[3]", "wrong_type") != nullptr);
    BOOST_TEST(find(r, "entity.shareholders[1].name", "required") == nullptr);
    BOOST_TEST(find(r, "entity.directors[1].id_number", "id.alphabet") != nullptr);
    BOOST_TEST(find(r, "entity.address.detail", "required") != nullptr);
    BOOST_TEST(r.for_key("entity.shareholders").size() >= 5u);
    // A table with too few rows.
    v["entity.shareholders"] = json::array();
    const auto r2 = validate_form(form, v, at_2026_11_28());
    BOOST_TEST(find(r2, "entity.shareholders", "too_few_rows") != nullptr, dump(r2));
}

BOOST_AUTO_TEST_CASE(money_and_unknown_keys) {
    const auto form = merge_items(demo(), {"02010600150100"}); // 延期（分期）缴纳罚款
    json v = {{"penalty.amount", "￥2,000元"},
              {"penalty.request", "instalments"},
              {"penalty.instalments", 13},
              {"penalty.typo", 1}};
    const auto r = validate_form(form, v, at_2026_11_28());
    BOOST_TEST(r.values["penalty.amount"] == "2000.00");
    BOOST_TEST(find(r, "penalty.instalments", "above_max") != nullptr, dump(r));
    const auto* unknown = find(r, "penalty.typo", "unknown_field");
    BOOST_REQUIRE(unknown != nullptr);
    BOOST_TEST((unknown->severity == Severity::Warning));
    BOOST_TEST(find(r, "penalty.defer_until", "required") == nullptr); // hidden for instalments
    json bad = {{"penalty.amount", "12.345"}};
    BOOST_TEST(find(validate_form(form, bad), "penalty.amount", "not_a_money_amount") != nullptr);
    BOOST_CHECK_THROW(validate_form(form, json::array()), FormsError);
}

BOOST_AUTO_TEST_SUITE_END()
