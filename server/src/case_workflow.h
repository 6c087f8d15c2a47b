// The server's state machine of a case (办件) workflow. Workstations propose state changes; the
// server accepts only the transitions listed here (docs/sync-protocol.md §4.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ow::server {

// States a case may be created in.
bool valid_initial_case_state(std::string_view state);

// The state a case moves to when `operation` (with `decision` for "decide") is applied in `from`;
// nullopt if the transition is not allowed. Unknown operations also give nullopt; use
// is_case_transition() to tell them apart.
std::optional<std::string> next_case_state(std::string_view from, std::string_view operation,
                                           std::string_view decision = {});
bool is_case_transition(std::string_view operation);
// Returning and refusing must give the applicant reasons in writing.
bool case_transition_needs_reasons(std::string_view operation, std::string_view decision);

} // namespace ow::server
