#include "admin_dialogs.h"

#include "ow/core/audit_service.h"
#include "ow/core/presenters.h"
#include "ow/core/secret.h"
#include "ow/core/user_service.h"
#include "ow/core/workstation.h"
#include "translate.h"
#include "widgets.h"

#include <optional>
#include <wx/button.h>
#include <wx/choice.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace ow::app {
namespace {

using ow::core::Role;

constexpr Role kRoles[] = {Role::Clerk, Role::Officer, Role::Admin};

wxTextCtrl* field(wxWindow* parent, wxFlexGridSizer* grid, const wxString& label, const char* name,
                  bool password) {
    grid->Add(new wxStaticText(parent, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    auto* text = new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, wxSize(200, -1),
                                password ? wxTE_PASSWORD : 0);
    text->SetName(name);
    grid->Add(text);
    return text;
}

wxButton* button(wxWindow* parent, const wxString& label, const char* name) {
    auto* b = new wxButton(parent, wxID_ANY, label);
    b->SetName(name);
    return b;
}

// Reads both password fields into a wiped secret and clears them; empty when they differ.
std::optional<ow::core::SecretString> take_password_pair(wxTextCtrl* first, wxTextCtrl* second) {
    const bool same = first->GetValue() == second->GetValue();
    ow::core::SecretString password(first->GetValue().utf8_string());
    first->ChangeValue("");
    second->ChangeValue("");
    if (!same)
        return std::nullopt;
    return password;
}

} // namespace

// ---------------------------------------------------------------- Users

UsersDialog::UsersDialog(wxWindow* parent, ow::core::Session& session)
    : wxDialog(parent, wxID_ANY, _("Users"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session) {
    SetName("users_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);
    list_ = report_list(this, "users_list", {_("User name"), _("Full name"), _("Role"), _("State")},
                        {140, 160, 120, 220});
    list_->SetMinSize(wxSize(-1, 220));
    top->Add(list_, 1, wxEXPAND | wxALL, 12);

    top->Add(new wxStaticText(this, wxID_ANY, _("The selected user")), 0, wxLEFT | wxRIGHT, 12);
    auto* reset = new wxFlexGridSizer(2, wxSize(8, 6));
    reset1_ = field(this, reset, _("New password:"), "users_reset_password", true);
    reset2_ = field(this, reset, _("New password again:"), "users_reset_password2", true);
    top->Add(reset, 0, wxALL, 12);
    auto* selected_row = new wxBoxSizer(wxHORIZONTAL);
    auto* reset_button = button(this, _("&Reset password"), "users_reset");
    auto* disable_button = button(this, _("&Disable"), "users_disable");
    auto* enable_button = button(this, _("&Enable with this password"), "users_enable");
    selected_row->Add(reset_button, 0, wxRIGHT, 8);
    selected_row->Add(disable_button, 0, wxRIGHT, 8);
    selected_row->Add(enable_button);
    top->Add(selected_row, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);

    top->Add(new wxStaticText(this, wxID_ANY, _("New user")), 0, wxLEFT | wxRIGHT, 12);
    auto* add = new wxFlexGridSizer(2, wxSize(8, 6));
    name_ = field(this, add, _("User name:"), "users_new_name", false);
    display_name_ = field(this, add, _("Full name:"), "users_new_display_name", false);
    add->Add(new wxStaticText(this, wxID_ANY, _("Role:")), 0, wxALIGN_CENTER_VERTICAL);
    role_ = new wxChoice(this, wxID_ANY);
    role_->SetName("users_new_role");
    for (Role r : kRoles)
        role_->Append(tr(ow::core::ShellPresenter::role_label(r)));
    role_->SetSelection(0);
    add->Add(role_);
    password1_ = field(this, add, _("Password:"), "users_new_password", true);
    password2_ = field(this, add, _("Password again:"), "users_new_password2", true);
    top->Add(add, 0, wxALL, 12);
    auto* add_button = button(this, _("&Add user"), "users_add");
    top->Add(add_button, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);

    message_ = new wxStaticText(this, wxID_ANY, "");
    message_->SetName("users_message");
    top->Add(message_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    top->Add(CreateStdDialogButtonSizer(wxCLOSE), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    SetEscapeId(wxID_CLOSE);

    reset_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { reset_password(); });
    disable_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { set_active(false); });
    enable_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { set_active(true); });
    add_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { add_user(); });
    close_with_close_button(this);
    refresh();
}

void UsersDialog::refresh() {
    const std::string keep = selected() ? selected()->name : "";
    try {
        users_ = ow::core::UserService(session_).list();
    } catch (const ow::core::CoreError& e) {
        users_.clear();
        say(tr(e), true);
    }
    list_->DeleteAllItems();
    for (long i = 0; i < static_cast<long>(users_.size()); ++i) {
        const auto& u = users_[static_cast<std::size_t>(i)];
        list_->InsertItem(i, utf8(u.name));
        list_->SetItem(i, 1, utf8(u.display_name));
        list_->SetItem(i, 2, tr(ow::core::ShellPresenter::role_label(u.role)));
        list_->SetItem(i, 3,
                       !u.active                ? _("disabled")
                       : u.must_change_password ? _("must change the password at login")
                                                : _("active"));
        if (u.name == keep)
            list_->SetItemState(i, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
    }
}

wxString UsersDialog::last_message() const {
    return message_->GetLabel();
}

const ow::core::User* UsersDialog::selected() const {
    const long i = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    if (i < 0 || i >= static_cast<long>(users_.size()))
        return nullptr;
    return &users_[static_cast<std::size_t>(i)];
}

void UsersDialog::say(const wxString& message, bool error) {
    message_->SetLabel(message);
    message_->SetForegroundColour(error ? wxColour(0xC0, 0x1C, 0x28) : wxColour(0x26, 0x7A, 0x3E));
    Layout();
}

void UsersDialog::add_user() {
    auto password = take_password_pair(password1_, password2_);
    if (!password) {
        say(_("The two passwords differ."), true);
        return;
    }
    const std::string name = name_->GetValue().utf8_string();
    try {
        const auto role = kRoles[std::max(0, role_->GetSelection())];
        ow::core::UserService(session_).add(name, display_name_->GetValue().utf8_string(), role,
                                            *password);
        name_->ChangeValue("");
        display_name_->ChangeValue("");
        say(wxString::Format(_("User %s was added."), utf8(name)), false);
    } catch (const ow::core::CoreError& e) {
        say(tr(e), true);
    }
    refresh();
}

void UsersDialog::reset_password() {
    const auto* user = selected();
    if (!user) {
        say(_("Select a user first."), true);
        return;
    }
    auto password = take_password_pair(reset1_, reset2_);
    if (!password) {
        say(_("The two passwords differ."), true);
        return;
    }
    const std::string name = user->name;
    try {
        ow::core::UserService(session_).reset_password(name, *password);
        say(wxString::Format(_("The password of %s was reset; they must change it at their next "
                               "login."),
                             utf8(name)),
            false);
    } catch (const ow::core::CoreError& e) {
        say(tr(e), true);
    }
    refresh();
}

void UsersDialog::set_active(bool active) {
    const auto* user = selected();
    if (!user) {
        say(_("Select a user first."), true);
        return;
    }
    const std::string name = user->name;
    ow::core::SecretString password;
    if (active) { // a disabled user has no key entry: enabling gives them a new password
        auto pair = take_password_pair(reset1_, reset2_);
        if (!pair || pair->empty()) {
            say(_("Enter the user's new password twice to enable them."), true);
            return;
        }
        password = std::move(*pair);
    } else if (wxMessageBox(wxString::Format(_("Disable %s? They can no longer log in on this "
                                               "workstation."),
                                             utf8(name)),
                            _("Users"), wxYES_NO | wxICON_QUESTION, this) != wxYES) {
        return;
    }
    try {
        ow::core::UserService(session_).set_active(name, active, password);
        say(wxString::Format(active ? _("%s can log in again.") : _("%s was disabled."),
                             utf8(name)),
            false);
    } catch (const ow::core::CoreError& e) {
        say(tr(e), true);
    }
    refresh();
}

// ---------------------------------------------------------------- Audit log

AuditDialog::AuditDialog(wxWindow* parent, ow::core::Session& session)
    : wxDialog(parent, wxID_ANY, _("Audit log"), wxDefaultPosition, wxSize(860, 520),
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session) {
    SetName("audit_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    auto* check = button(this, _("&Check the chain"), "audit_check");
    row->Add(check, 0, wxRIGHT, 12);
    result_ = new wxStaticText(this, wxID_ANY, _("Not checked in this window yet."));
    result_->SetName("audit_result");
    row->Add(result_, 1, wxALIGN_CENTER_VERTICAL);
    top->Add(row, 0, wxEXPAND | wxALL, 12);
    events_ = report_list(this, "audit_events",
                          {_("No."), _("Time (UTC)"), _("User"), _("Action"), _("Concerns")},
                          {60, 190, 110, 170, 280});
    top->Add(events_, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    top->Add(CreateStdDialogButtonSizer(wxCLOSE), 0, wxEXPAND | wxALL, 12);
    SetSizer(top);
    SetEscapeId(wxID_CLOSE);
    check->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { check_chain(); });
    close_with_close_button(this);
    refresh();
}

void AuditDialog::refresh() {
    events_->DeleteAllItems();
    try {
        const auto events = ow::core::AuditService(session_).recent(200);
        for (long i = 0; i < static_cast<long>(events.size()); ++i) {
            const auto& e = events[static_cast<std::size_t>(i)];
            events_->InsertItem(i, wxString::Format("%lld", static_cast<long long>(e.seq)));
            events_->SetItem(i, 1, utf8(e.at));
            events_->SetItem(i, 2, utf8(e.actor));
            events_->SetItem(i, 3, utf8(e.action));
            events_->SetItem(i, 4, utf8(e.object));
        }
    } catch (const ow::core::CoreError& e) {
        result_->SetLabel(tr(e));
    }
}

void AuditDialog::check_chain() {
    try {
        const auto report = ow::core::AuditService(session_).verify();
        last_check_ok_ = report.ok();
        wxString text =
            report.ok()
                ? wxString::Format(_("The audit log is intact: %lld entries."),
                                   static_cast<long long>(report.entries))
                : wxString::Format(_("THE AUDIT LOG WAS TAMPERED WITH: %zu problem(s) in %lld "
                                     "entries."),
                                   report.problems.size(), static_cast<long long>(report.entries));
        for (std::size_t i = 0; i < report.problems.size() && i < 5; ++i)
            text += wxString::Format("\n%s #%lld: %s", ow::core::to_string(report.problems[i].kind),
                                     static_cast<long long>(report.problems[i].seq),
                                     utf8(report.problems[i].message));
        result_->SetLabel(text);
        result_->SetForegroundColour(report.ok() ? wxColour(0x26, 0x7A, 0x3E)
                                                 : wxColour(0xC0, 0x1C, 0x28));
    } catch (const ow::core::CoreError& e) {
        last_check_ok_ = false;
        result_->SetLabel(tr(e));
    }
    Layout();
    refresh();
}

} // namespace ow::app
