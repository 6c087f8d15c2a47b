#include "appearance.h"

#include "dynlib.h"
#include "pdf_util.h"

#include <algorithm>
#include <cairo-pdf.h>
#include <cairo.h>
#include <map>
#include <pango/pangocairo.h>

namespace ow::signing::detail {

using namespace PoDoFo;

// cairo + pango are loaded on first use (see dynlib.h).
#define OW_CAIRO_FUNCTIONS(X)                                                                      \
    X(cairo_image_surface_create_from_png_stream)                                                  \
    X(cairo_image_surface_create_from_png)                                                         \
    X(cairo_surface_status)                                                                        \
    X(cairo_status_to_string)                                                                      \
    X(cairo_surface_destroy)                                                                       \
    X(cairo_pdf_surface_create_for_stream)                                                         \
    X(cairo_create)                                                                                \
    X(pango_cairo_create_context)                                                                  \
    X(pango_cairo_context_set_resolution)                                                          \
    X(pango_context_set_language)                                                                  \
    X(pango_language_from_string)                                                                  \
    X(pango_font_description_from_string)                                                          \
    X(pango_font_description_set_absolute_size)                                                    \
    X(pango_layout_new)                                                                            \
    X(pango_layout_set_font_description)                                                           \
    X(pango_layout_set_text)                                                                       \
    X(pango_layout_get_pixel_size)                                                                 \
    X(pango_font_description_free)                                                                 \
    X(g_object_unref)                                                                              \
    X(cairo_set_source_rgb)                                                                        \
    X(cairo_move_to)                                                                               \
    X(pango_cairo_show_layout)                                                                     \
    X(cairo_image_surface_get_width)                                                               \
    X(cairo_image_surface_get_height)                                                              \
    X(cairo_save)                                                                                  \
    X(cairo_translate)                                                                             \
    X(cairo_scale)                                                                                 \
    X(cairo_set_source_surface)                                                                    \
    X(cairo_paint)                                                                                 \
    X(cairo_restore)                                                                               \
    X(cairo_destroy)                                                                               \
    X(cairo_surface_finish)

struct CairoApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_CAIRO_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

const CairoApi& cairo_api() {
    // Kept loaded for the life of the process: pango and fontconfig keep caches and threads.
    static const DynamicLibraries* libs = new DynamicLibraries(
        {"libcairo.so.2", "libpango-1.0.so.0", "libpangocairo-1.0.so.0", "libgobject-2.0.so.0"},
        ErrorCode::AppearanceError, "the visible seal");
    static const CairoApi api = [] {
        CairoApi a;
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(libs->symbol(#name));
        OW_CAIRO_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        return a;
    }();
    return api;
}

namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

struct PngReader {
    const Bytes* data;
    std::size_t pos = 0;
};

cairo_status_t read_png(void* closure, unsigned char* out, unsigned int length) {
    auto* r = static_cast<PngReader*>(closure);
    if (r->pos + length > r->data->size())
        return CAIRO_STATUS_READ_ERROR;
    std::copy_n(r->data->data() + r->pos, length, out);
    r->pos += length;
    return CAIRO_STATUS_SUCCESS;
}

} // namespace

std::string render_seal_pdf(const SealAppearance& seal, double w, double h,
                            const std::vector<std::string>& fallback_lines) {
    const CairoApi& api = cairo_api();
    cairo_surface_t* image = nullptr;
    if (!seal.image_png.empty()) {
        PngReader r{&seal.image_png};
        image = api.cairo_image_surface_create_from_png_stream(read_png, &r);
    } else if (!seal.image.empty()) {
        image = api.cairo_image_surface_create_from_png(seal.image.c_str());
    }
    if (image && api.cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
        std::string why = api.cairo_status_to_string(api.cairo_surface_status(image));
        api.cairo_surface_destroy(image);
        throw SigningError(
            ErrorCode::AppearanceError,
            "cannot read the seal image " +
                (seal.image.empty() ? std::string("(memory)") : "'" + seal.image.string() + "'") +
                ": " + why + " (a PNG is required)");
    }
    const std::vector<std::string>& lines =
        (seal.text_lines.empty() && !image) ? fallback_lines : seal.text_lines;

    std::string out;
    cairo_surface_t* surface = api.cairo_pdf_surface_create_for_stream(append, &out, w, h);
    cairo_t* cr = api.cairo_create(surface);

    if (!lines.empty()) {
        PangoContext* ctx = api.pango_cairo_create_context(cr);
        api.pango_cairo_context_set_resolution(ctx, 72);
        api.pango_context_set_language(ctx, api.pango_language_from_string("zh-cn"));
        double pad = std::min(w, h) * 0.04;
        double line_h = (h - 2 * pad) / static_cast<double>(lines.size());
        double size = std::max(4.0, std::min(line_h / 1.35, 14.0));
        std::vector<PangoLayout*> layouts;
        // Shrink the font until the widest line fits.
        for (int iter = 0; iter < 8; ++iter) {
            for (auto* l : layouts)
                api.g_object_unref(l);
            layouts.clear();
            PangoFontDescription* fd =
                api.pango_font_description_from_string(seal.font_family.c_str());
            api.pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
            int widest = 0;
            for (const auto& line : lines) {
                PangoLayout* l = api.pango_layout_new(ctx);
                api.pango_layout_set_font_description(l, fd);
                api.pango_layout_set_text(l, line.c_str(), -1);
                int lw = 0, lh = 0;
                api.pango_layout_get_pixel_size(l, &lw, &lh);
                widest = std::max(widest, lw);
                layouts.push_back(l);
            }
            api.pango_font_description_free(fd);
            if (widest <= w - 2 * pad || size <= 4.0)
                break;
            size = std::max(4.0, size * (w - 2 * pad) / widest);
        }
        api.cairo_set_source_rgb(cr, 0, 0, 0);
        double y = pad;
        for (auto* l : layouts) {
            api.cairo_move_to(cr, pad, y);
            api.pango_cairo_show_layout(cr, l);
            y += size * 1.35;
            api.g_object_unref(l);
        }
        api.g_object_unref(ctx);
    }
    if (image) {
        // The seal goes over the text (its transparency keeps the text readable), centred.
        double iw = api.cairo_image_surface_get_width(image),
               ih = api.cairo_image_surface_get_height(image);
        double s = std::min(w / iw, h / ih);
        api.cairo_save(cr);
        api.cairo_translate(cr, (w - iw * s) / 2, (h - ih * s) / 2);
        api.cairo_scale(cr, s, s);
        api.cairo_set_source_surface(cr, image, 0, 0);
        api.cairo_paint(cr);
        api.cairo_restore(cr);
        api.cairo_surface_destroy(image);
    }
    api.cairo_destroy(cr);
    api.cairo_surface_finish(surface);
    cairo_status_t st = api.cairo_surface_status(surface);
    api.cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        throw SigningError(ErrorCode::AppearanceError, std::string("cannot render the seal: ") +
                                                           api.cairo_status_to_string(st));
    return out;
}

namespace {

class Copier {
public:
    Copier(PdfMemDocument& src, PdfMemDocument& dst) : src_(src), dst_(dst) {}

    PdfObject value(const PdfObject& v, int depth = 0) {
        if (depth > 64)
            throw SigningError(ErrorCode::AppearanceError, "seal appearance nested too deeply");
        if (v.IsReference()) {
            PdfObject* target = src_.GetObjects().GetObject(v.GetReference());
            if (!target)
                return PdfObject(PdfVariant::NullValue);
            if (!target->IsDictionary() && !target->IsArray() && !target->HasStream())
                return value(*target, depth + 1); // e.g. cairo's indirect /Length
            return PdfObject(object(target, depth + 1)->Reference());
        }
        if (v.IsDictionary()) {
            PdfObject out{PdfDictionary()};
            for (const auto& [k, item] : v.GetDictionary().GetKeys()) {
                if (k == PdfName::KeyLength)
                    continue;
                out.GetDictionary().AddKey(k, value(*item, depth + 1));
            }
            return out;
        }
        if (v.IsArray()) {
            PdfArray a;
            for (const auto& item : v.GetArray())
                a.push_back(value(item, depth + 1));
            return PdfObject(a);
        }
        return v;
    }

    PdfObject* object(PdfObject* o, int depth) {
        auto it = done_.find(o->Reference());
        if (it != done_.end())
            return it->second;
        PdfObject* n = dst_.GetObjects().CreateObject(PdfVariant());
        done_[o->Reference()] = n; // before recursing: cycles terminate
        PdfObject body = value(*o, depth);
        static_cast<PdfVariant&>(*n) = static_cast<const PdfVariant&>(body);
        if (o->HasStream())
            *n->GetStream() = *o->GetStream();
        return n;
    }

private:
    PdfMemDocument& src_;
    PdfMemDocument& dst_;
    std::map<PdfReference, PdfObject*> done_;
};

} // namespace

PdfObject* import_as_xobject(PdfMemDocument& doc, const std::string& pdf, double w, double h) {
    PdfMemDocument src;
    try {
        src.LoadFromBuffer(pdf.data(), static_cast<long>(pdf.size()));
        PdfPage* page = src.GetPage(0);
        PdfXObject xo(PdfRect(0, 0, w, h), &doc);
        Copier copier(src, doc);
        if (PdfObject* res = page->GetResources())
            xo.GetObject()->GetDictionary().AddKey("Resources", copier.value(*res));
        std::string content;
        PdfObject* contents = page->GetContents();
        auto add_stream = [&](PdfObject* s) {
            if (!s || !s->HasStream())
                return;
            char* buf = nullptr;
            pdf_long len = 0;
            s->GetStream()->GetFilteredCopy(&buf, &len);
            content.append(buf, static_cast<std::size_t>(len));
            content.push_back('\n');
            podofo_free(buf);
        };
        if (contents && contents->IsArray()) {
            for (auto& c : contents->GetArray())
                if (c.IsReference())
                    add_stream(src.GetObjects().GetObject(c.GetReference()));
        } else {
            add_stream(contents);
        }
        xo.GetObject()->GetStream()->Set(content.data(), static_cast<pdf_long>(content.size()));
        return xo.GetObject();
    } catch (const PdfError& e) {
        throw SigningError(ErrorCode::AppearanceError,
                           "cannot import the seal appearance: " + podofo_error_text(e));
    }
}

} // namespace ow::signing::detail
