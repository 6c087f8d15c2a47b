#include "atomic_file.h"

#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

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
    // mkostemp makes it 0600; the published file is readable like any document (set before the
    // first sync, so that the mode is as durable as the bytes).
    if (::fchmod(fd_, 0644) != 0) {
        const int error = errno;
        ::close(fd_);
        ::unlink(path_.c_str());
        errno = error;
        io_fail("cannot set the mode of", path_);
    }
}

TempFile::~TempFile() {
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(path_.c_str());
}

void TempFile::write(std::span<const std::uint8_t> data) {
    write_at(data, end_);
}

namespace {
constexpr std::size_t kMapFrom = 1 << 20;
}

FileBytes::FileBytes(std::size_t size) : size_(size) {
    if (size == 0)
        return;
    if (size >= kMapFrom) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p != MAP_FAILED) {
            data_ = static_cast<std::uint8_t*>(p);
            mapped_ = true;
            return;
        }
    }
    data_ = new std::uint8_t[size]; // default-initialised: read() fills it
}

FileBytes::~FileBytes() {
    release();
}

FileBytes::FileBytes(FileBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        mapped_ = std::exchange(other.mapped_, false);
    }
    return *this;
}

void FileBytes::wipe() noexcept {
    if (data_)
        OPENSSL_cleanse(data_, size_);
}

void FileBytes::release() noexcept {
    if (mapped_)
        ::munmap(data_, size_);
    else
        delete[] data_;
    data_ = nullptr;
    size_ = 0;
    mapped_ = false;
}

FileBytes read_whole_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw SigningError(ErrorCode::IoError,
                           "cannot open '" + path.string() + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw SigningError(ErrorCode::IoError, "'" + path.string() + "' is not a regular file");
    }
    FileBytes bytes(static_cast<std::size_t>(st.st_size));
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

void TempFile::write_at(std::span<const std::uint8_t> data, std::size_t offset) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                             static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            io_fail("cannot write", target_);
        }
        done += static_cast<std::size_t>(n);
    }
    end_ = std::max(end_, offset + data.size());
}

void TempFile::sync(bool data_only) {
    if ((data_only ? ::fdatasync(fd_) : ::fsync(fd_)) != 0)
        io_fail("cannot flush", path_);
}

void TempFile::publish() {
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

void TempFile::commit() {
    sync();
    publish();
}

SignedFileWriter::SignedFileWriter(std::filesystem::path target) : target_(std::move(target)) {}

SignedFileWriter::~SignedFileWriter() {
    abandon();
}

void SignedFileWriter::write_ahead() noexcept {
    try {
        temp_.emplace(target_);
        const std::span<const std::uint8_t> parts[] = {document_.first(gap_begin_), gap_filler_,
                                                       document_.subspan(gap_end_)};
        for (const auto& part : parts) {
            if (cancelled_.load(std::memory_order_relaxed))
                return; // abandoned: the file is removed unwritten
            temp_->write(part);
        }
        if (!cancelled_.load(std::memory_order_relaxed))
            temp_->sync();
    } catch (...) {
        error_ = std::current_exception();
    }
}

void SignedFileWriter::start(std::span<const std::uint8_t> document, std::size_t gap_begin,
                             std::size_t gap_end) {
    abandon(); // an earlier attempt with less room for the CMS
    cancelled_ = false;
    document_ = document;
    gap_begin_ = gap_begin;
    gap_end_ = gap_end;
    gap_filler_.assign(gap_end - gap_begin, '0');
    try {
        worker_ = std::thread([this] { write_ahead(); });
    } catch (const std::system_error&) {
        write_ahead(); // no thread to be had: write now, on this one
    }
}

void SignedFileWriter::finish() {
    if (worker_.joinable())
        worker_.join();
    if (error_)
        std::rethrow_exception(std::exchange(error_, nullptr));
    if (!temp_)
        throw SigningError(ErrorCode::IoError,
                           "nothing was written for '" + target_.string() + "'");
    temp_->write_at(document_.subspan(gap_begin_, gap_end_ - gap_begin_), gap_begin_);
    temp_->sync(true);
    temp_->publish();
    temp_.reset();
}

void SignedFileWriter::abandon() noexcept {
    cancelled_ = true; // the worker stops between writes and skips the sync
    if (worker_.joinable())
        worker_.join();
    error_ = nullptr;
    temp_.reset(); // unlinks an unpublished temp file
}

} // namespace detail

void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
    detail::TempFile tmp(path);
    tmp.write(data);
    tmp.commit();
}

} // namespace ow::signing
