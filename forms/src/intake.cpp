#include "ow/forms/intake.h"

#include "ow/forms/error.h"

#include <algorithm>

namespace ow::forms {

const char* to_string(IntakeDecision decision) {
    switch (decision) {
    case IntakeDecision::Accept:
        return "accept";
    case IntakeDecision::AcceptWithDeficiency:
        return "accept-with-deficiency";
    case IntakeDecision::OneTimeNotice:
        return "one-time-notice";
    }
    return "accept";
}

IntakeAssessment assess_intake(const MergedForm& form, const nlohmann::json& values,
                               const std::map<std::string, MaterialStatus, std::less<>>& statuses,
                               bool allow_deficiency) {
    IntakeAssessment a;
    const auto applicable = applicable_materials(form, values);
    for (const auto& m : form.materials) {
        const bool applies =
            std::find(applicable.begin(), applicable.end(), &m) != applicable.end();
        const auto it = statuses.find(m.material.key);
        MaterialStatus status = it == statuses.end() ? MaterialStatus::Missing : it->second;
        if (!applies) {
            a.materials.push_back({&m, MaterialStatus::NotApplicable});
            continue;
        }
        const bool present =
            status == MaterialStatus::Received || status == MaterialStatus::ELicense;
        if (status == MaterialStatus::Deferred &&
            m.material.necessity_kind == Necessity::Deferrable) {
            // The clerk accepted it to follow (容缺后补), which the catalog allows.
            a.deferred.push_back(&m);
        } else if (!present) {
            switch (m.material.necessity_kind) {
            case Necessity::Required:
                status = MaterialStatus::Missing;
                a.missing.push_back(&m);
                break;
            case Necessity::Deferrable:
                if (allow_deficiency) {
                    status = MaterialStatus::Deferred;
                    a.deferred.push_back(&m);
                } else {
                    status = MaterialStatus::Missing;
                    a.missing.push_back(&m);
                }
                break;
            case Necessity::Optional:
                status = MaterialStatus::NotApplicable;
                break;
            }
        }
        a.materials.push_back({&m, status});
    }
    a.decision = !a.missing.empty()    ? IntakeDecision::OneTimeNotice
                 : !a.deferred.empty() ? IntakeDecision::AcceptWithDeficiency
                                       : IntakeDecision::Accept;
    return a;
}

std::vector<ItemDeadline> item_deadlines(const Catalog& catalog, const MergedForm& form,
                                         const WorkingCalendar& calendar, const Date& accepted,
                                         bool count_start_day) {
    std::vector<ItemDeadline> out;
    for (const auto& code : form.items) {
        const auto* item = catalog.find_item(code);
        if (item == nullptr) {
            throw FormsError(FormsErrorCode::NotFound,
                             N_("The catalog (version {version}) has no service item {item}."),
                             {{"version", catalog.version()}, {"item", code}});
        }
        ItemDeadline d;
        d.item = code;
        const auto& p = item->promised_limit;
        d.time_limit_text = p.amount == 0
                                ? "即办件"
                                : std::to_string(p.amount) +
                                      (p.unit == TimeUnit::WorkingDays ? "个工作日" : "个自然日");
        d.legal = calendar.deadline(accepted, item->legal_limit.amount, item->legal_limit.unit,
                                    count_start_day);
        d.promised = calendar.deadline(accepted, p.amount, p.unit, count_start_day);
        out.push_back(std::move(d));
    }
    return out;
}

Date case_promised_date(const std::vector<ItemDeadline>& deadlines) {
    if (deadlines.empty()) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A case needs at least one item to have a promised date."));
    }
    auto latest = deadlines.front().promised.date;
    for (const auto& d : deadlines) {
        latest = std::max(latest, d.promised.date);
    }
    return latest;
}

void fill_document(CaseDocument& doc, const Catalog& catalog, const MergedForm& form,
                   const IntakeAssessment& assessment, const std::vector<ItemDeadline>& deadlines) {
    doc.items.clear();
    for (const auto& code : form.items) {
        const auto* item = catalog.find_item(code);
        DocumentItem di;
        di.code = code;
        di.name = item ? item->name.zh : code;
        const auto d = std::find_if(deadlines.begin(), deadlines.end(),
                                    [&](const ItemDeadline& x) { return x.item == code; });
        if (d != deadlines.end()) {
            di.time_limit = d->time_limit_text;
            if (doc.kind != DocumentKind::Refusal) {
                di.promised_date = format_date(d->promised.date);
            }
        }
        doc.items.push_back(std::move(di));
    }
    doc.materials.clear();
    for (const auto& c : assessment.materials) {
        const auto& m = c.material->material;
        DocumentMaterial dm;
        dm.name = m.name.zh;
        dm.status = c.status;
        dm.originals = m.originals;
        dm.copies = m.copies;
        dm.form = catalog.label(m.form);
        dm.requirement = m.accept_standard;
        if (c.status == MaterialStatus::Deferred && !doc.supplement_deadline.empty()) {
            dm.note = "请于" + doc.supplement_deadline + "前补交";
        }
        doc.materials.push_back(std::move(dm));
    }
}

} // namespace ow::forms
