#include "page_render.h"

#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <pango/pangocairo.h>
#include <random>
#include <stdexcept>

namespace ow::test {

std::vector<std::string> sample_paragraphs(int n) {
    // About 150 words and 40 Chinese characters: a one-page statement, like the page behind the
    // size budgets in the notes (151 words).
    return {
        "关于办理营业执照变更登记的申请（第 " + std::to_string(n) + " 页）",
        "申请人应当如实向窗口提交有关材料，并对申请材料实质内容的真实性负责。",
        "The applicant submits the business licence, a copy of the identity card of the legal "
        "representative and the lease contract for the new registered address. The clerk checks "
        "each material against the list of the service item, scans it into the case and hands "
        "back the originals at the counter.",
        "Where the materials are complete and in the statutory form, the application is accepted "
        "and a receipt is issued with the promised completion date. Where a material is missing, "
        "the applicant is told once, in writing, everything that must be added, so that a second "
        "visit is enough to complete the case.",
        "Scanned materials are kept encrypted and sent to the service centre when the network is "
        "available."};
}

ow::devices::RawPage render_page(const PageSpec& spec) {
    const int w = static_cast<int>(std::lround(spec.width_mm / 25.4 * spec.dpi));
    const int h = static_cast<int>(std::lround(spec.height_mm / 25.4 * spec.dpi));
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgb(cr, spec.paper, spec.paper, spec.paper * (spec.color ? 0.93 : 1.0));
    cairo_paint(cr);
    // Turn the sheet around its centre (cairo's positive angle is clockwise on screen).
    cairo_translate(cr, w / 2.0, h / 2.0);
    cairo_rotate(cr, -spec.angle_deg * M_PI / 180.0);
    cairo_translate(cr, -w / 2.0, -h / 2.0);
    const double px_per_pt = spec.dpi / 72.0;
    const double margin =
        std::min(25.0, 0.1 * std::min(spec.width_mm, spec.height_mm)) / 25.4 * spec.dpi;
    if (spec.color) {
        cairo_set_source_rgb(cr, 0.15, 0.3, 0.7);
        cairo_rectangle(cr, margin, margin * 0.6, w - 2 * margin, 12.0 / 25.4 * spec.dpi);
        cairo_fill(cr);
    }
    if (!spec.paragraphs.empty()) {
        PangoContext* ctx = pango_cairo_create_context(cr);
        pango_cairo_context_set_resolution(ctx, 72.0 * px_per_pt);
        pango_context_set_language(ctx, pango_language_from_string("zh-cn"));
        PangoFontDescription* font =
            pango_font_description_from_string("DejaVu Sans,Noto Sans CJK SC");
        pango_font_description_set_size(font, static_cast<int>(spec.font_pt * PANGO_SCALE));
        double y = margin + (spec.color ? 15.0 / 25.4 * spec.dpi : 0);
        cairo_set_source_rgb(cr, 0.08, 0.08, 0.08);
        for (const auto& paragraph : spec.paragraphs) {
            PangoLayout* layout = pango_layout_new(ctx);
            pango_layout_set_font_description(layout, font);
            pango_layout_set_width(layout, static_cast<int>((w - 2 * margin) * PANGO_SCALE));
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
            pango_layout_set_text(layout, paragraph.c_str(), -1);
            cairo_move_to(cr, margin, y);
            pango_cairo_show_layout(cr, layout);
            int lw = 0, lh = 0;
            pango_layout_get_pixel_size(layout, &lw, &lh);
            y += lh + spec.font_pt * px_per_pt * 0.8;
            g_object_unref(layout);
            if (y > h - margin)
                break;
        }
        pango_font_description_free(font);
        g_object_unref(ctx);
    }
    if (spec.color) {
        cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
        cairo_set_line_width(cr, 0.8 / 25.4 * spec.dpi);
        cairo_arc(cr, w - margin - 25.0 / 25.4 * spec.dpi, h - margin - 25.0 / 25.4 * spec.dpi,
                  20.0 / 25.4 * spec.dpi, 0, 2 * M_PI);
        cairo_stroke(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);

    ow::devices::RawPage page;
    page.width = w;
    page.height = h;
    page.channels = spec.color ? 3 : 1;
    page.bits_per_sample = 8;
    page.resolution_dpi = spec.dpi;
    page.bytes_per_line = static_cast<std::size_t>(w * page.channels);
    page.data.resize(page.bytes_per_line * static_cast<std::size_t>(h));
    const unsigned char* src = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    std::mt19937 rng(spec.seed);
    std::normal_distribution<double> noise(0.0, spec.noise_sd);
    auto clamp8 = [](double v) {
        return static_cast<unsigned char>(std::lround(std::fmin(255.0, std::fmax(0.0, v))));
    };
    for (int y = 0; y < h; ++y) {
        const auto* row =
            reinterpret_cast<const std::uint32_t*>(src + static_cast<std::ptrdiff_t>(y) * stride);
        unsigned char* out = page.data.data() + page.bytes_per_line * static_cast<std::size_t>(y);
        for (int x = 0; x < w; ++x) {
            const double r = (row[x] >> 16) & 0xFF, g = (row[x] >> 8) & 0xFF, b = row[x] & 0xFF;
            const double n = spec.noise_sd > 0 ? noise(rng) : 0.0;
            if (spec.color) {
                out[3 * x] = clamp8(r + n);
                out[3 * x + 1] = clamp8(g + n);
                out[3 * x + 2] = clamp8(b + n);
            } else {
                out[x] = clamp8(0.299 * r + 0.587 * g + 0.114 * b + n);
            }
        }
    }
    cairo_surface_destroy(surface);
    return page;
}

double mean_gray(const ow::devices::RawPage& page) {
    double sum = 0;
    std::size_t n = 0;
    for (int y = 0; y < page.height; ++y) {
        const unsigned char* row =
            page.data.data() + page.bytes_per_line * static_cast<std::size_t>(y);
        for (int x = 0; x < page.width; ++x, ++n)
            sum += page.channels == 3
                       ? 0.299 * row[3 * x] + 0.587 * row[3 * x + 1] + 0.114 * row[3 * x + 2]
                       : row[x];
    }
    return n ? sum / double(n) : 0;
}

} // namespace ow::test
