#include "ossl.h"

#include <fstream>
#include <openssl/pem.h>
#include <sstream>

namespace ow::signing {

using namespace detail;

void secure_wipe(std::span<char> secret) noexcept {
    if (!secret.empty())
        OPENSSL_cleanse(secret.data(), secret.size());
}

std::size_t Signer::max_signature_size() const {
    if (algorithm() == KeyAlgorithm::Rsa)
        return static_cast<std::size_t>((key_bits() + 7) / 8);
    // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, each at most field bytes + 1.
    std::size_t n = static_cast<std::size_t>((key_bits() + 7) / 8) + 1;
    std::size_t body = 2 * (2 + n);
    return body + (body < 128 ? 2 : 3);
}

struct SoftwareSigner::Key {
    EvpPkeyPtr pkey;
};

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw SigningError(ErrorCode::IoError, "cannot read '" + p.string() + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<X509Ptr> read_certs(std::string_view pem) {
    std::vector<X509Ptr> out;
    if (pem.empty())
        return out;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        out.emplace_back(c);
    ERR_clear_error(); // end of input
    if (out.empty()) {
        const unsigned char* p = reinterpret_cast<const unsigned char*>(pem.data());
        if (X509* c = d2i_X509(nullptr, &p, static_cast<long>(pem.size())))
            out.emplace_back(c);
        ERR_clear_error();
    }
    return out;
}

int pass_cb(char* buf, int size, int, void* u) {
    auto* pass = static_cast<std::span<const char>*>(u);
    if (!pass || pass->empty() || static_cast<int>(pass->size()) > size)
        return 0;
    std::copy(pass->begin(), pass->end(), buf);
    return static_cast<int>(pass->size());
}

} // namespace

SoftwareSigner::~SoftwareSigner() = default;

std::unique_ptr<SoftwareSigner>
SoftwareSigner::from_files(const std::filesystem::path& key, const std::filesystem::path& cert,
                           const std::vector<std::filesystem::path>& chain,
                           std::span<const char> passphrase) {
    std::string key_pem = read_file(key);
    std::string cert_pem = read_file(cert);
    std::string chain_pem;
    for (const auto& c : chain)
        chain_pem += read_file(c) + "\n";
    std::unique_ptr<SoftwareSigner> s;
    if (passphrase.empty()) {
        s = from_pem(key_pem, cert_pem, chain_pem);
    } else {
        BioPtr bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
        EvpPkeyPtr pk(PEM_read_bio_PrivateKey(bio.get(), nullptr, pass_cb, &passphrase));
        OPENSSL_cleanse(key_pem.data(), key_pem.size());
        if (!pk)
            throw_openssl(ErrorCode::KeyNotFound,
                          "cannot read the private key '" + key.string() + "'");
        BioPtr out(BIO_new(BIO_s_mem()));
        PEM_write_bio_PrivateKey(out.get(), pk.get(), nullptr, nullptr, 0, nullptr, nullptr);
        char* d = nullptr;
        long n = BIO_get_mem_data(out.get(), &d);
        std::string plain(d, static_cast<std::size_t>(n));
        s = from_pem(plain, cert_pem, chain_pem);
        OPENSSL_cleanse(plain.data(), plain.size());
    }
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    return s;
}

std::unique_ptr<SoftwareSigner> SoftwareSigner::from_pem(std::string_view key_pem,
                                                         std::string_view cert_pem,
                                                         std::string_view chain_pem) {
    std::unique_ptr<SoftwareSigner> s(new SoftwareSigner());
    s->key_ = std::make_unique<Key>();
    BioPtr bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    s->key_->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!s->key_->pkey) {
        ERR_clear_error();
        const unsigned char* p = reinterpret_cast<const unsigned char*>(key_pem.data());
        s->key_->pkey.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(key_pem.size())));
    }
    if (!s->key_->pkey)
        throw_openssl(ErrorCode::KeyNotFound, "cannot read the private key");
    auto certs = read_certs(cert_pem);
    if (certs.empty())
        throw SigningError(ErrorCode::CertificateNotFound,
                           "no certificate in the certificate file");
    EVP_PKEY* pub = X509_get0_pubkey(certs[0].get());
    if (!pub || EVP_PKEY_eq(pub, s->key_->pkey.get()) != 1)
        throw SigningError(ErrorCode::InvalidArgument,
                           "the private key does not belong to the certificate");
    ERR_clear_error();
    s->cert_ = x509_to_der(certs[0].get());
    for (std::size_t i = 1; i < certs.size(); ++i)
        s->chain_.push_back(x509_to_der(certs[i].get()));
    for (auto& c : read_certs(chain_pem))
        s->chain_.push_back(x509_to_der(c.get()));
    int id = EVP_PKEY_get_base_id(s->key_->pkey.get());
    if (id == EVP_PKEY_RSA) {
        s->algorithm_ = KeyAlgorithm::Rsa;
    } else if (id == EVP_PKEY_EC) {
        s->algorithm_ = KeyAlgorithm::Ecdsa;
    } else {
        throw SigningError(ErrorCode::UnsupportedKey, "only RSA and ECDSA keys are supported");
    }
    s->bits_ = EVP_PKEY_get_bits(s->key_->pkey.get());
    if (s->algorithm_ == KeyAlgorithm::Rsa && s->bits_ < 2048)
        throw SigningError(ErrorCode::UnsupportedKey,
                           "RSA keys shorter than 2048 bits are refused");
    return s;
}

Bytes SoftwareSigner::sign_digest(DigestAlgorithm alg, std::span<const std::uint8_t> dg) {
    if (dg.size() != digest_size(alg))
        throw SigningError(ErrorCode::InvalidArgument,
                           "digest length does not match its algorithm");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key_->pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1)
        throw_openssl(ErrorCode::CryptoError, "sign init failed");
    if (algorithm_ == KeyAlgorithm::Rsa &&
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
        throw_openssl(ErrorCode::CryptoError, "RSA padding");
    if (EVP_PKEY_CTX_set_signature_md(ctx.get(), evp_md(alg)) != 1)
        throw_openssl(ErrorCode::CryptoError, "signature digest");
    std::size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, dg.data(), dg.size()) != 1)
        throw_openssl(ErrorCode::CryptoError, "sign failed");
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, dg.data(), dg.size()) != 1)
        throw_openssl(ErrorCode::CryptoError, "sign failed");
    sig.resize(len);
    return sig;
}

} // namespace ow::signing
