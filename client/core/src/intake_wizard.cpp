#include "ow/core/intake_wizard.h"

#include "ow/core/workstation.h"

#include <algorithm>

namespace ow::core {

std::vector<std::pair<IntakeWizardPresenter::Step, std::string>> IntakeWizardPresenter::steps() {
    return {{Step::Applicant, N_("Applicant")},
            {Step::Items, N_("Service items")},
            {Step::Form, N_("Form")},
            {Step::Materials, N_("Materials")},
            {Step::Review, N_("Confirm")}};
}

IntakeWizardPresenter::IntakeWizardPresenter(Session& session, const forms::Catalog& catalog,
                                             const forms::WorkingCalendar& calendar)
    : session_(session), catalog_(catalog), service_(session, catalog, calendar), lookup_(session) {
    session_.require(Permission::Intake);
}

const ApplicantLookupPresenter::Result& IntakeWizardPresenter::look_up(const std::string& input) {
    applicant_ = lookup_.look_up(input);
    applicant_name_.clear();
    if (!applicant_.card.empty())
        applicant_name_ = applicant_.card.front().value;
    return applicant_;
}

std::vector<forms::SearchHit> IntakeWizardPresenter::search(const std::string& query) const {
    auto hits = catalog_.search(query, 30);
    // Bundles (一件事) first: one visit for a whole life event.
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return (a.bundle != nullptr) > (b.bundle != nullptr);
    });
    return hits;
}

void IntakeWizardPresenter::add_item(const std::string& code) {
    if (catalog_.find_item(code) && std::find(items_.begin(), items_.end(), code) == items_.end())
        items_.push_back(code);
}

void IntakeWizardPresenter::add_bundle(const std::string& code) {
    if (const auto* bundle = catalog_.find_bundle(code))
        for (const auto& item : bundle->items)
            add_item(item);
}

void IntakeWizardPresenter::remove_item(const std::string& code) {
    items_.erase(std::remove(items_.begin(), items_.end(), code), items_.end());
}

std::string IntakeWizardPresenter::item_name(const std::string& code,
                                             const std::string& lang) const {
    const auto* item = catalog_.find_item(code);
    return item ? item->name.in(lang) : code;
}

void IntakeWizardPresenter::build_form() {
    bool same_items = form_ && form_->items == items_;
    if (!same_items) {
        form_ = service_.merge(items_);
        // Values of fields that are still on the form survive a change of items.
        nlohmann::json kept = nlohmann::json::object();
        for (const auto& f : form_->fields)
            if (values_.contains(f.field.key))
                kept[f.field.key] = values_[f.field.key];
        values_ = kept;
    }
    // The identifier already told what kind of applicant this is.
    if (form_->find_field("applicant.type") && !values_.contains("applicant.type")) {
        values_["applicant.type"] =
            applicant_.kind == ApplicantLookupPresenter::Kind::Entity ? "entity" : "person";
        prefill_sources_["applicant.type"] = "identifier";
    }
    for (const auto& p : service_.prefill(*form_, applicant_.identifier, values_)) {
        values_[p.key] = p.value;
        prefill_sources_[p.key] = p.source;
    }
    e_licenses_ = service_.e_license_substitutes(*form_, applicant_.identifier);
}

void IntakeWizardPresenter::set_value(const std::string& key, nlohmann::json value) {
    if (value.is_null() || (value.is_string() && value.get<std::string>().empty()))
        values_.erase(key);
    else
        values_[key] = std::move(value);
    prefill_sources_.erase(key); // the clerk's edit is kept and no longer counts as prefilled
}

std::string IntakeWizardPresenter::prefilled_from(const std::string& key) const {
    auto it = prefill_sources_.find(key);
    return it == prefill_sources_.end() ? std::string() : it->second;
}

bool IntakeWizardPresenter::visible(const forms::MergedField& field) const {
    return forms::is_visible(field, values_);
}

bool IntakeWizardPresenter::required(const forms::MergedField& field) const {
    return forms::is_required(field, values_);
}

std::vector<IntakeWizardPresenter::MaterialRow> IntakeWizardPresenter::materials() const {
    std::vector<MaterialRow> rows;
    if (!form_)
        return rows;
    for (const auto* m : forms::applicable_materials(*form_, values_)) {
        MaterialRow row{m->material.key, m->material.name.zh, m->material.necessity_kind, {}, {}};
        if (auto it = materials_.find(row.key); it != materials_.end())
            row.decision = it->second;
        if (auto it = e_licenses_.find(row.key); it != e_licenses_.end())
            row.e_license = it->second;
        rows.push_back(std::move(row));
    }
    return rows;
}

void IntakeWizardPresenter::set_material(const std::string& key, MaterialDecision decision) {
    materials_[key] = std::move(decision);
}

void IntakeWizardPresenter::mark_all_received() {
    for (const auto& row : materials()) {
        if (!row.e_license.empty())
            materials_[row.key] = {forms::MaterialStatus::ELicense, 0, row.e_license};
        else
            materials_[row.key] = {forms::MaterialStatus::Received, 1, ""};
    }
}

std::string IntakeWizardPresenter::promised_date() const {
    return form_ ? service_.promised_date(*form_) : std::string();
}

bool IntakeWizardPresenter::next() {
    problems_.clear();
    switch (step_) {
    case Step::Applicant:
        if (applicant_.kind == ApplicantLookupPresenter::Kind::None ||
            applicant_.severity == ApplicantLookupPresenter::Severity::Error)
            problems_.push_back({N_("Look up the applicant's ID number or USCC first."), {}});
        if (applicant_name_.empty())
            problems_.push_back({N_("Type the applicant's name."), {}});
        if (problems_.empty())
            step_ = Step::Items;
        break;
    case Step::Items:
        if (items_.empty()) {
            problems_.push_back({N_("Choose at least one service item."), {}});
            break;
        }
        try {
            build_form();
            step_ = Step::Form;
        } catch (const std::exception& e) {
            problems_.push_back(
                {N_("These items cannot be combined: {reason}"), {{"reason", e.what()}}});
        }
        break;
    case Step::Form: {
        field_issues_.clear();
        auto result = service_.validate(*form_, values_);
        for (const auto& issue : result.issues)
            field_issues_[issue.key].push_back(issue);
        if (result.ok()) {
            step_ = Step::Materials;
        } else {
            problems_.push_back({N_("Fields that need attention: {count}."),
                                 {{"count", std::to_string(result.error_count())}}});
        }
        break;
    }
    case Step::Materials:
        step_ = Step::Review;
        break;
    case Step::Review:
        return submit();
    case Step::Done:
        break;
    }
    return problems_.empty();
}

void IntakeWizardPresenter::back() {
    problems_.clear();
    switch (step_) {
    case Step::Items:
        step_ = Step::Applicant;
        break;
    case Step::Form:
        step_ = Step::Items;
        break;
    case Step::Materials:
        step_ = Step::Form;
        break;
    case Step::Review:
        step_ = Step::Materials;
        break;
    default:
        break;
    }
}

IntakeRequest IntakeWizardPresenter::request() const {
    IntakeRequest request;
    request.items = items_;
    request.applicant_kind =
        applicant_.kind == ApplicantLookupPresenter::Kind::Entity ? "entity" : "person";
    request.applicant_id = applicant_.identifier;
    request.applicant_name = applicant_name_;
    request.values = values_;
    request.materials = materials_;
    request.complete_on_the_spot = complete_on_the_spot_ && can_complete_on_the_spot();
    return request;
}

bool IntakeWizardPresenter::record(
    const std::function<IntakeOutcome(const IntakeRequest&)>& action) {
    problems_.clear();
    try {
        outcome_ = action(request());
        step_ = Step::Done;
        return true;
    } catch (const IntakeRejected& e) {
        for (const auto& issue : e.issues())
            problems_.push_back(
                {"{key}: {message}", {{"key", issue.key}, {"message", issue.message_zh}}});
    } catch (const CoreError& e) {
        problems_.push_back(UiMessage::from(e));
    }
    return false;
}

bool IntakeWizardPresenter::submit() {
    return record([this](const IntakeRequest& r) { return service_.submit(r); });
}

bool IntakeWizardPresenter::can_complete_on_the_spot() const {
    return form_ && service_.can_complete_on_the_spot(*form_);
}

bool IntakeWizardPresenter::refuse(const RefusalGrounds& grounds) {
    return record([&](const IntakeRequest& r) { return service_.refuse(r, grounds); });
}

} // namespace ow::core
