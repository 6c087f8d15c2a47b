// Dialogs of the intake wizard: the cascading GB/T 2260 region picker of address fields and the
// grounds of a refusal at the counter (不予受理).
#pragma once

#include "ow/core/intake_service.h"

#include <optional>
#include <string>

class wxWindow;

namespace ow::app {

// Province → prefecture → county lists plus a search by name; returns the chosen 6-digit code,
// or nothing when the clerk cancels. `current` preselects its chain.
std::optional<std::string> pick_region(wxWindow* parent, const std::string& current);

// Reasons (one per line, at least one), legal basis and, when the matter belongs elsewhere, the
// competent organ. Nothing when the clerk cancels.
std::optional<ow::core::RefusalGrounds> ask_refusal_grounds(wxWindow* parent);

} // namespace ow::app
