#include "ow/signing/error.h"

namespace ow::signing {

std::string_view to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid-argument";
    case ErrorCode::IoError:
        return "io-error";
    case ErrorCode::ModuleLoadFailed:
        return "module-load-failed";
    case ErrorCode::TokenNotFound:
        return "token-not-found";
    case ErrorCode::TokenRemoved:
        return "token-removed";
    case ErrorCode::TokenError:
        return "token-error";
    case ErrorCode::KeyNotFound:
        return "key-not-found";
    case ErrorCode::CertificateNotFound:
        return "certificate-not-found";
    case ErrorCode::WrongPin:
        return "wrong-pin";
    case ErrorCode::PinLocked:
        return "pin-locked";
    case ErrorCode::PinRequired:
        return "pin-required";
    case ErrorCode::UnsupportedKey:
        return "unsupported-key";
    case ErrorCode::CryptoError:
        return "crypto-error";
    case ErrorCode::MalformedPdf:
        return "malformed-pdf";
    case ErrorCode::EncryptedPdf:
        return "encrypted-pdf";
    case ErrorCode::DocMdpForbids:
        return "docmdp-forbids";
    case ErrorCode::AlreadyCertified:
        return "already-certified";
    case ErrorCode::FieldNotFound:
        return "field-not-found";
    case ErrorCode::FieldAlreadySigned:
        return "field-already-signed";
    case ErrorCode::AppearanceError:
        return "appearance-error";
    case ErrorCode::SignatureTooLarge:
        return "signature-too-large";
    case ErrorCode::TimestampFailed:
        return "timestamp-failed";
    }
    return "unknown";
}

} // namespace ow::signing
