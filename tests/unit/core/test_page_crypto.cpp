// OneWindow's SQLCipher page-crypto provider (client/core/src/page_crypto.cpp): it must be the one
// in use, and it must not change the file format — a cache it writes is read by Debian's stock
// `sqlcipher` shell (SQLCipher's own OpenSSL provider) and the other way round; a tampered page is
// still caught by the HMAC.
#include "fixture.h"
#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/error.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <sqlite3.h>
#include <string>
#include <sys/wait.h>

using namespace ow::core;

namespace {

std::string hex_key(const SecretBytes& key) {
    return "x'" + crypto::to_hex(key.data(), key.size()) + "'";
}

// Runs Debian's sqlcipher shell on `db` with `script` on standard input; returns its output.
std::string stock_sqlcipher(const std::filesystem::path& db, const std::string& script) {
    auto script_file = db.parent_path() / "script.sql";
    {
        std::ofstream out(script_file);
        out << script;
    }
    std::string command =
        "sqlcipher -batch '" + db.string() + "' < '" + script_file.string() + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        output.append(buffer, n);
    int status = ::pclose(pipe);
    std::filesystem::remove(script_file);
    BOOST_TEST_INFO("sqlcipher said: " << output);
    BOOST_REQUIRE(WIFEXITED(status));
    return output;
}

std::string first_text(Database& db, const std::string& sql) {
    Statement st(db.handle(), sql);
    return st.step() ? st.text(0) : std::string();
}

// A new cache written through Database::open (our provider): table t with `rows` rows.
void write_rows(const std::filesystem::path& path, const SecretBytes& key, int rows) {
    auto db = Database::open(path, key, Database::Mode::CreateNew);
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    db.exec("BEGIN");
    for (int i = 0; i < rows; ++i)
        db.exec("INSERT INTO t(v) VALUES('row-" + std::to_string(i) + "-" +
                std::string(20, static_cast<char>('a' + i % 26)) + "')");
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::string key_script(const SecretBytes& key) {
    return "PRAGMA key=\"" + hex_key(key) + "\";\nPRAGMA cipher_page_size=4096;\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(page_crypto)

BOOST_AUTO_TEST_CASE(onewindow_provider_encrypts_the_pages) {
    ow::test::TempDir dir;
    auto key = SecretBytes::random(32);
    auto db = Database::open(dir.path / "c.db", key, Database::Mode::CreateNew);
    BOOST_TEST(db.pragma_text("cipher_provider") == "onewindow-openssl");
    BOOST_TEST(db.pragma_text("cipher") == "AES-256-CBC");
    BOOST_TEST(db.pragma_text("cipher_provider_version").rfind("OpenSSL 3", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_cache_it_writes_is_read_by_stock_sqlcipher) {
    ow::test::TempDir dir;
    auto path = dir.path / "ours.db";
    auto key = SecretBytes::random(32);
    write_rows(path, key, 3000); // ~90 pages, so many pages go through the provider
    auto out = stock_sqlcipher(path, key_script(key) + "PRAGMA cipher_provider;\n"
                                                       "SELECT count(*), sum(length(v)) FROM t;\n"
                                                       "PRAGMA integrity_check;\n");
    BOOST_TEST(out.find("openssl\n") != std::string::npos); // the shell uses the stock provider
    BOOST_TEST(out.find("3000|") != std::string::npos);
    BOOST_TEST(out.find("ok\n") != std::string::npos);

    // A wrong key gets nothing out of it, with either provider.
    auto wrong =
        stock_sqlcipher(path, key_script(SecretBytes::random(32)) + "SELECT count(*) FROM t;\n");
    BOOST_TEST(wrong.find("3000") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cache_stock_sqlcipher_writes_is_read_here) {
    ow::test::TempDir dir;
    auto path = dir.path / "stock.db";
    auto key = SecretBytes::random(32);
    stock_sqlcipher(path, key_script(key) +
                              "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n"
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                              "WHERE i < 2500) INSERT INTO t(v) SELECT printf('stock-%05d', i) "
                              "FROM n;\n");
    BOOST_REQUIRE(std::filesystem::exists(path));
    auto db = Database::open(path, key, Database::Mode::OpenExisting);
    BOOST_TEST(first_text(db, "SELECT count(*) FROM t") == "2500");
    BOOST_TEST(first_text(db, "SELECT v FROM t WHERE id = 1234") == "stock-01234");
    BOOST_TEST(db.check_integrity(true) == "ok");
}

BOOST_AUTO_TEST_CASE(a_tampered_page_is_caught_by_the_hmac) {
    ow::test::TempDir dir;
    auto path = dir.path / "t.db";
    auto key = SecretBytes::random(32);
    write_rows(path, key, 2000);
    {
        // Flip one bit in the ciphertext of page 5 (a table page).
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(4 * 4096 + 100);
        char c = 0;
        f.get(c);
        f.seekp(4 * 4096 + 100);
        f.put(static_cast<char>(c ^ 0x01));
    }
    auto db = Database::open(path, key, Database::Mode::OpenExisting);
    bool refused = false;
    try {
        first_text(db, "SELECT sum(length(v)) FROM t");
    } catch (const CoreError& e) {
        refused = true;
        BOOST_TEST((e.code() == ErrorCode::CacheCorrupt));
    }
    BOOST_TEST(refused);
}

BOOST_AUTO_TEST_SUITE_END()
