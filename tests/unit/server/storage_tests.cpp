#define BOOST_TEST_MODULE onewindow_server
#include "publication.h"
#include "storage.h"
#include "test_support.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

using namespace ow::server;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(storage)

BOOST_AUTO_TEST_CASE(transactions_commit_and_roll_back) {
    test::TempDir dir;
    auto storage = open_sqlite_storage(dir.path / "s.db");
    {
        auto tx = storage->begin();
        tx->exec("INSERT INTO meta(key, value) VALUES (?, ?)",
                 {std::string("a"), std::string("1")});
        tx->commit();
    }
    {
        auto tx = storage->begin();
        tx->exec("INSERT INTO meta(key, value) VALUES (?, ?)",
                 {std::string("b"), std::string("2")});
        tx->publish("person", "x", "upsert", "{}");
        // destroyed without commit: rolled back, its sequence number released
    }
    auto tx = storage->begin(TxMode::Read);
    BOOST_TEST(tx->query_all("SELECT key FROM meta").size() == 1u);
    BOOST_TEST(tx->query_one("SELECT COUNT(*) FROM changes")->int64(0) == 0);
    BOOST_TEST(storage->sequencer().horizon() == 2); // seq 1 was abandoned, nothing is held
}

BOOST_AUTO_TEST_CASE(records_are_versioned_by_their_change) {
    test::TempDir dir;
    auto storage = open_sqlite_storage(dir.path / "s.db");
    std::int64_t v1, v2;
    {
        auto tx = storage->begin();
        v1 = upsert_record(*tx, "user", "li", R"({"name":"li","role":"clerk"})");
        v2 = upsert_record(*tx, "user", "li", R"({"name":"li","role":"officer"})");
        tx->commit();
    }
    BOOST_TEST(v2 > v1);
    json page = json::parse(changes_page(*storage, 0, 10));
    BOOST_TEST(page["changes"].size() == 2u);
    BOOST_TEST(page["next_cursor"] == std::to_string(v2));
    json snap = json::parse(snapshot_page(*storage, "user", "", 10));
    BOOST_TEST(snap["records"].size() == 1u);
    BOOST_TEST(snap["records"][0]["version"] == v2);
    BOOST_TEST(snap["records"][0]["data"]["role"] == "officer");
    BOOST_TEST(snap["cursor"] == std::to_string(v2));
}

BOOST_AUTO_TEST_CASE(snapshot_pages_cover_every_record_once) {
    test::TempDir dir;
    auto storage = open_sqlite_storage(dir.path / "s.db");
    import_demo(*storage, "person", 2345);
    std::set<std::string> seen;
    std::string after;
    std::string first_cursor;
    for (;;) {
        json page = json::parse(snapshot_page(*storage, "person", after, 1000));
        if (first_cursor.empty())
            first_cursor = page["cursor"];
        for (const auto& r : page["records"])
            BOOST_TEST(seen.insert(r["id"].get<std::string>()).second);
        after = page["next_after"];
        if (!page["has_more"].get<bool>())
            break;
    }
    BOOST_TEST(seen.size() == 2345u);
    BOOST_TEST(first_cursor == "2345");
    json deltas = json::parse(changes_page(*storage, std::stoll(first_cursor), 10));
    BOOST_TEST(deltas["changes"].empty());
}

BOOST_AUTO_TEST_CASE(changes_committed_by_another_process_are_served) {
    test::TempDir dir;
    auto server = open_sqlite_storage(dir.path / "s.db");
    auto admin = open_sqlite_storage(dir.path / "s.db"); // as `onewindow-server import` would
    {
        auto tx = server->begin();
        upsert_record(*tx, "user", "a", R"({"name":"a"})");
        tx->commit();
    }
    {
        auto tx = admin->begin();
        upsert_record(*tx, "user", "b", R"({"name":"b"})");
        tx->commit();
    }
    {
        auto tx = server->begin();
        upsert_record(*tx, "user", "c", R"({"name":"c"})");
        tx->commit();
    }
    json page = json::parse(changes_page(*server, 0, 10));
    BOOST_TEST_REQUIRE(page["changes"].size() == 3u);
    BOOST_TEST(page["changes"][0]["seq"] == 1);
    BOOST_TEST(page["changes"][1]["seq"] == 2);
    BOOST_TEST(page["changes"][2]["seq"] == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(change_feed)

// The pitfall of notes §4: a sequence number is taken when a change is published, not when the
// transaction commits. Writer A takes seq 1, writer B takes seq 2 and commits first; a reader
// polling in between must not move its cursor past 1, or A's change would be skipped forever.
BOOST_AUTO_TEST_CASE(late_commit) {
    test::TempDir dir;
    auto storage = open_sqlite_storage(dir.path / "s.db");
    // Both writers are open at once. (Write transactions of the SQLite backend take the database
    // lock at BEGIN; these publish-only transactions take it at COMMIT, which lets two of them
    // be open together as on a database with concurrent writers.)
    auto writer_a = storage->begin(TxMode::Read);
    auto writer_b = storage->begin(TxMode::Read);
    std::int64_t seq_a = writer_a->publish("person", "A", "upsert", R"({"who":"A"})");
    std::int64_t seq_b = writer_b->publish("person", "B", "upsert", R"({"who":"B"})");
    BOOST_TEST_REQUIRE(seq_a < seq_b);
    writer_b->commit(); // the higher number commits first

    // What a naive reader (`WHERE seq > cursor`) sees now: only B — it would move to seq_b.
    {
        auto tx = storage->begin(TxMode::Read);
        auto rows = tx->query_all("SELECT seq FROM changes WHERE seq > 0 ORDER BY seq");
        BOOST_TEST_REQUIRE(rows.size() == 1u);
        BOOST_TEST(rows[0].int64(0) == seq_b);
    }
    // The feed holds B back while A is open: the cursor does not move past A's number.
    json poll = json::parse(changes_page(*storage, 0, 100));
    BOOST_TEST(poll["changes"].empty());
    BOOST_TEST(poll["next_cursor"] == "0");

    // A commits late from another thread, while a reader keeps polling.
    std::thread late([&] { writer_a->commit(); });
    late.join();
    json after = json::parse(
        changes_page(*storage, std::stoll(poll["next_cursor"].get<std::string>()), 100));
    BOOST_TEST_REQUIRE(after["changes"].size() == 2u);
    BOOST_TEST(after["changes"][0]["id"] == "A");
    BOOST_TEST(after["changes"][1]["id"] == "B");
}

// Many writers with random commit delays, readers paging all the time: every committed change
// reaches every reader exactly once, in seq order.
BOOST_AUTO_TEST_CASE(concurrent_writers_and_readers_see_every_change_once) {
    test::TempDir dir;
    auto storage = open_sqlite_storage(dir.path / "s.db");
    constexpr int kWriters = 4, kPerWriter = 60;
    std::atomic<bool> done{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            std::mt19937 rng(static_cast<unsigned>(w));
            for (int i = 0; i < kPerWriter; ++i) {
                auto tx = storage->begin(TxMode::Read);
                tx->publish("entity", std::to_string(w) + "-" + std::to_string(i), "upsert", "{}");
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
                if (rng() % 10 == 0)
                    continue; // rolled back: its number is abandoned
                tx->commit();
            }
        });
    std::vector<std::vector<std::string>> seen(2);
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r)
        readers.emplace_back([&, r] {
            std::int64_t cursor = 0;
            for (;;) {
                bool finished = done.load();
                json page = json::parse(changes_page(*storage, cursor, 7));
                for (const auto& c : page["changes"]) {
                    BOOST_TEST(c["seq"].get<std::int64_t>() > cursor);
                    seen[static_cast<std::size_t>(r)].push_back(c["id"]);
                }
                cursor = std::stoll(page["next_cursor"].get<std::string>());
                if (finished && !page["has_more"].get<bool>())
                    break;
            }
        });
    for (auto& t : writers)
        t.join();
    done = true;
    for (auto& t : readers)
        t.join();
    auto tx = storage->begin(TxMode::Read);
    auto committed = tx->query_one("SELECT COUNT(*) FROM changes")->int64(0);
    for (const auto& s : seen) {
        BOOST_TEST(static_cast<std::int64_t>(s.size()) == committed);
        BOOST_TEST(std::set<std::string>(s.begin(), s.end()).size() == s.size());
    }
}

BOOST_AUTO_TEST_SUITE_END()
