// Scanned materials (扫描材料) in the case: the pipeline's pages become encrypted blobs (page
// images, thumbnails and the assembled PDF; nothing in plaintext on disk), linked to the case's
// material and queued for sync in ONE transaction, with the OCR pre-review (预审) against the
// applicant on the case: a mismatch is a warning the clerk must acknowledge, and the
// acknowledgement is recorded in the audit log.
#pragma once

#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/devices/scan_document.h"

#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class Session;

// One check of the pre-review.
struct PreReviewFinding {
    enum class Kind { Match, Mismatch, NotFound };
    std::string field; // "applicant.id", "applicant.name"
    Kind kind = Kind::NotFound;
    std::string expected;     // from the form
    std::string found;        // read off the scan ("" when nothing was read)
    const char* message = ""; // N_() template with {expected} / {found}
};

struct PreReview {
    std::vector<std::string> id_numbers; // valid GB 11643 numbers read off the scan
    std::vector<std::string> usccs;      // valid GB 32100 codes read off the scan
    std::vector<PreReviewFinding> findings;
    // A mismatch must be acknowledged by the clerk before the scan is attached.
    bool needs_acknowledgement() const;
};

const char* to_string(PreReviewFinding::Kind kind);

// Compares the OCR text of the pages with the applicant (kind "person" or "entity"). Pure: no
// session needed; used by the service, the CLI and the GUI presenter.
PreReview pre_review(const std::string& ocr_text, const std::string& applicant_kind,
                     const std::string& applicant_id, const std::string& applicant_name);

struct ScanAttachment {
    std::string case_number;
    std::string material_key;
    std::vector<devices::ScannedPage> pages;
    devices::PdfOptions pdf;
    std::optional<PreReview> review; // when OCR ran
    bool review_acknowledged = false;
};

struct StoredScan {
    BlobInfo pdf;
    std::vector<BlobInfo> page_images;
    std::vector<BlobInfo> thumbnails;
    int pages = 0;
    std::string mutation_id;
};

struct ScannedMaterial {
    std::string material_key;
    int page_no = 0;
    std::string image_blob_id;
    std::string thumbnail_blob_id;
};

class ScanService {
public:
    explicit ScanService(Session& session) : session_(session) {}

    // The pre-review of OCR text against the applicant of a stored case.
    PreReview review(const std::string& case_number, const std::string& ocr_text);

    // Clerk only. Throws CoreError: NotFound (case or material), InvalidArgument (no pages),
    // Conflict (a pre-review mismatch not acknowledged). All or nothing.
    StoredScan attach(const ScanAttachment& attachment);
    // The same, inside the caller's transaction: intake stores a case and the pages scanned for it
    // in one commit (attachment.case_number is ignored; the case is `stored_case`).
    StoredScan attach_within(const ScanAttachment& attachment, const CaseSummary& stored_case);

    // The stored pages of a case's material, in order (thumbnails for the GUI).
    std::vector<ScannedMaterial> pages(const std::string& case_number,
                                       const std::string& material_key);
    std::vector<unsigned char> blob(const std::string& blob_id);

private:
    StoredScan store(const ScanAttachment& attachment, const CaseSummary& stored_case,
                     const std::vector<unsigned char>& pdf);
    Session& session_;
};

} // namespace ow::core
