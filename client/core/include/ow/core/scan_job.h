// One scan at the counter, device to finished pages: the device scans (flatbed page or feeder
// batch), each page goes through the pipeline as it arrives (deskew, blank removal, binarisation,
// encoding, thumbnail) and, on request, through OCR. Runs on a worker thread (GUI) or the main
// thread (CLI); progress and each finished page are reported through callbacks on that thread, and
// a cancel flag stops it between two buffers. Pages finished before an error or a cancel are kept.
#pragma once

#include "ow/devices/page_pipeline.h"
#include "ow/devices/scan_document.h"
#include "ow/devices/scanner.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

struct ScanRequest {
    std::string device;
    devices::ScanSettings settings;
    devices::PipelineOptions pipeline;
    bool ocr = false;
    std::string ocr_languages = "chi_sim+eng";
};

// Device settings and pipeline options for a preset name (text, gray, color, photo) at a dpi.
ScanRequest scan_preset(const std::string& preset, int dpi = 300);

struct ScanJobEvents {
    std::function<void(int page, double fraction)> progress;
    std::function<void(const devices::ScannedPage& page, int number)> page_ready;
    std::function<void(int number)> blank_dropped;
};

struct ScanOutcome {
    std::vector<devices::ScannedPage> pages;
    int scanned = 0;       // sheets delivered by the device
    int blank_dropped = 0; // of those, blank and left out
    std::optional<devices::ScanErrorKind> error;
    std::string error_detail;
    std::string ocr_text; // all pages, in order

    bool complete() const { return !error.has_value(); }
};

// The pipeline (and OCR) on one scanner page.
struct PageProcessor {
    explicit PageProcessor(const ScanRequest& request);
    ~PageProcessor();
    // nullopt when the page is blank and blank pages are dropped.
    std::optional<devices::ScannedPage> process(const devices::PageImage& image);

private:
    ScanRequest request_;
    std::unique_ptr<devices::OcrEngine> ocr_;
};

ScanOutcome run_scan(devices::Scanner& scanner, const ScanRequest& request,
                     const ScanJobEvents& events, const std::atomic<bool>& cancel);

// The same for images already on hand (a network scanner's files, imports): no device.
ScanOutcome process_images(const std::vector<devices::PageImage>& images,
                           const ScanRequest& request, const ScanJobEvents& events,
                           const std::atomic<bool>& cancel);

} // namespace ow::core
