// Errors thrown by libow_forms. Like ow::core::CoreError, each carries a stable code, an English
// message template (also the gettext msgid, marked with N_) and named arguments; the template names
// the item, the field and what is wrong. what() returns the English text with the arguments
// substituted, so the CLI can print it as one line.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#ifndef N_
#define N_(text) text
#endif

namespace ow::forms {

enum class FormsErrorCode {
    InvalidArgument, // a caller passed something malformed (bad date, negative count …)
    DataFile,        // a shipped or synced data file (catalog, calendar, regions) cannot be read
    Catalog,         // a catalog document breaks the catalog format (docs/catalog-format.md)
    NotFound,        // an item, field, material or region code does not exist
    Expression,      // an expression cannot be parsed or evaluated
    Merge,           // items cannot be merged (e.g. one key with two incompatible field types)
    Render,          // a document could not be rendered (cairo / pango / qrencode failure)
};

const char* to_string(FormsErrorCode code);

class FormsError : public std::runtime_error {
public:
    using Arguments = std::map<std::string, std::string>;

    FormsError(FormsErrorCode code, const char* message_template, Arguments arguments = {});

    FormsErrorCode code() const noexcept { return code_; }
    const std::string& message_template() const noexcept { return template_; }
    const Arguments& arguments() const noexcept { return arguments_; }

    // Substitutes {name} placeholders; unknown placeholders are left as they are.
    static std::string format(const std::string& message_template, const Arguments& arguments);

private:
    FormsErrorCode code_;
    std::string template_;
    Arguments arguments_;
};

} // namespace ow::forms
