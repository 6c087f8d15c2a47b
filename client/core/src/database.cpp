#include "ow/core/database.h"

#include "ow/core/crypto.h"
#include "ow/core/error.h"
#include "page_crypto.h"
#include "sqlite_api.h"

#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace ow::core {
namespace {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
    int primary = rc & 0xff;
    std::string detail =
        db ? detail::sqlite().sqlite3_errmsg(db) : detail::sqlite().sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        throw CoreError(ErrorCode::CacheCorrupt,
                        N_("The workstation cache cannot be read: the file is damaged or was not "
                           "written by this workstation ({detail}). Nothing was changed; restore "
                           "it from a backup or ask IT to re-enrol the workstation."),
                        {{"detail", detail}});
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ||
        primary == SQLITE_READONLY || primary == SQLITE_PERM)
        throw CoreError(ErrorCode::Storage,
                        N_("The workstation cache could not be written or read ({detail}). Check "
                           "free disk space and file permissions."),
                        {{"detail", detail}});
    if (primary == SQLITE_CONSTRAINT)
        throw CoreError(ErrorCode::Conflict,
                        N_("The change conflicts with stored data ({detail})."),
                        {{"detail", detail}});
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw CoreError(ErrorCode::Storage,
                        N_("The workstation cache is busy in another program ({detail}). Try "
                           "again."),
                        {{"detail", detail}});
    throw CoreError(ErrorCode::Storage, N_("Database error in {context}: {detail}"),
                    {{"context", std::string(context)}, {"detail", detail}});
}

void check(sqlite3* db, int rc, std::string_view context) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw_sqlite(db, rc, context);
}

} // namespace

// ---------------------------------------------------------------- Statement

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = detail::sqlite().sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()),
                                                 &stmt_, nullptr);
    if (rc != SQLITE_OK)
        throw_sqlite(db, rc, sql);
}

Statement::~Statement() {
    detail::sqlite().sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
    check(db_,
          detail::sqlite().sqlite3_bind_text(stmt_, index, text.data(),
                                             static_cast<int>(text.size()), SQLITE_TRANSIENT),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(db_, detail::sqlite().sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
    check(db_,
          detail::sqlite().sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size),
                                             SQLITE_TRANSIENT),
          "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check(db_, detail::sqlite().sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

bool Statement::step() {
    int rc = detail::sqlite().sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw_sqlite(db_, rc,
                 detail::sqlite().sqlite3_sql(stmt_) ? detail::sqlite().sqlite3_sql(stmt_)
                                                     : "step");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    detail::sqlite().sqlite3_reset(stmt_);
    detail::sqlite().sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
    return detail::sqlite().sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
    return detail::sqlite().sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
    auto p = detail::sqlite().sqlite3_column_text(stmt_, column);
    int n = detail::sqlite().sqlite3_column_bytes(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string();
}

std::vector<unsigned char> Statement::blob(int column) const {
    auto p = static_cast<const unsigned char*>(detail::sqlite().sqlite3_column_blob(stmt_, column));
    int n = detail::sqlite().sqlite3_column_bytes(stmt_, column);
    return p ? std::vector<unsigned char>(p, p + n) : std::vector<unsigned char>();
}

// ---------------------------------------------------------------- Database

bool has_plaintext_sqlite_header(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    char header[16] = {};
    if (!in.read(header, sizeof header))
        return false;
    return std::memcmp(header, "SQLite format 3", 16) == 0;
}

namespace {

void apply_key(sqlite3* db, const SecretBytes& key) {
    if (key.size() != 32)
        throw CoreError(ErrorCode::CacheRefused, N_("The cache key has the wrong length."));
    // The raw-key form x'<64 hex>' skips SQLCipher's per-open KDF (notes: 0.4 ms instead of 45 ms).
    // Built in one buffer of its final size: no temporary or reallocated copy of the hex key.
    static constexpr char kHex[] = "0123456789abcdef";
    std::string raw(3 + 2 * key.size(), '\0');
    raw[0] = 'x';
    raw[1] = '\'';
    for (std::size_t i = 0; i < key.size(); ++i) {
        raw[2 + 2 * i] = kHex[key.data()[i] >> 4];
        raw[3 + 2 * i] = kHex[key.data()[i] & 15];
    }
    raw.back() = '\'';
    int rc = detail::sqlite().sqlite3_key(db, raw.data(), static_cast<int>(raw.size()));
    wipe(raw);
    check(db, rc, "sqlite3_key");
}

} // namespace

Database Database::open(const std::filesystem::path& path, const SecretBytes& key, Mode mode,
                        const CipherSettings& settings) {
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    if (mode == Mode::OpenExisting && !exists)
        throw CoreError(ErrorCode::NotInitialised,
                        N_("The workstation cache {path} is missing. It is never re-created "
                           "silently: restore it from a backup or initialise a new workstation."),
                        {{"path", path.string()}});
    if (mode == Mode::CreateNew && exists)
        throw CoreError(ErrorCode::AlreadyExists,
                        N_("A workstation cache already exists at {path}; it is not overwritten."),
                        {{"path", path.string()}});
    if (exists && has_plaintext_sqlite_header(path))
        throw CoreError(ErrorCode::CacheRefused,
                        N_("The cache file {path} is an unencrypted SQLite database. OneWindow "
                           "refuses to use it; personal data must never be stored in plaintext."),
                        {{"path", path.string()}});

    detail::install_page_crypto();
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
                (mode == Mode::CreateNew ? SQLITE_OPEN_CREATE : 0);
    int rc = detail::sqlite().sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw, path);
    if (rc != SQLITE_OK)
        throw_sqlite(raw, rc, "open");

    apply_key(db.db_, key);
    db.exec("PRAGMA cipher_page_size=" + std::to_string(settings.page_size));
    // The silent-plaintext trap: a build that binds to plain SQLite ignores PRAGMA key.
    if (db.cipher_version().empty())
        throw CoreError(ErrorCode::CacheRefused,
                        N_("This program is linked to plain SQLite instead of SQLCipher "
                           "(PRAGMA cipher_version is empty). It refuses to run, because it would "
                           "write personal data unencrypted. Reinstall OneWindow."));
    // Reading page 1 verifies the key and the cipher settings.
    db.exec("SELECT count(*) FROM sqlite_master");
    db.exec("PRAGMA foreign_keys=ON");
    db.exec("PRAGMA synchronous=FULL");
    db.exec("PRAGMA busy_timeout=5000");
    db.exec("PRAGMA cache_size=-" + std::to_string(settings.cache_size_kib));
    db.exec("PRAGMA temp_store=MEMORY");
    if (db.pragma_text("journal_mode=WAL") != "wal")
        throw CoreError(ErrorCode::Storage, N_("The workstation cache could not enter WAL mode."));
    if (mode == Mode::CreateNew) {
        ::chmod(path.c_str(), 0600);
        // Force the first page to disk, then prove it is not plaintext.
        db.exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        if (has_plaintext_sqlite_header(path))
            throw CoreError(ErrorCode::CacheRefused,
                            N_("The new cache file was written unencrypted; refusing to go on."));
    }
    return db;
}

Database Database::open_in_memory_keyed(const SecretBytes& key) {
    detail::install_page_crypto();
    sqlite3* raw = nullptr;
    int rc = detail::sqlite().sqlite3_open_v2(":memory:", &raw,
                                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Database db(raw, ":memory:");
    if (rc != SQLITE_OK)
        throw_sqlite(raw, rc, "open");
    apply_key(db.db_, key);
    return db;
}

Database::Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        detail::sqlite().sqlite3_close_v2(db_);
        db_ = other.db_;
        path_ = std::move(other.path_);
        other.db_ = nullptr;
    }
    return *this;
}

Database::~Database() {
    detail::sqlite().sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
    std::string s(sql);
    char* message = nullptr;
    int rc = detail::sqlite().sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &message);
    detail::sqlite().sqlite3_free(message);
    if (rc != SQLITE_OK)
        throw_sqlite(db_, rc, sql.substr(0, 60));
}

std::int64_t Database::last_insert_rowid() const {
    return detail::sqlite().sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
    return detail::sqlite().sqlite3_changes(db_);
}

std::string Database::pragma_text(std::string_view pragma) {
    Statement st(db_, "PRAGMA " + std::string(pragma));
    return st.step() ? st.text(0) : std::string();
}

std::string Database::check_integrity(bool full) {
    Statement st(db_, full ? "PRAGMA integrity_check" : "PRAGMA quick_check");
    std::string result;
    while (st.step()) {
        if (!result.empty())
            result += "; ";
        result += st.text(0);
    }
    return result;
}

int Database::user_version() {
    return std::stoi(pragma_text("user_version"));
}

void Database::set_user_version(int version) {
    exec("PRAGMA user_version=" + std::to_string(version));
}

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

} // namespace ow::core
