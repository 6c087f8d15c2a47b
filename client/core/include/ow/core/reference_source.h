// The service-item catalog and the holiday calendar a workstation works with. The server publishes
// both through sync (kinds "catalog" and "calendar", docs/sync-protocol.md §6); until a workstation
// has synced them it works with the copies shipped with the program. Every workstation that holds
// the same records picks the same catalog: the highest version (numbers compared as numbers,
// "2026.12" > "2026.9"), whatever order they arrived in.
//
// A synced record that does not load (a newer format, a damaged record) is not used — the next
// version down or the shipped copy is, and `problems` says why, so `doctor` and the GUI can show
// it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ow::forms {
class Catalog;
class WorkingCalendar;
} // namespace ow::forms

namespace ow::core {

class Database;

struct ReferenceSet {
    std::shared_ptr<const forms::Catalog> catalog; // null only when no catalog loads (see problems)
    std::shared_ptr<const forms::WorkingCalendar> calendar;
    bool catalog_synced = false;               // false: the copy shipped with the program
    std::vector<std::string> synced_calendars; // names of the synced year documents ("cn-2026")
    std::vector<std::string> problems;         // synced records that are not used, and why
};

// Orders catalog versions: runs of digits compare as numbers, the rest as text.
int compare_versions(std::string_view a, std::string_view b);

class ReferenceSource {
public:
    explicit ReferenceSource(Database& db);

    // The set in force now. Loaded on first use and again whenever sync has changed the catalog or
    // calendar records since; otherwise the same objects are returned (cheap to call per intake).
    const ReferenceSet& current();

    // The catalog of a given version — a case is pinned to the version it was taken under — or
    // nullptr when this workstation has no such version.
    std::shared_ptr<const forms::Catalog> catalog_version(std::string_view version);

private:
    std::string fingerprint();
    void reload();

    Database& db_;
    std::string fingerprint_;
    std::unique_ptr<ReferenceSet> set_;
};

} // namespace ow::core
