// onewindow-cli verify: check every signature of a PDF; exit 0 only when all are valid and trusted.
#include "cli_support.h"
#include "ow/core/restoration_service.h"
#include "ow/core/util.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_verifier.h"

#include <ostream>

namespace ow::cli {
namespace {

namespace sg = ow::signing;

int run_verify(Context& ctx) {
    ctx.args.allow_only({"trust", "json", "license", "user", "password-stdin"});
    std::string file = ctx.args.positional_at(0, "the PDF to verify");
    if (ctx.args.positional().size() > 1)
        throw UsageError("verify takes one file");
    sg::VerifyOptions o;
    for (const auto& t : ctx.args.all("trust"))
        o.trust_anchors.emplace_back(t);
    if (ctx.args.has("license")) {
        // A restored copy (证照还原): the seal, and the QR payload against the cached record.
        std::string bytes;
        try {
            bytes = ow::core::read_file(file);
        } catch (const std::exception& e) {
            ctx.err << "onewindow-cli verify: cannot read " << file << "\n";
            return kExitUsage;
        }
        auto session = login(ctx);
        ow::core::RestorationService service(*session);
        auto check = service.verify_copy(std::vector<unsigned char>(bytes.begin(), bytes.end()), o);
        ctx.out << check.seal_text;
        ctx.out << "restored copy of " << (check.license_id.empty() ? "?" : check.license_id)
                << ": seal " << (check.seal_ok ? "OK" : "FAILED") << ", QR payload "
                << (check.payload_ok ? "matches the license record" : "FAILED") << "\n";
        for (const auto& p : check.problems)
            ctx.err << "onewindow-cli verify: " << p << "\n";
        return check.ok() ? kExitOk : kExitFailed;
    }
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
    {"verify",
     "verify FILE.pdf [--trust CA.pem]... [--json] | verify FILE.pdf --license --user NAME "
     "[--password-stdin] [--trust CA.pem]...",
     {"json", "license", "password-stdin"},
     run_verify}};

} // namespace
} // namespace ow::cli
