#include "ow/forms/calendar.h"
#include "ow/forms/error.h"

#include <boost/test/unit_test.hpp>

using namespace ow::forms;

namespace {
Date d(const char* s) {
    return parse_date(s);
}
std::string f(const Date& x) {
    return format_date(x);
}
} // namespace

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(dates) {
    BOOST_TEST(f(d("2026-02-28")) == "2026-02-28");
    BOOST_TEST(f(parse_date("20261001")) == "2026-10-01");
    BOOST_CHECK_THROW(parse_date("2026-02-29"), FormsError);
    BOOST_CHECK_THROW(parse_date("2026-2-1"), FormsError);
    BOOST_CHECK_THROW(parse_date(""), FormsError);
    try {
        parse_date("2027-13-01", "acceptance date");
        BOOST_ERROR("no exception");
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()).find("acceptance date") != std::string::npos);
    }
    BOOST_TEST((parse_time_unit("working_days") == TimeUnit::WorkingDays));
    BOOST_CHECK_THROW(parse_time_unit("months"), FormsError);
}

BOOST_AUTO_TEST_CASE(builtin_2026_and_2027) {
    const auto& cal = WorkingCalendar::builtin();
    BOOST_TEST(cal.covers(2026));
    BOOST_TEST(cal.covers(2027));
    BOOST_TEST(!cal.covers(2028));
    BOOST_TEST(cal.years().at(2026) == "official");
    BOOST_TEST(cal.years().at(2027) == "derived");
    // 2026 official notice.
    BOOST_TEST((cal.kind(d("2026-01-01")) == DayKind::Holiday));
    BOOST_TEST((cal.kind(d("2026-01-04")) == DayKind::MakeUpWorkday)); // Sunday worked
    BOOST_TEST(cal.reason(d("2026-01-04")) == "元旦");
    BOOST_TEST((cal.kind(d("2026-02-14")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2026-02-23")) == DayKind::Holiday)); // Monday off
    BOOST_TEST(cal.reason(d("2026-02-17")) == "春节");
    BOOST_TEST((cal.kind(d("2026-02-24")) == DayKind::Workday));
    BOOST_TEST((cal.kind(d("2026-02-28")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2026-05-05")) == DayKind::Holiday));
    BOOST_TEST((cal.kind(d("2026-05-09")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2026-09-20")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2026-10-07")) == DayKind::Holiday));
    BOOST_TEST((cal.kind(d("2026-10-10")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2026-11-28")) == DayKind::Weekend));
    // 2026: 261 weekdays - 19 weekdays inside holidays + 6 make-up days = 248 working days.
    BOOST_TEST(cal.working_days_between(d("2025-12-31"), d("2026-12-31")) == 248);
    // 2027 (derived).
    BOOST_TEST((cal.kind(d("2027-02-05")) == DayKind::Holiday));
    BOOST_TEST((cal.kind(d("2027-02-14")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2027-10-09")) == DayKind::MakeUpWorkday));
    BOOST_TEST((cal.kind(d("2027-06-09")) == DayKind::Holiday));
}

BOOST_AUTO_TEST_CASE(add_working_days_across_holidays) {
    const auto& cal = WorkingCalendar::builtin();
    // Accepted Friday 2026-02-13: the next working day is the make-up Saturday 02-14, then the
    // Spring Festival (02-15..02-23), then Tuesday 02-24.
    BOOST_TEST(f(cal.add_working_days(d("2026-02-13"), 1)) == "2026-02-14");
    BOOST_TEST(f(cal.add_working_days(d("2026-02-13"), 2)) == "2026-02-24");
    // 20 working days (行政许可法 Art. 42) from 2026-09-18 (Fri): Sep 20 (Sun) is worked,
    // Oct 1-7 off, Oct 10 (Sat) worked.
    // Sep: 20,21,22,23,24,28,29,30 = 8; Oct: 8,9,10,12,13,14,15,16,19,20,21,22 = 12 → 20th =
    // Oct 22.
    BOOST_TEST(f(cal.add_working_days(d("2026-09-18"), 20)) == "2026-10-22");
    // Counting the acceptance day itself moves it one working day earlier.
    BOOST_TEST(f(cal.add_working_days(d("2026-09-18"), 20, true)) == "2026-10-21");
    // n == 0: the day itself when working, else the next working day.
    BOOST_TEST(f(cal.add_working_days(d("2026-10-03"), 0)) == "2026-10-08");
    BOOST_TEST(f(cal.add_working_days(d("2026-10-10"), 0)) == "2026-10-10");
    // Across the year end into the derived 2027 calendar: 2026-12-31 (Thu) + 1 → 2027-01-04.
    BOOST_TEST(f(cal.add_working_days(d("2026-12-31"), 1)) == "2027-01-04");
    // Inverse: working days between.
    BOOST_TEST(cal.working_days_between(d("2026-02-13"), d("2026-02-24")) == 2);
    BOOST_TEST(cal.working_days_between(d("2026-02-24"), d("2026-02-13")) == -2);
    BOOST_TEST(cal.working_days_between(d("2026-09-18"), d("2026-10-22")) == 20);
    BOOST_TEST(cal.working_days_between(d("2026-10-01"), d("2026-10-01")) == 0);
    BOOST_CHECK_THROW(cal.add_working_days(d("2026-01-01"), -1), FormsError);
    BOOST_CHECK_THROW(cal.add_working_days(d("2026-01-01"), 1000000), FormsError);
}

BOOST_AUTO_TEST_CASE(uncovered_years) {
    const auto& cal = WorkingCalendar::builtin();
    // add_working_days refuses; deadline() estimates and says so.
    BOOST_CHECK_THROW(cal.add_working_days(d("2027-12-30"), 5), FormsError);
    try {
        cal.add_working_days(d("2028-03-01"), 1);
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()).find("no data for 2028") != std::string::npos, e.what());
    }
    const auto dl = cal.deadline(d("2027-12-30"), 5, TimeUnit::WorkingDays);
    BOOST_TEST(dl.estimated);
    BOOST_TEST(f(dl.date) == "2028-01-06"); // 31 Dec, 3, 4, 5, 6 Jan (no 2028 holidays known)
    const auto ok = cal.deadline(d("2026-09-18"), 20, TimeUnit::WorkingDays);
    BOOST_TEST(!ok.estimated);
    BOOST_TEST(f(ok.date) == "2026-10-22");
}

BOOST_AUTO_TEST_CASE(natural_days) {
    const auto& cal = WorkingCalendar::builtin();
    BOOST_TEST(f(cal.deadline(d("2026-09-18"), 20, TimeUnit::NaturalDays).date) == "2026-10-08");
    BOOST_TEST(f(cal.deadline(d("2026-09-18"), 20, TimeUnit::NaturalDays, true).date) ==
               "2026-10-07");
    BOOST_TEST(f(cal.deadline(d("2026-12-31"), 1, TimeUnit::NaturalDays).date) == "2027-01-01");
    BOOST_TEST(f(cal.deadline(d("2026-10-03"), 0, TimeUnit::WorkingDays).date) == "2026-10-08");
}

BOOST_AUTO_TEST_CASE(local_calendar_and_bad_documents) {
    WorkingCalendar cal;
    cal.add(nlohmann::json::parse(R"({"format":"onewindow-holiday-calendar/1","year":2026,
        "status":"official","holidays":[{"name":"国庆节","from":"2026-10-01","to":"2026-10-07"}],
        "workdays":[{"date":"2026-10-10","for":"国庆节"}]})"),
            "national");
    // A local holiday (e.g. 那达慕 in a league) merged on top.
    cal.add(nlohmann::json::parse(R"({"format":"onewindow-holiday-calendar/1","year":2026,
        "status":"local","holidays":[{"name":"那达慕","from":"2026-07-15","to":"2026-07-15"}]})"),
            "local");
    BOOST_TEST((cal.kind(d("2026-07-15")) == DayKind::Holiday));
    BOOST_TEST(cal.years().at(2026) == "official");
    BOOST_TEST(f(cal.add_working_days(d("2026-07-14"), 1)) == "2026-07-16");

    auto expect_error = [](const char* json, const char* fragment) {
        WorkingCalendar c;
        try {
            c.add(nlohmann::json::parse(json), "bad.json");
            BOOST_ERROR("accepted: " << json);
        } catch (const FormsError& e) {
            BOOST_TEST((e.code() == FormsErrorCode::DataFile));
            BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("bad.json") != std::string::npos);
        }
    };
    expect_error(R"({"year":2026,"status":"official"})", "format");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":"x","status":"official"})",
                 "year");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":2026,"status":"official",
        "holidays":[{"name":"x","from":"2026-10-07","to":"2026-10-01"}]})",
                 "ends before it starts");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":2026,"status":"official",
        "holidays":[{"name":"x","from":"2027-10-01","to":"2027-10-02"}]})",
                 "is not in 2026");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":2026,"status":"official",
        "workdays":[{"date":"2026-10-12"}]})",
                 "not a Saturday or Sunday");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":2026,"status":"official",
        "holidays":[{"name":"x","from":"2026-10-01","to":"2026-10-11"}],
        "workdays":[{"date":"2026-10-10"}]})",
                 "inside a holiday");
    expect_error(R"({"format":"onewindow-holiday-calendar/1","year":2026,"status":"official",
        "holidays":[{"name":"x","from":"2026-02-30","to":"2026-03-01"}]})",
                 "does not exist");
}

BOOST_AUTO_TEST_CASE(load_shipped_directory) {
    const auto cal = WorkingCalendar::load_directory(OW_SOURCE_DIR "/forms/data/calendar");
    BOOST_TEST(cal.covers(2026));
    BOOST_TEST(cal.covers(2027));
    BOOST_CHECK_THROW(WorkingCalendar::load_directory(OW_SOURCE_DIR "/no/such/dir"), FormsError);
}

BOOST_AUTO_TEST_SUITE_END()
