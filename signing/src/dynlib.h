// Internal: optional libraries loaded on first use (dlopen), so that a process that only signs
// invisibly or verifies does not map cairo, pango, glib, X11 or libcurl and its TLS stack. That
// halves the start-up time of onewindow-cli. The prototypes still come from the real headers.
#pragma once

#include "ow/signing/error.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace ow::signing::detail {

class DynamicLibraries {
public:
    // Opens every soname (RTLD_NOW | RTLD_LOCAL); throws SigningError(code) naming the first
    // library that is missing.
    DynamicLibraries(std::initializer_list<const char*> sonames, ErrorCode code,
                     const char* purpose);
    ~DynamicLibraries();
    DynamicLibraries(const DynamicLibraries&) = delete;
    DynamicLibraries& operator=(const DynamicLibraries&) = delete;
    // The symbol from the first library that has it; throws when none has.
    void* symbol(const char* name) const;

private:
    std::vector<void*> handles_;
    ErrorCode code_;
    std::string purpose_;
};

} // namespace ow::signing::detail
