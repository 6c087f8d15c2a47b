// Sealing the officer's decision document (行政许可决定书) with the electronic seal on a smart
// card. Composes the decision (ApprovalService, table `decisions`), the document renderer (forms)
// and the PAdES signer (signing): the decided case's 准予行政许可决定书 / 不予行政许可决定书 is
// rendered, sealed visibly where the renderer placed "（印章）" as a certification signature
// (DocMDP P=2), and stored as an encrypted blob with its `documents` row (signed = 1), audit event
// and outbox mutation in ONE transaction. The key operation runs before the transaction: a wrong
// PIN or a pulled card writes nothing. Officer only (Permission::Seal), enforced here.
#pragma once

#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/error.h"
#include "ow/core/intake_service.h"
#include "ow/core/secret.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ow::forms {
class Catalog;
} // namespace ow::forms

namespace ow::signing {
class Signer;
class Pkcs11Signer;
} // namespace ow::signing

namespace ow::core {

class Session;

// Where the officer's seal key lives: a PKCS#11 module and an RFC 7512 key URI. Per user, in the
// encrypted cache (Settings area; `onewindow-cli seal --pkcs11-module … --key …` overrides).
struct SealKeySettings {
    std::string module_path; // default: OpenSC's module
    std::string key_uri;     // e.g. pkcs11:token=…;object=…;type=private; empty = the first key
    std::string trust_anchors; // PEM file(s) of the CAs "verify a PDF" trusts, ';'-separated
    static SealKeySettings load(Session& session);
    void save(Session& session) const;
};
// OpenSC's PKCS#11 module where this system has it (the production default), else its usual name.
std::string default_pkcs11_module();

// Opens the token key and logs in with the PIN (the caller's SecretString wipes it; our copies are
// wiped). Throws CoreError with a message for people: wrong PIN with the tries left, PIN locked,
// no card, card removed, module missing.
std::unique_ptr<signing::Pkcs11Signer> open_seal_token(const SealKeySettings& settings,
                                                       const SecretString& pin);
// A signing failure as a CoreError for people (message id + arguments; tries left for a wrong PIN).
CoreError seal_error(const std::exception& e);

struct SealedDocument {
    std::string case_number;
    std::string document_id;
    std::string kind; // "approval-decision" or "denial-decision"
    BlobInfo blob;
};

struct SealOutcome {
    std::string case_number;
    bool sealed = false;
    bool cancelled = false;         // not attempted: the batch was cancelled or stopped before it
    std::optional<CoreError> error; // why not, when attempted and failed
    SealedDocument document;
};

class SealingService {
public:
    // The items on the document are named from the catalog version the case was taken under when
    // this workstation holds it, else from `catalog` (their codes without either).
    explicit SealingService(Session& session, const forms::Catalog* catalog = nullptr,
                            CenterInfo center = {});

    // Approved or refused cases whose decision document is not sealed yet, oldest decision first.
    std::vector<CaseSummary> awaiting_seal();
    // The decision document as it will be sealed (unsigned), for review.
    std::string render_decision(const std::string& case_number);
    // Renders, seals with `signer` and stores. Throws CoreError (nothing written).
    SealedDocument seal(const std::string& case_number, signing::Signer& signer);
    // Several cases with one login. `progress(index, total, case_number)` runs before each; return
    // false to cancel the rest. A bad case is recorded and the batch goes on; a token failure
    // (card pulled, PIN locked) stops it and marks the rest as not attempted.
    using Progress = std::function<bool(std::size_t, std::size_t, const std::string&)>;
    std::vector<SealOutcome> seal_batch(const std::vector<std::string>& case_numbers,
                                        signing::Signer& signer, const Progress& progress = {});
    // The sealed decision document of a case (decrypted, in memory). Throws NotFound.
    std::vector<unsigned char> sealed_document(const std::string& case_number);

private:
    SealedDocument seal_unchecked(const std::string& case_number, signing::Signer& signer);
    Session& session_;
    const forms::Catalog* catalog_;
    CenterInfo center_;
};

} // namespace ow::core
