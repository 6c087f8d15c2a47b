// Translation helpers: core hands out English msgids (N_) and UiMessages; these turn them into
// the user's language.
#pragma once

#include "ow/core/presenters.h"

#include <string>
#include <wx/string.h>

namespace ow::app {

wxString tr(const std::string& msgid);
wxString tr(const ow::core::UiMessage& message);
wxString tr(const ow::core::CoreError& error);
wxString utf8(const std::string& text);
// "2026年11月28日" in Chinese, "2026-11-28" otherwise.
wxString format_date(const wxDateTime& date);

// Sets up wxTranslations for `language` ("" = the system's) with our catalog and wx's own.
void setup_language(const std::string& language);
std::string current_language();

} // namespace ow::app
