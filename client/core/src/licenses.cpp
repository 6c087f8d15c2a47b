#include "ow/core/licenses.h"

#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ow::core {
namespace {

[[noreturn]] void crypto_failed(const char* what) {
    throw CoreError(ErrorCode::Crypto, N_("A cryptographic operation failed: {detail}"),
                    {{"detail", what}});
}

struct EvpKeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpKeyFree>;
using CertPtr = std::unique_ptr<X509, X509Free>;

KeyPtr new_ec_key() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (!key)
        crypto_failed("EC key generation");
    return KeyPtr(key);
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext || !X509_add_ext(cert, ext, -1))
        crypto_failed("certificate extension");
    X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by `issuer_key` (self-signed when issuer is null).
CertPtr make_certificate(EVP_PKEY* key, const std::string& common_name,
                         const std::string& organisation, X509* issuer, EVP_PKEY* issuer_key,
                         bool ca, long days) {
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    crypto::Bytes serial = crypto::random_bytes(16);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("CN"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(organisation.c_str()), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    add_ext(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage,
            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer)
        add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (!X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()))
        crypto_failed("certificate signature");
    return cert;
}

std::vector<unsigned char> to_der(X509* cert) {
    int n = i2d_X509(cert, nullptr);
    std::vector<unsigned char> out(static_cast<std::size_t>(std::max(n, 0)));
    unsigned char* p = out.data();
    i2d_X509(cert, &p);
    return out;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    std::string s = bio_text(bio);
    BIO_free(bio);
    return s;
}

std::string subject_of(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    std::string s = bio_text(bio);
    BIO_free(bio);
    return s;
}

CertPtr parse_der(const std::vector<unsigned char>& der) {
    const unsigned char* p = der.data();
    return CertPtr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

} // namespace

std::string canonical_license_data(const LicenseRecord& r) {
    nlohmann::json face = nlohmann::json::parse(r.face_data, nullptr, false);
    if (face.is_discarded() || !face.is_object())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The face data of license {license} is not a JSON object."),
                        {{"license", r.license_id}});
    nlohmann::json doc =
        nlohmann::json::array({"OWLIC1", r.license_id, r.type_code, r.type_name, r.holder_id,
                               r.holder_name, r.issuer, r.issue_date, r.valid_until, face});
    return doc.dump();
}

std::string license_face_hash(const LicenseRecord& r) {
    nlohmann::json face = nlohmann::json::parse(r.face_data, nullptr, false);
    if (face.is_discarded() || !face.is_object())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The face data of license {license} is not a JSON object."),
                        {{"license", r.license_id}});
    return crypto::sha256_hex(face.dump());
}

std::string license_qr_payload(const LicenseRecord& r) {
    return "OWLIC1;id=" + r.license_id + ";face-sha256=" + license_face_hash(r);
}

std::optional<QrPayload> parse_license_qr_payload(const std::string& payload) {
    const std::string head = "OWLIC1;id=";
    const std::string mid = ";face-sha256=";
    if (payload.rfind(head, 0) != 0)
        return std::nullopt;
    auto m = payload.find(mid, head.size());
    if (m == std::string::npos)
        return std::nullopt;
    QrPayload p{payload.substr(head.size(), m - head.size()), payload.substr(m + mid.size())};
    if (p.license_id.empty() || p.face_sha256.size() != 64)
        return std::nullopt;
    return p;
}

LicenseIssuers::LicenseIssuers(Database& db) {
    auto st = db.prepare("SELECT name, certificate FROM license_issuers ORDER BY name");
    while (st.step())
        certificates_.emplace_back(st.text(0), st.blob(1));
}

void LicenseIssuers::add(Database& db, const std::string& name,
                         const std::vector<unsigned char>& der, const std::string& source) {
    if (!parse_der(der))
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The issuer certificate {name} cannot be read."), {{"name", name}});
    db.prepare("INSERT OR REPLACE INTO license_issuers(name, certificate, source, added_at) "
               "VALUES (?, ?, ?, ?)")
        .bind(1, name)
        .bind_blob(2, der.data(), der.size())
        .bind(3, source)
        .bind(4, now_utc_iso())
        .run();
}

IssuerCheck LicenseIssuers::check(const LicenseRecord& record) const {
    IssuerCheck out;
    if (record.issuer_signature.empty()) {
        out.problem = "the record carries no issuer signature";
        return out;
    }
    std::string data;
    try {
        data = canonical_license_data(record);
    } catch (const CoreError&) {
        out.problem = "the face data is not a JSON object";
        return out;
    }
    if (certificates_.empty()) {
        out.problem = "no trusted license issuer is installed";
        return out;
    }
    for (const auto& [name, der] : certificates_) {
        CertPtr cert = parse_der(der);
        if (!cert)
            continue;
        EVP_PKEY* key = X509_get0_pubkey(cert.get());
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        bool ok =
            key && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, record.issuer_signature.data(), record.issuer_signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
        EVP_MD_CTX_free(ctx);
        if (ok) {
            out.trusted = true;
            out.issuer = subject_of(cert.get());
            return out;
        }
    }
    out.problem = "the issuer signature does not verify with any trusted issuer certificate "
                  "(the record was changed or its issuer is not trusted)";
    return out;
}

struct DemoLicenseIssuer::Key {
    KeyPtr key;
};

DemoLicenseIssuer::DemoLicenseIssuer(const std::string& common_name)
    : key_(std::make_unique<Key>()), name_(common_name) {
    key_->key = new_ec_key();
    CertPtr cert =
        make_certificate(key_->key.get(), common_name, "OneWindow demo e-license library", nullptr,
                         nullptr, false, 3650);
    certificate_ = to_der(cert.get());
}

DemoLicenseIssuer::~DemoLicenseIssuer() = default;

void DemoLicenseIssuer::sign(LicenseRecord& record) const {
    const std::string data = canonical_license_data(record);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t size = 0;
    bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->key.get()) == 1 &&
              EVP_DigestSign(ctx, nullptr, &size,
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    std::vector<unsigned char> sig(size);
    ok =
        ok && EVP_DigestSign(ctx, sig.data(), &size,
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        crypto_failed("license record signature");
    sig.resize(size);
    record.issuer_signature = std::move(sig);
}

std::optional<CenterSeal> CenterSeals::current() {
    session_.require(Permission::RestoreLicense);
    auto st = session_.db().prepare(
        "SELECT name, key_pem, certificate_pem, chain_pem FROM center_seal WHERE id = 1");
    if (!st.step())
        return std::nullopt;
    return CenterSeal{st.text(0), st.text(1), st.text(2), st.text(3)};
}

std::optional<CenterSeal> CenterSeals::certificates() {
    auto st = session_.db().prepare(
        "SELECT name, certificate_pem, chain_pem FROM center_seal WHERE id = 1");
    if (!st.step())
        return std::nullopt;
    return CenterSeal{st.text(0), "", st.text(1), st.text(2)};
}

void CenterSeals::install(const CenterSeal& seal) {
    session_.require(Permission::ChangeSettings);
    if (seal.name.empty() || seal.key_pem.empty() || seal.certificate_pem.empty())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("A center seal needs a name, a private key and a certificate."));
    auto& db = session_.db();
    Transaction tx(db);
    db.prepare("INSERT OR REPLACE INTO center_seal(id, name, key_pem, certificate_pem, chain_pem, "
               "created_at) VALUES (1, ?, ?, ?, ?, ?)")
        .bind(1, seal.name)
        .bind(2, seal.key_pem)
        .bind(3, seal.certificate_pem)
        .bind(4, seal.chain_pem)
        .bind(5, now_utc_iso())
        .run();
    session_.audit().append(
        session_.user().name, "seal.install", seal.name,
        nlohmann::json{{"certificate_sha256", crypto::sha256_hex(seal.certificate_pem)}}.dump());
    tx.commit();
}

bool CenterSeals::ensure_demo_seal(const std::string& center_name) {
    session_.require(Permission::ChangeSettings);
    {
        auto st = session_.db().prepare("SELECT 1 FROM center_seal WHERE id = 1");
        if (st.step())
            return false;
    }
    KeyPtr ca_key = new_ec_key();
    CertPtr ca = make_certificate(ca_key.get(), "OneWindow demo seal CA", "OneWindow demo", nullptr,
                                  nullptr, true, 3650);
    KeyPtr seal_key = new_ec_key();
    CertPtr seal = make_certificate(seal_key.get(), center_name + "（演示电子印章）", center_name,
                                    ca.get(), ca_key.get(), false, 1825);
    BIO* bio = BIO_new(BIO_s_secmem());
    PEM_write_bio_PKCS8PrivateKey(bio, seal_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    CenterSeal s{center_name, bio_text(bio), cert_pem(seal.get()), cert_pem(ca.get())};
    BIO_free_all(bio);
    install(s);
    OPENSSL_cleanse(s.key_pem.data(), s.key_pem.size());
    return true;
}

} // namespace ow::core
