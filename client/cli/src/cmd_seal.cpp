// onewindow-cli seal CASE_NUMBER… --user OFFICER [--password-stdin]
//     (--pkcs11-module PATH --key URI [--pin-stdin] | --key-file KEY.pem --cert CERT.pem)
//     [--cases-from FILE] [--out DIR]
// Seals the decision documents (准予/不予行政许可决定书) of decided cases with one PIN. Without
// --pkcs11-module / --key the officer's settings are used (OpenSC's module by default).
// `onewindow-cli seal --pending --user OFFICER` lists the cases waiting for the seal.
#include "cli_support.h"
#include "ow/core/sealing_service.h"
#include "ow/core/util.h"
#include "ow/forms/catalog.h"
#include "ow/signing/pkcs11_signer.h"
#include "ow/signing/signer.h"

#include <fstream>
#include <ostream>

namespace ow::cli {
namespace {

std::vector<std::string> case_list(Context& ctx, std::size_t first) {
    std::vector<std::string> numbers;
    for (std::size_t i = first; i < ctx.args.positional().size(); ++i)
        numbers.push_back(ctx.args.positional()[i]);
    if (auto file = ctx.args.get("cases-from")) {
        std::ifstream in(*file);
        if (!in)
            throw UsageError("cannot read " + *file);
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            if (!line.empty() && line[0] != '#')
                numbers.push_back(line);
        }
    }
    return numbers;
}

int device_or_failed(const ow::core::CoreError& e) {
    // A token problem is a device problem for scripts; a wrong PIN is an authentication one.
    if (e.code() == ow::core::ErrorCode::WrongPassword)
        return kExitAuth;
    if (e.code() == ow::core::ErrorCode::PermissionDenied)
        return kExitPermission;
    return kExitDevice;
}

} // namespace

std::unique_ptr<ow::signing::Signer> open_seal_signer(Context& ctx, ow::core::Session& session) {
    if (ctx.args.has("key-file") || ctx.args.has("cert")) {
        return ow::signing::SoftwareSigner::from_files(ctx.args.require("key-file"),
                                                       ctx.args.require("cert"));
    }
    auto settings = ow::core::SealKeySettings::load(session);
    if (auto m = ctx.args.get("pkcs11-module"))
        settings.module_path = *m;
    if (auto k = ctx.args.get("key"))
        settings.key_uri = *k;
    auto pin = read_secret(ctx, "card PIN", ctx.args.has("pin-stdin"));
    return ow::core::open_seal_token(settings, pin);
}

int seal_cases(Context& ctx, ow::core::Session& session, const std::vector<std::string>& numbers) {
    std::unique_ptr<ow::signing::Signer> signer;
    try {
        signer = open_seal_signer(ctx, session);
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        auto error = ow::core::seal_error(e);
        ctx.err << "onewindow-cli seal: " << error.what() << "\n";
        return device_or_failed(error);
    }
    std::shared_ptr<const ow::forms::Catalog> catalog;
    try {
        catalog = session.reference().current().catalog;
    } catch (const std::exception&) {
        // Without the catalog the document names the items by code.
    }
    ow::core::SealingService service(session, catalog.get());
    auto outcomes = service.seal_batch(
        numbers, *signer, [&](std::size_t i, std::size_t total, const std::string& number) {
            if (!number.empty())
                ctx.err << "[" << i + 1 << "/" << total << "] " << number << "\n";
            return true;
        });
    int exit = kExitOk;
    auto out_dir = ctx.args.get("out");
    for (const auto& o : outcomes) {
        if (o.sealed) {
            ctx.out << o.case_number << ": sealed " << o.document.kind << " ("
                    << o.document.blob.size << " bytes)\n";
            if (out_dir) {
                // The seal is stored already; a copy that cannot be written is reported for this
                // case and the rest of the list still follows.
                const auto file = std::filesystem::path(*out_dir) / (o.case_number + ".pdf");
                try {
                    const auto bytes = service.sealed_document(o.case_number);
                    ow::core::write_file_atomically(
                        file, std::string_view(reinterpret_cast<const char*>(bytes.data()),
                                               bytes.size()));
                } catch (const ow::core::CoreError& e) {
                    ctx.out << o.case_number << ": sealed and stored, but the copy "
                            << file.string() << " could not be written: " << e.what() << "\n";
                    exit = kExitUsage;
                }
            }
        } else if (o.cancelled) {
            ctx.out << o.case_number << ": not sealed (the batch stopped)\n";
            exit = exit == kExitOk ? kExitFailed : exit;
        } else {
            ctx.out << o.case_number << ": FAILED " << (o.error ? o.error->what() : "") << "\n";
            if (o.error && o.error->code() != ow::core::ErrorCode::Conflict &&
                o.error->code() != ow::core::ErrorCode::NotFound)
                exit = device_or_failed(*o.error);
            else if (exit == kExitOk)
                exit = kExitFailed;
        }
    }
    return exit;
}

namespace {

int run(Context& ctx) {
    ctx.args.allow_only({"user", "password-stdin", "pkcs11-module", "key", "pin-stdin", "key-file",
                         "cert", "cases-from", "out", "pending"});
    if (ctx.args.has("pending")) {
        auto session = login(ctx);
        for (const auto& c : ow::core::SealingService(*session).awaiting_seal())
            ctx.out << c.case_number << "  " << c.state << "\n";
        return kExitOk;
    }
    auto numbers = case_list(ctx, 0);
    if (numbers.empty())
        throw UsageError("name at least one case number (or --cases-from FILE)");
    auto session = login(ctx);
    return seal_cases(ctx, *session, numbers);
}

const Registration reg{
    {"seal",
     "seal CASE_NUMBER… [--cases-from FILE] --user OFFICER [--password-stdin] "
     "[--pkcs11-module PATH] [--key URI] [--pin-stdin] | --key-file KEY.pem --cert CERT.pem "
     "[--out DIR] | seal --pending --user OFFICER",
     {"password-stdin", "pin-stdin", "pending"},
     &run}};

} // namespace
} // namespace ow::cli
