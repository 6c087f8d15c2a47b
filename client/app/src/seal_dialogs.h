// The officer's sealing dialogs: the PIN dialog (masked; the typed PIN is moved into a wiping
// SecretString and the field cleared), the batch progress dialog (sealing runs on a worker
// thread; progress, cancel, a result per document), "verify a PDF" (open or drop a file, read the
// verifier's report), and the seal-key block of the Settings area.
#pragma once

#include "ow/core/officer_presenters.h"
#include "ow/core/sealing_service.h"
#include "ow/core/secret.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <wx/dialog.h>
#include <wx/string.h>

class wxStaticText;
class wxTextCtrl;

class wxWindow;
class wxSizer;

namespace ow::core {
class Session;
}
namespace ow::forms {
class Catalog;
}

namespace ow::app {

// Asks for the card PIN. `note` is shown above the field (e.g. the tries left after a wrong PIN).
// Returns nothing when cancelled.
std::optional<ow::core::SecretString> ask_pin(wxWindow* parent, const wxString& what,
                                              const wxString& note = {});

// Seals the decision documents of `case_numbers` with the officer's card: asks the PIN, logs in
// and seals on a worker thread with a progress dialog (cancel, results). A wrong PIN asks again
// and says the tries left. Returns how many were sealed.
int seal_with_progress(wxWindow* parent, ow::core::Session& session,
                       const ow::forms::Catalog* catalog,
                       const std::vector<std::string>& case_numbers);

// "Verify a PDF": open (button) or drop a file and read the verifier's report. Trusts the CAs in
// the officer's settings.
class VerifyPdfDialog : public wxDialog {
public:
    VerifyPdfDialog(wxWindow* parent, std::vector<std::filesystem::path> trust_anchors);
    // Checks the file and shows the report (what the Open button and a drop do).
    void check_file(const std::filesystem::path& path);
    const ow::core::PdfCheck& last() const { return last_; }

private:
    std::vector<std::filesystem::path> trust_anchors_;
    wxStaticText* verdict_;
    wxTextCtrl* report_;
    ow::core::PdfCheck last_;
};
void show_verify_dialog(wxWindow* parent, ow::core::Session& session);

// The seal key's module path and key URI (officers only), for the Settings area.
void add_seal_settings(wxWindow* parent, wxSizer* sizer, ow::core::Session& session);

} // namespace ow::app
