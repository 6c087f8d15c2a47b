// Bulk import of demo persons through the raw SQLite API. Compiled into libow_core against
// SQLCipher and into the cache benchmark against plain SQLite: the same code measured twice.
#include "ow/core/reference_data.h"
#include "sqlite_api.h"

#include <stdexcept>
#include <string>

namespace ow::core {
namespace {

void exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (ow::core::detail::sqlite().sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : ow::core::detail::sqlite().sqlite3_errmsg(db);
        ow::core::detail::sqlite().sqlite3_free(message);
        throw std::runtime_error("import: " + text);
    }
}

struct StatementGuard {
    sqlite3_stmt* stmt = nullptr;
    ~StatementGuard() { ow::core::detail::sqlite().sqlite3_finalize(stmt); }
};

} // namespace

void bulk_import_demo_persons(sqlite3* db, const DemoDataGenerator& generator, std::size_t count,
                              const ImportProgress& progress) {
    bool empty = true;
    {
        StatementGuard probe;
        ow::core::detail::sqlite().sqlite3_prepare_v2(db, "SELECT 1 FROM persons LIMIT 1", -1,
                                                      &probe.stmt, nullptr);
        empty = probe.stmt && ow::core::detail::sqlite().sqlite3_step(probe.stmt) != SQLITE_ROW;
    }
    if (empty)
        exec(db, "DROP INDEX IF EXISTS persons_by_name");
    StatementGuard insert;
    if (ow::core::detail::sqlite().sqlite3_prepare_v2(
            db,
            "INSERT OR IGNORE INTO persons(id_number, name, gender, birth_date, "
            "address, phone, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            -1, &insert.stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("import: ") +
                                 ow::core::detail::sqlite().sqlite3_errmsg(db));
    const std::size_t batch = 100000;
    std::vector<std::size_t> order = generator.person_indices_in_key_order(count);
    try {
        for (std::size_t first = 0; first < count; first += batch) {
            std::size_t last = std::min(count, first + batch);
            exec(db, "BEGIN IMMEDIATE");
            for (std::size_t k = first; k < last; ++k) {
                Person p = generator.person(order[k]);
                const std::string* fields[] = {&p.id_number, &p.name,  &p.gender, &p.birth_date,
                                               &p.address,   &p.phone, &p.source, &p.updated_at};
                for (int c = 0; c < 8; ++c)
                    ow::core::detail::sqlite().sqlite3_bind_text(
                        insert.stmt, c + 1, fields[c]->data(), static_cast<int>(fields[c]->size()),
                        SQLITE_TRANSIENT);
                if (ow::core::detail::sqlite().sqlite3_step(insert.stmt) != SQLITE_DONE)
                    throw std::runtime_error(std::string("import: ") +
                                             ow::core::detail::sqlite().sqlite3_errmsg(db));
                ow::core::detail::sqlite().sqlite3_reset(insert.stmt);
            }
            exec(db, "COMMIT");
            if (progress)
                progress(last, count);
        }
    } catch (...) {
        ow::core::detail::sqlite().sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        exec(db, "CREATE INDEX IF NOT EXISTS persons_by_name ON persons(name)");
        throw;
    }
    exec(db, "CREATE INDEX IF NOT EXISTS persons_by_name ON persons(name)");
}

} // namespace ow::core
