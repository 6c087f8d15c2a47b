// Internal: a temp file beside the destination, renamed over it only on commit().
#pragma once

#include <filesystem>

namespace ow::signing::detail {

class TempFile {
public:
    explicit TempFile(const std::filesystem::path& target);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // fsync, rename over the target, fsync the directory.
    void commit();

private:
    std::filesystem::path target_, path_;
    bool committed_ = false;
};

} // namespace ow::signing::detail
