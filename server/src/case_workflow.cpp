#include "case_workflow.h"

#include <array>

namespace ow::server {

namespace {

struct Transition {
    std::string_view operation;
    std::string_view from;
    std::string_view to;
};

// 受理 (accepted) → 准予 / 退回 / 不予受理; 一次性告知后补正 (pending-materials) → accepted; 撤回;
// 办结. A 即办件 is created "completed"; a case refused at the counter "refused-at-intake".
constexpr std::array<Transition, 13> kTransitions{{
    {"approve", "accepted", "approved"},
    {"return", "accepted", "returned"},
    {"refuse", "accepted", "refused"},
    {"supplement", "pending-materials", "accepted"},
    {"resubmit", "returned", "accepted"},
    {"withdraw", "accepted", "withdrawn"},
    {"withdraw", "pending-materials", "withdrawn"},
    {"withdraw", "returned", "withdrawn"},
    {"close", "approved", "closed"},
    {"close", "refused", "closed"},
    {"close", "withdrawn", "closed"},
    {"close", "returned", "closed"},
    {"close", "completed", "closed"},
}};

std::string_view effective_operation(std::string_view operation, std::string_view decision) {
    return operation == "decide" ? decision : operation;
}

} // namespace

bool valid_initial_case_state(std::string_view state) {
    return state == "accepted" || state == "pending-materials" || state == "completed" ||
           state == "refused-at-intake";
}

bool is_case_transition(std::string_view operation) {
    if (operation == "decide")
        return true;
    for (const auto& t : kTransitions)
        if (t.operation == operation)
            return true;
    return false;
}

std::optional<std::string> next_case_state(std::string_view from, std::string_view operation,
                                           std::string_view decision) {
    std::string_view op = effective_operation(operation, decision);
    if (operation == "decide" && op != "approve" && op != "return" && op != "refuse")
        return std::nullopt;
    for (const auto& t : kTransitions)
        if (t.operation == op && t.from == from)
            return std::string(t.to);
    return std::nullopt;
}

bool case_transition_needs_reasons(std::string_view operation, std::string_view decision) {
    std::string_view op = effective_operation(operation, decision);
    return op == "return" || op == "refuse";
}

} // namespace ow::server
