// The offline login dialog. Binds to ow::core::LoginPresenter; holds no logic of its own.
#pragma once

#include "ow/core/presenters.h"
#include "ow/core/workstation.h"

#include <functional>
#include <memory>
#include <wx/dialog.h>

class wxTextCtrl;
class wxStaticText;
class wxButton;
class wxChoice;

namespace ow::app {

class LoginDialog : public wxDialog {
public:
    using OnLogin = std::function<void(std::unique_ptr<ow::core::Session>)>;
    using OnLanguage = std::function<void(const std::string&)>;

    LoginDialog(const std::filesystem::path& data_dir, OnLogin on_login, OnLanguage on_language);

private:
    void update_submit();
    void submit();
    // A password an admin set must be replaced before the main window opens; false if not done.
    bool choose_own_password(ow::core::Session& session, const ow::core::SecretString& current);

    ow::core::LoginPresenter presenter_;
    std::filesystem::path data_dir_;
    OnLogin on_login_;
    OnLanguage on_language_;
    wxTextCtrl* user_ = nullptr;
    wxTextCtrl* password_ = nullptr;
    wxStaticText* error_ = nullptr;
    wxButton* submit_ = nullptr;
    wxChoice* language_ = nullptr;
};

} // namespace ow::app
