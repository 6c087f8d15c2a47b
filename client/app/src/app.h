// The workstation application: login dialog → main frame → (log out) → login dialog.
#pragma once

#include "ow/core/workstation.h"

#include <filesystem>
#include <memory>
#include <wx/app.h>

namespace ow::app {

class App : public wxApp {
public:
    bool OnInit() override;
    int OnRun() override;
    bool OnExceptionInMainLoop() override;

    void show_login();
    void open_main(std::unique_ptr<ow::core::Session> session);
    const std::filesystem::path& data_dir() const { return data_dir_; }
    void set_selftest_result(int failures) { selftest_failures_ += failures; }

private:
    std::filesystem::path data_dir_;
    std::string forced_language_;
    std::filesystem::path selftest_dir_;
    bool selftest_ = false;
    int selftest_failures_ = 0;
};

} // namespace ow::app
