// OCR for the pre-review (预审) with tesseract: the text of a page and its words with their boxes
// (for the PDF's invisible text layer), and the identifier-shaped strings found in it (18-character
// ID numbers and USCCs). Checking a check digit is the caller's business (forms/ knows GB 11643 and
// GB 32100); this library only reads. Slow (seconds per page): never call it on the GUI thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace ow::devices {

class PageImage;

struct OcrWord {
    std::string text;                        // UTF-8
    int x = 0, y = 0, width = 0, height = 0; // pixels, top-left origin
    float confidence = 0;
};

struct OcrResult {
    std::string text; // UTF-8, lines separated by '\n'
    std::vector<OcrWord> words;
    int image_width = 0, image_height = 0, resolution_dpi = 300;
};

class OcrEngine {
public:
    // languages: tesseract's "chi_sim+eng"; tessdata: "" = the installed default.
    explicit OcrEngine(const std::string& languages = "chi_sim+eng",
                       const std::string& tessdata = "");
    ~OcrEngine();
    OcrEngine(const OcrEngine&) = delete;
    OcrEngine& operator=(const OcrEngine&) = delete;

    OcrResult read(const PageImage& image);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// 18-character runs of digits and capital letters in OCR text, with the usual confusions of a
// digit field undone where the run is otherwise numeric (O→0, I/l→1, S→5, B→8 in ID numbers).
// Spaces inside a number are skipped. In the order found, without duplicates.
std::vector<std::string> identifier_candidates(const std::string& ocr_text);

} // namespace ow::devices
