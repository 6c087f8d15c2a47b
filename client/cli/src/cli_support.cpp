#include "cli_support.h"

#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/util.h"

#include <fstream>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace ow::cli {

using ow::core::SecretString;

SecretString read_secret(Context& ctx, const std::string& prompt, bool from_stdin) {
    std::string line;
    if (from_stdin) {
        if (!std::getline(ctx.in, line))
            throw UsageError("expected " + prompt + " on standard input");
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return SecretString(std::move(line));
    }
    std::fstream tty("/dev/tty", std::ios::in | std::ios::out);
    if (!tty || !isatty(STDIN_FILENO))
        throw UsageError("no terminal to ask for the " + prompt +
                         "; pass it with --password-stdin");
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios silent = old;
    silent.c_lflag &= static_cast<tcflag_t>(~ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    tty << prompt << ": " << std::flush;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    tty << "\n";
    return SecretString(std::move(line));
}

std::filesystem::path open_data_dir(Context& ctx) {
    std::filesystem::path dir =
        ctx.data_dir.empty() ? ow::core::default_data_dir() : std::filesystem::path(ctx.data_dir);
    if (ow::core::Workstation::exists(dir))
        ow::core::log::open_file(ow::core::WorkstationPaths{dir}.logs());
    return dir;
}

std::unique_ptr<ow::core::Session> login(Context& ctx) {
    auto dir = open_data_dir(ctx);
    std::string user = ctx.args.require("user");
    SecretString password =
        read_secret(ctx, "password for " + user, ctx.args.has("password-stdin"));
    return ow::core::Workstation::login(dir, user, password);
}

int exit_code_for(const std::exception& e) {
    using ow::core::ErrorCode;
    if (auto* core = dynamic_cast<const ow::core::CoreError*>(&e)) {
        switch (core->code()) {
        case ErrorCode::WrongPassword:
            return kExitAuth;
        case ErrorCode::PermissionDenied:
            return kExitPermission;
        case ErrorCode::NotInitialised:
        case ErrorCode::CacheRefused:
        case ErrorCode::CacheCorrupt:
        case ErrorCode::Storage:
            return kExitData;
        case ErrorCode::InvalidArgument:
            return kExitUsage;
        case ErrorCode::NotFound:
        case ErrorCode::AlreadyExists:
        case ErrorCode::Conflict:
            return kExitFailed;
        case ErrorCode::Crypto:
            return kExitInternal;
        case ErrorCode::Network:
            return kExitNetwork;
        }
    }
    if (dynamic_cast<const UsageError*>(&e))
        return kExitUsage;
    return kExitInternal;
}

} // namespace ow::cli
