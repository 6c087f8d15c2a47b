// onewindow-cli find person|entity|name|licenses VALUE --user NAME [--password-stdin] [--json]
// Looks applicants up in the cached reference data, as the clerk does at the counter.
#include "cli_support.h"
#include "ow/core/reference_data.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace ow::cli {
namespace {

nlohmann::json to_json(const ow::core::Person& p) {
    return {{"id_number", p.id_number},   {"name", p.name},       {"gender", p.gender},
            {"birth_date", p.birth_date}, {"address", p.address}, {"phone", p.phone}};
}
nlohmann::json to_json(const ow::core::Entity& e) {
    return {{"uscc", e.uscc},       {"name", e.name},
            {"kind", e.kind},       {"legal_representative", e.legal_representative},
            {"address", e.address}, {"established", e.established}};
}

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "limit"});
    std::string what = ctx.args.positional_at(0, "what to find (person, entity, name, licenses)");
    std::string value = ctx.args.positional_at(1, "the value to look up");
    int limit = static_cast<int>(ctx.args.get_int("limit", 20));
    auto session = login(ctx);
    ow::core::ReferenceData ref(*session);
    nlohmann::json out = nlohmann::json::array();
    if (what == "person") {
        if (auto p = ref.find_person(value))
            out.push_back(to_json(*p));
    } else if (what == "entity") {
        if (auto e = ref.find_entity(value))
            out.push_back(to_json(*e));
    } else if (what == "name") {
        for (const auto& p : ref.persons_by_name_prefix(value, limit))
            out.push_back(to_json(p));
        for (const auto& e : ref.entities_by_name_prefix(value, limit))
            out.push_back(to_json(e));
    } else if (what == "licenses") {
        for (const auto& l : ref.licenses_of(value))
            out.push_back({{"license_id", l.license_id},
                           {"type", l.type_name},
                           {"holder", l.holder_name},
                           {"issue_date", l.issue_date},
                           {"valid_until", l.valid_until}});
    } else {
        throw UsageError("unknown kind '" + what + "'");
    }
    ctx.out << out.dump(2) << "\n";
    return out.empty() ? kExitFailed : kExitOk;
}

const Registration reg{{"find",
                        "find person ID_NUMBER | entity USCC | name PREFIX | licenses HOLDER_ID  "
                        "--user NAME [--password-stdin] [--limit N]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
