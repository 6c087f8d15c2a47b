// Errors thrown by libow_core. Each carries a stable code (for exit codes and logs), a message
// template in English that is also the gettext msgid (marked with N_ so xgettext extracts it), and
// named arguments. The GUI translates the template and substitutes the arguments; the CLI prints
// the English text. A message says what happened and what to do next, in the user's words.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#ifndef N_
#define N_(text) text
#endif

namespace ow::core {

enum class ErrorCode {
    InvalidArgument,  // a caller passed something malformed
    NotFound,         // user, case, person … does not exist
    AlreadyExists,    // unique name taken
    WrongPassword,    // offline login failed
    PermissionDenied, // the role may not do this
    NotInitialised,   // no workstation in the data dir
    CacheRefused,     // the cache failed a safety check (plaintext, wrong library, bad key file)
    CacheCorrupt,     // the database or key file is damaged
    Storage,          // an I/O error (disk full, permission on the file system)
    Crypto,           // an OpenSSL call failed
    Conflict,         // the change conflicts with the current state
    Network,          // the server is unreachable or refused the connection (TLS, certificates)
};

const char* to_string(ErrorCode code);

class CoreError : public std::runtime_error {
public:
    using Arguments = std::map<std::string, std::string>;

    CoreError(ErrorCode code, const char* message_template, Arguments arguments = {});

    ErrorCode code() const noexcept { return code_; }
    const std::string& message_template() const noexcept { return template_; }
    const Arguments& arguments() const noexcept { return arguments_; }

    // Substitutes {name} placeholders; used with a translated template by the GUI.
    static std::string format(const std::string& message_template, const Arguments& arguments);

private:
    ErrorCode code_;
    std::string template_;
    Arguments arguments_;
};

} // namespace ow::core
