#include "card_status.h"

#include "ow/core/card_status.h"
#include "translate.h"

#include <vector>
#include <wx/statusbr.h>

namespace ow::app {

CardStatusIndicator::CardStatusIndicator(wxStatusBar* bar)
    : wxWindow(bar, wxID_ANY, wxDefaultPosition, wxSize(0, 0)), bar_(bar) {
    SetName("card_status");
    Hide();
    field_ = bar->GetFieldsCount();
    std::vector<int> widths;
    for (int i = 0; i < field_; ++i)
        widths.push_back(bar->GetStatusWidth(i));
    widths.push_back(260);
    bar->SetFieldsCount(field_ + 1, widths.data());
    bar->SetStatusText(_("Card: checking…"), field_);
    watcher_ = std::make_unique<ow::devices::CardWatcher>(
        [this](const ow::devices::CardPresence& presence) {
            CallAfter([this, presence] { show(presence); });
        });
}

CardStatusIndicator::~CardStatusIndicator() {
    watcher_.reset(); // joins the thread: no callback after this line
}

void CardStatusIndicator::show(const ow::devices::CardPresence& presence) {
    auto view = ow::core::card_status_view(presence);
    bar_->SetStatusText(tr(view.text), field_);
    SetToolTip(utf8(view.details));
    SetHelpText(utf8(view.details));
}

} // namespace ow::app
