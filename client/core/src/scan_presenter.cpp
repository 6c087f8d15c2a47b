#include "ow/core/scan_presenter.h"

#include "ow/core/error.h"

#include <algorithm>

namespace ow::core {

ScanPresenter::ScanPresenter(std::vector<MaterialChoice> materials, std::string applicant_kind,
                             std::string applicant_id, std::string applicant_name)
    : materials_(std::move(materials)), applicant_kind_(std::move(applicant_kind)),
      applicant_id_(std::move(applicant_id)), applicant_name_(std::move(applicant_name)) {}

const std::vector<std::string>& ScanPresenter::presets() {
    static const std::vector<std::string> names = {"text", "gray", "color", "photo"};
    return names;
}

ScanRequest ScanPresenter::begin(const std::string& device, const std::string& preset, const std::string& source,
                                 int dpi, bool ocr) {
    ScanRequest request = scan_preset(preset, dpi);
    request.device = device;
    if (auto s = devices::parse_scan_source(source))
        request.settings.source = *s;
    request.ocr = ocr;
    busy_ = true;
    fraction_ = 0;
    blank_ = 0;
    status_ = "Scanning…";
    return request;
}

void ScanPresenter::on_progress(int page, double fraction) {
    fraction_ = fraction;
    status_ = "Scanning page " + std::to_string(pages_.size() + 1) + " (sheet " + std::to_string(page) + ")";
}

void ScanPresenter::on_page(devices::ScannedPage page) {
    if (page.material_key.empty() && materials_.size() == 1)
        page.material_key = materials_.front().key;
    pages_.push_back(std::move(page));
    update_review();
}

void ScanPresenter::on_blank(int) {
    ++blank_;
}

void ScanPresenter::on_finished(const ScanOutcome& outcome) {
    busy_ = false;
    fraction_ = 0;
    status_ = std::to_string(outcome.pages.size()) + " page(s) scanned";
    if (blank_ > 0)
        status_ += ", " + std::to_string(blank_) + " blank left out";
    if (outcome.error)
        status_ += ". " + std::string(devices::ScanError::message_for(*outcome.error));
}

void ScanPresenter::on_failed(const std::string& message) {
    busy_ = false;
    fraction_ = 0;
    status_ = message;
}

bool ScanPresenter::rotate(std::size_t index, int quarter_turns) {
    if (busy_ || index >= pages_.size())
        return false;
    devices::page_ops::rotate(pages_, index, quarter_turns);
    return true;
}

bool ScanPresenter::remove(std::size_t index) {
    if (busy_ || index >= pages_.size())
        return false;
    devices::page_ops::remove(pages_, index);
    update_review();
    return true;
}

bool ScanPresenter::move(std::size_t from, std::size_t to) {
    if (busy_ || from >= pages_.size() || to >= pages_.size())
        return false;
    devices::page_ops::move(pages_, from, to);
    return true;
}

bool ScanPresenter::interleave() {
    if (busy_ || pages_.size() < 2 || pages_.size() % 2 != 0)
        return false;
    devices::page_ops::interleave_in_place(pages_, pages_.size() / 2);
    return true;
}

bool ScanPresenter::assign(std::size_t first, std::size_t last, const std::string& material_key) {
    if (busy_ || first >= pages_.size() || last >= pages_.size())
        return false;
    if (std::none_of(materials_.begin(), materials_.end(),
                     [&](const MaterialChoice& m) { return m.key == material_key; }))
        return false;
    devices::page_ops::assign(pages_, first, last, material_key);
    return true;
}

void ScanPresenter::assign_all(const std::string& material_key) {
    if (!pages_.empty())
        devices::page_ops::assign(pages_, 0, pages_.size() - 1, material_key);
}

void ScanPresenter::update_review() {
    std::string text;
    bool any = false;
    for (const auto& p : pages_)
        if (p.ocr) {
            text += p.ocr->text + "\n";
            any = true;
        }
    if (!any || applicant_id_.empty()) {
        review_.reset();
        return;
    }
    bool had_mismatch = review_ && review_->needs_acknowledgement();
    review_ = pre_review(text, applicant_kind_, applicant_id_, applicant_name_);
    if (!had_mismatch && review_->needs_acknowledgement())
        acknowledged_ = false;
}

std::string ScanPresenter::finish_blocker() const {
    if (busy_)
        return N_("Wait for the scan to finish.");
    if (pages_.empty())
        return N_("Scan at least one page.");
    if (std::any_of(pages_.begin(), pages_.end(), [](const devices::ScannedPage& p) { return p.material_key.empty(); }))
        return N_("Assign every page to a material.");
    if (review_ && review_->needs_acknowledgement() && !acknowledged_)
        return N_("The OCR pre-review found a mismatch: check the material and acknowledge the warning.");
    return "";
}

bool ScanPresenter::can_finish() const {
    return finish_blocker().empty();
}

std::vector<ScanAttachment> ScanPresenter::attachments(const std::string& case_number, bool pdfa) const {
    std::vector<ScanAttachment> out;
    for (auto& [key, pages] : devices::page_ops::split_by_material(pages_)) {
        if (key.empty())
            continue;
        ScanAttachment a;
        a.case_number = case_number;
        a.material_key = key;
        a.pages = pages;
        a.pdf.pdfa = pdfa;
        a.review = review_;
        a.review_acknowledged = acknowledged_;
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace ow::core
