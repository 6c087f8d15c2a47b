#include "ow/core/card_status.h"

namespace ow::core {

CardStatusView card_status_view(const devices::CardPresence& presence) {
    CardStatusView view;
    for (const auto& r : presence.readers) {
        view.details += r.name + ": ";
        if (r.card_present)
            view.details +=
                "card" + (r.atr.empty() ? std::string(" (mute)") : ", ATR " + r.atr_hex());
        else
            view.details += "no card";
        view.details += "\n";
    }
    switch (presence.service) {
    case devices::CardService::NoService:
        view.text = {N_("Card service not running"), {}};
        return view;
    case devices::CardService::Error:
        view.text = {N_("Card service error: {detail}"), {{"detail", presence.error}}};
        return view;
    case devices::CardService::Running:
        break;
    }
    if (presence.readers.empty()) {
        view.level = CardStatusView::Level::Idle;
        view.text = {N_("No card reader"), {}};
        return view;
    }
    for (const auto& r : presence.readers)
        if (r.card_present) {
            view.level = CardStatusView::Level::Ready;
            view.text = {N_("Card in {reader}"), {{"reader", r.name}}};
            return view;
        }
    view.level = CardStatusView::Level::Idle;
    view.text = presence.readers.size() == 1
                    ? UiMessage{N_("No card in {reader}"), {{"reader", presence.readers[0].name}}}
                    : UiMessage{N_("No card ({count} readers)"),
                                {{"count", std::to_string(presence.readers.size())}}};
    return view;
}

HealthCheck smart_card_check() {
    devices::CardMonitor monitor;
    const auto presence = monitor.snapshot();
    using S = HealthCheck::Status;
    switch (presence.service) {
    case devices::CardService::NoService:
        return {"smart card", S::Warning, "PC/SC service (pcscd) not running: no card can be used"};
    case devices::CardService::Error:
        return {"smart card", S::Failed, "PC/SC error: " + presence.error};
    case devices::CardService::Running:
        break;
    }
    if (presence.readers.empty())
        return {"smart card", S::Warning, "PC/SC running, no reader attached"};
    std::string detail;
    for (const auto& r : presence.readers) {
        if (!detail.empty())
            detail += "; ";
        detail += r.name + (r.card_present ? ": card, ATR " + r.atr_hex() : ": no card");
    }
    return {"smart card", S::Ok, detail};
}

} // namespace ow::core
