// The smart-card field of the main window's status bar: a PC/SC watcher on its own thread
// (devices::CardWatcher) posts each change to the GUI thread (CallAfter); the text comes from the
// wx-free core::card_status_view. Created as a hidden child of the status bar, so it lives and
// dies with the frame; its destructor stops the watcher before wx drops pending events.
#pragma once

#include "ow/devices/card_monitor.h"

#include <memory>
#include <wx/window.h>

class wxStatusBar;

namespace ow::app {

class CardStatusIndicator : public wxWindow {
public:
    // Appends a field to `bar` and keeps it up to date.
    explicit CardStatusIndicator(wxStatusBar* bar);
    ~CardStatusIndicator() override;

private:
    void show(const ow::devices::CardPresence& presence);
    wxStatusBar* bar_;
    int field_;
    std::unique_ptr<ow::devices::CardWatcher> watcher_;
};

} // namespace ow::app
