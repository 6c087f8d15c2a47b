// onewindow-cli check id|uscc|org|region|license-id VALUE — the identifier checks of ow_forms.
// Exit 0 valid, 1 invalid, 3 valid with a warning (e.g. a USCC whose check character fails);
// the message goes to stdout.
#include "command.h"
#include "ow/forms/identifiers.h"

#include <ostream>

namespace {

int run(ow::cli::Context& ctx) {
    ctx.args.allow_only({});
    const auto kind =
        ctx.args.positional_at(0, "the kind of identifier (id, uscc, org, region, license-id)");
    const auto value = ctx.args.positional_at(1, "the value to check");
    if (ctx.args.positional().size() > 2) {
        throw ow::cli::UsageError("check takes one value; quote it if it contains spaces");
    }
    ow::forms::CheckResult result;
    if (kind == "id") {
        result = ow::forms::check_id_number(value);
    } else if (kind == "uscc") {
        result = ow::forms::check_uscc(value);
    } else if (kind == "org") {
        result = ow::forms::check_org_code(value);
    } else if (kind == "region") {
        result = ow::forms::check_region_code(value);
    } else if (kind == "license-id") {
        result = ow::forms::check_license_id(value);
    } else {
        throw ow::cli::UsageError("unknown kind '" + kind +
                                  "'; use id, uscc, org, region or license-id");
    }
    ctx.out << ow::forms::to_string(result.status) << ": " << result.message;
    if (!result.normalized.empty() && result.normalized != value) {
        ctx.out << " (read as " << result.normalized << ")";
    }
    ctx.out << "\n";
    switch (result.status) {
    case ow::forms::CheckStatus::Valid:
        return ow::cli::kExitOk;
    case ow::forms::CheckStatus::Warning:
        return ow::cli::kExitWarning;
    case ow::forms::CheckStatus::Invalid:
        break;
    }
    return ow::cli::kExitFailed;
}

const ow::cli::Registration reg{{"check", "check id|uscc|org|region|license-id VALUE", {}, &run}};

} // namespace
