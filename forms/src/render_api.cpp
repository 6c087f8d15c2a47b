#include "render_api.h"

#include "ow/forms/error.h"

#include <dlfcn.h>
#include <string>
#include <vector>

namespace ow::forms::detail {

const RenderApi& render_api() {
    // Kept loaded for the life of the process: pango and fontconfig keep caches and threads.
    static const RenderApi api = [] {
        std::vector<void*> handles;
        for (const char* soname : {"libcairo.so.2", "libpango-1.0.so.0", "libpangocairo-1.0.so.0",
                                   "libgobject-2.0.so.0", "libqrencode.so.4"}) {
            void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
            if (h == nullptr)
                throw FormsError(FormsErrorCode::Render,
                                 N_("Documents cannot be rendered: the library {library} is not "
                                    "installed."),
                                 {{"library", soname}});
            handles.push_back(h);
        }
        auto find = [&](const char* name) -> void* {
            for (void* h : handles)
                if (void* s = dlsym(h, name))
                    return s;
            throw FormsError(FormsErrorCode::Render,
                             N_("Documents cannot be rendered: {symbol} is missing."),
                             {{"symbol", name}});
        };
        RenderApi a;
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(find(#name));
        OW_FORMS_RENDER_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        return a;
    }();
    return api;
}

} // namespace ow::forms::detail
