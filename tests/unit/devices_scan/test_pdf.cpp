// Scan PDFs checked from outside: qpdf --check, pdfimages -list (the encodings meant), pdftoppm
// renderings against the source (an inverted or misplaced page shows in the mean grey), sizes
// within the budgets, PDF/A-2b parts, and the page operations.
#include "ow/devices/scan_document.h"
#include "page_render.h"
#include "tools.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <leptonica/allheaders.h>

using namespace ow::devices;
using ow::test::PageSpec;

namespace {

ScannedPage scanned(const ProcessedPage& p) {
    ScannedPage s;
    s.encoded = p.encoded;
    s.thumbnail = thumbnail_jpeg(p.image);
    return s;
}

// Mean grey (0..255) the bilevel image should render to: white paper, black ink.
double bilevel_mean(const PageImage& image) {
    l_int32 black = 0;
    pixCountPixels(image.pix(), &black, nullptr);
    return 255.0 * (1.0 - double(black) / (double(image.width()) * image.height()));
}

std::string lines_with(const std::string& text, const std::string& needle) {
    std::string out, line;
    for (char c : text) {
        if (c == '\n') {
            if (line.find(needle) != std::string::npos)
                out += line + "\n";
            line.clear();
        } else {
            line += c;
        }
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pdf)

BOOST_AUTO_TEST_CASE(text_page_is_ccitt_g4_small_and_renders_like_the_source) {
    ow::test::TempDir dir;
    PageSpec spec;
    spec.paragraphs = ow::test::sample_paragraphs(1);
    spec.angle_deg = 1.0;
    auto raw = ow::test::render_page(spec);
    auto out = process(PageImage::from_raw(raw), preset("text"));
    BOOST_REQUIRE(!out.blank);
    BOOST_TEST((out.encoded.encoding == EncodedPage::Encoding::CcittG4));
    auto pdf = write_pdf({scanned(out)}, {});
    const auto file = dir.path / "text.pdf";
    ow::test::write_bytes(file, pdf);
    BOOST_TEST_MESSAGE("text page, 300 dpi A4: " << pdf.size() << " bytes");
    BOOST_TEST(pdf.size() <= 25u * 1024u);

    auto check = ow::test::run_tool("qpdf --check '" + file.string() + "'");
    BOOST_TEST(check.status == 0, check.output);
    auto images = ow::test::run_tool("pdfimages -list '" + file.string() + "'");
    BOOST_TEST(images.output.find("ccitt") != std::string::npos, images.output);
    BOOST_TEST(images.output.find("2480  3508") != std::string::npos, images.output);

    const double rendered = ow::test::rendered_mean(file, 1, 100);
    const double expected = bilevel_mean(out.image);
    // The source on white paper: rescale its paper tone to 255 and compare.
    const double source = ow::test::mean_gray(raw) * 255.0 / (spec.paper * 255.0);
    BOOST_TEST_MESSAGE("mean grey: rendered " << rendered << ", bilevel image " << expected
                                              << ", source " << source);
    BOOST_TEST(std::abs(rendered - expected) < 2.0); // not inverted, not shifted
    BOOST_TEST(std::abs(rendered - source) < 6.0);   // legible: as much ink as the source
}

BOOST_AUTO_TEST_CASE(grey_and_colour_pages_are_jpeg_embedded_as_is) {
    ow::test::TempDir dir;
    PageSpec grey_spec;
    grey_spec.paragraphs = ow::test::sample_paragraphs(2);
    grey_spec.angle_deg = -0.7;
    auto grey_raw = ow::test::render_page(grey_spec);
    auto grey = process(PageImage::from_raw(grey_raw), preset("gray"));
    PageSpec colour_spec = grey_spec;
    colour_spec.color = true;
    colour_spec.dpi = 200;
    auto colour = process(PageImage::from_raw(ow::test::render_page(colour_spec)), preset("color"));
    BOOST_TEST((grey.encoded.encoding == EncodedPage::Encoding::Jpeg));
    BOOST_TEST(grey.encoded.components == 1);
    BOOST_TEST(colour.encoded.components == 3);

    auto pdf = write_pdf({scanned(grey), scanned(colour)}, {});
    const auto file = dir.path / "grey.pdf";
    ow::test::write_bytes(file, pdf);
    BOOST_TEST(ow::test::run_tool("qpdf --check '" + file.string() + "'").status == 0);
    auto images = ow::test::run_tool("pdfimages -list '" + file.string() + "'");
    BOOST_TEST_MESSAGE(images.output);
    BOOST_TEST(lines_with(images.output, "jpeg").find("gray") != std::string::npos);
    BOOST_TEST(lines_with(images.output, "jpeg").find("rgb") != std::string::npos);
    BOOST_TEST_MESSAGE("grey page " << grey.encoded.data.size() << " bytes, colour page (200 dpi) "
                                    << colour.encoded.data.size() << " bytes");
    BOOST_TEST(grey.encoded.data.size() <= 220u * 1024u);
    BOOST_TEST(colour.encoded.data.size() <= 220u * 1024u);
    // The JPEG bytes are in the file unchanged (no re-encoding).
    auto at =
        std::search(pdf.begin(), pdf.end(), grey.encoded.data.begin(), grey.encoded.data.end());
    BOOST_TEST((at != pdf.end()));

    const double rendered = ow::test::rendered_mean(file, 1, 100);
    // Auto levels make the paper white: compare with the source's paper rescaled to white.
    const double source = ow::test::mean_gray(grey_raw) * 255.0 / (grey_spec.paper * 255.0);
    BOOST_TEST_MESSAGE("grey mean: rendered " << rendered << ", source " << source);
    BOOST_TEST(std::abs(rendered - source) < 4.0);
}

BOOST_AUTO_TEST_CASE(pdfa_2b_has_xmp_and_an_srgb_output_intent) {
    ow::test::TempDir dir;
    PageSpec spec;
    spec.paragraphs = {"PDF/A-2b 存档"};
    auto out = process(PageImage::from_raw(ow::test::render_page(spec)), preset("text"));
    PdfOptions options;
    options.pdfa = true;
    options.title = "营业执照 扫描件";
    auto pdf = write_pdf({scanned(out)}, options);
    const std::string bytes(pdf.begin(), pdf.end());
    BOOST_TEST(bytes.find("<pdfaid:part>2</pdfaid:part>") != std::string::npos);
    BOOST_TEST(bytes.find("<pdfaid:conformance>B</pdfaid:conformance>") != std::string::npos);
    BOOST_TEST(bytes.find("/GTS_PDFA1") != std::string::npos);
    BOOST_TEST(bytes.find("/OutputIntents") != std::string::npos);
    BOOST_TEST(bytes.find("/ID") != std::string::npos);
    const auto file = dir.path / "pdfa.pdf";
    ow::test::write_bytes(file, pdf);
    BOOST_TEST(ow::test::run_tool("qpdf --check '" + file.string() + "'").status == 0);
    auto meta = ow::test::run_tool("pdfinfo -meta '" + file.string() + "'");
    BOOST_TEST(meta.output.find("营业执照 扫描件") != std::string::npos, meta.output);
    auto info = ow::test::run_tool("pdfinfo '" + file.string() + "'");
    BOOST_TEST(info.output.find("OneWindow") != std::string::npos, info.output);
}

BOOST_AUTO_TEST_CASE(page_operations) {
    auto page = [](const std::string& tag) {
        ScannedPage p;
        p.material_key = tag;
        return p;
    };
    // Manual duplex: fronts 1,2,3 then the turned stack gives backs 3,2,1.
    std::vector<ScannedPage> batch = {page("f1"), page("f2"), page("f3"),
                                      page("b3"), page("b2"), page("b1")};
    page_ops::interleave_in_place(batch, 3);
    std::vector<std::string> order;
    for (const auto& p : batch)
        order.push_back(p.material_key);
    BOOST_TEST((order == std::vector<std::string>{"f1", "b1", "f2", "b2", "f3", "b3"}));
    BOOST_CHECK_THROW(page_ops::interleave_in_place(batch, 4), std::out_of_range);
    BOOST_TEST(batch.size() == 6u); // a refused operation leaves the pages as they were
    BOOST_TEST(batch[5].material_key == "b3");

    page_ops::move(batch, 5, 0);
    BOOST_TEST(batch[0].material_key == "b3");
    page_ops::remove(batch, 0);
    BOOST_TEST(batch.size() == 5u);
    page_ops::reorder(batch, {4, 3, 2, 1, 0});
    BOOST_TEST(batch[0].material_key == "f3");
    BOOST_CHECK_THROW(page_ops::reorder(batch, {0, 0, 1, 2, 3}), std::out_of_range);
    page_ops::rotate(batch, 1, 1);
    page_ops::rotate(batch, 1, -2);
    BOOST_TEST(batch[1].quarter_turns == 3);
    BOOST_CHECK_THROW(page_ops::remove(batch, 9), std::out_of_range);

    page_ops::assign(batch, 0, 1, "license");
    page_ops::assign(batch, 2, 4, "id_card");
    auto split = page_ops::split_by_material(batch);
    BOOST_TEST(split.size() == 2u);
    BOOST_TEST(split["license"].size() == 2u);
    BOOST_TEST(split["id_card"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(rotation_is_a_page_attribute_without_re_encoding) {
    ow::test::TempDir dir;
    PageSpec spec;
    spec.paragraphs = {"横放的页面"};
    spec.width_mm = 100;
    spec.height_mm = 60;
    auto out = process(PageImage::from_raw(ow::test::render_page(spec)), preset("gray"));
    std::vector<ScannedPage> pages = {scanned(out), scanned(out)};
    page_ops::rotate(pages, 1, 1);
    auto pdf = write_pdf(pages, {});
    const auto file = dir.path / "rot.pdf";
    ow::test::write_bytes(file, pdf);
    auto info = ow::test::run_tool("pdfinfo -f 1 -l 2 '" + file.string() + "'");
    auto rotation_of = [&](int page) {
        auto line = lines_with(info.output, "Page    " + std::to_string(page) + " rot:");
        auto colon = line.find("rot:");
        return colon == std::string::npos ? -1 : std::stoi(line.substr(colon + 4));
    };
    BOOST_TEST(rotation_of(1) == 0, info.output);
    BOOST_TEST(rotation_of(2) == 90, info.output);
    BOOST_CHECK_THROW(write_pdf({}, {}), PipelineError);
}

BOOST_AUTO_TEST_SUITE_END()

#include "ow/core/scan_presenter.h"

BOOST_AUTO_TEST_SUITE(presenter)

BOOST_AUTO_TEST_CASE(scan_panel_state_and_page_operations) {
    ow::core::ScanPresenter p({{"mat.id_card", "身份证"}, {"mat.license", "营业执照"}}, "person",
                              "11010519491231002X", "王芳");
    BOOST_TEST(p.presets().size() == 4u);
    auto request = p.begin("test:0", "text", "adf", 300, false);
    BOOST_TEST(p.busy());
    BOOST_TEST(!p.can_scan());
    BOOST_TEST((request.settings.source == ScanSource::Adf));
    BOOST_TEST((request.pipeline.kind == PageKind::Bilevel));
    for (int i = 0; i < 4; ++i) {
        ScannedPage page;
        page.encoded.width = i + 1; // tells the pages apart
        p.on_page(page);
    }
    BOOST_TEST(!p.rotate(0, 1)); // not while scanning
    ow::core::ScanOutcome outcome;
    p.on_finished(outcome);
    BOOST_TEST(!p.busy());
    BOOST_TEST(p.finish_blocker() == "Assign every page to a material.");
    BOOST_TEST(p.interleave()); // fronts 1,2 backs 4,3 → 1,3,2,4
    BOOST_TEST(p.pages()[1].encoded.width == 4);
    BOOST_TEST(p.rotate(1, 1));
    BOOST_TEST(p.move(3, 0));
    BOOST_TEST(p.remove(0));
    BOOST_TEST(!p.remove(7));
    BOOST_TEST(p.assign(0, 1, "mat.id_card"));
    BOOST_TEST(!p.assign(0, 1, "mat.unknown"));
    BOOST_TEST(!p.can_finish());
    BOOST_TEST(p.assign(2, 2, "mat.license"));
    BOOST_TEST(p.can_finish());
    auto attachments = p.attachments("N1", true);
    BOOST_TEST(attachments.size() == 2u);

    // An OCR'd page with another person's number: the warning must be acknowledged.
    ScannedPage read;
    read.ocr = OcrResult{};
    read.ocr->text = "姓名 李娜\n公民身份号码 110105198506154568\n";
    read.material_key = "mat.id_card";
    p.on_page(read);
    BOOST_REQUIRE(p.review().has_value());
    BOOST_TEST(p.review()->needs_acknowledgement());
    BOOST_TEST(!p.can_finish());
    p.acknowledge(true);
    BOOST_TEST(p.can_finish());
    BOOST_TEST(p.attachments("N1", false).front().review_acknowledged);
}

BOOST_AUTO_TEST_SUITE_END()
