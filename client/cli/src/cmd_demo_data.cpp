// onewindow-cli demo-data --persons N --entities M --user ADMIN [--password-stdin]
#include "cli_support.h"
#include "ow/core/reference_data.h"

#include <chrono>
#include <ostream>

namespace ow::cli {
namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "persons", "entities", "quiet"});
    long long persons = ctx.args.get_int("persons", 1000);
    long long entities = ctx.args.get_int("entities", 200);
    if (persons < 0 || entities < 0)
        throw UsageError("--persons and --entities must not be negative");
    auto session = login(ctx);
    bool quiet = ctx.args.has("quiet");
    auto start = std::chrono::steady_clock::now();
    auto counts = ow::core::ReferenceData(*session).generate_demo(
        static_cast<std::size_t>(persons), static_cast<std::size_t>(entities),
        [&](std::size_t done, std::size_t total) {
            if (!quiet)
                ctx.err << "\r" << done << " / " << total << std::flush;
        });
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!quiet)
        ctx.err << "\n";
    ctx.out << "demo data in " << seconds << " s; cache now holds " << counts.persons
            << " persons, " << counts.entities << " entities, " << counts.licenses << " licenses\n";
    return kExitOk;
}

const Registration reg{{"demo-data",
                        "demo-data [--persons N] [--entities M] --user ADMIN [--password-stdin] "
                        "[--quiet]",
                        {"password-stdin", "quiet"},
                        &run}};

} // namespace
} // namespace ow::cli
