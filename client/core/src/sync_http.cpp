#include "sync_http.h"

#include "ow/core/error.h"
#include "ow/core/log.h"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <dlfcn.h>
#include <openssl/x509_vfy.h>

namespace ow::core::sync_detail {
namespace {

// libcurl and its stack (TLS, nghttp2, krb5, ldap, p11-kit …) are loaded on the first request, not
// when the program starts: binding them costs every onewindow-cli command ~5 ms, and most (sign,
// verify, intake, scan) never talk to the server. Members are prefixed: curl.h may define
// curl_easy_setopt as a type-checking macro.
#define OW_SYNC_CURL_FUNCTIONS(X)                                                                  \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_reset)                                                                             \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_version_info)

struct LibCurl {
#define OW_DECLARE(name) decltype(&::name) p_##name = nullptr;
    OW_SYNC_CURL_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

const LibCurl& libcurl() {
    // Kept loaded for the life of the process (curl_global_init is not undone).
    static const LibCurl api = [] {
        void* handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr)
            throw CoreError(ErrorCode::Network,
                            N_("The server cannot be reached: the library libcurl.so.4 is not "
                               "installed."));
        LibCurl a;
#define OW_RESOLVE(name)                                                                           \
    a.p_##name = reinterpret_cast<decltype(a.p_##name)>(dlsym(handle, #name));                     \
    if (a.p_##name == nullptr)                                                                     \
        throw CoreError(ErrorCode::Network, N_("The installed libcurl has no {symbol}."),          \
                        {{"symbol", #name}});
        OW_SYNC_CURL_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        a.p_curl_global_init(CURL_GLOBAL_DEFAULT);
        return a;
    }();
    return api;
}

struct BodyReader {
    std::string_view body;
    std::size_t pos = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* reader = static_cast<BodyReader*>(user);
    std::size_t n = std::min(size * count, reader->body.size() - reader->pos);
    std::copy_n(reader->body.data() + reader->pos, n, buffer);
    reader->pos += n;
    return n;
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::size_t write_header(char* data, std::size_t size, std::size_t count, void* user) {
    std::string line(data, size * count);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
            value.erase(value.begin());
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
            value.pop_back();
        (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
    } else if (line.rfind("HTTP/", 0) == 0) {
        static_cast<std::map<std::string, std::string>*>(user)->clear(); // a new response
    }
    return size * count;
}

// curl's TLS failures in words a clerk's IT contact can act on. Fails closed: every one of them
// stops the run; nothing is sent.
[[noreturn]] void throw_transport(CURLcode rc, long verify_result, const std::string& detail,
                                  const std::string& url) {
    const CoreError::Arguments args{{"server", url}, {"detail", detail}};
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
        if (verify_result == X509_V_ERR_CERT_HAS_EXPIRED)
            throw TransportFailure(
                true,
                N_("The server's certificate has expired; nothing was sent. Ask the "
                   "service center to renew it ({server})."),
                args);
        if (verify_result == X509_V_ERR_CERT_NOT_YET_VALID)
            throw TransportFailure(
                true,
                N_("The server's certificate is not valid yet; check this computer's "
                   "date and time. Nothing was sent ({server})."),
                args);
        if (verify_result == X509_V_OK || verify_result == X509_V_ERR_HOSTNAME_MISMATCH ||
            verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH ||
            detail.find("subject name") != std::string::npos)
            throw TransportFailure(
                true,
                N_("The server's certificate does not name {server}: wrong address or "
                   "an impostor. Nothing was sent."),
                args);
        throw TransportFailure(
            true,
            N_("The server's certificate is not issued by the configured service "
               "center CA; nothing was sent ({server}: {detail})."),
            args);
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        throw TransportFailure(
            true,
            N_("The server's key does not match the pinned key; nothing was sent "
               "({server})."),
            args);
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
        throw TransportFailure(true,
                               N_("This workstation's certificate or key cannot be used; enrol the "
                                  "workstation again ({detail})."),
                               args);
    case CURLE_SSL_CACERT_BADFILE:
        throw TransportFailure(
            true,
            N_("The configured CA certificate cannot be read; set it again in the "
               "Sync area ({detail})."),
            args);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (detail.find("alert") != std::string::npos)
            throw TransportFailure(
                true,
                N_("The server refused this workstation's certificate; enrol the "
                   "workstation again ({detail})."),
                args);
        break;
    default:
        break;
    }
    throw TransportFailure(
        false,
        N_("The server {server} cannot be reached ({detail}); changes stay in the "
           "outbox and are sent later."),
        args);
}

} // namespace

HttpClient::HttpClient(std::string base_url, TlsMaterial tls, std::chrono::seconds connect_timeout,
                       std::chrono::seconds low_speed_time)
    : base_url_(std::move(base_url)), tls_(std::move(tls)), connect_timeout_(connect_timeout),
      low_speed_time_(low_speed_time) {
    while (!base_url_.empty() && base_url_.back() == '/')
        base_url_.pop_back();
    if (base_url_.rfind("https://", 0) != 0)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The server address must start with https:// ({server})."),
                        {{"server", base_url_}});
    curl_ = libcurl().p_curl_easy_init();
    if (!curl_)
        throw CoreError(ErrorCode::Network, N_("libcurl could not be initialised."));
}

HttpClient::~HttpClient() {
    if (curl_)
        libcurl().p_curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::request(const std::string& method, const std::string& path,
                                 const std::map<std::string, std::string>& headers,
                                 std::string_view body) {
    const auto& curl = libcurl();
    CURL* c = static_cast<CURL*>(curl_);
    curl.p_curl_easy_reset(c);
    std::string url = base_url_ + path;
    HttpResponse response;
    char error[CURL_ERROR_SIZE] = {0};
    curl.p_curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl.p_curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl.p_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    // TLS fails closed: every security setting must take, or nothing is sent. Trust is the
    // service center's CA alone — libcurl's built-in CA file and directory (the system store) are
    // switched off, or any CA the operating system trusts could vouch for the server.
    curl_blob ca{const_cast<char*>(tls_.ca_pem.data()), tls_.ca_pem.size(), CURL_BLOB_NOCOPY};
    curl_blob cert{const_cast<char*>(tls_.client_cert_pem.data()), tls_.client_cert_pem.size(),
                   CURL_BLOB_NOCOPY};
    curl_blob key{const_cast<char*>(tls_.client_key_pem.view().data()), tls_.client_key_pem.size(),
                  CURL_BLOB_NOCOPY};
    const bool client_identity = !tls_.client_cert_pem.empty() && !tls_.client_key_pem.empty();
    CURLcode security = CURLE_OK;
    auto secure = [&security](CURLcode rc) {
        if (security == CURLE_OK)
            security = rc;
    };
    secure(curl.p_curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"));
    secure(curl.p_curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
    secure(curl.p_curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
    secure(
        curl.p_curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
    secure(curl.p_curl_easy_setopt(c, CURLOPT_CAINFO, static_cast<const char*>(nullptr)));
    secure(curl.p_curl_easy_setopt(c, CURLOPT_CAPATH, static_cast<const char*>(nullptr)));
    secure(curl.p_curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca));
    if (!tls_.pin.empty())
        secure(curl.p_curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls_.pin.c_str()));
    if (client_identity) {
        secure(curl.p_curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert));
        secure(curl.p_curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM"));
        secure(curl.p_curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key));
        secure(curl.p_curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM"));
    }
    if (security != CURLE_OK) {
        log::error("sync: libcurl refused a TLS setting: curl {}", static_cast<int>(security));
        throw TransportFailure(true,
                               N_("This libcurl cannot enforce the connection's security "
                                  "settings ({detail}); nothing was sent."),
                               {{"detail", curl.p_curl_easy_strerror(security)}});
    }
    curl.p_curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(connect_timeout_.count()));
    curl.p_curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.p_curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(low_speed_time_.count()));
    curl.p_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &write_body);
    curl.p_curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl.p_curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &write_header);
    curl.p_curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);

    BodyReader reader{body, 0};
    if (method == "HEAD") {
        curl.p_curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (method == "GET") {
        curl.p_curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl.p_curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl.p_curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl.p_curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_body);
        curl.p_curl_easy_setopt(c, CURLOPT_READDATA, &reader);
        curl.p_curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& [name, value] : headers)
        list = curl.p_curl_slist_append(list, (name + ": " + value).c_str());
    list = curl.p_curl_slist_append(list, "Expect:"); // no 100-continue round trip
    list = curl.p_curl_slist_append(list, "User-Agent: onewindow/" OW_VERSION);
    curl.p_curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);

    CURLcode rc = curl.p_curl_easy_perform(c);
    curl.p_curl_slist_free_all(list);
    body_bytes_sent_ += static_cast<std::int64_t>(reader.pos);
    if (rc != CURLE_OK) {
        long verify_result = X509_V_OK;
        curl.p_curl_easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &verify_result);
        std::string detail = error[0] ? error : curl.p_curl_easy_strerror(rc);
        // The path without its query: a snapshot page's query names the last person fetched.
        log::warn("sync: {} {} failed: curl {} verify {}: {}", method,
                  std::string_view(path).substr(0, path.find('?')), static_cast<int>(rc),
                  verify_result, detail);
        throw_transport(rc, verify_result, detail, base_url_);
    }
    curl.p_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    if (response.status == 401 || response.status == 403) {
        // The server does not accept this workstation's identity: stop, do not retry.
        for (const char* code :
             {"client-certificate-required", "workstation-not-enrolled", "workstation-revoked"})
            if (response.body.find(code) != std::string::npos)
                throw TransportFailure(true,
                                       N_("The server does not accept this workstation's "
                                          "certificate ({detail}); enrol the workstation again. "
                                          "Nothing was lost: changes stay in the outbox."),
                                       {{"server", base_url_}, {"detail", code}});
    }
    return response;
}

std::string libcurl_version() {
    return libcurl().p_curl_version_info(CURLVERSION_NOW)->version;
}

} // namespace ow::core::sync_detail
