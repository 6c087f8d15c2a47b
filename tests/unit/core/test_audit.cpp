#include "fixture.h"
#include "ow/core/audit.h"
#include "ow/core/audit_service.h"
#include "ow/core/database.h"
#include "ow/core/error.h"

#include <boost/test/unit_test.hpp>

using namespace ow::core;

namespace {

struct AuditFixture : ow::test::WorkstationFixture {
    AuditFixture() {
        session = admin();
        Transaction tx(session->db());
        for (int i = 0; i < 10; ++i)
            session->audit().append("admin", "test.event", "object-" + std::to_string(i),
                                    "{\"i\":" + std::to_string(i) + "}");
        tx.commit();
        BOOST_REQUIRE(session->audit().verify().ok());
    }
    bool has(const AuditReport& r, AuditProblem::Kind kind) {
        for (const auto& p : r.problems)
            if (p.kind == kind)
                return true;
        return false;
    }
    std::unique_ptr<Session> session;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(audit_chain, AuditFixture)

BOOST_AUTO_TEST_CASE(intact_chain_verifies) {
    auto r = session->audit().verify();
    BOOST_TEST(r.ok());
    BOOST_TEST(r.entries >= 13); // init, user adds, logins and the ten events
}

BOOST_AUTO_TEST_CASE(modified_entry_is_reported) {
    session->db().exec("UPDATE audit_events SET object = 'forged' WHERE seq = 8");
    auto r = session->audit().verify();
    BOOST_TEST(!r.ok());
    BOOST_TEST(has(r, AuditProblem::Kind::Modified));
    BOOST_TEST(r.problems.front().seq == 8);
}

BOOST_AUTO_TEST_CASE(deleted_entry_is_reported) {
    session->db().exec("DELETE FROM audit_events WHERE seq = 6");
    auto r = session->audit().verify();
    BOOST_TEST(has(r, AuditProblem::Kind::Deleted));
}

BOOST_AUTO_TEST_CASE(deleted_tail_is_reported) {
    session->db().exec("DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)");
    auto r = session->audit().verify();
    BOOST_TEST(has(r, AuditProblem::Kind::Deleted));
}

BOOST_AUTO_TEST_CASE(inserted_entry_is_reported) {
    // A forged event appended with a self-consistent hash but not linked to the chain's head.
    AuditEvent e;
    e.at = "2026-11-28T00:00:00.000Z";
    e.actor = "mallory";
    e.action = "case.delete";
    e.object = "x";
    e.details = "{}";
    e.prev_hash = AuditLog::genesis_hash();
    auto st = session->db().prepare("SELECT max(seq) FROM audit_events");
    st.step();
    std::int64_t seq = st.int64(0) + 1;
    e.hash = AuditLog::compute_hash(e, seq);
    session->db()
        .prepare("INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, seq)
        .bind(2, e.at)
        .bind(3, e.actor)
        .bind(4, e.action)
        .bind(5, e.object)
        .bind(6, e.details)
        .bind(7, e.prev_hash)
        .bind(8, e.hash)
        .run();
    auto r = session->audit().verify();
    BOOST_TEST(has(r, AuditProblem::Kind::Inserted));
}

BOOST_AUTO_TEST_CASE(inserted_entry_in_the_middle_is_reported) {
    session->db().exec("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 5");
    session->db().exec("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1005");
    session->db().exec("INSERT INTO audit_events SELECT 5, at, 'mallory', action, object, details, "
                       "prev_hash, hash FROM audit_events WHERE seq = 4");
    auto r = session->audit().verify();
    BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(reordered_entries_are_reported) {
    session->db().exec("UPDATE audit_events SET seq = -1 WHERE seq = 7");
    session->db().exec("UPDATE audit_events SET seq = 7 WHERE seq = 8");
    session->db().exec("UPDATE audit_events SET seq = 8 WHERE seq = -1");
    auto r = session->audit().verify();
    BOOST_TEST(has(r, AuditProblem::Kind::Reordered));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit_service)

BOOST_FIXTURE_TEST_CASE(only_admins_read_or_check_the_log, ow::test::WorkstationFixture) {
    for (auto* who : {"clerk", "officer"}) {
        auto session = std::string(who) == "clerk" ? clerk() : officer();
        try {
            AuditService service(*session);
            BOOST_ERROR(who << " may use the audit service");
        } catch (const CoreError& e) {
            BOOST_TEST((e.code() == ErrorCode::PermissionDenied));
        }
    }
    auto session = admin();
    AuditService service(*session);
    const auto before = service.recent(1000).size();
    auto report = service.verify();
    BOOST_TEST(report.ok());
    auto events = service.recent(5);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.front().action == "audit.verify"); // the check is itself recorded
    BOOST_TEST(events.front().details == "{\"result\":\"ok\"}");
    BOOST_TEST(service.recent(1000).size() == before + 1);
    BOOST_TEST(service.recent(0).size() == 1u); // clamped, never "everything"
}

BOOST_AUTO_TEST_SUITE_END()
