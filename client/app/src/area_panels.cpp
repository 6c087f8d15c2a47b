#include "area_panels.h"

#include "intake_wizard_panel.h"
#include "licenses_panel.h"
#include "ow/core/approval_service.h"
#include "ow/core/case_service.h"
#include "ow/core/doctor.h"
#include "ow/core/reference_data.h"
#include "ow/core/user_service.h"
#include "ow/forms/catalog.h"
#include "translate.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>

namespace ow::app {
namespace {

using ow::core::AreaId;

wxStaticText* heading(wxWindow* parent, const wxString& text) {
    auto* label = new wxStaticText(parent, wxID_ANY, text);
    wxFont font = label->GetFont();
    font.SetPointSize(font.GetPointSize() + 4);
    font.MakeBold();
    label->SetFont(font);
    return label;
}

wxListCtrl* report_list(wxWindow* parent, const char* name,
                        std::initializer_list<wxString> columns) {
    auto* list = new wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                wxLC_REPORT | wxLC_SINGLE_SEL);
    list->SetName(name);
    int i = 0;
    for (const auto& c : columns)
        list->InsertColumn(i++, c, wxLIST_FORMAT_LEFT, 170);
    return list;
}

wxString state_label(const std::string& state) {
    if (state == "accepted")
        return _("accepted");
    if (state == "pending-materials")
        return _("waiting for materials");
    if (state == "approved")
        return _("approved");
    if (state == "returned")
        return _("returned for correction");
    if (state == "refused")
        return _("refused");
    return utf8(state);
}

// ---------------------------------------------------------------- Cases and the approval queue

class CaseListPanel : public AreaPanel {
public:
    CaseListPanel(wxWindow* parent, ow::core::Session& session, bool queue)
        : AreaPanel(parent, session), queue_(queue) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(heading(this, queue ? _("Approval queue") : _("Cases")), 0, wxBOTTOM, 12);
        list_ = report_list(this, queue ? "approvals_list" : "cases_list",
                            {_("Case number"), _("Applicant"), _("Items"), _("State"),
                             _("Received"), _("Promised by")});
        top->Add(list_, 1, wxEXPAND);
        empty_ = new wxStaticText(this, wxID_ANY, "");
        top->Add(empty_, 0, wxTOP, 8);
        if (queue) {
            // The decision bar: reasons are asked for where the law requires them.
            auto* bar = new wxBoxSizer(wxHORIZONTAL);
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
            top->Add(bar, 0, wxTOP, 8);
        }
        SetSizer(top);
    }

    void refresh() override {
        auto rows = queue_ ? ow::core::ApprovalService(session_).queue()
                           : ow::core::CaseService(session_).list("");
        list_->DeleteAllItems();
        long i = 0;
        for (const auto& c : rows) {
            list_->InsertItem(i, utf8(c.case_number));
            list_->SetItem(i, 1, utf8(c.applicant_name));
            list_->SetItem(i, 2, wxString::Format("%zu", c.items.size()));
            list_->SetItem(i, 3, state_label(c.state));
            list_->SetItem(i, 4, utf8(c.received_at.substr(0, 16)));
            list_->SetItem(i, 5, utf8(c.promised_date));
            ++i;
        }
        empty_->SetLabel(rows.empty() ? (queue_ ? _("No cases are waiting for a decision.")
                                                : _("No cases on this workstation yet."))
                                      : wxString());
    }

private:
    void decide(ow::core::Decision decision) {
        long row = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (row < 0) {
            wxMessageBox(_("Select a case in the queue first."), _("Decision"), wxOK, this);
            return;
        }
        std::string number = list_->GetItemText(row).utf8_string();
        std::vector<std::string> reasons;
        if (decision != ow::core::Decision::Approve) {
            wxTextEntryDialog ask(this, _("Reasons (the applicant receives them in writing):"),
                                  _("Decision"), "", wxOK | wxCANCEL | wxTE_MULTILINE);
            if (ask.ShowModal() != wxID_OK)
                return;
            reasons.push_back(ask.GetValue().utf8_string());
        }
        try {
            ow::core::ApprovalService(session_).decide(number, decision, reasons);
            refresh();
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Decision"), wxOK | wxICON_WARNING, this);
        }
    }

    bool queue_;
    wxListCtrl* list_;
    wxStaticText* empty_;
};

// ---------------------------------------------------------------- Sync

class SyncPanel : public AreaPanel {
public:
    SyncPanel(wxWindow* parent, ow::core::Session& session) : AreaPanel(parent, session) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(heading(this, _("Sync")), 0, wxBOTTOM, 12);
        pending_ = new wxStaticText(this, wxID_ANY, "");
        pending_->SetName("sync_pending");
        top->Add(pending_, 0, wxBOTTOM, 8);
        top->Add(new wxStaticText(this, wxID_ANY,
                                  _("Changes wait safely in the encrypted outbox until this "
                                    "workstation is enrolled with the service center's server.")),
                 0);
        SetSizer(top);
    }
    void refresh() override {
        pending_->SetLabel(wxString::Format(
            _("Changes waiting to be sent: %lld"),
            static_cast<long long>(ow::core::CaseService(session_).pending_outbox())));
    }

private:
    wxStaticText* pending_;
};

// ---------------------------------------------------------------- Settings

class SettingsPanel : public AreaPanel {
public:
    SettingsPanel(wxWindow* parent, ow::core::Session& session) : AreaPanel(parent, session) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(heading(this, _("Settings")), 0, wxBOTTOM, 12);

        auto* lang_row = new wxBoxSizer(wxHORIZONTAL);
        lang_row->Add(new wxStaticText(this, wxID_ANY, _("Language (after the next login):")), 0,
                      wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
        language_ = new wxChoice(this, wxID_ANY);
        language_->SetName("settings_language");
        std::string current = ow::core::UserSettings(session_).get("language").value_or("");
        int i = 0;
        for (const auto& [code, label] : ow::core::UiPreferences::languages()) {
            language_->Append(code.empty() ? tr(label)
                                           : utf8(code == "zh_CN" ? "中文（简体）" : "English"));
            if (code == current)
                language_->SetSelection(i);
            ++i;
        }
        if (language_->GetSelection() == wxNOT_FOUND)
            language_->SetSelection(0);
        lang_row->Add(language_);
        top->Add(lang_row, 0, wxBOTTOM, 16);

        top->Add(new wxStaticText(this, wxID_ANY, _("Change my password")), 0, wxBOTTOM, 4);
        auto* pw = new wxFlexGridSizer(2, wxSize(8, 6));
        old_ = add_password(pw, _("Current password:"), "settings_old_password");
        new1_ = add_password(pw, _("New password:"), "settings_new_password");
        new2_ = add_password(pw, _("New password again:"), "settings_new_password2");
        top->Add(pw, 0, wxBOTTOM, 6);
        auto* change = new wxButton(this, wxID_ANY, _("Change &password"));
        top->Add(change, 0, wxBOTTOM, 16);

        top->Add(new wxStaticText(this, wxID_ANY, _("Workstation health")), 0, wxBOTTOM, 4);
        health_ = report_list(this, "settings_health", {_("Check"), _("Status"), _("Detail")});
        health_->SetColumnWidth(2, 520);
        top->Add(health_, 1, wxEXPAND);
        SetSizer(top);

        language_->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) {
            auto index = static_cast<std::size_t>(language_->GetSelection());
            const auto& code = ow::core::UiPreferences::languages().at(index).first;
            ow::core::UserSettings(session_).set("language", code);
            ow::core::UiPreferences(session_.paths().dir).set_language(code);
        });
        change->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { change_password(); });
    }

    void refresh() override {
        health_->DeleteAllItems();
        long i = 0;
        // Versions first: what IT asks for on the phone. wxWidgets is the GUI's own.
        auto versions = ow::core::library_versions();
        versions.push_back({"wxWidgets", wxVERSION_NUM_DOT_STRING});
        for (const auto& v : versions) {
            health_->InsertItem(i, utf8(v.name));
            health_->SetItem(i, 1, _("version"));
            health_->SetItem(i, 2, utf8(v.version));
            ++i;
        }
        for (const auto& c : ow::core::run_health_checks(session_.paths().dir, &session_)) {
            health_->InsertItem(i, utf8(c.name));
            health_->SetItem(i, 1, utf8(ow::core::to_string(c.status)));
            health_->SetItem(i, 2, utf8(c.detail));
            ++i;
        }
    }

private:
    wxTextCtrl* add_password(wxFlexGridSizer* grid, const wxString& label, const char* name) {
        grid->Add(new wxStaticText(this, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
        auto* text =
            new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(240, -1), wxTE_PASSWORD);
        text->SetName(name);
        grid->Add(text);
        return text;
    }

    void change_password() {
        ow::core::SecretString old_pw(old_->GetValue().utf8_string());
        ow::core::SecretString new_pw(new1_->GetValue().utf8_string());
        bool same = new1_->GetValue() == new2_->GetValue();
        old_->ChangeValue("");
        new1_->ChangeValue("");
        new2_->ChangeValue("");
        if (!same) {
            wxMessageBox(_("The two new passwords differ."), _("Change password"),
                         wxOK | wxICON_WARNING, this);
            return;
        }
        try {
            ow::core::UserService(session_).change_password(old_pw, new_pw);
            wxMessageBox(_("Your password was changed."), _("Change password"),
                         wxOK | wxICON_INFORMATION, this);
        } catch (const ow::core::CoreError& e) {
            wxMessageBox(tr(e), _("Change password"), wxOK | wxICON_ERROR, this);
        }
    }

    wxChoice* language_;
    wxTextCtrl* old_;
    wxTextCtrl* new1_;
    wxTextCtrl* new2_;
    wxListCtrl* health_;
};

} // namespace

wxWindow* create_area_panel(wxWindow* parent, const ow::core::Area& area,
                            ow::core::Session& session) {
    switch (area.id) {
    case AreaId::Intake: {
        static std::unique_ptr<ow::forms::Catalog> catalog;
        static std::string load_error;
        if (!catalog && load_error.empty()) {
            try {
                catalog = std::make_unique<ow::forms::Catalog>(
                    ow::forms::Catalog::load_directory(ow::forms::default_catalog_dir()));
            } catch (const std::exception& e) {
                load_error = e.what();
            }
        }
        if (catalog)
            return new IntakeWizardPanel(parent, session, *catalog);
        auto* panel = new wxPanel(parent);
        auto* sizer = new wxBoxSizer(wxVERTICAL);
        auto* message = new wxStaticText(
            panel, wxID_ANY,
            _("The service-item catalog could not be loaded, so no intake is possible. Ask IT to "
              "reinstall OneWindow.") +
                "\n\n" + utf8(load_error));
        message->SetForegroundColour(wxColour(0xC0, 0x1C, 0x28));
        sizer->Add(message, 0, wxALL, 12);
        panel->SetSizer(sizer);
        return panel;
    }
    case AreaId::Cases:
        return new CaseListPanel(parent, session, false);
    case AreaId::Approvals:
        return new CaseListPanel(parent, session, true);
    case AreaId::Licenses:
        return create_licenses_panel(parent, session);
    case AreaId::Sync:
        return new SyncPanel(parent, session);
    case AreaId::Settings:
        return new SettingsPanel(parent, session);
    }
    return new wxPanel(parent);
}

} // namespace ow::app
