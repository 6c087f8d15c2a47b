// What the status bar and `onewindow-cli doctor` say about the smart card, from the PC/SC monitor's
// state (devices/). wx-free; the GUI translates the message.
#pragma once

#include "ow/core/doctor.h"
#include "ow/core/presenters.h"
#include "ow/devices/card_monitor.h"

namespace ow::core {

struct CardStatusView {
    enum class Level { Ready, Idle, Warning };
    Level level = Level::Warning;
    UiMessage text;      // short, for the status bar
    std::string details; // readers and ATRs, one a line (not translated: names from PC/SC)
};

CardStatusView card_status_view(const devices::CardPresence& presence);
// The "smart card" line of the health report (a snapshot of PC/SC).
HealthCheck smart_card_check();

} // namespace ow::core
