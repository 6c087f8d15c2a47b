// onewindow-cli license list [--holder ID | --name PREFIX] [--limit N] | show LICENSE_ID  --user
// CLERK
//                    [--password-stdin] [--json]
// The cached e-licenses with their verification state: the GB/T 36904 check character and the
// issuer's signature. An untrusted record is listed as such and cannot be restored.
#include "cli_support.h"
#include "ow/core/restoration_service.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace ow::cli {
namespace {

nlohmann::json to_json(const ow::core::LicenseView& v, bool with_face) {
    nlohmann::json j = {
        {"license_id", v.record.license_id}, {"type", v.record.type_name},
        {"type_code", v.record.type_code},   {"holder", v.record.holder_name},
        {"holder_id", v.record.holder_id},   {"issuer", v.record.issuer},
        {"issue_date", v.record.issue_date}, {"valid_until", v.record.valid_until},
        {"trusted", v.issuer.trusted},       {"layout", v.layout ? v.layout->id : ""}};
    if (v.issuer.trusted)
        j["signed_by"] = v.issuer.issuer;
    else
        j["problem"] = v.issuer.problem;
    if (with_face)
        j["face"] = v.face_fields();
    return j;
}

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "holder", "name", "json", "limit"});
    const std::string what = ctx.args.positional_at(0, "list or show");
    const bool json = ctx.args.has("json");
    std::vector<ow::core::LicenseView> views;
    auto session = login(ctx);
    ow::core::RestorationService service(*session);
    if (what == "list") {
        if (ctx.args.positional().size() > 1)
            throw UsageError("license list takes no argument; use --holder ID or --name PREFIX");
        if (auto holder = ctx.args.get("holder"))
            views = service.by_holder(*holder);
        else if (auto name = ctx.args.get("name"))
            views = service.search(*name, static_cast<int>(ctx.args.get_int("limit", 50)));
        else
            views = service.list(static_cast<int>(ctx.args.get_int("limit", 50)));
    } else if (what == "show") {
        views.push_back(service.find(ctx.args.positional_at(1, "the license identifier")));
    } else {
        throw UsageError("unknown license command '" + what + "' (list, show)");
    }
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : views)
            out.push_back(to_json(v, what == "show"));
        ctx.out << (what == "show" ? out[0].dump(2) : out.dump(2)) << "\n";
    } else {
        for (const auto& v : views) {
            ctx.out << v.record.license_id << "  " << v.record.type_name << "  "
                    << v.record.holder_name << " (" << v.record.holder_id << ")  "
                    << (v.restorable() ? "verified" : "UNTRUSTED: " + v.refusal()) << "\n";
            if (what == "show") {
                ctx.out << "  issuer: " << v.record.issuer << ", issued " << v.record.issue_date
                        << ", valid until " << v.record.valid_until << "\n";
                if (v.issuer.trusted)
                    ctx.out << "  signed by: " << v.issuer.issuer << "\n";
                ctx.out << "  layout: " << (v.layout ? v.layout->id : "(none)") << "\n";
                for (const auto& [k, value] : v.face_fields())
                    ctx.out << "  " << k << ": " << value << "\n";
            }
        }
    }
    if (views.empty()) {
        ctx.err << "onewindow-cli license: no license found\n";
        return kExitFailed;
    }
    return what == "show" && !views[0].restorable() ? kExitFailed : kExitOk;
}

const Registration reg{{"license",
                        "license list [--holder ID | --name PREFIX] [--limit N] | show LICENSE_ID  "
                        "--user NAME [--password-stdin] [--json]",
                        {"password-stdin", "json"},
                        &run}};

} // namespace
} // namespace ow::cli
