// Internal: the SQLite functions of SQLCipher, resolved from libsqlcipher when the first cache is
// opened. Not linked: a command that never opens the cache (sign, verify, card, scan …) would
// otherwise map libsqlcipher and the libdl/libpthread stubs it pulls in and bind them at start-up.
//
// Loaded with RTLD_LOCAL, so SQLCipher's sqlite3_* symbols never interpose on a plain libsqlite3
// that some other library of the process uses, and when a plain libsqlite3 is already loaded,
// with RTLD_DEEPBIND so that SQLCipher binds to its own functions, not to that one. A program that
// links libsqlcipher itself (the GUI, the tests) gets that already-loaded copy.
#pragma once

#include <sqlite3.h>

namespace ow::core::detail {

#define OW_SQLITE_FUNCTIONS(X)                                                                     \
    X(sqlite3_bind_blob)                                                                           \
    X(sqlite3_bind_int64)                                                                          \
    X(sqlite3_bind_null)                                                                           \
    X(sqlite3_bind_text)                                                                           \
    X(sqlite3_changes)                                                                             \
    X(sqlite3_clear_bindings)                                                                      \
    X(sqlite3_close)                                                                               \
    X(sqlite3_close_v2)                                                                            \
    X(sqlite3_column_blob)                                                                         \
    X(sqlite3_column_bytes)                                                                        \
    X(sqlite3_column_int64)                                                                        \
    X(sqlite3_column_text)                                                                         \
    X(sqlite3_column_type)                                                                         \
    X(sqlite3_errmsg)                                                                              \
    X(sqlite3_errstr)                                                                              \
    X(sqlite3_exec)                                                                                \
    X(sqlite3_finalize)                                                                            \
    X(sqlite3_free)                                                                                \
    X(sqlite3_initialize)                                                                          \
    X(sqlite3_last_insert_rowid)                                                                   \
    X(sqlite3_libversion)                                                                          \
    X(sqlite3_open_v2)                                                                             \
    X(sqlite3_prepare_v2)                                                                          \
    X(sqlite3_reset)                                                                               \
    X(sqlite3_sql)                                                                                 \
    X(sqlite3_step)

struct SqliteApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_SQLITE_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
    // sqlite3_key: SQLCipher only (null with plain SQLite, which Database::open refuses anyway).
    int (*sqlite3_key)(sqlite3*, const void*, int) = nullptr;
    // The handle of the loaded library (for SQLCipher's own sqlcipher_* functions), or null.
    void* library = nullptr;
};

// Loads the library on the first call. Throws CoreError(CacheRefused) when it is missing.
const SqliteApi& sqlite();

} // namespace ow::core::detail
