#include "selftest.h"

#include "app.h"
#include "ow/core/reference_data.h"
#include "translate.h"

#include <cstring>
#include <iostream>
#include <wx/button.h>
#include <wx/dcclient.h>
#include <wx/dcmemory.h>
#include <wx/listctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/uiaction.h>
#include <wx/utils.h>

namespace ow::app {
namespace {

class Driver {
public:
    explicit Driver(std::filesystem::path out) : out_(std::move(out)) {
        std::filesystem::create_directories(out_);
    }

    void pump(int ms = 300) {
        for (int waited = 0; waited < ms; waited += 10) {
            wxYield();
            wxMilliSleep(10);
        }
    }

    template <typename T = wxWindow> T* find(const char* name, int wait_ms = 4000) {
        for (int waited = 0; waited <= wait_ms; waited += 50) {
            if (auto* w = dynamic_cast<T*>(wxWindow::FindWindowByName(name)))
                return w;
            pump(50);
        }
        return nullptr;
    }

    bool gone(const char* name, int wait_ms = 3000) {
        for (int waited = 0; waited <= wait_ms; waited += 50) {
            if (!wxWindow::FindWindowByName(name))
                return true;
            pump(50);
        }
        return false;
    }

    void check(bool ok, const std::string& what) {
        std::cout << (ok ? "PASS " : "FAIL ") << what << std::endl;
        if (!ok)
            ++failures_;
    }

    void click(wxWindow* w) {
        wxRect r = w->GetScreenRect();
        sim_.MouseMove(r.GetX() + r.GetWidth() / 2, r.GetY() + r.GetHeight() / 2);
        pump(100);
        sim_.MouseClick();
        pump(200);
    }

    void type_into(wxTextCtrl* field, const char* text) {
        click(field);
        field->SetFocus();
        field->SelectAll();
        pump(100);
        sim_.Text(text);
        pump(300);
    }

    void press_enter() {
        sim_.Char(WXK_RETURN);
        pump(300);
    }

    void screenshot(wxWindow* top, const std::string& name) {
        top->Raise();
        top->Refresh();
        top->Update();
        pump(500);
        wxSize size = top->GetSize();
        wxWindowDC window(top);
        wxBitmap bitmap(size.GetWidth(), size.GetHeight(), 24);
        wxMemoryDC mem(bitmap);
        mem.Blit(0, 0, size.GetWidth(), size.GetHeight(), &window, 0, 0);
        mem.SelectObject(wxNullBitmap);
        auto path = out_ / (name + ".png");
        bool saved = bitmap.SaveFile(path.string(), wxBITMAP_TYPE_PNG);
        check(saved, "screenshot " + path.filename().string());
    }

    bool login(const char* user, const char* password) {
        auto* user_field = find<wxTextCtrl>("login_user");
        auto* password_field = find<wxTextCtrl>("login_password");
        check(user_field && password_field, "login dialog is shown");
        if (!user_field || !password_field)
            return false;
        type_into(user_field, user);
        check(user_field->GetValue() == user, std::string("typed the user name ") + user);
        type_into(password_field, password);
        check(password_field->GetValue().length() == std::strlen(password), "typed the password");
        press_enter();
        return true;
    }

    int failures() const { return failures_; }

private:
    std::filesystem::path out_;
    wxUIActionSimulator sim_;
    int failures_ = 0;
};

void expect_areas(Driver& d, const std::vector<std::string>& visible,
                  const std::vector<std::string>& hidden, const std::string& who) {
    for (const auto& key : visible)
        d.check(wxWindow::FindWindowByName("nav_" + key) != nullptr,
                who + " sees the " + key + " area");
    for (const auto& key : hidden)
        d.check(wxWindow::FindWindowByName("nav_" + key) == nullptr,
                who + " does not see the " + key + " area");
}

void log_out(Driver& d) {
    if (auto* frame = d.find<wxFrame>("main_frame")) {
        wxCommandEvent logout(wxEVT_MENU, wxID_CLOSE);
        frame->GetEventHandler()->ProcessEvent(logout);
    }
    d.check(d.gone("main_frame"), "logging out closes the main window");
}

} // namespace

int run_selftest(App& app, const std::filesystem::path& out_dir) {
    (void)app;
    Driver d(out_dir);
    const std::string lang = current_language().rfind("zh", 0) == 0 ? "zh_CN" : "en";
    d.pump(500);

    // 1. A wrong password shows the error and keeps the dialog.
    auto* dialog = d.find("login_dialog");
    d.check(dialog != nullptr, "login dialog appears");
    if (!dialog)
        return d.failures() + 1;
    d.login("clerk", "not-the-password");
    d.pump(600);
    auto* error = d.find<wxStaticText>("login_error");
    d.check(error && !error->GetLabel().IsEmpty(), "a wrong password shows an error");
    d.check(wxWindow::FindWindowByName("main_frame") == nullptr, "a wrong password opens nothing");
    if (error)
        std::cout << "  error text: " << error->GetLabel().utf8_string() << std::endl;
    d.screenshot(dialog, "login-error-" + lang);

    // 2. The clerk logs in and sees the clerk's areas only.
    d.login("clerk", "clerk-demo");
    auto* frame = d.find<wxFrame>("main_frame", 6000);
    d.check(frame != nullptr, "the clerk's main window opens");
    if (!frame)
        return d.failures();
    frame->SetSize(1280, 720);
    frame->Move(0, 0);
    expect_areas(d, {"intake", "cases", "licenses", "sync", "settings"}, {"approvals"}, "clerk");
    d.check(frame->GetStatusBar()->GetStatusText(0).Contains("·"),
            "status bar shows user and role");

    // 3. Applicant lookup in the intake area fills the card from the cache.
    if (auto* field = d.find<wxTextCtrl>("intake_applicant_id")) {
        auto person = ow::core::DemoDataGenerator().person(0);
        d.type_into(field, person.id_number.c_str());
        d.press_enter();
        auto* card = d.find<wxListCtrl>("intake_card");
        d.check(card && card->GetItemCount() > 0 && card->GetItemText(0, 1) == utf8(person.name),
                "intake lookup fills the applicant card");
    } else {
        d.check(false, "intake area has the applicant field");
    }
    d.screenshot(frame, "clerk-" + lang);

    // 4. The officer sees the approval queue and no intake.
    log_out(d);
    d.login("officer", "officer-demo");
    frame = d.find<wxFrame>("main_frame", 6000);
    d.check(frame != nullptr, "the officer's main window opens");
    if (frame) {
        frame->SetSize(1280, 720);
        frame->Move(0, 0);
        expect_areas(d, {"cases", "approvals", "sync", "settings"}, {"intake", "licenses"},
                     "officer");
        if (auto* nav = d.find<wxButton>("nav_approvals")) {
            d.click(nav);
            d.check(d.find("approvals_list") != nullptr, "the approval queue opens");
        }
        d.screenshot(frame, "officer-" + lang);
        frame->Close();
    }
    d.pump(300);
    for (auto* w : wxTopLevelWindows)
        w->Destroy();
    wxTheApp->ExitMainLoop();
    return d.failures();
}

} // namespace ow::app
