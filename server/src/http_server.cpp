#include "http_server.h"

#include "ow/signing/tsa.h"
#include "pki.h"
#include "publication.h"
#include "util.h"

#include <cctype>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace ow::server {

using nlohmann::json;

namespace {

constexpr const char* kBlobPattern = R"(/v1/blobs/([A-Za-z0-9._:-]{1,64}))";

void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message) {
    res.status = status;
    res.set_content(json({{"error", code}, {"message", message}}).dump(), "application/json");
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

struct PeerIdentity {
    std::string cn;
    std::string serial;
    bool via_proxy = false;
};

std::optional<PeerIdentity> identity_of(X509* cert) {
    PeerIdentity id;
    X509_NAME* subject = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx < 0)
        return std::nullopt;
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0)
        return std::nullopt;
    id.cn.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    id.serial = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    return id;
}

std::string fingerprint_sha256(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    X509_digest(cert, EVP_sha256(), md, &n);
    return to_hex({md, n});
}

std::string percent_decode(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

} // namespace

struct HttpServer::Impl {
    ServerConfig config;
    Storage& storage;
    BlobStore blobs;
    MutationProcessor mutations;
    std::unique_ptr<ow::signing::TsaResponder> tsa;
    std::string tsa_cert_pem, ca_cert_pem;
    PkiFiles pki;
    std::unique_ptr<httplib::SSLServer> server;
    int port = 0;
    // Verifies client certificates forwarded by a trusted proxy.
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> ca_store{nullptr, X509_STORE_free};

    Impl(const ServerConfig& c, Storage& s)
        : config(c), storage(s), blobs(s, c.blob_dir()),
          mutations(s, blobs), pki{c.client_ca, c.ca_key,          c.certificate,
                                   c.key,       c.tsa_certificate, c.tsa_key} {
        ca_cert_pem = read_text_file(c.client_ca);
        ca_store.reset(X509_STORE_new());
        if (!ca_store || X509_STORE_load_file(ca_store.get(), c.client_ca.c_str()) != 1)
            throw std::runtime_error("cannot load the client CA " + c.client_ca.string());
        if (std::filesystem::exists(c.tsa_key) && std::filesystem::exists(c.tsa_certificate)) {
            std::string key = read_text_file(c.tsa_key);
            tsa_cert_pem = read_text_file(c.tsa_certificate);
            tsa = std::make_unique<ow::signing::TsaResponder>(key, tsa_cert_pem, ca_cert_pem);
            OPENSSL_cleanse(key.data(), key.size());
        }
        server = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) { return setup(ctx); });
        if (!server->is_valid())
            throw std::runtime_error("the TLS context could not be set up (certificate " +
                                     config.certificate.string() + ", key " + config.key.string() +
                                     ")");
        routes();
    }

    bool setup(SSL_CTX& ctx) {
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                      SSL_OP_CIPHER_SERVER_PREFERENCE);
        if (SSL_CTX_use_certificate_chain_file(&ctx, config.certificate.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(&ctx, config.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(&ctx) != 1) {
            spdlog::error("TLS: cannot load {} / {}", config.certificate.string(),
                          config.key.string());
            ERR_clear_error();
            return false;
        }
        // Workstations present certificates of our CA. Asking is mandatory, presenting one is
        // not (health and enrolment work without); a certificate that is presented but does not
        // verify fails the handshake. Protected routes refuse requests without one.
        if (SSL_CTX_load_verify_locations(&ctx, config.client_ca.c_str(), nullptr) != 1) {
            spdlog::error("TLS: cannot load the client CA {}", config.client_ca.string());
            ERR_clear_error();
            return false;
        }
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca.c_str());
        if (names)
            SSL_CTX_set_client_CA_list(&ctx, names);
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_set_verify_depth(&ctx, 2);
        static const unsigned char sid[] = "onewindow-server";
        SSL_CTX_set_session_id_context(&ctx, sid, sizeof sid - 1);
        return true;
    }

    // The identity of the request: the verified client certificate of the TLS peer, or — when
    // the peer is a trusted TLS-terminating proxy (listen.trusted_proxy_sha256) — the client
    // certificate it forwards in X-Client-Cert, verified here against our CA.
    std::optional<PeerIdentity> peer_identity(const httplib::Request& req,
                                              std::string& refusal) const {
        if (!req.ssl)
            return std::nullopt;
        SSL* ssl = const_cast<SSL*>(req.ssl);
        X509* cert = SSL_get0_peer_certificate(ssl);
        if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
            return std::nullopt;
        if (config.trusted_proxies.empty() ||
            !config.trusted_proxies.count(fingerprint_sha256(cert)))
            return identity_of(cert);
        std::string pem = percent_decode(req.get_header_value("X-Client-Cert"));
        if (pem.empty())
            return std::nullopt;
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        X509* forwarded = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        ERR_clear_error();
        if (!forwarded) {
            refusal = "the proxy forwarded an unreadable client certificate";
            return std::nullopt;
        }
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        bool ok = ctx && X509_STORE_CTX_init(ctx, ca_store.get(), forwarded, nullptr) == 1 &&
                  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) == 1 &&
                  X509_verify_cert(ctx) == 1;
        X509_STORE_CTX_free(ctx);
        ERR_clear_error();
        std::optional<PeerIdentity> id;
        if (ok) {
            id = identity_of(forwarded);
            if (id)
                id->via_proxy = true;
        } else {
            refusal = "the client certificate forwarded by the proxy does not verify";
        }
        X509_free(forwarded);
        return id;
    }

    // The enrolled workstation behind the request, or an error response.
    std::optional<std::string> workstation(const httplib::Request& req, httplib::Response& res) {
        std::string refusal;
        auto peer = peer_identity(req, refusal);
        if (!peer) {
            if (!refusal.empty())
                send_error(res, 403, "forwarded-certificate-invalid", refusal);
            else
                send_error(res, 401, "client-certificate-required",
                           "this endpoint needs the workstation's client certificate");
            return std::nullopt;
        }
        auto tx = storage.begin(TxMode::Read);
        auto row =
            tx->query_one("SELECT cert_serial, revoked FROM workstations WHERE id = ?", {peer->cn});
        if (row && row->int64(1) != 0) {
            send_error(res, 403, "workstation-revoked", "this workstation has been revoked");
            return std::nullopt;
        }
        if (!row || row->text(0) != peer->serial) {
            send_error(res, 403, "workstation-not-enrolled",
                       "this certificate is not the current one of an enrolled workstation");
            return std::nullopt;
        }
        return peer->cn;
    }

    void routes() {
        auto& s = *server;
        s.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
            send_json(res, 200,
                      {{"status", "ok"},
                       {"version", OW_VERSION},
                       {"protocol", 1},
                       {"time", now_utc_iso()}});
        });
        s.Post("/v1/enroll",
               [this](const httplib::Request& req, httplib::Response& res) { enroll(req, res); });
        s.Get("/v1/whoami", [this](const httplib::Request& req, httplib::Response& res) {
            auto ws = workstation(req, res);
            if (!ws)
                return;
            std::string refusal;
            auto peer = peer_identity(req, refusal);
            auto tx = storage.begin(TxMode::Read);
            auto row = tx->query_one("SELECT not_after FROM workstations WHERE id = ?", {*ws});
            send_json(res, 200,
                      {{"workstation_id", *ws},
                       {"certificate_serial", peer->serial},
                       {"not_after", row ? row->text(0) : std::string()}});
        });
        s.Get("/v1/ca", [this](const httplib::Request& req, httplib::Response& res) {
            if (workstation(req, res))
                res.set_content(ca_cert_pem, "application/x-pem-file");
        });
        s.Get("/v1/tsa/certificate", [this](const httplib::Request& req, httplib::Response& res) {
            if (!workstation(req, res))
                return;
            if (!tsa)
                return send_error(res, 404, "no-tsa", "this server has no TSA key");
            res.set_content(tsa_cert_pem, "application/x-pem-file");
        });
        s.Post("/v1/tsa", [this](const httplib::Request& req, httplib::Response& res) {
            timestamp(req, res);
        });
        s.Post("/v1/mutations", [this](const httplib::Request& req, httplib::Response& res) {
            auto ws = workstation(req, res);
            if (!ws)
                return;
            json body;
            try {
                body = json::parse(req.body);
            } catch (const json::exception&) {
                return send_error(res, 400, "bad-request", "the body is not JSON");
            }
            try {
                send_json(res, 200, mutations.apply_batch(*ws, body));
            } catch (const std::length_error& e) {
                send_error(res, 413, "batch-too-large", e.what());
            } catch (const std::invalid_argument& e) {
                send_error(res, 400, "bad-request", e.what());
            }
        });
        s.Post("/v1/blobs", [this](const httplib::Request& req, httplib::Response& res) {
            create_blob(req, res);
        });
        s.Get(kBlobPattern,
              [this](const httplib::Request& req, httplib::Response& res) { get_blob(req, res); });
        s.Patch(kBlobPattern,
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { patch_blob(req, res, reader); });
        s.Get("/v1/changes", [this](const httplib::Request& req, httplib::Response& res) {
            if (!workstation(req, res))
                return;
            std::int64_t cursor = 0;
            int limit = 5000;
            try {
                if (req.has_param("cursor") && !req.get_param_value("cursor").empty())
                    cursor = std::stoll(req.get_param_value("cursor"));
                if (req.has_param("limit"))
                    limit = std::stoi(req.get_param_value("limit"));
            } catch (const std::exception&) {
                return send_error(res, 400, "bad-request", "cursor and limit must be numbers");
            }
            if (cursor < 0 || limit < 1 || limit > 10000)
                return send_error(res, 400, "bad-request", "limit must be 1 to 10000");
            res.set_content(changes_page(storage, cursor, limit), "application/json");
        });
        s.Get("/v1/snapshot", [this](const httplib::Request& req, httplib::Response& res) {
            if (!workstation(req, res))
                return;
            std::string kind = req.get_param_value("kind");
            if (!is_snapshot_kind(kind))
                return send_error(
                    res, 400, "bad-request",
                    "kind must be catalog, calendar, person, entity, license, user or case");
            int limit = 5000;
            try {
                if (req.has_param("limit"))
                    limit = std::stoi(req.get_param_value("limit"));
            } catch (const std::exception&) {
                return send_error(res, 400, "bad-request", "limit must be a number");
            }
            if (limit < 1 || limit > 20000)
                return send_error(res, 400, "bad-request", "limit must be 1 to 20000");
            res.set_content(snapshot_page(storage, kind, req.get_param_value("after"), limit),
                            "application/json");
        });
        s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
            spdlog::info("{} {} -> {}", req.method, req.path, res.status);
        });
        s.set_exception_handler(
            [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
                try {
                    std::rethrow_exception(ep);
                } catch (const std::exception& e) {
                    spdlog::error("{} {}: {}", req.method, req.path, e.what());
                } catch (...) {
                    spdlog::error("{} {}: unknown error", req.method, req.path);
                }
                send_error(res, 500, "server-error", "internal error; see the server log");
            });
        s.set_payload_max_length(static_cast<std::size_t>(BlobStore::kMaxChunk) + (1 << 20));
        // Headers and body go out in separate writes: without TCP_NODELAY every small answer
        // waits for the peer's delayed ACK (40 ms on Linux).
        s.set_tcp_nodelay(true);
        s.set_keep_alive_max_count(10000);
        s.set_keep_alive_timeout(30);
        s.set_read_timeout(60);
        s.set_write_timeout(60);
        int threads = config.threads;
        s.new_task_queue = [threads] {
            return new httplib::ThreadPool(static_cast<size_t>(threads));
        };
    }

    void enroll(const httplib::Request& req, httplib::Response& res) {
        json body;
        try {
            body = json::parse(req.body);
        } catch (const json::exception&) {
            return send_error(res, 400, "bad-request", "the body is not JSON");
        }
        if (!body.is_object() || !body.contains("code") || !body["code"].is_string() ||
            !body.contains("csr") || !body["csr"].is_string())
            return send_error(res, 400, "bad-request", "code and csr are required");
        std::string hash = sha256_hex(normalize_enrollment_code(body["code"].get<std::string>()));
        auto tx = storage.begin(TxMode::Write);
        auto row = tx->query_one(
            "SELECT workstation FROM enrollment_codes WHERE code_hash = ? AND used_at IS NULL "
            "AND expires_at > ?",
            {hash, now_utc_iso()});
        if (!row) {
            spdlog::warn("enrolment refused: unknown, used or expired code from {}",
                         req.remote_addr);
            return send_error(res, 403, "enrollment-code-invalid",
                              "the enrolment code is unknown, used or expired");
        }
        std::string ws = row->text(0);
        IssuedCertificate cert;
        try {
            cert = issue_client_certificate(pki, body["csr"].get<std::string>(), ws);
        } catch (const PkiError& e) {
            std::string message = e.what();
            if (message.rfind("bad-csr: ", 0) == 0)
                return send_error(res, 400, "bad-csr", message.substr(9));
            throw;
        }
        std::string now = now_utc_iso();
        tx->exec("UPDATE enrollment_codes SET used_at = ? WHERE code_hash = ?", {now, hash});
        tx->exec("DELETE FROM workstations WHERE id = ?", {ws});
        tx->exec("INSERT INTO workstations(id, cert_serial, not_after, enrolled_at, revoked) "
                 "VALUES (?, ?, ?, ?, 0)",
                 {ws, cert.serial, cert.not_after, now});
        tx->commit();
        spdlog::info("workstation {} enrolled (certificate serial {})", ws, cert.serial);
        send_json(res, 200,
                  {{"workstation_id", ws},
                   {"certificate", cert.pem},
                   {"ca_certificate", ca_cert_pem},
                   {"not_after", cert.not_after}});
    }

    void timestamp(const httplib::Request& req, httplib::Response& res) {
        if (!workstation(req, res))
            return;
        if (!tsa)
            return send_error(res, 404, "no-tsa", "this server has no TSA key");
        if (req.get_header_value("Content-Type") != "application/timestamp-query")
            return send_error(res, 415, "bad-request",
                              "Content-Type must be application/timestamp-query");
        if (req.body.size() > 65536)
            return send_error(res, 413, "bad-request", "the time-stamp request is too large");
        ow::signing::Bytes reply;
        try {
            reply = tsa->respond(
                {reinterpret_cast<const std::uint8_t*>(req.body.data()), req.body.size()});
        } catch (const std::exception& e) {
            return send_error(res, 400, "bad-request",
                              std::string("not a valid TimeStampReq: ") + e.what());
        }
        res.set_content(std::string(reply.begin(), reply.end()), "application/timestamp-reply");
    }

    static void blob_headers(httplib::Response& res, const BlobInfo& b) {
        res.set_header("Upload-Offset", std::to_string(b.offset));
        res.set_header("Upload-Length", std::to_string(b.length));
        res.set_header("Upload-Complete", b.complete ? "true" : "false");
        res.set_header("Cache-Control", "no-store");
        res.set_header("Tus-Resumable", "1.0.0");
    }

    static json blob_json(const BlobInfo& b) {
        return {{"blob_id", b.id},
                {"offset", b.offset},
                {"length", b.length},
                {"complete", b.complete}};
    }

    void create_blob(const httplib::Request& req, httplib::Response& res) {
        auto ws = workstation(req, res);
        if (!ws)
            return;
        json body;
        try {
            body = json::parse(req.body);
        } catch (const json::exception&) {
            return send_error(res, 400, "bad-request", "the body is not JSON");
        }
        if (!body.is_object() || !body.contains("blob_id") || !body["blob_id"].is_string() ||
            !body.contains("length") || !body["length"].is_number_integer() ||
            !body.contains("sha256") || !body["sha256"].is_string())
            return send_error(res, 400, "bad-request", "blob_id, length and sha256 are required");
        auto r =
            blobs.create(*ws, body["blob_id"].get<std::string>(),
                         body["length"].get<std::int64_t>(), body["sha256"].get<std::string>());
        switch (r.status) {
        case BlobStatus::Created:
        case BlobStatus::Existing:
            blob_headers(res, r.info);
            return send_json(res, r.status == BlobStatus::Created ? 201 : 200, blob_json(r.info));
        case BlobStatus::Mismatch:
            return send_error(res, 409, "blob-mismatch", r.message);
        default:
            return send_error(res, 400, "bad-request", r.message);
        }
    }

    void get_blob(const httplib::Request& req, httplib::Response& res) {
        if (!workstation(req, res))
            return;
        auto found = blobs.find(req.matches[1]);
        if (req.method == "HEAD") {
            if (!found) {
                res.status = 404;
                return;
            }
            blob_headers(res, *found);
            res.status = 200;
            return;
        }
        if (!found || !found->complete)
            return send_error(res, 404, "not-found", "no complete blob with this id");
        res.set_header("ETag", "\"" + found->sha256 + "\"");
        if (found->length == 0)
            return res.set_content("", "application/octet-stream");
        auto file = blobs.file_of(found->id);
        auto fd = std::make_shared<int>(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (*fd < 0)
            return send_error(res, 500, "server-error", "the blob's file cannot be read");
        res.set_header("Accept-Ranges", "bytes");
        std::shared_ptr<int> holder(fd.get(), [fd](int*) { ::close(*fd); });
        res.set_content_provider(static_cast<size_t>(found->length), "application/octet-stream",
                                 [holder](size_t offset, size_t length, httplib::DataSink& sink) {
                                     std::vector<char> buf(std::min<size_t>(length, 256 * 1024));
                                     size_t done = 0;
                                     while (done < length) {
                                         ssize_t n = ::pread(*holder, buf.data(),
                                                             std::min(buf.size(), length - done),
                                                             static_cast<off_t>(offset + done));
                                         if (n <= 0)
                                             return false;
                                         if (!sink.write(buf.data(), static_cast<size_t>(n)))
                                             return false;
                                         done += static_cast<size_t>(n);
                                     }
                                     return true;
                                 });
    }

    void patch_blob(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) {
        auto ws = workstation(req, res);
        if (!ws)
            return;
        std::int64_t offset = -1, length = -1;
        try {
            offset = std::stoll(req.get_header_value("Upload-Offset"));
            length = std::stoll(req.get_header_value("Content-Length"));
        } catch (const std::exception&) {
            return send_error(res, 400, "bad-request",
                              "Upload-Offset and Content-Length headers are required");
        }
        auto r = blobs.append(*ws, req.matches[1], offset, req.get_header_value("Upload-Checksum"),
                              length, [&](const BlobStore::Sink& sink) {
                                  return reader(
                                      [&](const char* data, size_t n) { return sink(data, n); });
                              });
        if (r.status != BlobStatus::Appended)
            res.set_header("Connection", "close"); // the body may not have been read
        switch (r.status) {
        case BlobStatus::Appended:
            blob_headers(res, r.info);
            res.status = 204;
            return;
        case BlobStatus::NotFound:
            return send_error(res, 404, "not-found", r.message);
        case BlobStatus::NotOwner:
            return send_error(res, 403, "not-owner", r.message);
        case BlobStatus::OffsetMismatch:
            blob_headers(res, r.info);
            return send_error(res, 409, "offset-mismatch", r.message);
        case BlobStatus::AlreadyComplete:
            blob_headers(res, r.info);
            return send_error(res, 409, "blob-complete", r.message);
        case BlobStatus::ChecksumMismatch:
            blob_headers(res, r.info);
            return send_error(res, 460, "checksum-mismatch", r.message);
        case BlobStatus::HashMismatch:
            blob_headers(res, r.info);
            return send_error(res, 422, "sha256-mismatch", r.message);
        case BlobStatus::Interrupted:
            blob_headers(res, r.info);
            return send_error(res, 400, "incomplete-body", r.message);
        default:
            return send_error(res, 400, "bad-request", r.message);
        }
    }
};

HttpServer::HttpServer(const ServerConfig& config, Storage& storage)
    : impl_(std::make_unique<Impl>(config, storage)) {}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
    if (impl_->config.port == 0)
        impl_->port = impl_->server->bind_to_any_port(impl_->config.address);
    else if (impl_->server->bind_to_port(impl_->config.address, impl_->config.port))
        impl_->port = impl_->config.port;
    else
        impl_->port = -1;
    if (impl_->port <= 0)
        throw std::runtime_error("cannot listen on " + impl_->config.address + ":" +
                                 std::to_string(impl_->config.port));
    return impl_->port;
}

void HttpServer::serve() {
    impl_->server->listen_after_bind();
}

void HttpServer::stop() {
    impl_->server->stop();
}

} // namespace ow::server
