#include "ow/core/approval_service.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/outbox.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ow::core {

const char* to_string(Decision decision) {
    switch (decision) {
    case Decision::Approve:
        return "approve";
    case Decision::Return:
        return "return";
    case Decision::Refuse:
        return "refuse";
    }
    return "?";
}

Decision decision_from_string(const std::string& text) {
    if (text == "approve")
        return Decision::Approve;
    if (text == "return")
        return Decision::Return;
    if (text == "refuse")
        return Decision::Refuse;
    throw CoreError(ErrorCode::InvalidArgument,
                    N_("Unknown decision '{decision}'; use approve, return or refuse."),
                    {{"decision", text}});
}

std::vector<CaseSummary> ApprovalService::queue() {
    session_.require(Permission::Decide);
    auto cases = CaseService(session_).list("accepted", 500);
    std::stable_sort(cases.begin(), cases.end(), [](const CaseSummary& a, const CaseSummary& b) {
        return a.promised_date < b.promised_date;
    });
    return cases;
}

CaseSummary ApprovalService::decide(const std::string& case_number, Decision decision,
                                    const std::vector<std::string>& reasons) {
    session_.require(Permission::Decide);
    std::vector<std::string> given;
    for (const auto& r : reasons)
        if (r.find_first_not_of(" \t\r\n") != std::string::npos)
            given.push_back(r);
    if (decision != Decision::Approve && given.empty())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("Returning or refusing a case needs the reasons; the applicant is told "
                           "them in writing."));
    auto& db = session_.db();
    Transaction tx(db);
    std::string id, state;
    std::int64_t revision = 0;
    {
        auto st = db.prepare("SELECT id, state, revision FROM cases WHERE case_number = ?");
        st.bind(1, case_number);
        if (!st.step())
            throw CoreError(ErrorCode::NotFound, N_("There is no case {number}."),
                            {{"number", case_number}});
        id = st.text(0);
        state = st.text(1);
        revision = st.int64(2);
    }
    if (state != "accepted")
        throw CoreError(ErrorCode::Conflict,
                        N_("Case {number} is {state}; only accepted cases can be decided."),
                        {{"number", case_number}, {"state", state}});
    std::string new_state = decision == Decision::Approve  ? "approved"
                            : decision == Decision::Return ? "returned"
                                                           : "refused";
    std::string now = now_utc_iso();
    db.prepare("UPDATE cases SET state = ?, revision = revision + 1, updated_at = ? WHERE id = ? "
               "AND revision = ?")
        .bind(1, new_state)
        .bind(2, now)
        .bind(3, id)
        .bind(4, revision)
        .run();
    if (db.changes() != 1)
        throw CoreError(ErrorCode::Conflict, N_("Case {number} changed meanwhile; open it again."),
                        {{"number", case_number}});
    nlohmann::json payload = {{"case_id", id},
                              {"case_number", case_number},
                              {"decision", to_string(decision)},
                              {"reasons", given},
                              {"from_state", state},
                              {"to_state", new_state},
                              {"base_revision", revision},
                              {"decided_by", session_.user().name},
                              {"decided_at", now}};
    db.prepare("INSERT OR REPLACE INTO decisions(case_id, decision, reasons, decided_by, "
               "decided_at) VALUES (?, ?, ?, ?, ?)")
        .bind(1, id)
        .bind(2, std::string(to_string(decision)))
        .bind(3, nlohmann::json(given).dump())
        .bind(4, session_.user().id)
        .bind(5, now)
        .run();
    enqueue_mutation(db, "case", id, "decide", payload.dump(), now);
    session_.audit().append(
        session_.user().name, "case.decide", case_number,
        nlohmann::json({{"decision", to_string(decision)}, {"reasons", given.size()}}).dump());
    tx.commit();
    log::info("case decided: id={} decision={}", id, to_string(decision));
    return *CaseService(session_).find(case_number);
}

} // namespace ow::core
