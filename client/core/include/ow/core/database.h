// The encrypted workstation cache: one SQLCipher database opened with a raw 256-bit key.
// Every open repeats the safety checks of ARCHITECTURE.md: cipher_version non-empty, no plaintext
// header, key verified by reading page 1. A failed check never leads to creating a new database.
#pragma once

#include "ow/core/secret.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ow::core {

struct CipherSettings {
    int page_size = 4096;
    // 64 MiB page cache on the main connection: with it SQLCipher 3.4.1 stays within ~1.5x of
    // plain SQLite for bulk imports and cold lookups (measured, notes/cache-and-sync.md §2.9).
    int cache_size_kib = 65536;
};

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind_blob(int index, const void* data, std::size_t size);
    Statement& bind_null(int index);

    // true while a row is available; false when done. Throws on error.
    bool step();
    void run(); // step to completion, expecting no row
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    std::string text(int column) const;
    std::vector<unsigned char> blob(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Database {
public:
    enum class Mode { CreateNew, OpenExisting };

    // Opens (or creates) the database at `path` with the raw key. Throws CoreError
    // (CacheRefused, CacheCorrupt, Storage) when any check fails.
    static Database open(const std::filesystem::path& path, const SecretBytes& key, Mode mode,
                         const CipherSettings& settings = {});
    // A keyed in-memory database: lets doctor read cipher_version without any workstation.
    static Database open_in_memory_keyed(const SecretBytes& key);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) { return Statement(db_, sql); }
    std::int64_t last_insert_rowid() const;
    int changes() const;
    std::string pragma_text(std::string_view pragma); // first column of the first row, or ""
    std::string cipher_version() { return pragma_text("cipher_version"); }
    // PRAGMA quick_check (or integrity_check when full == true); "ok" when healthy.
    std::string check_integrity(bool full = false);
    int user_version();
    void set_user_version(int version);
    const std::filesystem::path& path() const { return path_; }
    sqlite3* handle() { return db_; }

private:
    Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

// RAII transaction: BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

// True when the file starts with the plaintext SQLite header "SQLite format 3\0".
bool has_plaintext_sqlite_header(const std::filesystem::path& path);

} // namespace ow::core
