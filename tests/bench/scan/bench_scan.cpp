// Scan pipeline benchmark: renders N A4 text pages at 300 dpi (skew, noise; the same pages are
// written as PNG for the peers), then times the pipeline without OCR on one thread — scanner rows
// to image, deskew, blank check, levels / binarisation, encoding, thumbnail, PDF — for the grey
// (JPEG) and the text (G4) presets, and OCR on one page. Prints key=value lines for run.sh. Usage:
// bench_scan OUT_DIR [PAGES] [JPEG_QUALITY]
#include "ow/devices/ocr.h"
#include "ow/devices/page_pipeline.h"
#include "ow/devices/scan_document.h"
#include "page_render.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using namespace ow::devices;
using Clock = std::chrono::steady_clock;

namespace {

void write(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

double run_preset(const std::vector<RawPage>& pages, const std::string& name, int quality,
                  const std::filesystem::path& out) {
    auto options = preset(name);
    options.jpeg_quality = quality;
    const auto start = Clock::now();
    std::vector<ScannedPage> scanned;
    for (const auto& raw : pages) {
        auto processed = process(PageImage::from_raw(raw), options);
        if (processed.blank)
            continue;
        ScannedPage page;
        page.encoded = std::move(processed.encoded);
        page.thumbnail = thumbnail_jpeg(processed.image);
        scanned.push_back(std::move(page));
    }
    auto pdf = write_pdf(scanned, {});
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    write(out, pdf);
    std::printf("ours.%s.pages=%zu\nours.%s.bytes=%zu\nours.%s.seconds=%.3f\n", name.c_str(),
                scanned.size(), name.c_str(), pdf.size(), name.c_str(), seconds);
    return seconds;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR [PAGES] [JPEG_QUALITY]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int count = argc > 2 ? std::stoi(argv[2]) : 8;
    const int quality = argc > 3 ? std::stoi(argv[3]) : 50;
    std::filesystem::create_directories(dir);
    std::vector<RawPage> pages;
    for (int i = 0; i < count; ++i) {
        ow::test::PageSpec spec;
        spec.paragraphs = ow::test::sample_paragraphs(i + 1);
        spec.angle_deg = (i % 2 ? -0.6 : 0.6) * (1 + i % 3);
        spec.noise_sd = 3;
        spec.seed = static_cast<unsigned>(i + 1);
        pages.push_back(ow::test::render_page(spec));
        char name[32];
        std::snprintf(name, sizeof name, "page-%02d.png", i + 1);
        write(dir / name, PageImage::from_raw(pages.back()).png());
    }
    run_preset(pages, "gray", quality, dir / "ours-gray.pdf");
    run_preset(pages, "text", quality, dir / "ours-text.pdf");

    // OCR on the first page (chi_sim+eng), with the engine loaded once as in a resident client.
    OcrEngine engine("chi_sim+eng");
    auto processed = process(PageImage::from_raw(pages[0]), preset("gray"));
    const auto start = Clock::now();
    auto result = engine.read(processed.image);
    std::printf("ours.ocr.seconds=%.3f\nours.ocr.words=%zu\n",
                std::chrono::duration<double>(Clock::now() - start).count(), result.words.size());
    return 0;
}
