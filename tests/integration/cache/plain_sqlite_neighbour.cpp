// A process that already uses plain SQLite (linked here, as a GTK module or another library might
// bring it) opens the encrypted workstation cache. libsqlcipher is then loaded with RTLD_DEEPBIND
// (client/core/src/sqlite_api.h): SQLCipher must bind to its own sqlite3_* functions, not to
// libsqlite3's, and the plain SQLite user must keep working. Exit 0 when everything holds; the
// first failed check is printed. Not a unit test: sanitizers refuse RTLD_DEEPBIND.
#include "ow/core/database.h"
#include "ow/core/secret.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sqlite3.h>
#include <string>
#include <unistd.h>

namespace {

int failures = 0;
int checks = 0;

void check(bool ok, const std::string& what) {
    ++checks;
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
    if (!ok)
        ++failures;
}

std::string first_text(sqlite3* db, const char* sql) {
    sqlite3_stmt* st = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        value = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return value;
}

} // namespace

int main() {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("ow-plain-neighbour-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    // The plain SQLite user: its library is in the process before the cache is opened.
    sqlite3* plain = nullptr;
    check(sqlite3_open((dir / "plain.db").c_str(), &plain) == SQLITE_OK, "plain SQLite opens");
    check(sqlite3_exec(plain, "CREATE TABLE t(v); INSERT INTO t VALUES('plain-marker')", nullptr,
                       nullptr, nullptr) == SQLITE_OK,
          "plain SQLite writes");
    const std::string plain_version = sqlite3_libversion();

    {
        auto key = ow::core::SecretBytes::random(32);
        auto db =
            ow::core::Database::open(dir / "cache.db", key, ow::core::Database::Mode::CreateNew);
        check(db.cipher_version() == "3.4.1",
              "the cache is SQLCipher 3.4.1 (cipher_version '" + db.cipher_version() + "')");
        check(db.pragma_text("cipher_provider") == "onewindow-openssl",
              "OneWindow's page-crypto provider is in use");
        db.exec("CREATE TABLE secret(v TEXT)");
        db.exec("INSERT INTO secret VALUES('cache-marker-4711')");
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        check(db.check_integrity(true) == "ok", "the cache passes integrity_check");
    }
    std::ifstream in(dir / "cache.db", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check(bytes.rfind("SQLite format 3", 0) != 0, "the cache file has no plaintext header");
    check(bytes.find("cache-marker-4711") == std::string::npos, "the marker is not in plaintext");

    // The plain user is unaffected: same library, still its own data and version.
    check(std::string(sqlite3_libversion()) == plain_version && plain_version.rfind("3.4", 0) == 0,
          "plain SQLite is still " + plain_version);
    check(first_text(plain, "SELECT v FROM t") == "plain-marker", "plain SQLite still reads");
    check(first_text(plain, "PRAGMA cipher_version").empty(),
          "plain SQLite did not turn into SQLCipher");
    sqlite3_close(plain);
    fs::remove_all(dir);
    std::printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
