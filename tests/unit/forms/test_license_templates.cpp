// License layout templates (docs/license-templates.md): the shipped set, template errors with
// their messages, a center's own directory on top, and the renderer's outputs.
#include "ow/forms/error.h"
#include "ow/forms/license_document.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ow::forms;
namespace fs = std::filesystem;

namespace {

const fs::path kShipped = fs::path(OW_SOURCE_DIR) / "forms/data/license-templates";

nlohmann::json shipped(const std::string& id) {
    std::ifstream in(kShipped / (id + ".json"));
    return nlohmann::json::parse(in);
}

std::string parse_error(const nlohmann::json& doc) {
    try {
        LicenseTemplate::parse(doc, "broken");
    } catch (const FormsError& e) {
        BOOST_TEST((e.code() == FormsErrorCode::Catalog));
        return e.what();
    }
    BOOST_FAIL("the template was accepted");
    return {};
}

struct TempDir {
    TempDir() {
        char tmpl[] = "/tmp/ow-license-templates-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path path;
};

} // namespace

BOOST_AUTO_TEST_SUITE(license_templates)

BOOST_AUTO_TEST_CASE(shipped_set_covers_six_types) {
    auto set = LicenseTemplates::load_directory(kShipped);
    BOOST_TEST(set.all().size() >= 6u);
    for (const char* name : {"营业执照", "个体工商户营业执照", "食品经营许可证",
                             "建筑工程施工许可证", "排污许可证", "道路运输经营许可证"}) {
        const auto* t = set.for_type("", name);
        BOOST_TEST_REQUIRE(t != nullptr, name);
        BOOST_TEST(!t->type_codes.empty());
        BOOST_TEST(set.for_type(t->type_codes.front(), "") == t);
    }
    BOOST_TEST(set.for_type("none", "没有的证照") == nullptr);
}

BOOST_AUTO_TEST_CASE(template_errors_name_the_file_and_the_field) {
    auto doc = shipped("business-license");
    auto no_name = doc;
    no_name.erase("type_name");
    BOOST_TEST(parse_error(no_name).find("\"type_name\" is required") != std::string::npos);
    auto bad_box = doc;
    bad_box["fields"][3]["box"] = {1, 2, 3};
    const auto what = parse_error(bad_box);
    BOOST_TEST(what.find("broken") != std::string::npos);
    BOOST_TEST(what.find("fields[3].box") != std::string::npos, what);
    auto bad_op = doc;
    bad_op["artwork"].push_back({{"op", "photo"}});
    BOOST_TEST(parse_error(bad_op).find("unknown op \"photo\"") != std::string::npos);
    auto bad_color = doc;
    bad_color["artwork"][0]["color"] = "red";
    BOOST_TEST(parse_error(bad_color).find("#rrggbb") != std::string::npos);
    auto off_page = doc;
    off_page["seal"] = {280, 200, 60, 40};
    BOOST_TEST(parse_error(off_page).find("on the page") != std::string::npos);
    auto no_format = doc;
    no_format["format"] = 2;
    BOOST_TEST(parse_error(no_format).find("\"format\" must be 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_centers_directory_adds_and_replaces) {
    TempDir dir;
    auto own = shipped("business-license");
    own["fields"][0]["size"] = 14;
    std::ofstream(dir.path / "business-license.json") << own.dump();
    auto extra = shipped("road-transport-permit");
    extra["type_name"] = "巡游出租汽车经营许可证";
    extra["type_codes"] = {"111000000DEM00011E099"};
    std::ofstream(dir.path / "taxi-permit.json") << extra.dump();
    auto set = LicenseTemplates::load_directory(kShipped);
    const auto before = set.all().size();
    set.add_directory(dir.path);
    BOOST_TEST(set.all().size() == before + 1);
    BOOST_TEST(set.by_id("business-license")->fields[0].size == 14.0);
    BOOST_TEST(set.for_type("111000000DEM00011E099", "")->id == "taxi-permit");
    std::ofstream(dir.path / "zz-broken.json") << "{ not json";
    BOOST_CHECK_THROW(set.add_directory(dir.path), FormsError);
    BOOST_CHECK_THROW(LicenseTemplates::load_directory(dir.path / "missing"), FormsError);
}

BOOST_AUTO_TEST_CASE(renders_pdf_bitmap_and_seal_picture) {
    auto set = LicenseTemplates::load_directory(kShipped);
    const auto* t = set.by_id("food-business-permit");
    BOOST_TEST_REQUIRE(t != nullptr);
    LicenseFace face;
    face.license_id = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
    face.fields["经营者名称"] = "示例餐饮有限公司";
    const std::string payload =
        "OWLIC1;id=" + face.license_id + ";face-sha256=" + std::string(64, 'a');
    auto pdf = render_license_pdf(
        *t, face, {"办理延续", "2026-11-28 10:30", "", "张三", "示例中心"}, payload);
    BOOST_TEST(pdf.rfind("%PDF-", 0) == 0u);
    BOOST_TEST(pdf.find("/Keywords (" + payload + ")") != std::string::npos);
    auto bmp = render_license_bitmap(*t, face, {}, payload, 25.4);
    BOOST_TEST(bmp.width == 210);
    BOOST_TEST(bmp.height == 297);
    BOOST_TEST(bmp.rgb.size() == 210u * 297u * 3u);
    double x = 0, y = 0, w = 0, h = 0;
    t->seal_rect_points(x, y, w, h);
    BOOST_TEST(w > 100.0);
    BOOST_TEST(y + h < 842.0);
    auto png = render_round_seal_png("示例市政务服务中心", "证照还原专用章", 200);
    BOOST_TEST(png.size() > 1000u);
    BOOST_TEST(std::string(png.begin() + 1, png.begin() + 4) == "PNG");
}

BOOST_AUTO_TEST_SUITE_END()
