#include "seal_dialogs.h"

#include "ow/core/log.h"
#include "ow/core/workstation.h"
#include "ow/signing/pkcs11_signer.h"
#include "translate.h"

#include <atomic>
#include <memory>
#include <thread>
#include <wx/button.h>
#include <wx/dnd.h>
#include <wx/filedlg.h>
#include <wx/gauge.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace ow::app {
namespace {

// ------------------------------------------------------------------------------ PIN dialog

class PinDialog : public wxDialog {
public:
    PinDialog(wxWindow* parent, const wxString& what, const wxString& note)
        : wxDialog(parent, wxID_ANY, _("Card PIN")) {
        SetName("pin_dialog");
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(new wxStaticText(this, wxID_ANY, what), 0, wxALL, 12);
        if (!note.empty()) {
            auto* warn = new wxStaticText(this, wxID_ANY, note);
            warn->SetName("pin_note");
            warn->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
            top->Add(warn, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
        }
        auto* row = new wxBoxSizer(wxHORIZONTAL);
        row->Add(new wxStaticText(this, wxID_ANY, _("PIN:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
                 8);
        pin_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(200, -1),
                              wxTE_PASSWORD | wxTE_PROCESS_ENTER);
        pin_->SetName("pin_entry");
        row->Add(pin_, 1);
        top->Add(row, 0, wxEXPAND | wxLEFT | wxRIGHT, 12);
        top->Add(CreateStdDialogButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
        SetSizerAndFit(top);
        pin_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { EndModal(wxID_OK); });
        pin_->SetFocus();
    }

    // Moves the PIN out of the field (then cleared) into a wiping buffer.
    ow::core::SecretString take_pin() {
        std::string bytes = pin_->GetValue().utf8_string();
        pin_->ChangeValue(wxString(' ', pin_->GetValue().length()));
        pin_->ChangeValue("");
        ow::core::SecretString pin(std::move(bytes));
        ow::core::wipe(bytes);
        return pin;
    }

private:
    wxTextCtrl* pin_;
};

// ------------------------------------------------------------------------------ batch progress

// Sealing runs on a worker thread; the dialog shows progress, lets the officer cancel (between
// documents: a signature under way finishes), and lists each document's result.
class SealProgressDialog : public wxDialog {
public:
    static constexpr int kRetryPin = wxID_HIGHEST + 41;

    SealProgressDialog(wxWindow* parent, ow::core::Session& session,
                       const ow::forms::Catalog* catalog, std::vector<std::string> numbers,
                       ow::core::SealKeySettings settings, ow::core::SecretString pin)
        : wxDialog(parent, wxID_ANY, _("Sealing decision documents"), wxDefaultPosition,
                   wxSize(620, 420), wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
          numbers_(std::move(numbers)) {
        SetName("seal_progress");
        auto* top = new wxBoxSizer(wxVERTICAL);
        status_ = new wxStaticText(this, wxID_ANY, _("Logging in to the card…"));
        status_->SetName("seal_status");
        top->Add(status_, 0, wxEXPAND | wxALL, 12);
        gauge_ = new wxGauge(this, wxID_ANY, static_cast<int>(numbers_.size()));
        gauge_->SetName("seal_gauge");
        top->Add(gauge_, 0, wxEXPAND | wxLEFT | wxRIGHT, 12);
        results_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxLC_REPORT);
        results_->SetName("seal_results");
        results_->InsertColumn(0, _("Case number"), wxLIST_FORMAT_LEFT, 200);
        results_->InsertColumn(1, _("Result"), wxLIST_FORMAT_LEFT, 380);
        for (std::size_t i = 0; i < numbers_.size(); ++i) {
            results_->InsertItem(static_cast<long>(i), utf8(numbers_[i]));
            results_->SetItem(static_cast<long>(i), 1, _("waiting"));
        }
        top->Add(results_, 1, wxEXPAND | wxALL, 12);
        button_ = new wxButton(this, wxID_CANCEL, _("Cancel"));
        button_->SetName("seal_cancel");
        top->Add(button_, 0, wxALIGN_RIGHT | wxRIGHT | wxBOTTOM, 12);
        SetSizer(top);

        button_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
            if (done_) {
                EndModal(retry_pin_ ? kRetryPin : static_cast<int>(wxID_OK));
                return;
            }
            cancel_ = true;
            button_->Disable();
            status_->SetLabel(_("Cancelling after the current document…"));
        });
        Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
            if (!done_) {
                cancel_ = true;
                e.Veto();
                return;
            }
            EndModal(retry_pin_ ? kRetryPin : static_cast<int>(wxID_OK));
        });

        auto shared_pin = std::make_shared<ow::core::SecretString>(std::move(pin));
        worker_ = std::thread([this, &session, catalog, settings, shared_pin]() mutable {
            try {
                work(session, catalog, settings, std::move(shared_pin));
            } catch (const std::exception& e) { // never std::terminate on a worker thread
                ow::core::log::error("sealing worker stopped by an unexpected error");
                auto message = ow::core::UiMessage::from(ow::core::seal_error(e));
                CallAfter([this, message] { login_failed(message, false); });
            }
        });
    }

    ~SealProgressDialog() override {
        cancel_ = true;
        if (worker_.joinable())
            worker_.join();
    }

    int sealed() const { return sealed_; }
    const ow::core::UiMessage& login_error() const { return login_error_; }

private:
    void work(ow::core::Session& session, const ow::forms::Catalog* catalog,
              const ow::core::SealKeySettings& settings,
              std::shared_ptr<ow::core::SecretString> pin) {
        std::unique_ptr<ow::signing::Pkcs11Signer> signer;
        try {
            signer = ow::core::open_seal_token(settings, *pin);
        } catch (const ow::core::CoreError& e) {
            pin.reset(); // wiped
            auto message = ow::core::UiMessage::from(e);
            const bool wrong_pin = e.code() == ow::core::ErrorCode::WrongPassword;
            CallAfter([this, message, wrong_pin] { login_failed(message, wrong_pin); });
            return;
        }
        pin.reset(); // the PIN is wiped as soon as the card has it
        CallAfter([this] { status_->SetLabel(_("Sealing…")); });
        ow::core::SealingService service(session, catalog);
        auto outcomes = service.seal_batch(
            numbers_, *signer, [this](std::size_t i, std::size_t total, const std::string& n) {
                if (cancel_)
                    return false;
                CallAfter([this, i, total, n] {
                    gauge_->SetValue(static_cast<int>(i));
                    if (!n.empty()) {
                        status_->SetLabel(
                            wxString::Format(_("Sealing %zu of %zu: %s"), i + 1, total, utf8(n)));
                        results_->SetItem(static_cast<long>(i), 1, _("sealing…"));
                    }
                });
                return true;
            });
        signer.reset(); // logout and C_Finalize off the GUI thread
        CallAfter([this, outcomes] { finished(outcomes); });
    }

    void login_failed(const ow::core::UiMessage& message, bool wrong_pin) {
        done_ = true;
        retry_pin_ = wrong_pin;
        login_error_ = message;
        status_->SetLabel(tr(message));
        status_->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
        for (long i = 0; i < results_->GetItemCount(); ++i)
            results_->SetItem(i, 1, _("not sealed"));
        button_->SetLabel(wrong_pin ? _("Try again") : _("Close"));
        button_->Enable();
    }

    void finished(const std::vector<ow::core::SealOutcome>& outcomes) {
        done_ = true;
        int failed = 0;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            const auto& o = outcomes[i];
            wxString text;
            if (o.sealed) {
                ++sealed_;
                text = _("sealed");
            } else if (o.cancelled) {
                text = _("not sealed (stopped)");
            } else {
                ++failed;
                text = o.error ? tr(*o.error) : _("failed");
            }
            results_->SetItem(static_cast<long>(i), 1, text);
        }
        gauge_->SetValue(gauge_->GetRange());
        status_->SetLabel(wxString::Format(_("%d sealed, %d failed, %d not attempted."), sealed_,
                                           failed,
                                           static_cast<int>(outcomes.size()) - sealed_ - failed));
        button_->SetLabel(_("Close"));
        button_->Enable();
    }

    std::vector<std::string> numbers_;
    wxStaticText* status_;
    wxGauge* gauge_;
    wxListCtrl* results_;
    wxButton* button_;
    std::atomic<bool> cancel_{false};
    bool done_ = false;
    bool retry_pin_ = false;
    int sealed_ = 0;
    ow::core::UiMessage login_error_;
    std::thread worker_; // last: started once everything above exists
};

// ------------------------------------------------------------------------------ verify

class PdfDropTarget : public wxFileDropTarget {
public:
    explicit PdfDropTarget(VerifyPdfDialog& dialog) : dialog_(dialog) {}
    bool OnDropFiles(wxCoord, wxCoord, const wxArrayString& files) override {
        if (files.empty())
            return false;
        dialog_.check_file(std::filesystem::path(files[0].utf8_string()));
        return true;
    }

private:
    VerifyPdfDialog& dialog_;
};

std::vector<std::filesystem::path> split_paths(const std::string& list) {
    std::vector<std::filesystem::path> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(';', start);
        if (end == std::string::npos)
            end = list.size();
        auto part = list.substr(start, end - start);
        if (!part.empty())
            out.emplace_back(part);
        start = end + 1;
    }
    return out;
}

} // namespace

std::optional<ow::core::SecretString> ask_pin(wxWindow* parent, const wxString& what,
                                              const wxString& note) {
    PinDialog dialog(parent, what, note);
    if (dialog.ShowModal() != wxID_OK) {
        dialog.take_pin(); // clears the field
        return std::nullopt;
    }
    return dialog.take_pin();
}

int seal_with_progress(wxWindow* parent, ow::core::Session& session,
                       const ow::forms::Catalog* catalog,
                       const std::vector<std::string>& case_numbers) {
    ow::core::SealKeySettings settings;
    try {
        settings = ow::core::SealKeySettings::load(session);
    } catch (const ow::core::CoreError& e) {
        wxMessageBox(tr(e), _("Seal"), wxOK | wxICON_ERROR, parent);
        return 0;
    }
    wxString note;
    for (;;) {
        auto pin = ask_pin(parent,
                           wxString::Format(_("Enter the PIN of your seal card to seal %zu "
                                              "decision document(s)."),
                                            case_numbers.size()),
                           note);
        if (!pin)
            return 0;
        SealProgressDialog progress(parent, session, catalog, case_numbers, settings,
                                    std::move(*pin));
        const int result = progress.ShowModal();
        if (result != SealProgressDialog::kRetryPin)
            return progress.sealed();
        note = tr(progress.login_error());
    }
}

VerifyPdfDialog::VerifyPdfDialog(wxWindow* parent, std::vector<std::filesystem::path> trust_anchors)
    : wxDialog(parent, wxID_ANY, _("Verify a PDF"), wxDefaultPosition, wxSize(760, 560),
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      trust_anchors_(std::move(trust_anchors)) {
    SetName("verify_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    auto* open = new wxButton(this, wxID_OPEN, _("&Open a PDF…"));
    open->SetName("verify_open");
    row->Add(open, 0, wxRIGHT, 12);
    row->Add(new wxStaticText(this, wxID_ANY, _("or drop a file here.")), 0,
             wxALIGN_CENTER_VERTICAL);
    top->Add(row, 0, wxALL, 12);
    verdict_ = new wxStaticText(this, wxID_ANY, "");
    verdict_->SetName("verify_verdict");
    top->Add(verdict_, 0, wxEXPAND | wxLEFT | wxRIGHT, 12);
    report_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                             wxTE_MULTILINE | wxTE_READONLY | wxHSCROLL);
    report_->SetName("verify_report");
    report_->SetFont(wxFont(wxFontInfo(9).Family(wxFONTFAMILY_TELETYPE)));
    top->Add(report_, 1, wxEXPAND | wxALL, 12);
    top->Add(CreateStdDialogButtonSizer(wxCLOSE), 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    SetSizer(top);
    SetDropTarget(new PdfDropTarget(*this));
    report_->SetDropTarget(new PdfDropTarget(*this));
    open->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wxFileDialog ask(this, _("Open a PDF"), "", "", _("PDF files (*.pdf)|*.pdf;*.PDF"),
                         wxFD_OPEN | wxFD_FILE_MUST_EXIST);
        if (ask.ShowModal() == wxID_OK)
            check_file(std::filesystem::path(ask.GetPath().utf8_string()));
    });
    Bind(
        wxEVT_BUTTON, [this](wxCommandEvent&) { EndModal(wxID_CLOSE); }, wxID_CLOSE);
}

void VerifyPdfDialog::check_file(const std::filesystem::path& path) {
    wxBusyCursor busy;
    last_ = ow::core::check_pdf(path, trust_anchors_);
    verdict_->SetLabel(utf8(path.filename().string()) + ": " + tr(last_.message));
    verdict_->SetForegroundColour(last_.all_valid ? wxColour(0x1A, 0x7F, 0x37)
                                                  : wxColour(0xC0, 0x1C, 0x28));
    report_->ChangeValue(utf8(last_.report));
    Layout();
}

void show_verify_dialog(wxWindow* parent, ow::core::Session& session) {
    std::vector<std::filesystem::path> anchors;
    try {
        anchors = split_paths(ow::core::SealKeySettings::load(session).trust_anchors);
    } catch (const ow::core::CoreError&) {
    }
    VerifyPdfDialog dialog(parent, anchors);
    dialog.ShowModal();
}

void add_seal_settings(wxWindow* parent, wxSizer* sizer, ow::core::Session& session) {
    if (!session.may(ow::core::Permission::Seal))
        return;
    auto settings = ow::core::SealKeySettings::load(session);
    sizer->Add(new wxStaticText(parent, wxID_ANY, _("Electronic seal (smart card)")), 0, wxBOTTOM,
               4);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 6));
    grid->AddGrowableCol(1);
    auto add = [&](const wxString& label, const char* name, const std::string& value) {
        grid->Add(new wxStaticText(parent, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
        auto* text =
            new wxTextCtrl(parent, wxID_ANY, utf8(value), wxDefaultPosition, wxSize(520, -1));
        text->SetName(name);
        grid->Add(text, 1, wxEXPAND);
        return text;
    };
    auto* module = add(_("PKCS#11 module:"), "settings_seal_module", settings.module_path);
    auto* key = add(_("Seal key (PKCS#11 URI):"), "settings_seal_key", settings.key_uri);
    auto* trust = add(_("Trusted CA certificates (PEM, ';'-separated):"), "settings_trust_anchors",
                      settings.trust_anchors);
    sizer->Add(grid, 0, wxEXPAND | wxBOTTOM, 6);
    auto* save = new wxButton(parent, wxID_ANY, _("Save seal settings"));
    save->SetName("settings_seal_save");
    sizer->Add(save, 0, wxBOTTOM, 16);
    save->Bind(wxEVT_BUTTON, [parent, &session, module, key, trust](wxCommandEvent&) {
        ow::core::SealKeySettings s;
        s.module_path = module->GetValue().utf8_string();
        s.key_uri = key->GetValue().utf8_string();
        s.trust_anchors = trust->GetValue().utf8_string();
        try {
            s.save(session);
            wxMessageBox(_("The seal settings were saved."), _("Settings"),
                         wxOK | wxICON_INFORMATION, parent);
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Settings"), wxOK | wxICON_WARNING, parent);
        }
    });
}

} // namespace ow::app
