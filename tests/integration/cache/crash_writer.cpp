// Test tool for the crash-safety test: logs in once, then takes in cases as fast as it can and
// prints "committed <case number>" after each commit returns. The harness kills it with SIGKILL
// at a random moment. With --verify it instead checks the cache against a list of committed
// numbers: integrity_check ok, every committed case present, and every case complete (its
// materials and its outbox entry), so no transaction was torn.
#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/presenters.h"
#include "ow/core/workstation.h"

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
                                 "o.entity_id = c.id) FROM cases c");
            int torn = 0;
            while (st.step()) {
                stored.insert(st.text(0));
                if (st.int64(1) != 2 || st.int64(2) != 1)
                    ++torn;
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
        ow::core::CaseService cases(*session);
        ow::core::UserSettings settings(*session);
        for (long i = 0;; ++i) {
            ow::core::CaseDraft d;
            d.applicant_kind = "person";
            d.applicant_id = "11010519491231002X";
            d.applicant_name = "崩溃测试";
            d.items = {"A-" + std::to_string(i % 7), "B"};
            d.catalog_version = "crash-test";
            d.form_data = "{\"n\":" + std::to_string(i) + ",\"padding\":\"" +
                          std::string(static_cast<std::size_t>(200 + (i * 37) % 3000), 'x') + "\"}";
            d.note = "crash run";
            d.promised_date = "2026-12-31";
            d.materials = {{"id-card", "身份证", "required", "paper", 1, ""},
                           {"form", "申请表", "required", "scanned", 2, ""}};
            auto stored = cases.create(d);
            std::cout << "committed " << stored.case_number << std::endl; // flushed
            if (i % 5 == 0)
                settings.set("last", std::to_string(i));
        }
    } catch (const std::exception& e) {
        std::cout << "error: " << e.what() << std::endl;
        return 1;
    }
}
