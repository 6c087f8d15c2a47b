// The officer's Approvals area (审批): the queue with the time left until each promised date
// (yellow / red), case review (form data, materials with scan preview, documents), the decision
// bar, the decisions waiting for the seal with batch sealing, and "verify a PDF".
#pragma once

#include "area_panels.h"

namespace ow::app {

AreaPanel* create_officer_panel(wxWindow* parent, ow::core::Session& session);

} // namespace ow::app
