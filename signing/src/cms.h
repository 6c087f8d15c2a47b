// Internal: the PAdES CMS SignedData, written by hand in DER (contentType, messageDigest, ESS
// signing-certificate-v2, no signingTime), detached, with an optional signature timestamp.
#pragma once

#include "ossl.h"

namespace ow::signing::detail {

// What the CMS takes from the signer's certificate and chain, read once per document straight
// from their DER: an X.509 parse would set up an OpenSSL decoder for the public key, which costs
// more than everything else the CMS needs.
struct SignerCertificates {
    explicit SignerCertificates(const Signer& signer);
    Bytes issuer_and_serial;      // IssuerAndSerialNumber (RFC 5652 10.2.4)
    Bytes signing_certificate_v2; // the ESS attribute's value (RFC 5035)
    Bytes certificates;           // SignedData.certificates: the signer's first, then the chain
};

class CmsBuilder {
public:
    CmsBuilder(const Signer& signer, const SignerCertificates& certs, DigestAlgorithm alg);
    // Sets messageDigest; returns DER(signedAttrs) as a SET OF, the bytes the key signs.
    Bytes signed_attributes(std::span<const std::uint8_t> message_digest);
    void set_signature(const Bytes& signature);
    const Bytes& signature() const { return signature_; }
    void add_timestamp_token(const Bytes& token_der);
    Bytes der() const;

private:
    const SignerCertificates& certs_;
    DigestAlgorithm digest_;
    KeyAlgorithm key_;
    Bytes signed_attributes_; // the contents of the SET OF
    Bytes signature_;
    Bytes timestamp_token_;
};

// CMS size with a maximum-length signature: the placeholder's lower bound.
std::size_t estimate_cms_size(const Signer& signer, const SignerCertificates& certs,
                              DigestAlgorithm alg);

} // namespace ow::signing::detail
