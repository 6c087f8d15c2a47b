// The Licenses area (证照还原): search by identifier, holder number or name, the list with each
// record's verification state, a preview of the face, and restoring with the reason for use —
// saved, printed or attached to a case in place of the paper material. Widgets over
// LicensesPresenter; rendering and sealing run on a worker thread, results come back by CallAfter.
#pragma once

#include "area_panels.h"

namespace ow::app {

wxWindow* create_licenses_panel(wxWindow* parent, ow::core::Session& session);

} // namespace ow::app
