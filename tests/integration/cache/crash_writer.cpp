// Test tool for the crash-safety test: logs in once, then takes in cases through the real
// IntakeService (a 3-item bundle: merge, validation, receipt PDF, encrypted blob, case, materials,
// audit, outbox) as fast as it can and prints "committed <case number>" after each commit returns. The harness kills it with SIGKILL
// at a random moment. With --verify it instead checks the cache against a list of committed
// numbers: integrity_check ok, every committed case present, and every case complete (its
// materials and its outbox entry), so no transaction was torn.
#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/intake_service.h"
#include "ow/core/util.h"
#include "ow/core/database.h"
#include "ow/core/presenters.h"
#include "ow/core/workstation.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: crash_writer DATA_DIR USER PASSWORD [--verify COMMITTED_FILE]\n";
        return 2;
    }
    try {
        auto session =
            ow::core::Workstation::login(argv[1], argv[2], ow::core::SecretString(argv[3]));
        auto& db = session->db();
        if (argc == 6 && std::string(argv[4]) == "--verify") {
            std::string integrity = db.check_integrity(true);
            if (integrity != "ok") {
                std::cout << "integrity_check: " << integrity << "\n";
                return 1;
            }
            std::set<std::string> stored;
            auto st = db.prepare("SELECT c.case_number, (SELECT count(*) FROM materials m WHERE "
                                 "m.case_id = c.id), (SELECT count(*) FROM outbox o WHERE "
                                 "o.entity_id = c.id), (SELECT max(blob_id) FROM documents d WHERE "
                                 "d.case_id = c.id) FROM cases c");
            int torn = 0;
            ow::core::BlobStore blobs(*session);
            while (st.step()) {
                stored.insert(st.text(0));
                bool complete = st.int64(1) >= 10 && st.int64(2) == 1 && !st.is_null(3);
                if (complete) {
                    auto pdf = blobs.get(st.text(3)); // decrypts and authenticates every chunk
                    complete = pdf.size() > 4 && pdf[0] == '%' && pdf[1] == 'P';
                }
                if (!complete && ++torn == 1)
                    std::cout << "torn: " << st.text(0) << " materials=" << st.int64(1)
                              << " outbox=" << st.int64(2) << " document=" << !st.is_null(3) << "\n";
            }
            std::ifstream committed(argv[5]);
            std::string line;
            int missing = 0, reported = 0;
            while (std::getline(committed, line)) {
                if (line.rfind("committed ", 0) != 0)
                    continue;
                ++reported;
                if (!stored.count(line.substr(10)))
                    ++missing;
            }
            auto audit = session->audit().verify();
            std::cout << "cases=" << stored.size() << " reported=" << reported
                      << " missing=" << missing << " torn=" << torn
                      << " audit=" << (audit.ok() ? "ok" : "BROKEN") << "\n";
            return missing == 0 && torn == 0 && audit.ok() ? 0 : 1;
        }
        auto source = std::filesystem::path(argv[0]).parent_path();
        const char* src = std::getenv("OW_SOURCE_DIR");
        std::filesystem::path root = src ? src : OW_SOURCE_DIR;
        auto catalog = ow::forms::Catalog::load_directory(root / "forms/data/catalog");
        auto data = nlohmann::json::parse(
            ow::core::read_file(root / "tests/data/intake/restaurant-complete.json"));
        ow::core::IntakeRequest request;
        request.items = catalog.find_bundle("OW-YJS-0001")->items;
        request.applicant_kind = "person";
        request.applicant_id = data["applicant"]["id"];
        request.applicant_name = data["applicant"]["name"];
        request.values = data["values"];
        for (auto it = data["materials"].begin(); it != data["materials"].end(); ++it)
            request.materials[it.key()] = {(*it)["status"] == "deferred"
                                               ? ow::forms::MaterialStatus::Deferred
                                               : ow::forms::MaterialStatus::Received,
                                           it->value("pages", 0), ""};
        ow::core::IntakeService intake(*session, catalog, ow::forms::WorkingCalendar::builtin());
        ow::core::UserSettings settings(*session);
        for (long i = 0;; ++i) {
            request.note = "crash run " + std::to_string(i) + std::string(static_cast<std::size_t>((i * 37) % 3000), 'x');
            auto outcome = intake.submit(request);
            std::cout << "committed " << outcome.stored.case_number << std::endl; // flushed
            if (i % 5 == 0)
                settings.set("last", std::to_string(i));
        }
    } catch (const std::exception& e) {
        std::cout << "error: " << e.what() << std::endl;
        return 1;
    }
}
