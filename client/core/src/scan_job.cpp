#include "ow/core/scan_job.h"

#include "ow/core/log.h"
#include "ow/devices/ocr.h"

namespace ow::core {

ScanRequest scan_preset(const std::string& preset, int dpi) {
    ScanRequest r;
    r.pipeline = devices::preset(preset); // throws PipelineError on an unknown name
    r.settings.resolution_dpi = dpi;
    switch (r.pipeline.kind) {
    case devices::PageKind::Bilevel:
        // Scan grey and binarise adaptively: better than the device's fixed-threshold lineart.
        r.settings.mode = devices::ColorMode::Gray;
        break;
    case devices::PageKind::Gray:
        r.settings.mode = devices::ColorMode::Gray;
        break;
    case devices::PageKind::Color:
        r.settings.mode = devices::ColorMode::Color;
        break;
    }
    return r;
}

PageProcessor::PageProcessor(const ScanRequest& request) : request_(request) {
    if (request_.ocr)
        ocr_ = std::make_unique<devices::OcrEngine>(request_.ocr_languages);
}

PageProcessor::~PageProcessor() = default;

std::optional<devices::ScannedPage> PageProcessor::process(const devices::PageImage& image) {
    auto processed = devices::process(image, request_.pipeline);
    if (processed.blank && request_.pipeline.drop_blank)
        return std::nullopt;
    devices::ScannedPage page;
    page.encoded = std::move(processed.encoded);
    page.thumbnail = devices::thumbnail_jpeg(processed.image);
    if (ocr_)
        page.ocr = ocr_->read(processed.image);
    return page;
}

namespace {

void accept(ScanOutcome& outcome, std::optional<devices::ScannedPage> page, int number,
            const ScanJobEvents& events) {
    if (!page) {
        ++outcome.blank_dropped;
        if (events.blank_dropped)
            events.blank_dropped(number);
        return;
    }
    if (page->ocr) {
        outcome.ocr_text += page->ocr->text;
        outcome.ocr_text += "\n";
    }
    outcome.pages.push_back(std::move(*page));
    if (events.page_ready)
        events.page_ready(outcome.pages.back(), static_cast<int>(outcome.pages.size()));
}

} // namespace

ScanOutcome run_scan(devices::Scanner& scanner, const ScanRequest& request,
                     const ScanJobEvents& events, const std::atomic<bool>& cancel) {
    ScanOutcome outcome;
    PageProcessor processor(request);
    auto device = scanner.open(request.device);
    device->apply(request.settings);
    std::string pipeline_error;
    auto batch = device->scan(
        [&](const devices::ScanProgress& p) {
            if (events.progress)
                events.progress(p.page, p.fraction);
        },
        [&](const devices::RawPage& raw) {
            // Each page goes through the pipeline as soon as it is read; the raw rows are dropped.
            ++outcome.scanned;
            try {
                accept(outcome, processor.process(devices::PageImage::from_raw(raw)),
                       outcome.scanned, events);
            } catch (const devices::PipelineError& e) {
                if (pipeline_error.empty())
                    pipeline_error = e.what();
            }
        },
        cancel);
    outcome.error = batch.error;
    outcome.error_detail = batch.error_detail;
    if (!outcome.error && !pipeline_error.empty()) {
        outcome.error = devices::ScanErrorKind::Internal;
        outcome.error_detail = pipeline_error;
    }
    log::info("scan: device pages={} kept={} blank={} error={}", outcome.scanned,
              outcome.pages.size(), outcome.blank_dropped,
              outcome.error ? devices::to_string(*outcome.error) : "none");
    return outcome;
}

ScanOutcome process_images(const std::vector<devices::PageImage>& images,
                           const ScanRequest& request, const ScanJobEvents& events,
                           const std::atomic<bool>& cancel) {
    ScanOutcome outcome;
    PageProcessor processor(request);
    for (const auto& image : images) {
        if (cancel.load()) {
            outcome.error = devices::ScanErrorKind::Cancelled;
            break;
        }
        ++outcome.scanned;
        if (events.progress)
            events.progress(outcome.scanned, 1.0);
        accept(outcome, processor.process(image), outcome.scanned, events);
    }
    return outcome;
}

} // namespace ow::core
