// Resumable, tus-style blob uploads (docs/sync-protocol.md §5). Metadata (length, SHA-256, offset,
// completeness, owner) lives in the database; the bytes in one file per blob below the state
// directory. A chunk is streamed to the file, checked against its SHA-256, fdatasync'd, and only
// then is the new offset committed. Whatever a cut connection left beyond the committed offset is
// cut off before the next chunk is written.
#pragma once

#include "storage.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ow::server {

struct BlobInfo {
    std::string id;
    std::int64_t length = 0;
    std::string sha256;
    std::int64_t offset = 0;
    bool complete = false;
    std::string owner;
};

enum class BlobStatus {
    Created,          // 201
    Existing,         // 200
    Appended,         // 204
    NotFound,         // 404
    Mismatch,         // 409 blob-mismatch (create with other length / hash)
    OffsetMismatch,   // 409 offset-mismatch
    AlreadyComplete,  // 409 blob-complete
    NotOwner,         // 403
    ChecksumMismatch, // 460: the chunk is discarded
    HashMismatch,     // 422: whole-file SHA-256 differs, upload reset to 0
    BadRequest,       // 400
    Interrupted,      // the request body ended early; nothing of the chunk is kept
};

struct BlobResult {
    BlobStatus status;
    BlobInfo info;
    std::string message;
};

class BlobStore {
public:
    static constexpr std::int64_t kMaxLength = std::int64_t{2} << 30; // 2 GiB
    static constexpr std::int64_t kMaxChunk = std::int64_t{64} << 20; // 64 MiB

    BlobStore(Storage& storage, std::filesystem::path directory);

    BlobResult create(const std::string& owner, const std::string& id, std::int64_t length,
                      const std::string& sha256_hex);
    std::optional<BlobInfo> find(const std::string& id);

    // Feeds the chunk's bytes: calls `sink` for each piece; returns false if the body ended early.
    using Sink = std::function<bool(const char* data, std::size_t size)>;
    using BodyReader = std::function<bool(const Sink& sink)>;
    // `checksum` is the Upload-Checksum header value ("sha256 <base64>").
    BlobResult append(const std::string& owner, const std::string& id, std::int64_t offset,
                      const std::string& checksum, std::int64_t content_length,
                      const BodyReader& body);

    // The file of a blob (complete or not).
    std::filesystem::path file_of(const std::string& id) const;

private:
    std::shared_ptr<std::mutex> lock_for(const std::string& id);
    void set_offset(const std::string& id, std::int64_t offset, bool complete);

    Storage& storage_;
    std::filesystem::path directory_;
    std::mutex locks_mutex_;
    std::map<std::string, std::weak_ptr<std::mutex>> locks_;
};

} // namespace ow::server
