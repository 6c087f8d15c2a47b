// The page crypto SQLCipher uses for the workstation cache.
//
// SQLCipher 3.4.1's OpenSSL provider builds a fresh HMAC context and a fresh cipher context (with
// its AES key schedule and an algorithm fetch under OpenSSL 3) for every page it reads or writes:
// about 3 µs of set-up on top of ~4 µs of hashing and decryption per 4 KiB page. The provider
// installed here computes the same thing — AES-256-CBC and HMAC-SHA1 over the page,
// PBKDF2-HMAC-SHA1 for the HMAC key, so the file format is unchanged — but keeps the AES key
// schedule per cipher context (one per connection and direction) and only resets the IV per page,
// and resumes HMAC-SHA1 from the SHA-1 states with the key already absorbed (RFC 2104's inner and
// outer pads) instead of rebuilding or copying an HMAC context.
//
// It is installed once per process before the first connection. It is only installed when the
// linked library is exactly the SQLCipher version whose provider interface it was written against
// (checked through PRAGMA cipher_version) and the stock provider is the OpenSSL one; otherwise the
// stock provider stays and page_crypto_status() says why.
#pragma once

#include <string>

namespace ow::core::detail {

// Idempotent and thread-safe; never throws.
void install_page_crypto();

// For the cache benchmark's comparison: call before the first connection to keep SQLCipher's own
// OpenSSL provider for the whole process.
void keep_stock_page_crypto();

// One line for doctor: which provider encrypts the pages, or why the stock one is used.
std::string page_crypto_status();

// The provider name PRAGMA cipher_provider reports when ours is in use.
inline constexpr const char* kPageCryptoProviderName = "onewindow-openssl";

} // namespace ow::core::detail
