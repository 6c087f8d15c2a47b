#include "dynlib.h"

#include "ow/devices/page_pipeline.h"
#include "ow/devices/scanner.h"

#include <dlfcn.h>
#include <string>

namespace ow::devices::detail {

namespace {

// Kept loaded for the life of the process (tesseract keeps its language data and threads).
void* open_library(const char* soname, const char* purpose) {
    void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr)
        throw PipelineError(std::string(purpose) + " is not possible: the library " + soname +
                            " is not installed");
    return h;
}

void* symbol(void* handle, const char* soname, const char* name) {
    void* s = dlsym(handle, name);
    if (s == nullptr)
        throw PipelineError(std::string("the library ") + soname + " has no " + name);
    return s;
}

// The API struct of one library, resolved once; `fill` sets every member through `find`.
template <typename Api, typename Fill>
const Api& loaded(const char* soname, const char* purpose, Fill fill) {
    static const Api api = [&] {
        void* h = open_library(soname, purpose);
        Api a;
        fill(a, [h, soname](const char* name) { return symbol(h, soname, name); });
        return a;
    }();
    return api;
}

} // namespace

const SaneApi& sane() {
    try {
        return loaded<SaneApi>("libsane.so.1", "Scanning", [](SaneApi& a, auto find) {
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(find(#name));
            OW_DEVICES_SANE_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        });
    } catch (const PipelineError& e) {
        throw ScanError(ScanErrorKind::NoDevice, e.what());
    }
}

const LeptonicaApi& lept() {
    return loaded<LeptonicaApi>("liblept.so.5", "Image processing", [](LeptonicaApi& a, auto find) {
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(find(#name));
        OW_DEVICES_LEPTONICA_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        // Leptonica prints to stderr on every soft failure; the pipeline reports through
        // exceptions.
        a.setMsgSeverity(L_SEVERITY_NONE);
    });
}

const TesseractApi& tess() {
    return loaded<TesseractApi>("libtesseract.so.5", "Text recognition (OCR)",
                                [](TesseractApi& a, auto find) {
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(find(#name));
                                    OW_DEVICES_TESSERACT_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
                                });
}

} // namespace ow::devices::detail
