#include "ow/core/crypto.h"

#include "ow/core/error.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

namespace ow::core::crypto {
namespace {

struct CipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

[[noreturn]] void crypto_failure(const char* what) {
    throw CoreError(ErrorCode::Crypto, N_("A cryptographic operation failed ({operation})."),
                    {{"operation", what}});
}

} // namespace

Bytes random_bytes(std::size_t size) {
    Bytes out(size);
    if (size && RAND_bytes(out.data(), static_cast<int>(size)) != 1)
        crypto_failure("RAND_bytes");
    return out;
}

std::string to_hex(const unsigned char* data, std::size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

Bytes from_hex(std::string_view hex) {
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2)
        throw CoreError(ErrorCode::InvalidArgument, N_("Malformed hexadecimal value."));
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = value(hex[2 * i]), lo = value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw CoreError(ErrorCode::InvalidArgument, N_("Malformed hexadecimal value."));
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return out;
}

std::string base64_encode(const Bytes& data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                            static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Bytes base64_decode(std::string_view text) {
    if (text.size() % 4)
        throw CoreError(ErrorCode::InvalidArgument, N_("Malformed base64 value."));
    Bytes out(3 * text.size() / 4 + 1);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0)
        throw CoreError(ErrorCode::InvalidArgument, N_("Malformed base64 value."));
    std::size_t size = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
        --size;
    out.resize(size);
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        crypto_failure("SHA-256");
    return to_hex(md, len);
}

SecretBytes derive_key(std::string_view password, const KdfParams& params) {
    if (params.algorithm != "scrypt")
        throw CoreError(ErrorCode::CacheRefused,
                        N_("The key file uses an unknown key derivation '{algorithm}'."),
                        {{"algorithm", params.algorithm}});
    if (params.n < 2 || params.n > (1u << 22) || (params.n & (params.n - 1)) != 0 ||
        params.r == 0 || params.r > 32 || params.p == 0 || params.p > 16 || params.salt.size() < 16)
        throw CoreError(ErrorCode::CacheRefused,
                        N_("The key file has key derivation parameters out of range."));
    SecretBytes key(32);
    std::uint64_t maxmem = 128ull * params.r * params.n * params.p + (64ull << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), params.salt.data(), params.salt.size(),
                       params.n, params.r, params.p, maxmem, key.data(), key.size()) != 1)
        crypto_failure("scrypt");
    return key;
}

double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

KdfParams calibrate_kdf(double target_ms) {
    // Measured in CPU time of this thread, not wall time: other programs competing for the CPU
    // must not make the cost look higher than it is (an attacker's machine is not loaded).
    KdfParams params;
    params.salt = random_bytes(16);
    for (params.n = 1u << 14; params.n < (1u << 20); params.n <<= 1) {
        double start = thread_cpu_ms();
        SecretBytes k = derive_key("calibration", params);
        if (thread_cpu_ms() - start >= target_ms)
            break;
    }
    params.salt = random_bytes(16);
    return params;
}

Bytes seal(const SecretBytes& key, const unsigned char* plain, std::size_t size,
           std::string_view aad) {
    if (key.size() != 32)
        crypto_failure("AES-256-GCM key size");
    Bytes out(kNonceSize + size + kTagSize);
    if (RAND_bytes(out.data(), kNonceSize) != 1)
        crypto_failure("RAND_bytes");
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &len, plain,
                          static_cast<int>(size)) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                            out.data() + kNonceSize + size) != 1)
        crypto_failure("AES-256-GCM encrypt");
    return out;
}

SecretBytes open(const SecretBytes& key, const Bytes& sealed, std::string_view aad) {
    if (key.size() != 32 || sealed.size() < kNonceSize + kTagSize)
        throw CoreError(ErrorCode::Crypto, N_("Encrypted data is truncated."));
    std::size_t size = sealed.size() - kNonceSize - kTagSize;
    SecretBytes plain(size);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    Bytes tag(sealed.end() - kTagSize, sealed.end());
    if (!ctx ||
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), plain.data(), &len, sealed.data() + kNonceSize,
                          static_cast<int>(size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1)
        crypto_failure("AES-256-GCM decrypt");
    if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) != 1)
        throw CoreError(ErrorCode::Crypto, N_("Encrypted data failed its integrity check."));
    return plain;
}

} // namespace ow::core::crypto
