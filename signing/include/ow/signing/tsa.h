// RFC 3161 time-stamping: a client (request with nonce; imprint, nonce and TSA chain checked
// before a token is accepted) and a responder (OpenSSL TS API) that a server or a test serves.
#pragma once

#include "ow/signing/signer.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ow::signing {

struct TsaOptions {
    std::string url;                                  // http(s)://host/path
    std::vector<std::filesystem::path> trust_anchors; // PEM roots the TSA must chain to
    std::chrono::milliseconds timeout{15000};
    std::size_t reserve = 8192; // bytes reserved in /Contents for the token
};

struct Timestamp {
    Bytes token;      // DER TimeStampToken (a CMS SignedData)
    std::string time; // genTime, ISO 8601 UTC
    std::string tsa;  // subject of the TSA certificate
};

class TsaClient {
public:
    explicit TsaClient(TsaOptions options);
    // Time-stamps `digest` (SHA-256 of the data). Throws SigningError(TimestampFailed) when the
    // TSA fails or its answer does not match (status, imprint, nonce, signature, chain, EKU,
    // genTime within 5 minutes of our clock).
    Timestamp stamp(std::span<const std::uint8_t> digest,
                    DigestAlgorithm alg = DigestAlgorithm::Sha256);
    // The same checks on a response obtained elsewhere (for tests and other transports).
    Timestamp check_response(std::span<const std::uint8_t> request_der,
                             std::span<const std::uint8_t> response_der) const;
    // A DER TimeStampReq for `digest` with a fresh 64-bit nonce and certReq = true.
    static Bytes make_request(std::span<const std::uint8_t> digest, DigestAlgorithm alg);

private:
    TsaOptions options_;
};

// A time-stamping authority (for the reference server and tests): answers DER TimeStampReq
// with DER TimeStampResp, signed with SHA-256, policy 1.2.156.1.3161.1 by default.
class TsaResponder {
public:
    TsaResponder(std::string_view key_pem, std::string_view cert_pem,
                 std::string_view chain_pem = {}, std::string policy_oid = "1.2.156.1.3161.1");
    ~TsaResponder();
    TsaResponder(const TsaResponder&) = delete;
    TsaResponder& operator=(const TsaResponder&) = delete;
    Bytes respond(std::span<const std::uint8_t> request_der);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ow::signing
