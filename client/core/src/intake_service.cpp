#include "ow/core/intake_service.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/reference_data.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include "ow/forms/identifiers.h"

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
        sources["entity"] = {{"uscc", e->uscc},
                             {"name", e->name},
                             {"kind", e->kind},
                             {"legal_representative", e->legal_representative},
                             {"address", seat},
                             {"established", e->established}};
        sources["party"] = {{"name", e->name}, {"address", seat}};
    }
    return forms::compute_prefill(form, sources, current, false);
}

forms::ValidationResult IntakeService::validate(const forms::MergedForm& form,
                                                const nlohmann::json& values) const {
    return forms::validate_form(form, values);
}

std::string IntakeService::promised_date(const forms::MergedForm& form) const {
    auto today = forms::today();
    forms::Date latest = today;
    for (const auto& code : form.items) {
        const auto* item = catalog_.find_item(code);
        if (!item || item->is_immediate() || item->promised_limit.amount <= 0)
            continue;
        auto due = calendar_.deadline(today, item->promised_limit.amount, item->promised_limit.unit);
        if (std::chrono::sys_days(due.date) > std::chrono::sys_days(latest))
            latest = due.date;
    }
    return forms::format_date(latest);
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

IntakeOutcome IntakeService::submit(const IntakeRequest& request) {
    session_.require(Permission::Intake);
    forms::MergedForm form = merge(request.items);
    auto result = validate(form, request.values);

    std::vector<forms::FieldIssue> problems;
    // The applicant is part of the form too.
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
    if (request.applicant_name.empty())
        problems.push_back({"applicant.name", forms::Severity::Error, "required",
                            "请填写申请人名称", "the applicant's name is required"});
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

    // Materials: what applies to this case, and what the clerk received.
    CaseDraft draft;
    std::vector<forms::DocumentMaterial> doc_materials;
    bool mandatory_missing = false;
    for (const auto* m : forms::applicable_materials(form, result.values)) {
        const auto& mat = m->material;
        MaterialDecision decision;
        if (auto it = request.materials.find(mat.key); it != request.materials.end())
            decision = it->second;
        if (decision.status == forms::MaterialStatus::Deferred &&
            mat.necessity_kind != forms::Necessity::Deferrable)
            throw IntakeRejected({{mat.key, forms::Severity::Error, "not_deferrable",
                                   "“" + mat.name.zh + "”不允许容缺后补",
                                   "\"" + mat.name.en + "\" may not be handed in later"}});
        if (decision.status == forms::MaterialStatus::ELicense && decision.license_id.empty())
            throw IntakeRejected({{mat.key, forms::Severity::Error, "license_required",
                                   "“" + mat.name.zh + "”以电子证照代替时须注明证照标识",
                                   "name the e-license that replaces \"" + mat.name.en + "\""}});
        std::string status = "missing";
        switch (decision.status) {
        case forms::MaterialStatus::Received: status = decision.pages > 0 ? "scanned" : "paper"; break;
        case forms::MaterialStatus::ELicense: status = "e-license"; break;
        case forms::MaterialStatus::Deferred: status = "deferred"; break;
        case forms::MaterialStatus::NotApplicable: status = "not-applicable"; break;
        case forms::MaterialStatus::Missing: status = "missing"; break;
        }
        if (decision.status == forms::MaterialStatus::Missing &&
            mat.necessity_kind != forms::Necessity::Optional) {
            mandatory_missing = true;
            outcome.missing.push_back(mat.name.zh);
        }
        if (decision.status == forms::MaterialStatus::Deferred)
            outcome.deferred.push_back(mat.name.zh);
        std::string necessity = mat.necessity_kind == forms::Necessity::Required     ? "required"
                                : mat.necessity_kind == forms::Necessity::Deferrable ? "deferrable"
                                                                                     : "optional";
        draft.materials.push_back(
            {mat.key, mat.name.zh, necessity, status, decision.pages, decision.license_id});
        forms::DocumentMaterial dm;
        dm.name = mat.name.zh;
        dm.status = decision.status;
        dm.originals = mat.originals;
        dm.copies = mat.copies;
        dm.form = catalog_.label(mat.form);
        dm.requirement = mat.accept_standard;
        if (decision.status == forms::MaterialStatus::ELicense)
            dm.note = "电子证照 " + decision.license_id;
        doc_materials.push_back(std::move(dm));
    }

    draft.applicant_kind = request.applicant_kind;
    draft.applicant_id = forms::normalize_identifier(request.applicant_id);
    draft.applicant_name = request.applicant_name;
    draft.items = form.items;
    draft.catalog_version = form.catalog_version;
    draft.form_data = result.values.dump();
    draft.note = request.note;
    draft.promised_date = mandatory_missing ? "" : promised_date(form);
    draft.state = mandatory_missing ? "pending-materials" : "accepted";
    outcome.document_kind =
        mandatory_missing ? forms::DocumentKind::OneTimeNotice : forms::DocumentKind::Receipt;

    forms::CaseDocument doc;
    doc.kind = outcome.document_kind;
    doc.center_name = center_.center_name;
    doc.organ_name = center_.organ_name;
    doc.contact_phone = center_.contact_phone;
    doc.applicant.name = request.applicant_name;
    doc.applicant.id_label = request.applicant_kind == "person" ? "公民身份号码" : "统一社会信用代码";
    doc.applicant.id_number = draft.applicant_id;
    doc.applicant.phone = result.values.value("applicant.phone", "");
    for (const auto& code : form.items) {
        const auto* item = catalog_.find_item(code);
        forms::DocumentItem di;
        di.code = code;
        di.name = item ? item->name.zh : code;
        if (item)
            di.time_limit = item->is_immediate()
                                ? "即办件"
                                : std::to_string(item->promised_limit.amount) +
                                      (item->promised_limit.unit == forms::TimeUnit::WorkingDays
                                           ? "个工作日"
                                           : "日");
        di.promised_date = draft.promised_date;
        doc.items.push_back(std::move(di));
    }
    doc.materials = doc_materials;
    doc.issue_date = forms::format_date(forms::today());
    doc.received_at = doc.issue_date;
    doc.clerk_name = session_.user().display_name;
    if (mandatory_missing || !outcome.deferred.empty())
        doc.supplement_deadline = forms::format_date(calendar_.add_working_days(forms::today(), 5));

    BlobStore blobs(session_);
    outcome.stored = CaseService(session_).create(draft, [&](const CaseSummary& stored) {
        // Inside the case's transaction: the document is part of the intake, or nothing is.
        doc.case_number = stored.case_number;
        doc.document_number = stored.case_number;
        outcome.document_pdf = forms::render_document(doc);
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
    });
    return outcome;
}

} // namespace ow::core
