// onewindow-cli decide CASE_NUMBER approve|return|refuse [--reason TEXT…] --user OFFICER
//     [--seal [--pkcs11-module PATH --key URI --pin-stdin | --key-file KEY --cert CERT]]
// onewindow-cli decide --queue --user OFFICER
#include "cli_support.h"
#include "ow/core/approval_service.h"

#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "reason", "queue", "seal", "pkcs11-module",
                         "key", "pin-stdin", "key-file", "cert", "out"});
    if (ctx.args.has("queue")) {
        auto session = login(ctx);
        for (const auto& c : ow::core::ApprovalService(*session).queue())
            ctx.out << c.case_number << "  promised " << c.promised_date << "  " << c.items.size()
                    << " item(s)\n";
        return kExitOk;
    }
    std::string number = ctx.args.positional_at(0, "case number");
    auto decision = ow::core::decision_from_string(
        ctx.args.positional_at(1, "decision (approve, return or refuse)"));
    auto session = login(ctx);
    auto decided =
        ow::core::ApprovalService(*session).decide(number, decision, ctx.args.all("reason"));
    ctx.out << decided.case_number << ": " << decided.state << "\n";
    if (ctx.args.has("seal") && decision != ow::core::Decision::Return)
        return seal_cases(ctx, *session, {decided.case_number});
    return kExitOk;
}

const Registration reg{{"decide",
                        "decide CASE_NUMBER approve|return|refuse [--reason TEXT…] [--seal "
                        "[--pkcs11-module PATH] [--key URI] [--pin-stdin] | --key-file KEY.pem "
                        "--cert CERT.pem] [--out DIR]] | --queue  --user OFFICER "
                        "[--password-stdin]",
                        {"password-stdin", "queue", "seal", "pin-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
