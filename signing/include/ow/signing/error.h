// Errors of libow_signing: one exception type with a stable code (for the GUI's translated
// messages and the CLI's exit codes) and an English message built from a fixed template.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ow::signing {

enum class ErrorCode {
    InvalidArgument,     // a caller mistake: bad option, empty input, unknown field
    IoError,             // a file could not be read or written
    ModuleLoadFailed,    // the PKCS#11 module could not be loaded or initialised
    TokenNotFound,       // no token matches the configured URI (or no card in the reader)
    TokenRemoved,        // the card/token disappeared during the operation
    TokenError,          // the token failed in a way we cannot classify
    KeyNotFound,         // no private key matches the URI / certificate
    CertificateNotFound, // the key has no certificate on the token
    WrongPin,            // tries_left() says how many attempts remain when the token reports it
    PinLocked,           // the PIN is blocked; only an administrator can unblock it
    PinRequired,         // a signature needs a PIN (context-specific login) and none was given
    UnsupportedKey,      // neither RSA nor ECDSA P-256/P-384, or a mechanism the token lacks
    CryptoError,         // OpenSSL failed while building or checking a structure
    MalformedPdf,        // the input is not a PDF we can parse (truncated, garbage, hostile)
    EncryptedPdf,        // encrypted PDFs are not signed
    DocMdpForbids,       // the document is certified with P=1 (no changes allowed)
    AlreadyCertified,    // a certification signature must be the first one
    FieldNotFound,       // the named signature field does not exist
    FieldAlreadySigned,  // the named signature field already holds a signature
    AppearanceError,     // the seal image or font could not be used
    SignatureTooLarge,   // the CMS did not fit the reserved space even after a retry
    TimestampFailed,     // the TSA did not answer or its answer failed the checks
};

// Stable identifier of a code, e.g. "wrong-pin" (message ids, JSON, logs).
std::string_view to_string(ErrorCode code);

class SigningError : public std::runtime_error {
public:
    SigningError(ErrorCode code, const std::string& message,
                 std::optional<int> tries_left = std::nullopt)
        : std::runtime_error(message), code_(code), tries_left_(tries_left) {}

    ErrorCode code() const noexcept { return code_; }
    // For WrongPin: attempts left before the PIN locks, when the token reports it
    // (CKF_USER_PIN_FINAL_TRY -> 1). Empty when unknown.
    std::optional<int> tries_left() const noexcept { return tries_left_; }

private:
    ErrorCode code_;
    std::optional<int> tries_left_;
};

} // namespace ow::signing
