// onewindow-cli init --admin NAME [--display-name TEXT] [--password-stdin]
#include "cli_support.h"
#include "ow/core/workstation.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"admin", "display-name", "password-stdin"});
    auto dir = open_data_dir(ctx);
    ow::core::InitOptions options;
    options.admin_name = ctx.args.require("admin");
    options.admin_display_name = ctx.args.get("display-name").value_or("");
    bool from_stdin = ctx.args.has("password-stdin");
    auto password = read_secret(ctx, "new password for " + options.admin_name, from_stdin);
    if (!from_stdin) {
        auto again = read_secret(ctx, "the same password again", false);
        if (again.view() != password.view())
            throw UsageError("the two passwords differ");
    }
    ow::core::Workstation::initialise(dir, options, password);
    ctx.out << "initialised workstation in " << dir.string() << " with administrator "
            << options.admin_name << "\n";
    return kExitOk;
}

const Registration reg{{"init",
                        "init --admin NAME [--display-name TEXT] [--password-stdin]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
