// The approving officer's decisions on cases: approve (准予), return for correction (退回补正) or
// refuse (不予许可). Officer only, enforced here. A decision, its audit event and its sync outbox
// entry are written in one transaction; the reasons are required where the law requires them
// (return, refuse). Sealing the decision document is the signing library's part.
#pragma once

#include "ow/core/case_service.h"

#include <string>
#include <vector>

namespace ow::core {

class Session;

enum class Decision { Approve, Return, Refuse };
const char* to_string(Decision decision);
Decision decision_from_string(const std::string& text); // throws CoreError(InvalidArgument)

class ApprovalService {
public:
    explicit ApprovalService(Session& session) : session_(session) {}

    // Cases waiting for a decision, the oldest promise first.
    std::vector<CaseSummary> queue();
    CaseSummary decide(const std::string& case_number, Decision decision,
                       const std::vector<std::string>& reasons);

private:
    Session& session_;
};

} // namespace ow::core
