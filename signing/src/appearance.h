// Internal: the visible seal's appearance, rendered by cairo + pango into a one-page PDF and
// deep-copied into the target document as a form XObject (never PdfDocument::Append, which
// renumbers wrongly on files with holes in their numbering).
#pragma once

#include "ow/signing/pades_signer.h"

#include <podofo/podofo.h>
#include <string>
#include <vector>

namespace ow::signing::detail {

std::string render_seal_pdf(const SealAppearance& seal, double width, double height,
                            const std::vector<std::string>& fallback_lines);

// Imports page 1 of `pdf` into `doc` as a form XObject; returns its object.
PoDoFo::PdfObject* import_as_xobject(PoDoFo::PdfMemDocument& doc, const std::string& pdf,
                                     double width, double height);

} // namespace ow::signing::detail
