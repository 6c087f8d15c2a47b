// onewindow-cli audit verify|show --user NAME [--password-stdin] [--limit N]
#include "cli_support.h"
#include "ow/core/audit_service.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "limit"});
    std::string action = ctx.args.positional_at(0, "action (verify or show)");
    auto session = login(ctx);
    ow::core::AuditService audit(*session); // admins only
    if (action == "verify") {
        auto report = audit.verify();
        for (const auto& p : report.problems)
            ctx.out << ow::core::to_string(p.kind) << " at " << p.seq << ": " << p.message << "\n";
        ctx.out << (report.ok() ? "audit log intact: " : "AUDIT LOG TAMPERED: ") << report.entries
                << " entries, " << report.problems.size() << " problem(s)\n";
        return report.ok() ? kExitOk : kExitFailed;
    }
    if (action == "show") {
        for (const auto& e : audit.recent(static_cast<int>(ctx.args.get_int("limit", 20))))
            ctx.out << e.seq << "  " << e.at << "  " << e.actor << "  " << e.action << "  "
                    << e.object << "\n";
        return kExitOk;
    }
    throw UsageError("unknown action '" + action + "'");
}

const Registration reg{{"audit",
                        "audit verify|show --user NAME [--password-stdin] [--limit N]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
