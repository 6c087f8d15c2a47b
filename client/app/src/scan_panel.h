// The scan panel (in a dialog): device, preset (text / grey / colour / photo), source, resolution,
// OCR; thumbnails appearing as pages arrive; page operations; assigning pages to materials;
// progress and cancel; the OCR pre-review warning to acknowledge. Widgets over ScanPresenter; the
// scan runs on a worker thread and reports back with CallAfter.
#pragma once

#include "ow/core/scan_presenter.h"
#include "ow/core/workstation.h"

#include <atomic>
#include <thread>
#include <wx/dialog.h>

class wxChoice;
class wxCheckBox;
class wxButton;
class wxGauge;
class wxStaticText;
class wxListCtrl;
class wxImageList;

namespace ow::app {

class ScanDialog : public wxDialog {
public:
    // case_number empty: the intake wizard's mode — the pages are handed back (attachments()) and
    // attached once the case exists. Otherwise they are attached to that case when finished.
    ScanDialog(wxWindow* parent, ow::core::Session& session,
               std::vector<ow::core::MaterialChoice> materials, const std::string& applicant_kind,
               const std::string& applicant_id, const std::string& applicant_name,
               const std::string& case_number);
    ~ScanDialog() override;

    // The pages by material, for the wizard (case number filled in by the caller).
    std::vector<ow::core::ScanAttachment> attachments() const;
    const ow::core::ScanPresenter& presenter() const { return presenter_; }

private:
    void list_devices();
    void start_scan();
    void cancel_scan();
    void worker_done();
    void update();
    void rebuild_thumbnails();
    std::vector<long> selected() const;
    void finish();

    ow::core::Session& session_;
    ow::core::ScanPresenter presenter_;
    std::string case_number_;
    std::thread worker_;
    std::atomic<bool> cancel_{false};

    wxChoice* device_ = nullptr;
    wxChoice* preset_ = nullptr;
    wxChoice* source_ = nullptr;
    wxChoice* dpi_ = nullptr;
    wxCheckBox* ocr_ = nullptr;
    wxCheckBox* pdfa_ = nullptr;
    wxButton* scan_ = nullptr;
    wxButton* cancel_button_ = nullptr;
    wxGauge* gauge_ = nullptr;
    wxStaticText* status_ = nullptr;
    wxListCtrl* thumbnails_ = nullptr;
    wxImageList* images_ = nullptr;
    wxChoice* material_ = nullptr;
    wxStaticText* review_ = nullptr;
    wxCheckBox* acknowledge_ = nullptr;
    wxStaticText* blocker_ = nullptr;
    wxButton* finish_ = nullptr;
    std::vector<wxButton*> page_buttons_;
};

} // namespace ow::app
