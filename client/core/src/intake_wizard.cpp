#include "ow/core/intake_wizard.h"

#include "ow/core/database.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/forms/error.h"

#include <algorithm>

namespace ow::core {
namespace {

// Kept in the user's settings (inside the encrypted cache), not audited: it is work in progress.
constexpr const char* kDraftKey = "intake.draft";

std::optional<nlohmann::json> load_draft(Session& session) {
    auto st = session.db().prepare("SELECT value FROM user_settings WHERE user_id = ? AND key = ?");
    st.bind(1, session.user().id).bind(2, kDraftKey);
    if (!st.step())
        return std::nullopt;
    auto draft = nlohmann::json::parse(st.text(0), nullptr, false);
    if (draft.is_discarded() || !draft.is_object() || draft.value("version", 0) != 1)
        return std::nullopt;
    return draft;
}

} // namespace

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

void IntakeWizardPresenter::set_scans(const std::string& key,
                                      std::vector<ScanAttachment> attachments) {
    int pages = 0;
    for (auto& a : attachments) {
        a.material_key = key;
        pages += static_cast<int>(a.pages.size());
    }
    scans_[key] = std::move(attachments);
    materials_[key] = {forms::MaterialStatus::Received, pages, ""};
}

void IntakeWizardPresenter::mark_all_received() {
    for (const auto& row : materials()) {
        if (!row.e_license.empty())
            materials_[row.key] = {forms::MaterialStatus::ELicense, 0, row.e_license};
        else
            materials_[row.key] = {forms::MaterialStatus::Received, 1, ""};
    }
}

std::vector<std::string> IntakeWizardPresenter::use_e_license(const std::string& license_id,
                                                              const std::string& holder_id,
                                                              const std::string& type_code,
                                                              const std::string& type_name) {
    std::vector<std::string> used;
    if (!form_ || holder_id != applicant_.identifier)
        return used;
    for (const auto* m : forms::applicable_materials(*form_, values_))
        for (const auto& type : m->material.e_license_types)
            if (type == type_code || type == type_name) {
                materials_[m->material.key] = {forms::MaterialStatus::ELicense, 0, license_id};
                e_licenses_[m->material.key] = license_id;
                used.push_back(m->material.name.zh);
                break;
            }
    return used;
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
    const bool moved = problems_.empty();
    keep_draft();
    return moved;
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
    keep_draft();
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
    for (const auto& [key, attachments] : scans_)
        request.scans.insert(request.scans.end(), attachments.begin(), attachments.end());
    return request;
}

bool IntakeWizardPresenter::record(
    const std::function<IntakeOutcome(const IntakeRequest&)>& action) {
    problems_.clear();
    try {
        outcome_ = action(request());
        step_ = Step::Done;
    } catch (const IntakeRejected& e) {
        for (const auto& issue : e.issues())
            problems_.push_back(
                {"{key}: {message}", {{"key", issue.key}, {"message", issue.message_zh}}});
        return false;
    } catch (const CoreError& e) {
        problems_.push_back(UiMessage::from(e));
        return false;
    } catch (const forms::FormsError& e) {
        problems_.push_back({e.message_template(), e.arguments()});
        return false;
    } catch (const std::exception& e) { // nothing was stored; the form stays as it is
        problems_.push_back({N_("The case could not be stored: {detail}"), {{"detail", e.what()}}});
        return false;
    }
    try {
        discard_draft(); // the case is stored; its draft must not be offered again
    } catch (const CoreError& e) {
        problems_.push_back(UiMessage::from(e));
    }
    return true;
}

bool IntakeWizardPresenter::keep_draft() {
    try {
        save_draft();
        return true;
    } catch (const IntakeRejected& e) {
        for (const auto& issue : e.issues())
            problems_.push_back(
                {"{key}: {message}", {{"key", issue.key}, {"message", issue.message_zh}}});
    } catch (const CoreError& e) {
        // The intake itself goes on; the clerk learns that a crash now would lose it.
        problems_.push_back(UiMessage::from(e));
    }
    return false;
}

bool IntakeWizardPresenter::submit() {
    return record([this](const IntakeRequest& r) { return service_.submit(r); });
}

std::optional<IntakeWizardPresenter::DraftInfo> IntakeWizardPresenter::pending_draft() const {
    auto draft = load_draft(session_);
    if (!draft)
        return std::nullopt;
    return DraftInfo{draft->value("saved_at", ""), draft->value("applicant_name", ""),
                     draft->value("items", nlohmann::json::array()).size()};
}

void IntakeWizardPresenter::save_draft() {
    if (step_ == Step::Done)
        return;
    if (step_ == Step::Applicant && applicant_.identifier.empty() && items_.empty())
        return; // nothing typed yet
    nlohmann::json materials = nlohmann::json::object();
    for (const auto& [key, d] : materials_)
        materials[key] = {{"status", static_cast<int>(d.status)},
                          {"pages", d.pages},
                          {"license_id", d.license_id}};
    const nlohmann::json draft = {{"version", 1},
                                  {"step", static_cast<int>(step_)},
                                  {"applicant", applicant_.identifier},
                                  {"applicant_name", applicant_name_},
                                  {"items", items_},
                                  {"values", values_},
                                  {"prefill_sources", prefill_sources_},
                                  {"materials", materials},
                                  {"complete_on_the_spot", complete_on_the_spot_},
                                  {"saved_at", now_utc_iso()}};
    auto& db = session_.db();
    Transaction tx(db);
    db.prepare("DELETE FROM user_settings WHERE user_id = ? AND key = ?")
        .bind(1, session_.user().id)
        .bind(2, kDraftKey)
        .run();
    db.prepare("INSERT INTO user_settings(user_id, key, value) VALUES (?, ?, ?)")
        .bind(1, session_.user().id)
        .bind(2, kDraftKey)
        .bind(3, draft.dump())
        .run();
    tx.commit();
}

void IntakeWizardPresenter::discard_draft() {
    session_.db()
        .prepare("DELETE FROM user_settings WHERE user_id = ? AND key = ?")
        .bind(1, session_.user().id)
        .bind(2, kDraftKey)
        .run();
}

bool IntakeWizardPresenter::resume_draft() {
    auto draft = load_draft(session_);
    if (!draft)
        return false;
    problems_.clear();
    outcome_.reset();
    look_up(draft->value("applicant", ""));
    applicant_name_ = draft->value("applicant_name", applicant_name_);
    items_.clear();
    for (const auto& code : draft->value("items", nlohmann::json::array()))
        if (code.is_string())
            add_item(code.get<std::string>()); // items the catalog no longer has are dropped
    const int step = std::clamp(draft->value("step", 0), static_cast<int>(Step::Applicant),
                                static_cast<int>(Step::Review));
    step_ = static_cast<Step>(step);
    form_.reset();
    values_ = nlohmann::json::object();
    prefill_sources_.clear();
    materials_.clear();
    scans_.clear();
    if (step_ >= Step::Form) {
        if (items_.empty()) {
            step_ = Step::Items;
        } else {
            form_ = service_.merge(items_);
            e_licenses_ = service_.e_license_substitutes(*form_, applicant_.identifier);
            const auto values = draft->value("values", nlohmann::json::object());
            for (const auto& f : form_->fields)
                if (values.contains(f.field.key))
                    values_[f.field.key] = values[f.field.key];
            const auto sources = draft->value("prefill_sources", nlohmann::json::object());
            for (auto it = sources.begin(); it != sources.end(); ++it)
                if (it->is_string() && values_.contains(it.key()))
                    prefill_sources_[it.key()] = it->get<std::string>();
        }
    }
    const auto materials = draft->value("materials", nlohmann::json::object());
    for (auto it = materials.begin(); it != materials.end(); ++it) {
        const int status = it->value("status", 0);
        if (status < static_cast<int>(forms::MaterialStatus::Received) ||
            status > static_cast<int>(forms::MaterialStatus::NotApplicable))
            continue;
        materials_[it.key()] = {static_cast<forms::MaterialStatus>(status), it->value("pages", 0),
                                it->value("license_id", "")};
    }
    complete_on_the_spot_ = draft->value("complete_on_the_spot", false);
    return true;
}

bool IntakeWizardPresenter::can_complete_on_the_spot() const {
    return form_ && service_.can_complete_on_the_spot(*form_);
}

bool IntakeWizardPresenter::refuse(const RefusalGrounds& grounds) {
    return record([&](const IntakeRequest& r) { return service_.refuse(r, grounds); });
}

} // namespace ow::core
