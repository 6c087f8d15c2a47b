// Small, audited wrappers over OpenSSL 3.0 used by the cache and the audit log.
#pragma once

#include "ow/core/secret.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ow::core::crypto {

using Bytes = std::vector<unsigned char>;

Bytes random_bytes(std::size_t size);
std::string to_hex(const unsigned char* data, std::size_t size);
inline std::string to_hex(const Bytes& b) {
    return to_hex(b.data(), b.size());
}
Bytes from_hex(std::string_view hex); // throws CoreError on bad input
std::string base64_encode(const Bytes& data);
Bytes base64_decode(std::string_view text); // throws CoreError on bad input

std::string sha256_hex(std::string_view data);

// scrypt parameters for deriving a wrapping key from a password.
struct KdfParams {
    std::string algorithm = "scrypt";
    std::uint64_t n = 1u << 15; // CPU/memory cost
    std::uint32_t r = 8;
    std::uint32_t p = 1;
    Bytes salt;
};

SecretBytes derive_key(std::string_view password, const KdfParams& params);

// Chooses N so that one derivation takes at least `target_ms` of CPU time on this machine (and
// at most N = 2^20). Measured, not guessed: the cost follows the hardware the workstation runs on.
KdfParams calibrate_kdf(double target_ms);
double thread_cpu_ms(); // CPU time consumed by the calling thread

// AES-256-GCM. `sealed` = 12-byte nonce || ciphertext || 16-byte tag. `aad` is authenticated.
Bytes seal(const SecretBytes& key, const unsigned char* plain, std::size_t size,
           std::string_view aad);
SecretBytes open(const SecretBytes& key, const Bytes& sealed, std::string_view aad); // throws

} // namespace ow::core::crypto
