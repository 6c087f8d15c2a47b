// Internal: PoDoFo helpers shared by the signer and the verifier.
#pragma once

#include "ow/signing/error.h"

#include <optional>
#include <podofo/podofo.h>
#include <string>
#include <vector>

namespace ow::signing::detail {

// Silences PoDoFo's stderr logging once per process.
void quiet_podofo();

std::string podofo_error_text(const PoDoFo::PdfError& e);

struct SigField {
    PoDoFo::PdfObject* field = nullptr;  // the field dictionary (terminal field)
    PoDoFo::PdfObject* widget = nullptr; // its widget (the field itself when merged)
    PoDoFo::PdfObject* value = nullptr;  // the /V signature dictionary, or null when empty
    std::string name;                    // fully qualified name (parent.child)
};

// Every signature field of the AcroForm, in /Fields order (depth first). Tolerates cycles.
std::vector<SigField> signature_fields(PoDoFo::PdfMemDocument& doc);

// DocMDP permission (1..3) of the certification signature, if the document is certified.
std::optional<int> docmdp_permission(PoDoFo::PdfMemDocument& doc);
// P of a signature dictionary's DocMDP /Reference, if it carries one.
std::optional<int> docmdp_of_signature(PoDoFo::PdfObject* sig);

std::string pdf_text(const PoDoFo::PdfObject* o); // string/name as UTF-8, "" otherwise

} // namespace ow::signing::detail
