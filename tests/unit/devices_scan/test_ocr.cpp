// OCR pre-review: tesseract (chi_sim+eng) reads an ID number, a USCC and a name off rendered
// copies; a deliberate mismatch with the form is flagged and needs acknowledgement; the invisible
// text layer makes the PDF searchable.
#include "ow/core/scan_service.h"
#include "ow/devices/ocr.h"
#include "ow/devices/scan_document.h"
#include "ow/forms/identifiers.h"
#include "page_render.h"
#include "tools.h"

#include <boost/test/unit_test.hpp>

using namespace ow::devices;
using ow::core::PreReviewFinding;
using ow::test::PageSpec;

namespace {

const std::string& id_number() {
    static const std::string id = [] {
        std::string first17 = "11010519900307123";
        return first17 + ow::forms::id_number_check_char(first17);
    }();
    return id;
}

const std::string& uscc() {
    static const std::string code = [] {
        std::string org = "12345678";
        std::string first17 = "91350100" + org + ow::forms::org_code_check_char(org);
        return first17 + ow::forms::uscc_check_char(first17);
    }();
    return code;
}

struct OcrFixture {
    static OcrEngine& engine() {
        static OcrEngine e("chi_sim+eng");
        return e;
    }
    static const OcrResult& id_card() {
        static const OcrResult r = [] {
            PageSpec spec;
            spec.width_mm = 100;
            spec.height_mm = 60;
            spec.font_pt = 12;
            spec.noise_sd = 3;
            spec.angle_deg = 0.5;
            spec.paragraphs = {"姓名 张伟", "性别 男  民族 汉", "公民身份号码 " + id_number()};
            auto processed =
                process(PageImage::from_raw(ow::test::render_page(spec)), preset("gray"));
            return engine().read(processed.image);
        }();
        return r;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ocr)

BOOST_AUTO_TEST_CASE(reads_an_id_number_and_name_off_an_id_copy) {
    const auto& r = OcrFixture::id_card();
    BOOST_TEST_MESSAGE("OCR: " << r.text);
    auto candidates = identifier_candidates(r.text);
    BOOST_TEST((std::find(candidates.begin(), candidates.end(), id_number()) != candidates.end()),
               r.text);
    BOOST_TEST(!r.words.empty());

    auto review = ow::core::pre_review(r.text, "person", id_number(), "张伟");
    BOOST_REQUIRE(review.findings.size() == 2u);
    BOOST_TEST(ow::core::to_string(review.findings[0].kind) == std::string("match"));
    BOOST_TEST(ow::core::to_string(review.findings[1].kind) == std::string("match"));
    BOOST_TEST(!review.needs_acknowledgement());
}

BOOST_AUTO_TEST_CASE(flags_a_deliberate_mismatch) {
    const auto& r = OcrFixture::id_card();
    // The form has another (valid) number and another name.
    std::string other17 = "11010519850615456";
    std::string other = other17 + ow::forms::id_number_check_char(other17);
    auto review = ow::core::pre_review(r.text, "person", other, "李娜");
    BOOST_TEST(review.needs_acknowledgement());
    BOOST_TEST((review.findings[0].kind == PreReviewFinding::Kind::Mismatch));
    BOOST_TEST(review.findings[0].found == id_number());
    BOOST_TEST((review.findings[1].kind == PreReviewFinding::Kind::Mismatch));
    BOOST_TEST(review.findings[1].found.find("张伟") == 0);
}

BOOST_AUTO_TEST_CASE(reads_a_uscc_off_a_licence_and_writes_a_text_layer) {
    ow::test::TempDir dir;
    PageSpec spec;
    spec.width_mm = 150;
    spec.height_mm = 80;
    spec.font_pt = 12;
    spec.paragraphs = {"营业执照", "统一社会信用代码 " + uscc(), "名称 福州市示例科技有限公司"};
    auto processed = process(PageImage::from_raw(ow::test::render_page(spec)), preset("text"));
    auto r = OcrFixture::engine().read(processed.image);
    BOOST_TEST_MESSAGE("OCR: " << r.text);
    auto review = ow::core::pre_review(r.text, "entity", uscc(), "福州市示例科技有限公司");
    BOOST_TEST((std::find(review.usccs.begin(), review.usccs.end(), uscc()) != review.usccs.end()),
               r.text);
    BOOST_TEST((review.findings[0].kind == PreReviewFinding::Kind::Match));
    // Another entity's form: flagged.
    std::string other17 =
        "91110000" + std::string("87654321") + ow::forms::org_code_check_char("87654321");
    auto mismatch =
        ow::core::pre_review(r.text, "entity", other17 + ow::forms::uscc_check_char(other17), "x");
    BOOST_TEST(mismatch.needs_acknowledgement());

    // The text layer: the PDF is searchable for the code and the Chinese name.
    ScannedPage page;
    page.encoded = processed.encoded;
    page.ocr = r;
    PdfOptions options;
    options.pdfa = true;
    auto pdf = write_pdf({page}, options);
    const auto file = dir.path / "ocr.pdf";
    ow::test::write_bytes(file, pdf);
    BOOST_TEST(ow::test::run_tool("qpdf --check '" + file.string() + "'").status == 0);
    auto text = ow::test::run_tool("pdftotext '" + file.string() + "' -");
    std::string squeezed;
    for (char c : text.output)
        if (c != ' ' && c != '\n')
            squeezed += c;
    BOOST_TEST(squeezed.find(uscc()) != std::string::npos, text.output);
    BOOST_TEST(squeezed.find("营业执照") != std::string::npos, text.output);
    BOOST_TEST(squeezed.find("福州市示例科技有限公司") != std::string::npos, text.output);
    // Invisible: the rendering is the same as without the layer.
    page.ocr.reset();
    const auto plain = dir.path / "plain.pdf";
    ow::test::write_bytes(plain, write_pdf({page}, {}));
    BOOST_TEST(std::abs(ow::test::rendered_mean(file, 1, 72) -
                        ow::test::rendered_mean(plain, 1, 72)) < 0.01);
}

BOOST_AUTO_TEST_CASE(identifier_candidates_undo_digit_confusions) {
    auto c = identifier_candidates("号码 11O1O5199OO3O7123 end");
    BOOST_TEST(
        (std::find(c.begin(), c.end(), "110105199003071230") == c.end())); // 17 chars + nothing
    auto d = identifier_candidates("公民身份号码 " + std::string("11O105 19900307123") +
                                   id_number().substr(17));
    BOOST_TEST((std::find(d.begin(), d.end(), id_number()) != d.end()));
    BOOST_TEST(identifier_candidates("short 12345").empty());
}

BOOST_AUTO_TEST_SUITE_END()
