#include "dynlib.h"

#include <dlfcn.h>

namespace ow::signing::detail {

DynamicLibraries::DynamicLibraries(std::initializer_list<const char*> sonames, ErrorCode code,
                                   const char* purpose)
    : code_(code), purpose_(purpose) {
    for (const char* so : sonames) {
        void* h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char* e = dlerror();
            for (void* o : handles_)
                dlclose(o);
            throw SigningError(code, std::string(purpose) + " needs " + so +
                                         ", which cannot be loaded: " + (e ? e : "not found"));
        }
        handles_.push_back(h);
    }
}

DynamicLibraries::~DynamicLibraries() {
    for (void* h : handles_)
        dlclose(h);
}

void* DynamicLibraries::symbol(const char* name) const {
    for (void* h : handles_)
        if (void* s = dlsym(h, name))
            return s;
    throw SigningError(code_, purpose_ + ": symbol " + name + " is missing from its library");
}

} // namespace ow::signing::detail
