#include "atomic_file.h"

#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ow::signing {
namespace detail {

namespace {
[[noreturn]] void io_fail(const std::string& what, const std::filesystem::path& p) {
    throw SigningError(ErrorCode::IoError, what + " '" + p.string() + "': " + std::strerror(errno));
}
} // namespace

TempFile::TempFile(const std::filesystem::path& target) : target_(target) {
    std::filesystem::path dir = target.parent_path();
    if (dir.empty())
        dir = ".";
    std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    fd_ = mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd_ < 0)
        io_fail("cannot create a temporary file in", dir);
    path_ = tmpl;
}

TempFile::~TempFile() {
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(path_.c_str());
}

void TempFile::write(std::span<const std::uint8_t> data) {
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            io_fail("cannot write", target_);
        }
        off += static_cast<std::size_t>(n);
    }
}

Bytes read_whole_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw SigningError(ErrorCode::IoError,
                           "cannot open '" + path.string() + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw SigningError(ErrorCode::IoError, "'" + path.string() + "' is not a regular file");
    }
    Bytes bytes(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int error = n < 0 ? errno : 0;
            ::close(fd);
            throw SigningError(ErrorCode::IoError,
                               "cannot read '" + path.string() + "'" +
                                   (error ? std::string(": ") + std::strerror(error)
                                          : std::string(": it became shorter while being read")));
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return bytes;
}

void TempFile::commit() {
    if (::fsync(fd_) != 0)
        io_fail("cannot flush", path_);
    ::fchmod(fd_, 0644);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
        io_fail("cannot close", path_);
    if (::rename(path_.c_str(), target_.c_str()) != 0)
        io_fail("cannot rename the output to", target_);
    committed_ = true;
    std::filesystem::path dir = target_.parent_path();
    if (dir.empty())
        dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace detail

void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
    detail::TempFile tmp(path);
    tmp.write(data);
    tmp.commit();
}

} // namespace ow::signing
