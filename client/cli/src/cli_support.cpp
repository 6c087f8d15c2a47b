#include "cli_support.h"

#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/util.h"
#include "ow/signing/pkcs11_signer.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace ow::cli {

using ow::core::SecretString;
namespace sg = ow::signing;

namespace {

// The PIN, wiped when it goes out of scope.
struct Pin {
    Pin() = default;
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    Pin(Pin&&) = default;
    std::vector<char> chars;
    ~Pin() { sg::secure_wipe(chars); }
};

// Room for any PIN up front: a vector that grows leaves the old buffer, with the PIN's first
// characters, unwiped on the heap.
constexpr std::size_t kMaxPin = 256;

void add_pin_char(Pin& pin, char c) {
    if (pin.chars.size() == kMaxPin)
        throw UsageError("the PIN is longer than 256 characters");
    pin.chars.push_back(c);
}

Pin read_pin(Context& ctx, bool from_stdin) {
    Pin pin;
    pin.chars.reserve(kMaxPin);
    if (from_stdin) {
        char c;
        while (ctx.in.get(c) && c != '\n')
            if (c != '\r')
                add_pin_char(pin, c);
        return pin;
    }
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        throw UsageError("no terminal to ask for the PIN; use --pin-stdin");
    std::fputs("PIN: ", tty);
    std::fflush(tty);
    termios old{}, quiet{};
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    int c;
    try {
        while ((c = std::fgetc(tty)) != EOF && c != '\n')
            if (c != '\r')
                add_pin_char(pin, static_cast<char>(c));
    } catch (...) {
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        std::fclose(tty);
        throw;
    }
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    std::fputs("\n", tty);
    std::fclose(tty);
    return pin;
}

} // namespace

int signing_exit_code(sg::ErrorCode c) {
    using E = sg::ErrorCode;
    switch (c) {
    case E::WrongPin:
    case E::PinLocked:
    case E::PinRequired:
        return kExitAuth;
    case E::ModuleLoadFailed:
    case E::TokenNotFound:
    case E::TokenRemoved:
    case E::TokenError:
    case E::KeyNotFound:
    case E::CertificateNotFound:
    case E::UnsupportedKey:
        return kExitDevice;
    case E::InvalidArgument:
    case E::IoError:
    case E::MalformedPdf:
    case E::EncryptedPdf:
    case E::AppearanceError:
        return kExitUsage;
    case E::TimestampFailed:
        return kExitNetwork;
    default:
        return kExitFailed;
    }
}

std::unique_ptr<sg::Signer> open_signer(Context& ctx, bool optional) {
    bool p11 = ctx.args.has("pkcs11-module") || ctx.args.has("key");
    bool soft = ctx.args.has("key-file") || ctx.args.has("cert");
    if (!p11 && !soft && optional)
        return nullptr;
    if (p11 == soft)
        throw UsageError(
            "choose --pkcs11-module PATH --key URI, or --key-file KEY.pem --cert CERT.pem");
    if (p11) {
        auto token = sg::Pkcs11Signer::open(
            {ctx.args.require("pkcs11-module"), ctx.args.require("key"), {}});
        Pin pin = read_pin(ctx, ctx.args.has("pin-stdin"));
        token->login(pin.chars);
        if (token->pin_per_signature()) {
            // The same PIN answers the key's context-specific login for this one document.
            // Wiped when used, and when the token goes without having asked for it.
            std::shared_ptr<std::vector<char>> copy(new std::vector<char>(pin.chars),
                                                    [](std::vector<char>* v) {
                                                        sg::secure_wipe(*v);
                                                        delete v;
                                                    });
            token->set_pin_callback([copy](std::vector<char>& out) {
                out = *copy;
                sg::secure_wipe(*copy);
                return !out.empty();
            });
        }
        return token;
    }
    std::vector<std::filesystem::path> chain;
    for (const auto& c : ctx.args.all("chain"))
        chain.emplace_back(c);
    return sg::SoftwareSigner::from_files(ctx.args.require("key-file"), ctx.args.require("cert"),
                                          chain);
}

SecretString read_secret(Context& ctx, const std::string& prompt, bool from_stdin) {
    std::string line;
    line.reserve(1024); // no reallocation (and unwiped old buffer) for any sensible password
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
