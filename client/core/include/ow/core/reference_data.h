// Reference data cached on the workstation: persons (population library), legal entities and the
// e-licenses they hold. Clerks look applicants up by ID number, USCC or name prefix; the intake
// prefills from it. All of it lives only in the encrypted cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace ow::core {

class Session;

struct Person {
    std::string id_number;
    std::string name;
    std::string gender; // "male" / "female"
    std::string birth_date;
    std::string address;
    std::string phone;
    std::string source;
    std::string updated_at;
};

struct Entity {
    std::string uscc;
    std::string name;
    std::string kind;
    std::string legal_representative;
    std::string address;
    std::string established;
    std::string source;
    std::string updated_at;
};

struct LicenseRecord {
    std::string license_id;
    std::string type_code;
    std::string type_name;
    std::string holder_id;
    std::string holder_name;
    std::string issuer;
    std::string issue_date;
    std::string valid_until;
    std::string face_data; // JSON object of the 照面信息 fields
    std::vector<unsigned char> issuer_signature;
    std::string source;
};

// Deterministic synthetic reference data: the same seed and index give the same record on every
// machine. ID numbers pass GB 11643, USCCs pass GB 32100, license identifiers pass GB/T 36904.
// Every index below `capacity()` gives a distinct ID number (a bijective scramble).
class DemoDataGenerator {
public:
    explicit DemoDataGenerator(std::uint64_t seed = 20261128);
    Person person(std::size_t index) const;
    Entity entity(std::size_t index) const;
    LicenseRecord business_license(const Entity& holder, std::size_t index) const;
    // Every demo license of entity `index`: the business license, one more type for four in five
    // entities (食品经营 / 建筑施工 / 排污 / 道路运输), and for one in seven a 个体工商户营业执照
    // held by the legal representative (a person). Not signed: the caller's issuer signs them.
    std::vector<LicenseRecord> licenses(const Entity& holder, std::size_t index) const;
    static std::size_t capacity();
    // The ID number of person(index), without building the rest of the record.
    std::string id_number(std::size_t index) const;
    // Indices 0..count-1 ordered by their ID number: bulk imports in key order append to the
    // B-tree instead of scattering writes over it (3x faster at 1M rows, measured).
    std::vector<std::size_t> person_indices_in_key_order(std::size_t count) const;

private:
    std::uint64_t seed_;
};

// The persons table exactly as the cache creates it (shared with the cache benchmark).
extern const char* const kPersonsTableSql;

// Bulk import of demo persons 0..count-1 into the persons table of `db`, in key order, 100k rows
// per transaction. Into an empty table the name index is dropped first and rebuilt at the end
// (one sort instead of a million scattered inserts). Raw SQLite API on purpose: the cache
// benchmark runs this very code against plain SQLite as its peer. Throws std::runtime_error.
using ImportProgress = std::function<void(std::size_t done, std::size_t total)>;
void bulk_import_demo_persons(sqlite3* db, const DemoDataGenerator& generator, std::size_t count,
                              const ImportProgress& progress = {});

// The demo entity whose business license is altered after signing (shown untrusted).
constexpr std::size_t kDemoTamperedEntity = 2;
// The service center named on the demo seal.
constexpr const char* kDemoCenterName = "呼和浩特市政务服务中心";

class ReferenceData {
public:
    explicit ReferenceData(Session& session) : session_(session) {}

    struct Counts {
        std::int64_t persons = 0, entities = 0, licenses = 0;
    };
    using Progress = std::function<void(std::size_t done, std::size_t total)>;

    // Admin: adds the demo set (persons 0..persons-1, entities 0..entities-1 and their licenses,
    // DemoDataGenerator::licenses) in one transaction per 100k rows. Existing rows are kept. The
    // licenses are signed by a demo issuer whose certificate becomes trusted; a demo center seal
    // is installed when none exists.
    Counts generate_demo(std::size_t persons, std::size_t entities, const Progress& progress = {});
    Counts counts();

    std::optional<Person> find_person(const std::string& id_number);
    std::optional<Entity> find_entity(const std::string& uscc);
    std::vector<Person> persons_by_name_prefix(const std::string& prefix, int limit = 20);
    std::vector<Entity> entities_by_name_prefix(const std::string& prefix, int limit = 20);
    std::vector<LicenseRecord> licenses_of(const std::string& holder_id);
    std::vector<LicenseRecord> licenses_all(int limit); // by identifier
    std::vector<LicenseRecord> licenses_by_holder_name_prefix(const std::string& prefix,
                                                              int limit = 50);
    std::optional<LicenseRecord> find_license(const std::string& license_id);

private:
    Session& session_;
};

} // namespace ow::core
