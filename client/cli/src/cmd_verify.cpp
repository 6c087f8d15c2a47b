// onewindow-cli verify: check every signature of a PDF; exit 0 only when all are valid and trusted.
#include "command.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_verifier.h"

namespace ow::cli {
namespace {

namespace sg = ow::signing;

int run_verify(Context& ctx) {
    ctx.args.allow_only({"trust", "json"});
    std::string file = ctx.args.positional_at(0, "the PDF to verify");
    if (ctx.args.positional().size() > 1)
        throw UsageError("verify takes one file");
    sg::VerifyOptions o;
    for (const auto& t : ctx.args.all("trust"))
        o.trust_anchors.emplace_back(t);
    try {
        sg::VerifyReport r = sg::PadesVerifier(o).verify_file(file);
        ctx.out << (ctx.args.has("json") ? r.json() + "\n" : r.text());
        return r.all_valid_and_trusted() ? kExitOk : kExitFailed;
    } catch (const sg::SigningError& e) {
        ctx.err << "onewindow-cli verify: " << e.what() << " [" << sg::to_string(e.code()) << "]\n";
        return kExitUsage; // unreadable, not a PDF, or a bad --trust file
    }
}

const Registration reg{
    {"verify", "verify FILE.pdf [--trust CA.pem]... [--json]", {"json"}, run_verify}};

} // namespace
} // namespace ow::cli
