// onewindow-cli sign: seal a PDF with a key on a PKCS#11 token or a software key (PAdES B-B/B-T).
#include "cli_support.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pkcs11_signer.h"

#include <optional>
#include <sstream>
#include <thread>

namespace ow::cli {
namespace {

namespace sg = ow::signing;

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
        // The document is read and parsed on a second thread while the key is opened (OpenSSL's
        // set-up, or the card and its PIN).
        std::optional<sg::InputDocument> input;
        std::jthread reader([&] { input.emplace(sg::InputDocument::read(in)); });
        std::unique_ptr<sg::Signer> signer = open_signer(ctx, false);
        reader.join();
        sg::SignResult r = sg::PadesSigner(*signer).sign_file(std::move(*input), out, o);
        ctx.out << "signed: " << out << " (field \"" << r.field_name << "\", PAdES " << r.level
                << ", CMS " << r.cms_size << " of " << r.reserved << " bytes reserved"
                << (r.timestamp_time ? ", time-stamp " + *r.timestamp_time : "") << ")\n";
        return kExitOk;
    } catch (const sg::SigningError& e) {
        ctx.err << "onewindow-cli sign: " << e.what() << " [" << sg::to_string(e.code()) << "]\n";
        return signing_exit_code(e.code());
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
