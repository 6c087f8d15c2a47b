#include "fixture.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/schema.h"

#include <boost/test/unit_test.hpp>

using namespace ow::core;

namespace {

// Rows that belong to exactly one schema version.
void seed_version(Database& db, int version) {
    if (version == 1) {
        db.exec("INSERT INTO users(name, display_name, role, created_at) "
                "VALUES ('u1', 'U 1', 'clerk', '2026-01-01')");
        db.exec("INSERT INTO meta(key, value) VALUES ('seeded_at', '" + std::to_string(version) +
                "')");
    }
    if (version == 2)
        db.exec("INSERT INTO persons VALUES ('110101199001011234', '测试', 'male', '1990-01-01', "
                "'addr', '', 'test', '')");
    if (version == 4)
        db.exec("INSERT INTO blobs VALUES ('b1', x'00', 1, 'h', 'application/pdf', 't')");
    if (version == 5)
        db.exec("INSERT INTO sync_cursors VALUES ('changes', 'delta', '42', 't')");
    if (version == 3)
        db.exec("INSERT INTO cases(id, case_number, applicant_kind, applicant_id, applicant_name, "
                "items, catalog_version, form_data, state, note, received_by, received_at, "
                "promised_date, updated_at) VALUES ('c1', 'N1', 'person', 'x', 'y', '[]', 'v1', "
                "'{}', 'accepted', '', 1, 't', 'd', 't')");
}

std::int64_t count(Database& db, const std::string& table) {
    auto st = db.prepare("SELECT count(*) FROM " + table);
    st.step();
    return st.int64(0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(upgrades_from_every_earlier_version) {
    for (int from = 0; from < latest_schema_version(); ++from) {
        ow::test::TempDir dir;
        SecretBytes key = SecretBytes::random(32);
        {
            Database db = Database::open(dir.path / "c.db", key, Database::Mode::CreateNew);
            migrate(db, from);
            BOOST_TEST(db.user_version() == from);
            for (int v = 1; v <= from; ++v)
                seed_version(db, v);
        }
        Database db = Database::open(dir.path / "c.db", key, Database::Mode::OpenExisting);
        migrate(db);
        BOOST_TEST(db.user_version() == latest_schema_version(), "from " << from);
        BOOST_TEST(db.check_integrity(true) == "ok");
        if (from >= 1)
            BOOST_TEST(count(db, "users") == 1);
        if (from >= 2)
            BOOST_TEST(count(db, "persons") == 1);
        if (from >= 3)
            BOOST_TEST(count(db, "cases") == 1);
        if (from >= 4)
            BOOST_TEST(count(db, "blobs") == 1);
        // The upgraded schema accepts the rows of the versions it gained.
        for (int v = from + 1; v <= latest_schema_version(); ++v)
            BOOST_CHECK_NO_THROW(seed_version(db, v));
    }
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_the_previous_version) {
    ow::test::TempDir dir;
    SecretBytes key = SecretBytes::random(32);
    Database db = Database::open(dir.path / "c.db", key, Database::Mode::CreateNew);
    migrate(db, 1);
    db.exec("CREATE TABLE persons(x)"); // makes migration 2 fail half-way
    BOOST_CHECK_THROW(migrate(db), CoreError);
    BOOST_TEST(db.user_version() == 1);
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'entities'");
    st.step();
    BOOST_TEST(st.int64(0) == 0); // rolled back as a whole
}

BOOST_AUTO_TEST_CASE(a_newer_database_is_refused) {
    ow::test::TempDir dir;
    SecretBytes key = SecretBytes::random(32);
    Database db = Database::open(dir.path / "c.db", key, Database::Mode::CreateNew);
    migrate(db);
    db.set_user_version(latest_schema_version() + 1);
    BOOST_CHECK_THROW(migrate(db), CoreError);
}

BOOST_AUTO_TEST_SUITE_END()
