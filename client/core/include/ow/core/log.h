// The workstation log: a rotating file under <data dir>/logs. Never log a PIN, password, key,
// ID number, name of an applicant or any form content: log identifiers of records we own (case
// ids, user names of staff) and error codes.
//
// spdlog stays inside log.cpp (compiled in, not a shared library every command loads at start).
#pragma once

#include <filesystem>
#include <fmt/format.h>
#include <string_view>
#include <utility>

namespace ow::core::log {

enum class Level { Info, Warning, Error };

// Sends log lines to <dir>/onewindow.log (5 MiB x 3 files). Until called, lines go nowhere.
void open_file(const std::filesystem::path& dir);
// True once open_file succeeded: lines are formatted only when they go somewhere.
bool enabled();
void write(Level level, std::string_view line);

template <typename... Args> void info(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled())
        write(Level::Info, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args> void warn(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled())
        write(Level::Warning, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args> void error(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled())
        write(Level::Error, fmt::format(format, std::forward<Args>(args)...));
}

} // namespace ow::core::log
