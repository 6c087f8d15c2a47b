// The content of each area of the main frame. Each panel binds to core services/presenters.
#pragma once

#include "ow/core/presenters.h"
#include "ow/core/workstation.h"

#include <wx/panel.h>

namespace ow::app {

class AreaPanel : public wxPanel {
public:
    AreaPanel(wxWindow* parent, ow::core::Session& session) : wxPanel(parent), session_(session) {}
    // Called when the area is shown: reload what may have changed.
    virtual void refresh() {}

protected:
    ow::core::Session& session_;
};

wxWindow* create_area_panel(wxWindow* parent, const ow::core::Area& area,
                            ow::core::Session& session);

} // namespace ow::app
