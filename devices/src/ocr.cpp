// OCR with tesseract 5 (its C API, loaded on first use), on the leptonica image the pipeline
// already holds in memory.
#include "ow/devices/ocr.h"

#include "dynlib.h"
#include "ow/devices/page_pipeline.h"

#include <algorithm>
#include <cctype>
#include <memory>

namespace ow::devices {

using detail::tess;

struct OcrEngine::Impl {
    TessBaseAPI* api = nullptr;
    ~Impl() {
        if (api) {
            tess().TessBaseAPIEnd(api);
            tess().TessBaseAPIDelete(api);
        }
    }
};

namespace {

struct TessText {
    void operator()(char* text) const { tess().TessDeleteText(text); }
};
using TessTextPtr = std::unique_ptr<char, TessText>;

} // namespace

OcrEngine::OcrEngine(const std::string& languages, const std::string& tessdata)
    : impl_(std::make_unique<Impl>()) {
    const auto& t = tess();
    impl_->api = t.TessBaseAPICreate();
    if (!impl_->api)
        throw PipelineError("tesseract: cannot create the engine");
    if (t.TessBaseAPIInit2(impl_->api, tessdata.empty() ? nullptr : tessdata.c_str(),
                           languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
        throw PipelineError("tesseract: cannot load the languages '" + languages +
                            "' (install tesseract-ocr-chi-sim and tesseract-ocr-eng)");
    t.TessBaseAPISetPageSegMode(impl_->api, tesseract::PSM_AUTO);
    // Keep tesseract quiet on stderr: no debug file, nothing personal in a console log.
    t.TessBaseAPISetVariable(impl_->api, "debug_file", "/dev/null");
}

OcrEngine::~OcrEngine() = default;

OcrResult OcrEngine::read(const PageImage& image) {
    if (image.empty())
        throw PipelineError("no image to read");
    OcrResult result;
    result.image_width = image.width();
    result.image_height = image.height();
    result.resolution_dpi = image.resolution_dpi() > 0 ? image.resolution_dpi() : 300;
    const auto& t = tess();
    auto* api = impl_->api;
    t.TessBaseAPISetImage2(api, image.pix());
    t.TessBaseAPISetSourceResolution(api, result.resolution_dpi);
    if (t.TessBaseAPIRecognize(api, nullptr) != 0)
        throw PipelineError("tesseract: recognition failed");
    TessTextPtr text(t.TessBaseAPIGetUTF8Text(api));
    result.text = text ? text.get() : "";
    struct IteratorDelete {
        void operator()(TessResultIterator* it) const { tess().TessResultIteratorDelete(it); }
    };
    std::unique_ptr<TessResultIterator, IteratorDelete> it(t.TessBaseAPIGetIterator(api));
    if (it) {
        do {
            TessTextPtr word(t.TessResultIteratorGetUTF8Text(it.get(), tesseract::RIL_WORD));
            if (!word || !*word.get())
                continue;
            int x0, y0, x1, y1;
            if (!t.TessPageIteratorBoundingBox(t.TessResultIteratorGetPageIteratorConst(it.get()),
                                               tesseract::RIL_WORD, &x0, &y0, &x1, &y1))
                continue;
            result.words.push_back({word.get(), x0, y0, x1 - x0, y1 - y0,
                                    t.TessResultIteratorConfidence(it.get(), tesseract::RIL_WORD)});
        } while (t.TessResultIteratorNext(it.get(), tesseract::RIL_WORD));
    }
    t.TessBaseAPIClear(api);
    return result;
}

namespace {

// In a run that is mostly digits, letters that OCR confuses with digits are digits. The last
// character of an ID number may be 'X' and of a USCC any capital letter, so it is left alone.
std::string undo_digit_confusions(std::string run) {
    int digits = 0;
    for (char c : run)
        digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    if (digits < 15)
        return run;
    for (std::size_t i = 0; i + 1 < run.size(); ++i) {
        switch (run[i]) {
        case 'O':
        case 'D':
        case 'Q':
            run[i] = '0';
            break;
        case 'I':
        case 'L':
            run[i] = '1';
            break;
        case 'S':
            run[i] = '5';
            break;
        case 'B':
            run[i] = '8';
            break;
        case 'Z':
            run[i] = '2';
            break;
        default:
            break;
        }
    }
    if (run.back() == 'x')
        run.back() = 'X';
    return run;
}

} // namespace

std::vector<std::string> identifier_candidates(const std::string& ocr_text) {
    // Collect runs of ASCII letters/digits; single spaces inside a run are skipped (OCR often
    // splits a long number), anything else ends the run.
    std::vector<std::string> runs;
    std::string current;
    for (std::size_t i = 0; i <= ocr_text.size(); ++i) {
        const char c = i < ocr_text.size() ? ocr_text[i] : '\n';
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80 && std::isalnum(u)) {
            current.push_back(static_cast<char>(std::toupper(u)));
        } else if (c == ' ' && !current.empty() && i + 1 < ocr_text.size() &&
                   std::isalnum(static_cast<unsigned char>(ocr_text[i + 1])) &&
                   static_cast<unsigned char>(ocr_text[i + 1]) < 0x80) {
            continue;
        } else {
            if (!current.empty())
                runs.push_back(current);
            current.clear();
        }
    }
    std::vector<std::string> out;
    auto add = [&out](const std::string& s) {
        if (std::find(out.begin(), out.end(), s) == out.end())
            out.push_back(s);
    };
    for (const auto& run : runs) {
        if (run.size() < 18)
            continue;
        // A longer run may hold the number glued to a neighbour: try each 18-character window.
        for (std::size_t start = 0; start + 18 <= run.size(); ++start) {
            // Both readings: a USCC may hold letters where an ID number has digits.
            add(run.substr(start, 18));
            add(undo_digit_confusions(run.substr(start, 18)));
        }
    }
    return out;
}

} // namespace ow::devices
