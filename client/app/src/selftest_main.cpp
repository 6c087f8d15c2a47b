// onewindow-selftest DIR-options: the workstation GUI with its self-test driver (selftest.h), built
// for the GUI tests and never installed. `onewindow-selftest --data-dir D --lang L --selftest OUT`
// runs the same application as onewindow, then drives it and exits with the number of failures.
#include "app.h"
#include "selftest.h"

#include <iostream>
#include <wx/cmdline.h>

namespace ow::app {
namespace {

class SelftestApp : public App {
public:
    int OnRun() override {
        App::OnRun();
        std::cout << "RESULT: " << failures_ << " failure(s)" << std::endl;
        return failures_ == 0 ? 0 : 1;
    }

protected:
    void add_options(wxCmdLineParser& parser) override {
        parser.AddOption("", "selftest", "run the GUI self-test, save screenshots to DIR",
                         wxCMD_LINE_VAL_STRING, wxCMD_LINE_OPTION_MANDATORY);
    }
    bool use_options(const wxCmdLineParser& parser) override {
        wxString dir;
        parser.Found("selftest", &dir);
        out_dir_ = dir.utf8_string();
        return true;
    }
    void started() override {
        CallAfter([this] { failures_ += run_selftest(*this, out_dir_); });
    }
    void report_unexpected_error(const wxString& detail) override {
        std::cerr << "selftest: unexpected error in an event handler: " << detail.utf8_string()
                  << "\n";
        ++failures_;
    }

private:
    std::filesystem::path out_dir_;
    int failures_ = 0;
};

} // namespace
} // namespace ow::app

wxIMPLEMENT_APP_NO_MAIN(ow::app::SelftestApp);

int main(int argc, char** argv) {
    return ow::app::run_gui(argc, argv);
}
