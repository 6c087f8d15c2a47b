// Internal: the PAdES CMS SignedData, built by hand (contentType, messageDigest, ESS
// signing-certificate-v2, no signingTime), detached, with an optional signature timestamp.
#pragma once

#include "ossl.h"

namespace ow::signing::detail {

// The signer's certificate and chain, parsed once per document: each X.509 parse sets up an
// OpenSSL decoder for the public key, which costs more than everything else the CMS needs.
struct ParsedCertificates {
    explicit ParsedCertificates(const Signer& signer);
    X509Ptr signer;
    std::vector<X509Ptr> chain;
};

class CmsBuilder {
public:
    CmsBuilder(const Signer& signer, const ParsedCertificates& certs, DigestAlgorithm alg);
    // Sets messageDigest; returns DER(signedAttrs) as a SET OF, the bytes the key signs.
    Bytes signed_attributes(std::span<const std::uint8_t> message_digest);
    void set_signature(const Bytes& signature);
    const Bytes& signature() const { return signature_; }
    void add_timestamp_token(const Bytes& token_der);
    Bytes der() const;

private:
    Pkcs7Ptr p7_;
    PKCS7_SIGNER_INFO* si_ = nullptr; // owned by p7_
    Bytes signature_;
};

// CMS size with a maximum-length signature: the placeholder's lower bound.
std::size_t estimate_cms_size(const Signer& signer, const ParsedCertificates& certs,
                              DigestAlgorithm alg);

} // namespace ow::signing::detail
