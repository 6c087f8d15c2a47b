// onewindow-cli entry point: global options, then one sub-command (see command.h).
#include "cli_support.h"
#include "command.h"

#include <iostream>

int main(int argc, char** argv) {
    std::vector<std::string> rest(argv + 1, argv + argc);
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
        std::cout << "usage: onewindow-cli [--data-dir DIR] COMMAND [ARGS]\n\ncommands:\n";
        for (const auto& [name, command] : ow::cli::commands())
            std::cout << "  " << command.usage << "\n";
        return rest.empty() ? ow::cli::kExitUsage : ow::cli::kExitOk;
    }
    std::string data_dir;
    while (!rest.empty() && rest[0].rfind("--data-dir", 0) == 0) {
        if (rest[0] == "--data-dir" && rest.size() > 1) {
            data_dir = rest[1];
            rest.erase(rest.begin(), rest.begin() + 2);
        } else if (rest[0].rfind("--data-dir=", 0) == 0) {
            data_dir = rest[0].substr(11);
            rest.erase(rest.begin());
        } else {
            std::cerr << "onewindow-cli: --data-dir needs a value\n";
            return ow::cli::kExitUsage;
        }
    }
    auto it = rest.empty() ? ow::cli::commands().end() : ow::cli::commands().find(rest[0]);
    if (it == ow::cli::commands().end()) {
        std::cerr << "onewindow-cli: unknown command '" << (rest.empty() ? "" : rest[0])
                  << "'; try --help\n";
        return ow::cli::kExitUsage;
    }
    const ow::cli::Command& command = it->second;
    try {
        ow::cli::Context ctx{ow::cli::Args({rest.begin() + 1, rest.end()}, command.flags), data_dir,
                             std::cin, std::cout, std::cerr};
        return command.run(ctx);
    } catch (const ow::cli::UsageError& e) {
        std::cerr << "onewindow-cli " << command.name << ": " << e.what()
                  << "\n  usage: onewindow-cli " << command.usage << "\n";
        return ow::cli::kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "onewindow-cli " << command.name << ": " << e.what() << "\n";
        return ow::cli::exit_code_for(e);
    }
}
