// onewindow-cli intake (--items CODE[,CODE…] | --bundle CODE) --data FILE.json --user CLERK
//                      [--password-stdin] [--prefill] [--out DIR]
//                      [--complete | --refuse REASON [--refuse REASON…] [--basis TEXT]
//                                    [--competent-organ NAME]]
//
// --complete: a 即办件 concluded at the counter (every item must be 即办件, nothing missing).
// --refuse:   不予受理 — the case is stored as refused-at-intake with the refusal notice; the form
//             need not be complete.
//
// FILE.json: {"applicant": {"kind": "person"|"entity", "id": "...", "name": "..."},
//             "values": {semantic key: value, …},
//             "materials": {material key: {"status": "received"|"e-license"|"deferred"|"missing",
//                                           "pages": N, "license_id": "..."}, …},
//             "note": "..."}
// Prints the case number, its state and the document it wrote. Invalid data: every field error
// listed on stderr, exit 1, nothing stored.
#include "cli_support.h"
#include "ow/core/intake_service.h"
#include "ow/core/util.h"
#include "ow/forms/calendar.h"
#include "ow/forms/catalog.h"
#include "ow/forms/documents.h"
#include "ow/forms/error.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

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

ow::forms::MaterialStatus parse_status(const std::string& s, const std::string& key) {
    using S = ow::forms::MaterialStatus;
    if (s == "received" || s == "paper" || s == "scanned")
        return S::Received;
    if (s == "e-license")
        return S::ELicense;
    if (s == "deferred")
        return S::Deferred;
    if (s == "missing")
        return S::Missing;
    throw UsageError("materials." + key + ".status: '" + s +
                     "' is not one of received, e-license, deferred, missing");
}

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "items", "bundle", "data", "out", "prefill",
                         "complete", "refuse", "basis", "competent-organ"});
    if (ctx.args.has("complete") && ctx.args.has("refuse"))
        throw UsageError("--complete and --refuse exclude each other");
    if (!ctx.args.has("bundle"))
        ctx.args.require("items");
    std::string path = ctx.args.require("data");
    nlohmann::json data;
    try {
        data = nlohmann::json::parse(ow::core::read_file(path));
    } catch (const nlohmann::json::exception& e) {
        throw UsageError("cannot read " + path + " as JSON: " + e.what());
    }
    ow::core::IntakeRequest request;
    try { // a value of the wrong type ("pages": "two") is the file's mistake, not a bug
        if (!data.is_object())
            throw UsageError(path + " must hold a JSON object");
        const auto applicant = data.value("applicant", nlohmann::json::object());
        request.applicant_kind = applicant.value("kind", "");
        request.applicant_id = applicant.value("id", "");
        request.applicant_name = applicant.value("name", "");
        request.values = data.value("values", data.value("form", nlohmann::json::object()));
        request.note = data.value("note", "");
        if (data.contains("materials") && data["materials"].is_object()) {
            const nlohmann::json& materials = data["materials"];
            for (auto it = materials.begin(); it != materials.end(); ++it)
                request.materials[it.key()] = {
                    parse_status(it->value("status", "received"), it.key()), it->value("pages", 0),
                    it->value("license_id", "")};
        }
    } catch (const nlohmann::json::exception& e) {
        throw UsageError(path + ": a value has the wrong type (" + e.what() + ")");
    }
    request.complete_on_the_spot = ctx.args.has("complete");

    // The receipt is rendered in this fresh process: load the document libraries and fonts on a
    // second thread while the password is derived (≥ 100 ms by design), so that the render costs
    // what it costs in a running program. Joined before anything is rendered here.
    std::thread warm_up([] {
        try {
            ow::forms::warm_up_rendering();
        } catch (const std::exception&) {
            // Reported by the real render.
        }
    });
    struct Join {
        std::thread& thread;
        ~Join() {
            if (thread.joinable())
                thread.join();
        }
    } join_on_exit{warm_up};
    auto session = login(ctx);
    // The catalog and calendar synced from the server, else the shipped ones.
    const auto reference = session->reference().current();
    if (!reference.catalog)
        throw std::runtime_error(reference.problems.back());
    const auto& catalog = *reference.catalog;
    std::vector<std::string> items;
    if (auto bundle = ctx.args.get("bundle")) {
        const auto* b = catalog.find_bundle(*bundle);
        if (!b)
            throw UsageError("no bundle '" + *bundle + "' in catalog " + catalog.version());
        items = b->items;
    } else {
        items = split(ctx.args.require("items"), ',');
    }
    request.items = items;
    ow::core::IntakeService intake(*session, catalog, *reference.calendar);
    if (ctx.args.has("prefill")) {
        auto form = intake.merge(items);
        for (const auto& p : intake.prefill(form, request.applicant_id, request.values)) {
            request.values[p.key] = p.value;
            ctx.err << "prefilled " << p.key << " from " << p.source << "\n";
        }
    }
    warm_up.join();
    ow::core::IntakeOutcome outcome;
    try {
        if (ctx.args.has("refuse")) {
            ow::core::RefusalGrounds grounds;
            grounds.reasons = ctx.args.all("refuse");
            grounds.basis = ctx.args.get("basis").value_or("");
            grounds.competent_organ = ctx.args.get("competent-organ").value_or("");
            outcome = intake.refuse(request, grounds);
        } else {
            outcome = intake.submit(request);
        }
    } catch (const ow::core::IntakeRejected& e) {
        for (const auto& issue : e.issues())
            ctx.err << issue.key << ": " << issue.message_en << "\n";
        ctx.err << e.issues().size() << " problem(s); nothing was stored\n";
        return kExitFailed;
    } catch (const ow::forms::FormsError& e) {
        ctx.err << e.what() << "\nnothing was stored\n";
        return kExitFailed;
    }
    for (const auto& w : outcome.warnings)
        ctx.err << "warning: " << w.key << ": " << w.message_en << "\n";
    ctx.out << outcome.stored.case_number << "\n";
    ctx.out << "state: " << outcome.stored.state
            << (outcome.stored.promised_date.empty()
                    ? ""
                    : ", promised by " + outcome.stored.promised_date)
            << "\n";
    for (const auto& m : outcome.missing)
        ctx.out << "missing: " << m << "\n";
    for (const auto& m : outcome.deferred)
        ctx.out << "deferred: " << m << "\n";
    if (auto out = ctx.args.get("out")) {
        auto file =
            std::filesystem::path(*out) / (outcome.stored.case_number + "-" +
                                           ow::forms::to_string(outcome.document_kind) + ".pdf");
        try {
            std::filesystem::create_directories(*out);
            ow::core::write_file_atomically(file, outcome.document_pdf);
        } catch (const std::exception& e) {
            // The case is stored: say so, so that nobody takes it in a second time.
            ctx.err << "onewindow-cli intake: case " << outcome.stored.case_number
                    << " is stored, but its document could not be written to " << file.string()
                    << " (" << e.what() << "); the case keeps it encrypted\n";
            return kExitUsage;
        }
        ctx.out << "document: " << file.string() << "\n";
    } else {
        ctx.out << "document: " << ow::forms::document_title(outcome.document_kind)
                << " (stored encrypted in the case; use --out DIR to write a copy)\n";
    }
    return kExitOk;
}

const Registration reg{{"intake",
                        "intake (--items CODE[,CODE…] | --bundle CODE) --data FILE.json --user "
                        "CLERK [--password-stdin] [--prefill] [--out DIR] [--complete | --refuse "
                        "REASON… [--basis TEXT] [--competent-organ NAME]]",
                        {"password-stdin", "prefill", "complete"},
                        &run}};

} // namespace
} // namespace ow::cli
