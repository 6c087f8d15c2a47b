#include "ow/core/log.h"

#include "ow/core/util.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

namespace ow::core::log {

namespace {
struct QuietByDefault {
    QuietByDefault() { spdlog::set_default_logger(spdlog::null_logger_mt("onewindow-null")); }
};
const QuietByDefault quiet_by_default;
} // namespace

void open_file(const std::filesystem::path& dir) {
    try {
        ensure_private_dir(dir);
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            (dir / "onewindow.log").string(), 5 * 1024 * 1024, 3);
        auto logger = std::make_shared<spdlog::logger>("onewindow", sink);
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [%P] %v");
        logger->flush_on(spdlog::level::info);
        spdlog::set_default_logger(logger);
    } catch (const std::exception&) {
        // A log that cannot be opened must not stop the counter; keep the null logger.
    }
}

} // namespace ow::core::log
