#include "ow/core/log.h"

#include "ow/core/util.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <vector>

namespace ow::core::log {

namespace {
std::mutex mutex;
std::atomic<bool> logging{false};
std::shared_ptr<spdlog::logger> current; // guarded by mutex

spdlog::level::level_enum level_of(Level level) {
    switch (level) {
    case Level::Info:
        return spdlog::level::info;
    case Level::Warning:
        return spdlog::level::warn;
    case Level::Error:
        return spdlog::level::err;
    }
    return spdlog::level::err;
}
} // namespace

std::string spdlog_version() {
    return std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
           std::to_string(SPDLOG_VER_PATCH);
}

std::string fmt_version() {
    return std::to_string(FMT_VERSION / 10000) + "." + std::to_string(FMT_VERSION / 100 % 100) +
           "." + std::to_string(FMT_VERSION % 100);
}

bool enabled() {
    return logging.load(std::memory_order_acquire);
}

void write(Level level, std::string_view line) {
    std::shared_ptr<spdlog::logger> logger;
    {
        std::lock_guard lock(mutex);
        logger = current;
    }
    if (logger)
        logger->log(level_of(level), "{}", line);
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
        current = std::move(logger); // a writer still holding the old one keeps it alive
        logging.store(true, std::memory_order_release);
    } catch (const std::exception&) {
        // A log that cannot be opened must not stop the counter; keep logging nowhere.
    }
}

} // namespace ow::core::log
