// A scanned document being put together at the counter: encoded pages with their thumbnails, OCR
// results and the material each page belongs to; the page operations (reorder, rotate, delete,
// interleave for manual duplex, split into materials); and the PDF it becomes (PoDoFo), with the
// encoded image data embedded as-is (/CCITTFaxDecode, /DCTDecode), an optional invisible text layer
// and PDF/A-2b on request.
#pragma once

#include "ow/devices/ocr.h"
#include "ow/devices/page_pipeline.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ow::devices {

struct ScannedPage {
    EncodedPage encoded;
    std::vector<unsigned char> thumbnail; // JPEG
    int quarter_turns = 0;                // applied as the PDF page's /Rotate, no re-encoding
    std::optional<OcrResult> ocr;
    std::string material_key; // which of the case's materials this page belongs to ("" = none yet)
};

// Page operations. Indices are 0-based; a bad index throws std::out_of_range.
namespace page_ops {
void move(std::vector<ScannedPage>& pages, std::size_t from, std::size_t to);
void reorder(std::vector<ScannedPage>& pages, const std::vector<std::size_t>& new_order);
void rotate(std::vector<ScannedPage>& pages, std::size_t index, int quarter_turns);
void remove(std::vector<ScannedPage>& pages, std::size_t index);
// Manual duplex: the fronts were scanned first, then the stack was turned over and the backs were
// scanned (so they come last-first when `backs_reversed`). Returns front1, back1, front2, back2 …
// The two halves must have the same length (a blank back is still a page; drop it afterwards).
std::vector<ScannedPage> interleave(std::vector<ScannedPage> fronts, std::vector<ScannedPage> backs,
                                    bool backs_reversed = true);
// Splits the batch (first `fronts_count` pages = fronts) in place.
void interleave_in_place(std::vector<ScannedPage>& pages, std::size_t fronts_count,
                         bool backs_reversed = true);
void assign(std::vector<ScannedPage>& pages, std::size_t first, std::size_t last,
            const std::string& material_key);
// Groups the pages by material, each group keeping the batch order; unassigned pages under "".
std::map<std::string, std::vector<ScannedPage>>
split_by_material(const std::vector<ScannedPage>& pages);
} // namespace page_ops

struct PdfOptions {
    bool pdfa = false;      // PDF/A-2b: XMP metadata, sRGB OutputIntent, document ID
    bool text_layer = true; // write the invisible OCR text where a page has it
    std::string title;      // document info and XMP dc:title
    std::string producer = "OneWindow";
    // sRGB ICC profile for the OutputIntent; default: Debian's icc-profiles-free sRGB.icc.
    std::string icc_profile_path;
};

// The PDF, in memory. Throws PipelineError when there are no pages or an encoding is malformed.
std::vector<unsigned char> write_pdf(const std::vector<ScannedPage>& pages,
                                     const PdfOptions& options);

} // namespace ow::devices
