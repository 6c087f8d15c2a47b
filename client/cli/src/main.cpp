// onewindow-cli entry point: global options, then one sub-command (see command.h).
#include "cli_support.h"
#include "command.h"
#include "ow/core/util.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace {

// A command runs once and exits, so OpenSSL is set up for a short process before anything uses it:
// - no clean-up at exit: it frees tables the process is about to lose anyway (keys are wiped when
//   their objects are freed, before that);
// - the random generator is the SHA-256 Hash_DRBG instead of the AES-256 CTR_DRBG (both NIST SP
//   800-90A, security strength 256): it spares a command that encrypts nothing the set-up of
//   OpenSSL's whole cipher table. A [random] section in the system's openssl.cnf still wins.
void configure_openssl_for_one_command() {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    RAND_set_DRBG_type(nullptr, "HASH-DRBG", nullptr, nullptr, "SHA256");
}

} // namespace

int run(int argc, char** argv);

// The command's result is complete once it returns: standard output and error are flushed and the
// process ends without running static destructors and exit handlers, which only free memory the
// kernel reclaims anyway (files and the cache are closed by their owners, inside the command).
int main(int argc, char** argv) {
    int rc = run(argc, argv);
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(rc);
}

int run(int argc, char** argv) {
    ow::core::protect_process();
    configure_openssl_for_one_command();
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
