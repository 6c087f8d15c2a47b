// Presentation state of the intake wizard (申请人 → 事项 → 表单 → 材料 → 确认), wx-free so the
// whole flow is unit-tested without a display. The GUI binds widgets to it; IntakeService does
// the work.
#pragma once

#include "ow/core/intake_service.h"
#include "ow/core/presenters.h"
#include "ow/core/scan_service.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class IntakeWizardPresenter {
public:
    enum class Step { Applicant, Items, Form, Materials, Review, Done };
    static std::vector<std::pair<Step, std::string>> steps(); // step, msgid

    IntakeWizardPresenter(Session& session, const forms::Catalog& catalog,
                          const forms::WorkingCalendar& calendar);

    Step step() const { return step_; }
    // Moves on when the current step is complete; otherwise returns false and problems() says why.
    bool next();
    void back();
    const std::vector<UiMessage>& problems() const { return problems_; }

    // Applicant
    const ApplicantLookupPresenter::Result& look_up(const std::string& input);
    const ApplicantLookupPresenter::Result& applicant() const { return applicant_; }
    void set_applicant_name(const std::string& name) { applicant_name_ = name; }
    const std::string& applicant_name() const { return applicant_name_; }

    // Items
    std::vector<forms::SearchHit> search(const std::string& query) const;
    void add_item(const std::string& code);
    void add_bundle(const std::string& code);
    void remove_item(const std::string& code);
    const std::vector<std::string>& items() const { return items_; }
    std::string item_name(const std::string& code, const std::string& lang) const;

    // Form
    const forms::MergedForm& form() const { return *form_; }
    const nlohmann::json& values() const { return values_; }
    void set_value(const std::string& key, nlohmann::json value); // an edit by the clerk
    std::string prefilled_from(const std::string& key) const;     // "" when typed
    bool visible(const forms::MergedField& field) const;
    bool required(const forms::MergedField& field) const;
    // Issues by key after the last validation (the form step's Next).
    const std::map<std::string, std::vector<forms::FieldIssue>>& field_issues() const {
        return field_issues_;
    }

    // Materials
    struct MaterialRow {
        std::string key;
        std::string name;
        forms::Necessity necessity;
        MaterialDecision decision;
        std::string e_license; // an e-license of the applicant that can stand in, if any
    };
    std::vector<MaterialRow> materials() const;
    void set_material(const std::string& key, MaterialDecision decision);
    // Pages scanned for a material at the counter: stored with the case, in its transaction, when
    // it is submitted (or refused). Replaces earlier scans of that material, whose decision becomes
    // "received" with their page count.
    void set_scans(const std::string& key, std::vector<ScanAttachment> attachments);
    bool has_scans(const std::string& key) const { return scans_.count(key) != 0; }
    void mark_all_received();
    // An e-license of the applicant (e.g. one just restored in the Licenses area) stands in for
    // the paper copy (免提交): every material of the form that accepts its type is set to it.
    // Returns the names of those materials; none when the form is not built yet, the license is
    // another holder's, or no material accepts the type.
    std::vector<std::string> use_e_license(const std::string& license_id,
                                           const std::string& holder_id,
                                           const std::string& type_code,
                                           const std::string& type_name);

    // Review and submit
    std::string promised_date() const;
    const std::optional<IntakeOutcome>& outcome() const { return outcome_; }
    bool submit(); // the Review step's action; on success the step is Done
    // 即办件: offered when every item is one; concluding needs every material.
    bool can_complete_on_the_spot() const;
    void set_complete_on_the_spot(bool on) { complete_on_the_spot_ = on; }
    bool complete_on_the_spot() const { return complete_on_the_spot_; }
    // 不予受理 from the Review step (or the Materials step); on success the step is Done.
    bool refuse(const RefusalGrounds& grounds);

    // Drafts save themselves (ui.md): the intake in progress is kept per clerk in the encrypted
    // cache at every step (and whenever the GUI calls save_draft), so closing the wizard, a
    // logout or a crash loses nothing. A submitted or refused intake discards it.
    struct DraftInfo {
        std::string saved_at; // ISO 8601 UTC
        std::string applicant_name;
        std::size_t items = 0;
    };
    std::optional<DraftInfo> pending_draft() const;
    void save_draft();
    bool resume_draft(); // false when there is none or it no longer fits the catalog
    void discard_draft();

private:
    void build_form();

    Session& session_;
    const forms::Catalog& catalog_;
    IntakeService service_;
    ApplicantLookupPresenter lookup_;
    Step step_ = Step::Applicant;
    std::vector<UiMessage> problems_;
    ApplicantLookupPresenter::Result applicant_;
    std::string applicant_name_;
    std::vector<std::string> items_;
    std::optional<forms::MergedForm> form_;
    nlohmann::json values_ = nlohmann::json::object();
    std::map<std::string, std::string> prefill_sources_;
    std::map<std::string, std::vector<forms::FieldIssue>> field_issues_;
    std::map<std::string, MaterialDecision> materials_;
    std::map<std::string, std::vector<ScanAttachment>> scans_; // in memory only, like the pages
    std::map<std::string, std::string> e_licenses_;
    std::optional<IntakeOutcome> outcome_;
    bool complete_on_the_spot_ = false;

    IntakeRequest request() const;
    bool keep_draft(); // save_draft, a failure shown in problems()
    bool record(const std::function<IntakeOutcome(const IntakeRequest&)>& action);
};

} // namespace ow::core
