// The page pipeline (leptonica): from what the scanner delivered to a compact, legible page image.
// Deskew, blank-page detection, crop, quarter-turn rotation, adaptive binarisation (Sauvola) for
// text pages; then encoding without loss of what matters: bilevel pages as CCITT G4, grey and
// colour as JPEG at a chosen quality. Everything stays in memory: no temporary image file is
// written.
#pragma once

#include "ow/devices/scanner.h"

#include <memory>
#include <string>
#include <vector>

struct Pix; // leptonica

namespace ow::devices {

// An owned leptonica image (1, 8 or 32 bpp) with its resolution.
class PageImage {
public:
    PageImage() = default;
    explicit PageImage(Pix* adopted); // takes ownership; throws on nullptr
    static PageImage from_raw(const RawPage& page);
    // PNG, PNM, TIFF or JPEG bytes (tests, imports). Throws PipelineError on anything else.
    static PageImage decode(const std::vector<unsigned char>& bytes);

    bool empty() const { return !pix_; }
    int width() const;
    int height() const;
    int depth() const; // bits per pixel: 1, 8 or 32
    int resolution_dpi() const;
    void set_resolution_dpi(int dpi);
    Pix* pix() const { return pix_.get(); }
    // Lossless PNG bytes (for tests and debugging); never written to disk by the pipeline.
    std::vector<unsigned char> png() const;

private:
    std::shared_ptr<Pix> pix_;
};

class PipelineError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class PageKind { Bilevel, Gray, Color };
const char* to_string(PageKind kind);

// Presets the clerk picks (text / grey / colour / photo).
struct PipelineOptions {
    PageKind kind = PageKind::Bilevel;
    bool deskew = true;
    bool drop_blank = true;
    bool crop_to_content = false; // trims the scanner's dark border and empty margins
    int quarter_turns = 0;        // clockwise
    int jpeg_quality = 50;
    // Grey/colour documents: paper becomes white (sensor noise and paper grain are most of a JPEG's
    // size); off for photos.
    bool whiten_background = true;
    double blank_ink_fraction = 0.0001; // pages with less ink (after despeckling) are blank
};
PipelineOptions preset(const std::string& name); // "text", "gray", "color", "photo"

// Skew of the text lines in degrees (positive = counter-clockwise), and the confidence of the
// measurement (leptonica's score; < 2.5 means "no text lines to measure").
struct SkewMeasure {
    double angle_deg = 0;
    double confidence = 0;
};
SkewMeasure measure_skew(const PageImage& image);
PageImage deskew(const PageImage& image, SkewMeasure* found = nullptr);

// Fraction of the page (without a 3 % edge) covered by ink after removing specks smaller than
// 0.3 mm; scanner noise and paper grain stay far below a single line of text.
double ink_fraction(const PageImage& image);
bool is_blank(const PageImage& image, double threshold = PipelineOptions{}.blank_ink_fraction);

PageImage rotate_quarter_turns(const PageImage& image, int quarter_turns);
PageImage crop(const PageImage& image, int x, int y, int width, int height);
PageImage crop_to_content(const PageImage& image, double margin_mm = 5.0);
PageImage to_gray(const PageImage& image);
// Auto levels for documents: the paper tone (and the noise on it) becomes white, the core of the
// strokes black, the levels between are stretched linearly.
PageImage whiten_background(const PageImage& image);
// Adaptive (Sauvola, local windows of about 4 mm) binarisation of a grey or colour page.
PageImage binarize(const PageImage& image);

// One page, encoded for the PDF as-is.
struct EncodedPage {
    enum class Encoding { CcittG4, Jpeg };
    Encoding encoding = Encoding::Jpeg;
    int width = 0, height = 0;
    int components = 1; // 1 grey/bilevel, 3 RGB
    int bits_per_component = 8;
    int resolution_dpi = 300;
    std::vector<unsigned char> data; // raw G4 strip (K = -1) or a complete JPEG file
};
const char* to_string(EncodedPage::Encoding encoding);

EncodedPage encode(const PageImage& image, int jpeg_quality = 50);
// A small JPEG for the thumbnail strip (longest side `max_side` px).
std::vector<unsigned char> thumbnail_jpeg(const PageImage& image, int max_side = 160);

struct ProcessedPage {
    PageImage image; // after the pipeline, before encoding (for OCR)
    EncodedPage encoded;
    bool blank = false;
    SkewMeasure skew_before;
    double ink = 0;
};

// Runs the pipeline on one page. Blank pages are flagged (and not encoded) when drop_blank is set.
ProcessedPage process(const PageImage& scanned, const PipelineOptions& options);

} // namespace ow::devices
