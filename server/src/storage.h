// The server's storage behind an interface: explicit transactions and portable SQL (`?`
// placeholders, no UPSERT / RETURNING / JSON functions), so that a PostgreSQL backend can implement
// the same interface later. SQLite (WAL, synchronous=FULL) is the embedded default.
//
// Changes feed: a transaction publishes changes with publish(); each gets a sequence number at
// that moment (like a database sequence, not at commit), and the change rows are written as the
// last statements before COMMIT. Readers are served only sequence numbers below the horizon (the
// smallest number still held by an open transaction), so a transaction that commits late never
// has its change skipped by a cursor (docs/sync-protocol.md §9).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ow::server {

class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;
using Params = std::vector<Value>;

class Row {
public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
    bool is_null(std::size_t i) const {
        return std::holds_alternative<std::nullptr_t>(values_.at(i));
    }
    std::int64_t int64(std::size_t i) const;
    const std::string& text(std::size_t i) const;
    std::size_t size() const { return values_.size(); }

private:
    std::vector<Value> values_;
};

// Hands out sequence numbers for the changes feed and knows which ones are held by transactions
// that have not finished. Thread-safe.
class ChangeSequencer {
public:
    void reset(std::int64_t last_used);
    std::int64_t acquire();         // a new number, held until release()
    void release(std::int64_t seq); // after COMMIT or ROLLBACK
    // Every sequence number below the horizon belongs to a finished transaction.
    std::int64_t horizon() const;
    std::int64_t last_used() const;
    // Makes sure numbers up to `seq` are never handed out (another process committed them).
    void raise_to(std::int64_t seq);

private:
    mutable std::mutex mutex_;
    std::int64_t next_ = 1;
    std::multiset<std::int64_t> held_;
};

struct PublishedChange {
    std::int64_t seq = 0;
    std::string kind, id, op, data; // data: JSON text
};

enum class TxMode {
    Write, // takes the write lock at BEGIN (SQLite: BEGIN IMMEDIATE)
    Read,  // a consistent read snapshot; writes only by upgrading (SQLite: BEGIN DEFERRED)
};

class Transaction {
public:
    virtual ~Transaction() = default;
    virtual void exec(std::string_view sql, const Params& params = {}) = 0;
    // Rows affected by the last exec().
    virtual std::int64_t changes() const = 0;
    virtual void query(std::string_view sql, const Params& params,
                       const std::function<void(const Row&)>& each) = 0;
    std::optional<Row> query_one(std::string_view sql, const Params& params = {});
    std::vector<Row> query_all(std::string_view sql, const Params& params = {});

    // Publishes a change to the feed (written at commit). Returns its sequence number.
    virtual std::int64_t publish(std::string kind, std::string id, std::string op,
                                 std::string data) = 0;
    virtual void commit() = 0;
    // Destroying an uncommitted transaction rolls it back.
};

class Storage {
public:
    virtual ~Storage() = default;
    virtual std::unique_ptr<Transaction> begin(TxMode mode = TxMode::Write) = 0;
    virtual ChangeSequencer& sequencer() = 0;
    // The horizon of the changes feed: every seq below it is committed or abandoned. Also takes
    // into account changes committed by other processes on the same database (admin commands).
    virtual std::int64_t feed_horizon() = 0;
    // Creates or upgrades the schema.
    virtual void migrate() = 0;
    virtual std::string backend_name() const = 0;
};

// SQLite backend: a small pool of connections (one per concurrent transaction).
std::unique_ptr<Storage> open_sqlite_storage(const std::filesystem::path& file);

// Runs `body` in a write transaction and commits; retries on SQLITE_BUSY-like contention.
template <typename F> auto in_transaction(Storage& storage, F&& body) {
    auto tx = storage.begin(TxMode::Write);
    if constexpr (std::is_void_v<decltype(body(*tx))>) {
        body(*tx);
        tx->commit();
    } else {
        auto result = body(*tx);
        tx->commit();
        return result;
    }
}

} // namespace ow::server
