#include "ossl.h"

#include <ctime>
#include <mutex>
#include <openssl/bn.h>
#include <utility>
#include <vector>

namespace ow::signing::detail {

std::string openssl_errors() {
    std::string out;
    unsigned long e;
    char buf[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty())
            out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown error" : out;
}

void throw_openssl(ErrorCode code, const std::string& what) {
    throw SigningError(code, what + ": " + openssl_errors());
}

namespace {

// The last few certificates parsed, by their DER. A signer's certificate is needed as an X509 for
// the placeholder estimate and for every CMS (50 documents in a batch: 100 times), and each parse
// sets up an OpenSSL decoder for its public key. X509 objects are reference-counted and not
// changed after parsing, so one can be handed out many times.
class ParsedCertificateCache {
public:
    X509Ptr find(const Bytes& der) {
        std::lock_guard lock(mutex_);
        for (auto& [key, cert] : entries_)
            if (key == der && X509_up_ref(cert.get()) == 1)
                return X509Ptr(cert.get());
        return nullptr;
    }
    void remember(const Bytes& der, X509* cert) {
        if (X509_up_ref(cert) != 1)
            return;
        std::lock_guard lock(mutex_);
        if (entries_.size() == kCapacity)
            entries_.erase(entries_.begin());
        entries_.emplace_back(der, X509Ptr(cert));
    }

private:
    static constexpr std::size_t kCapacity = 4;
    std::mutex mutex_;
    std::vector<std::pair<Bytes, X509Ptr>> entries_;
};

ParsedCertificateCache& parsed_certificates() {
    static ParsedCertificateCache cache;
    return cache;
}

} // namespace

X509Ptr x509_from_der(const Bytes& der) {
    if (X509Ptr known = parsed_certificates().find(der))
        return known;
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert)
        throw_openssl(ErrorCode::CryptoError, "cannot parse a DER certificate");
    parsed_certificates().remember(der, cert.get());
    return cert;
}

Bytes x509_to_der(X509* cert) {
    int n = i2d_X509(cert, nullptr);
    if (n <= 0)
        throw_openssl(ErrorCode::CryptoError, "cannot encode a certificate");
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d_X509(cert, &p);
    parsed_certificates().remember(out, cert);
    return out;
}

std::string x509_name(const X509_NAME* name) {
    if (!name)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string asn1_time_iso(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return {};
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string x509_serial_hex(const X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    if (!bn)
        return {};
    char* hex = BN_bn2hex(bn);
    std::string out = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

const EVP_MD* evp_md(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return EVP_sha256();
    case DigestAlgorithm::Sha384:
        return EVP_sha384();
    case DigestAlgorithm::Sha512:
        return EVP_sha512();
    }
    return EVP_sha256();
}

std::size_t digest_size(DigestAlgorithm alg) {
    return static_cast<std::size_t>(EVP_MD_get_size(evp_md(alg)));
}

Bytes digest(DigestAlgorithm alg, std::span<const std::uint8_t> data) {
    Bytes out(digest_size(alg));
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &n, evp_md(alg), nullptr) != 1)
        throw_openssl(ErrorCode::CryptoError, "digest failed");
    return out;
}

} // namespace ow::signing::detail
