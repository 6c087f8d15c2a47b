#include "ow/core/secret.h"

#include "ow/core/error.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace ow::core {

void wipe(void* data, std::size_t size) noexcept {
    if (data && size)
        OPENSSL_cleanse(data, size);
}

void wipe(std::string& s) noexcept {
    // Wipe the whole capacity: short-string storage and the heap buffer alike.
    if (s.capacity())
        OPENSSL_cleanse(s.data(), s.capacity());
    s.clear();
}

SecretBytes SecretBytes::random(std::size_t size) {
    SecretBytes out(size);
    if (RAND_bytes(out.data(), static_cast<int>(size)) != 1)
        throw CoreError(ErrorCode::Crypto, N_("The system random generator failed."));
    return out;
}

void SecretBytes::clear() noexcept {
    if (!bytes_.empty())
        OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_.clear();
}

} // namespace ow::core
