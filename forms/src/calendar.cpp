#include "ow/forms/calendar.h"

#include "ow/forms/error.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace ow::forms {

namespace detail {
std::vector<std::pair<std::string_view, std::string_view>> embedded_calendars();
}

namespace {

using std::chrono::days;
using std::chrono::sys_days;

bool digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool weekend(sys_days d) {
    const std::chrono::weekday wd{d};
    return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

int year_of(const Date& d) {
    return static_cast<int>(d.year());
}

constexpr int kMaxAmount = 36600; // 100 years of days: anything larger is a data error

} // namespace

Date parse_date(std::string_view text, std::string_view what) {
    std::string_view y, m, d;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        y = text.substr(0, 4);
        m = text.substr(5, 2);
        d = text.substr(8, 2);
    } else if (text.size() == 8) {
        y = text.substr(0, 4);
        m = text.substr(4, 2);
        d = text.substr(6, 2);
    }
    if (!digits(y) || !digits(m) || !digits(d)) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("The {what} '{value}' is not a date of the form YYYY-MM-DD."),
                         {{"what", std::string(what)}, {"value", std::string(text)}});
    }
    const Date date{std::chrono::year{std::stoi(std::string(y))},
                    std::chrono::month{static_cast<unsigned>(std::stoi(std::string(m)))},
                    std::chrono::day{static_cast<unsigned>(std::stoi(std::string(d)))}};
    if (!date.ok() || year_of(date) < 1800) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("The {what} '{value}' does not exist."),
                         {{"what", std::string(what)}, {"value", std::string(text)}});
    }
    return date;
}

std::string format_date(const Date& date) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return buf;
}

Date today() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
#ifdef _WIN32
    localtime_s(&local, &now);
#else
    localtime_r(&now, &local);
#endif
    return Date{std::chrono::year{local.tm_year + 1900},
                std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
                std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

const char* to_string(DayKind kind) {
    switch (kind) {
    case DayKind::Workday:
        return "workday";
    case DayKind::Weekend:
        return "weekend";
    case DayKind::Holiday:
        return "holiday";
    case DayKind::MakeUpWorkday:
        return "make-up-workday";
    }
    return "workday";
}

const char* to_string(TimeUnit unit) {
    return unit == TimeUnit::WorkingDays ? "working_days" : "natural_days";
}

TimeUnit parse_time_unit(std::string_view text) {
    if (text == "working_days") {
        return TimeUnit::WorkingDays;
    }
    if (text == "natural_days") {
        return TimeUnit::NaturalDays;
    }
    throw FormsError(FormsErrorCode::InvalidArgument,
                     N_("'{value}' is not a time-limit unit; use working_days or natural_days."),
                     {{"value", std::string(text)}});
}

void WorkingCalendar::add(const nlohmann::json& doc, std::string_view source) {
    const std::string src(source);
    auto fail = [&](const std::string& what) {
        throw FormsError(FormsErrorCode::DataFile, N_("Holiday calendar {source}: {problem}."),
                         {{"source", src}, {"problem", what}});
    };
    if (!doc.is_object()) {
        fail("the document is not a JSON object");
    }
    if (doc.value("format", "") != "onewindow-holiday-calendar/1") {
        fail("\"format\" must be \"onewindow-holiday-calendar/1\"");
    }
    if (!doc.contains("year") || !doc["year"].is_number_integer()) {
        fail("\"year\" must be an integer");
    }
    const int year = doc["year"].get<int>();
    if (year < 1949 || year > 2200) {
        fail("\"year\" " + std::to_string(year) + " is out of range");
    }
    const std::string status = doc.value("status", "");
    if (status != "official" && status != "derived" && status != "local") {
        fail("\"status\" must be official, derived or local");
    }
    auto date_of = [&](const nlohmann::json& entry, const char* key,
                       const std::string& where) -> sys_days {
        if (!entry.contains(key) || !entry[key].is_string()) {
            fail(where + " has no \"" + key + "\" date");
        }
        Date d{};
        try {
            d = parse_date(entry[key].get<std::string>(), key);
        } catch (const FormsError& e) {
            fail(where + ": " + e.what());
        }
        if (year_of(d) != year) {
            fail(where + ": " + format_date(d) + " is not in " + std::to_string(year));
        }
        return sys_days{d};
    };
    std::map<sys_days, std::string> holidays;
    std::map<sys_days, std::string> workdays;
    const auto& hs = doc.contains("holidays") ? doc["holidays"] : nlohmann::json::array();
    if (!hs.is_array()) {
        fail("\"holidays\" must be an array");
    }
    for (std::size_t i = 0; i < hs.size(); ++i) {
        const auto& h = hs[i];
        const std::string where = "holidays[" + std::to_string(i) + "]";
        if (!h.is_object() || !h.contains("name") || !h["name"].is_string() ||
            h["name"].get<std::string>().empty()) {
            fail(where + " needs a \"name\"");
        }
        const auto from = date_of(h, "from", where);
        const auto to = date_of(h, "to", where);
        if (to < from) {
            fail(where + " (" + h["name"].get<std::string>() + ") ends before it starts");
        }
        if (to - from > days{31}) {
            fail(where + " (" + h["name"].get<std::string>() + ") is longer than 31 days");
        }
        for (auto d = from; d <= to; d += days{1}) {
            holidays[d] = h["name"].get<std::string>();
        }
    }
    const auto& ws = doc.contains("workdays") ? doc["workdays"] : nlohmann::json::array();
    if (!ws.is_array()) {
        fail("\"workdays\" must be an array");
    }
    for (std::size_t i = 0; i < ws.size(); ++i) {
        const auto& w = ws[i];
        const std::string where = "workdays[" + std::to_string(i) + "]";
        if (!w.is_object()) {
            fail(where + " must be an object");
        }
        const auto d = date_of(w, "date", where);
        if (!weekend(d)) {
            fail(where + ": " + format_date(Date{d}) +
                 " is not a Saturday or Sunday, so it cannot be a make-up workday");
        }
        if (holidays.count(d) != 0 || holidays_.count(d) != 0) {
            fail(where + ": " + format_date(Date{d}) + " is also inside a holiday");
        }
        workdays[d] = w.value("for", std::string("调休"));
    }
    for (const auto& [d, name] : holidays) {
        if (makeup_workdays_.count(d) != 0) {
            fail(format_date(Date{d}) + " is a holiday here but a make-up workday in another "
                                        "calendar already loaded");
        }
    }
    holidays_.insert(holidays.begin(), holidays.end());
    makeup_workdays_.insert(workdays.begin(), workdays.end());
    auto& st = year_status_[year];
    // A year is as good as its weakest document: derived + official stays derived.
    if (st.empty() || status == "derived") {
        st = status == "local" && !st.empty() ? st : status;
    }
}

void WorkingCalendar::add_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw FormsError(FormsErrorCode::DataFile, N_("Cannot open the holiday calendar {path}."),
                         {{"path", path.string()}});
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw FormsError(FormsErrorCode::DataFile,
                         N_("Holiday calendar {path} is not valid JSON: {detail}."),
                         {{"path", path.string()}, {"detail", e.what()}});
    }
    add(doc, path.string());
}

WorkingCalendar WorkingCalendar::load_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        throw FormsError(FormsErrorCode::DataFile,
                         N_("The holiday calendar directory {path} does not exist."),
                         {{"path", dir.string()}});
    }
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().extension() == ".json") {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    WorkingCalendar cal;
    for (const auto& f : files) {
        cal.add_file(f);
    }
    return cal;
}

const WorkingCalendar& WorkingCalendar::builtin() {
    static const WorkingCalendar cal = [] {
        WorkingCalendar c;
        for (const auto& [name, text] : detail::embedded_calendars()) {
            c.add(nlohmann::json::parse(text), std::string(name) + " (built in)");
        }
        return c;
    }();
    return cal;
}

WorkingCalendar
WorkingCalendar::builtin_with(const std::map<std::string, nlohmann::json>& documents) {
    WorkingCalendar c;
    for (const auto& [file, text] : detail::embedded_calendars()) {
        auto name = std::string(file);
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
            name.resize(name.size() - 5);
        if (documents.count(name) == 0)
            c.add(nlohmann::json::parse(text), std::string(file) + " (built in)");
    }
    for (const auto& [name, document] : documents)
        c.add(document, name + " (synced)");
    return c;
}

DayKind WorkingCalendar::kind(const Date& date) const {
    const sys_days d{date};
    if (makeup_workdays_.count(d) != 0) {
        return DayKind::MakeUpWorkday;
    }
    if (holidays_.count(d) != 0) {
        return DayKind::Holiday;
    }
    return weekend(d) ? DayKind::Weekend : DayKind::Workday;
}

bool WorkingCalendar::is_working_day(const Date& date) const {
    const auto k = kind(date);
    return k == DayKind::Workday || k == DayKind::MakeUpWorkday;
}

std::string WorkingCalendar::reason(const Date& date) const {
    const sys_days d{date};
    if (const auto it = makeup_workdays_.find(d); it != makeup_workdays_.end()) {
        return it->second;
    }
    if (const auto it = holidays_.find(d); it != holidays_.end()) {
        return it->second;
    }
    return {};
}

bool WorkingCalendar::is_working_day_or_estimate(const Date& date, bool* estimated) const {
    if (!covers(year_of(date))) {
        if (estimated == nullptr) {
            throw FormsError(FormsErrorCode::NotFound,
                             N_("The holiday calendar has no data for {year} (it covers {years}); "
                                "update the calendar dictionary before computing dates in that "
                                "year."),
                             {{"year", std::to_string(year_of(date))},
                              {"years", [&] {
                                   std::string ys;
                                   for (const auto& [y, s] : year_status_) {
                                       ys += (ys.empty() ? "" : ", ") + std::to_string(y);
                                   }
                                   return ys.empty() ? std::string("no year") : ys;
                               }()}});
        }
        *estimated = true;
        return !weekend(sys_days{date});
    }
    return is_working_day(date);
}

Date WorkingCalendar::add_working_days(const Date& start, int n, bool count_start_day) const {
    if (n < 0 || n > kMaxAmount) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A number of working days must be between 0 and {max}, got {n}."),
                         {{"max", std::to_string(kMaxAmount)}, {"n", std::to_string(n)}});
    }
    sys_days d{start};
    if (n == 0) {
        while (!is_working_day_or_estimate(Date{d}, nullptr)) {
            d += days{1};
        }
        return Date{d};
    }
    int remaining = n;
    if (count_start_day && is_working_day_or_estimate(Date{d}, nullptr)) {
        --remaining;
    }
    while (remaining > 0) {
        d += days{1};
        if (is_working_day_or_estimate(Date{d}, nullptr)) {
            --remaining;
        }
    }
    return Date{d};
}

int WorkingCalendar::working_days_between(const Date& from, const Date& to) const {
    sys_days a{from};
    sys_days b{to};
    int sign = 1;
    if (b < a) {
        std::swap(a, b);
        sign = -1;
    }
    if (b - a > days{kMaxAmount}) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("The dates {from} and {to} are too far apart to count working days."),
                         {{"from", format_date(from)}, {"to", format_date(to)}});
    }
    int count = 0;
    for (auto d = a + days{1}; d <= b; d += days{1}) {
        if (is_working_day_or_estimate(Date{d}, nullptr)) {
            ++count;
        }
    }
    return sign * count;
}

Deadline WorkingCalendar::deadline(const Date& start, int amount, TimeUnit unit,
                                   bool count_start_day) const {
    if (amount < 0 || amount > kMaxAmount) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A time limit must be between 0 and {max} days, got {n}."),
                         {{"max", std::to_string(kMaxAmount)}, {"n", std::to_string(amount)}});
    }
    Deadline out;
    if (unit == TimeUnit::NaturalDays) {
        const int offset = count_start_day && amount > 0 ? amount - 1 : amount;
        out.date = Date{sys_days{start} + days{offset}};
        return out;
    }
    sys_days d{start};
    bool estimated = false;
    int remaining = amount;
    if (amount == 0) {
        while (!is_working_day_or_estimate(Date{d}, &estimated)) {
            d += days{1};
        }
    } else {
        if (count_start_day && is_working_day_or_estimate(Date{d}, &estimated)) {
            --remaining;
        }
        while (remaining > 0) {
            d += days{1};
            if (is_working_day_or_estimate(Date{d}, &estimated)) {
                --remaining;
            }
        }
    }
    out.date = Date{d};
    out.estimated = estimated;
    return out;
}

} // namespace ow::forms
