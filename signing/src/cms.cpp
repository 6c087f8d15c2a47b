#include "cms.h"

#include <openssl/ess.h>
#include <openssl/objects.h>

namespace ow::signing::detail {

namespace {

int ecdsa_nid(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return NID_ecdsa_with_SHA256;
    case DigestAlgorithm::Sha384:
        return NID_ecdsa_with_SHA384;
    case DigestAlgorithm::Sha512:
        return NID_ecdsa_with_SHA512;
    }
    return NID_ecdsa_with_SHA256;
}

void add_sequence_attr(PKCS7_SIGNER_INFO* si, int nid, const Bytes& der, bool signed_attr) {
    ASN1_STRING* s = ASN1_STRING_new();
    if (!s || !ASN1_STRING_set(s, der.data(), static_cast<int>(der.size())))
        throw_openssl(ErrorCode::CryptoError, "attribute value");
    int ok = signed_attr ? PKCS7_add_signed_attribute(si, nid, V_ASN1_SEQUENCE, s)
                         : PKCS7_add_attribute(si, nid, V_ASN1_SEQUENCE, s);
    if (!ok) {
        ASN1_STRING_free(s);
        throw_openssl(ErrorCode::CryptoError, "cannot add a CMS attribute");
    }
}

} // namespace

ParsedCertificates::ParsedCertificates(const Signer& s) : signer(x509_from_der(s.certificate())) {
    for (const auto& der : s.chain())
        chain.push_back(x509_from_der(der));
}

CmsBuilder::CmsBuilder(const Signer& signer, const ParsedCertificates& certs, DigestAlgorithm alg) {
    X509* cert = certs.signer.get();
    p7_.reset(PKCS7_new());
    if (!p7_ || !PKCS7_set_type(p7_.get(), NID_pkcs7_signed) ||
        !PKCS7_content_new(p7_.get(), NID_pkcs7_data))
        throw_openssl(ErrorCode::CryptoError, "PKCS7 SignedData");
    PKCS7_SIGNER_INFO* si = PKCS7_SIGNER_INFO_new();
    if (!si)
        throw_openssl(ErrorCode::CryptoError, "SignerInfo");
    ASN1_INTEGER_set(si->version, 1);
    X509_NAME_set(&si->issuer_and_serial->issuer, X509_get_issuer_name(cert));
    ASN1_INTEGER_free(si->issuer_and_serial->serial);
    si->issuer_and_serial->serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert));
    X509_ALGOR_set0(si->digest_alg, OBJ_nid2obj(EVP_MD_get_type(evp_md(alg))), V_ASN1_NULL,
                    nullptr);
    if (signer.algorithm() == KeyAlgorithm::Rsa)
        X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr);
    else
        X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(ecdsa_nid(alg)), V_ASN1_UNDEF, nullptr);
    if (!PKCS7_add_signer(p7_.get(), si)) {
        PKCS7_SIGNER_INFO_free(si);
        throw_openssl(ErrorCode::CryptoError, "add SignerInfo");
    }
    si_ = si;
    if (!PKCS7_add_certificate(p7_.get(), cert))
        throw_openssl(ErrorCode::CryptoError, "add certificate");
    for (const auto& c : certs.chain) {
        if (!PKCS7_add_certificate(p7_.get(), c.get()))
            throw_openssl(ErrorCode::CryptoError, "add chain certificate");
    }
    PKCS7_set_detached(p7_.get(), 1);

    if (!PKCS7_add_signed_attribute(si_, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data)))
        throw_openssl(ErrorCode::CryptoError, "contentType attribute");
    ESS_SIGNING_CERT_V2* sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, nullptr, 1);
    if (!sc)
        throw_openssl(ErrorCode::CryptoError, "ESS signing-certificate-v2");
    int n = i2d_ESS_SIGNING_CERT_V2(sc, nullptr);
    Bytes der(static_cast<std::size_t>(n > 0 ? n : 0));
    unsigned char* p = der.data();
    i2d_ESS_SIGNING_CERT_V2(sc, &p);
    ESS_SIGNING_CERT_V2_free(sc);
    add_sequence_attr(si_, NID_id_smime_aa_signingCertificateV2, der, true);
}

Bytes CmsBuilder::signed_attributes(std::span<const std::uint8_t> md) {
    // Replaces any earlier messageDigest (the estimate uses a dummy).
    if (!PKCS7_add1_attrib_digest(si_, md.data(), static_cast<int>(md.size())))
        throw_openssl(ErrorCode::CryptoError, "messageDigest attribute");
    unsigned char* out = nullptr;
    int n = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si_->auth_attr), &out,
                          ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    if (n <= 0)
        throw_openssl(ErrorCode::CryptoError, "encode signed attributes");
    Bytes tbs(out, out + n);
    OPENSSL_free(out);
    return tbs;
}

void CmsBuilder::set_signature(const Bytes& sig) {
    signature_ = sig;
    if (!ASN1_STRING_set(si_->enc_digest, sig.data(), static_cast<int>(sig.size())))
        throw_openssl(ErrorCode::CryptoError, "signature value");
}

void CmsBuilder::add_timestamp_token(const Bytes& token) {
    add_sequence_attr(si_, NID_id_smime_aa_timeStampToken, token, false);
}

Bytes CmsBuilder::der() const {
    int n = i2d_PKCS7(p7_.get(), nullptr);
    if (n <= 0)
        throw_openssl(ErrorCode::CryptoError, "encode CMS");
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d_PKCS7(p7_.get(), &p);
    return out;
}

std::size_t estimate_cms_size(const Signer& signer, const ParsedCertificates& certs,
                              DigestAlgorithm alg) {
    CmsBuilder b(signer, certs, alg);
    Bytes md(digest_size(alg), 0xFF);
    b.signed_attributes(md);
    b.set_signature(Bytes(signer.max_signature_size(), 0xFF));
    return b.der().size();
}

} // namespace ow::signing::detail
