// Working-day calendar (工作日历): statutory holidays and make-up workdays (调休上班) as reference
// data, and the date arithmetic of legal and promised time limits (行政许可法 Art. 42, 82: limits
// in working days, statutory holidays excluded).
//
// Data: one JSON document per year (forms/data/calendar/cn-YYYY.json, format in
// docs/catalog-format.md §Calendar): holidays as date ranges, make-up workdays as dates. A date is
// a working day when it is a make-up workday, or a Monday-Friday that is not in a holiday range.
// Local holidays are added by loading another document for the same year (they are merged).
//
// Counting convention (a setting in practice, notes §3/§15): add_working_days(start, n) returns the
// n-th working day AFTER start — the start day itself is not counted (the law counts from the day
// after acceptance); pass count_start_day = true for local rules that count the acceptance day.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ow::forms {

using Date = std::chrono::year_month_day;

// "YYYY-MM-DD" (also accepts GB/T 39046 "YYYYMMDD"); throws FormsError(InvalidArgument) naming
// `what` when the text is not an existing date.
Date parse_date(std::string_view text, std::string_view what = "date");
std::string format_date(const Date& date); // "YYYY-MM-DD"
// Today in local time.
Date today();

enum class DayKind {
    Workday,       // Monday-Friday, no holiday
    Weekend,       // Saturday or Sunday, not declared a working day
    Holiday,       // in a holiday range (放假), whatever weekday
    MakeUpWorkday, // a weekend day declared a working day (调休上班)
};

const char* to_string(DayKind kind);

// Time-limit units of the catalog (时限单位; the national code list was not found, notes §15).
enum class TimeUnit { WorkingDays, NaturalDays };

const char* to_string(TimeUnit unit);
// "working_days" / "natural_days"; throws FormsError(InvalidArgument) otherwise.
TimeUnit parse_time_unit(std::string_view text);

struct Deadline {
    Date date;
    bool estimated = false; // a year outside the calendar was assumed to have no holidays
};

class WorkingCalendar {
public:
    WorkingCalendar() = default;

    // Adds one year document; throws FormsError(DataFile) naming `source`, the entry and what is
    // wrong (bad date, range ending before it starts, a date outside the document's year, a make-up
    // workday that is not a weekend day or lies inside a holiday).
    void add(const nlohmann::json& document, std::string_view source);
    void add_file(const std::filesystem::path& path);
    // Every *.json file of a directory, in name order.
    static WorkingCalendar load_directory(const std::filesystem::path& dir);
    // The calendar compiled into the library (copies of forms/data/calendar/*.json).
    static const WorkingCalendar& builtin();
    // The built-in calendar with documents published later (synced from the server), by name
    // without ".json" ("cn-2026"): a document replaces the built-in one of the same name (a
    // corrected holiday must not be merged with the wrong one), others are added.
    static WorkingCalendar builtin_with(const std::map<std::string, nlohmann::json>& documents);

    // Years for which the calendar has data, and whether they are official or derived.
    std::map<int, std::string> years() const { return year_status_; }
    bool covers(int year) const { return year_status_.count(year) != 0; }

    DayKind kind(const Date& date) const;
    bool is_working_day(const Date& date) const;
    // The holiday or make-up reason for a date ("春节"), "" for an ordinary day.
    std::string reason(const Date& date) const;

    // The n-th working day after `start` (n >= 0; n == 0 gives start itself if it is a working
    // day, else the next one). Throws FormsError(NotFound) when a year on the way is not covered.
    Date add_working_days(const Date& start, int n, bool count_start_day = false) const;
    // Working days in (from, to] — from excluded, to included; negative if to < from.
    int working_days_between(const Date& from, const Date& to) const;
    // The due date of a time limit of `amount` units started on `start`. For uncovered years
    // Monday-Friday are assumed working days and the result is marked estimated.
    Deadline deadline(const Date& start, int amount, TimeUnit unit,
                      bool count_start_day = false) const;

private:
    bool is_working_day_or_estimate(const Date& date, bool* estimated) const;

    std::map<int, std::string> year_status_;
    std::map<std::chrono::sys_days, std::string> holidays_;
    std::map<std::chrono::sys_days, std::string> makeup_workdays_;
};

} // namespace ow::forms
