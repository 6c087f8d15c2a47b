#include "ow/core/reference_data.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/licenses.h"
#include "ow/core/log.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/forms/identifiers.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace ow::core {
namespace {

// The smallest string greater than every string that starts with `prefix` (for index range scans
// instead of LIKE, which cannot use the index under the default collation).
std::string prefix_upper_bound(const std::string& prefix) {
    return prefix + "\xF4\x8F\xBF\xBF";
}

Person read_person(Statement& st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3),
            st.text(4), st.text(5), st.text(6), st.text(7)};
}
Entity read_entity(Statement& st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3),
            st.text(4), st.text(5), st.text(6), st.text(7)};
}
LicenseRecord read_license(Statement& st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
            st.text(6), st.text(7), st.text(8), st.blob(9), st.text(10)};
}

constexpr const char* kPersonColumns =
    "id_number, name, gender, birth_date, address, phone, source, updated_at";
constexpr const char* kEntityColumns =
    "uscc, name, kind, legal_representative, address, established, source, updated_at";
constexpr const char* kLicenseColumns = "license_id, type_code, type_name, holder_id, holder_name, "
                                        "issuer, issue_date, valid_until, face_data, "
                                        "issuer_signature, source";

} // namespace

ReferenceData::Counts ReferenceData::generate_demo(std::size_t persons, std::size_t entities,
                                                   const Progress& progress) {
    session_.require(Permission::ImportData);
    if (persons > DemoDataGenerator::capacity())
        throw CoreError(ErrorCode::InvalidArgument, N_("At most {max} demo persons can be made."),
                        {{"max", std::to_string(DemoDataGenerator::capacity())}});
    auto& db = session_.db();
    DemoDataGenerator gen;
    auto start = std::chrono::steady_clock::now();
    const std::size_t total = persons + entities;
    const std::size_t batch = 100000;
    std::size_t done = 0;

    try {
        bulk_import_demo_persons(db.handle(), gen, persons, [&](std::size_t done_now, std::size_t) {
            done = done_now;
            if (progress)
                progress(done, total);
        });
    } catch (const std::runtime_error& e) {
        throw CoreError(ErrorCode::Storage, N_("Importing reference data failed: {detail}"),
                        {{"detail", e.what()}});
    }

    auto insert_entity = db.prepare(std::string("INSERT OR IGNORE INTO entities(") +
                                    kEntityColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    auto insert_license =
        db.prepare(std::string("INSERT OR IGNORE INTO licenses(") + kLicenseColumns +
                   ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // The demo e-license library's issuer: a fresh key per run, its certificate trusted here,
    // the key gone when this function returns.
    const DemoLicenseIssuer issuer("演示电子证照签发机构 " + now_utc_iso());
    if (entities > 0) {
        Transaction tx(db);
        LicenseIssuers::add(db, issuer.name(), issuer.certificate_der(), "demo");
        tx.commit();
    }
    for (std::size_t first = 0; first < entities; first += batch) {
        std::size_t last = std::min(entities, first + batch);
        Transaction tx(db);
        for (std::size_t i = first; i < last; ++i) {
            Entity e = gen.entity(i);
            insert_entity.bind(1, e.uscc).bind(2, e.name).bind(3, e.kind);
            insert_entity.bind(4, e.legal_representative).bind(5, e.address);
            insert_entity.bind(6, e.established).bind(7, e.source).bind(8, e.updated_at).run();
            insert_entity.reset();
            for (LicenseRecord& l : gen.licenses(e, i)) {
                issuer.sign(l);
                if (i == kDemoTamperedEntity && l.type_name == "营业执照") {
                    // One record altered after signing: the GUI shows it as untrusted and
                    // restoring it is refused (a demo of what a forged record looks like).
                    auto face = nlohmann::json::parse(l.face_data);
                    face["注册资本"] = "99999万元人民币";
                    l.face_data = face.dump();
                }
                insert_license.bind(1, l.license_id).bind(2, l.type_code).bind(3, l.type_name);
                insert_license.bind(4, l.holder_id).bind(5, l.holder_name).bind(6, l.issuer);
                insert_license.bind(7, l.issue_date).bind(8, l.valid_until).bind(9, l.face_data);
                insert_license.bind_blob(10, l.issuer_signature.data(), l.issuer_signature.size());
                insert_license.bind(11, l.source).bind(12, e.updated_at).run();
                insert_license.reset();
            }
        }
        tx.commit();
        done += last - first;
        if (progress)
            progress(done, total);
    }
    if (entities > 0)
        CenterSeals(session_).ensure_demo_seal(kDemoCenterName);
    {
        Transaction tx(db);
        session_.audit().append(session_.user().name, "reference.demo-data", "reference",
                                "{\"persons\":" + std::to_string(persons) +
                                    ",\"entities\":" + std::to_string(entities) + "}");
        tx.commit();
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log::info("demo data: persons={} entities={} in {:.2f} s", persons, entities, seconds);
    return counts();
}

ReferenceData::Counts ReferenceData::counts() {
    if (!session_.may(Permission::ImportData))
        session_.require(Permission::ViewCases);
    auto& db = session_.db();
    auto count = [&](const char* sql) {
        auto st = db.prepare(sql);
        st.step();
        return st.int64(0);
    };
    return {count("SELECT count(*) FROM persons"), count("SELECT count(*) FROM entities"),
            count("SELECT count(*) FROM licenses")};
}

std::optional<Person> ReferenceData::find_person(const std::string& id_number) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(std::string("SELECT ") + kPersonColumns +
                                    " FROM persons WHERE id_number = ?");
    st.bind(1, ow::forms::normalize_identifier(id_number));
    if (!st.step())
        return std::nullopt;
    return read_person(st);
}

std::optional<Entity> ReferenceData::find_entity(const std::string& uscc) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(std::string("SELECT ") + kEntityColumns +
                                    " FROM entities WHERE uscc = ?");
    st.bind(1, ow::forms::normalize_identifier(uscc));
    if (!st.step())
        return std::nullopt;
    return read_entity(st);
}

std::vector<Person> ReferenceData::persons_by_name_prefix(const std::string& prefix, int limit) {
    session_.require(Permission::ViewCases);
    std::vector<Person> out;
    if (prefix.empty())
        return out;
    auto st = session_.db().prepare(std::string("SELECT ") + kPersonColumns +
                                    " FROM persons WHERE name >= ? AND name < ? ORDER BY name, "
                                    "id_number LIMIT ?");
    st.bind(1, prefix).bind(2, prefix_upper_bound(prefix)).bind(3, limit);
    while (st.step())
        out.push_back(read_person(st));
    return out;
}

std::vector<Entity> ReferenceData::entities_by_name_prefix(const std::string& prefix, int limit) {
    session_.require(Permission::ViewCases);
    std::vector<Entity> out;
    if (prefix.empty())
        return out;
    auto st = session_.db().prepare(std::string("SELECT ") + kEntityColumns +
                                    " FROM entities WHERE name >= ? AND name < ? ORDER BY name, "
                                    "uscc LIMIT ?");
    st.bind(1, prefix).bind(2, prefix_upper_bound(prefix)).bind(3, limit);
    while (st.step())
        out.push_back(read_entity(st));
    return out;
}

std::vector<LicenseRecord> ReferenceData::licenses_of(const std::string& holder_id) {
    session_.require(Permission::ViewCases);
    std::vector<LicenseRecord> out;
    auto st = session_.db().prepare(std::string("SELECT ") + kLicenseColumns +
                                    " FROM licenses WHERE holder_id = ? ORDER BY issue_date");
    st.bind(1, ow::forms::normalize_identifier(holder_id));
    while (st.step())
        out.push_back(read_license(st));
    return out;
}

std::vector<LicenseRecord> ReferenceData::licenses_all(int limit) {
    session_.require(Permission::ViewCases);
    std::vector<LicenseRecord> out;
    auto st = session_.db().prepare(std::string("SELECT ") + kLicenseColumns +
                                    " FROM licenses ORDER BY license_id LIMIT ?");
    st.bind(1, limit);
    while (st.step())
        out.push_back(read_license(st));
    return out;
}

std::vector<LicenseRecord> ReferenceData::licenses_by_holder_name_prefix(const std::string& prefix,
                                                                         int limit) {
    session_.require(Permission::ViewCases);
    std::vector<LicenseRecord> out;
    if (prefix.empty())
        return out;
    auto st = session_.db().prepare(std::string("SELECT ") + kLicenseColumns +
                                    " FROM licenses WHERE holder_name >= ? AND holder_name < ? "
                                    "ORDER BY holder_name, license_id LIMIT ?");
    st.bind(1, prefix).bind(2, prefix_upper_bound(prefix)).bind(3, limit);
    while (st.step())
        out.push_back(read_license(st));
    return out;
}

std::optional<LicenseRecord> ReferenceData::find_license(const std::string& license_id) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(std::string("SELECT ") + kLicenseColumns +
                                    " FROM licenses WHERE license_id = ?");
    st.bind(1, ow::forms::normalize_identifier(license_id));
    if (!st.step())
        return std::nullopt;
    return read_license(st);
}

} // namespace ow::core
