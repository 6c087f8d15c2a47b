// What the scan panel shows and allows, without wx (unit-testable): the pages as they arrive, the
// page operations on them, which material each page belongs to, progress, the OCR pre-review and
// whether its warning was acknowledged. The panel binds widgets to it and runs the ScanJob on a
// worker thread, feeding its events back here on the GUI thread.
#pragma once

#include "ow/core/scan_job.h"
#include "ow/core/scan_service.h"

#include <optional>
#include <string>
#include <vector>

namespace ow::core {

struct MaterialChoice {
    std::string key;
    std::string name;
};

class ScanPresenter {
public:
    // The materials pages can be assigned to; the applicant the OCR pre-review compares with.
    ScanPresenter(std::vector<MaterialChoice> materials, std::string applicant_kind, std::string applicant_id,
                  std::string applicant_name);

    static const std::vector<std::string>& presets(); // text, gray, color, photo
    const std::vector<MaterialChoice>& materials() const { return materials_; }

    // Starting a scan: the request for the chosen device and settings. Pages of an earlier scan
    // stay (a second pass for manual duplex appends the backs).
    ScanRequest begin(const std::string& device, const std::string& preset, const std::string& source, int dpi,
                      bool ocr);
    void on_progress(int page, double fraction);
    void on_page(devices::ScannedPage page);
    void on_blank(int sheet);
    void on_finished(const ScanOutcome& outcome); // outcome.pages are already in via on_page
    void on_failed(const std::string& message);

    bool busy() const { return busy_; }
    double fraction() const { return fraction_; }
    const std::string& status() const { return status_; } // English; the panel translates templates
    const std::vector<devices::ScannedPage>& pages() const { return pages_; }

    // Page operations; false (and nothing changed) for a bad index.
    bool rotate(std::size_t index, int quarter_turns);
    bool remove(std::size_t index);
    bool move(std::size_t from, std::size_t to);
    bool interleave(); // the first half are fronts, the second half the backs in reverse
    bool assign(std::size_t first, std::size_t last, const std::string& material_key);
    // Every page to one material (the wizard's per-material scan).
    void assign_all(const std::string& material_key);

    const std::optional<PreReview>& review() const { return review_; }
    void acknowledge(bool yes) { acknowledged_ = yes; }
    bool acknowledged() const { return acknowledged_; }

    bool can_scan() const { return !busy_; }
    bool can_cancel() const { return busy_; }
    // Pages are there, every page has a material, and a pre-review mismatch was acknowledged.
    bool can_finish() const;
    std::string finish_blocker() const; // why not (English), "" when it can

    std::vector<ScanAttachment> attachments(const std::string& case_number, bool pdfa) const;

private:
    void update_review();

    std::vector<MaterialChoice> materials_;
    std::string applicant_kind_, applicant_id_, applicant_name_;
    std::vector<devices::ScannedPage> pages_;
    bool busy_ = false;
    double fraction_ = 0;
    std::string status_;
    std::optional<PreReview> review_;
    bool acknowledged_ = false;
    int blank_ = 0;
};

} // namespace ow::core
