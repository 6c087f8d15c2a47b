// Versions of the libraries behind scanning, for `onewindow-cli doctor` and Settings.
#include "dynlib.h"
#include "ow/devices/scanner.h"

#include <cstdio>
#include <jpeglib.h>
#include <podofo/podofo.h>
#include <sane/sane.h>
#include <tiffio.h>

namespace ow::devices {

std::vector<std::pair<std::string, std::string>> scan_library_versions() {
    std::vector<std::pair<std::string, std::string>> out;
    char sane[32];
    std::snprintf(sane, sizeof sane, "%d.%d (frontend API)", SANE_CURRENT_MAJOR,
                  SANE_CURRENT_MINOR);
    out.emplace_back("SANE", sane);
    // Loads the libraries (as a scan would): a missing one is reported, not fatal.
    try {
        const auto& lept = detail::lept();
        char* version = lept.getLeptonicaVersion();
        out.emplace_back("leptonica", version ? version : "?");
        lept.lept_free(version);
    } catch (const std::exception& e) {
        out.emplace_back("leptonica", e.what());
    }
    try {
        out.emplace_back("tesseract", detail::tess().TessVersion());
    } catch (const std::exception& e) {
        out.emplace_back("tesseract", e.what());
    }
    std::string tiff = TIFFGetVersion();
    if (auto nl = tiff.find('\n'); nl != std::string::npos)
        tiff.resize(nl);
    out.emplace_back("libtiff", tiff);
    out.emplace_back("libjpeg", "API " + std::to_string(JPEG_LIB_VERSION));
    out.emplace_back("PoDoFo (scan PDF)", PODOFO_VERSION_STRING);
    return out;
}

} // namespace ow::devices
