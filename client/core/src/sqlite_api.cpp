#include "sqlite_api.h"

#ifndef OW_SQLITE_LINKED
#include "ow/core/error.h"

#include <dlfcn.h>
#include <string>
#endif

namespace ow::core::detail {

#ifdef OW_SQLITE_LINKED
// Built into a program that links its SQLite itself (the plain-SQLite cache benchmark).
const SqliteApi& sqlite() {
    static const SqliteApi api = [] {
        SqliteApi a;
#define OW_TAKE(name) a.name = &::name;
        OW_SQLITE_FUNCTIONS(OW_TAKE)
#undef OW_TAKE
        return a;
    }();
    return api;
}
#else
namespace {

constexpr const char* kLibrary = "libsqlcipher.so.0";

SqliteApi load() {
    void* h = dlopen(kLibrary, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) {
        int flags = RTLD_NOW | RTLD_LOCAL;
        if (void* plain = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_NOLOAD)) {
            dlclose(plain);
            flags |= RTLD_DEEPBIND;
        }
        h = dlopen(kLibrary, flags);
    }
    if (h == nullptr) {
        const char* why = dlerror();
        throw CoreError(ErrorCode::CacheRefused,
                        N_("The encrypted cache cannot be used: {library} is not installed "
                           "({detail}). Reinstall OneWindow."),
                        {{"library", kLibrary}, {"detail", why ? why : "dlopen failed"}});
    }
    SqliteApi a;
    a.library = h;
    auto find = [h](const char* name) {
        void* f = dlsym(h, name);
        if (f == nullptr)
            throw CoreError(ErrorCode::CacheRefused,
                            N_("The encrypted cache cannot be used: {library} has no {function}. "
                               "Reinstall OneWindow."),
                            {{"library", kLibrary}, {"function", name}});
        return f;
    };
#define OW_RESOLVE(name) a.name = reinterpret_cast<decltype(a.name)>(find(#name));
    OW_SQLITE_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
    a.sqlite3_key = reinterpret_cast<decltype(a.sqlite3_key)>(dlsym(h, "sqlite3_key"));
    return a;
}

} // namespace

const SqliteApi& sqlite() {
    static const SqliteApi api = load();
    return api;
}
#endif

} // namespace ow::core::detail
