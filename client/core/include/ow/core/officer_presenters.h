// Presentation state of the officer's screens (审批): the approval queue with the time left until
// each promised date (电子监察: yellow / red warnings), the case review (form data, materials,
// documents), the seal queue, and "verify a PDF". wx-free; the GUI binds widgets to these.
// Officer only where it concerns cases: enforced by the services underneath (Session::require).
#pragma once

#include "ow/core/case_service.h"
#include "ow/core/presenters.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ow::forms {
class WorkingCalendar;
} // namespace ow::forms

namespace ow::core {

class Session;

enum class Urgency { Normal, Warning, Overdue }; // none, yellow, red

struct QueueRow {
    CaseSummary summary;
    int working_days_left = 0; // to the promised date; negative when overdue
    Urgency urgency = Urgency::Normal;
    UiMessage time_left; // "{days} working days left", "due today", "{days} working days overdue"
};

class ApprovalQueuePresenter {
public:
    // Yellow at `warn_days` working days left or fewer, red on the due day and after.
    ApprovalQueuePresenter(Session& session, const forms::WorkingCalendar& calendar,
                           int warn_days = 2)
        : session_(session), calendar_(calendar), warn_days_(warn_days) {}

    std::vector<QueueRow> rows(); // the cases waiting for a decision
    // Decided cases whose decision document is waiting for the seal, with the same countdown.
    std::vector<QueueRow> seal_rows();
    QueueRow row_for(const CaseSummary& summary) const;

private:
    Session& session_;
    const forms::WorkingCalendar& calendar_;
    int warn_days_;
};

struct CaseReview {
    CaseSummary summary;
    struct Field {
        std::string key; // semantic field key, e.g. "applicant.phone"
        std::string value;
    };
    std::vector<Field> form; // the merged form's values, flattened
    struct Material {
        std::string key, name, necessity, status, license_id;
        int pages = 0;
        bool has_scan = false; // a stored scan that can be previewed
    };
    std::vector<Material> materials;
    struct Document {
        std::string id, kind, created_at;
        bool sealed = false;
    };
    std::vector<Document> documents;
};

struct MaterialPreview {
    std::string media_type; // "image/png", "application/pdf" …
    std::vector<unsigned char> bytes;
};

class CaseReviewPresenter {
public:
    explicit CaseReviewPresenter(Session& session) : session_(session) {}
    CaseReview load(const std::string& case_number); // ViewCases
    MaterialPreview material(const std::string& case_number, const std::string& material_key);
    MaterialPreview document(const std::string& document_id); // decrypted, in memory

private:
    Session& session_;
};

// "Verify a PDF": the verifier's readable report for a file the officer opens or drops.
struct PdfCheck {
    bool readable = false;  // false: not a PDF we can read (message says why)
    bool all_valid = false; // every signature valid and trusted
    int signatures = 0;
    std::string report; // the verifier's readable report (text)
    UiMessage message;  // a one-line verdict
};
PdfCheck check_pdf(const std::filesystem::path& path,
                   const std::vector<std::filesystem::path>& trust_anchors = {});

} // namespace ow::core
