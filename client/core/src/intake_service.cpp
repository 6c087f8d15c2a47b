#include "ow/core/intake_service.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/reference_data.h"
#include "ow/core/scan_service.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/forms/identifiers.h"

#include <algorithm>

namespace ow::core {

IntakeRejected::IntakeRejected(std::vector<forms::FieldIssue> issues)
    : std::runtime_error(std::to_string(issues.size()) + " problem(s) in the form"),
      issues_(std::move(issues)) {}

IntakeService::IntakeService(Session& session, const forms::Catalog& catalog,
                             const forms::WorkingCalendar& calendar, CenterInfo center)
    : session_(session), catalog_(catalog), calendar_(calendar), center_(std::move(center)) {}

forms::MergedForm IntakeService::merge(const std::vector<std::string>& items) const {
    session_.require(Permission::Intake);
    return forms::merge_items(catalog_, items);
}

std::vector<forms::PrefillValue> IntakeService::prefill(const forms::MergedForm& form,
                                                        const std::string& applicant_id,
                                                        const nlohmann::json& current) const {
    session_.require(Permission::Intake);
    ReferenceData ref(session_);
    nlohmann::json sources = nlohmann::json::object();
    // Sources in the catalog's own shapes: gender as its GB/T 2261.1 code, addresses as
    // {region, detail} with the GB/T 2260 code the identifier carries.
    auto address = [](const std::string& region, const std::string& detail) {
        return nlohmann::json{{"region", region}, {"detail", detail}};
    };
    if (auto p = ref.find_person(applicant_id)) {
        auto home = address(p->id_number.substr(0, 6), p->address);
        sources["person"] = {{"id_number", p->id_number},
                             {"name", p->name},
                             {"gender", p->gender == "male" ? "1" : "2"},
                             {"birth_date", p->birth_date},
                             {"hukou_address", home},
                             {"address", home},
                             {"phone", p->phone}};
        sources["party"] = {{"name", p->name}, {"address", home}, {"phone", p->phone}};
    } else if (auto e = ref.find_entity(applicant_id)) {
        auto seat = address(e->uscc.substr(2, 6), e->address);
        sources["entity"] = {{"uscc", e->uscc}, {"name", e->name},
                             {"kind", e->kind}, {"legal_representative", e->legal_representative},
                             {"address", seat}, {"established", e->established}};
        sources["party"] = {{"name", e->name}, {"address", seat}};
    }
    return forms::compute_prefill(form, sources, current, false);
}

forms::ValidationResult IntakeService::validate(const forms::MergedForm& form,
                                                const nlohmann::json& values) const {
    return forms::validate_form(form, values);
}

std::string IntakeService::promised_date(const forms::MergedForm& form) const {
    return forms::format_date(forms::case_promised_date(
        forms::item_deadlines(catalog_, form, calendar_, forms::today())));
}

bool IntakeService::can_complete_on_the_spot(const forms::MergedForm& form) const {
    return !form.items.empty() &&
           std::all_of(form.items.begin(), form.items.end(), [&](const std::string& code) {
               const auto* item = catalog_.find_item(code);
               return item != nullptr && item->is_immediate();
           });
}

std::map<std::string, std::string>
IntakeService::e_license_substitutes(const forms::MergedForm& form,
                                     const std::string& applicant_id) const {
    std::map<std::string, std::string> out; // material key → license id
    auto licenses = ReferenceData(session_).licenses_of(applicant_id);
    for (const auto& m : form.materials)
        for (const auto& type : m.material.e_license_types)
            for (const auto& l : licenses)
                if (l.type_code == type || l.type_name == type)
                    out.emplace(m.material.key, l.license_id);
    return out;
}

namespace {

// How a material is recorded on the case (materials.status).
std::string material_state(forms::MaterialStatus status, int pages) {
    switch (status) {
    case forms::MaterialStatus::Received:
        return pages > 0 ? "scanned" : "paper";
    case forms::MaterialStatus::ELicense:
        return "e-license";
    case forms::MaterialStatus::Deferred:
        return "deferred";
    case forms::MaterialStatus::NotApplicable:
        return "not-applicable";
    case forms::MaterialStatus::Missing:
        break;
    }
    return "missing";
}

const char* necessity_name(forms::Necessity necessity) {
    switch (necessity) {
    case forms::Necessity::Required:
        return "required";
    case forms::Necessity::Deferrable:
        return "deferrable";
    case forms::Necessity::Optional:
        break;
    }
    return "optional";
}

} // namespace

std::vector<forms::FieldIssue>
IntakeService::applicant_problems(const IntakeRequest& request) const {
    std::vector<forms::FieldIssue> problems;
    if (request.applicant_kind == "person") {
        auto check = forms::check_id_number(request.applicant_id);
        if (check.status == forms::CheckStatus::Invalid)
            problems.push_back({"applicant.id", forms::Severity::Error, check.code,
                                "公民身份号码无效：" + check.message, check.message});
    } else if (request.applicant_kind == "entity") {
        auto check = forms::check_uscc(request.applicant_id);
        if (check.status == forms::CheckStatus::Invalid)
            problems.push_back({"applicant.id", forms::Severity::Error, check.code,
                                "统一社会信用代码无效：" + check.message, check.message});
    } else {
        problems.push_back({"applicant.kind", forms::Severity::Error, "required",
                            "请选择申请人类型（个人或单位）", "choose a person or an entity"});
    }
    if (trim_whitespace(request.applicant_name).empty())
        problems.push_back({"applicant.name", forms::Severity::Error, "required",
                            "请填写申请人名称", "the applicant's name is required"});
    return problems;
}

forms::CaseDocument IntakeService::document_for(forms::DocumentKind kind,
                                                const IntakeRequest& request,
                                                const nlohmann::json& values) const {
    forms::CaseDocument doc;
    doc.kind = kind;
    doc.center_name = center_.center_name;
    doc.organ_name = center_.organ_name;
    doc.contact_phone = center_.contact_phone;
    doc.applicant.name = trim_whitespace(request.applicant_name);
    doc.applicant.id_label =
        request.applicant_kind == "person" ? "公民身份号码" : "统一社会信用代码";
    doc.applicant.id_number = forms::normalize_identifier(request.applicant_id);
    doc.applicant.phone = values.value("applicant.phone", "");
    doc.issue_date = forms::format_date(forms::today());
    doc.received_at = doc.issue_date;
    doc.clerk_name = session_.user().display_name;
    return doc;
}

IntakeOutcome IntakeService::submit(const IntakeRequest& request) {
    session_.require(Permission::Intake);
    forms::MergedForm form = merge(request.items);
    auto result = validate(form, request.values);

    // The applicant is part of the form too.
    std::vector<forms::FieldIssue> problems = applicant_problems(request);
    IntakeOutcome outcome;
    for (const auto& issue : result.issues) {
        if (issue.severity == forms::Severity::Error)
            problems.push_back(issue);
        else
            outcome.warnings.push_back(issue);
    }
    if (!problems.empty())
        throw IntakeRejected(std::move(problems));
    if (!outcome.warnings.empty() && !request.acknowledge_warnings)
        throw IntakeRejected(outcome.warnings);

    // What the clerk recorded for each material must make sense for that material.
    std::map<std::string, forms::MaterialStatus, std::less<>> statuses;
    for (const auto* m : forms::applicable_materials(form, result.values)) {
        const auto& mat = m->material;
        const auto it = request.materials.find(mat.key);
        if (it == request.materials.end())
            continue;
        const auto& decision = it->second;
        if (decision.status == forms::MaterialStatus::Deferred &&
            mat.necessity_kind != forms::Necessity::Deferrable)
            throw IntakeRejected({{mat.key, forms::Severity::Error, "not_deferrable",
                                   "“" + mat.name.zh + "”不允许容缺后补",
                                   "\"" + mat.name.en + "\" may not be handed in later"}});
        if (decision.status == forms::MaterialStatus::ELicense && decision.license_id.empty())
            throw IntakeRejected({{mat.key, forms::Severity::Error, "license_required",
                                   "“" + mat.name.zh + "”以电子证照代替时须注明证照标识",
                                   "name the e-license that replaces \"" + mat.name.en + "\""}});
        statuses[mat.key] = decision.status;
    }
    // Deferral (容缺) only where the clerk chose it: a missing material is never silently deferred.
    const auto assessment =
        forms::assess_intake(form, result.values, statuses, /*allow_deficiency=*/false);
    const bool notice = assessment.decision == forms::IntakeDecision::OneTimeNotice;
    if (request.complete_on_the_spot) {
        if (!can_complete_on_the_spot(form))
            throw IntakeRejected(
                {{"items", forms::Severity::Error, "not_immediate", "只有即办件可以当场办结",
                  "only 即办件 items can be concluded at the counter"}});
        if (assessment.decision != forms::IntakeDecision::Accept)
            throw IntakeRejected(
                {{"materials", forms::Severity::Error, "materials_incomplete",
                  "材料齐全方可当场办结", "every material is needed to conclude at the counter"}});
    }
    outcome.decision = assessment.decision;
    for (const auto* m : assessment.missing)
        outcome.missing.push_back(m->material.name.zh);
    for (const auto* m : assessment.deferred)
        outcome.deferred.push_back(m->material.name.zh);
    const auto deadlines = forms::item_deadlines(catalog_, form, calendar_, forms::today());

    CaseDraft draft;
    draft.applicant_kind = request.applicant_kind;
    draft.applicant_id = forms::normalize_identifier(request.applicant_id);
    draft.applicant_name = trim_whitespace(request.applicant_name);
    draft.items = form.items;
    draft.catalog_version = form.catalog_version;
    draft.form_data = result.values.dump();
    draft.note = request.note;
    draft.promised_date = notice ? ""
                          : request.complete_on_the_spot
                              ? forms::format_date(forms::today())
                              : forms::format_date(forms::case_promised_date(deadlines));
    draft.state = notice                         ? "pending-materials"
                  : request.complete_on_the_spot ? "completed"
                                                 : "accepted";
    outcome.document_kind =
        notice ? forms::DocumentKind::OneTimeNotice : forms::DocumentKind::Receipt;

    auto doc = document_for(outcome.document_kind, request, result.values);
    if (notice || !assessment.deferred.empty())
        doc.supplement_deadline = forms::format_date(
            calendar_.deadline(forms::today(), 5, forms::TimeUnit::WorkingDays).date);
    forms::fill_document(doc, catalog_, form, assessment, deadlines);
    const auto applicable = forms::applicable_materials(form, result.values);
    for (std::size_t i = 0; i < assessment.materials.size(); ++i) {
        const auto& check = assessment.materials[i];
        const auto& mat = check.material->material;
        MaterialDecision decision;
        if (auto it = request.materials.find(mat.key); it != request.materials.end())
            decision = it->second;
        if (check.status == forms::MaterialStatus::ELicense)
            doc.materials[i].note = "电子证照 " + decision.license_id;
        if (std::find(applicable.begin(), applicable.end(), check.material) == applicable.end())
            continue; // does not apply to this case (its condition is false)
        const auto& license =
            check.status == forms::MaterialStatus::ELicense ? decision.license_id : std::string();
        draft.materials.push_back({mat.key, mat.name.zh, necessity_name(mat.necessity_kind),
                                   material_state(check.status, decision.pages), decision.pages,
                                   license});
    }
    for (auto& item : doc.items)
        item.promised_date = notice                         ? std::string()
                             : request.complete_on_the_spot ? draft.promised_date
                                                            : item.promised_date;
    return store(draft, doc, std::move(outcome), request.scans);
}

IntakeOutcome IntakeService::refuse(const IntakeRequest& request, const RefusalGrounds& grounds) {
    session_.require(Permission::Intake);
    std::vector<std::string> reasons;
    for (const auto& r : grounds.reasons)
        if (auto t = trim_whitespace(r); !t.empty())
            reasons.push_back(std::move(t));
    auto problems = applicant_problems(request);
    if (reasons.empty())
        problems.push_back({"refusal.reasons", forms::Severity::Error, "required",
                            "请填写不予受理的理由", "give the reasons for the refusal"});
    if (!problems.empty())
        throw IntakeRejected(std::move(problems));
    forms::MergedForm form = merge(request.items);
    // A refusal does not need a complete form: the values are normalised, errors do not block.
    const auto values = validate(form, request.values).values;

    std::map<std::string, forms::MaterialStatus, std::less<>> statuses;
    for (const auto& [key, decision] : request.materials)
        statuses[key] = decision.status;
    const auto assessment = forms::assess_intake(form, values, statuses, false);
    const auto deadlines = forms::item_deadlines(catalog_, form, calendar_, forms::today());

    CaseDraft draft;
    draft.applicant_kind = request.applicant_kind;
    draft.applicant_id = forms::normalize_identifier(request.applicant_id);
    draft.applicant_name = trim_whitespace(request.applicant_name);
    draft.items = form.items;
    draft.catalog_version = form.catalog_version;
    draft.form_data = values.dump();
    draft.note = request.note;
    draft.state = "refused-at-intake";
    for (const auto& check : assessment.materials)
        if (check.status == forms::MaterialStatus::Received)
            draft.materials.push_back(
                {check.material->material.key, check.material->material.name.zh,
                 necessity_name(check.material->material.necessity_kind), "returned", 0, ""});

    IntakeOutcome outcome;
    outcome.decision = assessment.decision;
    outcome.document_kind = forms::DocumentKind::Refusal;
    auto doc = document_for(forms::DocumentKind::Refusal, request, values);
    doc.refusal_reasons = reasons;
    doc.refusal_basis = trim_whitespace(grounds.basis);
    doc.competent_organ = trim_whitespace(grounds.competent_organ);
    forms::fill_document(doc, catalog_, form, assessment, deadlines);
    return store(draft, doc, std::move(outcome), {}); // a refused case keeps no scans
}

IntakeOutcome IntakeService::store(CaseDraft& draft, forms::CaseDocument& doc,
                                   IntakeOutcome outcome,
                                   const std::vector<ScanAttachment>& scans) {
    BlobStore blobs(session_);
    outcome.stored = CaseService(session_).create(draft, [&](const CaseSummary& stored) {
        // Inside the case's transaction: the document is part of the intake, or nothing is.
        doc.case_number = stored.case_number;
        doc.document_number = stored.case_number;
        outcome.document_pdf = forms::render_document(doc);
        outcome.document_data = doc;
        std::vector<unsigned char> bytes(outcome.document_pdf.begin(), outcome.document_pdf.end());
        outcome.document = blobs.put(bytes, "application/pdf");
        session_.db()
            .prepare("INSERT INTO documents(id, case_id, kind, blob_id, created_at) VALUES (?, ?, "
                     "?, ?, ?)")
            .bind(1, new_uuid())
            .bind(2, stored.id)
            .bind(3, forms::to_string(outcome.document_kind))
            .bind(4, outcome.document.id)
            .bind(5, now_utc_iso())
            .run();
        // The pages scanned at the counter belong to the same commit: a case never claims pages
        // it does not have.
        ScanService scanner(session_);
        for (const auto& scan : scans)
            scanner.attach_within(scan, stored);
    });
    return outcome;
}

} // namespace ow::core
