#include "login_dialog.h"

#include "ow/core/secret.h"
#include "ow/core/workstation.h"
#include "translate.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/dialog.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace ow::app {

LoginDialog::LoginDialog(const std::filesystem::path& data_dir, OnLogin on_login,
                         OnLanguage on_language)
    : wxDialog(nullptr, wxID_ANY, _("OneWindow — log in"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE),
      presenter_(data_dir), data_dir_(data_dir), on_login_(std::move(on_login)),
      on_language_(std::move(on_language)) {
    SetName("login_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);

    auto* title = new wxStaticText(this, wxID_ANY, _("OneWindow service counter"));
    wxFont big = title->GetFont();
    big.SetPointSize(big.GetPointSize() + 5);
    big.MakeBold();
    title->SetFont(big);
    top->Add(title, 0, wxALL, 16);
    top->Add(new wxStaticText(this, wxID_ANY,
                              _("Works offline: your password unlocks this workstation's "
                                "encrypted cache.")),
             0, wxLEFT | wxRIGHT, 16);

    auto* grid = new wxFlexGridSizer(2, wxSize(10, 10));
    grid->AddGrowableCol(1);
    grid->Add(new wxStaticText(this, wxID_ANY, _("&User name:")), 0, wxALIGN_CENTER_VERTICAL);
    user_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(260, -1));
    user_->SetName("login_user");
    grid->Add(user_, 1, wxEXPAND);
    grid->Add(new wxStaticText(this, wxID_ANY, _("&Password:")), 0, wxALIGN_CENTER_VERTICAL);
    password_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(260, -1),
                               wxTE_PASSWORD | wxTE_PROCESS_ENTER);
    password_->SetName("login_password");
    grid->Add(password_, 1, wxEXPAND);
    top->Add(grid, 0, wxEXPAND | wxALL, 16);

    error_ = new wxStaticText(this, wxID_ANY, "");
    error_->SetName("login_error");
    error_->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
    top->Add(error_, 0, wxEXPAND | wxLEFT | wxRIGHT, 16);

    auto* bottom = new wxBoxSizer(wxHORIZONTAL);
    language_ = new wxChoice(this, wxID_ANY);
    language_->SetName("login_language");
    std::string current = ow::core::UiPreferences(data_dir_).language();
    int selected = 0, i = 0;
    for (const auto& [code, label] : ow::core::UiPreferences::languages()) {
        // Each language names itself, so anyone can find theirs.
        language_->Append(code.empty() ? tr(label)
                                       : utf8(code == "zh_CN" ? "中文（简体）" : "English"));
        if (code == current)
            selected = i;
        ++i;
    }
    language_->SetSelection(selected);
    bottom->Add(language_, 0, wxALIGN_CENTER_VERTICAL);
    bottom->AddStretchSpacer();
    // wxID_ANY, not wxID_EXIT: GTK would label a stock button in the system's language.
    auto* quit = new wxButton(this, wxID_ANY, _("&Quit"));
    submit_ = new wxButton(this, wxID_OK, _("&Log in"));
    submit_->SetName("login_submit");
    submit_->SetDefault();
    bottom->Add(quit, 0, wxRIGHT, 8);
    bottom->Add(submit_);
    top->Add(bottom, 0, wxEXPAND | wxALL, 16);

    SetSizerAndFit(top);
    CentreOnScreen();

    if (!presenter_.workstation_exists()) {
        ow::core::SecretString none;
        presenter_.submit(none);
        error_->SetLabel(tr(presenter_.error()));
        error_->Wrap(420);
    }

    user_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_submit(); });
    password_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_submit(); });
    password_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { submit(); });
    submit_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { submit(); });
    quit->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Destroy(); });
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent&) { Destroy(); });
    language_->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) {
        auto index = static_cast<std::size_t>(language_->GetSelection());
        const auto& code = ow::core::UiPreferences::languages().at(index).first;
        ow::core::UiPreferences(data_dir_).set_language(code);
        on_language_(code);
    });
    update_submit();
    user_->SetFocus();
}

void LoginDialog::update_submit() {
    presenter_.set_user_name(user_->GetValue().utf8_string());
    submit_->Enable(presenter_.can_submit(password_->GetValue().length()));
}

void LoginDialog::submit() {
    presenter_.set_user_name(user_->GetValue().utf8_string());
    if (!presenter_.can_submit(password_->GetValue().length()))
        return;
    wxBusyCursor busy;
    ow::core::SecretString password(password_->GetValue().utf8_string());
    // The control's own buffer cannot be wiped; clear it at once so it does not linger.
    password_->ChangeValue("");
    auto session = presenter_.submit(password);
    if (!session) {
        error_->SetLabel(tr(presenter_.error()));
        error_->Wrap(420);
        Layout();
        Fit();
        password_->SetFocus();
        update_submit();
        return;
    }
    if (session->user().must_change_password && !choose_own_password(*session, password)) {
        password_->SetFocus();
        update_submit();
        return; // the session closes; the admin's password stays until the user replaces it
    }
    auto callback = on_login_;
    callback(std::move(session)); // opens the main frame first, so the application goes on
    Destroy();
}

bool LoginDialog::choose_own_password(ow::core::Session& session,
                                      const ow::core::SecretString& current) {
    wxDialog dialog(this, wxID_ANY, _("Choose your password"));
    dialog.SetName("new_password_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* text = new wxStaticText(&dialog, wxID_ANY,
                                  _("An administrator set your password. Choose your own before "
                                    "you start."));
    text->Wrap(380);
    top->Add(text, 0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 6));
    auto add = [&](const wxString& label, const char* name) {
        grid->Add(new wxStaticText(&dialog, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
        auto* field = new wxTextCtrl(&dialog, wxID_ANY, "", wxDefaultPosition, wxSize(220, -1),
                                     wxTE_PASSWORD);
        field->SetName(name);
        grid->Add(field);
        return field;
    };
    auto* first = add(_("New password:"), "new_password");
    auto* second = add(_("New password again:"), "new_password2");
    top->Add(grid, 0, wxLEFT | wxRIGHT, 12);
    auto* problem = new wxStaticText(&dialog, wxID_ANY, "");
    problem->SetName("new_password_error");
    problem->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
    top->Add(problem, 0, wxEXPAND | wxALL, 12);
    top->Add(dialog.CreateStdDialogButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    dialog.SetSizerAndFit(top);
    dialog.Bind(
        wxEVT_BUTTON,
        [&](wxCommandEvent&) {
            ow::core::SecretString new_password(first->GetValue().utf8_string());
            ow::core::SecretString again(second->GetValue().utf8_string());
            first->ChangeValue("");
            second->ChangeValue("");
            if (presenter_.replace_reset_password(session, current, new_password, again)) {
                dialog.EndModal(wxID_OK);
                return;
            }
            problem->SetLabel(tr(presenter_.error()));
            problem->Wrap(380);
            dialog.Fit();
            first->SetFocus();
        },
        wxID_OK);
    first->SetFocus();
    return dialog.ShowModal() == wxID_OK;
}

} // namespace ow::app
