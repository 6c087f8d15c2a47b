#include "ow/core/restoration_service.h"

#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/outbox.h"
#include "ow/core/presenters.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/forms/error.h"
#include "ow/forms/identifiers.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace ow::core {
namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// The organisation (O) of a DER certificate, else its common name.
std::string certificate_owner(const std::vector<std::uint8_t>& der, bool want_cn = false) {
    const unsigned char* p = der.data();
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!cert)
        return {};
    std::string out;
    const std::vector<int> nids = want_cn ? std::vector<int>{NID_commonName}
                                          : std::vector<int>{NID_organizationName, NID_commonName};
    for (int nid : nids) {
        int i = X509_NAME_get_index_by_NID(X509_get_subject_name(cert), nid, -1);
        if (i < 0)
            continue;
        ASN1_STRING* s =
            X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(cert), i));
        unsigned char* utf8 = nullptr;
        int n = ASN1_STRING_to_UTF8(&utf8, s);
        if (n >= 0)
            out.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
        OPENSSL_free(utf8);
        if (!out.empty())
            break;
    }
    X509_free(cert);
    return out;
}

std::vector<std::vector<std::uint8_t>> pem_to_der(const std::string& pem) {
    std::vector<std::vector<std::uint8_t>> out;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        int n = i2d_X509(cert, nullptr);
        std::vector<std::uint8_t> der(static_cast<std::size_t>(std::max(n, 0)));
        unsigned char* p = der.data();
        i2d_X509(cert, &p);
        out.push_back(std::move(der));
        X509_free(cert);
    }
    BIO_free(bio);
    return out;
}

forms::LicenseTemplates load_templates(const std::filesystem::path& extra) {
    try {
        auto set = forms::LicenseTemplates::load_directory(forms::default_license_template_dir());
        if (!extra.empty())
            set.add_directory(extra);
        return set;
    } catch (const forms::FormsError& e) {
        throw CoreError(ErrorCode::Storage, N_("The license layouts cannot be loaded: {detail}"),
                        {{"detail", e.what()}});
    }
}

// The payload cairo wrote into the document information (/Keywords) of the signed revision.
std::optional<std::string> embedded_payload(const std::vector<unsigned char>& pdf,
                                            std::size_t signed_end) {
    const std::string_view text(reinterpret_cast<const char*>(pdf.data()),
                                std::min(signed_end, pdf.size()));
    const std::string_view key = "/Keywords (";
    auto at = text.rfind(key);
    if (at == std::string_view::npos)
        return std::nullopt;
    auto end = text.find(')', at + key.size());
    if (end == std::string_view::npos)
        return std::nullopt;
    return std::string(text.substr(at + key.size(), end - at - key.size()));
}

} // namespace

std::size_t utf8_length(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

std::string check_restoration_reason(const std::string& reason) {
    std::string r = reason;
    const auto first = r.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The reason for use (用证事由) is required for a restored copy."));
    r = r.substr(first, r.find_last_not_of(" \t\r\n") - first + 1);
    if (utf8_length(r) > kMaxReasonCharacters)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The reason for use is {length} characters long; at most {max} are "
                           "allowed."),
                        {{"length", std::to_string(utf8_length(r))},
                         {"max", std::to_string(kMaxReasonCharacters)}});
    return r;
}

std::string LicenseView::refusal() const {
    if (!issuer.trusted)
        return "the issuer signature failed (" + issuer.problem + ")";
    if (!layout)
        return "no layout template for the license type " + record.type_name + " (" +
               record.type_code + ")";
    return {};
}

std::map<std::string, std::string> LicenseView::face_fields() const {
    std::map<std::string, std::string> out;
    auto face = nlohmann::json::parse(record.face_data, nullptr, false);
    if (!face.is_object())
        return out;
    for (const auto& [k, v] : face.items())
        out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
}

RestorationService::RestorationService(Session& session, const std::filesystem::path& extra)
    : session_(session), templates_(load_templates(extra)) {}

RestorationService::RestorationService(Session& session, forms::LicenseTemplates templates)
    : session_(session), templates_(std::move(templates)) {}

LicenseView RestorationService::view(LicenseRecord record, const LicenseIssuers& issuers) const {
    LicenseView v;
    v.issuer = issuers.check(record);
    v.layout = templates_.for_type(record.type_code, record.type_name);
    v.record = std::move(record);
    return v;
}

LicenseView RestorationService::find(const std::string& license_id) {
    session_.require(Permission::RestoreLicense);
    const auto check = forms::check_license_id(license_id);
    if (!check.ok())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The license identifier {license} is not valid: {detail}"),
                        {{"license", check.normalized}, {"detail", check.message}});
    auto record = ReferenceData(session_).find_license(check.normalized);
    if (!record)
        throw CoreError(ErrorCode::NotFound, N_("No license {license} in the cache."),
                        {{"license", check.normalized}});
    return view(std::move(*record), LicenseIssuers(session_.db()));
}

std::vector<LicenseView> RestorationService::by_holder(const std::string& holder_id) {
    session_.require(Permission::RestoreLicense);
    LicenseIssuers issuers(session_.db());
    std::vector<LicenseView> out;
    for (auto& r : ReferenceData(session_).licenses_of(holder_id))
        out.push_back(view(std::move(r), issuers));
    return out;
}

std::vector<LicenseView> RestorationService::list(int limit) {
    session_.require(Permission::RestoreLicense);
    LicenseIssuers issuers(session_.db());
    std::vector<LicenseView> out;
    for (auto& r : ReferenceData(session_).licenses_all(limit))
        out.push_back(view(std::move(r), issuers));
    return out;
}

std::vector<LicenseView> RestorationService::search(const std::string& query, int limit) {
    session_.require(Permission::RestoreLicense);
    const std::string q = forms::normalize_identifier(query);
    if (q.empty())
        return {};
    if (q.rfind("1.2.156.3005.2.", 0) == 0)
        return {find(q)};
    auto out = by_holder(q);
    if (!out.empty())
        return out;
    LicenseIssuers issuers(session_.db());
    for (auto& r : ReferenceData(session_).licenses_by_holder_name_prefix(query, limit))
        out.push_back(view(std::move(r), issuers));
    return out;
}

namespace {
forms::LicenseFace face_of(const LicenseView& v) {
    forms::LicenseFace f{v.record.license_id,  v.record.type_name, v.record.holder_name,
                         v.record.holder_id,   v.record.issuer,    v.record.issue_date,
                         v.record.valid_until, v.face_fields()};
    return f;
}
} // namespace

forms::LicenseBitmap RestorationService::preview(const LicenseView& license, double dpi) {
    session_.require(Permission::RestoreLicense);
    if (!license.layout)
        throw CoreError(ErrorCode::Conflict, N_("License {license} cannot be restored: {problem}"),
                        {{"license", license.record.license_id}, {"problem", license.refusal()}});
    try {
        return forms::render_license_bitmap(*license.layout, face_of(license), {},
                                            license_qr_payload(license.record), dpi);
    } catch (const forms::FormsError& e) {
        throw CoreError(ErrorCode::Storage, N_("Rendering the license failed: {detail}"),
                        {{"detail", e.what()}});
    }
}

PreparedRestoration RestorationService::prepare(const RestorationRequest& request,
                                                const signing::Signer& seal) {
    session_.require(Permission::RestoreLicense);
    const std::string reason = check_restoration_reason(request.reason);
    LicenseView license = find(request.license_id);
    if (!license.restorable())
        throw CoreError(ErrorCode::Conflict, N_("License {license} cannot be restored: {problem}"),
                        {{"license", license.record.license_id}, {"problem", license.refusal()}});
    std::optional<CaseSummary> case_summary;
    if (!request.case_number.empty()) {
        case_summary = CaseService(session_).find(request.case_number);
        if (!case_summary)
            throw CoreError(ErrorCode::NotFound, N_("No case {case} on this workstation."),
                            {{"case", request.case_number}});
    }
    if (!request.material_key.empty()) {
        if (!case_summary)
            throw CoreError(ErrorCode::InvalidArgument,
                            N_("Attaching a restored copy needs the case number."));
        bool found = false;
        for (const auto& m : CaseService(session_).materials(case_summary->id))
            found = found || m.key == request.material_key;
        if (!found)
            throw CoreError(ErrorCode::NotFound, N_("Case {case} has no material {material}."),
                            {{"case", request.case_number}, {"material", request.material_key}});
    }

    PreparedRestoration p;
    p.request = request;
    p.reason = reason;
    p.case_summary = std::move(case_summary);
    p.qr_payload = license_qr_payload(license.record);
    p.center = certificate_owner(seal.certificate());
    p.seal_subject = certificate_owner(seal.certificate(), true);
    p.annotation = {reason, local_time("%Y-%m-%d %H:%M"), request.case_number,
                    session_.user().display_name.empty() ? session_.user().name
                                                         : session_.user().display_name,
                    p.center};
    const std::string seal_owner = p.center.empty() ? p.seal_subject : p.center;
    if (seal_image_owner_ != seal_owner) { // drawn once per seal, not per copy
        try {
            seal_image_ = forms::render_round_seal_png(seal_owner, "证照还原专用章", 360);
            seal_image_owner_ = seal_owner;
        } catch (const forms::FormsError& e) {
            throw CoreError(ErrorCode::Storage, N_("Rendering the license failed: {detail}"),
                            {{"detail", e.what()}});
        }
    }
    p.seal_image = seal_image_;
    p.license = std::move(license);
    return p;
}

RestorationResult RestorationService::produce(const PreparedRestoration& p,
                                              signing::Signer& seal) const {
    RestorationResult result;
    result.license_id = p.license.record.license_id;
    result.qr_payload = p.qr_payload;
    result.seal_subject = p.seal_subject;
    auto start = std::chrono::steady_clock::now();
    std::string pdf;
    try {
        pdf = forms::render_license_pdf(*p.license.layout, face_of(p.license), p.annotation,
                                        p.qr_payload);
    } catch (const forms::FormsError& e) {
        throw CoreError(ErrorCode::Storage, N_("Rendering the license failed: {detail}"),
                        {{"detail", e.what()}});
    }
    result.render_ms = ms_since(start);

    start = std::chrono::steady_clock::now();
    signing::SignOptions options;
    options.certify = signing::DocMdp::NoChanges;
    options.field_name = "RestorationSeal";
    options.reason = "证照还原：" + p.reason;
    options.location = p.center;
    signing::SealAppearance appearance;
    p.license.layout->seal_rect_points(appearance.rect.x, appearance.rect.y, appearance.rect.width,
                                       appearance.rect.height);
    appearance.image_png = p.seal_image;
    options.seal = appearance;
    try {
        result.pdf = signing::PadesSigner(seal).sign_memory(
            {reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size()}, options);
    } catch (const signing::SigningError& e) {
        throw CoreError(ErrorCode::Crypto, N_("Sealing the restored copy failed: {detail}"),
                        {{"detail", e.what()}});
    }
    result.seal_ms = ms_since(start);
    return result;
}

RestorationResult RestorationService::commit(const PreparedRestoration& p,
                                             RestorationResult result) {
    session_.require(Permission::RestoreLicense);
    const auto& request = p.request;
    const auto& reason = p.reason;
    const auto& case_summary = p.case_summary;
    auto& db = session_.db();
    const std::string now = now_utc_iso();
    result.restoration_id = new_uuid();
    Transaction tx(db);
    result.blob_id = BlobStore(session_).put(result.pdf, "application/pdf").id;
    auto insert = db.prepare("INSERT INTO restorations(id, license_id, reason, case_id, "
                             "material_key, clerk, blob_id, qr_payload, created_at) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, result.restoration_id).bind(2, result.license_id).bind(3, reason);
    if (case_summary)
        insert.bind(4, case_summary->id);
    else
        insert.bind_null(4);
    if (request.material_key.empty())
        insert.bind_null(5);
    else
        insert.bind(5, request.material_key);
    insert.bind(6, session_.user().name).bind(7, result.blob_id).bind(8, result.qr_payload);
    insert.bind(9, now).run();
    if (!request.material_key.empty()) {
        // The restored copy stands in for the paper material (免提交).
        db.prepare("UPDATE materials SET status = 'e-license', license_id = ?, blob_id = ? "
                   "WHERE case_id = ? AND material_key = ?")
            .bind(1, result.license_id)
            .bind(2, result.blob_id)
            .bind(3, case_summary->id)
            .bind(4, request.material_key)
            .run();
    }
    nlohmann::json payload = {{"id", result.restoration_id},
                              {"license_id", result.license_id},
                              {"reason", reason},
                              {"case_number", request.case_number},
                              {"case_id", case_summary ? case_summary->id : ""},
                              {"material_key", request.material_key},
                              {"clerk", session_.user().name},
                              {"workstation", session_.workstation_id()},
                              {"blob_id", result.blob_id},
                              {"qr_payload", result.qr_payload},
                              {"created_at", now}};
    enqueue_mutation(db, "restoration", result.restoration_id, "create", payload.dump(), now);
    session_.audit().append(session_.user().name, "license.restore", result.license_id,
                            nlohmann::json{{"restoration", result.restoration_id},
                                           {"reason", reason},
                                           {"case", request.case_number},
                                           {"material", request.material_key},
                                           {"blob", result.blob_id},
                                           {"seal", result.seal_subject}}
                                .dump());
    tx.commit();
    log::info("license restored: restoration={} render={:.1f} ms seal={:.1f} ms",
              result.restoration_id, result.render_ms, result.seal_ms);
    return result;
}

RestorationResult RestorationService::restore(const RestorationRequest& request,
                                              signing::Signer& seal) {
    auto prepared = prepare(request, seal);
    return commit(prepared, produce(prepared, seal));
}

std::unique_ptr<signing::Signer> RestorationService::center_signer() {
    auto seal = CenterSeals(session_).current();
    if (!seal)
        throw CoreError(ErrorCode::NotFound,
                        N_("No center seal is installed on this workstation; an administrator "
                           "installs one (onewindow-cli center-seal install)."));
    std::unique_ptr<signing::SoftwareSigner> signer;
    try {
        signer = signing::SoftwareSigner::from_pem(seal->key_pem, seal->certificate_pem,
                                                   seal->chain_pem);
    } catch (const signing::SigningError& e) {
        OPENSSL_cleanse(seal->key_pem.data(), seal->key_pem.size());
        throw CoreError(ErrorCode::Crypto, N_("The center seal cannot be used: {detail}"),
                        {{"detail", e.what()}});
    }
    OPENSSL_cleanse(seal->key_pem.data(), seal->key_pem.size());
    return signer;
}

RestorationResult RestorationService::restore_with_center_seal(const RestorationRequest& request) {
    auto signer = center_signer();
    return restore(request, *signer);
}

void RestorationService::print(const RestorationResult& result) {
    session_.require(Permission::RestoreLicense);
    if (!send_to_printer(result.pdf.data(), result.pdf.size()))
        throw CoreError(ErrorCode::Storage,
                        N_("Printing failed: check that a default printer is set up (lp)."));
    Transaction tx(session_.db());
    session_.audit().append(session_.user().name, "license.print", result.license_id,
                            nlohmann::json{{"restoration", result.restoration_id}}.dump());
    tx.commit();
}

RestoredCopyCheck RestorationService::verify_copy(const std::vector<unsigned char>& pdf,
                                                  const signing::VerifyOptions& base) {
    session_.require(Permission::ViewCases);
    RestoredCopyCheck out;
    signing::VerifyOptions options = base;
    {
        auto st = session_.db().prepare("SELECT chain_pem FROM center_seal WHERE id = 1");
        if (st.step())
            for (auto& der : pem_to_der(st.text(0)))
                options.trust_anchors_der.push_back(std::move(der));
    }
    signing::VerifyReport report;
    try {
        report = signing::PadesVerifier(options).verify_memory(pdf, "restored copy");
    } catch (const signing::SigningError& e) {
        out.problems.push_back(std::string("seal: the file cannot be read as a PDF (") + e.what() +
                               ")");
        return out;
    }
    out.seal_text = report.text();
    std::size_t signed_end = pdf.size();
    const signing::SignatureReport* certification = nullptr;
    for (const auto& s : report.signatures)
        if (s.docmdp && !certification)
            certification = &s;
    if (!certification) {
        out.problems.push_back(report.signatures.empty()
                                   ? "seal: the copy carries no seal"
                                   : "seal: the copy carries no certification seal");
    } else {
        signed_end = static_cast<std::size_t>(certification->byte_range[1]);
        if (!certification->valid()) {
            std::string why;
            for (const auto& p : certification->problems)
                why += (why.empty() ? "" : "; ") + p;
            out.problems.push_back("seal: the copy was edited after sealing or the seal is "
                                   "damaged (" +
                                   why + ")");
        } else if (!certification->chain_trusted) {
            out.problems.push_back("seal: the seal is intact but its certificate is not trusted (" +
                                   certification->chain_problem + ")");
        } else {
            out.seal_ok = true;
        }
    }
    const auto text = embedded_payload(pdf, signed_end);
    const auto payload = text ? parse_license_qr_payload(*text) : std::nullopt;
    if (!payload) {
        out.problems.push_back("QR: the copy carries no restoration payload");
        return out;
    }
    out.license_id = payload->license_id;
    auto record = ReferenceData(session_).find_license(payload->license_id);
    if (!record) {
        out.problems.push_back("QR: license " + payload->license_id + " is not in the cache");
        return out;
    }
    const auto issuer = LicenseIssuers(session_.db()).check(*record);
    if (!issuer.trusted)
        out.problems.push_back("QR: the cached record of license " + payload->license_id +
                               " fails its issuer signature (" + issuer.problem + ")");
    else if (license_face_hash(*record) != payload->face_sha256)
        out.problems.push_back("QR: the payload does not match license " + payload->license_id +
                               " in the cache (face-data hash " +
                               payload->face_sha256.substr(0, 12) + "… ≠ " +
                               license_face_hash(*record).substr(0, 12) + "…)");
    else
        out.payload_ok = true;
    return out;
}

// --- presenter ---------------------------------------------------------------------------

void LicensesPresenter::search(const std::string& query) {
    error_ = {};
    views_.clear();
    rows_.clear();
    selected_ = -1;
    try {
        views_ = service_.search(query);
    } catch (const CoreError& e) {
        error_ = UiMessage::from(e);
        return;
    }
    for (const auto& v : views_)
        rows_.push_back({v.record.license_id, v.record.type_name, v.record.holder_name,
                         v.record.holder_id, v.record.issue_date, v.issuer.trusted,
                         !v.issuer.trusted ? N_("Untrusted")
                         : v.layout        ? N_("Verified")
                                           : N_("No layout")});
    if (rows_.empty())
        error_ = {N_("No license found for {query}."), {{"query", query}}};
}

void LicensesPresenter::select(int index) {
    selected_ = (index >= 0 && index < static_cast<int>(views_.size())) ? index : -1;
}

const LicenseView* LicensesPresenter::selection() const {
    return selected_ < 0 ? nullptr : &views_[static_cast<std::size_t>(selected_)];
}

std::string LicensesPresenter::reason_counter() const {
    return std::to_string(reason_length()) + " / " + std::to_string(kMaxReasonCharacters);
}

bool LicensesPresenter::reason_ok() const {
    try {
        check_restoration_reason(reason_);
        return true;
    } catch (const CoreError&) {
        return false;
    }
}

bool LicensesPresenter::can_restore() const {
    const auto* v = selection();
    return v && v->restorable() && reason_ok();
}

std::vector<std::string> LicensesPresenter::details() const {
    std::vector<std::string> out;
    const auto* v = selection();
    if (!v)
        return out;
    const auto& r = v->record;
    out.push_back("电子证照标识：" + r.license_id);
    out.push_back("证照类型：" + r.type_name);
    out.push_back("持证主体：" + r.holder_name + "（" + r.holder_id + "）");
    out.push_back("颁发机构：" + r.issuer);
    out.push_back("颁发日期：" + r.issue_date + "    有效期至：" + r.valid_until);
    out.push_back(v->issuer.trusted ? "签发验证：通过（" + v->issuer.issuer + "）"
                                    : "签发验证：未通过 — " + v->issuer.problem);
    for (const auto& [k, value] : v->face_fields())
        out.push_back(k + "：" + value);
    return out;
}

} // namespace ow::core
