// Sync engine policy without a server: backoff, per-item results, dead letters, page + cursor
// atomicity, outbox administration. The end-to-end behaviour against the real server is in
// tests/integration/sync.
#include "fixture.h"
#include "ow/core/audit.h"
#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/sync_engine.h"

#include <boost/test/unit_test.hpp>
#include <set>

using namespace ow::core;

namespace {

CaseDraft draft(int i) {
    CaseDraft d;
    d.applicant_kind = "person";
    d.applicant_id = "11010519491231002X";
    d.applicant_name = "王芳" + std::to_string(i);
    d.items = {"ITEM-1"};
    d.catalog_version = "test-1";
    d.promised_date = "2026-12-10";
    return d;
}

std::vector<std::string> mutation_ids(Session& s) {
    std::vector<std::string> ids;
    auto st = s.db().prepare("SELECT mutation_id FROM outbox ORDER BY created_at, rowid");
    while (st.step())
        ids.push_back(st.text(0));
    return ids;
}

std::string state_of(Session& s, const std::string& id) {
    auto st = s.db().prepare("SELECT state FROM outbox WHERE mutation_id = ?");
    st.bind(1, id);
    return st.step() ? st.text(0) : "";
}

std::int64_t scalar(Session& s, const std::string& sql) {
    auto st = s.db().prepare(sql);
    st.step();
    return st.int64(0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sync_policy)

BOOST_AUTO_TEST_CASE(backoff_is_exponential_capped_and_jittered) {
    BackoffPolicy p;
    p.base = std::chrono::milliseconds(1000);
    p.cap = std::chrono::milliseconds(60000);
    BOOST_TEST(p.ceiling(1).count() == 1000);
    BOOST_TEST(p.ceiling(2).count() == 2000);
    BOOST_TEST(p.ceiling(4).count() == 8000);
    BOOST_TEST(p.ceiling(7).count() == 60000); // 64 s capped
    BOOST_TEST(p.ceiling(60).count() == 60000);
    std::mt19937_64 random(42);
    std::set<long long> seen;
    for (int i = 0; i < 200; ++i) {
        auto d = p.delay(5, random).count();
        BOOST_TEST(d >= 0);
        BOOST_TEST(d <= 16000);
        seen.insert(d / 1000);
    }
    BOOST_TEST(seen.size() > 8u); // spread over the whole window (full jitter), not one value
}

BOOST_AUTO_TEST_CASE(unknown_status_is_retried) {
    BOOST_TEST((item_status_from_string("applied") == ItemStatus::Applied));
    BOOST_TEST((item_status_from_string("conflict") == ItemStatus::Conflict));
    BOOST_TEST((item_status_from_string("rejected") == ItemStatus::Rejected));
    BOOST_TEST((item_status_from_string("something-new") == ItemStatus::Retry));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(sync_engine, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(batch_results_are_applied_per_item) {
    auto c = clerk();
    CaseService cases(*c);
    for (int i = 0; i < 4; ++i)
        cases.create(draft(i));
    auto ids = mutation_ids(*c);
    BOOST_REQUIRE(ids.size() == 4u);
    SyncEngine engine(*c);
    SyncReport report;
    engine.apply_results({{ids[0], ItemStatus::Applied, "", 1},
                          {ids[1], ItemStatus::Conflict, "stale base_revision", std::nullopt},
                          {ids[2], ItemStatus::Rejected, "illegal-transition", std::nullopt},
                          {ids[3], ItemStatus::Retry, "blobs not complete", std::nullopt},
                          {"not-ours", ItemStatus::Applied, "", 1}},
                         report);
    BOOST_TEST(state_of(*c, ids[0]) == "done");
    BOOST_TEST(state_of(*c, ids[1]) == "conflict");
    BOOST_TEST(state_of(*c, ids[2]) == "dead");
    BOOST_TEST(state_of(*c, ids[3]) == "pending");
    BOOST_TEST(report.applied == 1);
    BOOST_TEST(report.conflicts == 1);
    BOOST_TEST(report.rejected == 1);
    BOOST_TEST(report.dead_lettered == 1);
    BOOST_TEST(report.retried == 1);
    BOOST_TEST(scalar(*c, "SELECT count(*) FROM sync_dead_letters") == 1);
    auto st = c->db().prepare("SELECT attempts, next_attempt_at IS NOT NULL, last_error FROM "
                              "outbox WHERE mutation_id = ?");
    st.bind(1, ids[3]);
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.int64(0) == 1);
    BOOST_TEST(st.int64(1) == 1);
    BOOST_TEST(st.text(2) == "blobs not complete");
    auto status = read_sync_status(*c);
    BOOST_TEST(status.pending == 1);
    BOOST_TEST(status.conflicts == 1);
    BOOST_TEST(status.dead == 1);
}

BOOST_AUTO_TEST_CASE(an_item_that_keeps_failing_becomes_a_dead_letter_and_blocks_nothing) {
    auto c = clerk();
    CaseService cases(*c);
    cases.create(draft(1));
    cases.create(draft(2));
    auto ids = mutation_ids(*c);
    SyncOptions options;
    options.backoff.max_attempts = 3;
    SyncEngine engine(*c, options);
    SyncReport report;
    for (int i = 0; i < 3; ++i)
        engine.apply_results({{ids[0], ItemStatus::Retry, "server busy", std::nullopt}}, report);
    engine.apply_results({{ids[1], ItemStatus::Applied, "", 1}}, report);
    BOOST_TEST(state_of(*c, ids[0]) == "dead");
    BOOST_TEST(state_of(*c, ids[1]) == "done");
    BOOST_TEST(report.retried == 2);
    BOOST_TEST(report.dead_lettered == 1);
    auto entries = OutboxAdmin(*c).list();
    BOOST_REQUIRE(entries.size() == 1u);
    BOOST_TEST(entries[0].state == "dead");
    BOOST_TEST(entries[0].attempts == 3);
    // Retry moves it back to the queue, without backoff.
    OutboxAdmin(*c).retry(ids[0]);
    BOOST_TEST(state_of(*c, ids[0]) == "pending");
    BOOST_TEST(scalar(*c, "SELECT count(*) FROM sync_dead_letters") == 0);
}

BOOST_AUTO_TEST_CASE(a_page_and_its_cursor_commit_together) {
    auto a = admin();
    SyncEngine engine(*a);
    engine.apply_page("changes", "delta", "10",
                      {{"person", "110101199001011234", "upsert",
                        R"({"name":"甲","gender":"male","birth_date":"1990-01-01"})"},
                       {"catalog", "2026.1", "upsert", R"({"version":"2026.1"})"}});
    BOOST_TEST(engine.cursor("changes").value_or("") == "10");
    BOOST_TEST(scalar(*a, "SELECT count(*) FROM persons") == 1);
    BOOST_TEST(scalar(*a, "SELECT count(*) FROM sync_records WHERE kind = 'catalog'") == 1);

    // A record that cannot be stored in the middle of the next page: nothing of the page and
    // not its cursor are kept, so the page is fetched and applied again next time.
    a->db().exec("CREATE TRIGGER poison BEFORE INSERT ON persons WHEN NEW.name = 'POISON' "
                 "BEGIN SELECT RAISE(ABORT, 'poison record'); END");
    BOOST_CHECK_THROW(
        engine.apply_page("changes", "delta", "20",
                          {{"person", "110101199001011235", "upsert", R"({"name":"乙"})"},
                           {"person", "110101199001011236", "upsert", R"({"name":"POISON"})"}}),
        std::exception);
    BOOST_TEST(engine.cursor("changes").value_or("") == "10");
    BOOST_TEST(scalar(*a, "SELECT count(*) FROM persons") == 1);

    // Applying the same page twice is harmless; deletes are tombstones.
    a->db().exec("DROP TRIGGER poison");
    std::vector<ServerRecord> page = {
        {"person", "110101199001011235", "upsert", R"({"name":"乙"})"},
        {"person", "110101199001011234", "delete", "{}"}};
    engine.apply_page("changes", "delta", "20", page);
    engine.apply_page("changes", "delta", "20", page);
    BOOST_TEST(engine.cursor("changes").value_or("") == "20");
    BOOST_TEST(scalar(*a, "SELECT count(*) FROM persons") == 1);
}

BOOST_AUTO_TEST_CASE(server_case_changes_update_local_cases_unless_a_local_change_is_pending) {
    auto c = clerk();
    auto stored = CaseService(*c).create(draft(1));
    SyncEngine engine(*c);
    std::string change = R"({"id":")" + stored.id + R"(","state":"approved","revision":2})";
    // Our create is still pending: the server's view waits until it is acknowledged.
    engine.apply_page("changes", "delta", "1", {{"case", stored.id, "upsert", change}});
    BOOST_TEST(CaseService(*c).find(stored.case_number)->state == "accepted");
    auto ids = mutation_ids(*c);
    SyncReport report;
    engine.apply_results({{ids[0], ItemStatus::Applied, "", 1}}, report);
    engine.apply_page("changes", "delta", "2", {{"case", stored.id, "upsert", change}});
    BOOST_TEST(CaseService(*c).find(stored.case_number)->state == "approved");
    // An older revision never goes back.
    engine.apply_page("changes", "delta", "3",
                      {{"case", stored.id, "upsert",
                        R"({"id":")" + stored.id + R"(","state":"accepted","revision":1})"}});
    BOOST_TEST(CaseService(*c).find(stored.case_number)->state == "approved");
    // A case taken in elsewhere arrives complete (an officer here decides it).
    engine.apply_page(
        "changes", "delta", "4",
        {{"case", "remote-1", "upsert",
          R"({"id":"remote-1","state":"accepted","revision":1,"case":{"id":"remote-1",)"
          R"("case_number":"20261128-B-00001","applicant":{"kind":"person","id":"X","name":"Y"},)"
          R"("items":["ITEM-1"],"received_by":"clerk9","received_at":"t","promised_date":"d"}})"}});
    auto remote = CaseService(*c).find("20261128-B-00001");
    BOOST_REQUIRE(remote.has_value());
    BOOST_TEST(remote->state == "accepted");
    BOOST_TEST(remote->received_by == "remote:clerk9");
}

BOOST_AUTO_TEST_CASE(dropping_an_outbox_item_is_for_administrators_and_audited) {
    {
        auto c = clerk();
        CaseService(*c).create(draft(1));
        auto id = mutation_ids(*c)[0];
        BOOST_CHECK_THROW(OutboxAdmin(*c).drop(id), CoreError);
        BOOST_TEST(OutboxAdmin(*c).pending() == 1);
    }
    auto a = admin();
    auto id = mutation_ids(*a)[0];
    OutboxAdmin(*a).drop(id);
    BOOST_TEST(OutboxAdmin(*a).pending() == 0);
    BOOST_TEST(scalar(*a, "SELECT count(*) FROM audit_events WHERE action = 'sync.outbox.drop'") ==
               1);
    BOOST_CHECK_THROW(OutboxAdmin(*a).drop(id), CoreError);
}

BOOST_AUTO_TEST_CASE(sync_needs_a_server_and_fails_closed_without_losing_anything) {
    auto a = admin();
    {
        SyncEngine engine(*a);
        BOOST_CHECK_THROW(engine.run(), CoreError); // not configured
    }
    BOOST_CHECK_THROW(SyncEngine::configure(*a, "http://127.0.0.1:1", "x"), CoreError);
    BOOST_CHECK_THROW(SyncEngine::configure(*a, "https://127.0.0.1:1", "not a pem"), CoreError);
    {
        auto c = clerk();
        BOOST_CHECK_THROW(
            SyncEngine::configure(*c, "https://127.0.0.1:1", "-----BEGIN CERTIFICATE-----\n"),
            CoreError);
    }
    SyncEngine::configure(*a, "https://127.0.0.1:1/v1/",
                          "-----BEGIN CERTIFICATE-----\nAA==\n"
                          "-----END CERTIFICATE-----\n");
    BOOST_TEST(SyncEngine::identity(*a)->server_url == "https://127.0.0.1:1");
    SyncEngine engine(*a);
    try {
        engine.run();
        BOOST_FAIL("a workstation without a certificate must not sync");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::NotInitialised));
    }
    // Enrolling against a port where nothing listens: a network error, nothing stored.
    try {
        SyncEngine::enroll(*a, "CODE");
        BOOST_FAIL("enrolment must fail");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::Network));
    }
    BOOST_TEST(!SyncEngine::identity(*a)->enrolled());
}

BOOST_AUTO_TEST_SUITE_END()
