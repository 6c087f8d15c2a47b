// The clerk's one-form intake (一表填报), end to end and offline: merge the chosen items into one
// form, prefill it from the cached reference data, validate, decide between acceptance (受理),
// acceptance with deferred materials (容缺受理) and the one-time notice of missing materials
// (一次性告知), render the document, and store the case, its materials, its document (an encrypted
// blob), its audit event and its outbox entry in ONE local transaction.
#pragma once

#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/scan_service.h"
#include "ow/forms/calendar.h"
#include "ow/forms/catalog.h"
#include "ow/forms/documents.h"
#include "ow/forms/intake.h"
#include "ow/forms/merge.h"
#include "ow/forms/prefill.h"
#include "ow/forms/validation.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace ow::core {

class Session;

// What the clerk did with one material at the counter.
struct MaterialDecision {
    forms::MaterialStatus status = forms::MaterialStatus::Missing;
    int pages = 0;
    std::string license_id; // for ELicense (免提交)
};

struct IntakeRequest {
    std::vector<std::string> items; // service-item codes (a bundle's items, or single items)
    std::string applicant_kind;     // "person" / "entity"
    std::string applicant_id;
    std::string applicant_name;
    nlohmann::json values = nlohmann::json::object();  // by semantic key
    std::map<std::string, MaterialDecision> materials; // by material key; absent = missing
    std::string note;
    bool acknowledge_warnings = true; // warnings (e.g. a USCC check digit) were seen and accepted
    // 即办件: the case is concluded at the counter (state "completed"). Only when every item is a
    // 即办件 and every needed material is there.
    bool complete_on_the_spot = false;
    // Pages scanned at the counter, stored with the case in its transaction (each attachment's
    // case_number is ignored: the case does not exist before).
    std::vector<ScanAttachment> scans;
};

// Why the counter does not accept an application (不予受理, 行政许可法 Art. 32).
struct RefusalGrounds {
    std::vector<std::string> reasons; // at least one
    std::string basis;                // legal basis; the document has a default
    std::string competent_organ;      // where to apply instead, when not this organ's competence
};

struct IntakeOutcome {
    CaseSummary stored;
    forms::IntakeDecision decision = forms::IntakeDecision::Accept;
    forms::DocumentKind document_kind = forms::DocumentKind::Receipt;
    BlobInfo document;                 // the rendered PDF, stored encrypted
    std::string document_pdf;          // the same bytes, for printing or --out
    forms::CaseDocument document_data; // what the document says (for the on-screen preview)
    std::vector<std::string> missing;  // names of mandatory materials not handed in
    std::vector<std::string> deferred; // names of materials accepted later (容缺后补)
    std::vector<forms::FieldIssue> warnings;
};

// Thrown when the form has errors: every issue is listed; nothing was stored.
class IntakeRejected : public std::runtime_error {
public:
    explicit IntakeRejected(std::vector<forms::FieldIssue> issues);
    const std::vector<forms::FieldIssue>& issues() const { return issues_; }

private:
    std::vector<forms::FieldIssue> issues_;
};

struct CenterInfo {
    std::string center_name = "政务服务中心";
    std::string organ_name = "政务服务管理局";
    std::string contact_phone = "12345";
};

class IntakeService {
public:
    IntakeService(Session& session, const forms::Catalog& catalog,
                  const forms::WorkingCalendar& calendar, CenterInfo center = {});

    forms::MergedForm merge(const std::vector<std::string>& items) const;
    // Prefill values from the cache for the applicant (person or entity by identifier).
    std::vector<forms::PrefillValue> prefill(const forms::MergedForm& form,
                                             const std::string& applicant_id,
                                             const nlohmann::json& current) const;
    forms::ValidationResult validate(const forms::MergedForm& form,
                                     const nlohmann::json& values) const;
    // The promised completion date (承诺办结日期) of the case when taken in today.
    std::string promised_date(const forms::MergedForm& form) const;
    // The license types among the applicant's cached e-licenses that stand in for a material.
    std::map<std::string, std::string> e_license_substitutes(const forms::MergedForm& form,
                                                             const std::string& applicant_id) const;

    // True when every item of the form is a 即办件 (it may be concluded at the counter).
    bool can_complete_on_the_spot(const forms::MergedForm& form) const;

    // Validates, decides, renders and stores. Throws IntakeRejected (field errors) or CoreError.
    IntakeOutcome submit(const IntakeRequest& request);
    // Refuses the application at the counter (不予受理): stores the case as "refused-at-intake"
    // with the refusal notice. The form need not be complete; the applicant must be identified
    // and at least one reason given. Throws IntakeRejected or CoreError.
    IntakeOutcome refuse(const IntakeRequest& request, const RefusalGrounds& grounds);

private:
    std::vector<forms::FieldIssue> applicant_problems(const IntakeRequest& request) const;
    forms::CaseDocument document_for(forms::DocumentKind kind, const IntakeRequest& request,
                                     const nlohmann::json& values) const;
    IntakeOutcome store(CaseDraft& draft, forms::CaseDocument& doc, IntakeOutcome outcome,
                        const std::vector<ScanAttachment>& scans);

    Session& session_;
    const forms::Catalog& catalog_;
    const forms::WorkingCalendar& calendar_;
    CenterInfo center_;
};

} // namespace ow::core
