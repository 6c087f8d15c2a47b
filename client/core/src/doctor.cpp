#include "ow/core/doctor.h"

#include "ow/core/card_status.h"
#include "ow/core/database.h"
#include "ow/core/key_file.h"
#include "ow/core/log.h"
#include "ow/core/schema.h"
#include "ow/core/system_config.h"
#include "ow/core/workstation.h"
#include "ow/devices/scanner.h"
#include "ow/devices/versions.h"
#include "ow/forms/calendar.h"
#include "ow/forms/catalog.h"
#include "ow/forms/versions.h"
#include "ow/signing/versions.h"
#include "page_crypto.h"
#include "sqlite_api.h"
#include "sync_http.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <optional>

namespace ow::core {

namespace {
template <typename... Args> std::string text_format(std::string_view text, const Args&... args) {
    return log::detail::format(text, args...);
}
} // namespace

const char* to_string(HealthCheck::Status status) {
    switch (status) {
    case HealthCheck::Status::Ok:
        return "ok";
    case HealthCheck::Status::Warning:
        return "warning";
    case HealthCheck::Status::Failed:
        return "FAILED";
    case HealthCheck::Status::NotChecked:
        return "not checked";
    }
    return "?";
}

std::vector<LibraryVersion> library_versions() {
    std::vector<LibraryVersion> v;
    v.push_back({"OneWindow", OW_VERSION});
    std::string cipher;
    try {
        Database mem = Database::open_in_memory_keyed(SecretBytes::random(32));
        cipher = mem.cipher_version();
    } catch (const std::exception& e) {
        cipher = std::string("error: ") + e.what();
    }
    v.push_back({"SQLCipher", cipher.empty() ? "MISSING (plain SQLite linked)" : cipher});
    v.push_back({"SQLite (inside SQLCipher)", detail::sqlite().sqlite3_libversion()});
    v.push_back({"OpenSSL", OpenSSL_version(OPENSSL_VERSION)});
    try {
        v.push_back({"libcurl", sync_detail::libcurl_version()});
    } catch (const std::exception& e) {
        v.push_back({"libcurl", e.what()});
    }
    v.push_back(
        {"nlohmann-json", text_format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                      NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)});
    v.push_back({"spdlog", log::spdlog_version()});
    v.push_back({"fmt", log::fmt_version()});
    for (const auto& [name, version] : ow::forms::library_versions())
        v.push_back({name, version});
    for (const auto& [name, version] : ow::signing::library_versions())
        v.push_back({name, version});
    for (const auto& [name, version] : ow::devices::library_versions())
        v.push_back({name, version});
    for (const auto& [name, version] : ow::devices::scan_library_versions())
        v.push_back({name, version});
    return v;
}

std::vector<HealthCheck> run_health_checks(const std::filesystem::path& data_dir,
                                           Session* session) {
    using S = HealthCheck::Status;
    std::vector<HealthCheck> checks;
    WorkstationPaths paths{data_dir};
    std::error_code ec;

    {
        Database mem = Database::open_in_memory_keyed(SecretBytes::random(32));
        std::string cv = mem.cipher_version();
        checks.push_back({"sqlcipher", cv.empty() ? S::Failed : S::Ok,
                          cv.empty() ? "PRAGMA cipher_version is empty: plain SQLite is linked"
                                     : "cipher_version " + cv});
        std::string crypto = detail::page_crypto_status();
        checks.push_back(
            {"page crypto",
             crypto.rfind(detail::kPageCryptoProviderName, 0) == 0 ? S::Ok : S::Warning, crypto});
    }
    checks.push_back({"data directory",
                      std::filesystem::is_directory(data_dir, ec) ? S::Ok : S::Warning,
                      data_dir.string()});
    // The nearest existing folder: the data dir itself may not exist yet.
    auto space_dir = data_dir;
    while (!space_dir.empty() && !std::filesystem::is_directory(space_dir, ec) &&
           space_dir != space_dir.parent_path())
        space_dir = space_dir.parent_path();
    auto space = std::filesystem::space(space_dir.empty() ? "." : space_dir, ec);
    if (ec)
        checks.push_back({"free disk", S::NotChecked, ec.message()});
    else {
        double mib = static_cast<double>(space.available) / (1024.0 * 1024.0);
        checks.push_back({"free disk", mib < 500 ? S::Warning : S::Ok,
                          text_format("{:.0f} MiB available{}", mib,
                                      mib < 500 ? " (below 500 MiB: scans may fail)" : "")});
    }
    {
        const auto& config = SystemConfig::installed();
        std::string detail = config.path().string();
        if (!config.exists())
            detail += ": not pre-seeded (built-in defaults)";
        else
            detail += text_format(": {} setting(s)", config.size());
        for (const auto& problem : config.problems())
            detail += "; " + problem;
        checks.push_back({"system config", config.problems().empty() ? S::Ok : S::Warning, detail});
    }
    // With a session: what intake uses (synced from the server, else shipped). Without: the
    // shipped copies.
    std::optional<ReferenceSet> reference;
    if (session) {
        try {
            reference = session->reference().current();
        } catch (const std::exception& e) {
            checks.push_back({"catalog", S::Failed, e.what()});
        }
    }
    if (reference && reference->catalog) {
        const auto& catalog = *reference->catalog;
        std::string detail = text_format("version {}, {} items, {} bundles ({})", catalog.version(),
                                         catalog.items().size(), catalog.bundles().size(),
                                         reference->catalog_synced ? "synced from the server"
                                                                   : "shipped with the program");
        for (const auto& problem : reference->problems)
            detail += "; " + problem;
        checks.push_back(
            {"catalog", reference->problems.empty() ? S::Ok : S::Warning, std::move(detail)});
    } else if (!session) {
        try {
            auto dir = ow::forms::default_catalog_dir();
            auto catalog = ow::forms::Catalog::load_directory(dir);
            checks.push_back(
                {"catalog", S::Ok,
                 text_format("version {}, {} items, {} bundles ({})", catalog.version(),
                             catalog.items().size(), catalog.bundles().size(), dir.string())});
        } catch (const std::exception& e) {
            checks.push_back({"catalog", S::Failed, e.what()});
        }
    } else if (reference) { // no catalog loads at all
        checks.push_back({"catalog", S::Failed, reference->problems.back()});
    }
    {
        const auto& calendar =
            reference ? *reference->calendar : ow::forms::WorkingCalendar::builtin();
        std::string years;
        for (const auto& [year, status] : calendar.years())
            years += (years.empty() ? "" : ", ") + std::to_string(year) + " " + status;
        if (reference && !reference->synced_calendars.empty()) {
            std::string names;
            for (const auto& n : reference->synced_calendars)
                names += (names.empty() ? "" : ", ") + n;
            years += " (synced: " + names + ")";
        }
        int this_year = static_cast<int>(ow::forms::today().year());
        bool covered = calendar.covers(this_year);
        checks.push_back({"holiday calendar", covered ? S::Ok : S::Warning,
                          years + (covered ? ""
                                           : " (this year is not covered: deadlines are "
                                             "estimates)")});
    }
    if (!Workstation::exists(data_dir)) {
        checks.push_back(
            {"workstation", S::Warning, "not initialised (run 'onewindow-cli init' or enrol)"});
    } else {
        try {
            KeyFile kf = KeyFile::load(paths.key_file());
            checks.push_back({"key file", S::Ok,
                              text_format("workstation {} ({}), page size {}", kf.workstation_id(),
                                          kf.workstation_code(), kf.cipher().page_size)});
        } catch (const std::exception& e) {
            checks.push_back({"key file", S::Failed, e.what()});
        }
        if (!std::filesystem::exists(paths.database(), ec))
            checks.push_back({"cache file", S::Failed, "missing: " + paths.database().string()});
        else if (has_plaintext_sqlite_header(paths.database()))
            checks.push_back({"cache file", S::Failed, "PLAINTEXT SQLite header: refused"});
        else
            checks.push_back(
                {"cache file", S::Ok,
                 text_format("encrypted, {:.1f} MiB",
                             static_cast<double>(std::filesystem::file_size(paths.database(), ec)) /
                                 (1024.0 * 1024.0))});
    }
    if (session) {
        auto& db = session->db();
        std::string qc = db.check_integrity(false);
        checks.push_back({"cache integrity", qc == "ok" ? S::Ok : S::Failed, "quick_check: " + qc});
        int v = db.user_version();
        checks.push_back({"schema", v == latest_schema_version() ? S::Ok : S::Warning,
                          text_format("version {} of {}", v, latest_schema_version())});
    } else {
        checks.push_back({"cache integrity", S::NotChecked,
                          "needs a login: run 'onewindow-cli doctor --user NAME'"});
    }
    checks.push_back(smart_card_check());
    return checks;
}

} // namespace ow::core
