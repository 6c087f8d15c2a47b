// SQLite backend of Storage: WAL, synchronous=FULL, a pool of connections (one per open
// transaction), write transactions with BEGIN IMMEDIATE. Plain libsqlite3 (the server keeps no
// personal data on workstations; its disk is the service center's, protected by the host).
#include "storage.h"

#include <condition_variable>
#include <deque>
#include <sqlite3.h>
#include <unordered_map>

namespace ow::server {

std::int64_t Row::int64(std::size_t i) const {
    const auto& v = values_.at(i);
    if (const auto* n = std::get_if<std::int64_t>(&v))
        return *n;
    if (const auto* s = std::get_if<std::string>(&v))
        return std::stoll(*s);
    return 0;
}

const std::string& Row::text(std::size_t i) const {
    static const std::string empty;
    const auto& v = values_.at(i);
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    return empty;
}

std::optional<Row> Transaction::query_one(std::string_view sql, const Params& params) {
    std::optional<Row> out;
    query(sql, params, [&](const Row& r) {
        if (!out)
            out = r;
    });
    return out;
}

std::vector<Row> Transaction::query_all(std::string_view sql, const Params& params) {
    std::vector<Row> out;
    query(sql, params, [&](const Row& r) { out.push_back(r); });
    return out;
}

void ChangeSequencer::reset(std::int64_t last_used) {
    std::lock_guard lock(mutex_);
    next_ = last_used + 1;
    held_.clear();
}

std::int64_t ChangeSequencer::acquire() {
    std::lock_guard lock(mutex_);
    std::int64_t seq = next_++;
    held_.insert(seq);
    return seq;
}

void ChangeSequencer::release(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(seq);
    if (it != held_.end())
        held_.erase(it);
}

std::int64_t ChangeSequencer::horizon() const {
    std::lock_guard lock(mutex_);
    return held_.empty() ? next_ : std::min(next_, *held_.begin());
}

void ChangeSequencer::raise_to(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    if (next_ <= seq)
        next_ = seq + 1;
}

std::int64_t ChangeSequencer::last_used() const {
    std::lock_guard lock(mutex_);
    return next_ - 1;
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes(
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  op TEXT NOT NULL,
  data TEXT NOT NULL,
  at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records(
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workstations(
  id TEXT PRIMARY KEY,
  cert_serial TEXT,
  not_after TEXT,
  enrolled_at TEXT,
  revoked INTEGER NOT NULL DEFAULT 0,
  last_seen TEXT);
CREATE TABLE IF NOT EXISTS enrollment_codes(
  code_hash TEXT PRIMARY KEY,
  workstation TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT);
CREATE TABLE IF NOT EXISTS mutations(
  mutation_id TEXT PRIMARY KEY,
  workstation TEXT NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload_sha256 TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT NOT NULL,
  received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases(
  id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL,
  workstation TEXT NOT NULL,
  state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  catalog_version TEXT NOT NULL,
  payload TEXT NOT NULL,
  payload_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  change_seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS cases_by_number ON cases(case_number);
CREATE TABLE IF NOT EXISTS case_events(
  case_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  operation TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  payload TEXT NOT NULL,
  workstation TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (case_id, revision));
CREATE TABLE IF NOT EXISTS audit_events(
  workstation TEXT NOT NULL,
  seq INTEGER NOT NULL,
  content_sha256 TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  chain_gap INTEGER NOT NULL DEFAULT 0,
  received_at TEXT NOT NULL,
  PRIMARY KEY (workstation, seq));
CREATE TABLE IF NOT EXISTS documents(
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  signed INTEGER NOT NULL,
  content_sha256 TEXT NOT NULL,
  payload TEXT NOT NULL,
  workstation TEXT NOT NULL,
  received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS change_requests(
  id TEXT PRIMARY KEY,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  base_version INTEGER,
  fields TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  workstation TEXT NOT NULL,
  status TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT);
CREATE INDEX IF NOT EXISTS change_requests_by_status ON change_requests(status, created_at);
CREATE TABLE IF NOT EXISTS blobs(
  id TEXT PRIMARY KEY,
  length INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  upload_offset INTEGER NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL,
  created_at TEXT NOT NULL,
  completed_at TEXT);
)sql";

std::string now_iso() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw StorageError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

class SqliteStorage;

class SqliteTransaction final : public Transaction {
public:
    SqliteTransaction(SqliteStorage& storage, sqlite3* db, TxMode mode);
    ~SqliteTransaction() override;
    void exec(std::string_view sql, const Params& params) override;
    std::int64_t changes() const override { return changes_; }
    void query(std::string_view sql, const Params& params,
               const std::function<void(const Row&)>& each) override;
    std::int64_t publish(std::string kind, std::string id, std::string op,
                         std::string data) override;
    void commit() override;

private:
    sqlite3_stmt* prepare(std::string_view sql, const Params& params);
    void done_with(sqlite3_stmt* st);
    void finish();

    SqliteStorage& storage_;
    sqlite3* db_;
    bool open_ = true;
    std::int64_t changes_ = 0;
    std::vector<PublishedChange> published_;
};

class SqliteStorage final : public Storage {
public:
    explicit SqliteStorage(std::filesystem::path file) : file_(std::move(file)) {
        sqlite3* db = connect();
        give_back(db);
    }
    ~SqliteStorage() override {
        for (auto* db : idle_)
            close(db);
    }

    bool is_cached(sqlite3* db, sqlite3_stmt* st) {
        std::lock_guard lock(mutex_);
        auto it = statements_.find(db);
        if (it == statements_.end())
            return false;
        auto found = it->second.find(sqlite3_sql(st));
        return found != it->second.end() && found->second == st;
    }

    // Prepared statements are kept per connection (a connection is used by one transaction at
    // a time); a statement still running (nested use) is not shared.
    sqlite3_stmt* cached_statement(sqlite3* db, std::string_view sql, bool& cached) {
        std::lock_guard lock(mutex_);
        auto& per_connection = statements_[db];
        auto it = per_connection.find(std::string(sql));
        if (it != per_connection.end() && !sqlite3_stmt_busy(it->second)) {
            cached = true;
            return it->second;
        }
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st, nullptr) !=
            SQLITE_OK)
            return nullptr;
        cached = it == per_connection.end();
        if (cached)
            per_connection.emplace(std::string(sql), st);
        return st;
    }
    std::unique_ptr<Transaction> begin(TxMode mode) override {
        return std::make_unique<SqliteTransaction>(*this, take(), mode);
    }
    ChangeSequencer& sequencer() override { return sequencer_; }

    std::int64_t feed_horizon() override {
        sequencer_.raise_to(max_committed_seq());
        return sequencer_.horizon();
    }

    // The largest seq committed by any process (a write transaction of another process holds
    // the database's write lock while it holds sequence numbers, so this is safe to adopt).
    std::int64_t max_committed_seq(sqlite3* db = nullptr) {
        sqlite3* conn = db ? db : take();
        sqlite3_stmt* st = nullptr;
        std::int64_t last = 0;
        if (sqlite3_prepare_v2(conn, "SELECT COALESCE(MAX(seq), 0) FROM changes", -1, &st,
                               nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            last = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (!db)
            give_back(conn);
        return last;
    }
    std::string backend_name() const override {
        return std::string("sqlite ") + sqlite3_libversion();
    }

    void migrate() override {
        sqlite3* db = take();
        char* err = nullptr;
        int rc = sqlite3_exec(db, kSchema, nullptr, nullptr, &err);
        std::string message = err ? err : "";
        sqlite3_free(err);
        if (rc != SQLITE_OK) {
            give_back(db);
            throw StorageError("schema: " + message);
        }
        std::int64_t last = max_committed_seq(db);
        give_back(db);
        sequencer_.reset(last);
    }

    sqlite3* take() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                sqlite3* db = idle_.front();
                idle_.pop_front();
                return db;
            }
        }
        return connect();
    }

    void give_back(sqlite3* db) {
        std::lock_guard lock(mutex_);
        if (idle_.size() >= 16) {
            close_locked(db);
            return;
        }
        idle_.push_back(db);
    }

private:
    void close(sqlite3* db) {
        std::lock_guard lock(mutex_);
        close_locked(db);
    }
    void close_locked(sqlite3* db) {
        statements_.erase(db);
        while (sqlite3_stmt* st = sqlite3_next_stmt(db, nullptr))
            sqlite3_finalize(st);
        sqlite3_close(db);
    }

    sqlite3* connect() {
        sqlite3* db = nullptr;
        int rc = sqlite3_open_v2(file_.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
        if (rc != SQLITE_OK) {
            std::string message = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close(db);
            throw StorageError("cannot open database " + file_.string() + ": " + message);
        }
        sqlite3_busy_timeout(db, 30000);
        const char* setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;";
        char* err = nullptr;
        if (sqlite3_exec(db, setup, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string message = err ? err : "";
            sqlite3_free(err);
            sqlite3_close(db);
            throw StorageError("cannot set up database " + file_.string() + ": " + message);
        }
        return db;
    }

    std::filesystem::path file_;
    std::mutex mutex_;
    std::deque<sqlite3*> idle_;
    std::unordered_map<sqlite3*, std::unordered_map<std::string, sqlite3_stmt*>> statements_;
    ChangeSequencer sequencer_;
};

SqliteTransaction::SqliteTransaction(SqliteStorage& storage, sqlite3* db, TxMode mode)
    : storage_(storage), db_(db) {
    const char* sql = mode == TxMode::Write ? "BEGIN IMMEDIATE" : "BEGIN";
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string message = sqlite3_errmsg(db_);
        storage_.give_back(db_);
        throw StorageError(std::string("begin transaction: ") + message);
    }
    // Under the write lock: numbers committed meanwhile by another process are never reused.
    if (mode == TxMode::Write)
        storage_.sequencer().raise_to(storage_.max_committed_seq(db_));
}

SqliteTransaction::~SqliteTransaction() {
    if (open_) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        finish();
    }
}

void SqliteTransaction::finish() {
    open_ = false;
    for (const auto& c : published_)
        storage_.sequencer().release(c.seq);
    published_.clear();
    storage_.give_back(db_);
}

sqlite3_stmt* SqliteTransaction::prepare(std::string_view sql, const Params& params) {
    if (!open_)
        throw StorageError("transaction already finished");
    bool cached = false;
    sqlite3_stmt* st = storage_.cached_statement(db_, sql, cached);
    if (!st)
        fail(db_, "prepare");
    int i = 1;
    for (const auto& p : params) {
        int rc = SQLITE_OK;
        if (const auto* n = std::get_if<std::int64_t>(&p))
            rc = sqlite3_bind_int64(st, i, *n);
        else if (const auto* s = std::get_if<std::string>(&p))
            rc = sqlite3_bind_text(st, i, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
        else
            rc = sqlite3_bind_null(st, i);
        if (rc != SQLITE_OK) {
            done_with(st);
            fail(db_, "bind");
        }
        ++i;
    }
    return st;
}

void SqliteTransaction::done_with(sqlite3_stmt* st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);       // the bound strings belong to the caller
    if (!storage_.is_cached(db_, st)) // a nested use got its own statement
        sqlite3_finalize(st);
}

void SqliteTransaction::exec(std::string_view sql, const Params& params) {
    sqlite3_stmt* st = prepare(sql, params);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        std::string message = sqlite3_errmsg(db_);
        done_with(st);
        throw StorageError("statement: " + message);
    }
    done_with(st);
    changes_ = sqlite3_changes(db_);
}

void SqliteTransaction::query(std::string_view sql, const Params& params,
                              const std::function<void(const Row&)>& each) {
    sqlite3_stmt* st = prepare(sql, params);
    int rc;
    int columns = sqlite3_column_count(st);
    try {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            std::vector<Value> values;
            values.reserve(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_NULL:
                    values.emplace_back(nullptr);
                    break;
                case SQLITE_INTEGER:
                    values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(st, c)));
                    break;
                default: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                    int n = sqlite3_column_bytes(st, c);
                    values.emplace_back(std::string(text ? text : "", static_cast<std::size_t>(n)));
                }
                }
            }
            each(Row(std::move(values)));
        }
    } catch (...) {
        done_with(st);
        throw;
    }
    if (rc != SQLITE_DONE) {
        std::string message = sqlite3_errmsg(db_);
        done_with(st);
        throw StorageError("query: " + message);
    }
    done_with(st);
}

std::int64_t SqliteTransaction::publish(std::string kind, std::string id, std::string op,
                                        std::string data) {
    if (!open_)
        throw StorageError("transaction already finished");
    PublishedChange c;
    c.seq = storage_.sequencer().acquire();
    c.kind = std::move(kind);
    c.id = std::move(id);
    c.op = std::move(op);
    c.data = std::move(data);
    published_.push_back(std::move(c));
    return published_.back().seq;
}

void SqliteTransaction::commit() {
    if (!open_)
        throw StorageError("transaction already finished");
    if (!published_.empty()) {
        std::string at = now_iso();
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_,
                               "INSERT INTO changes(seq, kind, id, op, data, at) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               -1, &st, nullptr) != SQLITE_OK)
            fail(db_, "prepare");
        for (const auto& c : published_) {
            sqlite3_bind_int64(st, 1, c.seq);
            sqlite3_bind_text(st, 2, c.kind.data(), static_cast<int>(c.kind.size()), SQLITE_STATIC);
            sqlite3_bind_text(st, 3, c.id.data(), static_cast<int>(c.id.size()), SQLITE_STATIC);
            sqlite3_bind_text(st, 4, c.op.data(), static_cast<int>(c.op.size()), SQLITE_STATIC);
            sqlite3_bind_text(st, 5, c.data.data(), static_cast<int>(c.data.size()), SQLITE_STATIC);
            sqlite3_bind_text(st, 6, at.data(), static_cast<int>(at.size()), SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) {
                sqlite3_finalize(st);
                fail(db_, "publish change");
            }
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        fail(db_, "commit");
    finish(); // the published numbers are released only now: the rows are visible
}

} // namespace

std::unique_ptr<Storage> open_sqlite_storage(const std::filesystem::path& file) {
    auto storage = std::make_unique<SqliteStorage>(file);
    storage->migrate();
    return storage;
}

} // namespace ow::server
