// SHA1_Init/Update/Final are deprecated in OpenSSL 3 but still the only allocation-free way to
// resume a saved digest state: EVP_MD_CTX_copy_ex duplicates the provider context (malloc + free)
// on every call, and an EVP_MAC HMAC restart does that three times per page (≈0.4 µs of a ≈5 µs
// page read). They hash with the same SHA-NI code as the EVP interface.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "page_crypto.h"

#include "sqlite_api.h"

#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string>

// SQLCipher's provider interface. Not in the installed headers; this is the layout of the
// sqlcipher_provider struct of SQLCipher 3.4.1 (src/sqlcipher.h), the version install_page_crypto()
// checks for before using it.
extern "C" {
struct sqlcipher_provider {
    int (*activate)(void* ctx);
    int (*deactivate)(void* ctx);
    const char* (*get_provider_name)(void* ctx);
    int (*add_random)(void* ctx, void* buffer, int length);
    int (*random)(void* ctx, void* buffer, int length);
    int (*hmac)(void* ctx, unsigned char* hmac_key, int key_sz, unsigned char* in, int in_sz,
                unsigned char* in2, int in2_sz, unsigned char* out);
    int (*kdf)(void* ctx, const unsigned char* pass, int pass_sz, unsigned char* salt, int salt_sz,
               int workfactor, int key_sz, unsigned char* key);
    int (*cipher)(void* ctx, int mode, unsigned char* key, int key_sz, unsigned char* iv,
                  unsigned char* in, int in_sz, unsigned char* out);
    int (*set_cipher)(void* ctx, const char* cipher_name);
    const char* (*get_cipher)(void* ctx);
    int (*get_key_sz)(void* ctx);
    int (*get_iv_sz)(void* ctx);
    int (*get_block_sz)(void* ctx);
    int (*get_hmac_sz)(void* ctx);
    int (*ctx_copy)(void* target_ctx, void* source_ctx);
    int (*ctx_cmp)(void* c1, void* c2);
    int (*ctx_init)(void** ctx);
    int (*ctx_free)(void** ctx);
    int (*fips_status)(void* ctx);
    const char* (*get_provider_version)(void* ctx);
};
}

namespace ow::core::detail {
namespace {

// Exported by libsqlcipher 3.4.1; resolved from the loaded library before the provider is built.
struct SqlcipherApi {
    int (*register_provider)(sqlcipher_provider* p) = nullptr;
    void (*activate)() = nullptr;
    void* (*malloc)(int sz) = nullptr;
    void (*free)(void* ptr, int sz) = nullptr;
};
SqlcipherApi sqlcipher;

constexpr const char* kSupportedSqlcipher = "3.4.1";
constexpr int kMaxKey = 64;

// One per SQLCipher cipher context (a connection has one for reading and one for writing). SQLite
// serialises a connection, so a context is never used by two threads at once. Allocated with
// sqlcipher_malloc (locked in memory, like SQLCipher's own key buffers); the cached keys are wiped
// when it is freed.
struct PageCryptoContext {
    EVP_CIPHER* cipher = nullptr;
    EVP_CIPHER_CTX* cipher_ctx[2] = {nullptr, nullptr}; // [decrypt, encrypt]
    unsigned char cipher_key[2][kMaxKey];
    int cipher_key_sz[2];
    // HMAC-SHA1 with the key absorbed: the SHA-1 states after key XOR ipad and key XOR opad
    // (RFC 2104), resumed for every page. Key material, like the key they were made from.
    SHA_CTX hmac_inner, hmac_outer;
    unsigned char hmac_key[kMaxKey];
    int hmac_key_sz; // 0: no HMAC key absorbed yet
};

PageCryptoContext* as_context(void* ctx) {
    return static_cast<PageCryptoContext*>(ctx);
}

void release_caches(PageCryptoContext* c) {
    for (auto*& cc : c->cipher_ctx) {
        EVP_CIPHER_CTX_free(cc); // cleanses the key schedule
        cc = nullptr;
    }
    OPENSSL_cleanse(&c->hmac_inner, sizeof c->hmac_inner);
    OPENSSL_cleanse(&c->hmac_outer, sizeof c->hmac_outer);
    OPENSSL_cleanse(c->cipher_key, sizeof c->cipher_key);
    OPENSSL_cleanse(c->hmac_key, sizeof c->hmac_key);
    c->cipher_key_sz[0] = c->cipher_key_sz[1] = 0;
    c->hmac_key_sz = 0;
}

bool same_key(const unsigned char* cached, int cached_sz, const unsigned char* key, int key_sz) {
    return cached_sz == key_sz && CRYPTO_memcmp(cached, key, static_cast<size_t>(key_sz)) == 0;
}

int nothing_to_do(void*) {
    return SQLITE_OK;
}

const char* provider_name(void*) {
    return kPageCryptoProviderName;
}

int add_random(void*, void* buffer, int length) {
    RAND_add(buffer, length, 0);
    return SQLITE_OK;
}

int random_bytes(void*, void* buffer, int length) {
    return RAND_bytes(static_cast<unsigned char*>(buffer), length) == 1 ? SQLITE_OK : SQLITE_ERROR;
}

// Absorbs key XOR pad into a fresh SHA-1 state. Keys are at most one SHA-1 block (kMaxKey = 64),
// so RFC 2104's hashing of longer keys never applies.
bool absorb_hmac_key(SHA_CTX& state, const unsigned char* key, int key_sz, unsigned char pad) {
    unsigned char block[SHA_CBLOCK];
    std::memset(block, pad, sizeof block);
    for (int i = 0; i < key_sz; ++i)
        block[i] ^= key[i];
    bool ok = SHA1_Init(&state) == 1 && SHA1_Update(&state, block, sizeof block) == 1;
    OPENSSL_cleanse(block, sizeof block);
    return ok;
}

int hmac(void* ctx, unsigned char* key, int key_sz, unsigned char* in, int in_sz,
         unsigned char* in2, int in2_sz, unsigned char* out) {
    static_assert(kMaxKey <= SHA_CBLOCK);
    auto* c = as_context(ctx);
    if (key_sz <= 0 || key_sz > kMaxKey || in_sz < 0 || in2_sz < 0)
        return SQLITE_ERROR;
    if (!same_key(c->hmac_key, c->hmac_key_sz, key, key_sz)) {
        c->hmac_key_sz = 0;
        if (!absorb_hmac_key(c->hmac_inner, key, key_sz, 0x36) ||
            !absorb_hmac_key(c->hmac_outer, key, key_sz, 0x5c))
            return SQLITE_ERROR;
        std::memcpy(c->hmac_key, key, static_cast<size_t>(key_sz));
        c->hmac_key_sz = key_sz;
    }
    SHA_CTX state = c->hmac_inner;
    unsigned char inner[SHA_DIGEST_LENGTH];
    bool ok = SHA1_Update(&state, in, static_cast<size_t>(in_sz)) == 1 &&
              SHA1_Update(&state, in2, static_cast<size_t>(in2_sz)) == 1 &&
              SHA1_Final(inner, &state) == 1;
    state = c->hmac_outer;
    ok = ok && SHA1_Update(&state, inner, sizeof inner) == 1 && SHA1_Final(out, &state) == 1;
    OPENSSL_cleanse(&state, sizeof state);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok ? SQLITE_OK : SQLITE_ERROR;
}

int kdf(void*, const unsigned char* pass, int pass_sz, unsigned char* salt, int salt_sz,
        int workfactor, int key_sz, unsigned char* key) {
    return PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pass), pass_sz, salt, salt_sz,
                             workfactor, EVP_sha1(), key_sz, key) == 1
               ? SQLITE_OK
               : SQLITE_ERROR;
}

int cipher(void* ctx, int mode, unsigned char* key, int key_sz, unsigned char* iv,
           unsigned char* in, int in_sz, unsigned char* out) {
    auto* c = as_context(ctx);
    int direction = mode ? 1 : 0;
    if (c->cipher == nullptr || key_sz <= 0 || key_sz > kMaxKey)
        return SQLITE_ERROR;
    EVP_CIPHER_CTX*& cc = c->cipher_ctx[direction];
    if (cc == nullptr ||
        !same_key(c->cipher_key[direction], c->cipher_key_sz[direction], key, key_sz)) {
        if (cc == nullptr)
            cc = EVP_CIPHER_CTX_new();
        c->cipher_key_sz[direction] = 0;
        if (cc == nullptr || EVP_CipherInit_ex2(cc, c->cipher, key, iv, direction, nullptr) != 1)
            return SQLITE_ERROR;
        std::memcpy(c->cipher_key[direction], key, static_cast<size_t>(key_sz));
        c->cipher_key_sz[direction] = key_sz;
    } else if (EVP_CipherInit_ex2(cc, nullptr, nullptr, iv, direction, nullptr) != 1) {
        return SQLITE_ERROR; // same key schedule, new IV
    }
    EVP_CIPHER_CTX_set_padding(cc, 0);
    int written = 0, last = 0;
    if (EVP_CipherUpdate(cc, out, &written, in, in_sz) != 1 ||
        EVP_CipherFinal_ex(cc, out + written, &last) != 1 || written + last != in_sz)
        return SQLITE_ERROR;
    return SQLITE_OK;
}

int set_cipher(void* ctx, const char* name) {
    auto* c = as_context(ctx);
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, name, nullptr);
    if (fetched == nullptr)
        return SQLITE_ERROR;
    release_caches(c);
    EVP_CIPHER_free(c->cipher);
    c->cipher = fetched;
    return SQLITE_OK;
}

const char* get_cipher(void* ctx) {
    auto* c = as_context(ctx);
    return c->cipher ? EVP_CIPHER_get0_name(c->cipher) : "";
}

int key_size(void* ctx) {
    auto* c = as_context(ctx);
    return c->cipher ? EVP_CIPHER_get_key_length(c->cipher) : 0;
}

int iv_size(void* ctx) {
    auto* c = as_context(ctx);
    return c->cipher ? EVP_CIPHER_get_iv_length(c->cipher) : 0;
}

int block_size(void* ctx) {
    auto* c = as_context(ctx);
    return c->cipher ? EVP_CIPHER_get_block_size(c->cipher) : 0;
}

int hmac_size(void*) {
    return EVP_MD_get_size(EVP_sha1());
}

int ctx_copy(void* target, void* source) {
    auto* t = as_context(target);
    auto* s = as_context(source);
    release_caches(t); // contexts are rebuilt on first use, never shared between two connections
    if (s->cipher != nullptr && EVP_CIPHER_up_ref(s->cipher) != 1)
        return SQLITE_ERROR;
    EVP_CIPHER_free(t->cipher);
    t->cipher = s->cipher;
    return SQLITE_OK;
}

int ctx_cmp(void* a, void* b) {
    auto* x = as_context(a);
    auto* y = as_context(b);
    if (x->cipher == nullptr || y->cipher == nullptr)
        return x->cipher == y->cipher;
    return std::strcmp(EVP_CIPHER_get0_name(x->cipher), EVP_CIPHER_get0_name(y->cipher)) == 0;
}

int ctx_init(void** ctx) {
    void* memory = sqlcipher.malloc(static_cast<int>(sizeof(PageCryptoContext)));
    if (memory == nullptr)
        return SQLITE_NOMEM;
    *ctx = new (memory) PageCryptoContext{};
    return SQLITE_OK;
}

int ctx_free(void** ctx) {
    if (*ctx == nullptr)
        return SQLITE_OK;
    auto* c = as_context(*ctx);
    release_caches(c);
    EVP_CIPHER_free(c->cipher);
    c->~PageCryptoContext();
    sqlcipher.free(*ctx, static_cast<int>(sizeof(PageCryptoContext)));
    *ctx = nullptr;
    return SQLITE_OK;
}

int fips_status(void*) {
    return EVP_default_properties_is_fips_enabled(nullptr);
}

const char* provider_version(void*) {
    return OpenSSL_version(OPENSSL_VERSION);
}

std::string query_text(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite().sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite().sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite().sqlite3_column_text(stmt, 0) != nullptr)
        value = reinterpret_cast<const char*>(sqlite().sqlite3_column_text(stmt, 0));
    sqlite().sqlite3_finalize(stmt);
    return value;
}

// A keyed in-memory connection: attaching a codec activates SQLCipher and its stock provider.
struct ProbeConnection {
    sqlite3* db = nullptr;
    ProbeConnection() {
        if (sqlite().sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     nullptr) != SQLITE_OK)
            return;
        unsigned char raw[32];
        RAND_bytes(raw, sizeof raw);
        static const char hex[] = "0123456789abcdef";
        std::string key = "x'";
        for (unsigned char b : raw) {
            key += hex[b >> 4];
            key += hex[b & 15];
        }
        key += "'";
        sqlite().sqlite3_key(db, key.data(), static_cast<int>(key.size()));
        OPENSSL_cleanse(raw, sizeof raw);
        OPENSSL_cleanse(key.data(), key.size());
    }
    ~ProbeConnection() { sqlite().sqlite3_close(db); }
};

std::mutex status_mutex;
std::string status_line = "not installed yet";

void set_status(std::string line) {
    std::lock_guard lock(status_mutex);
    status_line = std::move(line);
}

// Resolves SQLCipher's provider functions; false when the loaded library lacks one of them.
bool resolve_sqlcipher(void* library) {
    if (library == nullptr)
        return false;
    sqlcipher.register_provider = reinterpret_cast<decltype(sqlcipher.register_provider)>(
        dlsym(library, "sqlcipher_register_provider"));
    sqlcipher.activate =
        reinterpret_cast<decltype(sqlcipher.activate)>(dlsym(library, "sqlcipher_activate"));
    sqlcipher.malloc =
        reinterpret_cast<decltype(sqlcipher.malloc)>(dlsym(library, "sqlcipher_malloc"));
    sqlcipher.free = reinterpret_cast<decltype(sqlcipher.free)>(dlsym(library, "sqlcipher_free"));
    return sqlcipher.register_provider && sqlcipher.activate && sqlcipher.malloc && sqlcipher.free;
}

void install() {
    sqlite().sqlite3_initialize();
    std::string version, stock;
    {
        ProbeConnection probe;
        if (probe.db == nullptr) {
            set_status("stock provider (a probe connection could not be opened)");
            return;
        }
        version = query_text(probe.db, "PRAGMA cipher_version");
        stock = query_text(probe.db, "PRAGMA cipher_provider");
        if (version != kSupportedSqlcipher || stock != "openssl") {
            set_status("stock provider '" + stock + "' (SQLCipher " + version +
                       "; OneWindow's provider is built for " + kSupportedSqlcipher +
                       " with OpenSSL)");
            return;
        }
        if (!resolve_sqlcipher(sqlite().library)) {
            set_status("stock provider (the SQLCipher library does not export its provider "
                       "interface)");
            return;
        }
        // Hold one activation for the life of the process: SQLCipher frees the registered
        // provider and falls back to its stock one when the last codec is detached.
        sqlcipher.activate();
        void* memory = sqlcipher.malloc(static_cast<int>(sizeof(sqlcipher_provider)));
        if (memory == nullptr) {
            set_status("stock provider (out of memory)");
            return;
        }
        auto* p = static_cast<sqlcipher_provider*>(memory);
        p->activate = nothing_to_do;
        p->deactivate = nothing_to_do;
        p->get_provider_name = provider_name;
        p->add_random = add_random;
        p->random = random_bytes;
        p->hmac = hmac;
        p->kdf = kdf;
        p->cipher = cipher;
        p->set_cipher = set_cipher;
        p->get_cipher = get_cipher;
        p->get_key_sz = key_size;
        p->get_iv_sz = iv_size;
        p->get_block_sz = block_size;
        p->get_hmac_sz = hmac_size;
        p->ctx_copy = ctx_copy;
        p->ctx_cmp = ctx_cmp;
        p->ctx_init = ctx_init;
        p->ctx_free = ctx_free;
        p->fips_status = fips_status;
        p->get_provider_version = provider_version;
        sqlcipher.register_provider(p); // frees the stock provider struct; probe keeps its copy
    }
    ProbeConnection check;
    std::string now = check.db ? query_text(check.db, "PRAGMA cipher_provider") : "";
    if (now != kPageCryptoProviderName) {
        set_status("stock provider (registering OneWindow's provider did not take effect: '" + now +
                   "')");
        return;
    }
    set_status(std::string(kPageCryptoProviderName) +
               " (AES-256-CBC + HMAC-SHA1 per page, contexts kept per connection; " +
               OpenSSL_version(OPENSSL_VERSION) + ")");
}

void install_once() {
    try {
        install();
    } catch (const std::exception& e) {
        set_status(std::string("stock provider (") + e.what() + ")");
    }
}

std::once_flag install_flag;

} // namespace

void install_page_crypto() {
    std::call_once(install_flag, install_once);
}

void keep_stock_page_crypto() {
    std::call_once(install_flag, [] { set_status("stock provider (kept on request)"); });
}

std::string page_crypto_status() {
    std::lock_guard lock(status_mutex);
    return status_line;
}

} // namespace ow::core::detail
