// onewindow-cli login --user NAME [--password-stdin]: exit 0 when the password unlocks the cache.
#include "cli_support.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin"});
    auto session = login(ctx);
    ctx.out << "ok: " << session->user().name << " (" << ow::core::to_string(session->user().role)
            << ")" << (session->user().must_change_password ? ", must change the password" : "")
            << "\n";
    return kExitOk;
}

const Registration reg{{"login", "login --user NAME [--password-stdin]", {"password-stdin"}, &run}};

} // namespace
} // namespace ow::cli
