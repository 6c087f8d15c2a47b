#include "ow/signing/versions.h"

#include <podofo/base/PdfDefines.h>

namespace ow::signing {

std::vector<std::pair<std::string, std::string>> library_versions() {
    // cairo, pango (visible seals) and libcurl (time-stamping) are loaded on first use; their
    // versions are reported by the libraries that link them.
    return {{"PoDoFo", std::to_string(PODOFO_VERSION_MAJOR) + "." +
                           std::to_string(PODOFO_VERSION_MINOR) + "." +
                           std::to_string(PODOFO_VERSION_PATCH)}};
}

} // namespace ow::signing
