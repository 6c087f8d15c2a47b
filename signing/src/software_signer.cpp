#include "atomic_file.h"
#include "der.h"
#include "ossl.h"

#include <algorithm>
#include <cstring>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <optional>
#include <vector>

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
    FileBytes bytes = read_whole_file(p);
    std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    bytes.wipe(); // may be a private key
    return text;
}

// A certificate's DER as given when it is DER already (checked structurally: see der.h), else
// as OpenSSL re-encodes it; empty when it is no certificate at all.
Bytes certificate_der(const unsigned char* data, long length) {
    Bytes given(data, data + length);
    if (der::certificate_fields(given))
        return given;
    const unsigned char* p = data;
    X509Ptr parsed(d2i_X509(nullptr, &p, length));
    ERR_clear_error();
    if (!parsed || p != data + length)
        return {};
    return x509_to_der(parsed.get());
}

// One PEM block: its type and its decoded bytes, wiped when released (a private key may be in it).
struct WipeFree {
    std::size_t size = 0;
    void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, size); }
};
struct PemBlock {
    std::string type;
    bool encrypted = false; // Proc-Type / DEK-Info headers: a legacy encrypted key
    std::unique_ptr<unsigned char, WipeFree> data;
    der::ByteView bytes() const { return {data.get(), data.get_deleter().size}; }
};

// The next PEM block of `bio`, or nullopt at the end of the input — or at a block that cannot be
// decoded, which sets `damaged`.
std::optional<PemBlock> next_pem_block(BIO* bio, bool& damaged) {
    ERR_clear_error(); // the queue tells the end of the input from a damaged block
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio, &name, &header, &data, &length) != 1) {
        const unsigned long error = ERR_peek_last_error();
        damaged = ERR_GET_LIB(error) != ERR_LIB_PEM || ERR_GET_REASON(error) != PEM_R_NO_START_LINE;
        ERR_clear_error();
        return std::nullopt;
    }
    PemBlock block{
        name, header && header[0] != '\0', {data, WipeFree{static_cast<std::size_t>(length)}}};
    OPENSSL_free(name);
    OPENSSL_free(header);
    return block;
}

// The certificates of a PEM file in order (other PEM blocks skipped), or of a DER file. Throws
// CertificateNotFound for a damaged block.
std::vector<Bytes> read_certs(std::string_view pem) {
    std::vector<Bytes> out;
    if (pem.empty())
        return out;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    bool any_block = false, damaged = false;
    while (auto block = next_pem_block(bio.get(), damaged)) {
        any_block = true;
        if (block->type != PEM_STRING_X509 && block->type != PEM_STRING_X509_OLD)
            continue;
        const der::ByteView bytes = block->bytes();
        Bytes cert = certificate_der(bytes.data(), static_cast<long>(bytes.size()));
        if (cert.empty())
            throw SigningError(ErrorCode::CertificateNotFound,
                               "a certificate in the certificate file is damaged");
        out.push_back(std::move(cert));
    }
    if (damaged)
        throw SigningError(ErrorCode::CertificateNotFound,
                           "a block of the certificate file is damaged");
    if (!any_block) {
        Bytes cert = certificate_der(reinterpret_cast<const unsigned char*>(pem.data()),
                                     static_cast<long>(pem.size()));
        if (!cert.empty())
            out.push_back(std::move(cert));
    }
    return out;
}

} // namespace

Bytes detail::rsa_public_key_info(const EVP_PKEY* key) {
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return {};
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    Bytes out;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
        Bytes nb(static_cast<std::size_t>(BN_num_bytes(n))),
            eb(static_cast<std::size_t>(BN_num_bytes(e)));
        BN_bn2bin(n, nb.data());
        BN_bn2bin(e, eb.data());
        Bytes rsa_public_key = der::unsigned_integer(nb);
        der::append_raw(rsa_public_key, der::unsigned_integer(eb));
        Bytes bits{0}; // no unused bits
        der::append(bits, der::kSequence, rsa_public_key);
        Bytes algorithm(der::oid::kRsaEncryption.begin(), der::oid::kRsaEncryption.end());
        der::append(algorithm, der::kNull, {});
        Bytes spki = der::wrap(der::kSequence, algorithm);
        der::append(spki, der::kBitString, bits);
        out = der::wrap(der::kSequence, spki);
    }
    BN_free(n);
    BN_free(e);
    ERR_clear_error();
    return out;
}

namespace {

// Whether the private key belongs to the certificate. An RSA key is compared with the
// certificate's key info byte for byte; anything else (and an RSA key info encoded differently)
// through OpenSSL's parsed public key.
bool key_matches_certificate(const EVP_PKEY* key, const Bytes& cert) {
    auto fields = der::certificate_fields(cert);
    Bytes expected = rsa_public_key_info(key);
    if (fields && !expected.empty() &&
        std::equal(expected.begin(), expected.end(), fields->public_key_info.begin(),
                   fields->public_key_info.end()))
        return true;
    X509Ptr parsed = x509_from_der(cert);
    EVP_PKEY* pub = X509_get0_pubkey(parsed.get());
    const bool same = pub && EVP_PKEY_eq(pub, key) == 1;
    ERR_clear_error();
    return same;
}

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};

int pass_cb(char* buf, int size, int, void* u) {
    auto* pass = static_cast<std::span<const char>*>(u);
    if (!pass || pass->empty() || static_cast<int>(pass->size()) > size)
        return 0;
    std::copy(pass->begin(), pass->end(), buf);
    return static_cast<int>(pass->size());
}

} // namespace

namespace detail {

// An unencrypted RSA key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") read without OpenSSL
// 3's decoder framework: setting up a decoder context enumerates every key type and decoder of
// every provider, which costs more than the signature itself in a one-shot `onewindow-cli sign`.
// The DER is read with der.h; the key components go to the provider with EVP_PKEY_fromdata, as
// the decoder would do. Returns nothing for any other key (EC, encrypted, unusual encodings): the
// caller falls back to PEM_read_bio_PrivateKey. The decoded DER is wiped.
EvpPkeyPtr rsa_key_without_decoders(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    bool damaged = false;
    auto block = bio ? next_pem_block(bio.get(), damaged) : std::nullopt;
    if (!block || block->encrypted)
        return nullptr;
    der::ByteView der_key = block->bytes();
    if (block->type == "PRIVATE KEY") {
        // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, … }
        auto info = der::read(der_key);
        if (!info || info->tag != der::kSequence || !der_key.empty())
            return nullptr;
        der::ByteView fields = info->content;
        auto version = der::read(fields);
        auto algorithm = der::read(fields);
        auto private_key = der::read(fields);
        if (!version || version->tag != der::kInteger || !algorithm ||
            algorithm->tag != der::kSequence || !private_key ||
            private_key->tag != der::kOctetString)
            return nullptr;
        der::ByteView algorithm_fields = algorithm->content;
        auto oid = der::read(algorithm_fields);
        if (!oid || !std::ranges::equal(oid->whole, der::oid::kRsaEncryption))
            return nullptr;
        der_key = private_key->content;
    } else if (block->type != "RSA PRIVATE KEY") {
        return nullptr;
    }
    // RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv } (two primes only;
    // multi-prime keys, version 1, take the general path).
    auto rsa = der::read(der_key);
    if (!rsa || rsa->tag != der::kSequence || !der_key.empty())
        return nullptr;
    der::ByteView integers = rsa->content;
    auto version = der::read(integers);
    if (!version || version->tag != der::kInteger || version->content.size() != 1 ||
        version->content[0] != 0)
        return nullptr;
    static const char* const names[] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    std::vector<std::unique_ptr<BIGNUM, BnFree>> numbers;
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> build(OSSL_PARAM_BLD_new());
    for (const char* name : names) {
        auto integer = der::read(integers);
        // Positive integers only: a set top bit would be a negative number.
        if (!integer || integer->tag != der::kInteger || integer->content.empty() ||
            (integer->content[0] & 0x80))
            return nullptr;
        // Secure BIGNUMs: OSSL_PARAM_BLD puts them in the parameters' secure block, which is wiped
        // when the parameters are freed (the private exponent and primes never sit in plain heap).
        std::unique_ptr<BIGNUM, BnFree> bn(BN_secure_new());
        if (!bn || !BN_bin2bn(integer->content.data(), static_cast<int>(integer->content.size()),
                              bn.get()))
            return nullptr;
        if (!build || OSSL_PARAM_BLD_push_BN(build.get(), name, bn.get()) != 1)
            return nullptr;
        numbers.push_back(std::move(bn));
    }
    if (!integers.empty())
        return nullptr;
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build.get()));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return EvpPkeyPtr(key);
}

} // namespace detail

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
    s->key_->pkey = rsa_key_without_decoders(key_pem);
    if (!s->key_->pkey) {
        BioPtr bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
        s->key_->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    }
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
    if (!key_matches_certificate(s->key_->pkey.get(), certs[0]))
        throw SigningError(ErrorCode::InvalidArgument,
                           "the private key does not belong to the certificate");
    s->cert_ = std::move(certs[0]);
    for (std::size_t i = 1; i < certs.size(); ++i)
        s->chain_.push_back(std::move(certs[i]));
    auto chain_certs = read_certs(chain_pem);
    if (chain_certs.empty() && chain_pem.find_first_not_of(" \t\r\n") != std::string_view::npos)
        throw SigningError(ErrorCode::CertificateNotFound, "no certificate in the chain file");
    for (auto& c : chain_certs)
        s->chain_.push_back(std::move(c));
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
