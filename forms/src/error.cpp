#include "ow/forms/error.h"

namespace ow::forms {

const char* to_string(FormsErrorCode code) {
    switch (code) {
    case FormsErrorCode::InvalidArgument:
        return "invalid-argument";
    case FormsErrorCode::DataFile:
        return "data-file";
    case FormsErrorCode::Catalog:
        return "catalog";
    case FormsErrorCode::NotFound:
        return "not-found";
    case FormsErrorCode::Expression:
        return "expression";
    case FormsErrorCode::Merge:
        return "merge";
    case FormsErrorCode::Render:
        return "render";
    }
    return "unknown";
}

std::string FormsError::format(const std::string& message_template, const Arguments& arguments) {
    std::string out;
    out.reserve(message_template.size() + 32);
    std::size_t i = 0;
    while (i < message_template.size()) {
        const char c = message_template[i];
        if (c == '{') {
            const auto close = message_template.find('}', i + 1);
            if (close != std::string::npos) {
                const auto name = message_template.substr(i + 1, close - i - 1);
                const auto it = arguments.find(name);
                if (it != arguments.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += c;
        ++i;
    }
    return out;
}

FormsError::FormsError(FormsErrorCode code, const char* message_template, Arguments arguments)
    : std::runtime_error(format(message_template, arguments)), code_(code),
      template_(message_template), arguments_(std::move(arguments)) {}

} // namespace ow::forms
