// The page pipeline on pages the test renders: skew and noise added, deskewed below 0.2°, blank
// sheets told apart from text, adaptive binarisation, thumbnails.
#include "ow/devices/page_pipeline.h"
#include "page_render.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <leptonica/allheaders.h>

using namespace ow::devices;
using ow::test::PageSpec;

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(deskew_brings_a_skewed_noisy_page_under_0_2_degrees) {
    for (double angle : {1.5, -2.2}) {
        PageSpec spec;
        spec.paragraphs = ow::test::sample_paragraphs(1);
        spec.angle_deg = angle;
        spec.noise_sd = 4;
        auto page = PageImage::from_raw(ow::test::render_page(spec));
        auto before = measure_skew(page);
        BOOST_TEST_MESSAGE("added " << angle << "°, measured " << before.angle_deg
                                    << "° (confidence " << before.confidence << ")");
        BOOST_TEST(std::abs(std::abs(before.angle_deg) - std::abs(angle)) < 0.3);
        BOOST_TEST(before.confidence > 3.0);
        SkewMeasure found;
        auto straight = deskew(page, &found);
        auto after = measure_skew(straight);
        BOOST_TEST_MESSAGE("after deskew: " << after.angle_deg << "°");
        BOOST_TEST(std::abs(after.angle_deg) < 0.2);
        BOOST_TEST(straight.resolution_dpi() == 300);
    }
}

BOOST_AUTO_TEST_CASE(blank_sheets_are_found_and_text_pages_kept) {
    PageSpec blank;
    blank.noise_sd = 6; // grainy paper
    PageSpec light_text;
    light_text.paragraphs = {"第 2 页",
                             "仅一行文字的页面 — one short line on an otherwise empty page."};
    PageSpec full;
    full.paragraphs = ow::test::sample_paragraphs(3);
    full.angle_deg = 0.8;

    auto blank_page = PageImage::from_raw(ow::test::render_page(blank));
    auto light_page = PageImage::from_raw(ow::test::render_page(light_text));
    auto full_page = PageImage::from_raw(ow::test::render_page(full));
    BOOST_TEST_MESSAGE("ink: blank " << ink_fraction(blank_page) << ", one line "
                                     << ink_fraction(light_page) << ", full "
                                     << ink_fraction(full_page));
    BOOST_TEST(is_blank(blank_page));
    BOOST_TEST(!is_blank(light_page));
    BOOST_TEST(!is_blank(full_page));

    // Through the pipeline: the blank one is dropped, the others are encoded.
    auto options = preset("text");
    int kept = 0;
    for (const auto* p : {&full_page, &blank_page, &light_page}) {
        auto out = process(*p, options);
        if (!out.blank) {
            ++kept;
            BOOST_TEST(!out.encoded.data.empty());
        } else {
            BOOST_TEST(out.encoded.data.empty());
        }
    }
    BOOST_TEST(kept == 2);
}

BOOST_AUTO_TEST_CASE(binarisation_is_adaptive_under_uneven_light) {
    // A page whose right half is in shadow (a book's gutter, a lid not closed): a global threshold
    // turns the shadowed paper black or the lit text white; Sauvola keeps paper white, text black.
    PageSpec spec;
    spec.paragraphs = ow::test::sample_paragraphs(4);
    auto raw = ow::test::render_page(spec);
    for (int y = 0; y < raw.height; ++y)
        for (int x = raw.width / 2; x < raw.width; ++x) {
            auto& v = raw.data[raw.bytes_per_line * size_t(y) + size_t(x)];
            v = static_cast<unsigned char>(v * 0.45);
        }
    auto bin = binarize(PageImage::from_raw(raw));
    BOOST_TEST(bin.depth() == 1);
    // Ink in the shadowed half stays close to the ink in the lit half (text density is even).
    auto top = crop(bin, 0, 0, bin.width() / 2, bin.height());
    auto bottom = crop(bin, bin.width() / 2, 0, bin.width() / 2, bin.height());
    double ink_top = ink_fraction(top), ink_bottom = ink_fraction(bottom);
    BOOST_TEST_MESSAGE("ink lit " << ink_top << ", shadowed " << ink_bottom);
    BOOST_TEST(ink_bottom < ink_top * 1.5);
    BOOST_TEST(ink_bottom > ink_top * 0.4);
    // Otsu's single global threshold on the same page, for contrast: the shadow is lost.
    auto global = PageImage::from_raw(raw);
    l_int32 threshold = 0;
    Pix* otsu = nullptr;
    pixSplitDistributionFgBg(global.pix(), 0.0f, 1, &threshold, nullptr, nullptr, nullptr);
    otsu = pixThresholdToBinary(global.pix(), threshold);
    PageImage otsu_image(otsu);
    otsu_image.set_resolution_dpi(300);
    double global_bottom =
        ink_fraction(crop(otsu_image, bin.width() / 2, 0, bin.width() / 2, bin.height()));
    BOOST_TEST_MESSAGE("global threshold " << threshold << ": shadowed half ink " << global_bottom);
    BOOST_TEST((global_bottom > ink_top * 3.0 || global_bottom < ink_top * 0.3));
}

BOOST_AUTO_TEST_CASE(rotate_crop_and_thumbnail) {
    PageSpec spec;
    spec.paragraphs = {"旋转与裁切 rotate and crop"};
    auto page = PageImage::from_raw(ow::test::render_page(spec));
    auto turned = rotate_quarter_turns(page, 1);
    BOOST_TEST(turned.width() == page.height());
    BOOST_TEST(turned.height() == page.width());
    auto back = rotate_quarter_turns(turned, -1);
    BOOST_TEST(back.width() == page.width());
    auto cropped = crop_to_content(page, 5.0);
    BOOST_TEST(cropped.width() < page.width());
    BOOST_TEST(cropped.height() < page.height() / 4); // one line of text and its margins
    auto thumb = thumbnail_jpeg(page, 160);
    auto decoded = PageImage::decode(thumb);
    BOOST_TEST(std::max(decoded.width(), decoded.height()) <= 161);
    BOOST_CHECK_THROW(PageImage::decode({1, 2, 3}), PipelineError);
    BOOST_CHECK_THROW(preset("sepia"), PipelineError);
}

BOOST_AUTO_TEST_CASE(scanner_rows_become_images) {
    // 1-bit lineart rows (1 = black, as SANE delivers them) and RGB rows.
    RawPage lineart;
    lineart.width = 16;
    lineart.height = 2;
    lineart.bits_per_sample = 1;
    lineart.bytes_per_line = 2;
    lineart.data = {0xFF, 0x00, 0x00, 0x0F};
    auto bilevel = PageImage::from_raw(lineart);
    BOOST_TEST(bilevel.depth() == 1);
    BOOST_TEST(ink_fraction(bilevel) >= 0.0); // runs without error on a tiny image
    RawPage rgb;
    rgb.width = 2;
    rgb.height = 1;
    rgb.channels = 3;
    rgb.bytes_per_line = 6;
    rgb.data = {255, 0, 0, 0, 0, 255};
    BOOST_TEST(PageImage::from_raw(rgb).depth() == 32);
    // A solid black sheet stays black when binarised (Sauvola alone would whiten its inside).
    RawPage black;
    black.width = 400;
    black.height = 300;
    black.bytes_per_line = 400;
    black.data.assign(400 * 300, 10);
    auto black_bin = binarize(PageImage::from_raw(black));
    BOOST_TEST(ink_fraction(black_bin) > 0.95);
    RawPage truncated = rgb;
    truncated.data.resize(3);
    BOOST_CHECK_THROW(PageImage::from_raw(truncated), PipelineError);
}

BOOST_AUTO_TEST_SUITE_END()
