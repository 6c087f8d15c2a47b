#include "ow/forms/documents.h"
#include "ow/forms/error.h"

#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unistd.h>

using namespace ow::forms;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& command) {
    std::array<char, 4096> buf{};
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    BOOST_REQUIRE(pipe);
    while (std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) {
        out += buf.data();
    }
    return out;
}

// The rendered files (demo personal data) are removed when the test module ends.
struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ow-forms-docs-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

fs::path temp_dir() {
    static const TempDir dir;
    return dir.path;
}

// pdftotext -layout splits wide table cells; compare without white space.
std::string squeeze(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c != ' ' && c != '\n' && c != '\t' && c != '\f') {
            out += c;
        }
    }
    return out;
}

CaseDocument sample(DocumentKind kind) {
    CaseDocument d;
    d.kind = kind;
    d.case_number = "150100-20261128-W03-000123";
    d.document_number = "呼政服受〔2026〕0123号";
    d.center_name = "呼和浩特市政务服务中心";
    d.organ_name = "呼和浩特市市场监督管理局";
    d.applicant = {"张三", "公民身份号码", "11010519491231002X", "13800138000",
                   "内蒙古自治区呼和浩特市新城区新华大街1号"};
    d.agent = {"李四", "公民身份号码", "440524188001010014", "13900139000", ""};
    d.items = {{"01010100150100", "个体工商户设立登记", "1个工作日", "2026-11-30"},
               {"01010400150100", "食品经营许可", "5个工作日", "2026-12-07"},
               {"01020100150100", "户外招牌设置许可", "5个工作日", "2026-12-07"}};
    d.materials = {
        {"申请书（一表通申请表）", MaterialStatus::Received, 1, 0, "纸质", "", ""},
        {"申请人身份证明", MaterialStatus::ELicense, 0, 0, "电子", "",
         "电子证照 1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"},
        {"经营场所使用证明（产权证明或租赁合同）", MaterialStatus::Received, 1, 1, "纸质", "", ""},
        {"食品安全管理制度", MaterialStatus::Deferred, 1, 0, "纸质", "", "请于2026-12-04前补交"},
        {"招牌设计效果图", MaterialStatus::Missing, 1, 0, "纸质或电子", "标明尺寸、材质、文字内容",
         ""},
        {"设施结构安全证明", MaterialStatus::NotApplicable, 1, 0, "纸质", "", ""}};
    d.received_at = "2026年11月28日10时32分";
    d.issue_date = "2026年11月28日";
    d.clerk_name = "王五";
    d.contact_phone = "0471-12345";
    d.supplement_deadline = "2026年12月4日";
    d.refusal_reasons = {"申请事项依法不需要取得行政许可", "申请人提交的材料存在虚假内容"};
    d.review_organ = "呼和浩特市人民政府";
    d.court = "呼和浩特市新城区人民法院";
    return d;
}

void check_fonts(const fs::path& pdf) {
    const auto fonts = run("pdffonts '" + pdf.string() + "'");
    std::istringstream lines(fonts);
    std::string line;
    int rows = 0;
    bool cjk_sc = false;
    while (std::getline(lines, line)) {
        if (line.rfind("name", 0) == 0 || line.rfind("----", 0) == 0 || line.empty()) {
            continue;
        }
        ++rows;
        // Columns: name type encoding emb sub uni object ID; "emb" must be yes on every row.
        std::istringstream cols(line);
        std::vector<std::string> c;
        std::string w;
        while (cols >> w) {
            c.push_back(w);
        }
        BOOST_REQUIRE(c.size() >= 7u);
        BOOST_TEST(c[c.size() - 5] == "yes", "not embedded: " << line);
        cjk_sc = cjk_sc || line.find("NotoSansCJKsc") != std::string::npos;
        BOOST_TEST(line.find("CJKjp") == std::string::npos, "Japanese face chosen: " << line);
    }
    BOOST_TEST(rows >= 1);
    BOOST_TEST(cjk_sc, fonts);
}

} // namespace

BOOST_AUTO_TEST_SUITE(documents)

BOOST_AUTO_TEST_CASE(receipt) {
    const auto path = temp_dir() / "receipt.pdf";
    render_document_to_file(sample(DocumentKind::Receipt), path);
    BOOST_REQUIRE(fs::exists(path));
    BOOST_TEST(!fs::exists(path.string() + ".tmp"));
    const auto text = squeeze(run("pdftotext -layout '" + path.string() + "' -"));
    for (const char* s :
         {"受理通知书（材料接收凭证）", "呼政服受〔2026〕0123号", "150100-20261128-W03-000123",
          "张三", "11010519491231002X", "个体工商户设立登记", "食品经营许可", "户外招牌设置许可",
          "2026-12-07", "已收取", "电子证照免提交", "容缺后补", "请于2026年12月4日前补交",
          "呼和浩特市市场监督管理局（专用章）", "受理人：王五", "经办人：李四"}) {
        BOOST_TEST(text.find(squeeze(s)) != std::string::npos, "missing: " << s);
    }
    BOOST_TEST(text.find("设施结构安全证明") == std::string::npos); // not applicable: not listed
    check_fonts(path);
    const auto info = run("pdfinfo '" + path.string() + "'");
    BOOST_TEST(info.find("受理通知书") != std::string::npos, info);
}

BOOST_AUTO_TEST_CASE(one_time_notice_lists_every_missing_material) {
    auto doc = sample(DocumentKind::OneTimeNotice);
    for (int i = 0; i < 40; ++i) { // enough rows to need a second page
        doc.materials.push_back({"补充材料第" + std::to_string(i + 1) + "项",
                                 MaterialStatus::Missing, 1, 1, "纸质", "加盖公章", ""});
    }
    const auto path = temp_dir() / "notice.pdf";
    render_document_to_file(doc, path);
    const auto raw = run("pdftotext -layout '" + path.string() + "' -");
    const auto text = squeeze(raw);
    BOOST_TEST(text.find("一次性告知书") != std::string::npos);
    BOOST_TEST(text.find("需补正的材料（共41项）") != std::string::npos, text.substr(0, 2000));
    BOOST_TEST(text.find("招牌设计效果图") != std::string::npos);
    for (int i = 1; i <= 40; ++i) {
        BOOST_TEST(text.find("补充材料第" + std::to_string(i) + "项") != std::string::npos, i);
    }
    BOOST_TEST(text.find("第三十二条第一款第（四）项") != std::string::npos);
    BOOST_TEST(text.find("2026年12月4日前") != std::string::npos);
    BOOST_TEST(text.find("第2页") != std::string::npos); // paginated, case number on each page
    const auto pages = run("pdfinfo '" + path.string() + "' | sed -n 's/^Pages: *//p'");
    BOOST_TEST(std::stoi(pages) >= 2, pages);
    check_fonts(path);
}

BOOST_AUTO_TEST_CASE(refusal_states_reasons_and_rights) {
    const auto path = temp_dir() / "refusal.pdf";
    render_document_to_file(sample(DocumentKind::Refusal), path);
    const auto text = squeeze(run("pdftotext -layout '" + path.string() + "' -"));
    for (const char* s :
         {"不予受理通知书", "申请事项依法不需要取得行政许可", "申请人提交的材料存在虚假内容",
          "六十日内向呼和浩特市人民政府申请行政复议",
          "六个月内依法向呼和浩特市新城区人民法院提起行政诉讼"}) {
        BOOST_TEST(text.find(squeeze(s)) != std::string::npos, "missing: " << s);
    }
    check_fonts(path);
}

BOOST_AUTO_TEST_CASE(renders_to_image_and_qr_decodes) {
    const auto path = temp_dir() / "qr.pdf";
    render_document_to_file(sample(DocumentKind::Receipt), path);
    const auto png = temp_dir() / "qr-page";
    run("pdftoppm -png -r 150 -singlefile '" + path.string() + "' '" + png.string() + "'");
    BOOST_REQUIRE(fs::exists(png.string() + ".png"));
    BOOST_TEST(fs::file_size(png.string() + ".png") > 10000u);
    const auto decoded = run("zbarimg -q --raw '" + png.string() + ".png' 2>/dev/null");
    BOOST_TEST(decoded.find("150100-20261128-W03-000123") != std::string::npos, decoded);
    const auto check = run("qpdf --check '" + path.string() + "' 2>&1");
    BOOST_TEST(check.find("No syntax or stream encoding errors") != std::string::npos, check);
}

BOOST_AUTO_TEST_CASE(preview_is_the_same_layout_as_the_pdf) {
    const auto png = render_document_preview(sample(DocumentKind::Receipt), 150);
    BOOST_REQUIRE(png.size() > 24u);
    BOOST_TEST(png.compare(1, 3, "PNG") == 0);
    auto be32 = [&](std::size_t at) {
        return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
               (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
               (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
               static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
    };
    BOOST_TEST(be32(16) == 1240u); // A4 width at 150 dpi
    BOOST_TEST(be32(20) >= 1754u); // at least one A4 page high
    const auto path = temp_dir() / "preview.png";
    {
        std::ofstream out(path, std::ios::binary);
        out.write(png.data(), static_cast<std::streamsize>(png.size()));
    }
    // The QR code of the case number is drawn by the same code as in the PDF.
    const auto decoded = run("zbarimg -q --raw '" + path.string() + "' 2>/dev/null");
    BOOST_TEST(decoded.find("150100-20261128-W03-000123") != std::string::npos, decoded);
    BOOST_CHECK_THROW(render_document_preview(sample(DocumentKind::Receipt), 0), FormsError);
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_clear_error) {
    auto doc = sample(DocumentKind::Receipt);
    doc.case_number.clear();
    try {
        render_document(doc);
        BOOST_ERROR("rendered");
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "Cannot render the 受理通知书（材料接收凭证）: the case number is missing.");
    }
    auto refusal = sample(DocumentKind::Refusal);
    refusal.refusal_reasons.clear();
    BOOST_CHECK_THROW(render_document(refusal), FormsError);
    auto notice = sample(DocumentKind::OneTimeNotice);
    notice.materials.resize(2); // nothing missing
    BOOST_CHECK_THROW(render_document(notice), FormsError);
    BOOST_CHECK_THROW(
        render_document_to_file(sample(DocumentKind::Receipt), "/nonexistent-dir/x.pdf"),
        FormsError);
    // In memory: a PDF.
    const auto bytes = render_document(sample(DocumentKind::Receipt));
    BOOST_TEST(bytes.rfind("%PDF-", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
