#include "ow/core/log.h"

#include "ow/core/util.h"

#include <mutex>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <vector>

namespace ow::core::log {

namespace {
std::mutex mutex;
std::shared_ptr<spdlog::logger>& current() {
    static std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
        "onewindow", std::make_shared<spdlog::sinks::null_sink_mt>());
    return logger;
}
} // namespace

spdlog::logger& logger() {
    std::lock_guard lock(mutex);
    return *current();
}

void open_file(const std::filesystem::path& dir) {
    try {
        ensure_private_dir(dir);
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            (dir / "onewindow.log").string(), 5 * 1024 * 1024, 3);
        auto logger = std::make_shared<spdlog::logger>("onewindow", sink);
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [%P] %v");
        logger->flush_on(spdlog::level::info);
        std::lock_guard lock(mutex);
        // Keep replaced loggers alive: another thread may be writing through one right now.
        static std::vector<std::shared_ptr<spdlog::logger>> retired;
        retired.push_back(current());
        current() = logger;
    } catch (const std::exception&) {
        // A log that cannot be opened must not stop the counter; keep logging nowhere.
    }
}

} // namespace ow::core::log
