#include "intake_dialogs.h"

#include "ow/forms/regions.h"
#include "translate.h"

#include <array>
#include <sstream>
#include <wx/button.h>
#include <wx/dialog.h>
#include <wx/listbox.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace ow::app {
namespace {

using ow::forms::Region;
using ow::forms::RegionTable;

class RegionPickerDialog : public wxDialog {
public:
    RegionPickerDialog(wxWindow* parent, const std::string& current)
        : wxDialog(parent, wxID_ANY, _("Choose the region (GB/T 2260)"), wxDefaultPosition,
                   wxDefaultSize, wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER) {
        SetName("region_picker");
        auto* top = new wxBoxSizer(wxVERTICAL);
        search_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                                 wxTE_PROCESS_ENTER);
        search_->SetName("region_search");
        search_->SetHint(_("Search by name, e.g. 朝阳"));
        top->Add(search_, 0, wxEXPAND | wxALL, 10);
        auto* lists = new wxBoxSizer(wxHORIZONTAL);
        const std::array<wxString, 3> names = {"region_province", "region_prefecture",
                                               "region_county"};
        for (std::size_t level = 0; level < lists_.size(); ++level) {
            lists_[level] = new wxListBox(this, wxID_ANY, wxDefaultPosition, wxSize(180, 260));
            lists_[level]->SetName(names[level]);
            lists_[level]->Bind(wxEVT_LISTBOX, [this, level](wxCommandEvent&) { chosen(level); });
            lists_[level]->Bind(wxEVT_LISTBOX_DCLICK,
                                [this](wxCommandEvent&) { EndModal(wxID_OK); });
            lists->Add(lists_[level], 1, wxEXPAND | wxRIGHT, 6);
        }
        top->Add(lists, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);
        full_name_ = new wxStaticText(this, wxID_ANY, "");
        full_name_->SetName("region_full_name");
        top->Add(full_name_, 0, wxEXPAND | wxALL, 10);
        top->Add(CreateStdDialogButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 10);
        SetSizerAndFit(top);

        search_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { search(); });
        fill(0, "");
        for (const Region* r : RegionTable::builtin().path(current))
            select(r->code);
    }

    const std::string& code() const { return code_; }

private:
    void fill(std::size_t level, const std::string& parent) {
        for (std::size_t l = level; l < lists_.size(); ++l) {
            lists_[l]->Clear();
            codes_[l].clear();
        }
        if (level >= lists_.size())
            return;
        for (const Region* r : RegionTable::builtin().children(parent)) {
            lists_[level]->Append(utf8(r->name));
            codes_[level].push_back(r->code);
        }
    }

    void chosen(std::size_t level) {
        const int n = lists_[level]->GetSelection();
        if (n == wxNOT_FOUND)
            return;
        code_ = codes_[level][static_cast<std::size_t>(n)];
        full_name_->SetLabel(utf8(RegionTable::builtin().full_name(code_) + "  " + code_));
        fill(level + 1, code_);
    }

    // Selects `code` in whichever column lists it (after its parent was chosen).
    void select(const std::string& code) {
        for (std::size_t level = 0; level < lists_.size(); ++level)
            for (std::size_t i = 0; i < codes_[level].size(); ++i)
                if (codes_[level][i] == code) {
                    lists_[level]->SetSelection(static_cast<int>(i));
                    chosen(level);
                    return;
                }
    }

    void search() {
        const std::string text = search_->GetValue().utf8_string();
        if (text.empty())
            return;
        const auto hits = RegionTable::builtin().find_by_name(text);
        if (hits.empty())
            return;
        fill(0, "");
        for (const Region* r : RegionTable::builtin().path(hits.front()->code))
            select(r->code);
    }

    wxTextCtrl* search_ = nullptr;
    std::array<wxListBox*, 3> lists_{};
    std::array<std::vector<std::string>, 3> codes_;
    wxStaticText* full_name_ = nullptr;
    std::string code_;
};

} // namespace

std::optional<std::string> pick_region(wxWindow* parent, const std::string& current) {
    RegionPickerDialog dialog(parent, current);
    if (dialog.ShowModal() != wxID_OK || dialog.code().empty())
        return std::nullopt;
    return dialog.code();
}

std::optional<ow::core::RefusalGrounds> ask_refusal_grounds(wxWindow* parent) {
    wxDialog dialog(parent, wxID_ANY, _("Refuse the application (不予受理)"), wxDefaultPosition,
                    wxDefaultSize, wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER);
    dialog.SetName("refusal_dialog");
    auto* top = new wxBoxSizer(wxVERTICAL);
    top->Add(new wxStaticText(&dialog, wxID_ANY,
                              _("The applicant receives the refusal notice with these reasons and "
                                "their rights to administrative review and lawsuit.")),
             0, wxALL, 10);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    grid->AddGrowableRow(0);
    grid->Add(new wxStaticText(&dialog, wxID_ANY, _("&Reasons (one per line):")));
    auto* reasons =
        new wxTextCtrl(&dialog, wxID_ANY, "", wxDefaultPosition, wxSize(420, 90), wxTE_MULTILINE);
    reasons->SetName("refusal_reasons");
    grid->Add(reasons, 1, wxEXPAND);
    grid->Add(new wxStaticText(&dialog, wxID_ANY, _("Legal &basis:")), 0, wxALIGN_CENTER_VERTICAL);
    auto* basis = new wxTextCtrl(&dialog, wxID_ANY, "");
    basis->SetName("refusal_basis");
    basis->SetHint(utf8("《中华人民共和国行政许可法》第三十二条"));
    grid->Add(basis, 1, wxEXPAND);
    grid->Add(new wxStaticText(&dialog, wxID_ANY, _("&Competent organ:")), 0,
              wxALIGN_CENTER_VERTICAL);
    auto* organ = new wxTextCtrl(&dialog, wxID_ANY, "");
    organ->SetName("refusal_competent_organ");
    organ->SetHint(_("only when the matter belongs to another organ"));
    grid->Add(organ, 1, wxEXPAND);
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);
    auto* error = new wxStaticText(&dialog, wxID_ANY, "");
    error->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
    top->Add(error, 0, wxEXPAND | wxALL, 10);
    auto* buttons = dialog.CreateStdDialogButtonSizer(wxOK | wxCANCEL);
    top->Add(buttons, 0, wxEXPAND | wxALL, 10);
    dialog.SetSizerAndFit(top);

    ow::core::RefusalGrounds grounds;
    dialog.Bind(
        wxEVT_BUTTON,
        [&](wxCommandEvent& event) {
            grounds.reasons.clear();
            std::istringstream lines(reasons->GetValue().utf8_string());
            for (std::string line; std::getline(lines, line);)
                if (line.find_first_not_of(" \t\r") != std::string::npos)
                    grounds.reasons.push_back(line);
            if (grounds.reasons.empty()) {
                error->SetLabel(_("Give at least one reason."));
                reasons->SetFocus();
                return;
            }
            event.Skip();
        },
        wxID_OK);
    reasons->SetFocus();
    if (dialog.ShowModal() != wxID_OK)
        return std::nullopt;
    grounds.basis = basis->GetValue().utf8_string();
    grounds.competent_organ = organ->GetValue().utf8_string();
    return grounds;
}

} // namespace ow::app
