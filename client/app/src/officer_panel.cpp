#include "officer_panel.h"

#include "ow/core/approval_service.h"
#include "ow/core/officer_presenters.h"
#include "ow/forms/calendar.h"
#include "seal_dialogs.h"
#include "translate.h"

#include <wx/button.h>
#include <wx/dialog.h>
#include <wx/image.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/mstream.h>
#include <wx/notebook.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textdlg.h>

namespace ow::app {
namespace {

using ow::core::Urgency;

wxStaticText* bold(wxWindow* parent, const wxString& text, int grow = 2) {
    auto* label = new wxStaticText(parent, wxID_ANY, text);
    wxFont font = label->GetFont();
    font.SetPointSize(font.GetPointSize() + grow);
    font.MakeBold();
    label->SetFont(font);
    return label;
}

wxListCtrl* list(wxWindow* parent, const char* name, std::initializer_list<wxString> columns,
                 bool single) {
    auto* l = new wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                             wxLC_REPORT | (single ? wxLC_SINGLE_SEL : 0));
    l->SetName(name);
    int i = 0;
    for (const auto& c : columns) {
        l->InsertColumn(i, c, wxLIST_FORMAT_LEFT, i == 1 ? 200 : 150);
        ++i;
    }
    return l;
}

void colour_row(wxListCtrl* l, long row, Urgency urgency) {
    if (urgency == Urgency::Warning)
        l->SetItemBackgroundColour(row, wxColour(0xFF, 0xF3, 0xB0)); // yellow
    else if (urgency == Urgency::Overdue)
        l->SetItemBackgroundColour(row, wxColour(0xF8, 0xC6, 0xC6)); // red
}

std::vector<std::string> selected(wxListCtrl* l) {
    std::vector<std::string> out;
    for (long row = l->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED); row >= 0;
         row = l->GetNextItem(row, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED))
        out.push_back(l->GetItemText(row).utf8_string());
    return out;
}

// ------------------------------------------------------------------------------ case review

class CaseReviewDialog : public wxDialog {
public:
    CaseReviewDialog(wxWindow* parent, ow::core::Session& session, const std::string& number)
        : wxDialog(parent, wxID_ANY, wxString::Format(_("Case %s"), utf8(number)),
                   wxDefaultPosition, wxSize(900, 620), wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
          presenter_(session), number_(number) {
        SetName("case_review");
        review_ = presenter_.load(number);
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(
            bold(this, utf8(review_.summary.applicant_name + "  " + review_.summary.applicant_id)),
            0, wxALL, 12);
        auto* tabs = new wxNotebook(this, wxID_ANY);
        auto* form = list(tabs, "review_form", {_("Form field"), _("Entered value")}, true);
        form->SetColumnWidth(0, 260);
        form->SetColumnWidth(1, 560);
        long i = 0;
        for (const auto& f : review_.form) {
            form->InsertItem(i, utf8(f.key));
            form->SetItem(i++, 1, utf8(f.value));
        }
        tabs->AddPage(form, _("Form data"));

        auto* materials_page = new wxPanel(tabs);
        auto* ms = new wxBoxSizer(wxVERTICAL);
        materials_ =
            list(materials_page, "review_materials",
                 {_("Material"), _("Necessity"), _("Status"), _("Pages"), _("E-license")}, true);
        materials_->SetColumnWidth(0, 320);
        i = 0;
        for (const auto& m : review_.materials) {
            materials_->InsertItem(i, utf8(m.name));
            materials_->SetItem(i, 1, utf8(m.necessity));
            materials_->SetItem(i, 2, utf8(m.status));
            materials_->SetItem(i, 3, wxString::Format("%d", m.pages));
            materials_->SetItem(i++, 4, utf8(m.license_id));
        }
        ms->Add(materials_, 1, wxEXPAND);
        auto* show = new wxButton(materials_page, wxID_ANY, _("Show the scan"));
        show->SetName("review_show_scan");
        ms->Add(show, 0, wxTOP, 6);
        materials_page->SetSizer(ms);
        tabs->AddPage(materials_page, _("Materials"));

        auto* documents =
            list(tabs, "review_documents", {_("Document"), _("Created"), _("Sealed")}, true);
        i = 0;
        for (const auto& d : review_.documents) {
            documents->InsertItem(i, utf8(d.kind));
            documents->SetItem(i, 1, utf8(d.created_at.substr(0, 16)));
            documents->SetItem(i++, 2, d.sealed ? _("yes") : _("no"));
        }
        tabs->AddPage(documents, _("Documents"));
        top->Add(tabs, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
        top->Add(CreateStdDialogButtonSizer(wxCLOSE), 0, wxEXPAND | wxALL, 12);
        SetSizer(top);
        show->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { show_scan(); });
        Bind(
            wxEVT_BUTTON, [this](wxCommandEvent&) { EndModal(wxID_CLOSE); }, wxID_CLOSE);
    }

private:
    void show_scan() {
        long row = materials_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (row < 0 || static_cast<std::size_t>(row) >= review_.materials.size())
            return;
        const auto& m = review_.materials[static_cast<std::size_t>(row)];
        if (!m.has_scan) {
            wxMessageBox(_("This material has no scan to show."), _("Materials"), wxOK, this);
            return;
        }
        try {
            // Decrypted in memory only: nothing of the scan touches the disk.
            auto preview = presenter_.material(number_, m.key);
            wxMemoryInputStream stream(preview.bytes.data(), preview.bytes.size());
            wxImage image;
            if (preview.media_type.rfind("image/", 0) != 0 || !image.LoadFile(stream)) {
                wxMessageBox(wxString::Format(_("A %s scan cannot be shown here."),
                                              utf8(preview.media_type)),
                             _("Materials"), wxOK, this);
                return;
            }
            wxDialog view(this, wxID_ANY, utf8(m.name), wxDefaultPosition, wxSize(820, 900),
                          wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER);
            auto* scroll = new wxScrolledWindow(&view);
            auto* s = new wxBoxSizer(wxVERTICAL);
            s->Add(new wxStaticBitmap(scroll, wxID_ANY, wxBitmap(image)));
            scroll->SetSizer(s);
            scroll->SetScrollRate(10, 10);
            view.ShowModal();
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Materials"), wxOK | wxICON_WARNING, this);
        }
    }

    ow::core::CaseReviewPresenter presenter_;
    std::string number_;
    ow::core::CaseReview review_;
    wxListCtrl* materials_;
};

// ------------------------------------------------------------------------------ the area

class OfficerPanel : public AreaPanel {
public:
    OfficerPanel(wxWindow* parent, ow::core::Session& session) : AreaPanel(parent, session) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(bold(this, _("Approval queue"), 4), 0, wxBOTTOM, 8);
        queue_ = list(this, "approvals_list",
                      {_("Case number"), _("Applicant"), _("Items"), _("Received"),
                       _("Promised by"), _("Time left")},
                      true);
        top->Add(queue_, 3, wxEXPAND);
        queue_empty_ = new wxStaticText(this, wxID_ANY, "");
        top->Add(queue_empty_, 0, wxTOP, 4);

        auto* bar = new wxBoxSizer(wxHORIZONTAL);
        auto* review = new wxButton(this, wxID_ANY, _("Re&view case…"));
        review->SetName("review_case");
        bar->Add(review, 0, wxRIGHT, 16);
        struct Action {
            ow::core::Decision decision;
            wxString label;
            const char* name;
        };
        for (const auto& a :
             {Action{ow::core::Decision::Approve, _("&Approve"), "decide_approve"},
              Action{ow::core::Decision::Return, _("Return for &correction"), "decide_return"},
              Action{ow::core::Decision::Refuse, _("&Refuse"), "decide_refuse"}}) {
            auto* button = new wxButton(this, wxID_ANY, a.label);
            button->SetName(a.name);
            bar->Add(button, 0, wxRIGHT, 8);
            auto decision = a.decision;
            button->Bind(wxEVT_BUTTON, [this, decision](wxCommandEvent&) { decide(decision); });
        }
        top->Add(bar, 0, wxTOP | wxBOTTOM, 8);

        top->Add(bold(this, _("Decision documents waiting for the seal")), 0, wxTOP | wxBOTTOM, 8);
        seal_list_ = list(
            this, "seal_list",
            {_("Case number"), _("Applicant"), _("Decision"), _("Promised by"), _("Time left")},
            false);
        top->Add(seal_list_, 2, wxEXPAND);
        auto* seal_bar = new wxBoxSizer(wxHORIZONTAL);
        auto* seal = new wxButton(this, wxID_ANY, _("&Seal selected…"));
        seal->SetName("seal_selected");
        seal_bar->Add(seal, 0, wxRIGHT, 8);
        auto* verify = new wxButton(this, wxID_ANY, _("&Verify a PDF…"));
        verify->SetName("verify_pdf");
        seal_bar->Add(verify, 0, wxRIGHT, 8);
        top->Add(seal_bar, 0, wxTOP, 8);
        SetSizer(top);

        review->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { review_selected(); });
        queue_->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent&) { review_selected(); });
        seal->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { seal_selected(); });
        verify->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { show_verify_dialog(this, session_); });
    }

    void refresh() override {
        const auto calendar = session_.reference().current().calendar;
        ow::core::ApprovalQueuePresenter presenter(session_, *calendar);
        try {
            auto rows = presenter.rows();
            queue_->DeleteAllItems();
            long i = 0;
            for (const auto& r : rows) {
                queue_->InsertItem(i, utf8(r.summary.case_number));
                queue_->SetItem(i, 1, utf8(r.summary.applicant_name));
                queue_->SetItem(i, 2, wxString::Format("%zu", r.summary.items.size()));
                queue_->SetItem(i, 3, utf8(r.summary.received_at.substr(0, 16)));
                queue_->SetItem(i, 4, utf8(r.summary.promised_date));
                queue_->SetItem(i, 5, tr(r.time_left));
                colour_row(queue_, i, r.urgency);
                ++i;
            }
            queue_empty_->SetLabel(rows.empty() ? _("No cases are waiting for a decision.")
                                                : wxString());
            auto seal_rows = presenter.seal_rows();
            seal_list_->DeleteAllItems();
            i = 0;
            for (const auto& r : seal_rows) {
                seal_list_->InsertItem(i, utf8(r.summary.case_number));
                seal_list_->SetItem(i, 1, utf8(r.summary.applicant_name));
                seal_list_->SetItem(i, 2,
                                    r.summary.state == "approved" ? _("approved") : _("refused"));
                seal_list_->SetItem(i, 3, utf8(r.summary.promised_date));
                seal_list_->SetItem(i, 4, tr(r.time_left));
                colour_row(seal_list_, i, r.urgency);
                ++i;
            }
        } catch (const ow::core::CoreError& e) {
            queue_empty_->SetLabel(tr(e));
        }
    }

private:
    void review_selected() {
        auto numbers = selected(queue_);
        if (numbers.empty())
            numbers = selected(seal_list_);
        if (numbers.empty()) {
            wxMessageBox(_("Select a case in the queue first."), _("Review"), wxOK, this);
            return;
        }
        try {
            CaseReviewDialog dialog(this, session_, numbers.front());
            dialog.ShowModal();
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Review"), wxOK | wxICON_WARNING, this);
        }
    }

    void decide(ow::core::Decision decision) {
        auto numbers = selected(queue_);
        if (numbers.empty()) {
            wxMessageBox(_("Select a case in the queue first."), _("Decision"), wxOK, this);
            return;
        }
        std::vector<std::string> reasons;
        if (decision != ow::core::Decision::Approve) {
            wxTextEntryDialog ask(this, _("Reasons (the applicant receives them in writing):"),
                                  _("Decision"), "", wxOK | wxCANCEL | wxTE_MULTILINE);
            if (ask.ShowModal() != wxID_OK)
                return;
            reasons.push_back(ask.GetValue().utf8_string());
        }
        try {
            ow::core::ApprovalService(session_).decide(numbers.front(), decision, reasons);
            refresh();
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Decision"), wxOK | wxICON_WARNING, this);
        }
    }

    void seal_selected() {
        auto numbers = selected(seal_list_);
        if (numbers.empty()) {
            wxMessageBox(_("Select the decisions to seal first."), _("Seal"), wxOK, this);
            return;
        }
        std::shared_ptr<const ow::forms::Catalog> catalog; // without it, items are named by code
        try {
            catalog = session_.reference().current().catalog;
        } catch (const std::exception&) {
        }
        seal_with_progress(this, session_, catalog.get(), numbers);
        refresh();
    }

    wxListCtrl* queue_;
    wxStaticText* queue_empty_;
    wxListCtrl* seal_list_;
};

} // namespace

AreaPanel* create_officer_panel(wxWindow* parent, ow::core::Session& session) {
    return new OfficerPanel(parent, session);
}

} // namespace ow::app
