#include "ow/forms/license_document.h"

#include "ow/forms/catalog.h"
#include "ow/forms/error.h"
#include "render_api.h"

#include <algorithm>
#include <cairo-pdf.h>
#include <cairo.h>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numbers>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <sstream>

namespace ow::forms {

namespace {

const detail::RenderApi& render() {
    return detail::render_api();
}

constexpr double kPointsPerMm = 72.0 / 25.4;

double pt(double mm) {
    return mm * kPointsPerMm;
}

[[noreturn]] void bad_template(const std::string& id, const std::string& what) {
    throw FormsError(FormsErrorCode::Catalog, N_("License template {template}: {problem}."),
                     {{"template", id}, {"problem", what}});
}

BoxMm parse_box(const nlohmann::json& j, const std::string& id, const std::string& what) {
    if (!j.is_array() || j.size() != 4 ||
        !std::all_of(j.begin(), j.end(), [](const nlohmann::json& v) { return v.is_number(); }))
        bad_template(id, what + " must be [x, y, width, height] in millimetres");
    BoxMm b{j[0].get<double>(), j[1].get<double>(), j[2].get<double>(), j[3].get<double>()};
    if (b.width <= 0 || b.height <= 0)
        bad_template(id, what + " needs a positive width and height");
    return b;
}

struct Rgb {
    double r = 0, g = 0, b = 0;
};

Rgb parse_color(const std::string& s) {
    if (s.size() != 7 || s[0] != '#' ||
        s.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos)
        return {};
    auto channel = [&](std::size_t i) {
        return static_cast<double>(std::strtol(s.substr(i, 2).c_str(), nullptr, 16)) / 255.0;
    };
    return {channel(1), channel(3), channel(5)};
}

bool valid_color(const nlohmann::json& j) {
    if (!j.is_string())
        return false;
    const auto s = j.get<std::string>();
    return s.size() == 7 && s[0] == '#' &&
           s.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
}

const char* const kOps[] = {"fill", "border", "guilloche", "rosette", "emblem", "text", "line"};

void check_artwork(const nlohmann::json& artwork, const std::string& id) {
    if (!artwork.is_array())
        bad_template(id, "\"artwork\" must be an array of drawing operations");
    int n = 0;
    for (const auto& op : artwork) {
        const std::string where = "artwork[" + std::to_string(n++) + "]";
        if (!op.is_object() || !op.contains("op") || !op["op"].is_string())
            bad_template(id, where + " needs an \"op\"");
        const auto name = op["op"].get<std::string>();
        if (std::find(std::begin(kOps), std::end(kOps), name) == std::end(kOps))
            bad_template(id, where + ": unknown op \"" + name + "\"");
        if (op.contains("color") && !valid_color(op["color"]))
            bad_template(id, where + ": color must be \"#rrggbb\"");
        if (name == "guilloche" || name == "text")
            parse_box(op.value("box", nlohmann::json()), id, where + ".box");
        if (name == "text" && !op.value("text", nlohmann::json()).is_string())
            bad_template(id, where + " needs a \"text\"");
        if ((name == "rosette" || name == "emblem") &&
            (!op.value("center", nlohmann::json()).is_array() || op["center"].size() != 2 ||
             !op.value("radius", nlohmann::json()).is_number()))
            bad_template(id, where + " needs \"center\": [x, y] and \"radius\"");
        if (name == "line" && (!op.value("from", nlohmann::json()).is_array() ||
                               !op.value("to", nlohmann::json()).is_array()))
            bad_template(id, where + " needs \"from\" and \"to\"");
    }
}

void set_color(cairo_t* cr, const std::string& color, double alpha = 1.0) {
    const Rgb c = parse_color(color);
    render().cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

// Everything drawn on one page, in millimetres (the context is scaled).
class LicensePainter {
public:
    LicensePainter(cairo_t* cr, const LicenseRenderOptions& options)
        : cr_(cr), bold_weight_(options.bold_face ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL) {
        ctx_ = render().pango_cairo_create_context(cr_);
        render().pango_cairo_context_set_resolution(ctx_, 72);
        render().pango_context_set_language(
            ctx_, render().pango_language_from_string(options.language.c_str()));
        font_ = render().pango_font_description_from_string(options.font_family.c_str());
        render().cairo_scale(cr_, kPointsPerMm, kPointsPerMm);
        render().pango_cairo_update_context(cr_, ctx_);
    }
    ~LicensePainter() {
        render().pango_font_description_free(font_);
        render().g_object_unref(ctx_);
    }
    LicensePainter(const LicensePainter&) = delete;
    LicensePainter& operator=(const LicensePainter&) = delete;

    void paint(const LicenseTemplate& tpl, const LicenseFace& face,
               const LicenseAnnotation& annotation, const std::string& qr_payload) {
        for (const auto& op : tpl.artwork)
            artwork(op, tpl);
        for (const auto& f : tpl.fields)
            field(f, face.value(f.key));
        if (!annotation.reason.empty()) {
            watermark(tpl);
            annotate(tpl.annotation, annotation);
        }
        qr(tpl.qr, qr_payload);
    }

private:
    PangoLayout* layout(const std::string& text, double size_pt, double width_mm,
                        const std::string& align, bool bold, double letter_spacing_pt) {
        PangoLayout* l = render().pango_layout_new(ctx_);
        // The context is in millimetres: a font of `size_pt` points is size_pt / kPointsPerMm mm.
        render().pango_font_description_set_absolute_size(font_,
                                                          size_pt / kPointsPerMm * PANGO_SCALE);
        // Bold text uses the bold face only when asked: each further face is one more CJK subset
        // to embed, ~15 ms per copy.
        render().pango_font_description_set_weight(font_,
                                                   bold ? bold_weight_ : PANGO_WEIGHT_NORMAL);
        render().pango_layout_set_font_description(l, font_);
        render().pango_layout_set_width(l, static_cast<int>(width_mm * PANGO_SCALE));
        render().pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        render().pango_layout_set_alignment(l, align == "center"  ? PANGO_ALIGN_CENTER
                                               : align == "right" ? PANGO_ALIGN_RIGHT
                                                                  : PANGO_ALIGN_LEFT);
        if (letter_spacing_pt > 0) {
            PangoAttrList* attrs = render().pango_attr_list_new();
            render().pango_attr_list_insert(
                attrs, render().pango_attr_letter_spacing_new(
                           static_cast<int>(letter_spacing_pt / kPointsPerMm * PANGO_SCALE)));
            render().pango_layout_set_attributes(l, attrs);
            render().pango_attr_list_unref(attrs);
        }
        render().pango_layout_set_text(l, text.c_str(), -1);
        return l;
    }

    void show(PangoLayout* l, double x, double y) {
        render().cairo_move_to(cr_, x, y);
        render().pango_cairo_show_layout(cr_, l);
    }

    void text_box(const std::string& text, const BoxMm& box, double size, const std::string& align,
                  const std::string& color, bool bold = false, double spacing = 0,
                  bool vcenter = false) {
        PangoLayout* l = layout(text, size, box.width, align, bold, spacing);
        int w = 0, h = 0;
        render().pango_layout_get_size(l, &w, &h);
        const double height = static_cast<double>(h) / PANGO_SCALE;
        set_color(cr_, color);
        show(l, box.x, vcenter ? box.y + (box.height - height) / 2 : box.y);
        render().g_object_unref(l);
    }

    void artwork(const nlohmann::json& op, const LicenseTemplate& tpl) {
        const std::string name = op["op"].get<std::string>();
        const std::string color = op.value("color", std::string("#000000"));
        const double line_width = op.value("line_width", 0.5) / kPointsPerMm;
        render().cairo_save(cr_);
        render().cairo_set_line_width(cr_, line_width);
        if (name == "fill") {
            set_color(cr_, color);
            render().cairo_rectangle(cr_, 0, 0, tpl.width_mm, tpl.height_mm);
            render().cairo_fill(cr_);
        } else if (name == "border") {
            border(op, tpl, color, line_width);
        } else if (name == "guilloche") {
            guilloche(op, parse_box(op["box"], tpl.id, "box"), color);
        } else if (name == "rosette") {
            rosette(op, color);
        } else if (name == "emblem") {
            emblem(op["center"][0].get<double>(), op["center"][1].get<double>(),
                   op["radius"].get<double>(), color);
        } else if (name == "text") {
            text_box(op["text"].get<std::string>(), parse_box(op["box"], tpl.id, "box"),
                     op.value("size", 12.0), op.value("align", std::string("left")), color,
                     op.value("bold", false), op.value("letter_spacing", 0.0),
                     op.value("vcenter", false));
        } else if (name == "line") {
            set_color(cr_, color);
            render().cairo_move_to(cr_, op["from"][0].get<double>(), op["from"][1].get<double>());
            render().cairo_line_to(cr_, op["to"][0].get<double>(), op["to"][1].get<double>());
            render().cairo_stroke(cr_);
        }
        render().cairo_restore(cr_);
    }

    void border(const nlohmann::json& op, const LicenseTemplate& tpl, const std::string& color,
                double line_width) {
        const double inset = op.value("inset", 8.0);
        const double gap = op.value("double_gap", 0.0);
        const double corner = op.value("corner", 0.0);
        set_color(cr_, color);
        for (int ring = 0; ring < (gap > 0 ? 2 : 1); ++ring) {
            const double i = inset + ring * gap;
            render().cairo_set_line_width(cr_, ring == 0 ? line_width : line_width / 2.5);
            render().cairo_rectangle(cr_, i, i, tpl.width_mm - 2 * i, tpl.height_mm - 2 * i);
            render().cairo_stroke(cr_);
        }
        if (corner <= 0)
            return;
        // A small interlaced ornament in each corner: quarter circles stepping inwards.
        render().cairo_set_line_width(cr_, line_width / 2.5);
        const double i = inset + gap;
        const double xs[2] = {i, tpl.width_mm - i};
        const double ys[2] = {i, tpl.height_mm - i};
        for (int cx = 0; cx < 2; ++cx)
            for (int cy = 0; cy < 2; ++cy)
                for (int k = 1; k <= 4; ++k) {
                    const double r = corner * k / 4.0;
                    const double start =
                        std::numbers::pi / 2 * (cx == 0 ? (cy == 0 ? 0 : 3) : (cy == 0 ? 1 : 2));
                    render().cairo_new_sub_path(cr_);
                    render().cairo_arc(cr_, xs[cx], ys[cy], r, start, start + std::numbers::pi / 2);
                    render().cairo_stroke(cr_);
                }
    }

    // Bands of phase-shifted sine waves: the fine line work of a security background.
    void guilloche(const nlohmann::json& op, const BoxMm& box, const std::string& color) {
        const int lines = op.value("lines", 10);
        const double waves = op.value("waves", 6.0);
        const double amplitude = op.value("amplitude", box.height / 4);
        set_color(cr_, color, op.value("alpha", 1.0));
        render().cairo_save(cr_);
        render().cairo_rectangle(cr_, box.x, box.y, box.width, box.height);
        render().cairo_clip(cr_);
        const double mid = box.y + box.height / 2;
        // About one segment per millimetre: smooth at print size, and the page stays small and
        // fast.
        const int steps = std::max(60, static_cast<int>(box.width));
        for (int k = 0; k < lines; ++k) {
            const double phase = 2 * std::numbers::pi * k / lines;
            for (int s = 0; s <= steps; ++s) {
                const double t = static_cast<double>(s) / steps;
                const double x = box.x + t * box.width;
                const double a = 2 * std::numbers::pi * waves * t;
                const double y = mid + amplitude * std::sin(a + phase) * std::cos(a / 3 - phase);
                if (s == 0)
                    render().cairo_move_to(cr_, x, y);
                else
                    render().cairo_line_to(cr_, x, y);
            }
            render().cairo_stroke(cr_);
        }
        render().cairo_restore(cr_);
    }

    // A hypotrochoid rosette, the round security motif behind a title or a seal.
    void rosette(const nlohmann::json& op, const std::string& color) {
        const double cx = op["center"][0].get<double>(), cy = op["center"][1].get<double>();
        const double radius = op["radius"].get<double>();
        const int petals = std::clamp(op.value("petals", 18), 3, 96);
        const int loops = std::clamp(op.value("loops", 5), 1, 24);
        set_color(cr_, color, op.value("alpha", 1.0));
        for (int l = 0; l < loops; ++l) {
            const double r = radius * (1.0 - 0.12 * l);
            const double wobble = r * 0.18;
            const int steps = petals * 10;
            for (int s = 0; s <= steps; ++s) {
                const double t = 2 * std::numbers::pi * s / steps;
                const double rr = r - wobble + wobble * std::cos(petals * t + l);
                const double x = cx + rr * std::cos(t);
                const double y = cy + rr * std::sin(t);
                if (s == 0)
                    render().cairo_move_to(cr_, x, y);
                else
                    render().cairo_line_to(cr_, x, y);
            }
            render().cairo_close_path(cr_);
            render().cairo_stroke(cr_);
        }
    }

    void star(double cx, double cy, double r, double rotation) {
        for (int i = 0; i < 10; ++i) {
            const double a = rotation - std::numbers::pi / 2 + i * std::numbers::pi / 5;
            const double rr = (i % 2 == 0) ? r : r * 0.382;
            const double x = cx + rr * std::cos(a), y = cy + rr * std::sin(a);
            if (i == 0)
                render().cairo_move_to(cr_, x, y);
            else
                render().cairo_line_to(cr_, x, y);
        }
        render().cairo_close_path(cr_);
        render().cairo_fill(cr_);
    }

    // The national-emblem position: a placeholder shape of our own (rings, one large and four
    // small stars, rays), not a reproduction of the emblem.
    void emblem(double cx, double cy, double r, const std::string& color) {
        set_color(cr_, color);
        render().cairo_set_line_width(cr_, r * 0.06);
        render().cairo_new_sub_path(cr_);
        render().cairo_arc(cr_, cx, cy, r, 0, 2 * std::numbers::pi);
        render().cairo_stroke(cr_);
        render().cairo_set_line_width(cr_, r * 0.02);
        render().cairo_new_sub_path(cr_);
        render().cairo_arc(cr_, cx, cy, r * 0.86, 0, 2 * std::numbers::pi);
        render().cairo_stroke(cr_);
        for (int i = 0; i < 24; ++i) {
            const double a = 2 * std::numbers::pi * i / 24;
            render().cairo_move_to(cr_, cx + r * 0.62 * std::cos(a), cy + r * 0.62 * std::sin(a));
            render().cairo_line_to(cr_, cx + r * 0.80 * std::cos(a), cy + r * 0.80 * std::sin(a));
        }
        render().cairo_stroke(cr_);
        star(cx - r * 0.22, cy - r * 0.12, r * 0.30, 0);
        for (int i = 0; i < 4; ++i) {
            const double a = -std::numbers::pi / 3 + i * std::numbers::pi / 5.5;
            star(cx + r * 0.12 + r * 0.36 * std::cos(a), cy - r * 0.12 + r * 0.36 * std::sin(a),
                 r * 0.10, a);
        }
    }

    void field(const LicenseField& f, const std::string& value) {
        if (!f.label.empty()) {
            text_box(f.label, {f.box.x - f.label_width, f.box.y, f.label_width, f.box.height},
                     f.size, "left", f.color);
        }
        // Shrink until the value fits its lines, then cut what still does not fit.
        double size = f.size;
        PangoLayout* l = nullptr;
        for (;;) {
            l = layout(value, size, f.box.width, f.align, false, 0);
            if (render().pango_layout_get_line_count(l) <= f.max_lines || size <= f.min_size)
                break;
            render().g_object_unref(l);
            size = std::max(f.min_size, size - 0.5);
        }
        if (render().pango_layout_get_line_count(l) > f.max_lines) {
            render().pango_layout_set_height(l, -f.max_lines);
            render().pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        }
        set_color(cr_, f.color);
        show(l, f.box.x, f.box.y);
        render().g_object_unref(l);
    }

    void watermark(const LicenseTemplate& tpl) {
        render().cairo_save(cr_);
        render().cairo_translate(cr_, tpl.width_mm / 2, tpl.height_mm / 2);
        render().cairo_rotate(cr_, -std::numbers::pi / 7);
        PangoLayout* l = layout("还原件  RESTORED COPY", 36, tpl.width_mm * 1.2, "center", true, 4);
        int w = 0, h = 0;
        render().pango_layout_get_size(l, &w, &h);
        render().cairo_set_source_rgba(cr_, 0.85, 0.1, 0.1, 0.10);
        show(l, -tpl.width_mm * 0.6, -static_cast<double>(h) / PANGO_SCALE / 2);
        render().g_object_unref(l);
        render().cairo_restore(cr_);
    }

    void annotate(const BoxMm& box, const LicenseAnnotation& a) {
        const std::string red = "#c0182b";
        render().cairo_save(cr_);
        set_color(cr_, red);
        render().cairo_set_line_width(cr_, 0.35);
        render().cairo_rectangle(cr_, box.x, box.y, box.width, box.height);
        render().cairo_stroke(cr_);
        const double pad = 1.8;
        text_box("还原件 / restored copy", {box.x + pad, box.y + pad, box.width - 2 * pad, 6}, 10,
                 "left", red, true);
        std::string lines = "用证事由：" + a.reason + "\n还原时间：" + a.time;
        if (!a.case_number.empty())
            lines += "\n办件编号：" + a.case_number;
        lines += "\n经办人：" + a.clerk;
        if (!a.center.empty())
            lines += "\n还原机构：" + a.center;
        lines += "\n本件仅限上述事由使用，扫描二维码核验。";
        const BoxMm body{box.x + pad, box.y + pad + 5.5, box.width - 2 * pad,
                         box.height - 2 * pad - 5.5};
        double size = 7.5;
        PangoLayout* l = nullptr;
        for (;;) {
            l = layout(lines, size, body.width, "left", false, 0);
            int w = 0, h = 0;
            render().pango_layout_get_size(l, &w, &h);
            if (static_cast<double>(h) / PANGO_SCALE <= body.height || size <= 5)
                break;
            render().g_object_unref(l);
            size -= 0.25;
        }
        set_color(cr_, "#202020");
        show(l, body.x, body.y);
        render().g_object_unref(l);
        render().cairo_restore(cr_);
    }

    void qr(const BoxMm& box, const std::string& payload) {
        if (payload.empty())
            return;
        QRcode* code = render().QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (code == nullptr)
            throw FormsError(FormsErrorCode::Render,
                             N_("The QR code of {payload} could not be encoded."),
                             {{"payload", payload}});
        const double side = std::min(box.width, box.height);
        const int n = code->width;
        const double module = side / (n + 8); // 4-module quiet zone on each side
        render().cairo_set_source_rgb(cr_, 1, 1, 1);
        render().cairo_rectangle(cr_, box.x, box.y, side, side);
        render().cairo_fill(cr_);
        render().cairo_set_source_rgb(cr_, 0, 0, 0);
        for (int row = 0; row < n; ++row)
            for (int col = 0; col < n;) {
                if ((code->data[row * n + col] & 1) == 0) {
                    ++col;
                    continue;
                }
                const int start = col;
                while (col < n && (code->data[row * n + col] & 1) != 0)
                    ++col;
                render().cairo_rectangle(cr_, box.x + (start + 4) * module,
                                         box.y + (row + 4) * module, (col - start) * module,
                                         module);
            }
        render().cairo_fill(cr_);
        render().QRcode_free(code);
    }

    cairo_t* cr_;
    PangoWeight bold_weight_;
    PangoContext* ctx_ = nullptr;
    PangoFontDescription* font_ = nullptr;
};

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

[[noreturn]] void render_failed(const LicenseTemplate& tpl, cairo_status_t st) {
    throw FormsError(FormsErrorCode::Render,
                     N_("Rendering the license layout {template} failed: {detail}."),
                     {{"template", tpl.id}, {"detail", render().cairo_status_to_string(st)}});
}

} // namespace

void LicenseTemplate::seal_rect_points(double& x, double& y, double& w, double& h) const {
    x = pt(seal.x);
    w = pt(seal.width);
    h = pt(seal.height);
    y = pt(height_mm) - pt(seal.y) - h;
}

LicenseTemplate LicenseTemplate::parse(const nlohmann::json& doc, const std::string& id,
                                       const std::filesystem::path& source) {
    if (!doc.is_object())
        bad_template(id, "the document must be a JSON object");
    LicenseTemplate t;
    t.id = id;
    t.source = source;
    if (doc.value("format", 0) != 1)
        bad_template(id, "\"format\" must be 1");
    t.type_name = doc.value("type_name", std::string());
    if (t.type_name.empty())
        bad_template(id, "\"type_name\" is required");
    if (doc.contains("type_codes")) {
        if (!doc["type_codes"].is_array())
            bad_template(id, "\"type_codes\" must be an array of strings");
        for (const auto& c : doc["type_codes"]) {
            if (!c.is_string())
                bad_template(id, "\"type_codes\" must be an array of strings");
            t.type_codes.push_back(c.get<std::string>());
        }
    }
    const auto page = doc.value("page", nlohmann::json::object());
    t.width_mm = page.value("width", 0.0);
    t.height_mm = page.value("height", 0.0);
    if (t.width_mm < 50 || t.height_mm < 50 || t.width_mm > 1200 || t.height_mm > 1200)
        bad_template(id, "\"page\" needs a width and height between 50 and 1200 mm");
    t.artwork = doc.value("artwork", nlohmann::json::array());
    check_artwork(t.artwork, id);
    if (!doc.value("fields", nlohmann::json()).is_array() || doc["fields"].empty())
        bad_template(id, "\"fields\" must be a non-empty array");
    int n = 0;
    for (const auto& f : doc["fields"]) {
        const std::string where = "fields[" + std::to_string(n++) + "]";
        LicenseField field;
        field.key = f.value("key", std::string());
        if (field.key.empty())
            bad_template(id, where + " needs a \"key\"");
        field.label = f.value("label", std::string());
        field.box = parse_box(f.value("box", nlohmann::json()), id, where + ".box");
        field.label_width = f.value("label_width", field.label.empty() ? 0.0 : 24.0);
        field.size = f.value("size", 11.0);
        field.min_size = std::min(field.size, f.value("min_size", 7.0));
        field.max_lines = std::max(1, f.value("max_lines", 1));
        field.align = f.value("align", std::string("left"));
        field.color = f.value("color", std::string("#000000"));
        if (!valid_color(nlohmann::json(field.color)))
            bad_template(id, where + ": color must be \"#rrggbb\"");
        if (field.size <= 0 || field.size > 96)
            bad_template(id, where + ": size must be between 0 and 96 points");
        t.fields.push_back(std::move(field));
    }
    t.seal = parse_box(doc.value("seal", nlohmann::json()), id, "seal");
    t.qr = parse_box(doc.value("qr", nlohmann::json()), id, "qr");
    t.annotation = parse_box(doc.value("annotation", nlohmann::json()), id, "annotation");
    for (const auto* b : {&t.seal, &t.qr, &t.annotation})
        if (b->x < 0 || b->y < 0 || b->x + b->width > t.width_mm || b->y + b->height > t.height_mm)
            bad_template(id, "the seal, QR and annotation boxes must lie on the page");
    return t;
}

LicenseTemplates LicenseTemplates::load_directory(const std::filesystem::path& dir) {
    LicenseTemplates set;
    set.add_directory(dir);
    if (set.templates_.empty())
        throw FormsError(FormsErrorCode::DataFile, N_("No license template in {dir}."),
                         {{"dir", dir.string()}});
    return set;
}

void LicenseTemplates::add_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".json")
            files.push_back(it->path());
    if (ec)
        throw FormsError(FormsErrorCode::DataFile,
                         N_("Cannot read the license templates in {dir}: {detail}."),
                         {{"dir", dir.string()}, {"detail", ec.message()}});
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
        const std::string id = file.stem().string();
        if (!in || doc.is_discarded())
            bad_template(id, "not readable as JSON (" + file.string() + ")");
        auto t = LicenseTemplate::parse(doc, id, file);
        auto same = std::find_if(templates_.begin(), templates_.end(),
                                 [&](const LicenseTemplate& o) { return o.id == t.id; });
        if (same != templates_.end())
            *same = std::move(t);
        else
            templates_.push_back(std::move(t));
    }
}

const LicenseTemplate* LicenseTemplates::for_type(const std::string& type_code,
                                                  const std::string& type_name) const {
    for (const auto& t : templates_)
        if (std::find(t.type_codes.begin(), t.type_codes.end(), type_code) != t.type_codes.end())
            return &t;
    for (const auto& t : templates_)
        if (t.type_name == type_name)
            return &t;
    return nullptr;
}

const LicenseTemplate* LicenseTemplates::by_id(const std::string& id) const {
    for (const auto& t : templates_)
        if (t.id == id)
            return &t;
    return nullptr;
}

std::filesystem::path default_license_template_dir() {
    if (const char* env = std::getenv("OW_LICENSE_TEMPLATE_DIR"); env != nullptr && *env != '\0')
        return env;
    return default_data_dir("license-templates");
}

std::string LicenseFace::value(const std::string& key) const {
    if (key == "$license_id")
        return license_id;
    if (key == "$type_name")
        return type_name;
    if (key == "$holder_name")
        return holder_name;
    if (key == "$holder_id")
        return holder_id;
    if (key == "$issuer")
        return issuer;
    if (key == "$issue_date")
        return issue_date;
    if (key == "$valid_until")
        return valid_until;
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

std::string render_license_pdf(const LicenseTemplate& tpl, const LicenseFace& face,
                               const LicenseAnnotation& annotation, const std::string& qr_payload,
                               const LicenseRenderOptions& options) {
    std::string out;
    cairo_surface_t* surface = render().cairo_pdf_surface_create_for_stream(
        append_to_string, &out, pt(tpl.width_mm), pt(tpl.height_mm));
    render().cairo_pdf_surface_set_metadata(
        surface, CAIRO_PDF_METADATA_TITLE,
        (face.type_name + (annotation.reason.empty() ? "" : "（还原件）")).c_str());
    render().cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                            face.license_id.c_str());
    // The QR payload again, machine-readable, for `onewindow-cli verify --license`.
    render().cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS,
                                            qr_payload.c_str());
    render().cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "OneWindow");
    cairo_t* cr = render().cairo_create(surface);
    try {
        LicensePainter(cr, options).paint(tpl, face, annotation, qr_payload);
    } catch (...) {
        render().cairo_destroy(cr);
        render().cairo_surface_destroy(surface);
        throw;
    }
    render().cairo_show_page(cr);
    render().cairo_destroy(cr);
    render().cairo_surface_finish(surface);
    const auto st = render().cairo_surface_status(surface);
    render().cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        render_failed(tpl, st);
    return out;
}

LicenseBitmap render_license_bitmap(const LicenseTemplate& tpl, const LicenseFace& face,
                                    const LicenseAnnotation& annotation,
                                    const std::string& qr_payload, double dpi,
                                    const LicenseRenderOptions& options) {
    dpi = std::clamp(dpi, 10.0, 600.0);
    const int w = static_cast<int>(std::lround(tpl.width_mm / 25.4 * dpi));
    const int h = static_cast<int>(std::lround(tpl.height_mm / 25.4 * dpi));
    cairo_surface_t* surface = render().cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = render().cairo_create(surface);
    render().cairo_set_source_rgb(cr, 1, 1, 1);
    render().cairo_paint(cr);
    render().cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    try {
        LicensePainter(cr, options).paint(tpl, face, annotation, qr_payload);
    } catch (...) {
        render().cairo_destroy(cr);
        render().cairo_surface_destroy(surface);
        throw;
    }
    render().cairo_destroy(cr);
    render().cairo_surface_flush(surface);
    const auto st = render().cairo_surface_status(surface);
    LicenseBitmap bmp;
    if (st == CAIRO_STATUS_SUCCESS) {
        bmp.width = w;
        bmp.height = h;
        bmp.rgb.resize(static_cast<std::size_t>(w) * h * 3);
        const unsigned char* data = render().cairo_image_surface_get_data(surface);
        const int stride = render().cairo_image_surface_get_stride(surface);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                std::uint32_t px;
                std::memcpy(&px, data + y * stride + x * 4, 4);
                unsigned char* o = &bmp.rgb[(static_cast<std::size_t>(y) * w + x) * 3];
                o[0] = static_cast<unsigned char>(px >> 16);
                o[1] = static_cast<unsigned char>(px >> 8);
                o[2] = static_cast<unsigned char>(px);
            }
    }
    render().cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        render_failed(tpl, st);
    return bmp;
}

namespace {

std::vector<std::string> utf8_characters(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

cairo_status_t append_to_vector(void* closure, const unsigned char* data, unsigned int length) {
    auto* v = static_cast<std::vector<unsigned char>*>(closure);
    v->insert(v->end(), data, data + length);
    return CAIRO_STATUS_SUCCESS;
}

} // namespace

std::vector<unsigned char> render_round_seal_png(const std::string& organisation,
                                                 const std::string& purpose, int size_px,
                                                 const LicenseRenderOptions& options) {
    size_px = std::clamp(size_px, 64, 2048);
    cairo_surface_t* surface =
        render().cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size_px, size_px);
    cairo_t* cr = render().cairo_create(surface);
    const double s = size_px;
    const double c = s / 2;
    render().cairo_set_source_rgba(cr, 0.82, 0.07, 0.11, 0.9);
    render().cairo_set_line_width(cr, s * 0.035);
    render().cairo_arc(cr, c, c, s * 0.47, 0, 2 * std::numbers::pi);
    render().cairo_stroke(cr);
    // The star.
    for (int i = 0; i < 10; ++i) {
        const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
        const double r = (i % 2 == 0) ? s * 0.13 : s * 0.13 * 0.382;
        if (i == 0)
            render().cairo_move_to(cr, c + r * std::cos(a), c + r * std::sin(a));
        else
            render().cairo_line_to(cr, c + r * std::cos(a), c + r * std::sin(a));
    }
    render().cairo_close_path(cr);
    render().cairo_fill(cr);
    PangoFontDescription* font =
        render().pango_font_description_from_string(options.font_family.c_str());
    render().pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    auto draw_char = [&](const std::string& ch, double size) {
        PangoLayout* l = render().pango_cairo_create_layout(cr);
        render().pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
        render().pango_layout_set_font_description(l, font);
        render().pango_layout_set_text(l, ch.c_str(), -1);
        int w = 0, h = 0;
        render().pango_layout_get_pixel_size(l, &w, &h);
        render().cairo_rel_move_to(cr, -w / 2.0, -h / 2.0);
        render().pango_cairo_show_layout(cr, l);
        render().g_object_unref(l);
        return w;
    };
    // The organisation along the upper arc, from the lower left to the lower right.
    const auto chars = utf8_characters(organisation);
    const double span =
        std::numbers::pi * std::min(1.35, 0.09 * static_cast<double>(chars.size()) + 0.3);
    const double radius = s * 0.35;
    for (std::size_t i = 0; i < chars.size(); ++i) {
        const double t = chars.size() == 1 ? 0.5 : static_cast<double>(i) / (chars.size() - 1);
        const double a = -std::numbers::pi / 2 - span / 2 + t * span;
        render().cairo_save(cr);
        render().cairo_translate(cr, c + radius * std::cos(a), c + radius * std::sin(a));
        render().cairo_rotate(cr, a + std::numbers::pi / 2);
        render().cairo_move_to(cr, 0, 0);
        draw_char(chars[i], s * 0.11);
        render().cairo_restore(cr);
    }
    // The purpose, straight, below the star.
    {
        PangoLayout* l = render().pango_cairo_create_layout(cr);
        render().pango_font_description_set_absolute_size(font, s * 0.075 * PANGO_SCALE);
        render().pango_layout_set_font_description(l, font);
        render().pango_layout_set_text(l, purpose.c_str(), -1);
        int w = 0, h = 0;
        render().pango_layout_get_pixel_size(l, &w, &h);
        const double scale = std::min(1.0, s * 0.62 / std::max(1, w));
        render().cairo_save(cr);
        render().cairo_translate(cr, c, s * 0.72);
        render().cairo_scale(cr, scale, 1.0);
        render().cairo_move_to(cr, -w / 2.0, -h / 2.0);
        render().pango_cairo_show_layout(cr, l);
        render().cairo_restore(cr);
        render().g_object_unref(l);
    }
    render().pango_font_description_free(font);
    render().cairo_destroy(cr);
    std::vector<unsigned char> png;
    const auto st = render().cairo_surface_write_to_png_stream(surface, append_to_vector, &png);
    render().cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        throw FormsError(FormsErrorCode::Render, N_("Drawing the seal image failed: {detail}."),
                         {{"detail", render().cairo_status_to_string(st)}});
    return png;
}

} // namespace ow::forms
