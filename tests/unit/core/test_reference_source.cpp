// The catalog and calendar in force: synced from the server (sync_records) over the shipped ones.
#include "fixture.h"
#include "ow/core/approval_service.h"
#include "ow/core/database.h"
#include "ow/core/intake_service.h"
#include "ow/core/reference_source.h"
#include "ow/core/sealing_service.h"
#include "ow/forms/calendar.h"
#include "ow/forms/catalog.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace ow::core;
using nlohmann::json;
using ow::test::count;
using ow::test::restaurant;

namespace {

// The shipped catalog as the server publishes it: every file under its path relative to
// catalog.json, with another version and the food licence renamed.
json published_catalog(const std::string& version, const std::string& renamed_item = "") {
    const auto dir = ow::forms::default_catalog_dir();
    json files = json::object();
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".json")
            continue;
        std::ifstream in(e.path());
        files[std::filesystem::relative(e.path(), dir).generic_string()] = json::parse(in);
    }
    files["catalog.json"]["version"] = version;
    if (!renamed_item.empty()) {
        bool renamed = false;
        for (auto& [path, document] : files.items()) {
            auto& items =
                document.is_object() && document.contains("items") ? document["items"] : document;
            if (!items.is_array())
                continue;
            for (auto& item : items)
                if (item.is_object() && item.value("code", "") == renamed_item) {
                    item["name"]["zh"] = "（新版）" + item["name"]["zh"].get<std::string>();
                    renamed = true;
                }
        }
        BOOST_REQUIRE(renamed);
    }
    return {{"version", version}, {"files", files}};
}

void put_record(Session& s, const std::string& kind, const std::string& id, const json& data,
                const char* updated_at = "2026-11-28T08:00:00Z") {
    s.db()
        .prepare("INSERT OR REPLACE INTO sync_records(kind, id, data, deleted, updated_at) VALUES "
                 "(?, ?, ?, 0, ?)")
        .bind(1, kind)
        .bind(2, id)
        .bind(3, data.dump())
        .bind(4, updated_at)
        .run();
}

// The text of a PDF as pdftotext reads it, without white space (it splits wide cells).
std::string pdf_text(const std::string& pdf) {
    ow::test::TempDir dir;
    const auto path = dir.path / "document.pdf";
    std::ofstream(path, std::ios::binary) << pdf;
    FILE* p = popen(("pdftotext '" + path.string() + "' -").c_str(), "r");
    BOOST_REQUIRE(p);
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;)
        text.append(buffer, n);
    BOOST_REQUIRE(pclose(p) == 0);
    std::erase_if(text, [](char c) { return c == ' ' || c == '\n' || c == '\f'; });
    return text;
}

std::string case_field(Session& s, const std::string& number, const char* column) {
    auto st = s.db().prepare(std::string("SELECT ") + column + " FROM cases WHERE case_number = ?");
    st.bind(1, number);
    BOOST_REQUIRE(st.step());
    return st.text(0);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(reference_source, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(versions_compare_numbers_as_numbers) {
    BOOST_TEST(compare_versions("2026.12", "2026.9") > 0);
    BOOST_TEST(compare_versions("2026.9", "2026.12") < 0);
    BOOST_TEST(compare_versions("2026.11-demo.1", "2026.11-demo.1") == 0);
    BOOST_TEST(compare_versions("2026.11-demo.10", "2026.11-demo.9") > 0);
    BOOST_TEST(compare_versions("2026.11", "2026.11-demo.1") < 0);
    BOOST_TEST(compare_versions("2026.011", "2026.11") == 0);
    BOOST_TEST(compare_versions("", "1") < 0);
}

BOOST_AUTO_TEST_CASE(without_synced_records_the_shipped_copies_are_used) {
    auto c = clerk();
    const auto& set = c->reference().current();
    BOOST_TEST(!set.catalog_synced);
    BOOST_TEST(set.catalog->version() == ow::test::catalog().version());
    BOOST_TEST(set.synced_calendars.empty());
    BOOST_TEST(set.problems.empty());
    BOOST_TEST(set.calendar->years() == ow::forms::WorkingCalendar::builtin().years());
}

BOOST_AUTO_TEST_CASE(intake_uses_and_pins_the_newest_synced_catalog) {
    auto c = clerk();
    // Arrival order does not matter: the highest version is in force on every workstation.
    put_record(*c, "catalog", "2026.12", published_catalog("2026.12", "01020100150100"));
    put_record(*c, "catalog", "2026.9", published_catalog("2026.9"));
    const auto set = c->reference().current();
    BOOST_TEST(set.catalog_synced);
    BOOST_TEST(set.catalog->version() == "2026.12");
    BOOST_TEST(set.problems.empty());
    const auto* food = set.catalog->find_item("01020100150100");
    BOOST_REQUIRE(food);
    BOOST_TEST(food->name.zh.rfind("（新版）", 0) == 0u);

    IntakeService service(*c, *set.catalog, *set.calendar);
    const auto outcome = service.submit(restaurant("restaurant-complete.json"));
    BOOST_TEST(case_field(*c, outcome.stored.case_number, "catalog_version") == "2026.12");

    // A case pinned to an older version still finds its catalog.
    auto older = c->reference().catalog_version("2026.9");
    BOOST_REQUIRE(older);
    BOOST_TEST(older->version() == "2026.9");
    BOOST_TEST(c->reference().catalog_version(ow::test::catalog().version()));
    BOOST_TEST(!c->reference().catalog_version("1999.1"));
}

BOOST_AUTO_TEST_CASE(a_decision_names_the_items_as_the_catalog_the_case_was_taken_under) {
    std::string number;
    {
        auto c = clerk();
        put_record(*c, "catalog", "2026.12", published_catalog("2026.12", "01020100150100"));
        const auto set = c->reference().current();
        number = IntakeService(*c, *set.catalog, *set.calendar)
                     .submit(restaurant("restaurant-complete.json"))
                     .stored.case_number;
        // Then the server publishes a newer version in which the item has its old name again.
        put_record(*c, "catalog", "2027.1", published_catalog("2027.1"));
    }
    auto o = officer();
    ApprovalService(*o).decide(number, Decision::Approve, {});
    const auto newest = o->reference().current().catalog;
    BOOST_REQUIRE(newest->version() == "2027.1");
    const auto text = pdf_text(SealingService(*o, newest.get()).render_decision(number));
    BOOST_TEST(text.find("（新版）户外招牌设置许可") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_damaged_synced_catalog_is_reported_and_not_used) {
    auto c = clerk();
    put_record(*c, "catalog", "2026.10", published_catalog("2026.10"));
    auto broken = published_catalog("2026.12");
    broken["files"].erase("fields.json"); // a file the manifest names is missing
    put_record(*c, "catalog", "2026.12", broken);
    put_record(*c, "catalog", "2027.1", json{{"version", "2027.1"}, {"files", "not an object"}});
    const auto& set = c->reference().current();
    BOOST_TEST(set.catalog->version() == "2026.10"); // the next version down that loads
    BOOST_REQUIRE(set.problems.size() == 2u);
    BOOST_TEST(set.problems[0].find("2027.1") != std::string::npos);
    BOOST_TEST(set.problems[1].find("2026.12") != std::string::npos);
    BOOST_TEST(set.problems[1].find("fields.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_synced_calendar_replaces_the_built_in_year_and_moves_promised_dates) {
    auto c = clerk();
    const auto builtin_outcome =
        IntakeService(*c, ow::test::catalog(), ow::forms::WorkingCalendar::builtin())
            .submit(restaurant("restaurant-complete.json"));

    // The server declares the next days and most of January local holidays.
    const auto today = ow::forms::today();
    const int year = static_cast<int>(today.year());
    auto document = [](int y, std::string from, std::string to) {
        return json{{"format", "onewindow-holiday-calendar/1"},
                    {"region", "CN"},
                    {"year", y},
                    {"status", "official"},
                    {"source", "unit test"},
                    {"holidays", json::array({{{"name", "闭馆"},
                                               {"name_en", "Closed"},
                                               {"from", std::move(from)},
                                               {"to", std::move(to)}}})}};
    };
    const auto this_year = "cn-" + std::to_string(year);
    const auto next_year = "cn-" + std::to_string(year + 1);
    // The next 20 days (a holiday may not be longer than 31), within this year.
    const auto dec31 =
        std::chrono::year_month_day{today.year(), std::chrono::December, std::chrono::day{31}};
    const auto in20 =
        std::chrono::year_month_day{std::chrono::sys_days{today} + std::chrono::days{20}};
    put_record(*c, "calendar", this_year,
               document(year, ow::forms::format_date(today),
                        ow::forms::format_date(in20 < dec31 ? in20 : dec31)));
    put_record(*c, "calendar", next_year,
               document(year + 1, std::to_string(year + 1) + "-01-01",
                        std::to_string(year + 1) + "-01-25"));
    // A document that does not load is reported, the others are used.
    put_record(*c, "calendar", "cn-local", json{{"format", "something-else"}});
    const auto set = c->reference().current();
    BOOST_TEST(set.synced_calendars == (std::vector<std::string>{this_year, next_year}));
    BOOST_REQUIRE(set.problems.size() == 1u);
    BOOST_TEST(set.problems[0].find("cn-local") != std::string::npos);
    BOOST_TEST((set.calendar->kind(today) == ow::forms::DayKind::Holiday));

    const auto synced_outcome = IntakeService(*c, *set.catalog, *set.calendar)
                                    .submit(restaurant("restaurant-complete.json"));
    BOOST_TEST(synced_outcome.stored.promised_date > builtin_outcome.stored.promised_date);
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == 2);
}

BOOST_AUTO_TEST_CASE(the_set_is_reloaded_only_when_sync_changed_it) {
    auto c = clerk();
    const auto first = c->reference().current().catalog;
    BOOST_TEST(c->reference().current().catalog == first); // same object, nothing reloaded
    put_record(*c, "catalog", "2026.12", published_catalog("2026.12"));
    const auto second = c->reference().current().catalog;
    BOOST_TEST(second != first);
    BOOST_TEST(second->version() == "2026.12");
    BOOST_TEST(c->reference().current().catalog == second);
    // Deleted by the server (a tombstone): back to the shipped copy.
    c->db().exec("UPDATE sync_records SET deleted = 1 WHERE kind = 'catalog'");
    BOOST_TEST(c->reference().current().catalog->version() == ow::test::catalog().version());
}

BOOST_AUTO_TEST_SUITE_END()
