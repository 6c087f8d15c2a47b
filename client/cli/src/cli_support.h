// Shared helpers of the CLI commands: secrets from the terminal or stdin, logging in, errors.
#pragma once

#include "command.h"
#include "ow/core/secret.h"
#include "ow/core/workstation.h"
#include "ow/signing/error.h"
#include "ow/signing/signer.h"

#include <memory>
#include <string>
#include <vector>

namespace ow::signing {
class Signer;
} // namespace ow::signing

namespace ow::cli {

// Reads one secret: from stdin (one line) when `from_stdin`, else from the terminal with echo
// off. Fails with a UsageError when neither is possible (no terminal and no --password-stdin).
ow::core::SecretString read_secret(Context& ctx, const std::string& prompt, bool from_stdin);

// Opens the workstation log and returns the data directory of this invocation.
std::filesystem::path open_data_dir(Context& ctx);

// Logs in as --user NAME with the password from the terminal or --password-stdin.
std::unique_ptr<ow::core::Session> login(Context& ctx);

// The officer's seal key: --key-file/--cert (software), else PKCS#11 from --pkcs11-module/--key
// or the officer's settings, logged in with the PIN (terminal or --pin-stdin). cmd_seal.cpp.
std::unique_ptr<ow::signing::Signer> open_seal_signer(Context& ctx, ow::core::Session& session);
// Seals the decision documents of `numbers` with one login; prints a line per case. cmd_seal.cpp.
int seal_cases(Context& ctx, ow::core::Session& session, const std::vector<std::string>& numbers);
// The key named on the command line: --pkcs11-module PATH --key URI [--pin-stdin] (the PIN from
// the terminal or stdin, wiped after login), or --key-file KEY.pem --cert CERT.pem [--chain
// CA.pem]. With `optional`, nullptr when none of these options is given.
std::unique_ptr<ow::signing::Signer> open_signer(Context& ctx, bool optional);
// Maps a signing error to the documented exit code.
int signing_exit_code(ow::signing::ErrorCode code);

// Maps a core error to the documented exit code.
int exit_code_for(const std::exception& e);

} // namespace ow::cli
