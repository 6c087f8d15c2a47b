#include "ow/core/officer_presenters.h"

#include "ow/core/approval_service.h"
#include "ow/core/blob_store.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/sealing_service.h"
#include "ow/core/workstation.h"
#include "ow/forms/calendar.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_verifier.h"

#include <nlohmann/json.hpp>

namespace ow::core {
namespace {

void flatten(const nlohmann::json& value, const std::string& prefix,
             std::vector<CaseReview::Field>& out) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else if (value.is_string()) {
        out.push_back({prefix, value.get<std::string>()});
    } else if (!value.is_null()) {
        out.push_back({prefix, value.dump()});
    }
}

} // namespace

QueueRow ApprovalQueuePresenter::row_for(const CaseSummary& summary) const {
    QueueRow row;
    row.summary = summary;
    if (summary.promised_date.empty()) {
        row.time_left = {N_("no promised date"), {}};
        return row;
    }
    try {
        const auto due = forms::parse_date(summary.promised_date);
        row.working_days_left = calendar_.working_days_between(forms::today(), due);
    } catch (const std::exception&) {
        // A year the calendar does not cover: count calendar days instead.
        const auto due = std::chrono::sys_days(forms::parse_date(summary.promised_date));
        row.working_days_left =
            static_cast<int>((due - std::chrono::sys_days(forms::today())).count());
    }
    const int left = row.working_days_left;
    if (left < 0) {
        row.urgency = Urgency::Overdue;
        row.time_left = {N_("{days} working days overdue"), {{"days", std::to_string(-left)}}};
    } else if (left == 0) {
        row.urgency = Urgency::Overdue;
        row.time_left = {N_("due today"), {}};
    } else {
        row.urgency = left <= warn_days_ ? Urgency::Warning : Urgency::Normal;
        row.time_left = {N_("{days} working days left"), {{"days", std::to_string(left)}}};
    }
    return row;
}

std::vector<QueueRow> ApprovalQueuePresenter::rows() {
    std::vector<QueueRow> out;
    for (const auto& c : ApprovalService(session_).queue())
        out.push_back(row_for(c));
    return out;
}

std::vector<QueueRow> ApprovalQueuePresenter::seal_rows() {
    std::vector<QueueRow> out;
    for (const auto& c : SealingService(session_).awaiting_seal())
        out.push_back(row_for(c));
    return out;
}

CaseReview CaseReviewPresenter::load(const std::string& case_number) {
    session_.require(Permission::ViewCases);
    CaseService cases(session_);
    auto found = cases.find(case_number);
    if (!found)
        throw CoreError(ErrorCode::NotFound, N_("There is no case {number}."),
                        {{"number", case_number}});
    CaseReview review;
    review.summary = *found;
    auto& db = session_.db();
    {
        auto st = db.prepare("SELECT form_data FROM cases WHERE id = ?");
        st.bind(1, found->id);
        if (st.step()) {
            try {
                flatten(nlohmann::json::parse(st.text(0)), "", review.form);
            } catch (const std::exception&) {
                review.form.push_back({"(form)", st.text(0)});
            }
        }
    }
    {
        auto st = db.prepare("SELECT material_key, name, necessity, status, pages, "
                             "coalesce(license_id, ''), blob_id IS NOT NULL FROM materials WHERE "
                             "case_id = ? ORDER BY rowid");
        st.bind(1, found->id);
        while (st.step())
            review.materials.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(5),
                                        static_cast<int>(st.int64(4)), st.int64(6) != 0});
    }
    {
        auto st = db.prepare("SELECT id, kind, created_at, signed FROM documents WHERE case_id = ? "
                             "ORDER BY created_at");
        st.bind(1, found->id);
        while (st.step())
            review.documents.push_back({st.text(0), st.text(1), st.text(2), st.int64(3) != 0});
    }
    return review;
}

MaterialPreview CaseReviewPresenter::material(const std::string& case_number,
                                              const std::string& material_key) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(
        "SELECT m.blob_id FROM materials m JOIN cases c ON c.id = m.case_id WHERE c.case_number = "
        "? AND m.material_key = ? AND m.blob_id IS NOT NULL");
    st.bind(1, case_number);
    st.bind(2, material_key);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("This material has no scan to show."));
    BlobStore blobs(session_);
    const std::string id = st.text(0);
    return {blobs.info(id).media_type, blobs.get(id)};
}

MaterialPreview CaseReviewPresenter::document(const std::string& document_id) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare("SELECT blob_id FROM documents WHERE id = ?");
    st.bind(1, document_id);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("The document is not on this workstation."));
    BlobStore blobs(session_);
    const std::string id = st.text(0);
    return {blobs.info(id).media_type, blobs.get(id)};
}

PdfCheck check_pdf(const std::filesystem::path& path,
                   const std::vector<std::filesystem::path>& trust_anchors) {
    PdfCheck check;
    try {
        signing::VerifyOptions options;
        options.trust_anchors = trust_anchors;
        auto report = signing::PadesVerifier(options).verify_file(path);
        check.readable = true;
        check.signatures = static_cast<int>(report.signatures.size());
        check.all_valid = report.all_valid_and_trusted();
        check.report = report.text();
        if (report.signatures.empty())
            check.message = {N_("The file has no signatures."), {}};
        else if (check.all_valid)
            check.message = {N_("All {count} signatures are valid and trusted."),
                             {{"count", std::to_string(check.signatures)}}};
        else
            check.message = {N_("Not every signature is valid and trusted; see the report."), {}};
    } catch (const signing::SigningError& e) {
        check.message = {N_("The file cannot be checked: {detail}"), {{"detail", e.what()}}};
    }
    return check;
}

} // namespace ow::core
