// Internal: just enough DER (ITU-T X.690) to read the fields of an X.509 certificate that a CMS
// signature names, and to write the CMS SignedData itself. Parsing a certificate with OpenSSL 3.0
// sets up a decoder for its public key, which costs more than building the whole CMS; signing
// needs none of it.
#pragma once

#include "ow/signing/signer.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ow::signing::detail::der {

using ByteView = std::span<const std::uint8_t>;

constexpr std::uint8_t kInteger = 0x02, kBitString = 0x03, kOctetString = 0x04, kNull = 0x05,
                       kSequence = 0x30, kSet = 0x31;
// Context-specific constructed tags [0], [1], [3], [4].
constexpr std::uint8_t context(int n) {
    return static_cast<std::uint8_t>(0xA0 | n);
}

struct Element {
    std::uint8_t tag = 0;
    ByteView whole;   // identifier, length and contents
    ByteView content; // contents only
};

// Reads the element at the front of `in` and moves `in` past it. Nullopt for anything that is not
// DER: a truncated element, a multi-byte tag, an indefinite or non-minimal length.
std::optional<Element> read(ByteView& in);

// Appends identifier, length and contents.
void append(Bytes& out, std::uint8_t tag, ByteView content);
inline void append_raw(Bytes& out, ByteView element) {
    out.insert(out.end(), element.begin(), element.end());
}
Bytes wrap(std::uint8_t tag, ByteView content);
// The contents of a SET OF in DER order: the elements' encodings ascending as octet strings
// (X.690 11.6), concatenated.
Bytes set_of_contents(std::vector<Bytes> elements);
// A non-negative INTEGER from big-endian magnitude bytes (leading zeros dropped, a zero octet
// added when the top bit is set).
Bytes unsigned_integer(ByteView magnitude);
// AlgorithmIdentifier with NULL parameters (digests, rsaEncryption) or none (ECDSA, RFC 5758).
Bytes algorithm_identifier(ByteView oid, bool null_parameters);
// DigestInfo (RFC 8017 9.2): what an RSA PKCS#1 v1.5 signature carries for a digest.
Bytes digest_info(DigestAlgorithm alg, ByteView digest);

// The fields of a DER certificate a signature refers to, as elements inside it.
struct CertificateFields {
    ByteView serial;          // CertificateSerialNumber (INTEGER)
    ByteView issuer;          // Name
    ByteView subject;         // Name
    ByteView public_key_info; // SubjectPublicKeyInfo
};
// Checks the Certificate structure (RFC 5280 4.1): its fields in order, every constructed element
// made of well-formed elements, nothing after the certificate. Nullopt when `cert` is not a DER
// certificate.
std::optional<CertificateFields> certificate_fields(ByteView cert);

// Encoded object identifiers (tag and length included).
namespace oid {
extern const ByteView kData, kSignedData, kContentType, kMessageDigest, kSigningCertificateV2,
    kTimeStampToken, kRsaEncryption, kSha256, kSha384, kSha512, kEcdsaWithSha256, kEcdsaWithSha384,
    kEcdsaWithSha512;
// The digest's identifier, and that of ECDSA with it.
ByteView digest(DigestAlgorithm alg);
ByteView ecdsa_with(DigestAlgorithm alg);
} // namespace oid

} // namespace ow::signing::detail::der
