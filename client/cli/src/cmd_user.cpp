// onewindow-cli user add|passwd|reset|list|disable|enable
//
// The acting user logs in with --user; with --password-stdin every secret is read from standard
// input, one per line, in this order: the acting user's password, then the new password.
#include "cli_support.h"
#include "ow/core/user_service.h"

#include <iomanip>
#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "role", "display-name"});
    std::string action =
        ctx.args.positional_at(0, "action (add, passwd, reset, list, disable, enable)");
    bool from_stdin = ctx.args.has("password-stdin");
    auto new_password = [&](const std::string& who) {
        auto pw = read_secret(ctx, "new password for " + who, from_stdin);
        if (!from_stdin && read_secret(ctx, "the same password again", false).view() != pw.view())
            throw UsageError("the two passwords differ");
        return pw;
    };
    if (action == "add") {
        std::string name = ctx.args.positional_at(1, "user name");
        auto role = ow::core::role_from_string(ctx.args.require("role"));
        auto session = login(ctx);
        auto pw = new_password(name);
        auto user = ow::core::UserService(*session).add(
            name, ctx.args.get("display-name").value_or(name), role, pw);
        ctx.out << "added " << user.name << " (" << ow::core::to_string(user.role) << ")\n";
    } else if (action == "passwd") {
        auto session = login(ctx); // the current password
        auto old_password = read_secret(ctx, "current password", from_stdin);
        auto pw = new_password(session->user().name);
        ow::core::UserService(*session).change_password(old_password, pw);
        ctx.out << "password changed for " << session->user().name << "\n";
    } else if (action == "reset") {
        std::string name = ctx.args.positional_at(1, "user name");
        auto session = login(ctx);
        auto pw = new_password(name);
        ow::core::UserService(*session).reset_password(name, pw);
        ctx.out << "password reset for " << name << "; it must be changed at the next login\n";
    } else if (action == "disable" || action == "enable") {
        std::string name = ctx.args.positional_at(1, "user name");
        auto session = login(ctx);
        ow::core::SecretString pw;
        if (action == "enable")
            pw = new_password(name);
        ow::core::UserService(*session).set_active(name, action == "enable", pw);
        ctx.out << name << (action == "enable" ? " enabled\n" : " disabled\n");
    } else if (action == "list") {
        auto session = login(ctx);
        for (const auto& u : ow::core::UserService(*session).list())
            ctx.out << std::left << std::setw(20) << u.name << std::setw(9)
                    << ow::core::to_string(u.role) << (u.active ? "active" : "disabled")
                    << (u.must_change_password ? "  must-change-password" : "") << "  "
                    << u.display_name << "\n";
    } else {
        throw UsageError("unknown action '" + action + "'");
    }
    return kExitOk;
}

const Registration reg{{"user",
                        "user add NAME --role clerk|officer|admin | passwd | reset NAME | list | "
                        "disable NAME | enable NAME  --user ACTING_USER [--password-stdin]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
