#include "ow/core/blob_store.h"

#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <cstring>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ow::core {
namespace {

constexpr std::size_t kChunk = 1 << 20;

std::filesystem::path blob_path(const std::filesystem::path& dir, const std::string& id) {
    return dir / "blobs" / id.substr(0, 2) / id;
}

std::filesystem::path blob_path(Session& session, const std::string& id) {
    return blob_path(session.paths().dir, id);
}

SecretBytes blob_key(Database& db, const std::string& id) {
    auto st = db.prepare("SELECT blob_key FROM blobs WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("The stored document {id} is unknown."),
                        {{"id", id.substr(0, 12)}});
    auto k = st.blob(0);
    SecretBytes key(k.data(), k.size());
    wipe(k.data(), k.size());
    return key;
}

[[noreturn]] void damaged(const std::string& id) {
    throw CoreError(ErrorCode::CacheCorrupt, N_("The stored document {id} is damaged."),
                    {{"id", id.substr(0, 12)}});
}

std::string keyed_name(const SecretBytes& data_key, const std::vector<unsigned char>& content) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // A name key derived from the data key, so names cannot be matched against known content.
    static const std::string label = "onewindow-blob-name-v1";
    unsigned char name_key[32];
    unsigned int nk = 0;
    HMAC(EVP_sha256(), data_key.data(), static_cast<int>(data_key.size()),
         reinterpret_cast<const unsigned char*>(label.data()), label.size(), name_key, &nk);
    HMAC(EVP_sha256(), name_key, static_cast<int>(nk), content.data(), content.size(), md, &len);
    wipe(name_key, sizeof name_key);
    return crypto::to_hex(md, len);
}

} // namespace

BlobInfo BlobStore::put(const std::vector<unsigned char>& content, const std::string& media_type) {
    auto& db = session_.db();
    BlobInfo info;
    info.id = keyed_name(session_.data_key(), content);
    info.size = static_cast<std::int64_t>(content.size());
    info.sha256 = crypto::sha256_hex(
        std::string_view(reinterpret_cast<const char*>(content.data()), content.size()));
    info.media_type = media_type;
    bool known = false;
    {
        auto st = db.prepare("SELECT 1 FROM blobs WHERE id = ?");
        st.bind(1, info.id);
        known = st.step();
        std::error_code ec;
        if (known && std::filesystem::exists(blob_path(session_, info.id), ec))
            return info; // already stored
    }
    // A known blob whose file went missing is written again under the key its row keeps.
    SecretBytes key = known ? blob_key(db, info.id) : SecretBytes::random(32);
    std::string file;
    for (std::size_t offset = 0, index = 0; offset < content.size() || index == 0;
         offset += kChunk, ++index) {
        std::size_t n = std::min(kChunk, content.size() - std::min(offset, content.size()));
        auto sealed =
            crypto::seal(key, content.data() + offset, n, info.id + ":" + std::to_string(index));
        std::uint32_t size = static_cast<std::uint32_t>(sealed.size());
        file.append(reinterpret_cast<const char*>(&size), sizeof size);
        file.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
        if (offset + kChunk >= content.size())
            break;
    }
    auto path = blob_path(session_, info.id);
    ensure_private_dir(path.parent_path());
    write_file_atomically(path, file);
    db.prepare("INSERT OR IGNORE INTO blobs(id, blob_key, size, sha256, media_type, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, info.id)
        .bind_blob(2, key.data(), key.size())
        .bind(3, info.size)
        .bind(4, info.sha256)
        .bind(5, media_type)
        .bind(6, now_utc_iso())
        .run();
    return info;
}

BlobInfo BlobStore::info(const std::string& id) {
    auto st = session_.db().prepare("SELECT size, sha256, media_type FROM blobs WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("The stored document {id} is unknown."),
                        {{"id", id.substr(0, 12)}});
    return {id, st.int64(0), st.text(1), st.text(2)};
}

std::vector<unsigned char> BlobStore::get(const std::string& id) {
    SecretBytes key = blob_key(session_.db(), id);
    std::string file = read_file(blob_path(session_, id));
    std::vector<unsigned char> out;
    std::size_t pos = 0, index = 0;
    while (pos < file.size()) {
        std::uint32_t size = 0;
        if (file.size() - pos < sizeof size)
            damaged(id);
        std::memcpy(&size, file.data() + pos, sizeof size);
        pos += sizeof size;
        if (file.size() - pos < size)
            damaged(id);
        crypto::Bytes sealed(file.begin() + static_cast<std::ptrdiff_t>(pos),
                             file.begin() + static_cast<std::ptrdiff_t>(pos + size));
        pos += size;
        try {
            SecretBytes plain = crypto::open(key, sealed, id + ":" + std::to_string(index++));
            out.insert(out.end(), plain.data(), plain.data() + plain.size());
        } catch (const CoreError&) {
            damaged(id);
        }
    }
    // Each chunk is sealed with its index, not with the total: a file cut after a whole chunk
    // would open cleanly, shorter. Its recorded size catches that.
    auto st = session_.db().prepare("SELECT size FROM blobs WHERE id = ?");
    st.bind(1, id);
    if (!st.step() || static_cast<std::int64_t>(out.size()) != st.int64(0))
        damaged(id);
    return out;
}

std::vector<unsigned char> read_blob_range(Database& db,
                                           const std::filesystem::path& workstation_dir,
                                           const std::string& id, std::int64_t offset,
                                           std::size_t length) {
    SecretBytes key = blob_key(db, id);
    std::ifstream in(blob_path(workstation_dir, id), std::ios::binary);
    if (!in)
        damaged(id);
    std::vector<unsigned char> out;
    out.reserve(length);
    const std::int64_t end = offset + static_cast<std::int64_t>(length);
    std::int64_t chunk_start = 0; // plaintext offset of the current chunk
    for (std::size_t index = 0; chunk_start < end; ++index) {
        std::uint32_t size = 0;
        if (!in.read(reinterpret_cast<char*>(&size), sizeof size))
            break;                                   // end of the blob
        constexpr std::uint32_t kOverhead = 12 + 16; // nonce + tag
        if (size < kOverhead || size > kChunk + kOverhead)
            damaged(id);
        const std::int64_t plain_size = size - kOverhead;
        if (chunk_start + plain_size <= offset) { // entirely before the range: skip it
            in.seekg(size, std::ios::cur);
            chunk_start += plain_size;
            continue;
        }
        crypto::Bytes sealed(size);
        if (!in.read(reinterpret_cast<char*>(sealed.data()), size))
            damaged(id);
        try {
            SecretBytes plain = crypto::open(key, sealed, id + ":" + std::to_string(index));
            std::int64_t from = std::max<std::int64_t>(offset - chunk_start, 0);
            std::int64_t to = std::min<std::int64_t>(end - chunk_start, plain_size);
            out.insert(out.end(), plain.data() + from, plain.data() + to);
        } catch (const CoreError&) {
            damaged(id);
        }
        chunk_start += plain_size;
    }
    return out;
}

} // namespace ow::core
