// onewindow-cli cases [--state STATE] [--json] --user NAME
// The cases in this workstation's cache with their state (taken in here or received by sync).
#include "cli_support.h"
#include "ow/core/case_service.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "state", "json", "limit"});
    auto session = login(ctx);
    auto cases = ow::core::CaseService(*session).list(
        ctx.args.get("state").value_or(""), static_cast<int>(ctx.args.get_int("limit", 1000)));
    if (ctx.args.has("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : cases)
            out.push_back({{"id", c.id},
                           {"case_number", c.case_number},
                           {"state", c.state},
                           {"received_by", c.received_by},
                           {"received_at", c.received_at}});
        ctx.out << out.dump() << "\n";
        return kExitOk;
    }
    for (const auto& c : cases)
        ctx.out << c.case_number << "  " << c.state << "  " << c.applicant_name << "\n";
    return kExitOk;
}

const Registration reg{{"cases",
                        "cases [--state STATE] [--limit N] [--json] --user NAME [--password-stdin]",
                        {"password-stdin", "json"},
                        &run}};

} // namespace
} // namespace ow::cli
