// Pure helpers for the intake service (client/core): decide from the materials whether a case is
// accepted, accepted with materials to follow (容缺受理) or answered with a one-time notice
// (一次性告知, 行政许可法 Art. 32), compute each item's legal and promised dates in working days,
// and fill the item and material parts of the documents. No state, no I/O.
#pragma once

#include "ow/forms/calendar.h"
#include "ow/forms/documents.h"
#include "ow/forms/merge.h"

#include <map>
#include <string>
#include <vector>

namespace ow::forms {

enum class IntakeDecision {
    Accept,               // every needed material is there (paper, scan or e-license)
    AcceptWithDeficiency, // only deferrable (容缺后补) materials are missing: 容缺受理
    OneTimeNotice,        // a required material is missing: tell everything at once
};

const char* to_string(IntakeDecision decision);

struct MaterialCheck {
    const MergedMaterial* material = nullptr;
    MaterialStatus status = MaterialStatus::Missing; // the status recorded for the case
};

struct IntakeAssessment {
    IntakeDecision decision = IntakeDecision::Accept;
    std::vector<MaterialCheck> materials;        // every material of the form, in form order
    std::vector<const MergedMaterial*> missing;  // required and missing → one-time notice
    std::vector<const MergedMaterial*> deferred; // deferrable and missing → 容缺
};

// `statuses`: material key → what the clerk recorded (absent = Missing). Materials whose
// required_if is false are NotApplicable whatever was recorded. A required material cannot be
// Deferred or NotApplicable (it counts as missing); a deferrable one the clerk recorded as Deferred
// is deferred; a deferrable one that is missing is deferred when allow_deficiency (local rules
// accept 容缺 without asking), else missing; an optional one may be missing.
IntakeAssessment assess_intake(const MergedForm& form, const nlohmann::json& values,
                               const std::map<std::string, MaterialStatus, std::less<>>& statuses,
                               bool allow_deficiency = true);

struct ItemDeadline {
    std::string item;            // item code
    std::string time_limit_text; // "5个工作日", "即办件", "60个自然日"
    Deadline legal;
    Deadline promised;
};

// Legal and promised due dates of every item of the form, counted from `accepted`.
std::vector<ItemDeadline> item_deadlines(const Catalog& catalog, const MergedForm& form,
                                         const WorkingCalendar& calendar, const Date& accepted,
                                         bool count_start_day = false);
// The case's promised completion date (承诺办结时间): the latest promised date of its items.
Date case_promised_date(const std::vector<ItemDeadline>& deadlines);

// Fills doc.items and doc.materials from the form, the assessment and the deadlines; the caller
// fills the case number, parties, dates, clerk and organ. For a refusal the items' dates are left
// empty.
void fill_document(CaseDocument& doc, const Catalog& catalog, const MergedForm& form,
                   const IntakeAssessment& assessment, const std::vector<ItemDeadline>& deadlines);

} // namespace ow::forms
