#include "ow/forms/versions.h"

#include <cairo.h>
#include <pango/pango.h>
#include <qrencode.h>

namespace ow::forms {

std::vector<std::pair<std::string, std::string>> library_versions() {
    return {{"cairo", cairo_version_string()},
            {"pango", pango_version_string()},
            {"libqrencode", QRcode_APIVersionString()}};
}

} // namespace ow::forms
