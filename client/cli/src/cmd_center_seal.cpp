// onewindow-cli center-seal show [--chain-out CA.pem] | install --name CENTER --key-file KEY.pem
//                           --cert CERT.pem [--chain CA.pem]   --user NAME [--password-stdin]
// The service center's seal that restored copies are sealed with when no token is named. The
// key lives only in the encrypted cache; `show` prints the certificates (what a verifier trusts).
#include "cli_support.h"
#include "ow/core/licenses.h"
#include "ow/core/util.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only(
        {"user", "password-stdin", "name", "key-file", "cert", "chain", "chain-out"});
    const std::string what = ctx.args.positional_at(0, "show or install");
    if (what == "install") {
        ow::core::CenterSeal seal;
        seal.name = ctx.args.require("name");
        seal.key_pem = ow::core::read_file(ctx.args.require("key-file"));
        seal.certificate_pem = ow::core::read_file(ctx.args.require("cert"));
        for (const auto& c : ctx.args.all("chain"))
            seal.chain_pem += ow::core::read_file(c);
        auto session = login(ctx);
        ow::core::CenterSeals(*session).install(seal);
        std::fill(seal.key_pem.begin(), seal.key_pem.end(), '\0');
        ctx.out << "center seal installed: " << seal.name << "\n";
        return kExitOk;
    }
    if (what != "show")
        throw UsageError("unknown center-seal command '" + what + "' (show, install)");
    auto session = login(ctx);
    auto seal = ow::core::CenterSeals(*session).certificates();
    if (!seal) {
        ctx.err << "onewindow-cli center-seal: no center seal is installed\n";
        return kExitFailed;
    }
    if (auto path = ctx.args.get("chain-out"))
        ow::core::write_file_atomically(*path, seal->chain_pem);
    ctx.out << "center: " << seal->name << "\n" << seal->certificate_pem << seal->chain_pem;
    return kExitOk;
}

const Registration reg{{"center-seal",
                        "center-seal show [--chain-out CA.pem] | install --name CENTER --key-file KEY.pem "
                        "--cert CERT.pem [--chain CA.pem]  --user NAME [--password-stdin]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
