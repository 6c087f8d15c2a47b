// onewindow-cli scan --list
// onewindow-cli scan --device NAME --options
// onewindow-cli scan (--device NAME | --image FILE…) [--source flatbed|adf|duplex]
//                    [--mode text|gray|color|photo] [--dpi N] [--quality Q] [--max-pages N]
//                    [--keep-blank] [--no-deskew] [--crop] [--ocr] [--pdfa] [--option NAME=VALUE]…
//                    [--interleave] [--order 3,1,2] [--rotate PAGE:TURNS]… [--delete PAGE]…
//                    [--out FILE.pdf]
//                    [--case NO (--material KEY | --assign KEY=FIRST-LAST…) --user CLERK
//                     [--password-stdin] [--acknowledge]]
//
// Scans (or takes page images), runs the page pipeline, applies the page operations in the order
// interleave → order → rotate → delete (page numbers refer to the pages at that step), writes the
// PDF and/or attaches it to a case's material (encrypted, queued for sync). With --ocr the pages
// are read and pre-reviewed against the case's applicant: a mismatch exits 3 and stores nothing
// unless
// --acknowledge is given (recorded in the audit log). Device errors exit 7; the pages scanned
// before the error are still written/attached. Ctrl-C cancels the scan and keeps the pages so far.
#include "cli_support.h"
#include "ow/core/error.h"
#include "ow/core/scan_job.h"
#include "ow/core/scan_service.h"
#include "ow/core/system_config.h"
#include "ow/core/util.h"

#include <csignal>
#include <ostream>
#include <sstream>

namespace ow::cli {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_interrupt(int) {
    g_cancel.store(true);
}

std::size_t page_number(const std::string& text, std::size_t count, const std::string& option) {
    std::size_t n = 0;
    try {
        n = std::stoul(text);
    } catch (const std::exception&) {
        throw UsageError(option + ": '" + text + "' is not a page number");
    }
    if (n < 1 || n > count)
        throw UsageError(option + ": page " + text + " does not exist (" + std::to_string(count) +
                         " pages)");
    return n - 1;
}

void apply_page_operations(Context& ctx, std::vector<devices::ScannedPage>& pages) {
    using namespace devices::page_ops;
    try {
        if (ctx.args.has("interleave"))
            interleave_in_place(pages, pages.size() / 2);
        if (auto order = ctx.args.get("order")) {
            std::vector<std::size_t> indices;
            std::stringstream ss(*order);
            std::string part;
            while (std::getline(ss, part, ','))
                indices.push_back(page_number(part, pages.size(), "--order"));
            reorder(pages, indices);
        }
        for (const auto& spec : ctx.args.all("rotate")) {
            auto colon = spec.find(':');
            if (colon == std::string::npos)
                throw UsageError("--rotate PAGE:QUARTER_TURNS, e.g. 2:1 (90° clockwise)");
            rotate(pages, page_number(spec.substr(0, colon), pages.size(), "--rotate"),
                   std::stoi(spec.substr(colon + 1)));
        }
        auto deletions = ctx.args.all("delete");
        std::vector<std::size_t> indices;
        for (const auto& d : deletions)
            indices.push_back(page_number(d, pages.size(), "--delete"));
        std::sort(indices.rbegin(), indices.rend());
        indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
        for (auto i : indices)
            remove(pages, i);
    } catch (const std::out_of_range& e) {
        throw UsageError(e.what());
    } catch (const std::invalid_argument&) {
        throw UsageError("--rotate PAGE:QUARTER_TURNS takes whole numbers");
    }
}

int list(Context& ctx) {
    auto scanner = devices::make_sane_scanner();
    auto devices_found = scanner->list_devices();
    for (const auto& d : devices_found)
        ctx.out << d.name << "\t" << d.vendor << " " << d.model << " (" << d.type << ")\n";
    if (devices_found.empty()) {
        ctx.err << "no scanners found\n";
        return kExitFailed;
    }
    return kExitOk;
}

int show_options(Context& ctx) {
    auto scanner = devices::make_sane_scanner();
    try {
        auto device = scanner->open(ctx.args.require("device"));
        for (const auto& o : device->options()) {
            if (o.type == "group")
                continue;
            ctx.out << o.name << " = " << o.value << "  [" << o.type
                    << (o.settable ? "" : ", read-only") << "]";
            if (!o.choices.empty()) {
                ctx.out << " {";
                for (std::size_t i = 0; i < o.choices.size(); ++i)
                    ctx.out << (i ? "|" : "") << o.choices[i];
                ctx.out << "}";
            }
            ctx.out << "  " << o.title << "\n";
        }
    } catch (const devices::ScanError& e) {
        ctx.err << "scanner: " << e.what() << "\n";
        return kExitDevice;
    }
    return kExitOk;
}

void print_review(Context& ctx, const core::PreReview& review) {
    for (const auto& f : review.findings)
        ctx.out << "prereview: " << f.field << ": " << core::to_string(f.kind) << ": "
                << core::CoreError::format(f.message,
                                           {{"expected", f.expected}, {"found", f.found}})
                << "\n";
}

int run(Context& ctx) {
    ctx.args.allow_only(
        {"list",      "device",         "image",       "source", "mode",   "dpi",      "quality",
         "max-pages", "keep-blank",     "no-deskew",   "crop",   "ocr",    "pdfa",     "interleave",
         "order",     "rotate",         "delete",      "out",    "case",   "material", "assign",
         "user",      "password-stdin", "acknowledge", "option", "options"});
    if (ctx.args.has("list"))
        return list(ctx);
    if (ctx.args.has("options"))
        return show_options(ctx);
    const bool to_case = ctx.args.has("case");
    if (!ctx.args.has("out") && !to_case)
        throw UsageError("say where the scan goes: --out FILE.pdf and/or --case NO --material KEY");
    if (to_case && !ctx.args.has("material") && ctx.args.all("assign").empty())
        throw UsageError("--case needs --material KEY or --assign KEY=FIRST-LAST");
    // The scanner and the defaults IT pre-seeded for this PC (onewindow.conf [devices]).
    const auto& seeded = core::SystemConfig::installed();
    const std::optional<std::string> device_name = ctx.args.get("device") ? ctx.args.get("device")
                                                   : ctx.args.all("image").empty()
                                                       ? seeded.get("devices.scanner")
                                                       : std::nullopt;
    if (!device_name && ctx.args.all("image").empty())
        throw UsageError("--device NAME (see scan --list) or --image FILE");

    core::ScanRequest request;
    try {
        request = core::scan_preset(
            ctx.args.get("mode").value_or(seeded.get_or("devices.scan_mode", "gray")),
            static_cast<int>(ctx.args.get_int("dpi", seeded.get_int("devices.scan_dpi", 300))));
    } catch (const devices::PipelineError& e) {
        throw UsageError(std::string("--mode: ") + e.what());
    }
    if (auto source = ctx.args.get("source")) {
        auto parsed = devices::parse_scan_source(*source);
        if (!parsed)
            throw UsageError("--source: '" + *source + "' is not flatbed, adf or duplex");
        request.settings.source = *parsed;
    }
    if (ctx.args.has("quality"))
        request.pipeline.jpeg_quality = static_cast<int>(ctx.args.get_int("quality", 50));
    if (request.pipeline.jpeg_quality < 10 || request.pipeline.jpeg_quality > 95)
        throw UsageError("--quality must be between 10 and 95");
    if (request.settings.resolution_dpi < 75 || request.settings.resolution_dpi > 1200)
        throw UsageError("--dpi must be between 75 and 1200");
    request.settings.max_pages = static_cast<int>(ctx.args.get_int("max-pages", 0));
    if (ctx.args.has("keep-blank"))
        request.pipeline.drop_blank = false;
    if (ctx.args.has("no-deskew"))
        request.pipeline.deskew = false;
    if (ctx.args.has("crop"))
        request.pipeline.crop_to_content = true;
    request.ocr = ctx.args.has("ocr");
    for (const auto& option : ctx.args.all("option")) {
        auto eq = option.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--option NAME=VALUE (see scan --device NAME --options)");
        request.settings.device_options.emplace_back(option.substr(0, eq), option.substr(eq + 1));
    }

    // Log in before scanning: a wrong password should not cost a scan.
    std::unique_ptr<core::Session> session;
    if (to_case)
        session = login(ctx);

    core::ScanJobEvents events;
    events.page_ready = [&](const devices::ScannedPage& page, int number) {
        ctx.err << "page " << number << ": " << devices::to_string(page.encoded.encoding) << " "
                << page.encoded.width << "x" << page.encoded.height << ", "
                << page.encoded.data.size() / 1024 << " KB\n";
    };
    events.blank_dropped = [&](int number) {
        ctx.err << "sheet " << number << ": blank, left out\n";
    };

    g_cancel.store(false);
    auto previous = std::signal(SIGINT, on_interrupt);
    core::ScanOutcome outcome;
    try {
        if (device_name) {
            request.device = *device_name;
            auto scanner = devices::make_sane_scanner();
            outcome = core::run_scan(*scanner, request, events, g_cancel);
        } else {
            std::vector<devices::PageImage> images;
            for (const auto& file : ctx.args.all("image")) {
                std::string bytes;
                try {
                    bytes = core::read_file(file);
                } catch (const std::exception&) {
                    throw UsageError("cannot read " + file);
                }
                try {
                    images.push_back(devices::PageImage::decode({bytes.begin(), bytes.end()}));
                } catch (const devices::PipelineError& e) {
                    throw UsageError(file + ": " + e.what());
                }
                if (images.back().resolution_dpi() <= 0 || images.back().resolution_dpi() == 72)
                    images.back().set_resolution_dpi(request.settings.resolution_dpi);
            }
            outcome = core::process_images(images, request, events, g_cancel);
        }
    } catch (const devices::ScanError& e) {
        std::signal(SIGINT, previous);
        ctx.err << "scan failed: " << e.what() << "\n";
        return kExitDevice;
    } catch (const devices::PipelineError& e) {
        std::signal(SIGINT, previous);
        ctx.err << "scan failed: " << e.what() << "\n";
        return kExitDevice;
    }
    std::signal(SIGINT, previous);

    ctx.err << outcome.scanned << " sheet(s) scanned, " << outcome.blank_dropped
            << " blank left out, " << outcome.pages.size() << " page(s) kept\n";
    int status = kExitOk;
    if (outcome.error) {
        ctx.err << "scan stopped: " << devices::ScanError::message_for(*outcome.error)
                << (outcome.error_detail.empty() ? "" : " (" + outcome.error_detail + ")") << "\n";
        status = kExitDevice;
    }
    if (outcome.pages.empty()) {
        ctx.err << "no pages: nothing written\n";
        return outcome.error ? kExitDevice : kExitFailed;
    }
    apply_page_operations(ctx, outcome.pages);
    if (outcome.pages.empty()) {
        ctx.err << "every page was deleted: nothing written\n";
        return kExitFailed;
    }

    devices::PdfOptions pdf;
    pdf.pdfa = ctx.args.has("pdfa");
    if (auto out = ctx.args.get("out")) {
        auto bytes = devices::write_pdf(outcome.pages, pdf);
        core::write_file_atomically(*out, std::string(bytes.begin(), bytes.end()));
        ctx.out << "written: " << *out << " (" << outcome.pages.size() << " pages, "
                << bytes.size() / 1024 << " KB)\n";
    }
    if (!to_case)
        return status;

    const std::string case_number = *ctx.args.get("case");
    core::ScanService service(*session);
    std::optional<core::PreReview> review;
    if (request.ocr) {
        review = service.review(case_number, outcome.ocr_text);
        print_review(ctx, *review);
        if (review->needs_acknowledgement() && !ctx.args.has("acknowledge")) {
            ctx.err << "the OCR pre-review found a mismatch with the form; check the material, "
                       "then repeat with "
                       "--acknowledge to attach it anyway. Nothing was stored.\n";
            return kExitWarning;
        }
    }
    // Which pages go to which material.
    if (auto material = ctx.args.get("material"))
        devices::page_ops::assign(outcome.pages, 0, outcome.pages.size() - 1, *material);
    for (const auto& spec : ctx.args.all("assign")) {
        auto eq = spec.find('='), dash = spec.find('-', eq == std::string::npos ? 0 : eq);
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--assign KEY=FIRST-LAST, e.g. id_card=1-2");
        std::string key = spec.substr(0, eq);
        std::string first =
            spec.substr(eq + 1, dash == std::string::npos ? std::string::npos : dash - eq - 1);
        std::string last = dash == std::string::npos ? first : spec.substr(dash + 1);
        devices::page_ops::assign(outcome.pages,
                                  page_number(first, outcome.pages.size(), "--assign"),
                                  page_number(last, outcome.pages.size(), "--assign"), key);
    }
    for (auto& [key, pages] : devices::page_ops::split_by_material(outcome.pages)) {
        if (key.empty()) {
            ctx.err << pages.size() << " page(s) not assigned to a material: not attached\n";
            continue;
        }
        core::ScanAttachment attachment;
        attachment.case_number = case_number;
        attachment.material_key = key;
        attachment.pages = std::move(pages);
        attachment.pdf = pdf;
        attachment.review = review;
        attachment.review_acknowledged = ctx.args.has("acknowledge");
        auto stored = service.attach(attachment);
        ctx.out << "attached: " << case_number << " " << key << " (" << stored.pages
                << " pages, PDF " << stored.pdf.size / 1024 << " KB, encrypted)\n";
    }
    return status;
}

const Registration reg{{"scan",
                        "scan --list | scan --device NAME --options | scan (--device NAME | "
                        "--image FILE…) [--source flatbed|adf|duplex] "
                        "[--mode text|gray|color|photo] [--dpi N] [--quality Q] [--option "
                        "NAME=VALUE]… [--ocr] [--pdfa] "
                        "[--out FILE.pdf] "
                        "[--case NO (--material KEY | --assign KEY=FIRST-LAST…) --user CLERK]",
                        {"list", "options", "keep-blank", "no-deskew", "crop", "ocr", "pdfa",
                         "interleave", "password-stdin", "acknowledge"},
                        &run}};

} // namespace
} // namespace ow::cli
