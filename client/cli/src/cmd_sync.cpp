// onewindow-cli sync [--once] [--json] --user NAME
// onewindow-cli enroll URL CODE [--ca FILE] [--pin sha256//…] --user ADMIN
// onewindow-cli outbox list|retry ID|drop ID --user NAME   (drop: administrators, audited)
#include "cli_support.h"
#include "ow/core/error.h"
#include "ow/core/sync_engine.h"
#include "ow/core/system_config.h"
#include "ow/core/util.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

namespace ow::cli {
namespace {

nlohmann::json report_json(const ow::core::SyncReport& r) {
    return {{"sent", r.sent},
            {"applied", r.applied},
            {"conflicts", r.conflicts},
            {"rejected", r.rejected},
            {"retried", r.retried},
            {"dead_lettered", r.dead_lettered},
            {"blobs_uploaded", r.blobs_uploaded},
            {"bytes_uploaded", r.bytes_uploaded},
            {"bytes_resent", r.bytes_resent},
            {"received", r.received},
            {"failures", r.failures},
            {"stalled", r.stalled},
            {"error", r.error},
            {"pending", r.pending_after}};
}

void print_report(std::ostream& out, const ow::core::SyncReport& r) {
    out << "sent " << r.sent << " change(s): " << r.applied << " applied, " << r.conflicts
        << " conflict(s), " << r.rejected << " rejected, " << r.retried << " to retry, "
        << r.dead_lettered << " dead letter(s)\n";
    out << "uploaded " << r.blobs_uploaded << " document(s), " << r.bytes_uploaded << " bytes ("
        << r.bytes_resent << " sent again after interruptions)\n";
    if (r.received.empty())
        out << "received nothing new\n";
    for (const auto& [kind, n] : r.received)
        out << "received " << n << " " << kind << " record(s)\n";
    for (const auto& f : r.failures)
        out << "failed: " << f << "\n";
    if (r.retried > 0)
        out << "warning: " << r.retried
            << " change(s) were not delivered and will be sent again later\n";
    if (r.stalled)
        out << "warning: the run made no progress for a while (see the log)\n";
    out << r.pending_after << " change(s) still pending\n";
}

int run_sync(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "once", "json", "interval"});
    auto session = login(ctx);
    ow::core::SyncEngine engine(*session, ow::core::SyncOptions::configured());
    const bool once = ctx.args.has("once");
    const auto interval = std::chrono::seconds(std::max(0LL, ctx.args.get_int("interval", 30)));
    int status = kExitOk;
    while (true) {
        ow::core::SyncReport report;
        try {
            report = engine.run();
        } catch (const ow::core::CoreError& e) {
            if (ctx.args.has("json")) {
                nlohmann::json j = {{"error", e.what()}, {"code", ow::core::to_string(e.code())}};
                ctx.out << j.dump() << "\n";
            }
            if (once)
                throw;
            ctx.err << e.what() << "\n";
            std::this_thread::sleep_for(interval);
            continue;
        }
        if (ctx.args.has("json"))
            ctx.out << report_json(report).dump() << "\n";
        else
            print_report(ctx.out, report);
        ctx.out.flush();
        status = report.ok() ? kExitOk : kExitFailed;
        if (once)
            return status;
        std::this_thread::sleep_for(interval);
    }
}

int run_enroll(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "ca", "pin"});
    // `enroll CODE` takes the server, its CA and pin from what IT pre-seeded in
    // /etc/onewindow/onewindow.conf; `enroll URL CODE [--ca FILE]` names them.
    const auto& seeded = ow::core::SystemConfig::installed();
    const bool url_given = ctx.args.positional().size() >= 2;
    std::string url = url_given ? ctx.args.positional_at(0, "server URL (https://HOST:PORT)")
                                : seeded.get_or("server.url", "");
    if (url.empty())
        throw UsageError("enroll URL CODE (or set [server] url in " + seeded.path().string() + ")");
    std::string code = ctx.args.positional_at(url_given ? 1 : 0, "one-time enrolment code");
    auto session = login(ctx);
    auto existing = ow::core::SyncEngine::identity(*session);
    std::string ca;
    if (auto file = ctx.args.get("ca")) {
        ca = ow::core::read_file(*file);
    } else if (auto bundle = seeded.get("server.ca_bundle"); bundle && !existing) {
        ca = ow::core::read_file(*bundle);
    } else if (existing) {
        ca = existing->ca_pem;
    } else {
        throw UsageError("--ca FILE is required the first time: the service center's CA "
                         "certificate (PEM) that the server's certificate must chain to");
    }
    ow::core::SyncEngine::configure(
        *session, url, ca,
        ctx.args.get("pin").value_or(existing ? existing->pin
                                              : seeded.get_or("server.pin_sha256", "")));
    auto workstation = ow::core::SyncEngine::enroll(*session, code);
    ctx.out << "enrolled as " << workstation << " at " << url << "\n";
    return kExitOk;
}

// The server's address and CA without enrolling (a new address of the same service center).
int run_sync_server(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "ca", "pin"});
    std::string url = ctx.args.positional_at(0, "server URL (https://HOST:PORT)");
    auto session = login(ctx);
    auto existing = ow::core::SyncEngine::identity(*session);
    std::string ca;
    if (auto file = ctx.args.get("ca"))
        ca = ow::core::read_file(*file);
    else if (existing)
        ca = existing->ca_pem;
    else
        throw UsageError("--ca FILE is required the first time");
    ow::core::SyncEngine::configure(*session, url, ca,
                                    ctx.args.get("pin").value_or(existing ? existing->pin : ""));
    auto now = ow::core::SyncEngine::identity(*session);
    ctx.out << "server " << now->server_url
            << (now->enrolled() ? " (enrolled as " + now->workstation_id + ")"
                                : " (not enrolled yet)")
            << "\n";
    return kExitOk;
}

int run_outbox(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "json"});
    std::string action = ctx.args.positional_at(0, "action (list, retry or drop)");
    auto session = login(ctx);
    ow::core::OutboxAdmin outbox(*session);
    if (action == "list") {
        auto entries = outbox.list();
        if (ctx.args.has("json")) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : entries)
                out.push_back({{"mutation_id", e.mutation_id},
                               {"entity_kind", e.entity_kind},
                               {"entity_id", e.entity_id},
                               {"operation", e.operation},
                               {"state", e.state},
                               {"attempts", e.attempts},
                               {"next_attempt_at", e.next_attempt_at},
                               {"last_error", e.last_error},
                               {"created_at", e.created_at}});
            ctx.out << out.dump() << "\n";
            return kExitOk;
        }
        for (const auto& e : entries)
            ctx.out << e.mutation_id << "  " << e.state << "  " << e.entity_kind << " "
                    << e.operation << "  attempts " << e.attempts
                    << (e.last_error.empty() ? "" : "  error: " + e.last_error) << "\n";
        ctx.out << entries.size() << " item(s) not yet applied\n";
        return kExitOk;
    }
    std::string id = ctx.args.positional_at(1, "outbox item id");
    if (action == "retry") {
        outbox.retry(id);
        ctx.out << id << " will be sent at the next sync\n";
        return kExitOk;
    }
    if (action == "drop") {
        outbox.drop(id);
        ctx.out << id << " dropped (recorded in the audit log)\n";
        return kExitOk;
    }
    throw UsageError("outbox: unknown action '" + action + "' (list, retry or drop)");
}

const Registration sync_reg{{"sync",
                             "sync [--once] [--json] [--interval SECONDS] --user NAME "
                             "[--password-stdin]",
                             {"password-stdin", "once", "json"},
                             &run_sync}};
const Registration enroll_reg{{"enroll",
                               "enroll [URL] CODE [--ca FILE] [--pin sha256//BASE64] --user ADMIN "
                               "[--password-stdin]  (URL, CA and pin default to onewindow.conf)",
                               {"password-stdin"},
                               &run_enroll}};
const Registration server_reg{{"sync-server",
                               "sync-server URL [--ca FILE] [--pin sha256//BASE64] --user ADMIN "
                               "[--password-stdin]",
                               {"password-stdin"},
                               &run_sync_server}};
const Registration outbox_reg{{"outbox",
                               "outbox list [--json] | retry ID | drop ID  --user NAME "
                               "[--password-stdin]",
                               {"password-stdin", "json"},
                               &run_outbox}};

} // namespace
} // namespace ow::cli
