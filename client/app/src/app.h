// The workstation application: login dialog → main frame → (log out) → login dialog.
// `onewindow` runs it as is (main.cpp); the GUI test runs the same application with its driver
// (onewindow-selftest, selftest_main.cpp, never installed) through the hooks below.
#pragma once

#include "ow/core/workstation.h"

#include <filesystem>
#include <memory>
#include <wx/app.h>

class wxCmdLineParser;

namespace ow::app {

class App : public wxApp {
public:
    bool OnInit() override;
    bool OnExceptionInMainLoop() override;

    void show_login();
    void open_main(std::unique_ptr<ow::core::Session> session);
    const std::filesystem::path& data_dir() const { return data_dir_; }

protected:
    // Extra command-line options, and what to do with them once parsed (false: do not start).
    virtual void add_options(wxCmdLineParser&) {}
    virtual bool use_options(const wxCmdLineParser&) { return true; }
    // Called once the login dialog is up.
    virtual void started() {}
    // An event handler failed in a way it did not foresee; the default tells the user.
    virtual void report_unexpected_error(const wxString& detail);

private:
    std::filesystem::path data_dir_;
    std::string forced_language_;
};

// Everything main() does around wxEntry (the process's set-up before the toolkit starts, and its
// end); the application object comes from the wxIMPLEMENT_APP_NO_MAIN of the calling file.
int run_gui(int argc, char** argv);

} // namespace ow::app
