#include "blob_store.h"

#include "fault.h"
#include "util.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ow::server {

namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

[[noreturn]] void io_error(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void fsync_directory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

struct DigestCtx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    DigestCtx() {
        if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr))
            throw std::runtime_error("SHA-256 init failed");
    }
    ~DigestCtx() { EVP_MD_CTX_free(ctx); }
    void update(const void* p, std::size_t n) { EVP_DigestUpdate(ctx, p, n); }
    std::vector<unsigned char> final() {
        std::vector<unsigned char> out(32);
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx, out.data(), &n);
        return out;
    }
};

BlobInfo row_to_info(const Row& r) {
    BlobInfo b;
    b.id = r.text(0);
    b.length = r.int64(1);
    b.sha256 = r.text(2);
    b.offset = r.int64(3);
    b.complete = r.int64(4) != 0;
    b.owner = r.text(5);
    return b;
}

constexpr const char* kSelectBlob =
    "SELECT id, length, sha256, upload_offset, complete, owner FROM blobs WHERE id = ?";

} // namespace

BlobStore::BlobStore(Storage& storage, std::filesystem::path directory)
    : storage_(storage), directory_(std::move(directory)) {
    std::filesystem::create_directories(directory_);
}

std::filesystem::path BlobStore::file_of(const std::string& id) const {
    std::string name = sha256_hex(id);
    return directory_ / name.substr(0, 2) / name;
}

std::shared_ptr<std::mutex> BlobStore::lock_for(const std::string& id) {
    std::lock_guard lock(locks_mutex_);
    auto& weak = locks_[id];
    auto strong = weak.lock();
    if (!strong) {
        strong = std::make_shared<std::mutex>();
        weak = strong;
    }
    if (locks_.size() > 1024) // forget the locks nobody holds
        for (auto it = locks_.begin(); it != locks_.end();)
            it = it->second.expired() ? locks_.erase(it) : std::next(it);
    return strong;
}

std::optional<BlobInfo> BlobStore::find(const std::string& id) {
    auto tx = storage_.begin(TxMode::Read);
    auto row = tx->query_one(kSelectBlob, {id});
    if (!row)
        return std::nullopt;
    return row_to_info(*row);
}

BlobResult BlobStore::create(const std::string& owner, const std::string& id, std::int64_t length,
                             const std::string& sha256) {
    if (!valid_identifier(id))
        return {BlobStatus::BadRequest, {}, "blob_id must be 1-64 characters of [A-Za-z0-9._:-]"};
    if (length < 0 || length > kMaxLength)
        return {BlobStatus::BadRequest, {}, "length must be between 0 and 2 GiB"};
    if (!valid_sha256_hex(sha256))
        return {BlobStatus::BadRequest, {}, "sha256 must be 64 lowercase hex digits"};
    if (length == 0 && sha256 != sha256_hex(""))
        return {BlobStatus::BadRequest, {}, "sha256 of an empty blob must be that of no bytes"};
    auto guard = lock_for(id);
    std::lock_guard lock(*guard);
    auto tx = storage_.begin(TxMode::Write);
    if (auto row = tx->query_one(kSelectBlob, {id})) {
        BlobInfo info = row_to_info(*row);
        if (info.length != length || info.sha256 != sha256)
            return {BlobStatus::Mismatch, info,
                    "an upload with this blob_id exists with another length or sha256"};
        return {BlobStatus::Existing, info, ""};
    }
    // The file is created by the first chunk (an empty blob has none).
    bool complete = length == 0;
    std::string now = now_utc_iso();
    tx->exec("INSERT INTO blobs(id, length, sha256, upload_offset, complete, owner, created_at, "
             "completed_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
             {id, length, sha256, std::int64_t{complete ? 1 : 0}, owner, now,
              complete ? Value(now) : Value(nullptr)});
    tx->commit();
    return {BlobStatus::Created, BlobInfo{id, length, sha256, 0, complete, owner}, ""};
}

void BlobStore::set_offset(const std::string& id, std::int64_t offset, bool complete) {
    auto tx = storage_.begin(TxMode::Write);
    tx->exec("UPDATE blobs SET upload_offset = ?, complete = ?, completed_at = ? WHERE id = ?",
             {offset, std::int64_t{complete ? 1 : 0},
              complete ? Value(now_utc_iso()) : Value(nullptr), id});
    tx->commit();
}

BlobResult BlobStore::append(const std::string& owner, const std::string& id, std::int64_t offset,
                             const std::string& checksum, std::int64_t content_length,
                             const BodyReader& body) {
    std::vector<unsigned char> expected;
    {
        const std::string prefix = "sha256 ";
        if (checksum.compare(0, prefix.size(), prefix) != 0 ||
            !base64_decode(checksum.substr(prefix.size()), expected) || expected.size() != 32)
            return {BlobStatus::BadRequest,
                    {},
                    "Upload-Checksum must be 'sha256 <base64 of the chunk's SHA-256>'"};
    }
    auto guard = lock_for(id);
    std::lock_guard lock(*guard);
    auto found = find(id);
    if (!found)
        return {BlobStatus::NotFound, {}, "no upload with this blob_id"};
    BlobInfo info = *found;
    if (info.owner != owner)
        return {BlobStatus::NotOwner, info, "the upload belongs to another workstation"};
    if (info.complete)
        return {BlobStatus::AlreadyComplete, info, "the blob is complete"};
    if (offset != info.offset)
        return {BlobStatus::OffsetMismatch, info, "Upload-Offset differs from the server's offset"};
    if (content_length < 0 || content_length > kMaxChunk)
        return {BlobStatus::BadRequest, info, "a chunk needs a Content-Length of at most 64 MiB"};
    if (offset + content_length > info.length)
        return {BlobStatus::BadRequest, info, "the chunk goes beyond Upload-Length"};

    auto file = file_of(id);
    bool created = false;
    if (offset == 0 && !std::filesystem::exists(file)) {
        std::filesystem::create_directories(file.parent_path());
        created = true;
    }
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640));
    if (fd.get() < 0)
        io_error("open " + file.string());
    // Bytes beyond the committed offset come from a chunk that was cut or refused: drop them.
    if (::ftruncate(fd.get(), offset) != 0)
        io_error("truncate " + file.string());
    DigestCtx digest;
    std::int64_t position = offset;
    bool too_long = false;
    bool write_failed = false;
    bool whole = body([&](const char* data, std::size_t size) {
        if (position + static_cast<std::int64_t>(size) > offset + content_length) {
            too_long = true;
            return false;
        }
        std::size_t done = 0;
        while (done < size) {
            ssize_t n = ::pwrite(fd.get(), data + done, size - done, position);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                write_failed = true;
                return false;
            }
            done += static_cast<std::size_t>(n);
            position += n;
        }
        digest.update(data, size);
        return true;
    });
    if (write_failed) {
        int saved = errno;
        (void)::ftruncate(fd.get(), offset);
        errno = saved;
        io_error("write " + file.string());
    }
    if (!whole || too_long || position != offset + content_length) {
        (void)::ftruncate(fd.get(), offset);
        return {too_long ? BlobStatus::BadRequest : BlobStatus::Interrupted, info,
                "the chunk's body did not match its Content-Length"};
    }
    std::vector<unsigned char> chunk_digest = digest.final();
    if (chunk_digest != expected) {
        (void)::ftruncate(fd.get(), offset);
        return {BlobStatus::ChecksumMismatch, info,
                "the chunk's SHA-256 differs from Upload-Checksum; the chunk was discarded"};
    }
    fault_point("chunk-written");
    if (::fdatasync(fd.get()) != 0)
        io_error("fdatasync " + file.string());
    if (created) // the new file's directory entry must be durable too
        fsync_directory(file.parent_path());
    std::int64_t new_offset = position;
    if (new_offset < info.length) {
        set_offset(id, new_offset, false);
        fault_point("chunk-committed");
        info.offset = new_offset;
        return {BlobStatus::Appended, info, ""};
    }
    // Complete: verify the whole file against the hash declared at creation. A single chunk
    // that carried the whole blob was just hashed: no need to read it back.
    std::string whole_hex;
    if (offset == 0)
        whole_hex = to_hex(chunk_digest);
    else {
        DigestCtx whole_digest;
        Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (in.get() < 0)
            io_error("open " + file.string());
        std::vector<char> buf(1 << 20);
        for (;;) {
            ssize_t n = ::read(in.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                io_error("read " + file.string());
            }
            if (n == 0)
                break;
            whole_digest.update(buf.data(), static_cast<std::size_t>(n));
        }
        whole_hex = to_hex(whole_digest.final());
    }
    if (whole_hex != info.sha256) {
        (void)::ftruncate(fd.get(), 0);
        ::fdatasync(fd.get());
        set_offset(id, 0, false);
        info.offset = 0;
        return {BlobStatus::HashMismatch, info,
                "the uploaded bytes do not have the declared sha256; the upload was reset"};
    }
    set_offset(id, new_offset, true);
    info.offset = new_offset;
    info.complete = true;
    return {BlobStatus::Appended, info, ""};
}

} // namespace ow::server
