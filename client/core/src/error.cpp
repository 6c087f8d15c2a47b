#include "ow/core/error.h"

namespace ow::core {

const char* to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid-argument";
    case ErrorCode::NotFound:
        return "not-found";
    case ErrorCode::AlreadyExists:
        return "already-exists";
    case ErrorCode::WrongPassword:
        return "wrong-password";
    case ErrorCode::PermissionDenied:
        return "permission-denied";
    case ErrorCode::NotInitialised:
        return "not-initialised";
    case ErrorCode::CacheRefused:
        return "cache-refused";
    case ErrorCode::CacheCorrupt:
        return "cache-corrupt";
    case ErrorCode::Storage:
        return "storage";
    case ErrorCode::Crypto:
        return "crypto";
    case ErrorCode::Conflict:
        return "conflict";
    case ErrorCode::Network:
        return "network";
    }
    return "unknown";
}

CoreError::CoreError(ErrorCode code, const char* message_template, Arguments arguments)
    : std::runtime_error(format(message_template, arguments)), code_(code),
      template_(message_template), arguments_(std::move(arguments)) {}

std::string CoreError::format(const std::string& message_template, const Arguments& arguments) {
    std::string out;
    out.reserve(message_template.size() + 32);
    for (std::size_t i = 0; i < message_template.size(); ++i) {
        char c = message_template[i];
        if (c == '{') {
            auto close = message_template.find('}', i + 1);
            if (close != std::string::npos) {
                auto it = arguments.find(message_template.substr(i + 1, close - i - 1));
                if (it != arguments.end()) {
                    out += it->second;
                    i = close;
                    continue;
                }
            }
        }
        out += c;
    }
    return out;
}

} // namespace ow::core
