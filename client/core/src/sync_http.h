// libcurl over mutual TLS for the sync engine: one easy handle (connections and TLS sessions are
// reused), the CA and the workstation's certificate and key passed as in-memory blobs, peer and
// host verification always on, curl's TLS failures mapped to clear CoreError(Network) messages.
#pragma once

#include "ow/core/error.h"
#include "ow/core/secret.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ow::core::sync_detail {

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

struct TlsMaterial {
    std::string ca_pem;
    std::string pin; // "sha256//…" or empty
    std::string client_cert_pem;
    SecretString client_key_pem; // empty before enrolment
};

// A transport failure: the request may or may not have reached the server. `tls()`: a
// certificate or handshake problem — the run stops (fails closed), no retry in a hot loop.
class TransportFailure : public CoreError {
public:
    TransportFailure(bool tls, const char* message_template, Arguments arguments)
        : CoreError(ErrorCode::Network, message_template, std::move(arguments)), tls_(tls) {}
    bool tls() const noexcept { return tls_; }

private:
    bool tls_;
};

class HttpClient {
public:
    HttpClient(std::string base_url, TlsMaterial tls, std::chrono::seconds connect_timeout,
               std::chrono::seconds low_speed_time);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Throws CoreError(Network) for transport failures (message says what to do).
    HttpResponse request(const std::string& method, const std::string& path,
                         const std::map<std::string, std::string>& headers = {},
                         std::string_view body = {});

    // Bytes of request bodies handed to curl (for the resume benchmark).
    std::int64_t body_bytes_sent() const { return body_bytes_sent_; }

private:
    void* curl_ = nullptr;
    std::string base_url_;
    TlsMaterial tls_;
    std::chrono::seconds connect_timeout_, low_speed_time_;
    std::int64_t body_bytes_sent_ = 0;
};

// The version of libcurl (loads it: it is loaded on the first request otherwise).
std::string libcurl_version();

} // namespace ow::core::sync_detail
