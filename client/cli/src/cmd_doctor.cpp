// onewindow-cli doctor [--user NAME [--password-stdin]] [--json]
#include "cli_support.h"
#include "ow/core/doctor.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "json"});
    auto dir = open_data_dir(ctx);
    std::unique_ptr<ow::core::Session> session;
    if (ctx.args.has("user"))
        session = login(ctx);
    auto versions = ow::core::library_versions();
    auto checks = ow::core::run_health_checks(dir, session.get());
    bool failed = false;
    for (const auto& c : checks)
        failed = failed || c.status == ow::core::HealthCheck::Status::Failed;
    if (ctx.args.has("json")) {
        nlohmann::json j;
        for (const auto& v : versions)
            j["versions"][v.name] = v.version;
        for (const auto& c : checks)
            j["checks"].push_back({{"name", c.name},
                                   {"status", ow::core::to_string(c.status)},
                                   {"detail", c.detail}});
        ctx.out << j.dump(2) << "\n";
    } else {
        ctx.out << "Libraries\n";
        for (const auto& v : versions)
            ctx.out << "  " << std::left << std::setw(28) << v.name << v.version << "\n";
        ctx.out << "Checks\n";
        for (const auto& c : checks)
            ctx.out << "  " << std::left << std::setw(18) << c.name << std::setw(13)
                    << ow::core::to_string(c.status) << c.detail << "\n";
    }
    return failed ? kExitFailed : kExitOk;
}

const Registration reg{{"doctor",
                        "doctor [--user NAME [--password-stdin]] [--json]",
                        {"password-stdin", "json"},
                        &run}};

} // namespace
} // namespace ow::cli
