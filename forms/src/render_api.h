// Internal: cairo, pango and libqrencode are loaded on first use (dlopen), not linked, so that a
// program using ow_forms only for the catalog, forms and validation (and every onewindow-cli
// command that renders nothing) does not map and relocate pango, glib, harfbuzz, fontconfig, X11 …
// at start. The prototypes still come from the real headers.
#pragma once

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

namespace ow::forms::detail {

#define OW_FORMS_RENDER_FUNCTIONS(X)                                                               \
    X(cairo_set_source_rgb)                                                                        \
    X(cairo_rectangle)                                                                             \
    X(cairo_pdf_surface_set_metadata)                                                              \
    X(cairo_fill)                                                                                  \
    X(cairo_show_page)                                                                             \
    X(cairo_surface_status)                                                                        \
    X(cairo_surface_finish)                                                                        \
    X(cairo_surface_destroy)                                                                       \
    X(cairo_stroke)                                                                                \
    X(cairo_status_to_string)                                                                      \
    X(cairo_set_line_width)                                                                        \
    X(cairo_pdf_surface_create_for_stream)                                                         \
    X(cairo_move_to)                                                                               \
    X(cairo_destroy)                                                                               \
    X(cairo_create)                                                                                \
    X(cairo_version_string)                                                                        \
    X(pango_version_string)                                                                        \
    X(pango_layout_set_wrap)                                                                       \
    X(pango_layout_set_width)                                                                      \
    X(pango_layout_set_text)                                                                       \
    X(pango_layout_set_font_description)                                                           \
    X(pango_layout_set_alignment)                                                                  \
    X(pango_layout_new)                                                                            \
    X(pango_layout_get_size)                                                                       \
    X(pango_language_from_string)                                                                  \
    X(pango_font_description_set_size)                                                             \
    X(pango_font_description_from_string)                                                          \
    X(pango_font_description_free)                                                                 \
    X(pango_context_set_language)                                                                  \
    X(pango_cairo_show_layout)                                                                     \
    X(pango_cairo_create_context)                                                                  \
    X(pango_cairo_context_set_resolution)                                                          \
    X(g_object_unref)                                                                              \
    X(cairo_image_surface_create)                                                                  \
    X(cairo_surface_write_to_png_stream)                                                           \
    X(cairo_set_source_rgba)                                                                       \
    X(cairo_arc)                                                                                   \
    X(cairo_line_to)                                                                               \
    X(cairo_close_path)                                                                            \
    X(cairo_new_path)                                                                              \
    X(cairo_save)                                                                                  \
    X(cairo_restore)                                                                               \
    X(cairo_translate)                                                                             \
    X(cairo_rotate)                                                                                \
    X(pango_layout_get_pixel_size)                                                                 \
    X(pango_font_description_set_absolute_size)                                                    \
    X(cairo_identity_matrix)                                                                       \
    X(cairo_paint)                                                                                 \
    X(cairo_recording_surface_create)                                                              \
    X(cairo_scale)                                                                                 \
    X(cairo_set_source_surface)                                                                    \
    X(QRcode_encodeString)                                                                         \
    X(QRcode_free)                                                                                 \
    X(cairo_clip)                                                                                  \
    X(cairo_image_surface_get_data)                                                                \
    X(cairo_image_surface_get_stride)                                                              \
    X(cairo_new_sub_path)                                                                          \
    X(cairo_rel_move_to)                                                                           \
    X(cairo_surface_flush)                                                                         \
    X(pango_attr_letter_spacing_new)                                                               \
    X(pango_attr_list_insert)                                                                      \
    X(pango_attr_list_new)                                                                         \
    X(pango_attr_list_unref)                                                                       \
    X(pango_cairo_create_layout)                                                                   \
    X(pango_cairo_update_context)                                                                  \
    X(pango_font_description_set_weight)                                                           \
    X(pango_layout_get_line_count)                                                                 \
    X(pango_layout_set_attributes)                                                                 \
    X(pango_layout_set_ellipsize)                                                                  \
    X(pango_layout_set_height)                                                                     \
    X(QRcode_APIVersionString)

struct RenderApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_FORMS_RENDER_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

// Loads the libraries on the first call; throws FormsError(Render) naming a missing library.
const RenderApi& render_api();

} // namespace ow::forms::detail
