// What the server publishes to workstations (docs/sync-protocol.md §6, §7): reference records of
// every kind (catalog, calendar, person, entity, license, user; cases are published by the
// mutation processor), the changes feed and paged snapshots, and the imports that fill them.
#pragma once

#include "storage.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace ow::server {

// A case as workstations see it (docs/sync-protocol.md §6): state, revision, its latest event and
// the create payload; publish_case() puts it into the feed and remembers the change's seq as the
// case's version.
std::string case_record(Transaction& tx, const std::string& case_id);
std::int64_t publish_case(Transaction& tx, const std::string& case_id);

// Kinds served by GET /v1/snapshot.
bool is_snapshot_kind(const std::string& kind);

// Writes the current record and publishes an upsert (version = the change's sequence number).
std::int64_t upsert_record(Transaction& tx, const std::string& kind, const std::string& id,
                           const std::string& data_json);
// Removes the record and publishes a tombstone; false if there was no such record.
bool delete_record(Transaction& tx, const std::string& kind, const std::string& id);

// The JSON text of one page of the changes feed after `cursor`.
std::string changes_page(Storage& storage, std::int64_t cursor, int limit);
// The JSON text of one snapshot page of `kind` after key `after`.
std::string snapshot_page(Storage& storage, const std::string& kind, const std::string& after,
                          int limit);

using ImportProgress = std::function<void(std::size_t done)>;

// catalog.json and every file it names, validated by libow_forms, as one record (id = version).
std::string import_catalog(Storage& storage, const std::filesystem::path& catalog_json);
// A calendar file (onewindow-holiday-calendar/1); id = the file name without .json.
std::string import_calendar(Storage& storage, const std::filesystem::path& file);
// JSON lines (or one JSON array) of records of `kind` (person, entity, license, user); returns
// the number imported. Bad lines name their line number (std::runtime_error).
std::size_t import_records(Storage& storage, const std::string& kind,
                           const std::filesystem::path& file, const ImportProgress& progress = {});
// Deterministic synthetic persons / entities 0..count-1 (valid GB 11643 ID numbers, GB 32100
// USCCs), for tests and benchmarks.
std::size_t import_demo(Storage& storage, const std::string& kind, std::size_t count,
                        std::uint64_t seed = 20261128, const ImportProgress& progress = {});

} // namespace ow::server
