#include "ow/core/sealing_service.h"

#include "ow/core/approval_service.h"
#include "ow/core/database.h"
#include "ow/core/log.h"
#include "ow/core/outbox.h"
#include "ow/core/presenters.h"
#include "ow/core/system_config.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"
#include "ow/forms/catalog.h"
#include "ow/forms/documents.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pkcs11_signer.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace ow::core {
namespace {

constexpr const char* kModuleSetting = "seal.pkcs11_module";
constexpr const char* kKeySetting = "seal.key_uri";
constexpr const char* kTrustSetting = "verify.trust_anchors";

struct DecidedCase {
    CaseSummary summary;
    std::string decision;
    std::vector<std::string> reasons;
    std::string decided_at;
    std::string officer_name;
    nlohmann::json form_data;
    std::string catalog_version; // the catalog the case was taken under
};

const char* document_kind(const std::string& decision) {
    return decision == "approve" ? "approval-decision" : "denial-decision";
}

// A signing-library error has no message id; say what happened in words the officer can act on.
bool is_token_failure(signing::ErrorCode code) {
    using signing::ErrorCode;
    return code == ErrorCode::TokenRemoved || code == ErrorCode::PinLocked ||
           code == ErrorCode::TokenNotFound || code == ErrorCode::ModuleLoadFailed ||
           code == ErrorCode::TokenError || code == ErrorCode::PinRequired;
}

} // namespace

std::string default_pkcs11_module() {
    // What IT pre-seeded for this PC (a vendor's module, e.g. a domestic seal token) comes first.
    if (auto seeded = SystemConfig::installed().get("signing.pkcs11_module"))
        return *seeded;
    for (const char* candidate :
         {"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
          "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so", "/usr/lib/opensc-pkcs11.so",
          "/usr/lib64/opensc-pkcs11.so", "/usr/local/lib/opensc-pkcs11.so"}) {
        std::error_code ec;
        if (std::filesystem::exists(candidate, ec))
            return candidate;
    }
#ifdef _WIN32
    return "opensc-pkcs11.dll";
#else
    return "opensc-pkcs11.so";
#endif
}

SealKeySettings SealKeySettings::load(Session& session) {
    UserSettings settings(session);
    SealKeySettings s;
    s.module_path = settings.get(kModuleSetting).value_or("");
    if (s.module_path.empty())
        s.module_path = default_pkcs11_module();
    s.key_uri = settings.get(kKeySetting).value_or("");
    s.trust_anchors = settings.get(kTrustSetting).value_or("");
    return s;
}

void SealKeySettings::save(Session& session) const {
    if (!key_uri.empty() && key_uri.rfind("pkcs11:", 0) != 0)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The seal key must be a PKCS#11 URI starting with \"pkcs11:\"."));
    if (key_uri.find("pin-value") != std::string::npos)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("A PIN must never be part of the key URI; remove pin-value."));
    UserSettings settings(session);
    settings.set(kModuleSetting, module_path);
    settings.set(kKeySetting, key_uri);
    settings.set(kTrustSetting, trust_anchors);
}

CoreError seal_error(const std::exception& e) {
    if (const auto* core = dynamic_cast<const CoreError*>(&e))
        return *core;
    const auto* s = dynamic_cast<const signing::SigningError*>(&e);
    if (s == nullptr)
        return CoreError(ErrorCode::Crypto, N_("Sealing failed: {detail}"), {{"detail", e.what()}});
    using signing::ErrorCode;
    switch (s->code()) {
    case ErrorCode::WrongPin:
        if (s->tries_left())
            return CoreError(ow::core::ErrorCode::WrongPassword,
                             N_("Wrong PIN. {tries} tries left before the card locks."),
                             {{"tries", std::to_string(*s->tries_left())}});
        return CoreError(ow::core::ErrorCode::WrongPassword, N_("Wrong PIN."));
    case ErrorCode::PinLocked:
        return CoreError(ow::core::ErrorCode::PermissionDenied,
                         N_("The card's PIN is locked. Ask IT to unblock it."));
    case ErrorCode::TokenRemoved:
        return CoreError(ow::core::ErrorCode::Conflict,
                         N_("The card was removed while sealing; nothing was written. Insert the "
                            "card and seal again."));
    case ErrorCode::TokenNotFound:
    case ErrorCode::KeyNotFound:
    case ErrorCode::CertificateNotFound:
        return CoreError(ow::core::ErrorCode::NotFound,
                         N_("No seal key was found: insert the seal card, or check the seal key "
                            "in Settings. ({detail})"),
                         {{"detail", s->what()}});
    case ErrorCode::ModuleLoadFailed:
        return CoreError(ow::core::ErrorCode::NotFound,
                         N_("The smart-card module cannot be loaded; check the module path in "
                            "Settings. ({detail})"),
                         {{"detail", s->what()}});
    default:
        return CoreError(ow::core::ErrorCode::Crypto, N_("Sealing failed: {detail}"),
                         {{"detail", std::string(s->what()) + " [" +
                                         std::string(signing::to_string(s->code())) + "]"}});
    }
}

std::unique_ptr<signing::Pkcs11Signer> open_seal_token(const SealKeySettings& settings,
                                                       const SecretString& pin) {
    try {
        signing::Pkcs11Options options;
        options.module = settings.module_path;
        options.key_uri = settings.key_uri.empty() ? "pkcs11:type=private" : settings.key_uri;
        auto signer = signing::Pkcs11Signer::open(options);
        if (signer->login_required())
            signer->login(std::span<const char>(pin.view().data(), pin.view().size()));
        return signer;
    } catch (const signing::SigningError& e) {
        throw seal_error(e);
    }
}

SealingService::SealingService(Session& session, const forms::Catalog* catalog, CenterInfo center)
    : session_(session), catalog_(catalog), center_(std::move(center)) {}

namespace {

DecidedCase load_decided(Session& session, const std::string& case_number) {
    auto found = CaseService(session).find(case_number);
    if (!found)
        throw CoreError(ErrorCode::NotFound, N_("There is no case {number}."),
                        {{"number", case_number}});
    auto st = session.db().prepare(
        "SELECT d.decision, d.reasons, d.decided_at, u.display_name, c.form_data, "
        "c.catalog_version "
        "FROM decisions d "
        "JOIN users u ON u.id = d.decided_by JOIN cases c ON c.id = d.case_id WHERE d.case_id = ?");
    st.bind(1, found->id);
    if (!st.step() || st.text(0) == "return" ||
        (found->state != "approved" && found->state != "refused"))
        throw CoreError(ErrorCode::Conflict,
                        N_("Case {number} has no approval or refusal to seal; decide it first."),
                        {{"number", case_number}});
    DecidedCase d;
    d.summary = *found;
    d.decision = st.text(0);
    try {
        d.reasons = nlohmann::json::parse(st.text(1)).get<std::vector<std::string>>();
        d.form_data = nlohmann::json::parse(st.text(4));
    } catch (const std::exception&) {
        d.form_data = nlohmann::json::object();
    }
    d.decided_at = st.text(2);
    d.officer_name = st.text(3);
    d.catalog_version = st.text(5);
    return d;
}

bool already_sealed(Session& session, const std::string& case_id) {
    auto st =
        session.db().prepare("SELECT count(*) FROM documents WHERE case_id = ? AND signed = 1 "
                             "AND kind IN ('approval-decision', 'denial-decision')");
    st.bind(1, case_id);
    st.step();
    return st.int64(0) > 0;
}

} // namespace

std::vector<CaseSummary> SealingService::awaiting_seal() {
    session_.require(Permission::Seal);
    std::vector<CaseSummary> result;
    std::vector<std::string> numbers;
    {
        auto st = session_.db().prepare(
            "SELECT c.case_number FROM decisions d JOIN cases c ON c.id = d.case_id WHERE "
            "d.decision IN ('approve', 'refuse') AND c.state IN ('approved', 'refused') AND NOT "
            "EXISTS (SELECT 1 FROM documents x WHERE x.case_id = c.id AND x.signed = 1 AND x.kind "
            "IN ('approval-decision', 'denial-decision')) ORDER BY d.decided_at, c.case_number");
        while (st.step())
            numbers.push_back(st.text(0));
    }
    CaseService cases(session_);
    for (const auto& n : numbers)
        if (auto c = cases.find(n))
            result.push_back(*c);
    return result;
}

namespace {

// The catalog the case was taken under (its pinned version) when this workstation still holds it,
// so that the decision names the items as the receipt did; else `fallback`.
std::shared_ptr<const forms::Catalog> catalog_for(Session& session, const DecidedCase& d,
                                                  const forms::Catalog* fallback) {
    try {
        if (auto pinned = session.reference().catalog_version(d.catalog_version))
            return pinned;
    } catch (const std::exception& e) {
        log::warn("sealing: catalog {} not readable: {}", d.catalog_version, e.what());
    }
    return std::shared_ptr<const forms::Catalog>(fallback, [](const forms::Catalog*) {});
}

std::string render_decided(const DecidedCase& d, const forms::Catalog* catalog,
                           const CenterInfo& center, forms::SealPlacement& placement) {
    forms::CaseDocument doc;
    doc.kind =
        d.decision == "approve" ? forms::DocumentKind::Approval : forms::DocumentKind::Denial;
    doc.case_number = d.summary.case_number;
    doc.document_number = d.summary.case_number;
    doc.center_name = center.center_name;
    doc.organ_name = center.organ_name;
    doc.contact_phone = center.contact_phone;
    doc.applicant.name = d.summary.applicant_name;
    doc.applicant.id_label =
        d.summary.applicant_kind == "person" ? "公民身份号码" : "统一社会信用代码";
    doc.applicant.id_number = d.summary.applicant_id;
    if (d.form_data.is_object())
        doc.applicant.phone = d.form_data.value("applicant.phone", "");
    for (const auto& code : d.summary.items) {
        forms::DocumentItem item;
        item.code = code;
        const auto* found = catalog ? catalog->find_item(code) : nullptr;
        item.name = found ? found->name.zh : code;
        doc.items.push_back(std::move(item));
    }
    doc.received_at = d.summary.received_at.substr(0, 10);
    doc.issue_date = forms::format_date(forms::today());
    doc.decided_at = d.decided_at.substr(0, 10);
    doc.officer_name = d.officer_name;
    doc.refusal_reasons = d.reasons;
    return forms::render_document(doc, {}, placement);
}

} // namespace

std::string SealingService::render_decision(const std::string& case_number) {
    session_.require(Permission::Seal);
    forms::SealPlacement ignored;
    const auto d = load_decided(session_, case_number);
    return render_decided(d, catalog_for(session_, d, catalog_).get(), center_, ignored);
}

SealedDocument SealingService::seal(const std::string& case_number, signing::Signer& signer) {
    try {
        return seal_unchecked(case_number, signer);
    } catch (const signing::SigningError& e) {
        throw seal_error(e);
    }
}

SealedDocument SealingService::seal_unchecked(const std::string& case_number,
                                              signing::Signer& signer) {
    session_.require(Permission::Seal);
    auto d = load_decided(session_, case_number);
    if (already_sealed(session_, d.summary.id))
        throw CoreError(ErrorCode::Conflict,
                        N_("The decision document of case {number} is already sealed."),
                        {{"number", case_number}});
    // Render and seal outside the transaction: the card may take seconds, or fail; then nothing
    // is written.
    forms::SealPlacement placement;
    const std::string pdf =
        render_decided(d, catalog_for(session_, d, catalog_).get(), center_, placement);
    signing::Bytes sealed;
    {
        signing::SignOptions options;
        options.reason = d.decision == "approve" ? "准予行政许可" : "不予行政许可";
        options.location = center_.center_name;
        options.certify = signing::DocMdp::FormFilling;
        signing::SealAppearance seal;
        seal.page = placement.page;
        seal.rect = {placement.x, placement.y, placement.width, placement.height};
        const std::string png = forms::render_seal_png(center_.organ_name, "行政许可专用章");
        seal.image_png.assign(png.begin(), png.end()); // the organ's round seal, over "（印章）"
        options.seal = seal;
        signing::PadesSigner pades(signer);
        sealed =
            pades.sign_memory(std::span<const std::uint8_t>(
                                  reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size()),
                              options);
    }

    auto& db = session_.db();
    Transaction tx(db);
    {
        auto st = db.prepare("SELECT state FROM cases WHERE id = ?");
        st.bind(1, d.summary.id);
        if (!st.step() || st.text(0) != d.summary.state)
            throw CoreError(ErrorCode::Conflict,
                            N_("Case {number} changed meanwhile; open it again."),
                            {{"number", case_number}});
    }
    if (already_sealed(session_, d.summary.id))
        throw CoreError(ErrorCode::Conflict,
                        N_("The decision document of case {number} is already sealed."),
                        {{"number", case_number}});
    SealedDocument out;
    out.case_number = case_number;
    out.kind = document_kind(d.decision);
    out.document_id = new_uuid();
    out.blob = BlobStore(session_).put(std::vector<unsigned char>(sealed.begin(), sealed.end()),
                                       "application/pdf");
    const std::string now = now_utc_iso();
    db.prepare(
          "INSERT INTO documents(id, case_id, kind, blob_id, created_at, signed) VALUES (?, ?, "
          "?, ?, ?, 1)")
        .bind(1, out.document_id)
        .bind(2, d.summary.id)
        .bind(3, out.kind)
        .bind(4, out.blob.id)
        .bind(5, now)
        .run();
    // docs/sync-protocol.md, `document`/create: immutable; the blob goes up first.
    nlohmann::json payload = {{"id", out.document_id},     {"case_id", d.summary.id},
                              {"kind", out.kind},          {"blob_id", out.blob.id},
                              {"sha256", out.blob.sha256}, {"signed", true},
                              {"created_at", now}};
    enqueue_mutation(db, "document", out.document_id, "create", payload.dump(), now);
    session_.audit().append(
        session_.user().name, "document.seal", case_number,
        nlohmann::json({{"kind", out.kind}, {"sha256", out.blob.sha256}}).dump());
    tx.commit();
    log::info("decision document sealed: case_id={} kind={}", d.summary.id, out.kind);
    return out;
}

std::vector<SealOutcome> SealingService::seal_batch(const std::vector<std::string>& case_numbers,
                                                    signing::Signer& signer,
                                                    const Progress& progress) {
    session_.require(Permission::Seal);
    std::vector<SealOutcome> outcomes;
    bool stop = false;
    for (std::size_t i = 0; i < case_numbers.size(); ++i) {
        SealOutcome outcome;
        outcome.case_number = case_numbers[i];
        if (!stop && progress && !progress(i, case_numbers.size(), case_numbers[i]))
            stop = true;
        if (stop) {
            outcome.cancelled = true;
            outcomes.push_back(std::move(outcome));
            continue;
        }
        try {
            outcome.document = seal_unchecked(case_numbers[i], signer);
            outcome.sealed = true;
        } catch (const signing::SigningError& e) {
            outcome.error = seal_error(e);
            stop = is_token_failure(e.code());
        } catch (const CoreError& e) {
            outcome.error = e; // this case only (not decided, already sealed …); go on
            stop = e.code() == ErrorCode::PermissionDenied;
        } catch (const std::exception& e) {
            outcome.error = seal_error(e); // e.g. its document could not be rendered; go on
        }
        outcomes.push_back(std::move(outcome));
    }
    if (progress && !stop)
        progress(case_numbers.size(), case_numbers.size(), "");
    return outcomes;
}

std::vector<unsigned char> SealingService::sealed_document(const std::string& case_number) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(
        "SELECT d.blob_id FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.case_number = "
        "? AND d.signed = 1 AND d.kind IN ('approval-decision', 'denial-decision') ORDER BY "
        "d.created_at DESC LIMIT 1");
    st.bind(1, case_number);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("Case {number} has no sealed decision document."),
                        {{"number", case_number}});
    return BlobStore(session_).get(st.text(0));
}

} // namespace ow::core
