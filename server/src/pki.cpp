#include "pki.h"

#include "util.h"

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ow::server {

namespace {

template <typename T, void (*F)(T*)> struct Deleter {
    void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void ssl_fail(const std::string& what) {
    unsigned long e = ERR_get_error();
    char buf[256] = {0};
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    throw PkiError(what + (e ? std::string(": ") + buf : std::string()));
}

KeyPtr new_ec_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        ssl_fail("EC key generation");
    return key;
}

std::string key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        ssl_fail("write key");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    std::string out(data, static_cast<std::size_t>(n));
    return out;
}

std::string cert_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(bio.get(), cert))
        ssl_fail("write certificate");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

KeyPtr load_key(const std::filesystem::path& file) {
    std::string pem = read_text_file(file);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!key)
        ssl_fail("read key " + file.string());
    return key;
}

CertPtr load_cert(const std::filesystem::path& file) {
    std::string pem = read_text_file(file);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        ssl_fail("read certificate " + file.string());
    return cert;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext)
        ssl_fail("certificate extension " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

std::string serial_hex(X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string out(hex);
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

std::string not_after_iso(X509* cert) {
    std::tm tm{};
    if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
        return "";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// An unsigned certificate for `key` issued by `issuer` (nullptr: self-issued).
CertPtr make_cert(EVP_PKEY* key, const std::string& cn, const std::string& org, int days,
                  X509* issuer) {
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (!org.empty())
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
    if (!X509_sign(cert, key, EVP_sha256()))
        ssl_fail("sign certificate");
}

} // namespace

PkiFiles PkiFiles::in(const std::filesystem::path& d) {
    return {d / "ca.crt",     d / "ca.key",  d / "server.crt",
            d / "server.key", d / "tsa.crt", d / "tsa.key"};
}

std::string read_text_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw PkiError("cannot read " + file.string());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text_file(const std::filesystem::path& file, const std::string& text, unsigned mode) {
    auto tmp = file;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        throw PkiError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    ::fchmod(fd, mode);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            ::close(fd);
            throw PkiError("cannot write " + tmp.string() + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(tmp, file);
}

void create_pki(const PkiFiles& f, const std::vector<std::string>& hosts,
                const std::string& organization) {
    for (const auto& p : {f.ca_cert, f.ca_key, f.server_cert, f.server_key, f.tsa_cert, f.tsa_key})
        if (std::filesystem::exists(p))
            throw PkiError(p.string() + " exists; refusing to replace key material");
    std::filesystem::create_directories(f.ca_cert.parent_path());
    auto ca_key = new_ec_key();
    auto ca =
        make_cert(ca_key.get(), organization + " workstation CA", organization, 3650, nullptr);
    add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), ca_key.get());

    auto server_key = new_ec_key();
    std::string primary = hosts.empty() ? "localhost" : hosts.front();
    auto server = make_cert(server_key.get(), primary, organization, 825, ca.get());
    std::string san = "DNS:localhost,IP:127.0.0.1";
    for (const auto& h : hosts) {
        if (h == "localhost" || h == "127.0.0.1" || h.empty())
            continue;
        bool ip = h.find_first_not_of("0123456789.") == std::string::npos ||
                  h.find(':') != std::string::npos;
        san += (ip ? ",IP:" : ",DNS:") + h;
    }
    add_ext(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_ext(server.get(), ca.get(), NID_subject_alt_name, san);
    add_ext(server.get(), ca.get(), NID_authority_key_identifier, "keyid");
    sign(server.get(), ca_key.get());

    auto tsa_key = new_ec_key();
    auto tsa = make_cert(tsa_key.get(), organization + " time-stamping authority", organization,
                         1825, ca.get());
    add_ext(tsa.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(tsa.get(), ca.get(), NID_key_usage, "critical,digitalSignature,nonRepudiation");
    add_ext(tsa.get(), ca.get(), NID_ext_key_usage, "critical,timeStamping");
    add_ext(tsa.get(), ca.get(), NID_authority_key_identifier, "keyid");
    sign(tsa.get(), ca_key.get());

    write_text_file(f.ca_key, key_pem(ca_key.get()), 0600);
    write_text_file(f.ca_cert, cert_pem(ca.get()), 0644);
    write_text_file(f.server_key, key_pem(server_key.get()), 0600);
    write_text_file(f.server_cert, cert_pem(server.get()) + cert_pem(ca.get()), 0644);
    write_text_file(f.tsa_key, key_pem(tsa_key.get()), 0600);
    write_text_file(f.tsa_cert, cert_pem(tsa.get()), 0644);
}

IssuedCertificate issue_client_certificate(const PkiFiles& f, const std::string& csr_pem,
                                           const std::string& common_name, int days) {
    BioPtr bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
    ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!req)
        throw PkiError("bad-csr: the CSR is not a PEM certificate request");
    EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
    if (!pub || X509_REQ_verify(req.get(), pub) != 1) {
        ERR_clear_error();
        throw PkiError("bad-csr: the CSR's signature does not verify");
    }
    int bits = EVP_PKEY_get_bits(pub);
    int type = EVP_PKEY_get_base_id(pub);
    bool strong = (type == EVP_PKEY_RSA && bits >= 2048) ||
                  (type == EVP_PKEY_EC && (bits == 256 || bits == 384));
    if (!strong)
        throw PkiError("bad-csr: the key must be RSA >= 2048 bits or EC P-256/P-384");
    auto ca_key = load_key(f.ca_key);
    auto ca = load_cert(f.ca_cert);
    auto cert = make_cert(pub, common_name, "", days, ca.get());
    add_ext(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), ca.get(), NID_ext_key_usage, "clientAuth");
    add_ext(cert.get(), ca.get(), NID_authority_key_identifier, "keyid");
    sign(cert.get(), ca_key.get());
    return {cert_pem(cert.get()), serial_hex(cert.get()), not_after_iso(cert.get())};
}

} // namespace ow::server
