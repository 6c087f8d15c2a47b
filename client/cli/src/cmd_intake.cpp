// onewindow-cli intake --items CODE[,CODE…] --data FILE.json --user NAME [--password-stdin]
//
// FILE.json: {"applicant": {"kind": "person"|"entity", "id": "...", "name": "..."},
//             "form": {semantic key: value, …}, "note": "...", "materials": [...]}
// Prints the case number. Invalid data: every problem listed, exit non-zero, nothing stored.
#include "cli_support.h"
#include "ow/core/case_service.h"
#include "ow/core/util.h"
#include "ow/forms/identifiers.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace ow::cli {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, sep))
        if (!part.empty())
            out.push_back(part);
    return out;
}

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "items", "data", "out", "promised-date"});
    auto items = split(ctx.args.require("items"), ',');
    std::string path = ctx.args.require("data");
    nlohmann::json data;
    try {
        data = nlohmann::json::parse(ow::core::read_file(path));
    } catch (const nlohmann::json::exception& e) {
        throw UsageError("cannot read " + path + " as JSON: " + e.what());
    }
    std::vector<std::string> problems;
    ow::core::CaseDraft draft;
    draft.items = items;
    draft.catalog_version = data.value("catalog_version", "unversioned");
    const auto applicant = data.value("applicant", nlohmann::json::object());
    draft.applicant_kind = applicant.value("kind", "");
    draft.applicant_name = applicant.value("name", "");
    std::string raw_id = applicant.value("id", "");
    if (draft.applicant_kind == "person") {
        auto check = ow::forms::check_id_number(raw_id);
        if (check.status == ow::forms::CheckStatus::Invalid)
            problems.push_back("applicant.id: " + check.message);
        draft.applicant_id = check.normalized;
    } else if (draft.applicant_kind == "entity") {
        auto check = ow::forms::check_uscc(raw_id);
        if (check.status == ow::forms::CheckStatus::Invalid)
            problems.push_back("applicant.id: " + check.message);
        else if (check.status == ow::forms::CheckStatus::Warning)
            ctx.err << "warning: applicant.id: " << check.message << "\n";
        draft.applicant_id = check.normalized;
    } else {
        problems.push_back("applicant.kind: must be \"person\" or \"entity\"");
    }
    if (draft.applicant_name.empty())
        problems.push_back("applicant.name: required");
    draft.form_data = data.value("form", nlohmann::json::object()).dump();
    draft.note = data.value("note", "");
    draft.promised_date = ctx.args.get("promised-date").value_or(data.value("promised_date", ""));
    for (const auto& m : data.value("materials", nlohmann::json::array()))
        draft.materials.push_back({m.value("key", ""), m.value("name", ""),
                                   m.value("necessity", "required"), m.value("status", "paper"),
                                   m.value("pages", 0), m.value("license_id", "")});
    if (!problems.empty()) {
        for (const auto& p : problems)
            ctx.err << p << "\n";
        ctx.err << problems.size() << " problem(s); nothing was stored\n";
        return kExitFailed;
    }
    auto session = login(ctx);
    auto stored = ow::core::CaseService(*session).create(draft);
    ctx.out << stored.case_number << "\n";
    return kExitOk;
}

const Registration reg{{"intake",
                        "intake --items CODE[,CODE…] --data FILE.json --user NAME "
                        "[--password-stdin]",
                        {"password-stdin"},
                        &run}};

} // namespace
} // namespace ow::cli
