// Versioned schema migrations of the workstation cache. Each migration runs in one transaction
// together with the new PRAGMA user_version. SQL stays portable to SQLCipher 4.x: no UPSERT,
// JSON1, window functions, RETURNING or RENAME COLUMN.
#pragma once

namespace ow::core {

class Database;

int latest_schema_version();

// Migrates from the stored user_version up to `target` (default: latest). Refuses a database
// newer than this program knows (a downgrade would lose data).
void migrate(Database& db, int target = -1);

} // namespace ow::core
