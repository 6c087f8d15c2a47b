// Internal: a temp file beside the destination, written through one descriptor and renamed over it
// only on commit().
#pragma once

#include "ow/signing/signer.h"

#include <cstdint>
#include <filesystem>
#include <span>

namespace ow::signing::detail {

class TempFile {
public:
    explicit TempFile(const std::filesystem::path& target);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // Writes all of `data` (retrying short writes and EINTR).
    void write(std::span<const std::uint8_t> data);
    // fsync, rename over the target, fsync the directory.
    void commit();

private:
    std::filesystem::path target_, path_;
    int fd_ = -1;
    bool committed_ = false;
};

// The whole file in memory, read with plain read() calls (no stdio, no mapping: a file truncated
// by someone else while we read it is an error, not a SIGBUS). Throws SigningError(IoError).
Bytes read_whole_file(const std::filesystem::path& path);

} // namespace ow::signing::detail
