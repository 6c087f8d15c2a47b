// onewindow-cli card status [--watch] [--timeout SECONDS]
// The PC/SC view of the smart card: readers, card present, ATR. --watch prints each change
// (reader plugged or unplugged, card inserted or removed, service up or down) as it happens, until
// --timeout passes (default: forever). Exit 0 with a card present, 7 (device) without a service or
// without a card.
#include "cli_support.h"
#include "ow/devices/card_monitor.h"

#include <chrono>
#include <ostream>

namespace ow::cli {
namespace {

void print_state(std::ostream& out, const ow::devices::CardPresence& p) {
    out << "service: " << ow::devices::to_string(p.service);
    if (!p.error.empty())
        out << " (" << p.error << ")";
    out << "\n";
    for (const auto& r : p.readers) {
        out << "reader '" << r.name << "': ";
        if (!r.card_present)
            out << "no card\n";
        else
            out << "card present" << (r.card_mute ? " (mute)" : "") << ", ATR " << r.atr_hex()
                << "\n";
    }
    if (p.service == ow::devices::CardService::Running && p.readers.empty())
        out << "no reader attached\n";
}

int run(Context& ctx) {
    ctx.args.allow_only({"watch", "timeout"});
    if (ctx.args.positional_at(0, "sub-command (status)") != "status")
        throw UsageError("unknown card sub-command; use 'card status'");
    ow::devices::CardMonitor monitor;
    auto state = monitor.snapshot();
    print_state(ctx.out, state);
    ctx.out.flush();
    if (ctx.args.has("watch")) {
        const long long timeout_s = ctx.args.get_int("timeout", -1);
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::seconds(timeout_s < 0 ? 1LL << 30 : timeout_s);
        while (std::chrono::steady_clock::now() < deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            auto next = monitor.wait_for_change(std::min(left, std::chrono::milliseconds(5000)));
            for (const auto& e : ow::devices::card_events(state, next)) {
                ctx.out << ow::devices::to_string(e.kind);
                if (!e.reader.empty())
                    ctx.out << " '" << e.reader << "'";
                if (!e.atr_hex.empty())
                    ctx.out << " ATR " << e.atr_hex;
                ctx.out << std::endl;
            }
            state = std::move(next);
        }
    }
    return state.any_card() ? kExitOk : kExitDevice;
}

const Registration reg{{"card", "card status [--watch] [--timeout SECONDS]", {"watch"}, &run}};

} // namespace
} // namespace ow::cli
