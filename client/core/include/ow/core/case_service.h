// Cases (办件) taken in at the counter. Creating a case writes the case, its materials, its audit
// event and its sync outbox entry in ONE local transaction: after a crash there is either no
// case or the complete case with its outbox entry.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class Session;

struct MaterialState {
    std::string key; // material key from the catalog
    std::string name;
    std::string necessity; // "required", "optional", "deferrable" (容缺后补)
    std::string status;    // "missing", "scanned", "e-license", "deferred", "paper"
    int pages = 0;
    std::string license_id; // when an e-license stands in for paper (免提交)
};

struct CaseDraft {
    std::string applicant_kind; // "person" or "entity"
    std::string applicant_id;   // ID number or USCC
    std::string applicant_name;
    std::vector<std::string> items; // service-item codes
    std::string catalog_version;
    std::string form_data = "{}"; // JSON object keyed by semantic field key
    std::string note;
    std::string promised_date; // YYYY-MM-DD, computed in working days by the intake
    std::string state = "accepted";
    std::vector<MaterialState> materials;
};

struct CaseSummary {
    std::string id;
    std::string case_number;
    std::string applicant_kind;
    std::string applicant_id;
    std::string applicant_name;
    std::vector<std::string> items;
    std::string state;
    std::string received_at;
    std::string promised_date;
    std::string received_by;
};

class CaseService {
public:
    explicit CaseService(Session& session) : session_(session) {}

    // Clerk only. Returns the stored case with its new case number. `within` runs inside the
    // same transaction, after the case is written (e.g. to store its documents).
    using WithinTransaction = std::function<void(const CaseSummary&)>;
    CaseSummary create(const CaseDraft& draft, const WithinTransaction& within = {});
    // Newest first; `state` empty = all states.
    std::vector<CaseSummary> list(const std::string& state = "", int limit = 200);
    std::optional<CaseSummary> find(const std::string& case_number);
    std::vector<MaterialState> materials(const std::string& case_id);
    std::int64_t pending_outbox();

private:
    std::string next_case_number(const std::string& day);
    Session& session_;
};

} // namespace ow::core
