#include "ow/core/reference_source.h"

#include "ow/core/database.h"
#include "ow/core/log.h"
#include "ow/forms/calendar.h"
#include "ow/forms/catalog.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

namespace ow::core {

namespace {

using nlohmann::json;

// The catalog shipped with the program, loaded once per process.
std::shared_ptr<const forms::Catalog> shipped_catalog() {
    static std::mutex mutex;
    static std::shared_ptr<const forms::Catalog> catalog;
    std::lock_guard lock(mutex);
    if (!catalog)
        catalog = std::make_shared<const forms::Catalog>(
            forms::Catalog::load_directory(forms::default_catalog_dir()));
    return catalog;
}

struct SyncedRecord {
    std::string id;
    std::string data;
};

std::vector<SyncedRecord> synced_records(Database& db, std::string_view kind) {
    auto st = db.prepare("SELECT id, data FROM sync_records WHERE kind = ? AND deleted = 0");
    st.bind(1, kind);
    std::vector<SyncedRecord> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1)});
    return out;
}

forms::Catalog catalog_from_record(const SyncedRecord& record) {
    const auto data = json::parse(record.data);
    const auto& files = data.at("files");
    if (!files.is_object())
        throw std::runtime_error("\"files\" is not an object");
    std::map<std::string, json, std::less<>> by_path;
    for (const auto& [path, document] : files.items())
        by_path.emplace(path, document);
    return forms::Catalog::from_files(by_path, "synced catalog " + record.id);
}

} // namespace

int compare_versions(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    const auto digit = [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && digit(a[ei]))
                ++ei;
            while (ej < b.size() && digit(b[ej]))
                ++ej;
            auto na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
            while (na.size() > 1 && na.front() == '0')
                na.remove_prefix(1);
            while (nb.size() > 1 && nb.front() == '0')
                nb.remove_prefix(1);
            if (na.size() != nb.size())
                return na.size() < nb.size() ? -1 : 1;
            if (const int c = na.compare(nb); c != 0)
                return c < 0 ? -1 : 1;
            i = ei;
            j = ej;
            continue;
        }
        if (a[i] != b[j])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        ++i;
        ++j;
    }
    if (i == a.size() && j == b.size())
        return 0;
    return i == a.size() ? -1 : 1;
}

ReferenceSource::ReferenceSource(Database& db) : db_(db) {}

std::string ReferenceSource::fingerprint() {
    auto st = db_.prepare("SELECT kind, id, updated_at FROM sync_records WHERE kind IN "
                          "('catalog', 'calendar') AND deleted = 0 ORDER BY kind, id");
    std::string fp;
    while (st.step())
        fp += st.text(0) + '\x1f' + st.text(1) + '\x1f' + st.text(2) + '\x1e';
    return fp;
}

const ReferenceSet& ReferenceSource::current() {
    auto fp = fingerprint();
    if (!set_ || fp != fingerprint_) {
        reload();
        fingerprint_ = std::move(fp);
    }
    return *set_;
}

void ReferenceSource::reload() {
    auto set = std::make_unique<ReferenceSet>();

    auto catalogs = synced_records(db_, "catalog");
    std::sort(catalogs.begin(), catalogs.end(),
              [](const auto& x, const auto& y) { return compare_versions(x.id, y.id) > 0; });
    for (const auto& record : catalogs) {
        try {
            set->catalog = std::make_shared<const forms::Catalog>(catalog_from_record(record));
            set->catalog_synced = true;
            break;
        } catch (const std::exception& e) {
            set->problems.push_back("synced catalog " + record.id + " is not used: " + e.what());
        }
    }
    if (!set->catalog) {
        try {
            set->catalog = shipped_catalog();
        } catch (const std::exception& e) {
            set->problems.push_back(std::string("the shipped catalog does not load: ") + e.what());
        }
    }

    std::map<std::string, json> calendars;
    for (const auto& record : synced_records(db_, "calendar")) {
        try {
            auto document = json::parse(record.data);
            forms::WorkingCalendar probe; // each document must load on its own
            probe.add(document, record.id);
            calendars.emplace(record.id, std::move(document));
            set->synced_calendars.push_back(record.id);
        } catch (const std::exception& e) {
            set->problems.push_back("synced calendar " + record.id + " is not used: " + e.what());
        }
    }
    set->calendar = std::make_shared<const forms::WorkingCalendar>(
        forms::WorkingCalendar::builtin_with(calendars));
    for (const auto& p : set->problems)
        log::warn("reference data: {}", p);
    set_ = std::move(set);
}

std::shared_ptr<const forms::Catalog> ReferenceSource::catalog_version(std::string_view version) {
    const auto& now = current();
    if (now.catalog && now.catalog->version() == version)
        return now.catalog;
    for (const auto& record : synced_records(db_, "catalog")) {
        if (record.id != version)
            continue;
        try {
            return std::make_shared<const forms::Catalog>(catalog_from_record(record));
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    try {
        auto shipped = shipped_catalog();
        if (shipped->version() == version)
            return shipped;
    } catch (const std::exception&) {
    }
    return nullptr;
}

} // namespace ow::core
