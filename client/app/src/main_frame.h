// The main window: navigation rail with the areas the role may use, the area content, and the
// status bar. Holds the session; logging out destroys it (and with it the cache key).
#pragma once

#include "ow/core/presenters.h"
#include "ow/core/workstation.h"

#include <functional>
#include <map>
#include <memory>
#include <wx/frame.h>
#include <wx/timer.h>

class wxSimplebook;
class wxButton;

namespace ow::app {

class MainFrame : public wxFrame {
public:
    using OnLogout = std::function<void()>;
    MainFrame(std::unique_ptr<ow::core::Session> session, OnLogout on_logout);
    ~MainFrame() override;

    void show_area(ow::core::AreaId id);
    ow::core::Session& session() { return *session_; }

private:
    void build_menu();
    void update_status();
    void logout();
    // Before the frame goes: keeps an intake in progress, then deletes the area panels while the
    // frame is still whole. False when the clerk chose to stay (only when may_cancel).
    bool close_areas(bool may_cancel);

    std::unique_ptr<ow::core::Session> session_;
    wxTimer status_timer_;
    ow::core::ShellPresenter shell_;
    OnLogout on_logout_;
    wxSimplebook* book_ = nullptr;
    std::map<ow::core::AreaId, int> pages_;
    std::map<ow::core::AreaId, wxButton*> nav_;
};

} // namespace ow::app
