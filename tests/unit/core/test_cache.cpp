#include "fixture.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/key_file.h"
#include "ow/core/user_service.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sqlite3.h>

using namespace ow::core;
using ow::test::pw;
using ow::test::slurp;

namespace {
ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const CoreError& e) {
        return e.code();
    }
    BOOST_FAIL("expected a CoreError");
    return ErrorCode::InvalidArgument;
}
} // namespace

BOOST_FIXTURE_TEST_SUITE(cache, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(opens_encrypted_with_sqlcipher_and_4k_pages) {
    auto s = admin();
    BOOST_TEST(!s->db().cipher_version().empty());
    BOOST_TEST(s->db().pragma_text("cipher_page_size") == "4096");
    BOOST_TEST(s->db().pragma_text("journal_mode") == "wal");
    BOOST_TEST(s->db().pragma_text("cache_size") == "-65536");
    BOOST_TEST(!has_plaintext_sqlite_header(s->paths().database()));
}

BOOST_AUTO_TEST_CASE(wrong_password_is_refused_and_changes_nothing) {
    WorkstationPaths p{dir.path / "ws"};
    std::string db_before = slurp(p.database()), keys_before = slurp(p.key_file());
    BOOST_TEST((code_of([&] { login("clerk1", "not-the-password"); }) == ErrorCode::WrongPassword));
    BOOST_TEST((code_of([&] { login("nobody", "clerk-pass-1"); }) == ErrorCode::WrongPassword));
    BOOST_TEST(slurp(p.database()) == db_before);
    BOOST_TEST(slurp(p.key_file()) == keys_before);
}

BOOST_AUTO_TEST_CASE(password_change_rewraps_the_same_key) {
    auto s = clerk();
    std::string key_before(s->data_key().data(), s->data_key().data() + s->data_key().size());
    UserService(*s).change_password(pw("clerk-pass-1"), pw("clerk-pass-2"));
    BOOST_CHECK_THROW(UserService(*s).change_password(pw("wrong-old-1"), pw("clerk-pass-3")),
                      CoreError);
    s.reset();
    BOOST_TEST((code_of([&] { login("clerk1", "clerk-pass-1"); }) == ErrorCode::WrongPassword));
    auto again = login("clerk1", "clerk-pass-2");
    std::string key_after(again->data_key().data(),
                          again->data_key().data() + again->data_key().size());
    BOOST_TEST(key_after == key_before); // re-wrapped, database not re-encrypted
    BOOST_TEST(!again->user().must_change_password);
}

BOOST_AUTO_TEST_CASE(corrupted_database_gives_a_clear_error_and_is_not_overwritten) {
    WorkstationPaths p{dir.path / "ws"};
    {
        auto s = admin();
        s->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    std::string bytes = slurp(p.database());
    for (std::size_t i = 100; i < 200; ++i)
        bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
    {
        std::ofstream out(p.database(), std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    try {
        admin();
        BOOST_FAIL("a damaged cache must not open");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::CacheCorrupt));
        BOOST_TEST(std::string(e.what()).find("damaged") != std::string::npos);
    }
    BOOST_TEST(slurp(p.database()) == bytes);
}

BOOST_AUTO_TEST_CASE(plaintext_database_is_refused) {
    WorkstationPaths p{dir.path / "ws"};
    std::filesystem::remove(p.database());
    std::filesystem::remove(p.database().string() + "-wal");
    std::filesystem::remove(p.database().string() + "-shm");
    sqlite3* raw = nullptr;
    sqlite3_open(p.database().c_str(), &raw); // no key: a plaintext file
    sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES ('marker')", nullptr, nullptr,
                 nullptr);
    sqlite3_close(raw);
    BOOST_TEST(has_plaintext_sqlite_header(p.database()));
    try {
        admin();
        BOOST_FAIL("a plaintext cache must be refused");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::CacheRefused));
        BOOST_TEST(std::string(e.what()).find("unencrypted") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(missing_database_is_never_recreated) {
    WorkstationPaths p{dir.path / "ws"};
    std::filesystem::remove(p.database());
    std::filesystem::remove(p.database().string() + "-wal");
    std::filesystem::remove(p.database().string() + "-shm");
    BOOST_TEST((code_of([&] { admin(); }) == ErrorCode::NotInitialised));
    BOOST_TEST(!std::filesystem::exists(p.database()));
}

BOOST_AUTO_TEST_CASE(damaged_key_file_is_reported) {
    WorkstationPaths p{dir.path / "ws"};
    {
        std::ofstream out(p.key_file(), std::ios::trunc);
        out << "{\"format\": 1, \"users\": 7}";
    }
    BOOST_TEST((code_of([&] { admin(); }) == ErrorCode::CacheCorrupt));
}

BOOST_AUTO_TEST_CASE(second_initialisation_is_refused) {
    InitOptions options;
    options.admin_name = "other";
    options.kdf_target_ms = 1;
    BOOST_TEST((code_of([&] {
                    Workstation::initialise(dir.path / "ws", options, pw("other-pass-1"));
                }) == ErrorCode::AlreadyExists));
    auto s = admin(); // the original still opens
    BOOST_TEST(s->user().name == "admin");
}

BOOST_AUTO_TEST_CASE(no_plaintext_marker_in_any_file) {
    const std::string marker = "MARKER-欧阳明月-110105194912310021";
    {
        auto s = admin();
        Transaction tx(s->db());
        s->db()
            .prepare("INSERT INTO persons VALUES (?, ?, 'female', '1949-12-31', ?, '', 'test', '')")
            .bind(1, std::string("110105194912310021"))
            .bind(2, marker)
            .bind(3, marker)
            .run();
        tx.commit();
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path)) {
        if (!entry.is_regular_file())
            continue;
        std::string content = slurp(entry.path());
        BOOST_TEST(content.find(marker) == std::string::npos, entry.path());
        BOOST_TEST(content.find("110105194912310021") == std::string::npos, entry.path());
    }
}

BOOST_AUTO_TEST_SUITE_END()
