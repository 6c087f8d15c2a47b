// Internal: RAII holders and helpers for OpenSSL objects.
#pragma once

#include "ow/signing/error.h"
#include "ow/signing/signer.h"

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <string>
#include <string_view>

namespace ow::signing::detail {

template <auto Fn> struct Deleter {
    template <typename T> void operator()(T* p) const noexcept { Fn(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using TsReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP_free>>;
using TsTstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;
using TsVerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX_free>>;
using AsnIntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;

struct X509StackDeleter {
    void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// Text of the OpenSSL error queue (emptied), or "unknown error".
std::string openssl_errors();
// Throws SigningError(code, what + ": " + openssl_errors()).
[[noreturn]] void throw_openssl(ErrorCode code, const std::string& what);

// An unencrypted two-prime RSA private key in PEM (PKCS#8 or PKCS#1) read without OpenSSL's
// decoder framework, or null for anything else (software_signer.cpp).
EvpPkeyPtr rsa_key_without_decoders(std::string_view pem);
// The SubjectPublicKeyInfo of an RSA key as RFC 3279 2.3.1 encodes it (a certificate for the key
// carries these bytes), or empty for any other key (software_signer.cpp).
Bytes rsa_public_key_info(const EVP_PKEY* key);

X509Ptr x509_from_der(const Bytes& der);
Bytes x509_to_der(X509* cert);
std::string x509_name(const X509_NAME* name);
std::string x509_serial_hex(const X509* cert);
// "2026-11-28T10:32:05Z", or "" for a null or unreadable time.
std::string asn1_time_iso(const ASN1_TIME* t);
// The value of one hexadecimal digit, or -1.
int hex_digit_value(char c);

const EVP_MD* evp_md(DigestAlgorithm alg);
std::size_t digest_size(DigestAlgorithm alg);
Bytes digest(DigestAlgorithm alg, std::span<const std::uint8_t> data);

} // namespace ow::signing::detail
