// Certificate restoration (证照还原): a cached e-license, verified, drawn into its official layout
// (forms' license templates), annotated (加注: 用证事由, time, case, clerk, "还原件"), carrying a
// QR code of its identifier and face-data hash, and sealed with the service center's seal as a
// certification signature (DocMDP P=1, signing's PadesSigner). Each restoration is an audit event
// and a sync mutation, written in one transaction with the sealed copy (an encrypted blob) and,
// when asked, the case material it stands in for (免提交).
//
// Clerks only (Permission::RestoreLicense), enforced here. The identifier's GB/T 36904 check
// character is verified first, the issuer's signature over the record before any use: a record
// that fails is listed as untrusted and is never rendered into a restored copy.
#pragma once

#include "ow/core/case_service.h"
#include "ow/core/licenses.h"
#include "ow/core/presenters.h"
#include "ow/core/reference_data.h"
#include "ow/forms/license_document.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ow::signing {
class Signer;
struct VerifyOptions;
} // namespace ow::signing

namespace ow::core {

class Session;

// A cached license with its verification state.
struct LicenseView {
    LicenseRecord record;
    IssuerCheck issuer; // issuer signature verified against trusted issuers
    const forms::LicenseTemplate* layout = nullptr; // nullptr: no template for this type
    bool restorable() const { return issuer.trusted && layout != nullptr; }
    // English, why restore() would refuse; empty when restorable.
    std::string refusal() const;
    std::map<std::string, std::string> face_fields() const; // the face data as text
};

constexpr std::size_t kMaxReasonCharacters = 200; // 用证事由, GB/T 36906 share-service practice

// Throws CoreError(InvalidArgument) when the reason is empty (after trimming) or longer than
// 200 characters (Unicode code points, so 200 Chinese characters are allowed).
std::string check_restoration_reason(const std::string& reason);
std::size_t utf8_length(const std::string& text);

struct RestorationRequest {
    std::string license_id;
    std::string reason;       // 用证事由, required, ≤ 200 characters
    std::string case_number;  // optional; printed on the copy
    std::string material_key; // with case_number: the material this copy stands in for
};

struct RestorationResult {
    std::string restoration_id;
    std::string license_id;
    std::string blob_id; // the sealed PDF, encrypted in the blob store
    std::string qr_payload;
    std::string seal_subject;
    std::vector<unsigned char> pdf;
    double render_ms = 0, seal_ms = 0;
};

// A restoration checked and ready to render (RestorationService::prepare): everything produce()
// needs, so that rendering and sealing run off the GUI thread without touching the cache.
struct PreparedRestoration {
    RestorationRequest request;
    std::string reason; // trimmed
    LicenseView license;
    std::optional<CaseSummary> case_summary;
    forms::LicenseAnnotation annotation;
    std::string qr_payload, center, seal_subject;
    std::vector<unsigned char> seal_image;
};

// What `onewindow-cli verify --license` reports on a restored copy.
struct RestoredCopyCheck {
    bool seal_ok = false;    // a certification signature, intact, unchanged since, trusted
    bool payload_ok = false; // the embedded QR payload matches the cached license record
    std::string license_id;
    std::string seal_text;             // the PAdES verifier's report
    std::vector<std::string> problems; // English, each says whether the seal or the QR failed
    bool ok() const { return seal_ok && payload_ok; }
};

class RestorationService {
public:
    // Templates from default_license_template_dir(); `extra_templates` (a center's own layouts)
    // are added on top when given.
    explicit RestorationService(Session& session,
                                const std::filesystem::path& extra_templates = {});
    RestorationService(Session& session, forms::LicenseTemplates templates);

    // By identifier: the check character first (CoreError InvalidArgument naming it), then the
    // cache (NotFound).
    LicenseView find(const std::string& license_id);
    // A license identifier, a holder's ID number / USCC, or the start of a holder's name.
    std::vector<LicenseView> search(const std::string& query, int limit = 50);
    std::vector<LicenseView> by_holder(const std::string& holder_id);
    std::vector<LicenseView> list(int limit); // every cached license, by identifier

    // A preview of the face (no annotation) at `dpi`.
    forms::LicenseBitmap preview(const LicenseView& license, double dpi);

    // Verifies, renders, seals with `seal` (certification signature), stores and audits. Throws
    // CoreError: InvalidArgument (identifier, reason, case / material), NotFound, Conflict
    // (untrusted record, no layout), Crypto (the seal failed).
    RestorationResult restore(const RestorationRequest& request, signing::Signer& seal);
    // restore() in three steps: prepare (checks and lookups; cache), produce (render and seal; no
    // cache access, may run on another thread), commit (blob, rows, outbox, audit in one
    // transaction). The service must outlive the prepared restoration.
    PreparedRestoration prepare(const RestorationRequest& request, const signing::Signer& seal);
    RestorationResult produce(const PreparedRestoration& prepared, signing::Signer& seal) const;
    RestorationResult commit(const PreparedRestoration& prepared, RestorationResult produced);
    // The center seal installed in the cache as a signer (CoreError NotFound if none).
    std::unique_ptr<signing::Signer> center_signer();
    // restore() with center_signer().
    RestorationResult restore_with_center_seal(const RestorationRequest& request);

    // Sends the PDF to the default printer with `lp`; audited. CoreError(Storage) when lp fails.
    void print(const RestorationResult& result);

    // Checks a restored copy: its seal (trusted anchors: `options` plus the center seal's CA in
    // the cache) and its QR payload against the cached record.
    RestoredCopyCheck verify_copy(const std::vector<unsigned char>& pdf,
                                  const signing::VerifyOptions& options);

    const forms::LicenseTemplates& templates() const { return templates_; }

private:
    LicenseView view(LicenseRecord record, const LicenseIssuers& issuers) const;
    Session& session_;
    forms::LicenseTemplates templates_;
    std::string seal_image_owner_;
    std::vector<unsigned char> seal_image_; // the round seal picture of seal_image_owner_
};

// Presentation state of the Licenses area (wx-free): the search, the list with a trust column,
// the selection, the reason with its character counter, and what is enabled.
class LicensesPresenter {
public:
    explicit LicensesPresenter(RestorationService& service) : service_(service) {}

    struct Row {
        std::string license_id, type_name, holder_name, holder_id, issue_date;
        bool trusted = false;
        std::string status; // msgid: "Verified" / "Untrusted" / "No layout"
    };

    // Runs the search; error() is set (and the list emptied) when it fails.
    void search(const std::string& query);
    const std::vector<Row>& rows() const { return rows_; }
    void select(int index); // -1 = none
    int selected() const { return selected_; }
    const LicenseView* selection() const;

    void set_reason(const std::string& reason) { reason_ = reason; }
    std::size_t reason_length() const { return utf8_length(reason_); }
    // "37 / 200"
    std::string reason_counter() const;
    bool reason_ok() const;
    bool can_restore() const; // a restorable selection and a reason of 1..200 characters
    // The details of the selection: "label: value" lines (record and face data).
    std::vector<std::string> details() const;
    const UiMessage& error() const { return error_; }
    void set_error(UiMessage message) { error_ = std::move(message); }

private:
    RestorationService& service_;
    std::vector<LicenseView> views_;
    std::vector<Row> rows_;
    int selected_ = -1;
    std::string reason_;
    UiMessage error_;
};

} // namespace ow::core
