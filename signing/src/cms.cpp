#include "cms.h"

#include "der.h"

namespace ow::signing::detail {

namespace {

// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
Bytes attribute(der::ByteView type, der::ByteView value) {
    Bytes content(type.begin(), type.end());
    der::append(content, der::kSet, value);
    return der::wrap(der::kSequence, content);
}

// A certificate as DER with its fields. Tokens hand over whatever bytes they hold: one that is not
// DER is re-encoded by OpenSSL, which only helps where the damage is outside the signed part
// (OpenSSL keeps the to-be-signed bytes as they came); otherwise it is refused.
struct CertificateDer {
    Bytes der;
    der::CertificateFields fields;
};
CertificateDer read_certificate(const Bytes& cert, const char* which) {
    CertificateDer c{cert, {}};
    if (!der::certificate_fields(c.der))
        c.der = x509_to_der(x509_from_der(cert).get());
    auto fields = der::certificate_fields(c.der); // pointing into c.der, which the caller keeps
    if (!fields)
        throw SigningError(ErrorCode::CryptoError,
                           std::string(which) + " is not a DER X.509 certificate");
    c.fields = *fields;
    return c;
}

} // namespace

SignerCertificates::SignerCertificates(const Signer& s) {
    const CertificateDer cert = read_certificate(s.certificate(), "the signer's certificate");
    Bytes content;
    der::append_raw(content, cert.fields.issuer);
    der::append_raw(content, cert.fields.serial);
    issuer_and_serial = der::wrap(der::kSequence, content);

    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT id-sha256 (omitted), certHash,
    //                            issuerSerial IssuerSerial }
    // IssuerSerial ::= SEQUENCE { issuer GeneralNames ([4] directoryName), serialNumber }
    Bytes general_names = der::wrap(der::kSequence, der::wrap(der::context(4), cert.fields.issuer));
    Bytes issuer_serial_content = general_names;
    der::append_raw(issuer_serial_content, cert.fields.serial);
    Bytes cert_id = der::wrap(der::kOctetString, digest(DigestAlgorithm::Sha256, cert.der));
    der::append(cert_id, der::kSequence, issuer_serial_content);
    signing_certificate_v2 =
        der::wrap(der::kSequence, der::wrap(der::kSequence, der::wrap(der::kSequence, cert_id)));

    // CertificateSet is a SET OF: in DER order (the signer is found by issuer and serial number).
    std::vector<Bytes> all{cert.der};
    for (const Bytes& c : s.chain())
        all.push_back(read_certificate(c, "a certificate of the signer's chain").der);
    certificates = der::wrap(der::context(0), der::set_of_contents(std::move(all)));
}

CmsBuilder::CmsBuilder(const Signer& signer, const SignerCertificates& certs, DigestAlgorithm alg)
    : certs_(certs), digest_(alg), key_(signer.algorithm()) {}

Bytes CmsBuilder::signed_attributes(std::span<const std::uint8_t> md) {
    signed_attributes_ = der::set_of_contents(
        {attribute(der::oid::kContentType, der::oid::kData),
         attribute(der::oid::kMessageDigest, der::wrap(der::kOctetString, md)),
         attribute(der::oid::kSigningCertificateV2, certs_.signing_certificate_v2)});
    return der::wrap(der::kSet, signed_attributes_);
}

void CmsBuilder::set_signature(const Bytes& sig) {
    signature_ = sig;
}

void CmsBuilder::add_timestamp_token(const Bytes& token) {
    timestamp_token_ = token;
}

Bytes CmsBuilder::der() const {
    if (signed_attributes_.empty() || signature_.empty())
        throw SigningError(ErrorCode::CryptoError, "the CMS is not complete");
    const Bytes digest_algorithm = der::algorithm_identifier(der::oid::digest(digest_), true);
    // SignerInfo ::= SEQUENCE { version 1, sid, digestAlgorithm, [0] signedAttrs,
    //                           signatureAlgorithm, signature, [1] unsignedAttrs OPTIONAL }
    Bytes signer_info;
    der::append(signer_info, der::kInteger, Bytes{1});
    der::append_raw(signer_info, certs_.issuer_and_serial);
    der::append_raw(signer_info, digest_algorithm);
    // The signed attributes are signed as a SET OF and carried with the [0] tag.
    der::append(signer_info, der::context(0), signed_attributes_);
    der::append_raw(signer_info,
                    key_ == KeyAlgorithm::Rsa
                        ? der::algorithm_identifier(der::oid::kRsaEncryption, true)
                        : der::algorithm_identifier(der::oid::ecdsa_with(digest_), false));
    der::append(signer_info, der::kOctetString, signature_);
    if (!timestamp_token_.empty())
        der::append(signer_info, der::context(1),
                    attribute(der::oid::kTimeStampToken, timestamp_token_));

    // SignedData ::= SEQUENCE { version 1, digestAlgorithms, encapContentInfo (id-data, detached),
    //                           [0] certificates, signerInfos }
    Bytes signed_data;
    der::append(signed_data, der::kInteger, Bytes{1});
    der::append(signed_data, der::kSet, digest_algorithm);
    der::append(signed_data, der::kSequence, der::oid::kData);
    der::append_raw(signed_data, certs_.certificates);
    der::append(signed_data, der::kSet, der::wrap(der::kSequence, signer_info));

    // ContentInfo ::= SEQUENCE { id-signedData, [0] EXPLICIT SignedData }
    Bytes content_info(der::oid::kSignedData.begin(), der::oid::kSignedData.end());
    der::append(content_info, der::context(0), der::wrap(der::kSequence, signed_data));
    return der::wrap(der::kSequence, content_info);
}

std::size_t estimate_cms_size(const Signer& signer, const SignerCertificates& certs,
                              DigestAlgorithm alg) {
    CmsBuilder b(signer, certs, alg);
    b.signed_attributes(Bytes(digest_size(alg), 0xFF));
    b.set_signature(Bytes(signer.max_signature_size(), 0xFF));
    return b.der().size();
}

} // namespace ow::signing::detail
