// Administration, for admins (Settings → Users…, Audit log…): the workstation's local users (add,
// reset a password, disable, enable) and the audit log (check the chain, the latest events). The
// services check the role themselves; these dialogs only show what they answer.
#pragma once

#include "ow/core/roles.h"

#include <vector>
#include <wx/dialog.h>

class wxChoice;
class wxListCtrl;
class wxStaticText;
class wxTextCtrl;

namespace ow::core {
class Session;
}

namespace ow::app {

class UsersDialog : public wxDialog {
public:
    UsersDialog(wxWindow* parent, ow::core::Session& session);

    void refresh();
    // Shown to the admin after each action ("" when the last one succeeded silently).
    wxString last_message() const;

private:
    void add_user();
    void reset_password();
    void set_active(bool active);
    const ow::core::User* selected() const;
    void say(const wxString& message, bool error);

    ow::core::Session& session_;
    std::vector<ow::core::User> users_;
    wxListCtrl* list_;
    wxTextCtrl* reset1_;
    wxTextCtrl* reset2_;
    wxTextCtrl* name_;
    wxTextCtrl* display_name_;
    wxChoice* role_;
    wxTextCtrl* password1_;
    wxTextCtrl* password2_;
    wxStaticText* message_;
};

class AuditDialog : public wxDialog {
public:
    AuditDialog(wxWindow* parent, ow::core::Session& session);

    void refresh();
    // Checks the whole chain (recorded as an audit event) and shows the result.
    void check_chain();
    bool last_check_ok() const { return last_check_ok_; }

private:
    ow::core::Session& session_;
    wxListCtrl* events_;
    wxStaticText* result_;
    bool last_check_ok_ = false;
};

} // namespace ow::app
