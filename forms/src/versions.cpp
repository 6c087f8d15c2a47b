#include "ow/forms/versions.h"

#include "render_api.h"

#include <exception>

namespace ow::forms {

std::vector<std::pair<std::string, std::string>> library_versions() {
    try {
        const auto& api = detail::render_api(); // loaded on first use, see render_api.h
        return {{"cairo", api.cairo_version_string()},
                {"pango", api.pango_version_string()},
                {"libqrencode", api.QRcode_APIVersionString()}};
    } catch (const std::exception& e) {
        return {{"cairo, pango, libqrencode", e.what()}};
    }
}

} // namespace ow::forms
