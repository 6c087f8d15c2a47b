// The workstation log: a rotating file under <data dir>/logs. Never log a PIN, password, key,
// ID number, name of an applicant or any form content: log identifiers of records we own (case
// ids, user names of staff) and error codes.
//
// Lines are formatted here ("{}" and "{:.Nf}" placeholders, counted against the arguments at
// compile time) and written by spdlog inside log.cpp: neither spdlog nor fmt is a shared library
// every command has to load at start-up.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace ow::core::log {

enum class Level { Info, Warning, Error };

// Sends log lines to <dir>/onewindow.log (5 MiB x 3 files). Until called, lines go nowhere.
void open_file(const std::filesystem::path& dir);
// True once open_file succeeded: lines are formatted only when they go somewhere.
bool enabled();
void write(Level level, std::string_view line);
// Versions of the logging libraries compiled into log.cpp, for doctor.
std::string spdlog_version();
std::string fmt_version();

namespace detail {

constexpr std::size_t count_placeholders(std::string_view text) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '{') {
            std::size_t close = text.find('}', i);
            if (close == std::string_view::npos)
                return static_cast<std::size_t>(-1);
            ++n;
            i = close;
        }
    return n;
}

// A format string whose placeholders match the arguments; a mismatch does not compile.
template <typename... Args> struct Format {
    template <typename Text>
    consteval Format(const Text& text) : text(text) { // NOLINT: implicit by design
        if (count_placeholders(this->text) != sizeof...(Args))
            throw "log format: the number of {} placeholders and of arguments differ";
    }
    std::string_view text;
};

template <typename T> void put(std::ostringstream& out, std::string_view spec, const T& value) {
    // "{:.Nf}": fixed with N decimals, for floating-point values.
    if constexpr (std::is_floating_point_v<T>) {
        if (spec.size() == 4 && spec[0] == ':' && spec[1] == '.' && spec[3] == 'f') {
            const auto precision = out.precision();
            out << std::fixed << std::setprecision(spec[2] - '0') << value;
            out.unsetf(std::ios::floatfield);
            out.precision(precision);
            return;
        }
    }
    out << value;
}

template <typename... Args> std::string format(std::string_view text, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        return std::string(text);
    } else {
        std::ostringstream out;
        std::size_t at = 0;
        auto next = [&](const auto& value) {
            std::size_t open = text.find('{', at);
            std::size_t close = text.find('}', open);
            out << text.substr(at, open - at);
            put(out, text.substr(open + 1, close - open - 1), value);
            at = close + 1;
        };
        (next(args), ...);
        out << text.substr(at);
        return out.str();
    }
}

} // namespace detail

template <typename... Args>
void info(detail::Format<std::type_identity_t<Args>...> format, const Args&... args) {
    if (enabled())
        write(Level::Info, detail::format(format.text, args...));
}
template <typename... Args>
void warn(detail::Format<std::type_identity_t<Args>...> format, const Args&... args) {
    if (enabled())
        write(Level::Warning, detail::format(format.text, args...));
}
template <typename... Args>
void error(detail::Format<std::type_identity_t<Args>...> format, const Args&... args) {
    if (enabled())
        write(Level::Error, detail::format(format.text, args...));
}

} // namespace ow::core::log
