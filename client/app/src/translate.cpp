#include "translate.h"

#include <wx/datetime.h>
#include <wx/filename.h>
#include <wx/intl.h>
#include <wx/translation.h>
#include <wx/uilocale.h>

namespace ow::app {

namespace {
std::string active_language;
}

wxString utf8(const std::string& text) {
    return wxString::FromUTF8(text.c_str());
}

wxString tr(const std::string& msgid) {
    if (msgid.empty())
        return wxString();
    return wxGetTranslation(utf8(msgid));
}

wxString tr(const ow::core::UiMessage& message) {
    std::string translated = tr(message.message_template).utf8_string();
    return utf8(ow::core::CoreError::format(translated, message.arguments));
}

wxString tr(const ow::core::CoreError& error) {
    return tr(ow::core::UiMessage::from(error));
}

wxString format_date(const wxDateTime& date) {
    if (active_language.rfind("zh", 0) == 0)
        return wxString::Format(wxString::FromUTF8("%d年%d月%d日"), date.GetYear(),
                                static_cast<int>(date.GetMonth()) + 1, date.GetDay());
    return date.FormatISODate();
}

void setup_language(const std::string& language) {
    wxUILocale::UseDefault();
    auto* translations = new wxTranslations();
    if (!language.empty())
        translations->SetLanguage(utf8(language));
    wxFileTranslationsLoader::AddCatalogLookupPathPrefix(OW_LOCALE_DIR_INSTALLED);
    // Running from a build directory: the catalogs msgfmt just compiled.
    if (wxFileName::DirExists(OW_BUILD_LOCALE_DIR))
        wxFileTranslationsLoader::AddCatalogLookupPathPrefix(OW_BUILD_LOCALE_DIR);
    translations->AddStdCatalog();
    translations->AddCatalog("onewindow");
    wxTranslations::Set(translations);
    active_language = language;
    if (active_language.empty()) {
        wxString best = translations->GetBestTranslation("onewindow", wxLANGUAGE_ENGLISH_US);
        active_language = best.IsEmpty() ? "en" : best.utf8_string();
    }
}

std::string current_language() {
    return active_language;
}

} // namespace ow::app
