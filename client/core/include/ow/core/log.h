// The workstation log: a rotating file under <data dir>/logs. Never log a PIN, password, key,
// ID number, name of an applicant or any form content: log identifiers of records we own (case
// ids, user names of staff) and error codes.
#pragma once

#include <filesystem>
#include <spdlog/spdlog.h>

namespace ow::core::log {

// Sends log lines to <dir>/onewindow.log (5 MiB x 3 files). Until called, lines go nowhere.
void open_file(const std::filesystem::path& dir);
spdlog::logger& logger();

template <typename... Args> void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    logger().info(fmt, std::forward<Args>(args)...);
}
template <typename... Args> void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    logger().warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args> void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    logger().error(fmt, std::forward<Args>(args)...);
}

} // namespace ow::core::log
