#include "ow/core/scan_service.h"

#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/outbox.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/devices/ocr.h"
#include "ow/forms/identifiers.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ow::core {

namespace {

// OCR text without any whitespace (tesseract puts spaces between CJK characters).
std::string squeeze(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
            continue;
        // U+3000 ideographic space
        if (c == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
            static_cast<unsigned char>(text[i + 2]) == 0x80) {
            i += 2;
            continue;
        }
        out.push_back(static_cast<char>(c));
    }
    return out;
}

// The text after a label such as 姓名 or 名称, up to the next label-like break, for the message.
std::string text_after_label(const std::string& squeezed, const std::vector<std::string>& labels,
                             std::size_t max_bytes) {
    for (const auto& label : labels) {
        auto pos = squeezed.find(label);
        if (pos == std::string::npos)
            continue;
        std::string rest = squeezed.substr(pos + label.size());
        // Skip a colon (ASCII or full-width).
        if (rest.rfind(":", 0) == 0)
            rest.erase(0, 1);
        else if (rest.rfind("\xEF\xBC\x9A", 0) == 0)
            rest.erase(0, 3);
        std::size_t cut = std::min(rest.size(), max_bytes);
        while (cut > 0 && cut < rest.size() &&
               (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80)
            --cut; // do not split a UTF-8 sequence
        return rest.substr(0, cut);
    }
    return {};
}

} // namespace

const char* to_string(PreReviewFinding::Kind kind) {
    switch (kind) {
    case PreReviewFinding::Kind::Match:
        return "match";
    case PreReviewFinding::Kind::Mismatch:
        return "mismatch";
    case PreReviewFinding::Kind::NotFound:
        return "not-found";
    }
    return "not-found";
}

bool PreReview::needs_acknowledgement() const {
    return std::any_of(findings.begin(), findings.end(), [](const PreReviewFinding& f) {
        return f.kind == PreReviewFinding::Kind::Mismatch;
    });
}

PreReview pre_review(const std::string& ocr_text, const std::string& applicant_kind,
                     const std::string& applicant_id, const std::string& applicant_name) {
    PreReview review;
    for (const auto& candidate : devices::identifier_candidates(ocr_text)) {
        if (forms::check_id_number(candidate).status == forms::CheckStatus::Valid &&
            std::find(review.id_numbers.begin(), review.id_numbers.end(), candidate) ==
                review.id_numbers.end())
            review.id_numbers.push_back(candidate);
        else if (forms::check_uscc(candidate).status == forms::CheckStatus::Valid &&
                 std::find(review.usccs.begin(), review.usccs.end(), candidate) ==
                     review.usccs.end())
            review.usccs.push_back(candidate);
    }
    const std::string expected_id = forms::normalize_identifier(applicant_id);
    const auto& read = applicant_kind == "entity" ? review.usccs : review.id_numbers;
    PreReviewFinding id{"applicant.id", PreReviewFinding::Kind::NotFound, expected_id, "", ""};
    if (std::find(read.begin(), read.end(), expected_id) != read.end()) {
        id.kind = PreReviewFinding::Kind::Match;
        id.found = expected_id;
        id.message = N_("The number on the scan matches the form.");
    } else if (!read.empty()) {
        id.kind = PreReviewFinding::Kind::Mismatch;
        id.found = read.front();
        id.message =
            N_("The scan shows the number {found}, but the form says {expected}. Check the "
               "material and the form.");
    } else {
        id.message =
            N_("No valid identifier number could be read off the scan; compare it by eye.");
    }
    review.findings.push_back(id);

    if (!applicant_name.empty()) {
        const std::string text = squeeze(ocr_text);
        const std::string name = squeeze(applicant_name);
        PreReviewFinding nf{"applicant.name", PreReviewFinding::Kind::NotFound, applicant_name, "",
                            ""};
        if (text.find(name) != std::string::npos) {
            nf.kind = PreReviewFinding::Kind::Match;
            nf.found = applicant_name;
            nf.message = N_("The name on the scan matches the form.");
        } else if (auto after = text_after_label(text, {"姓名", "名称", "申请人"}, name.size() + 6);
                   !after.empty()) {
            nf.kind = PreReviewFinding::Kind::Mismatch;
            nf.found = after;
            nf.message = N_("The scan shows the name {found}, but the form says {expected}.");
        } else {
            nf.message =
                N_("The applicant's name could not be read off the scan; compare it by eye.");
        }
        review.findings.push_back(nf);
    }
    return review;
}

PreReview ScanService::review(const std::string& case_number, const std::string& ocr_text) {
    session_.require(Permission::Intake);
    auto c = CaseService(session_).find(case_number);
    if (!c)
        throw CoreError(ErrorCode::NotFound, N_("There is no case {case}."),
                        {{"case", case_number}});
    return pre_review(ocr_text, c->applicant_kind, c->applicant_id, c->applicant_name);
}

namespace {

void check_attachment(Session& session, const ScanAttachment& attachment) {
    session.require(Permission::Intake);
    if (attachment.pages.empty())
        throw CoreError(ErrorCode::InvalidArgument, N_("There are no scanned pages to attach."));
    if (attachment.review && attachment.review->needs_acknowledgement() &&
        !attachment.review_acknowledged)
        throw CoreError(
            ErrorCode::Conflict,
            N_("The OCR pre-review found a mismatch with the form. Check the material and "
               "acknowledge the warning before attaching the scan."));
}

std::vector<unsigned char> scan_pdf(const ScanAttachment& attachment,
                                    const std::string& case_number) {
    devices::PdfOptions pdf_options = attachment.pdf;
    if (pdf_options.title.empty())
        pdf_options.title = case_number + " " + attachment.material_key;
    try {
        return devices::write_pdf(attachment.pages, pdf_options);
    } catch (const devices::PipelineError& e) {
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The scanned pages could not be made into a PDF: {detail}"),
                        {{"detail", e.what()}});
    }
}

} // namespace

StoredScan ScanService::attach(const ScanAttachment& attachment) {
    check_attachment(session_, attachment);
    auto c = CaseService(session_).find(attachment.case_number);
    if (!c)
        throw CoreError(ErrorCode::NotFound, N_("There is no case {case}."),
                        {{"case", attachment.case_number}});
    // Assemble outside the transaction (it takes a while); all of it stays in memory.
    const auto pdf = scan_pdf(attachment, c->case_number);
    Transaction tx(session_.db());
    auto stored = store(attachment, *c, pdf);
    tx.commit();
    log::info("scan attached: case={} material={} pages={}", c->case_number,
              attachment.material_key, stored.pages);
    return stored;
}

StoredScan ScanService::attach_within(const ScanAttachment& attachment,
                                      const CaseSummary& stored_case) {
    check_attachment(session_, attachment);
    auto stored = store(attachment, stored_case, scan_pdf(attachment, stored_case.case_number));
    log::info("scan attached with the intake: case={} material={} pages={}",
              stored_case.case_number, attachment.material_key, stored.pages);
    return stored;
}

StoredScan ScanService::store(const ScanAttachment& attachment, const CaseSummary& c,
                              const std::vector<unsigned char>& pdf) {
    auto& db = session_.db();
    {
        auto st = db.prepare("SELECT name FROM materials WHERE case_id = ? AND material_key = ?");
        st.bind(1, c.id).bind(2, attachment.material_key);
        if (!st.step())
            throw CoreError(ErrorCode::NotFound, N_("The case {case} has no material {material}."),
                            {{"case", c.case_number}, {"material", attachment.material_key}});
    }
    StoredScan stored;
    BlobStore blobs(session_);
    stored.pdf = blobs.put(pdf, "application/pdf");
    db.prepare("DELETE FROM scan_pages WHERE case_id = ? AND material_key = ?")
        .bind(1, c.id)
        .bind(2, attachment.material_key)
        .run();
    int number = 0;
    for (const auto& page : attachment.pages) {
        ++number;
        const bool g4 = page.encoded.encoding == devices::EncodedPage::Encoding::CcittG4;
        stored.page_images.push_back(
            blobs.put(page.encoded.data, g4 ? "image/x-ccitt-g4" : "image/jpeg"));
        stored.thumbnails.push_back(blobs.put(page.thumbnail, "image/jpeg"));
        db.prepare("INSERT INTO scan_pages(case_id, material_key, page_no, image_blob_id, "
                   "thumbnail_blob_id, width, height, resolution, rotation) VALUES (?, ?, ?, ?, ?, "
                   "?, ?, ?, ?)")
            .bind(1, c.id)
            .bind(2, attachment.material_key)
            .bind(3, number)
            .bind(4, stored.page_images.back().id)
            .bind(5, stored.thumbnails.back().id)
            .bind(6, page.encoded.width)
            .bind(7, page.encoded.height)
            .bind(8, page.encoded.resolution_dpi)
            .bind(9, 90 * page.quarter_turns)
            .run();
    }
    stored.pages = number;
    db.prepare(
          "UPDATE materials SET blob_id = ?, pages = ?, status = 'scanned' WHERE case_id = ? AND "
          "material_key = ?")
        .bind(1, stored.pdf.id)
        .bind(2, number)
        .bind(3, c.id)
        .bind(4, attachment.material_key)
        .run();
    // The PDF is the case's document of kind "scan" (sync protocol §4.1 `document`); the server
    // gets it once its blob is uploaded. Page images and thumbnails stay local working copies.
    const std::string now = now_utc_iso();
    const std::string document_id = new_uuid();
    db.prepare(
          "INSERT INTO documents(id, case_id, kind, blob_id, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(1, document_id)
        .bind(2, c.id)
        .bind(3, "scan")
        .bind(4, stored.pdf.id)
        .bind(5, now)
        .run();
    nlohmann::json payload = {{"id", document_id},        {"case_id", c.id},
                              {"kind", "scan"},           {"material_key", attachment.material_key},
                              {"blob_id", stored.pdf.id}, {"sha256", stored.pdf.sha256},
                              {"signed", false},          {"pages", number},
                              {"created_at", now}};
    stored.mutation_id =
        enqueue_mutation(db, "document", document_id, "create", payload.dump(), now);
    nlohmann::json details = {
        {"material", attachment.material_key}, {"pages", number}, {"pdf", stored.pdf.id}};
    if (attachment.review) {
        nlohmann::json findings = nlohmann::json::array();
        for (const auto& f :
             attachment.review->findings) // field and outcome only: no numbers in the log
            findings.push_back({{"field", f.field}, {"result", to_string(f.kind)}});
        details["prereview"] = findings;
    }
    session_.audit().append(session_.user().name, "material.scan", c.case_number, details.dump());
    if (attachment.review && attachment.review->needs_acknowledgement())
        session_.audit().append(session_.user().name, "material.prereview.acknowledged",
                                c.case_number,
                                nlohmann::json({{"material", attachment.material_key}}).dump());
    return stored;
}

std::vector<ScannedMaterial> ScanService::pages(const std::string& case_number,
                                                const std::string& material_key) {
    session_.require(Permission::ViewCases);
    auto c = CaseService(session_).find(case_number);
    if (!c)
        throw CoreError(ErrorCode::NotFound, N_("There is no case {case}."),
                        {{"case", case_number}});
    std::vector<ScannedMaterial> out;
    auto st = session_.db().prepare(
        "SELECT material_key, page_no, image_blob_id, thumbnail_blob_id FROM "
        "scan_pages WHERE case_id = ? AND (? = '' OR material_key = ?) ORDER BY "
        "material_key, page_no");
    st.bind(1, c->id).bind(2, material_key).bind(3, material_key);
    while (st.step())
        out.push_back({st.text(0), static_cast<int>(st.int64(1)), st.text(2), st.text(3)});
    return out;
}

std::vector<unsigned char> ScanService::blob(const std::string& blob_id) {
    session_.require(Permission::ViewCases);
    return BlobStore(session_).get(blob_id);
}

} // namespace ow::core
