// Sync with the service center's server (docs/sync-protocol.md): push the transactional outbox
// (blobs first, resumable in chunks; then mutation batches with per-item results), pull the
// server's changes (snapshot bootstrap, then deltas from a cursor, each page applied together with
// its cursor in one local transaction). HTTPS with mutual TLS through libcurl; the workstation's
// private key lives only in the encrypted cache and is handed to curl from memory.
// wx-free: the GUI runs SyncEngine::run on a worker thread and shows SyncPresenter's state.
#pragma once

#include "ow/core/database.h"
#include "ow/core/secret.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ow::core {

class Session;

// --- Pure policy, unit-tested on its own -------------------------------------------------------

// Full-jitter exponential backoff: a random delay in [0, min(cap, base * 2^(attempt-1))].
struct BackoffPolicy {
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds cap{5 * 60 * 1000};
    int max_attempts = 8; // after this many failed attempts an item becomes a dead letter
    std::chrono::milliseconds delay(int attempt, std::mt19937_64& random) const;
    // The upper bound of delay(attempt) (no jitter): for tests and the GUI's "next try".
    std::chrono::milliseconds ceiling(int attempt) const;
};

// What the server said about one mutation.
enum class ItemStatus { Applied, Conflict, Rejected, Retry };
ItemStatus item_status_from_string(const std::string& text); // unknown → Retry

struct ItemResult {
    std::string mutation_id;
    ItemStatus status = ItemStatus::Retry;
    std::string message;
    std::optional<std::int64_t> revision;
};

// One change or snapshot record from the server.
struct ServerRecord {
    std::string kind;
    std::string id;
    std::string op; // "upsert" or "delete"
    std::string data_json;
};

// --- Configuration and identity ----------------------------------------------------------------

struct SyncIdentity {
    std::string server_url; // https://host:port (the /v1 prefix is added by the engine)
    std::string ca_pem;     // the server's CA certificate(s)
    std::string pin;        // optional "sha256//BASE64" of the server key's SPKI
    std::string workstation_id;
    std::string client_cert_pem;
    bool enrolled() const { return !client_cert_pem.empty(); }
};

struct SyncOptions {
    std::size_t chunk_size = 4 << 20; // blob upload chunk
    std::size_t batch_size = 50;      // mutations per request
    std::size_t page_size = 10000;    // records per pull page
    BackoffPolicy backoff;
    std::chrono::seconds watchdog{60}; // no progress for this long → reported as stalled
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds low_speed_time{30}; // abort a transfer below 1 byte/s for this long

    // The defaults, with what IT set in the installed onewindow.conf: server.timeout (seconds,
    // 1–300: connecting, and a transfer stalled at under 1 byte/s) and server.chunk_kib (the blob
    // upload chunk, 64–16384 KiB: smaller chunks resend less on a link that keeps dropping).
    // Values outside those ranges are clamped.
    static SyncOptions configured();
};

// Progress of a run: items (mutations + records) and bytes (blob uploads).
struct SyncProgress {
    std::string phase; // msgid: "Uploading documents", "Sending changes", "Receiving changes"
    std::int64_t items_done = 0, items_total = 0;
    std::int64_t bytes_done = 0, bytes_total = 0;
};

struct SyncReport {
    int sent = 0, applied = 0, conflicts = 0, rejected = 0, retried = 0, dead_lettered = 0;
    int blobs_uploaded = 0;
    std::int64_t bytes_uploaded = 0;
    std::int64_t bytes_resent = 0;       // bytes sent again after an interruption
    std::map<std::string, int> received; // kind → records applied
    std::vector<std::string> failures;   // one line per item that failed in this run
    std::string error;                   // why the run stopped early ("" = it completed)
    bool stalled = false;                // the watchdog fired
    std::int64_t pending_after = 0;
    // Everything this run had to send got an answer: nothing waits for a retry.
    bool ok() const { return error.empty() && failures.empty() && !stalled && retried == 0; }
};

using SyncProgressFn = std::function<void(const SyncProgress&)>;

// One row of the outbox or the dead-letter list, for the CLI and the GUI.
struct OutboxEntry {
    std::string mutation_id;
    std::string entity_kind, entity_id, operation;
    std::string state; // pending, conflict, dead, done
    int attempts = 0;
    std::string next_attempt_at;
    std::string last_error;
    std::string created_at;
};

// The outbox as people see it: list, retry, drop (admin, audited).
class OutboxAdmin {
public:
    explicit OutboxAdmin(Session& session) : session_(session) {}
    // Everything not yet applied: pending, conflict and dead letters, oldest first.
    std::vector<OutboxEntry> list();
    std::int64_t pending();
    // Sends the item again at the next run (clears its backoff and moves a dead letter back).
    void retry(const std::string& mutation_id);
    // Admin only: removes the item without sending it; audited with its payload's hash.
    void drop(const std::string& mutation_id);

private:
    Session& session_;
};

class SyncEngine {
public:
    // Requires Permission::Sync. Opens its own connection to the cache, so run() may be called on
    // a worker thread while the session keeps serving the GUI.
    explicit SyncEngine(Session& session, SyncOptions options = {});
    ~SyncEngine();
    SyncEngine(const SyncEngine&) = delete;
    SyncEngine& operator=(const SyncEngine&) = delete;

    // Admin (ChangeSettings): the server URL, its CA certificate (PEM) and an optional pin.
    static void configure(Session& session, const std::string& server_url,
                          const std::string& ca_pem, const std::string& pin = "");
    static std::optional<SyncIdentity> identity(Session& session);
    // Admin: generates a key pair and CSR, POSTs /v1/enroll with the one-time code, stores the
    // certificate and the key (in the encrypted cache only). Returns the workstation id.
    static std::string enroll(Session& session, const std::string& code,
                              const SyncOptions& options = {});

    // One run: push, then pull. Never throws for item failures (they are in the report); throws
    // CoreError(Network) when the server cannot be reached safely (TLS refused, unreachable)
    // after recording the error in sync_status. `cancel` stops between requests.
    SyncReport run(const SyncProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);

    // Applies one page of server records and its cursor in one transaction (public for tests).
    void apply_page(const std::string& cursor_kind, const std::string& phase,
                    const std::string& position, const std::vector<ServerRecord>& records);
    // Applies per-item results of a batch to the outbox (public for tests).
    void apply_results(const std::vector<ItemResult>& results, SyncReport& report);
    std::optional<std::string> cursor(const std::string& kind, std::string* phase = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Status of sync for the status bar and the Sync area (read from the cache, cheap).
struct SyncStatus {
    bool configured = false, enrolled = false, online = false;
    std::int64_t pending = 0, conflicts = 0, dead = 0;
    std::string last_success_at, last_error, server_url, workstation_id;
};
SyncStatus read_sync_status(Session& session);

} // namespace ow::core
