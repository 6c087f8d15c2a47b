#include "scan_panel.h"

#include "ow/core/error.h"
#include "ow/core/scan_service.h"
#include "ow/core/system_config.h"
#include "translate.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/gauge.h>
#include <wx/imaglist.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/mstream.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

namespace ow::app {

namespace {

constexpr int kThumb = 120;

wxString preset_label(const std::string& preset) {
    if (preset == "text")
        return _("Text (black and white)");
    if (preset == "gray")
        return _("Grey");
    if (preset == "color")
        return _("Colour");
    return _("Photo / ID card");
}

wxBitmap thumbnail_bitmap(const ow::devices::ScannedPage& page) {
    wxMemoryInputStream in(page.thumbnail.data(), page.thumbnail.size());
    wxImage image;
    if (page.thumbnail.empty() || !image.LoadFile(in, wxBITMAP_TYPE_JPEG))
        image = wxImage(kThumb * 7 / 10, kThumb);
    for (int i = 0; i < page.quarter_turns; ++i)
        image = image.Rotate90(true);
    const double scale =
        std::min(double(kThumb) / image.GetWidth(), double(kThumb) / image.GetHeight());
    image.Rescale(std::max(1, int(image.GetWidth() * scale)),
                  std::max(1, int(image.GetHeight() * scale)), wxIMAGE_QUALITY_HIGH);
    wxImage box(kThumb, kThumb);
    box.SetRGB(wxRect(0, 0, kThumb, kThumb), 0xEE, 0xEE, 0xEE);
    box.Paste(image, (kThumb - image.GetWidth()) / 2, (kThumb - image.GetHeight()) / 2);
    return wxBitmap(box);
}

} // namespace

ScanDialog::ScanDialog(wxWindow* parent, ow::core::Session& session,
                       std::vector<ow::core::MaterialChoice> materials,
                       const std::string& applicant_kind, const std::string& applicant_id,
                       const std::string& applicant_name, const std::string& case_number)
    : wxDialog(parent, wxID_ANY, _("Scan materials"), wxDefaultPosition, wxSize(1040, 680),
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session),
      presenter_(std::move(materials), applicant_kind, applicant_id, applicant_name),
      case_number_(case_number) {
    SetName("scan_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);

    // Device and settings.
    auto* settings = new wxFlexGridSizer(4, wxSize(8, 6));
    device_ = new wxChoice(this, wxID_ANY);
    device_->SetName("scan_device");
    preset_ = new wxChoice(this, wxID_ANY);
    preset_->SetName("scan_preset");
    for (const auto& p : ow::core::ScanPresenter::presets())
        preset_->Append(preset_label(p));
    preset_->SetSelection(0);
    source_ = new wxChoice(this, wxID_ANY);
    source_->SetName("scan_source");
    source_->Append(_("Flatbed"));
    source_->Append(_("Document feeder"));
    source_->Append(_("Feeder, both sides"));
    source_->SetSelection(0);
    dpi_ = new wxChoice(this, wxID_ANY);
    dpi_->SetName("scan_dpi");
    for (const char* d : {"150", "200", "300", "400", "600"})
        dpi_->Append(d);
    if (!dpi_->SetStringSelection(
            std::to_string(ow::core::SystemConfig::installed().get_int("devices.scan_dpi", 300))))
        dpi_->SetStringSelection("300");
    settings->Add(new wxStaticText(this, wxID_ANY, _("Scanner:")), 0, wxALIGN_CENTER_VERTICAL);
    settings->Add(device_, 1, wxEXPAND);
    settings->Add(new wxStaticText(this, wxID_ANY, _("Preset:")), 0, wxALIGN_CENTER_VERTICAL);
    settings->Add(preset_, 1, wxEXPAND);
    settings->Add(new wxStaticText(this, wxID_ANY, _("Source:")), 0, wxALIGN_CENTER_VERTICAL);
    settings->Add(source_, 1, wxEXPAND);
    settings->Add(new wxStaticText(this, wxID_ANY, _("Resolution (dpi):")), 0,
                  wxALIGN_CENTER_VERTICAL);
    settings->Add(dpi_, 1, wxEXPAND);
    settings->AddGrowableCol(1);
    settings->AddGrowableCol(3);
    top->Add(settings, 0, wxEXPAND | wxALL, 10);

    auto* run = new wxBoxSizer(wxHORIZONTAL);
    ocr_ = new wxCheckBox(this, wxID_ANY, _("Read text (OCR pre-review)"));
    ocr_->SetName("scan_ocr");
    pdfa_ = new wxCheckBox(this, wxID_ANY, _("PDF/A for the archive"));
    pdfa_->SetName("scan_pdfa");
    scan_ = new wxButton(this, wxID_ANY, _("&Scan"));
    scan_->SetName("scan_start");
    cancel_button_ = new wxButton(this, wxID_ANY, _("Stop"));
    cancel_button_->SetName("scan_cancel");
    gauge_ = new wxGauge(this, wxID_ANY, 100, wxDefaultPosition, wxSize(160, -1));
    run->Add(ocr_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 12);
    run->Add(pdfa_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 12);
    run->AddStretchSpacer();
    run->Add(gauge_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    run->Add(scan_, 0, wxRIGHT, 6);
    run->Add(cancel_button_, 0);
    top->Add(run, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);
    status_ = new wxStaticText(this, wxID_ANY, "");
    status_->SetName("scan_status");
    top->Add(status_, 0, wxEXPAND | wxALL, 10);

    // Pages as they arrive.
    thumbnails_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxLC_ICON);
    thumbnails_->SetName("scan_pages");
    images_ = new wxImageList(kThumb, kThumb, false);
    thumbnails_->AssignImageList(images_, wxIMAGE_LIST_NORMAL); // the list owns it
    top->Add(thumbnails_, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);

    // Page operations and material assignment.
    auto* ops = new wxBoxSizer(wxHORIZONTAL);
    struct Op {
        wxString label;
        const char* name;
        std::function<void(ScanDialog&)> act;
    };
    const Op operations[] = {
        {_("Rotate ↻"), "scan_rotate",
         [](ScanDialog& d) {
             for (long i : d.selected())
                 d.presenter_.rotate(static_cast<std::size_t>(i), 1);
         }},
        {_("Move ←"), "scan_move_left",
         [](ScanDialog& d) {
             auto s = d.selected();
             if (s.size() == 1 && s[0] > 0)
                 d.presenter_.move(static_cast<std::size_t>(s[0]),
                                   static_cast<std::size_t>(s[0] - 1));
         }},
        {_("Move →"), "scan_move_right",
         [](ScanDialog& d) {
             auto s = d.selected();
             if (s.size() == 1)
                 d.presenter_.move(static_cast<std::size_t>(s[0]),
                                   static_cast<std::size_t>(s[0] + 1));
         }},
        {_("Delete"), "scan_delete",
         [](ScanDialog& d) {
             auto s = d.selected();
             for (auto it = s.rbegin(); it != s.rend(); ++it)
                 d.presenter_.remove(static_cast<std::size_t>(*it));
         }},
        {_("Merge fronts and backs"), "scan_interleave",
         [](ScanDialog& d) {
             d.presenter_.interleave();
         }},
    };
    for (const auto& op : operations) {
        auto* b = new wxButton(this, wxID_ANY, op.label);
        b->SetName(op.name);
        auto act = op.act;
        b->Bind(wxEVT_BUTTON, [this, act](wxCommandEvent&) {
            act(*this);
            rebuild_thumbnails();
            update();
        });
        ops->Add(b, 0, wxRIGHT, 6);
        page_buttons_.push_back(b);
    }
    ops->AddStretchSpacer();
    material_ = new wxChoice(this, wxID_ANY);
    material_->SetName("scan_material");
    for (const auto& m : presenter_.materials())
        material_->Append(utf8(m.name));
    material_->SetSelection(0);
    auto* assign = new wxButton(this, wxID_ANY, _("Assign selected pages"));
    assign->SetName("scan_assign");
    assign->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        int m = material_->GetSelection();
        if (m < 0)
            return;
        for (long i : selected())
            presenter_.assign(static_cast<std::size_t>(i), static_cast<std::size_t>(i),
                              presenter_.materials()[static_cast<std::size_t>(m)].key);
        rebuild_thumbnails();
        update();
    });
    page_buttons_.push_back(assign);
    ops->Add(material_, 0, wxRIGHT, 6);
    ops->Add(assign, 0);
    top->Add(ops, 0, wxEXPAND | wxALL, 10);

    review_ = new wxStaticText(this, wxID_ANY, "");
    review_->SetName("scan_review");
    acknowledge_ =
        new wxCheckBox(this, wxID_ANY, _("I have checked the material against the form"));
    acknowledge_->SetName("scan_acknowledge");
    acknowledge_->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) {
        presenter_.acknowledge(acknowledge_->GetValue());
        update();
    });
    top->Add(review_, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);
    top->Add(acknowledge_, 0, wxALL, 10);

    auto* bottom = new wxBoxSizer(wxHORIZONTAL);
    blocker_ = new wxStaticText(this, wxID_ANY, "");
    blocker_->SetForegroundColour(wxColour(0x55, 0x60, 0x70));
    finish_ = new wxButton(this, wxID_OK,
                           case_number.empty() ? _("&Use these pages") : _("&Attach to the case"));
    finish_->SetName("scan_finish");
    auto* close = new wxButton(this, wxID_CANCEL, _("Close"));
    bottom->Add(blocker_, 1, wxALIGN_CENTER_VERTICAL);
    bottom->Add(finish_, 0, wxRIGHT, 6);
    bottom->Add(close, 0);
    top->Add(bottom, 0, wxEXPAND | wxALL, 10);
    SetSizer(top);

    scan_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { start_scan(); });
    cancel_button_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_scan(); });
    finish_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { finish(); });
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
        cancel_scan();
        e.Skip();
    });
    list_devices();
    update();
}

ScanDialog::~ScanDialog() {
    cancel_.store(true);
    if (worker_.joinable())
        worker_.join();
}

void ScanDialog::list_devices() {
    status_->SetLabel(_("Looking for scanners…"));
    scan_->Disable();
    // Discovery can take seconds (network backends): off the GUI thread.
    worker_ = std::thread([this] {
        std::vector<ow::devices::ScannerInfo> found;
        std::string error;
        try {
            found = ow::devices::make_sane_scanner()->list_devices();
        } catch (const std::exception& e) {
            error = e.what();
        }
        CallAfter([this, found, error] {
            if (worker_.joinable())
                worker_.join();
            // The scanner IT named for this PC (onewindow.conf [devices] scanner), else the first.
            const auto seeded = ow::core::SystemConfig::installed().get_or("devices.scanner", "");
            int preferred = 0;
            for (const auto& d : found) {
                if (d.name == seeded)
                    preferred = static_cast<int>(device_->GetCount());
                device_->Append(utf8(d.name + "  " + d.vendor + " " + d.model),
                                new wxStringClientData(utf8(d.name)));
            }
            if (!found.empty())
                device_->SetSelection(preferred);
            status_->SetLabel(
                found.empty() ? _("No scanner found. Check that it is switched on and connected.")
                              : wxString());
            update();
        });
    });
}

void ScanDialog::start_scan() {
    if (!presenter_.can_scan() || device_->GetSelection() < 0 || worker_.joinable())
        return;
    auto* data =
        static_cast<wxStringClientData*>(device_->GetClientObject(device_->GetSelection()));
    static const char* sources[] = {"flatbed", "adf", "duplex"};
    long dpi = 300;
    dpi_->GetStringSelection().ToLong(&dpi);
    auto request = presenter_.begin(
        data->GetData().utf8_string(),
        ow::core::ScanPresenter::presets()[static_cast<std::size_t>(preset_->GetSelection())],
        sources[source_->GetSelection()], static_cast<int>(dpi), ocr_->GetValue());
    cancel_.store(false);
    update();
    worker_ = std::thread([this, request] {
        ow::core::ScanJobEvents events;
        events.progress = [this](int page, double fraction) {
            CallAfter([this, page, fraction] {
                presenter_.on_progress(page, fraction);
                gauge_->SetValue(static_cast<int>(fraction * 100));
            });
        };
        events.page_ready = [this](const ow::devices::ScannedPage& page, int) {
            CallAfter([this, page] {
                presenter_.on_page(page);
                rebuild_thumbnails();
                update();
            });
        };
        events.blank_dropped = [this](int sheet) {
            CallAfter([this, sheet] { presenter_.on_blank(sheet); });
        };
        try {
            auto scanner = ow::devices::make_sane_scanner();
            auto outcome = ow::core::run_scan(*scanner, request, events, cancel_);
            const int kept = static_cast<int>(outcome.pages.size());
            const int blank = outcome.blank_dropped;
            auto error = outcome.error;
            outcome.pages.clear(); // already handed over page by page
            CallAfter([this, outcome, kept, blank, error] {
                presenter_.on_finished(outcome);
                wxString text =
                    wxString::Format(_("%d page(s) scanned, %d blank left out."), kept, blank);
                if (error)
                    text += " " + tr(ow::devices::ScanError::message_for(*error));
                status_->SetLabel(text);
                worker_done();
            });
        } catch (const ow::devices::ScanError& e) {
            auto kind = e.kind();
            CallAfter([this, kind] {
                presenter_.on_failed(ow::devices::ScanError::message_for(kind));
                status_->SetLabel(tr(ow::devices::ScanError::message_for(kind)));
                worker_done();
            });
        } catch (const std::exception& e) {
            std::string message = e.what();
            CallAfter([this, message] {
                presenter_.on_failed(message);
                status_->SetLabel(utf8(message));
                worker_done();
            });
        }
    });
}

void ScanDialog::cancel_scan() {
    cancel_.store(true);
}

void ScanDialog::worker_done() {
    if (worker_.joinable())
        worker_.join();
    gauge_->SetValue(0);
    update();
}

std::vector<long> ScanDialog::selected() const {
    std::vector<long> out;
    for (long i = thumbnails_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED); i >= 0;
         i = thumbnails_->GetNextItem(i, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED))
        out.push_back(i);
    return out;
}

void ScanDialog::rebuild_thumbnails() {
    auto keep = selected();
    thumbnails_->Freeze();
    thumbnails_->DeleteAllItems();
    images_->RemoveAll();
    long i = 0;
    for (const auto& page : presenter_.pages()) {
        int image = images_->Add(thumbnail_bitmap(page));
        wxString label = wxString::Format("%ld", i + 1);
        for (const auto& m : presenter_.materials())
            if (m.key == page.material_key)
                label += " " + utf8(m.name);
        thumbnails_->InsertItem(i, label, image);
        ++i;
    }
    for (long k : keep)
        if (k < thumbnails_->GetItemCount())
            thumbnails_->SetItemState(k, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
    thumbnails_->Thaw();
}

void ScanDialog::update() {
    const bool busy = presenter_.busy();
    scan_->Enable(presenter_.can_scan() && device_->GetSelection() >= 0);
    cancel_button_->Enable(presenter_.can_cancel());
    for (auto* b : page_buttons_)
        b->Enable(!busy && !presenter_.pages().empty());
    device_->Enable(!busy);
    preset_->Enable(!busy);
    source_->Enable(!busy);
    dpi_->Enable(!busy);
    ocr_->Enable(!busy);
    const auto& review = presenter_.review();
    wxString text;
    if (review)
        for (const auto& f : review->findings)
            text += ow::core::CoreError::format(tr(f.message).utf8_string(),
                                                {{"expected", f.expected}, {"found", f.found}}) +
                    "\n";
    review_->SetLabel(utf8(text.utf8_string()));
    review_->SetForegroundColour(review && review->needs_acknowledgement()
                                     ? wxColour(0xC0, 0x1C, 0x28)
                                     : wxColour(0x55, 0x60, 0x70));
    acknowledge_->Show(review && review->needs_acknowledgement());
    acknowledge_->SetValue(presenter_.acknowledged());
    blocker_->SetLabel(tr(presenter_.finish_blocker()));
    finish_->Enable(presenter_.can_finish());
    Layout();
}

std::vector<ow::core::ScanAttachment> ScanDialog::attachments() const {
    return presenter_.attachments(case_number_, pdfa_->GetValue());
}

void ScanDialog::finish() {
    if (!presenter_.can_finish())
        return;
    if (case_number_.empty()) {
        if (IsModal())
            EndModal(wxID_OK);
        return;
    }
    try {
        ow::core::ScanService service(session_);
        for (const auto& a : attachments())
            service.attach(a);
        if (IsModal())
            EndModal(wxID_OK);
        else
            Destroy();
    } catch (const ow::core::CoreError& e) {
        wxMessageBox(tr(e), _("Scan materials"), wxOK | wxICON_WARNING, this);
    }
}

} // namespace ow::app
