#include "app.h"

#include "login_dialog.h"
#include "main_frame.h"
#include "ow/core/log.h"
#include "ow/core/presenters.h"
#include "ow/core/util.h"
#include "translate.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <wx/cmdline.h>
#include <wx/image.h>
#include <wx/msgdlg.h>

namespace ow::app {

bool App::OnInit() {
    ow::core::protect_process();
    wxCmdLineParser parser(argc, argv);
    parser.AddOption("d", "data-dir", "workstation data directory", wxCMD_LINE_VAL_STRING);
    parser.AddOption("l", "lang", "user interface language (zh_CN, en)", wxCMD_LINE_VAL_STRING);
    parser.AddSwitch("", "version", "print the version and exit");
    add_options(parser);
    if (parser.Parse() != 0)
        return false;
    if (parser.Found("version")) {
        std::cout << "onewindow " << OW_VERSION << " (wxWidgets " << wxVERSION_NUM_DOT_STRING
                  << ")\n";
        return false;
    }
    wxString value;
    data_dir_ = parser.Found("data-dir", &value) ? std::filesystem::path(value.utf8_string())
                                                 : ow::core::default_data_dir();
    if (parser.Found("lang", &value))
        forced_language_ = value.utf8_string();
    if (!use_options(parser))
        return false;
    if (ow::core::Workstation::exists(data_dir_))
        ow::core::log::open_file(ow::core::WorkstationPaths{data_dir_}.logs());

    wxInitAllImageHandlers();
    setup_language(forced_language_.empty() ? ow::core::UiPreferences(data_dir_).language()
                                            : forced_language_);
    show_login();
    started();
    return true;
}

bool App::OnExceptionInMainLoop() {
    // An action failed in a way its handler did not foresee: say so and keep the application (and
    // whatever the clerk has typed) alive instead of ending the process.
    wxString detail;
    try {
        throw;
    } catch (const ow::core::CoreError& e) {
        detail = tr(e);
    } catch (const std::exception& e) {
        detail = wxString::FromUTF8(e.what());
    } catch (...) {
        detail = "?";
    }
    ow::core::log::error("an action stopped by an unexpected error");
    report_unexpected_error(detail);
    return true;
}

void App::report_unexpected_error(const wxString& detail) {
    wxMessageBox(wxString::Format(_("This action could not be completed: %s"), detail),
                 _("OneWindow"), wxOK | wxICON_ERROR);
}

void App::show_login() {
    auto* dialog = new LoginDialog(
        data_dir_, [this](std::unique_ptr<ow::core::Session> s) { open_main(std::move(s)); },
        [this](const std::string& language) {
            // Rebuild the dialog in the chosen language.
            setup_language(language);
            CallAfter([this] { show_login(); });
            if (auto* old = wxWindow::FindWindowByName("login_dialog"))
                old->Destroy();
        });
    dialog->Show();
    dialog->Raise();
}

void App::open_main(std::unique_ptr<ow::core::Session> session) {
    if (forced_language_.empty()) {
        auto language = ow::core::UserSettings(*session).get("language");
        if (language && *language != current_language())
            setup_language(*language);
    }
    auto* frame = new MainFrame(std::move(session), [this] { show_login(); });
    frame->Show();
    SetTopWindow(frame);
}

int run_gui(int argc, char** argv) {
    // Answered before any toolkit start-up, so it works without a display (IT scripts, packages).
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--version") == 0) {
            std::cout << "onewindow " << OW_VERSION << " (wxWidgets " << wxVERSION_NUM_DOT_STRING
                      << ")\n";
            return 0;
        }
    // Simplified-Chinese glyph forms for CJK text (Pango picks Japanese forms otherwise).
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--lang") == 0 && std::strncmp(argv[i + 1], "zh", 2) == 0)
            setenv("PANGO_LANGUAGE", "zh-cn", 0);
    const char* lang = std::getenv("LANG");
    if (lang && std::strncmp(lang, "zh", 2) == 0)
        setenv("PANGO_LANGUAGE", "zh-cn", 0);
    int rc = wxEntry(argc, argv);
    // wxWidgets has closed every window, the session and the cache, and saved its settings. The
    // process ends here without the libraries' exit-time destructors: after a cancelled scan (the
    // SANE test backend cancels its reader thread, which can leave glibc's locale lock held) one
    // of them — p11-kit's, loaded with libcurl for sync — could wait on that lock forever.
    std::fflush(nullptr);
    std::_Exit(rc);
}

} // namespace ow::app
