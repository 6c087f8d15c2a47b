#include "ow/core/sync_engine.h"

#include "ow/core/blob_store.h"
#include "ow/core/crypto.h"
#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/system_config.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "sync_http.h"

#include <condition_variable>
#include <ctime>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <optional>
#include <set>
#include <thread>

namespace ow::core {

using nlohmann::json;
using sync_detail::HttpClient;
using sync_detail::HttpResponse;
using sync_detail::TlsMaterial;

// ------------------------------------------------------------------ policy

std::chrono::milliseconds BackoffPolicy::ceiling(int attempt) const {
    if (attempt < 1)
        attempt = 1;
    auto limit = base;
    for (int i = 1; i < attempt && limit < cap; ++i)
        limit *= 2;
    return std::min(limit, cap);
}

std::chrono::milliseconds BackoffPolicy::delay(int attempt, std::mt19937_64& random) const {
    auto limit = ceiling(attempt).count();
    std::uniform_int_distribution<long long> pick(0, limit);
    return std::chrono::milliseconds(pick(random));
}

ItemStatus item_status_from_string(const std::string& text) {
    if (text == "applied")
        return ItemStatus::Applied;
    if (text == "conflict")
        return ItemStatus::Conflict;
    if (text == "rejected")
        return ItemStatus::Rejected;
    return ItemStatus::Retry;
}

namespace {

std::string iso(std::chrono::system_clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

std::string now_iso() {
    return iso(std::chrono::system_clock::now());
}

// Kinds bootstrapped from snapshots on a new workstation, in this order.
const std::vector<std::string> kSnapshotKinds = {"catalog", "calendar", "user", "person",
                                                 "entity",  "license",  "case"};

json parse_body(const HttpResponse& r, const char* what) {
    try {
        return json::parse(r.body);
    } catch (const json::exception&) {
        throw CoreError(ErrorCode::Network,
                        N_("The server sent an answer that is not JSON ({what}, HTTP {status})."),
                        {{"what", what}, {"status", std::to_string(r.status)}});
    }
}

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

void set_status(Database& db, bool online, const std::string& error, bool success) {
    db.exec("INSERT OR IGNORE INTO sync_status(id) VALUES (1)");
    db.prepare("UPDATE sync_status SET last_attempt_at = ?, online = ?, last_error = ?, "
               "last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END WHERE id = 1")
        .bind(1, now_iso())
        .bind(2, online ? 1 : 0)
        .bind(3, error)
        .bind(4, success ? 1 : 0)
        .bind(5, now_iso())
        .run();
}

std::optional<SyncIdentity> load_identity(Database& db, SecretString* key) {
    auto st = db.prepare("SELECT server_url, ca_pem, pin, workstation_id, client_cert_pem, "
                         "client_key_pem FROM sync_identity WHERE id = 1");
    if (!st.step())
        return std::nullopt;
    SyncIdentity id{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)};
    if (key && !st.is_null(5)) {
        auto k = st.blob(5);
        *key = SecretString(std::string(k.begin(), k.end()));
        wipe(k.data(), k.size());
    }
    return id;
}

[[noreturn]] void not_configured() {
    throw CoreError(
        ErrorCode::NotInitialised,
        N_("No sync server is configured. An administrator sets the server address "
           "and CA certificate in the Sync area (or: onewindow-cli enroll URL CODE --ca "
           "FILE)."));
}

// Generates an EC P-256 key and a CSR naming the workstation. The key stays in memory.
std::pair<std::string, SecretString> make_key_and_csr(const std::string& common_name) {
    auto fail = [](const char* what) -> CoreError {
        return CoreError(ErrorCode::Crypto, N_("Could not create the workstation key ({what})."),
                         {{"what", what}});
    };
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    if (!pkey)
        throw fail("EVP_EC_gen");
    X509_REQ* req = X509_REQ_new();
    X509_NAME* name = X509_NAME_new();
    std::string csr_pem;
    SecretString key_pem;
    bool ok = req && name &&
              X509_NAME_add_entry_by_txt(
                  name, "CN", MBSTRING_UTF8,
                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1 &&
              X509_REQ_set_subject_name(req, name) == 1 && X509_REQ_set_pubkey(req, pkey) == 1 &&
              X509_REQ_sign(req, pkey, EVP_sha256()) > 0;
    if (ok) {
        BIO* csr_bio = BIO_new(BIO_s_mem());
        BIO* key_bio = BIO_new(BIO_s_secmem());
        if (csr_bio && key_bio && PEM_write_bio_X509_REQ(csr_bio, req) == 1 &&
            PEM_write_bio_PrivateKey(key_bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
            char* data = nullptr;
            long n = BIO_get_mem_data(csr_bio, &data);
            csr_pem.assign(data, static_cast<std::size_t>(n));
            n = BIO_get_mem_data(key_bio, &data);
            key_pem = SecretString(std::string(data, static_cast<std::size_t>(n)));
        } else {
            ok = false;
        }
        BIO_free(csr_bio);
        BIO_free(key_bio);
    }
    X509_NAME_free(name);
    X509_REQ_free(req);
    EVP_PKEY_free(pkey);
    if (!ok)
        throw fail("CSR");
    return {csr_pem, std::move(key_pem)};
}

std::string sha256_base64(const std::vector<unsigned char>& bytes) {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return crypto::base64_encode(crypto::Bytes(md, md + len));
}

} // namespace

// ------------------------------------------------------------------ engine

struct SyncEngine::Impl {
    std::filesystem::path dir;
    std::string workstation_id;
    std::string user_name;
    SyncOptions options;
    Database db;
    std::mt19937_64 random{std::random_device{}()};

    // Watchdog state, shared with the watchdog thread.
    std::mutex mutex;
    std::condition_variable wake;
    std::chrono::steady_clock::time_point last_progress;
    bool running = false;
    std::atomic<bool> stalled{false};

    SyncProgress progress;
    SyncProgressFn on_progress;
    const std::atomic<bool>* cancel = nullptr;

    Impl(Session& session, SyncOptions o)
        : dir(session.paths().dir), workstation_id(session.workstation_id()),
          user_name(session.user().name), options(std::move(o)),
          db(Database::open(session.paths().database(), session.data_key(),
                            Database::Mode::OpenExisting)) {
        db.exec("PRAGMA busy_timeout = 10000");
    }

    void made_progress() {
        {
            std::lock_guard lock(mutex);
            last_progress = std::chrono::steady_clock::now();
        }
        if (on_progress)
            on_progress(progress);
    }
    bool cancelled() const { return cancel && cancel->load(); }

    std::unique_ptr<HttpClient> client(const SyncIdentity& id, SecretString key) {
        TlsMaterial tls{id.ca_pem, id.pin, id.client_cert_pem, std::move(key)};
        return std::make_unique<HttpClient>(id.server_url + "/v1", std::move(tls),
                                            options.connect_timeout, options.low_speed_time);
    }

    // ---- push

    struct Pending {
        std::string mutation_id, kind, entity_id, operation, payload, created_at;
        int attempts = 0;
    };

    std::vector<Pending> due_mutations() {
        std::vector<Pending> out;
        auto st = db.prepare("SELECT mutation_id, entity_kind, entity_id, operation, payload, "
                             "created_at, attempts FROM outbox WHERE state = 'pending' AND "
                             "(next_attempt_at IS NULL OR next_attempt_at <= ?) "
                             "ORDER BY created_at, rowid");
        st.bind(1, now_iso());
        while (st.step())
            out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                           static_cast<int>(st.int64(6))});
        return out;
    }

    struct BlobRef {
        std::string local_id, sha256, media_type;
        std::int64_t length = 0;
    };

    std::optional<BlobRef> blob_by_id(const std::string& id) {
        auto st = db.prepare("SELECT id, sha256, size, media_type FROM blobs WHERE id = ?");
        st.bind(1, id);
        if (!st.step())
            return std::nullopt;
        return BlobRef{st.text(0), st.text(1), st.text(3), st.int64(2)};
    }

    std::vector<BlobRef> blobs_of_case(const std::string& case_id) {
        std::vector<BlobRef> out;
        auto st = db.prepare(
            "SELECT b.id, b.sha256, b.size, b.media_type FROM blobs b WHERE b.id IN ("
            "SELECT blob_id FROM materials WHERE case_id = ? AND blob_id IS NOT NULL UNION "
            "SELECT blob_id FROM documents WHERE case_id = ?) ORDER BY b.sha256");
        st.bind(1, case_id).bind(2, case_id);
        while (st.step())
            out.push_back({st.text(0), st.text(1), st.text(3), st.int64(2)});
        return out;
    }

    bool blob_complete(const std::string& sha) {
        auto st = db.prepare("SELECT complete FROM sync_blob_uploads WHERE sha256 = ?");
        st.bind(1, sha);
        return st.step() && st.int64(0) == 1;
    }

    void record_blob(const BlobRef& blob, std::int64_t offset, bool complete) {
        db.prepare("INSERT OR IGNORE INTO sync_blob_uploads(sha256, length, updated_at) VALUES "
                   "(?, ?, ?)")
            .bind(1, blob.sha256)
            .bind(2, blob.length)
            .bind(3, now_iso())
            .run();
        db.prepare("UPDATE sync_blob_uploads SET confirmed_offset = ?, complete = ?, updated_at = "
                   "? WHERE sha256 = ?")
            .bind(1, offset)
            .bind(2, complete ? 1 : 0)
            .bind(3, now_iso())
            .bind(4, blob.sha256)
            .run();
    }

    std::int64_t server_offset(HttpClient& http, const BlobRef& blob) {
        auto r = http.request("HEAD", "/blobs/" + blob.local_id);
        auto it = r.headers.find("upload-offset");
        if (r.status >= 200 && r.status < 300 && it != r.headers.end())
            return std::stoll(it->second);
        if (r.status == 404)
            return -1;
        throw CoreError(ErrorCode::Network, N_("The server answered HTTP {status} for {what}."),
                        {{"status", std::to_string(r.status)}, {"what", "HEAD blob"}});
    }

    // Uploads one blob, resuming from the server's offset. Returns false when it must wait for a
    // later run (the error is in `error`); TLS problems propagate (fail closed, stop the run).
    // `network_only` is set when only the network failed (no answer from the server said no):
    // such an item backs off but never becomes a dead letter for it.
    bool upload_blob(HttpClient& http, const BlobRef& blob, SyncReport& report, std::string& error,
                     bool& network_only) {
        network_only = false;
        if (blob_complete(blob.sha256))
            return true;
        std::int64_t high_water = 0; // furthest offset this run has sent up to
        {
            auto st = db.prepare("SELECT sent_bytes FROM sync_blob_uploads WHERE sha256 = ?");
            st.bind(1, blob.sha256);
            if (st.step())
                high_water = st.int64(0); // what earlier (interrupted) runs sent
        }
        int failures = 0;
        std::int64_t offset = -1;
        while (true) {
            if (cancelled()) {
                error = "cancelled";
                return false;
            }
            try {
                if (offset < 0) {
                    auto created =
                        http.request("POST", "/blobs", {{"Content-Type", "application/json"}},
                                     json({{"blob_id", blob.local_id},
                                           {"length", blob.length},
                                           {"sha256", blob.sha256}})
                                         .dump());
                    if (created.status >= 300)
                        throw CoreError(ErrorCode::Network,
                                        N_("The server answered HTTP {status} for {what}."),
                                        {{"status", std::to_string(created.status)},
                                         {"what", "POST /blobs: " + created.body}});
                    offset = parse_body(created, "POST /blobs").value("offset", 0LL);
                    made_progress();
                }
                if (offset >= blob.length) {
                    record_blob(blob, blob.length, true);
                    ++report.blobs_uploaded;
                    return true;
                }
                std::size_t n = static_cast<std::size_t>(std::min<std::int64_t>(
                    static_cast<std::int64_t>(options.chunk_size), blob.length - offset));
                auto chunk = read_blob_range(db, dir, blob.local_id, offset, n);
                if (offset < high_water)
                    report.bytes_resent += std::min<std::int64_t>(high_water - offset, n);
                high_water = std::max<std::int64_t>(high_water, offset + n);
                db.prepare("INSERT OR IGNORE INTO sync_blob_uploads(sha256, length, updated_at) "
                           "VALUES (?, ?, ?)")
                    .bind(1, blob.sha256)
                    .bind(2, blob.length)
                    .bind(3, now_iso())
                    .run();
                db.prepare("UPDATE sync_blob_uploads SET sent_bytes = max(sent_bytes, ?) WHERE "
                           "sha256 = ?")
                    .bind(1, high_water)
                    .bind(2, blob.sha256)
                    .run();
                // bytes_uploaded counts what went to the socket, also of a chunk cut midway.
                const std::int64_t sent_before = http.body_bytes_sent();
                HttpResponse r;
                try {
                    r = http.request("PATCH", "/blobs/" + blob.local_id,
                                     {{"Content-Type", "application/offset+octet-stream"},
                                      {"Upload-Offset", std::to_string(offset)},
                                      {"Upload-Checksum", "sha256 " + sha256_base64(chunk)}},
                                     std::string_view(reinterpret_cast<const char*>(chunk.data()),
                                                      chunk.size()));
                } catch (...) {
                    wipe(chunk.data(), chunk.size());
                    report.bytes_uploaded += http.body_bytes_sent() - sent_before;
                    throw;
                }
                wipe(chunk.data(), chunk.size());
                report.bytes_uploaded += http.body_bytes_sent() - sent_before;
                if (r.status >= 200 && r.status < 300) {
                    auto it = r.headers.find("upload-offset");
                    offset = it != r.headers.end() ? std::stoll(it->second)
                                                   : offset + static_cast<std::int64_t>(n);
                    record_blob(blob, offset, offset >= blob.length);
                    progress.bytes_done += static_cast<std::int64_t>(n);
                    made_progress();
                    continue;
                }
                if (r.status == 409 || r.status == 460 || r.status >= 500 || r.status == 408 ||
                    r.status == 429) {
                    if (++failures > 5) {
                        error = "blob " + blob.sha256.substr(0, 12) + ": HTTP " +
                                std::to_string(r.status) + " " + r.body;
                        return false;
                    }
                    offset = server_offset(http, blob); // resume where the server is
                    continue;
                }
                error = "blob " + blob.sha256.substr(0, 12) + ": HTTP " + std::to_string(r.status) +
                        " " + r.body;
                return false;
            } catch (const CoreError& e) {
                if (e.code() != ErrorCode::Network || is_tls_error(e))
                    throw;
                if (++failures > 5) {
                    error = e.what();
                    network_only = true;
                    return false;
                }
                // The connection broke mid-chunk: ask the server how far it got.
                std::this_thread::sleep_for(std::chrono::milliseconds(200 * failures));
                try {
                    offset = server_offset(http, blob);
                } catch (const CoreError& again) {
                    if (is_tls_error(again))
                        throw;
                    offset = -1;
                }
            }
        }
    }

    static bool is_tls_error(const CoreError& e) {
        auto* transport = dynamic_cast<const sync_detail::TransportFailure*>(&e);
        return transport && transport->tls();
    }

    void backoff(const std::string& mutation_id, int attempts, const std::string& error,
                 SyncReport& report, bool may_dead_letter = true) {
        if (may_dead_letter && attempts >= options.backoff.max_attempts) {
            dead_letter(mutation_id, attempts, error, report);
            return;
        }
        auto next = std::chrono::system_clock::now() + options.backoff.delay(attempts, random);
        db.prepare("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE "
                   "mutation_id = ?")
            .bind(1, attempts)
            .bind(2, iso(next))
            .bind(3, error)
            .bind(4, mutation_id)
            .run();
        ++report.retried;
    }

    void dead_letter(const std::string& mutation_id, int attempts, const std::string& reason,
                     SyncReport& report) {
        db.prepare("UPDATE outbox SET state = 'dead', attempts = ?, last_error = ? WHERE "
                   "mutation_id = ?")
            .bind(1, attempts)
            .bind(2, reason)
            .bind(3, mutation_id)
            .run();
        db.prepare("INSERT OR REPLACE INTO sync_dead_letters(mutation_id, entity_kind, "
                   "entity_id, operation, attempts, reason, dead_at) SELECT mutation_id, "
                   "entity_kind, entity_id, operation, ?, ?, ? FROM outbox WHERE mutation_id = ?")
            .bind(1, attempts)
            .bind(2, reason)
            .bind(3, now_iso())
            .bind(4, mutation_id)
            .run();
        ++report.dead_lettered;
        report.failures.push_back(mutation_id + ": dead letter: " + reason);
        log::warn("sync: mutation {} is a dead letter after {} attempts: {}", mutation_id, attempts,
                  reason);
    }

    void apply_results(const std::vector<ItemResult>& results, SyncReport& report) {
        Transaction tx(db);
        for (const auto& r : results) {
            auto st = db.prepare(
                "SELECT attempts, entity_kind, entity_id FROM outbox WHERE mutation_id = ?");
            st.bind(1, r.mutation_id);
            if (!st.step())
                continue; // not ours (or dropped meanwhile)
            int attempts = static_cast<int>(st.int64(0)) + 1;
            std::string kind = st.text(1), entity = st.text(2);
            switch (r.status) {
            case ItemStatus::Applied:
                db.prepare("UPDATE outbox SET state = 'done', attempts = ?, last_error = NULL, "
                           "next_attempt_at = NULL WHERE mutation_id = ?")
                    .bind(1, attempts)
                    .bind(2, r.mutation_id)
                    .run();
                if (kind == "case" && r.revision)
                    db.prepare("UPDATE cases SET revision = ? WHERE id = ? AND revision < ?")
                        .bind(1, *r.revision)
                        .bind(2, entity)
                        .bind(3, *r.revision)
                        .run();
                ++report.applied;
                break;
            case ItemStatus::Conflict:
                db.prepare("UPDATE outbox SET state = 'conflict', attempts = ?, last_error = ? "
                           "WHERE mutation_id = ?")
                    .bind(1, attempts)
                    .bind(2, r.message)
                    .bind(3, r.mutation_id)
                    .run();
                ++report.conflicts;
                report.failures.push_back(r.mutation_id + ": conflict: " + r.message);
                break;
            case ItemStatus::Rejected:
                ++report.rejected;
                dead_letter(r.mutation_id, attempts, "rejected: " + r.message, report);
                break;
            case ItemStatus::Retry:
                backoff(r.mutation_id, attempts, r.message, report);
                break;
            }
        }
        tx.commit();
    }

    void push(HttpClient& http, SyncReport& report) {
        auto due = due_mutations();
        progress.phase = N_("Uploading documents");
        progress.items_total += static_cast<std::int64_t>(due.size());
        // Blobs first: a case is sent only once all of its blobs are complete on the server.
        std::vector<json> ready;
        std::vector<std::string> ready_ids;
        std::set<std::string> blocked_entities; // a failed item holds back its dependants only
        std::map<std::string, std::vector<BlobRef>> case_blobs;
        for (const auto& m : due)
            if (m.kind == "case" && m.operation == "create")
                for (const auto& b : case_blobs[m.entity_id] = blobs_of_case(m.entity_id))
                    if (!blob_complete(b.sha256))
                        progress.bytes_total += b.length;
        made_progress();
        for (const auto& m : due) {
            if (cancelled())
                break;
            if (blocked_entities.count(m.kind + "/" + m.entity_id))
                continue;
            json payload;
            try {
                payload = json::parse(m.payload);
            } catch (const json::exception&) {
                Transaction tx(db);
                dead_letter(m.mutation_id, m.attempts + 1, "the payload is not JSON", report);
                tx.commit();
                continue;
            }
            auto blobs = case_blobs.find(m.entity_id);
            if (m.kind == "case" && m.operation == "create" && blobs != case_blobs.end()) {
                std::string error;
                bool all = true, network_only = false;
                json refs = json::array();
                for (const auto& b : blobs->second) {
                    refs.push_back({{"blob_id", b.local_id},
                                    {"sha256", b.sha256},
                                    {"length", b.length},
                                    {"media_type", b.media_type}});
                    if (all && !upload_blob(http, b, report, error, network_only))
                        all = false;
                }
                if (!all) {
                    Transaction tx(db);
                    backoff(m.mutation_id, m.attempts + 1, error, report, !network_only);
                    tx.commit();
                    report.failures.push_back(m.mutation_id + ": " + error);
                    blocked_entities.insert(m.kind + "/" + m.entity_id);
                    continue;
                }
                payload["blobs"] = refs;
            }
            if (m.kind == "document" && m.operation == "create") {
                // A document (e.g. a sealed decision) after its blob, like a case after its own.
                std::string error = "the document's blob is not on this workstation";
                bool network_only = false;
                auto blob = blob_by_id(payload.value("blob_id", ""));
                if (!blob || !upload_blob(http, *blob, report, error, network_only)) {
                    Transaction tx(db);
                    backoff(m.mutation_id, m.attempts + 1, error, report, !network_only);
                    tx.commit();
                    report.failures.push_back(m.mutation_id + ": " + error);
                    blocked_entities.insert(m.kind + "/" + m.entity_id);
                    continue;
                }
            }
            json item = {{"mutation_id", m.mutation_id}, {"entity_kind", m.kind},
                         {"entity_id", m.entity_id},     {"operation", m.operation},
                         {"payload", payload},           {"created_at", m.created_at}};
            if (payload.contains("base_revision"))
                item["base_revision"] = payload["base_revision"];
            ready.push_back(std::move(item));
            ready_ids.push_back(m.kind + "/" + m.entity_id);
        }
        progress.phase = N_("Sending changes");
        made_progress();
        for (std::size_t start = 0; start < ready.size() && !cancelled();
             start += options.batch_size) {
            json batch = json::array();
            std::size_t end = std::min(ready.size(), start + options.batch_size);
            for (std::size_t i = start; i < end; ++i) {
                // An earlier mutation of the same entity did not go through: keep the order.
                if (blocked_entities.count(ready_ids[i]))
                    continue;
                batch.push_back(ready[i]);
            }
            if (batch.empty())
                continue;
            report.sent += static_cast<int>(batch.size());
            auto r = http.request("POST", "/mutations", {{"Content-Type", "application/json"}},
                                  json({{"mutations", batch}}).dump());
            std::vector<ItemResult> results;
            if (r.status == 200) {
                auto body = parse_body(r, "POST /mutations");
                for (const auto& item : body.value("results", json::array())) {
                    ItemResult res;
                    res.mutation_id = str(item, "mutation_id");
                    res.status = item_status_from_string(str(item, "status"));
                    res.message = str(item, "message");
                    if (item.contains("revision") && item["revision"].is_number_integer())
                        res.revision = item["revision"].get<std::int64_t>();
                    results.push_back(std::move(res));
                }
            } else {
                // The whole batch failed: every item waits and counts an attempt.
                for (const auto& item : batch)
                    results.push_back(
                        {item["mutation_id"].get<std::string>(), ItemStatus::Retry,
                         "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200),
                         std::nullopt});
            }
            std::set<std::string> answered;
            for (const auto& res : results) {
                answered.insert(res.mutation_id);
                if (res.status != ItemStatus::Applied)
                    for (std::size_t i = start; i < end; ++i)
                        if (ready[i]["mutation_id"] == res.mutation_id)
                            blocked_entities.insert(ready_ids[i]);
            }
            for (const auto& item : batch) // no answer for an item: try it again later
                if (!answered.count(item["mutation_id"].get<std::string>()))
                    results.push_back({item["mutation_id"].get<std::string>(), ItemStatus::Retry,
                                       "no result from the server", std::nullopt});
            apply_results(results, report);
            progress.items_done += static_cast<std::int64_t>(batch.size());
            made_progress();
        }
    }

    // ---- pull

    // A record as received: its data parsed once, straight from the page's body.
    struct Incoming {
        std::string kind, id, op;
        json data;
    };

    void upsert_case(const Incoming& rec, const json& data) {
        std::int64_t revision = data.value("revision", 0LL);
        std::string state = str(data, "state");
        auto pending = db.prepare("SELECT count(*) FROM outbox WHERE entity_kind = 'case' AND "
                                  "entity_id = ? AND state = 'pending'");
        pending.bind(1, rec.id);
        pending.step();
        if (pending.int64(0) > 0)
            return; // our own change is on its way; the server's answer decides
        auto exists = db.prepare("SELECT revision FROM cases WHERE id = ?");
        exists.bind(1, rec.id);
        if (exists.step()) {
            if (rec.op == "delete" || state.empty())
                return; // legal records are never deleted locally
            db.prepare("UPDATE cases SET state = ?, revision = ?, updated_at = ? WHERE id = ? AND "
                       "revision <= ?")
                .bind(1, state)
                .bind(2, revision)
                .bind(3, now_iso())
                .bind(4, rec.id)
                .bind(5, revision)
                .run();
            return;
        }
        if (rec.op == "delete")
            return;
        // A case taken in on another workstation (an officer decides it here).
        json payload = data.contains("case") && data["case"].is_object() ? data["case"] : data;
        json applicant = payload.value("applicant", json::object());
        std::string clerk = str(payload, "received_by");
        std::string placeholder = "remote:" + (clerk.empty() ? std::string("unknown") : clerk);
        db.prepare("INSERT OR IGNORE INTO users(name, display_name, role, active, created_at) "
                   "VALUES (?, ?, 'clerk', 0, ?)")
            .bind(1, placeholder)
            .bind(2, clerk)
            .bind(3, now_iso())
            .run();
        auto user = db.prepare("SELECT id FROM users WHERE name = ?");
        user.bind(1, placeholder);
        user.step();
        std::int64_t user_id = user.int64(0);
        db.prepare("INSERT OR IGNORE INTO cases(id, case_number, applicant_kind, applicant_id, "
                   "applicant_name, items, catalog_version, form_data, state, note, received_by, "
                   "received_at, promised_date, revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, rec.id)
            .bind(2, str(payload, "case_number"))
            .bind(3, applicant.value("kind", "person"))
            .bind(4, str(applicant, "id"))
            .bind(5, str(applicant, "name"))
            .bind(6, payload.value("items", json::array()).dump())
            .bind(7, str(payload, "catalog_version"))
            .bind(8, payload.value("form", json::object()).dump())
            .bind(9, state.empty() ? str(payload, "state") : state)
            .bind(10, str(payload, "note"))
            .bind(11, user_id)
            .bind(12, str(payload, "received_at"))
            .bind(13, str(payload, "promised_date"))
            .bind(14, revision > 0 ? revision : 1)
            .bind(15, now_iso())
            .run();
    }

    struct Statements {
        std::optional<Statement> person, entity, license, record, del_person, del_entity,
            del_license, del_record;
    };

    void apply_record(Statements& s, const Incoming& rec) {
        const json& data = rec.data;
        const bool del = rec.op == "delete";
        auto run = [](std::optional<Statement>& st) {
            st->run();
            st->reset();
        };
        if (rec.kind == "person") {
            if (del) {
                s.del_person->bind(1, rec.id);
                return run(s.del_person);
            }
            auto& st = s.person;
            st->bind(1, rec.id).bind(2, str(data, "name")).bind(3, str(data, "gender"));
            st->bind(4, str(data, "birth_date")).bind(5, str(data, "address"));
            st->bind(6, str(data, "phone")).bind(7, data.value("source", std::string("server")));
            st->bind(8, str(data, "updated_at"));
            return run(st);
        }
        if (rec.kind == "entity") {
            if (del) {
                s.del_entity->bind(1, rec.id);
                return run(s.del_entity);
            }
            auto& st = s.entity;
            st->bind(1, rec.id).bind(2, str(data, "name")).bind(3, str(data, "kind"));
            st->bind(4, str(data, "legal_representative")).bind(5, str(data, "address"));
            st->bind(6, str(data, "established"));
            st->bind(7, data.value("source", std::string("server")));
            st->bind(8, str(data, "updated_at"));
            return run(st);
        }
        if (rec.kind == "license") {
            if (del) {
                s.del_license->bind(1, rec.id);
                return run(s.del_license);
            }
            auto& st = s.license;
            st->bind(1, rec.id).bind(2, str(data, "type_code")).bind(3, str(data, "type_name"));
            st->bind(4, str(data, "holder_id")).bind(5, str(data, "holder_name"));
            st->bind(6, str(data, "issuer")).bind(7, str(data, "issue_date"));
            st->bind(8, str(data, "valid_until"));
            st->bind(9, data.contains("face_data") ? data["face_data"].dump() : "{}");
            std::string signature = str(data, "issuer_signature");
            crypto::Bytes sig;
            try {
                if (!signature.empty())
                    sig = crypto::base64_decode(signature);
            } catch (const CoreError&) {
            }
            if (sig.empty())
                st->bind_null(10);
            else
                st->bind_blob(10, sig.data(), sig.size());
            st->bind(11, data.value("source", std::string("server")));
            st->bind(12, str(data, "updated_at"));
            return run(st);
        }
        if (rec.kind == "case")
            return upsert_case(rec, data);
        // catalog, calendar, user and kinds this version does not know: kept verbatim.
        if (del) {
            s.del_record->bind(1, rec.kind).bind(2, rec.id);
            return run(s.del_record);
        }
        s.record->bind(1, rec.kind).bind(2, rec.id).bind(3, data.dump()).bind(4, now_iso());
        run(s.record);
    }

    void apply_page(const std::string& cursor_kind, const std::string& phase,
                    const std::string& position, const std::vector<Incoming>& records,
                    SyncReport* report) {
        Transaction tx(db);
        Statements s;
        s.person.emplace(db.prepare(
            "INSERT OR REPLACE INTO persons(id_number, name, gender, birth_date, address, phone, "
            "source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        s.entity.emplace(db.prepare(
            "INSERT OR REPLACE INTO entities(uscc, name, kind, legal_representative, address, "
            "established, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        s.license.emplace(db.prepare(
            "INSERT OR REPLACE INTO licenses(license_id, type_code, type_name, holder_id, "
            "holder_name, issuer, issue_date, valid_until, face_data, issuer_signature, source, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        s.record.emplace(db.prepare("INSERT OR REPLACE INTO sync_records(kind, id, data, deleted, "
                                    "updated_at) VALUES (?, ?, ?, 0, ?)"));
        s.del_person.emplace(db.prepare("DELETE FROM persons WHERE id_number = ?"));
        s.del_entity.emplace(db.prepare("DELETE FROM entities WHERE uscc = ?"));
        s.del_license.emplace(db.prepare("DELETE FROM licenses WHERE license_id = ?"));
        s.del_record.emplace(db.prepare("DELETE FROM sync_records WHERE kind = ? AND id = ?"));
        for (const auto& rec : records) {
            apply_record(s, rec);
            if (report)
                ++report->received[rec.kind];
        }
        db.prepare("INSERT OR REPLACE INTO sync_cursors(kind, phase, position, updated_at) VALUES "
                   "(?, ?, ?, ?)")
            .bind(1, cursor_kind)
            .bind(2, phase)
            .bind(3, position)
            .bind(4, now_iso())
            .run();
        tx.commit();
    }

    std::optional<std::string> cursor(const std::string& kind, std::string* phase = nullptr) {
        auto st = db.prepare("SELECT position, phase FROM sync_cursors WHERE kind = ?");
        st.bind(1, kind);
        if (!st.step())
            return std::nullopt;
        if (phase)
            *phase = st.text(1);
        return st.text(0);
    }

    static std::string query_escape(const std::string& s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
        return out;
    }

    static Incoming record_from(json& c, const std::string& default_kind) {
        Incoming rec;
        rec.kind = c.contains("kind") ? str(c, "kind") : default_kind;
        rec.id = str(c, "id");
        rec.op = c.contains("op") ? str(c, "op") : "upsert";
        if (auto it = c.find("data"); it != c.end() && it->is_object())
            rec.data = std::move(*it);
        else
            rec.data = json::object();
        return rec;
    }

    struct SecondaryIndex {
        const char* kind;
        const char* table;
        const char* name;
        const char* create;
    };
    static const SecondaryIndex* secondary_index(const std::string& kind) {
        static const SecondaryIndex indexes[] = {
            {"person", "persons", "persons_by_name",
             "CREATE INDEX IF NOT EXISTS persons_by_name ON persons(name)"},
            {"entity", "entities", "entities_by_name",
             "CREATE INDEX IF NOT EXISTS entities_by_name ON entities(name)"},
            {"license", "licenses", "licenses_by_holder",
             "CREATE INDEX IF NOT EXISTS licenses_by_holder ON licenses(holder_id)"}};
        for (const auto& i : indexes)
            if (kind == i.kind)
                return &i;
        return nullptr;
    }
    void ensure_indexes() {
        for (const char* kind : {"person", "entity", "license"})
            db.exec(secondary_index(kind)->create);
    }
    bool table_empty(const char* table) {
        auto st = db.prepare(std::string("SELECT NOT EXISTS (SELECT 1 FROM ") + table + ")");
        st.step();
        return st.int64(0) == 1;
    }

    void pull(HttpClient& http, SyncReport& report) {
        ensure_indexes(); // a bootstrap interrupted before its index was rebuilt
        progress.phase = N_("Receiving changes");
        made_progress();
        // Bootstrap: snapshots of the server-owned kinds, each page with its position.
        std::string phase;
        if (!cursor("changes")) {
            std::string start_cursor;
            for (const auto& kind : kSnapshotKinds) {
                std::string kind_phase;
                auto after = cursor("snapshot:" + kind, &kind_phase);
                if (after && kind_phase == "done")
                    continue;
                std::string key = after.value_or("");
                // Into an empty table the secondary index is built once at the end (one sort
                // instead of scattered inserts; person_import.cpp does the same).
                const SecondaryIndex* index = secondary_index(kind);
                if (index && !after && table_empty(index->table))
                    db.exec(std::string("DROP INDEX IF EXISTS ") + index->name);
                using clock = std::chrono::steady_clock;
                std::chrono::duration<double> fetch{0}, parse{0}, apply{0};
                std::size_t count = 0;
                // The next page is fetched and parsed on a second thread while this one is
                // applied (the HTTP client is used by one thread at a time).
                struct Page {
                    std::vector<Incoming> records;
                    bool more = false;
                    std::string next, cursor;
                };
                auto fetch_page = [&, kind](std::string from) {
                    auto t0 = clock::now();
                    auto r = http.request("GET", "/snapshot?kind=" + kind +
                                                     "&after=" + query_escape(from) +
                                                     "&limit=" + std::to_string(options.page_size));
                    auto t1 = clock::now();
                    fetch += t1 - t0;
                    if (r.status != 200)
                        throw CoreError(ErrorCode::Network,
                                        N_("The server answered HTTP {status} for {what}."),
                                        {{"status", std::to_string(r.status)},
                                         {"what", "snapshot " + kind + ": " + r.body}});
                    auto body = parse_body(r, "GET /snapshot");
                    Page page;
                    if (auto it = body.find("records"); it != body.end() && it->is_array())
                        for (auto& item : *it)
                            page.records.push_back(record_from(item, kind));
                    page.cursor = str(body, "cursor");
                    page.more = body.value("has_more", false);
                    page.next = str(body, "next_after");
                    if (page.next.empty() && !page.records.empty())
                        page.next = page.records.back().id;
                    parse += clock::now() - t1;
                    return page;
                };
                auto next = std::async(std::launch::async, fetch_page, key);
                while (true) {
                    Page page = next.get();
                    if (start_cursor.empty())
                        start_cursor = page.cursor;
                    if (page.more && !cancelled())
                        next = std::async(std::launch::async, fetch_page, page.next);
                    auto t2 = clock::now();
                    apply_page("snapshot:" + kind, page.more ? "running" : "done", page.next,
                               page.records, &report);
                    apply += clock::now() - t2;
                    count += page.records.size();
                    progress.items_done += static_cast<std::int64_t>(page.records.size());
                    made_progress();
                    if (!page.more || cancelled())
                        break;
                }
                auto t3 = clock::now();
                ensure_indexes();
                log::info("sync: snapshot {}: {} records; fetch {:.2f} s, parse {:.2f} s, apply "
                          "{:.2f} s, index {:.2f} s",
                          kind, count, fetch.count(), parse.count(), apply.count(),
                          std::chrono::duration<double>(clock::now() - t3).count());
            }
            if (cancelled())
                return;
            // Deltas continue from the position the first snapshot page was taken at (the
            // snapshot records are re-applied harmlessly if they change meanwhile).
            apply_page("changes", "delta", start_cursor, {}, nullptr);
        }
        std::string position = cursor("changes").value_or("0");
        if (position.empty())
            position = "0";
        while (!cancelled()) {
            auto r = http.request("GET", "/changes?cursor=" + query_escape(position) +
                                             "&limit=" + std::to_string(options.page_size));
            if (r.status != 200)
                throw CoreError(
                    ErrorCode::Network, N_("The server answered HTTP {status} for {what}."),
                    {{"status", std::to_string(r.status)}, {"what", "changes: " + r.body}});
            auto body = parse_body(r, "GET /changes");
            std::vector<Incoming> records;
            if (auto it = body.find("changes"); it != body.end() && it->is_array())
                for (auto& item : *it)
                    records.push_back(record_from(item, ""));
            std::string next = str(body, "next_cursor");
            if (next.empty())
                next = position;
            apply_page("changes", "delta", next, records, &report);
            progress.items_done += static_cast<std::int64_t>(records.size());
            made_progress();
            bool more = body.value("has_more", false);
            if (!more || next == position)
                break;
            position = next;
        }
    }

    // ---- watchdog

    void watchdog_loop() {
        std::unique_lock lock(mutex);
        while (running) {
            wake.wait_for(lock, std::chrono::seconds(1));
            if (!running)
                break;
            auto idle = std::chrono::steady_clock::now() - last_progress;
            if (idle > options.watchdog && !stalled) {
                stalled = true;
                log::warn("sync: no progress for {} s; the run is stuck (server slow or the "
                          "network stalled)",
                          std::chrono::duration_cast<std::chrono::seconds>(idle).count());
                SyncProgress p = progress;
                p.phase = N_("Sync is stuck: no progress");
                lock.unlock();
                if (on_progress)
                    on_progress(p);
                lock.lock();
            }
        }
    }
};

SyncOptions SyncOptions::configured() {
    SyncOptions options;
    const auto& config = SystemConfig::installed();
    const int timeout = std::clamp(
        config.get_int("server.timeout", static_cast<int>(options.connect_timeout.count())), 1,
        300);
    options.connect_timeout = std::chrono::seconds(timeout);
    options.low_speed_time = std::chrono::seconds(std::max(timeout, 30));
    const int chunk_kib = std::clamp(
        config.get_int("server.chunk_kib", static_cast<int>(options.chunk_size >> 10)), 64, 16384);
    options.chunk_size = static_cast<std::size_t>(chunk_kib) << 10;
    return options;
}

SyncEngine::SyncEngine(Session& session, SyncOptions options) {
    session.require(Permission::Sync);
    impl_ = std::make_unique<Impl>(session, std::move(options));
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::configure(Session& session, const std::string& server_url,
                           const std::string& ca_pem, const std::string& pin) {
    session.require(Permission::ChangeSettings);
    if (server_url.rfind("https://", 0) != 0)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The server address must start with https:// ({server})."),
                        {{"server", server_url}});
    if (ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The CA certificate must be a PEM file (-----BEGIN CERTIFICATE-----)."));
    if (!pin.empty() && pin.rfind("sha256//", 0) != 0)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("A server key pin looks like sha256//BASE64."));
    std::string url = server_url;
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    if (url.size() > 3 && url.compare(url.size() - 3, 3, "/v1") == 0)
        url.resize(url.size() - 3);
    auto& db = session.db();
    Transaction tx(db);
    auto previous = load_identity(db, nullptr);
    // The same CA is the same service center (maybe under another address): keep the identity.
    bool same_server = previous && previous->ca_pem == ca_pem;
    db.prepare("INSERT OR IGNORE INTO sync_identity(id, server_url, ca_pem) VALUES (1, ?, ?)")
        .bind(1, url)
        .bind(2, ca_pem)
        .run();
    db.prepare("UPDATE sync_identity SET server_url = ?, ca_pem = ?, pin = ? WHERE id = 1")
        .bind(1, url)
        .bind(2, ca_pem)
        .bind(3, pin)
        .run();
    if (!same_server) // another service center: its certificate and cursors mean nothing here
        db.exec("UPDATE sync_identity SET workstation_id = '', client_cert_pem = '', "
                "client_key_pem = NULL, enrolled_at = NULL WHERE id = 1; "
                "DELETE FROM sync_cursors; DELETE FROM sync_blob_uploads;");
    session.audit().append(session.user().name, "sync.configure", url,
                           json({{"pin", !pin.empty()}}).dump());
    tx.commit();
}

std::optional<SyncIdentity> SyncEngine::identity(Session& session) {
    return load_identity(session.db(), nullptr);
}

std::string SyncEngine::enroll(Session& session, const std::string& code,
                               const SyncOptions& options) {
    session.require(Permission::ChangeSettings);
    auto id = load_identity(session.db(), nullptr);
    if (!id)
        not_configured();
    if (code.empty())
        throw CoreError(ErrorCode::InvalidArgument, N_("Type the one-time enrolment code."));
    auto [csr, key] = make_key_and_csr(session.workstation_id());
    HttpClient http(id->server_url + "/v1", TlsMaterial{id->ca_pem, id->pin, "", SecretString()},
                    options.connect_timeout, options.low_speed_time);
    auto r = http.request("POST", "/enroll", {{"Content-Type", "application/json"}},
                          json({{"code", code}, {"csr", csr}}).dump());
    if (r.status != 200 && r.status != 201) {
        std::string message;
        try {
            message = str(json::parse(r.body), "message");
            if (message.empty())
                message = str(json::parse(r.body), "error");
        } catch (const json::exception&) {
            message = r.body.substr(0, 200);
        }
        throw CoreError(ErrorCode::Network,
                        N_("The server refused the enrolment (HTTP {status}: {message}). Ask for "
                           "a new one-time code."),
                        {{"status", std::to_string(r.status)}, {"message", message}});
    }
    auto body = parse_body(r, "POST /enroll");
    std::string workstation_id = str(body, "workstation_id");
    std::string certificate = str(body, "certificate");
    if (certificate.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        throw CoreError(ErrorCode::Network, N_("The server sent no certificate for this "
                                               "workstation."));
    auto& db = session.db();
    Transaction tx(db);
    db.prepare("UPDATE sync_identity SET workstation_id = ?, client_cert_pem = ?, "
               "client_key_pem = ?, enrolled_at = ? WHERE id = 1")
        .bind(1, workstation_id)
        .bind(2, certificate)
        .bind_blob(3, key.view().data(), key.size())
        .bind(4, now_iso())
        .run();
    session.audit().append(session.user().name, "sync.enroll", id->server_url,
                           json({{"workstation_id", workstation_id}}).dump());
    tx.commit();
    log::info("sync: enrolled at {} as {}", id->server_url, workstation_id);
    return workstation_id;
}

SyncReport SyncEngine::run(const SyncProgressFn& progress, const std::atomic<bool>* cancel) {
    auto& impl = *impl_;
    SyncReport report;
    SecretString key;
    auto id = load_identity(impl.db, &key);
    if (!id)
        not_configured();
    if (!id->enrolled())
        throw CoreError(ErrorCode::NotInitialised,
                        N_("This workstation is not enrolled with the server {server}. An "
                           "administrator enrols it with a one-time code in the Sync area."),
                        {{"server", id->server_url}});
    impl.progress = {};
    impl.on_progress = progress;
    impl.cancel = cancel;
    impl.stalled = false;
    {
        std::lock_guard lock(impl.mutex);
        impl.running = true;
        impl.last_progress = std::chrono::steady_clock::now();
    }
    std::thread watchdog([&impl] { impl.watchdog_loop(); });
    auto stop_watchdog = [&] {
        {
            std::lock_guard lock(impl.mutex);
            impl.running = false;
        }
        impl.wake.notify_all();
        if (watchdog.joinable())
            watchdog.join();
    };
    try {
        auto http = impl.client(*id, std::move(key));
        impl.push(*http, report);
        impl.pull(*http, report);
    } catch (const CoreError& e) {
        stop_watchdog();
        report.error = e.what();
        set_status(impl.db, false, e.what(), false);
        log::warn("sync: run stopped: {}", e.what());
        throw;
    } catch (...) {
        stop_watchdog();
        throw;
    }
    stop_watchdog();
    report.stalled = impl.stalled;
    auto st = impl.db.prepare("SELECT count(*) FROM outbox WHERE state = 'pending'");
    st.step();
    report.pending_after = st.int64(0);
    set_status(impl.db, true, report.stalled ? "stalled" : "", true);
    log::info("sync: sent {} applied {} conflicts {} dead {} blobs {} bytes {} pending {}",
              report.sent, report.applied, report.conflicts, report.dead_lettered,
              report.blobs_uploaded, report.bytes_uploaded, report.pending_after);
    return report;
}

void SyncEngine::apply_page(const std::string& cursor_kind, const std::string& phase,
                            const std::string& position, const std::vector<ServerRecord>& records) {
    std::vector<Impl::Incoming> incoming;
    for (const auto& r : records) {
        json data = json::object();
        try {
            if (!r.data_json.empty())
                data = json::parse(r.data_json);
        } catch (const json::exception&) {
            log::warn("sync: a {} record has no JSON data; skipped",
                      r.kind); // its id may be an ID number
            continue;
        }
        incoming.push_back({r.kind, r.id, r.op, std::move(data)});
    }
    impl_->apply_page(cursor_kind, phase, position, incoming, nullptr);
}

void SyncEngine::apply_results(const std::vector<ItemResult>& results, SyncReport& report) {
    impl_->apply_results(results, report);
}

std::optional<std::string> SyncEngine::cursor(const std::string& kind, std::string* phase) {
    return impl_->cursor(kind, phase);
}

// ------------------------------------------------------------------ outbox admin, status

std::vector<OutboxEntry> OutboxAdmin::list() {
    session_.require(Permission::Sync);
    std::vector<OutboxEntry> out;
    auto st = session_.db().prepare(
        "SELECT mutation_id, entity_kind, entity_id, operation, state, attempts, "
        "coalesce(next_attempt_at, ''), coalesce(last_error, ''), created_at FROM outbox WHERE "
        "state <> 'done' ORDER BY created_at, rowid");
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4),
                       static_cast<int>(st.int64(5)), st.text(6), st.text(7), st.text(8)});
    return out;
}

std::int64_t OutboxAdmin::pending() {
    auto st = session_.db().prepare("SELECT count(*) FROM outbox WHERE state = 'pending'");
    st.step();
    return st.int64(0);
}

namespace {
std::string require_entry(Database& db, const std::string& mutation_id) {
    auto st = db.prepare("SELECT state FROM outbox WHERE mutation_id = ?");
    st.bind(1, mutation_id);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("There is no outbox item {id}."),
                        {{"id", mutation_id}});
    return st.text(0);
}
} // namespace

void OutboxAdmin::retry(const std::string& mutation_id) {
    session_.require(Permission::Sync);
    auto& db = session_.db();
    Transaction tx(db);
    if (require_entry(db, mutation_id) == "done")
        throw CoreError(ErrorCode::Conflict, N_("Outbox item {id} was already applied."),
                        {{"id", mutation_id}});
    db.prepare("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL WHERE "
               "mutation_id = ?")
        .bind(1, mutation_id)
        .run();
    db.prepare("DELETE FROM sync_dead_letters WHERE mutation_id = ?").bind(1, mutation_id).run();
    session_.audit().append(session_.user().name, "sync.outbox.retry", mutation_id, "{}");
    tx.commit();
}

void OutboxAdmin::drop(const std::string& mutation_id) {
    session_.require(Permission::ManageUsers); // administrators only
    auto& db = session_.db();
    Transaction tx(db);
    require_entry(db, mutation_id);
    auto st = db.prepare("SELECT entity_kind, entity_id, operation, payload FROM outbox WHERE "
                         "mutation_id = ?");
    st.bind(1, mutation_id);
    st.step();
    json details = {{"entity_kind", st.text(0)},
                    {"entity_id", st.text(1)},
                    {"operation", st.text(2)},
                    {"payload_sha256", crypto::sha256_hex(st.text(3))}};
    db.prepare("DELETE FROM outbox WHERE mutation_id = ?").bind(1, mutation_id).run();
    db.prepare("DELETE FROM sync_dead_letters WHERE mutation_id = ?").bind(1, mutation_id).run();
    session_.audit().append(session_.user().name, "sync.outbox.drop", mutation_id, details.dump());
    tx.commit();
    log::warn("sync: outbox item {} dropped by {}", mutation_id, session_.user().name);
}

SyncStatus read_sync_status(Session& session) {
    SyncStatus s;
    auto& db = session.db();
    if (auto id = load_identity(db, nullptr)) {
        s.configured = true;
        s.enrolled = id->enrolled();
        s.server_url = id->server_url;
        s.workstation_id = id->workstation_id;
    }
    auto counts = db.prepare("SELECT coalesce(sum(state = 'pending'), 0), "
                             "coalesce(sum(state = 'conflict'), 0), "
                             "coalesce(sum(state = 'dead'), 0) FROM outbox");
    counts.step();
    s.pending = counts.int64(0);
    s.conflicts = counts.int64(1);
    s.dead = counts.int64(2);
    auto st = db.prepare("SELECT online, coalesce(last_success_at, ''), last_error FROM "
                         "sync_status WHERE id = 1");
    if (st.step()) {
        s.online = st.int64(0) == 1;
        s.last_success_at = st.text(1);
        s.last_error = st.text(2);
    }
    return s;
}

} // namespace ow::core
