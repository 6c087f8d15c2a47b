#include "ow/signing/tsa.h"

#include "dynlib.h"
#include "ossl.h"

#include <ctime>
#include <curl/curl.h>
#include <fstream>
#include <mutex>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sstream>

namespace ow::signing {

using namespace detail;

namespace {

[[noreturn]] void ts_fail(const std::string& what) {
    throw SigningError(ErrorCode::TimestampFailed, "time-stamp: " + what);
}

size_t collect(char* p, size_t size, size_t n, void* u) {
    auto* out = static_cast<Bytes*>(u);
    if (out->size() + size * n > (1u << 20))
        return 0; // a time-stamp response is a few KB; refuse to buffer more than 1 MB
    out->insert(out->end(), p, p + size * n);
    return size * n;
}

// The configured TSA roots; without any, the system's certificate store.
X509StorePtr load_store(const std::vector<std::filesystem::path>& anchors) {
    X509StorePtr store(X509_STORE_new());
    if (anchors.empty())
        X509_STORE_set_default_paths(store.get());
    for (const auto& a : anchors) {
        if (X509_STORE_load_file(store.get(), a.c_str()) != 1)
            throw_openssl(ErrorCode::InvalidArgument,
                          "cannot read the TSA trust anchor '" + a.string() + "'");
    }
    return store;
}

// libcurl is loaded on first use (see dynlib.h). Members are prefixed: curl.h may define
// curl_easy_setopt as a type-checking macro.
#define OW_CURL_FUNCTIONS(X)                                                                       \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_easy_strerror)

struct CurlApi {
#define OW_DECLARE(name) decltype(&::name) p_##name = nullptr;
    OW_CURL_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

const CurlApi& curl_api() {
    // Kept loaded for the life of the process (curl_global_init is not undone).
    static const DynamicLibraries* libs =
        new DynamicLibraries({"libcurl.so.4"}, ErrorCode::TimestampFailed, "time-stamping");
    static const CurlApi api = [] {
        CurlApi a;
#define OW_RESOLVE(name) a.p_##name = reinterpret_cast<decltype(a.p_##name)>(libs->symbol(#name));
        OW_CURL_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        a.p_curl_global_init(CURL_GLOBAL_DEFAULT);
        return a;
    }();
    return api;
}

} // namespace

TsaClient::TsaClient(TsaOptions options) : options_(std::move(options)) {}

Bytes TsaClient::make_request(std::span<const std::uint8_t> dg, DigestAlgorithm alg) {
    TsReqPtr req(TS_REQ_new());
    TS_MSG_IMPRINT* mi = TS_MSG_IMPRINT_new();
    X509_ALGOR* algo = X509_ALGOR_new();
    X509_ALGOR_set0(algo, OBJ_nid2obj(EVP_MD_get_type(evp_md(alg))), V_ASN1_NULL, nullptr);
    TS_MSG_IMPRINT_set_algo(mi, algo);
    X509_ALGOR_free(algo);
    TS_MSG_IMPRINT_set_msg(mi, const_cast<unsigned char*>(dg.data()), static_cast<int>(dg.size()));
    TS_REQ_set_version(req.get(), 1);
    TS_REQ_set_msg_imprint(req.get(), mi);
    TS_MSG_IMPRINT_free(mi);
    unsigned char rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        throw_openssl(ErrorCode::CryptoError, "random nonce");
    rnd[0] &= 0x7F;
    BIGNUM* bn = BN_bin2bn(rnd, sizeof rnd, nullptr);
    AsnIntegerPtr nonce(BN_to_ASN1_INTEGER(bn, nullptr));
    BN_free(bn);
    TS_REQ_set_nonce(req.get(), nonce.get());
    TS_REQ_set_cert_req(req.get(), 1);
    int n = i2d_TS_REQ(req.get(), nullptr);
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d_TS_REQ(req.get(), &p);
    return out;
}

Timestamp TsaClient::check_response(std::span<const std::uint8_t> request_der,
                                    std::span<const std::uint8_t> response_der) const {
    const unsigned char* p = request_der.data();
    TsReqPtr req(d2i_TS_REQ(nullptr, &p, static_cast<long>(request_der.size())));
    if (!req)
        ts_fail("bad request");
    p = response_der.data();
    TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
    if (!resp)
        ts_fail("the TSA answer is not a time-stamp response");
    TS_STATUS_INFO* st = TS_RESP_get_status_info(resp.get());
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(st));
    if (status != 0 && status != 1)
        ts_fail("the TSA refused the request (status " + std::to_string(status) + ")");
    TsVerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
    if (!ctx)
        throw_openssl(ErrorCode::TimestampFailed, "time-stamp: verify context");
    TS_VERIFY_CTX_add_flags(ctx.get(), TS_VFY_SIGNATURE);
    X509StorePtr store = load_store(options_.trust_anchors);
    TS_VERIFY_CTX_set_store(ctx.get(), store.release()); // the context owns it
    if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1)
        throw_openssl(ErrorCode::TimestampFailed, "time-stamp response rejected");
    TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
    Timestamp out;
    out.time = asn1_time_iso(TS_TST_INFO_get_time(info));
    struct tm tm {};
    if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm) == 1) {
        std::time_t gen = timegm(&tm), now = std::time(nullptr);
        if (gen > now + 300 || gen < now - 300)
            ts_fail("the TSA clock differs from ours by more than 5 minutes (" + out.time + ")");
    }
    PKCS7* token = TS_RESP_get_token(resp.get());
    int n = i2d_PKCS7(token, nullptr);
    out.token.resize(static_cast<std::size_t>(n));
    unsigned char* q = out.token.data();
    i2d_PKCS7(token, &q);
    STACK_OF(PKCS7_SIGNER_INFO)* sis = PKCS7_get_signer_info(token);
    if (sis && sk_PKCS7_SIGNER_INFO_num(sis) > 0) {
        X509* signer = PKCS7_cert_from_signer_info(token, sk_PKCS7_SIGNER_INFO_value(sis, 0));
        if (signer)
            out.tsa = x509_name(X509_get_subject_name(signer));
    }
    return out;
}

Timestamp TsaClient::stamp(std::span<const std::uint8_t> dg, DigestAlgorithm alg) {
    const CurlApi& api = curl_api();
    Bytes req = make_request(dg, alg);
    Bytes resp;
    CURL* c = api.p_curl_easy_init();
    if (!c)
        ts_fail("cannot start an HTTP request");
    curl_slist* headers =
        api.p_curl_slist_append(nullptr, "Content-Type: application/timestamp-query");
    headers = api.p_curl_slist_append(headers, "Accept: application/timestamp-reply");
    char err[CURL_ERROR_SIZE] = {};
    api.p_curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
    api.p_curl_easy_setopt(c, CURLOPT_POST, 1L);
    api.p_curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.data());
    api.p_curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.size()));
    api.p_curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    api.p_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    api.p_curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    api.p_curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    api.p_curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                           static_cast<long>(options_.timeout.count()));
    api.p_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    api.p_curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    api.p_curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = api.p_curl_easy_perform(c);
    long http = 0;
    api.p_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    api.p_curl_slist_free_all(headers);
    api.p_curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        ts_fail("the TSA at " + options_.url +
                " did not answer: " + (err[0] ? std::string(err) : api.p_curl_easy_strerror(rc)));
    if (http != 200)
        ts_fail("the TSA at " + options_.url + " answered HTTP " + std::to_string(http));
    return check_response(req, resp);
}

// ------------------------------------------------------------------------------------ responder

struct TsaResponder::Impl {
    X509Ptr cert;
    EvpPkeyPtr key;
    X509StackPtr chain;
    std::string policy;
    std::mutex mutex;
    long serial = 0;
};

namespace {
ASN1_INTEGER* next_serial(TS_RESP_CTX*, void* data) {
    auto* counter = static_cast<long*>(data);
    ASN1_INTEGER* s = ASN1_INTEGER_new();
    // Time-based high bits keep serials unique across restarts of a test responder.
    ASN1_INTEGER_set_int64(s, static_cast<int64_t>(std::time(nullptr)) * 100000 +
                                  (++*counter % 100000));
    return s;
}
} // namespace

TsaResponder::TsaResponder(std::string_view key_pem, std::string_view cert_pem,
                           std::string_view chain_pem, std::string policy_oid)
    : impl_(std::make_unique<Impl>()) {
    BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    impl_->key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    impl_->cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    if (!impl_->key || !impl_->cert)
        throw_openssl(ErrorCode::InvalidArgument, "TSA key or certificate unreadable");
    impl_->chain.reset(sk_X509_new_null());
    if (!chain_pem.empty()) {
        BioPtr chb(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
        while (X509* c = PEM_read_bio_X509(chb.get(), nullptr, nullptr, nullptr))
            sk_X509_push(impl_->chain.get(), c);
        ERR_clear_error();
    }
    impl_->policy = std::move(policy_oid);
}

TsaResponder::~TsaResponder() = default;

Bytes TsaResponder::respond(std::span<const std::uint8_t> request_der) {
    std::lock_guard lock(impl_->mutex);
    TS_RESP_CTX* ctx = TS_RESP_CTX_new();
    if (!ctx)
        throw_openssl(ErrorCode::CryptoError, "TSA context");
    struct Guard {
        TS_RESP_CTX* c;
        ~Guard() { TS_RESP_CTX_free(c); }
    } guard{ctx};
    ASN1_OBJECT* policy = OBJ_txt2obj(impl_->policy.c_str(), 1);
    if (!TS_RESP_CTX_set_signer_cert(ctx, impl_->cert.get()) ||
        !TS_RESP_CTX_set_signer_key(ctx, impl_->key.get()) ||
        !TS_RESP_CTX_set_certs(ctx, impl_->chain.get()) || !policy ||
        !TS_RESP_CTX_set_def_policy(ctx, policy) ||
        !TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha256()) || !TS_RESP_CTX_add_md(ctx, EVP_sha384()) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha512()) || !TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0) ||
        !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256())) {
        ASN1_OBJECT_free(policy);
        throw_openssl(ErrorCode::CryptoError, "TSA configuration");
    }
    ASN1_OBJECT_free(policy);
    TS_RESP_CTX_set_serial_cb(ctx, next_serial, &impl_->serial);
    TS_RESP_CTX_add_flags(ctx, TS_ESS_CERT_ID_CHAIN);
    BioPtr in(BIO_new_mem_buf(request_der.data(), static_cast<int>(request_der.size())));
    TsRespPtr resp(TS_RESP_create_response(ctx, in.get()));
    if (!resp)
        throw_openssl(ErrorCode::CryptoError, "TSA response");
    int n = i2d_TS_RESP(resp.get(), nullptr);
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d_TS_RESP(resp.get(), &p);
    return out;
}

} // namespace ow::signing
