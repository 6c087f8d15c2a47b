// Encrypted blobs outside the database: scanned pages, rendered documents, attachments.
// Each blob has its own random 256-bit key, kept in the (encrypted) cache; the file holds
// AES-256-GCM chunks (1 MiB each, nonce || ciphertext || tag, the chunk index and the blob id
// authenticated), and is named by a keyed hash of its content, so a name tells nothing about
// what is inside. Written atomically; nothing in plaintext ever touches the disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ow::core {

class Database;
class Session;

struct BlobInfo {
    std::string id; // keyed hash of the content (hex)
    std::int64_t size = 0;
    std::string sha256; // of the plaintext, for sync's end-to-end check
    std::string media_type;
};

class BlobStore {
public:
    explicit BlobStore(Session& session) : session_(session) {}

    // Stores the bytes (idempotent: the same content gives the same id). Call inside or outside
    // a transaction; the key row is written in the caller's transaction if there is one.
    BlobInfo put(const std::vector<unsigned char>& content, const std::string& media_type);
    std::vector<unsigned char> get(const std::string& id);
    BlobInfo info(const std::string& id);

private:
    Session& session_;
};

// Plaintext bytes [offset, offset + length) of a stored blob, decrypting only the 1 MiB chunks
// that cover them (sync uploads a blob chunk by chunk; the plaintext exists only in memory).
// `workstation_dir` holds DIR/blobs; `db` is any connection to the workstation's cache.
std::vector<unsigned char> read_blob_range(Database& db,
                                           const std::filesystem::path& workstation_dir,
                                           const std::string& id, std::int64_t offset,
                                           std::size_t length);

} // namespace ow::core
