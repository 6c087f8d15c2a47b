// onewindow-cli sign: seal a PDF with a key on a PKCS#11 token or a software key (PAdES B-B/B-T).
#include "command.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pkcs11_signer.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <termios.h>
#include <unistd.h>

namespace ow::cli {
namespace {

namespace sg = ow::signing;

// The PIN, wiped when it goes out of scope.
struct Pin {
    std::vector<char> chars;
    ~Pin() { sg::secure_wipe(chars); }
};

Pin read_pin(Context& ctx, bool from_stdin) {
    Pin pin;
    if (from_stdin) {
        char c;
        while (ctx.in.get(c) && c != '\n')
            if (c != '\r')
                pin.chars.push_back(c);
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
    while ((c = std::fgetc(tty)) != EOF && c != '\n')
        if (c != '\r')
            pin.chars.push_back(static_cast<char>(c));
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    std::fputs("\n", tty);
    std::fclose(tty);
    return pin;
}

int exit_code(sg::ErrorCode c) {
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

double number(const std::string& s, const char* what) {
    try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used == s.size())
            return v;
    } catch (const std::exception&) {
    }
    throw UsageError(std::string("bad number in ") + what + ": '" + s + "'");
}

int run_sign(Context& ctx) {
    ctx.args.allow_only({"pkcs11-module", "key", "pin-stdin", "key-file", "cert", "chain",
                         "visible", "field", "seal-image", "text", "certify", "tsa", "tsa-trust",
                         "reason", "location", "font"});
    std::string in = ctx.args.positional_at(0, "the input PDF");
    std::string out = ctx.args.positional_at(1, "the output PDF");
    if (ctx.args.positional().size() > 2)
        throw UsageError("too many arguments");

    sg::SignOptions o;
    o.reason = ctx.args.get("reason").value_or("");
    o.location = ctx.args.get("location").value_or("");
    o.existing_field = ctx.args.get("field").value_or("");
    if (auto v = ctx.args.get("visible")) {
        std::vector<std::string> parts;
        std::stringstream ss(*v);
        for (std::string p; std::getline(ss, p, ',');)
            parts.push_back(p);
        if (parts.size() != 5)
            throw UsageError("--visible needs PAGE,X,Y,W,H (points, origin bottom-left)");
        sg::SealAppearance seal;
        seal.page = static_cast<int>(number(parts[0], "--visible"));
        seal.rect = {number(parts[1], "--visible"), number(parts[2], "--visible"),
                     number(parts[3], "--visible"), number(parts[4], "--visible")};
        o.seal = seal;
    }
    if (ctx.args.has("seal-image") || ctx.args.has("text")) {
        if (!o.seal && o.existing_field.empty())
            throw UsageError("--seal-image and --text need --visible or --field");
        if (!o.seal)
            o.seal = sg::SealAppearance{};
        if (auto img = ctx.args.get("seal-image"))
            o.seal->image = *img;
        o.seal->text_lines = ctx.args.all("text");
    }
    if (auto f = ctx.args.get("font"); f && o.seal)
        o.seal->font_family = *f;
    if (auto c = ctx.args.get("certify")) {
        long long p = ctx.args.get_int("certify", 0);
        if (p < 1 || p > 3)
            throw UsageError(
                "--certify takes 1 (no changes), 2 (form filling) or 3 (annotations), got " + *c);
        o.certify = static_cast<sg::DocMdp>(p);
    }
    if (auto tsa = ctx.args.get("tsa")) {
        sg::TsaOptions t;
        t.url = *tsa;
        for (const auto& a : ctx.args.all("tsa-trust"))
            t.trust_anchors.push_back(a);
        o.timestamp = t;
    }

    try {
        std::unique_ptr<sg::Signer> signer;
        bool p11 = ctx.args.has("pkcs11-module") || ctx.args.has("key");
        bool soft = ctx.args.has("key-file") || ctx.args.has("cert");
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
                auto copy = std::make_shared<std::vector<char>>(pin.chars);
                token->set_pin_callback([copy](std::vector<char>& out) {
                    out = *copy;
                    sg::secure_wipe(*copy);
                    return !out.empty();
                });
            }
            signer = std::move(token);
        } else {
            std::vector<std::filesystem::path> chain;
            for (const auto& c : ctx.args.all("chain"))
                chain.emplace_back(c);
            signer = sg::SoftwareSigner::from_files(ctx.args.require("key-file"),
                                                    ctx.args.require("cert"), chain);
        }
        sg::SignResult r = sg::PadesSigner(*signer).sign_file(in, out, o);
        ctx.out << "signed: " << out << " (field \"" << r.field_name << "\", PAdES " << r.level
                << ", CMS " << r.cms_size << " of " << r.reserved << " bytes reserved"
                << (r.timestamp_time ? ", time-stamp " + *r.timestamp_time : "") << ")\n";
        return kExitOk;
    } catch (const sg::SigningError& e) {
        ctx.err << "onewindow-cli sign: " << e.what() << " [" << sg::to_string(e.code()) << "]\n";
        return exit_code(e.code());
    }
}

const Registration reg{
    {"sign",
     "sign IN.pdf OUT.pdf (--pkcs11-module PATH --key URI [--pin-stdin] | "
     "--key-file KEY.pem --cert CERT.pem [--chain CA.pem]) [--visible PAGE,X,Y,W,H | "
     "--field NAME] [--seal-image PNG] [--text LINE]... [--certify 1|2|3] "
     "[--tsa URL --tsa-trust CA.pem] [--reason TEXT] [--location TEXT]",
     {"pin-stdin"},
     run_sign}};

} // namespace
} // namespace ow::cli
