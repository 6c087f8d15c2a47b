#include "ow/core/util.h"

#include "ow/core/crypto.h"
#include "ow/core/error.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ow::core {

std::string trim_whitespace(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

std::string now_utc_iso() {
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t t = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

std::string local_time(const char* strftime_format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    return std::strftime(buf, sizeof buf, strftime_format, &tm) ? buf : "";
}

std::string today_local() {
    return local_time("%Y-%m-%d");
}

std::string new_uuid() {
    auto b = crypto::random_bytes(16);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    std::string hex = crypto::to_hex(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

namespace {
[[noreturn]] void storage_error(const std::filesystem::path& path, const char* what) {
    throw CoreError(
        ErrorCode::Storage,
        N_("Could not {operation} {path}: {reason}. Check free disk space and "
           "permissions."),
        {{"operation", what}, {"path", path.string()}, {"reason", std::strerror(errno)}});
}
} // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    auto tmp = path;
    tmp += ".tmp-" + new_uuid().substr(0, 8);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        storage_error(tmp, "create");
    std::size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = saved;
            storage_error(tmp, "write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int saved = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = saved;
        storage_error(tmp, "sync");
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        storage_error(path, "replace");
    }
    auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        storage_error(path, "read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::filesystem::path default_data_dir() {
    if (const char* env = std::getenv("OW_DATA_DIR"); env && *env)
        return env;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "onewindow";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local" / "share" / "onewindow";
    return std::filesystem::current_path() / "onewindow-data";
}

void ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw CoreError(ErrorCode::Storage, N_("Could not create the directory {path}: {reason}."),
                        {{"path", dir.string()}, {"reason", ec.message()}});
    ::chmod(dir.c_str(), 0700);
}

bool send_to_printer(const unsigned char* pdf, std::size_t size) {
    FILE* lp = ::popen("lp -s -t OneWindow - 2>/dev/null", "w");
    if (!lp)
        return false;
    // SIGPIPE is ignored (protect_process): an lp that exits early fails the write, no more.
    const bool written = std::fwrite(pdf, 1, size, lp) == size;
    return ::pclose(lp) == 0 && written;
}

bool protect_process() {
    bool ok = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    const rlimit no_core{0, 0};
    ok = ::setrlimit(RLIMIT_CORE, &no_core) == 0 && ok;
#if !defined(__SANITIZE_ADDRESS__)
    // (LeakSanitizer stops the process through ptrace, which this would forbid.)
    ok = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
#endif
    return ok;
}

} // namespace ow::core
