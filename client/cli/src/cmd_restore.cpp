// onewindow-cli restore --license ID --reason TEXT [--case NO [--material KEY]] --out FILE.pdf
//                       [--print] --user CLERK [--password-stdin]
//                       [--pkcs11-module PATH --key URI [--pin-stdin] |
//                        --key-file KEY.pem --cert CERT.pem [--chain CA.pem]]
// Restores an e-license (证照还原) into its official layout, annotated and sealed. The seal is the
// center seal installed in the cache unless a token or key file is named.
#include "cli_support.h"
#include "ow/core/restoration_service.h"
#include "ow/signing/pades_signer.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "license", "reason", "case", "material", "out",
                         "print", "templates", "pkcs11-module", "key", "pin-stdin", "key-file",
                         "cert", "chain"});
    if (!ctx.args.positional().empty())
        throw UsageError("restore takes no positional argument");
    ow::core::RestorationRequest request;
    request.license_id = ctx.args.require("license");
    request.reason = ctx.args.require("reason");
    request.case_number = ctx.args.get("case").value_or("");
    request.material_key = ctx.args.get("material").value_or("");
    const auto out = ctx.args.get("out");
    if (!out && !ctx.args.has("print"))
        throw UsageError("restore needs --out FILE.pdf or --print");
    // Refuse a bad reason before asking for passwords or PINs.
    ow::core::check_restoration_reason(request.reason);
    auto session = login(ctx);
    ow::core::RestorationService service(
        *session, std::filesystem::path(ctx.args.get("templates").value_or("")));
    ow::core::RestorationResult result;
    try {
        auto signer = open_signer(ctx, true);
        result =
            signer ? service.restore(request, *signer) : service.restore_with_center_seal(request);
    } catch (const ow::signing::SigningError& e) {
        ctx.err << "onewindow-cli restore: " << e.what() << " [" << ow::signing::to_string(e.code())
                << "]\n";
        return signing_exit_code(e.code());
    }
    // The restoration is recorded now: a copy that cannot be written or printed is reported as
    // such (with the restoration's id), so that nobody restores it a second time.
    try {
        if (out)
            ow::signing::write_file_atomically(*out, result.pdf);
        if (ctx.args.has("print"))
            service.print(result);
    } catch (const std::exception& e) {
        ctx.err << "onewindow-cli restore: restoration " << result.restoration_id << " of "
                << result.license_id << " is recorded, but "
                << (out ? "the file " + *out + " could not be written"
                        : std::string("printing failed"))
                << ": " << e.what() << "\n";
        return kExitUsage;
    }
    ctx.out << "restored: " << result.license_id << " -> " << (out ? *out : "printer")
            << " (sealed by " << result.seal_subject << ", restoration " << result.restoration_id
            << (request.material_key.empty()
                    ? ""
                    : ", attached to " + request.case_number + "/" + request.material_key)
            << ")\n";
    return kExitOk;
}

const Registration reg{
    {"restore",
     "restore --license ID --reason TEXT [--case NO [--material KEY]] (--out FILE.pdf | --print) "
     "--user NAME [--password-stdin] [--templates DIR] [--pkcs11-module PATH --key URI "
     "[--pin-stdin] | --key-file KEY.pem --cert CERT.pem [--chain CA.pem]]",
     {"password-stdin", "pin-stdin", "print"},
     &run}};

} // namespace
} // namespace ow::cli
