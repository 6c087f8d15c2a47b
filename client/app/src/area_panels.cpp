#include "area_panels.h"

#include "admin_dialogs.h"
#include "intake_wizard_panel.h"
#include "licenses_panel.h"
#include "officer_panel.h"
#include "ow/core/approval_service.h"
#include "ow/core/case_service.h"
#include "ow/core/doctor.h"
#include "ow/core/reference_data.h"
#include "ow/core/sync_engine.h"
#include "ow/core/user_service.h"
#include "ow/core/util.h"
#include "ow/forms/catalog.h"
#include "scan_panel.h"
#include "seal_dialogs.h"
#include "translate.h"
#include "widgets.h"

#include <atomic>
#include <optional>
#include <thread>
#include <wx/button.h>
#include <wx/choice.h>
#include <wx/filedlg.h>
#include <wx/gauge.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

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
    if (state == "completed")
        return _("concluded on the spot");
    if (state == "refused-at-intake")
        return _("not accepted (refusal notice)");
    return utf8(state);
}

// ---------------------------------------------------------------- Cases
// (The officer's approval queue is officer_panel.cpp.)

class CaseListPanel : public AreaPanel {
public:
    CaseListPanel(wxWindow* parent, ow::core::Session& session) : AreaPanel(parent, session) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(heading(this, _("Cases")), 0, wxBOTTOM, 12);
        list_ = report_list(this, "cases_list",
                            {_("Case number"), _("Applicant"), _("Items"), _("State"),
                             _("Received"), _("Promised by")});
        top->Add(list_, 1, wxEXPAND);
        empty_ = new wxStaticText(this, wxID_ANY, "");
        top->Add(empty_, 0, wxTOP, 8);
        if (session_.may(ow::core::Permission::Intake)) {
            auto* scan = new wxButton(this, wxID_ANY, _("&Scan materials…"));
            scan->SetName("cases_scan");
            scan->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { scan_materials(); });
            top->Add(scan, 0, wxTOP, 8);
        }
        SetSizer(top);
    }

    void refresh() override {
        auto rows = ow::core::CaseService(session_).list("");
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
        empty_->SetLabel(rows.empty() ? _("No cases on this workstation yet.") : wxString());
    }

private:
    void scan_materials() {
        long row = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (row < 0) {
            wxMessageBox(_("Select a case first."), _("Scan materials"), wxOK, this);
            return;
        }
        ow::core::CaseService cases(session_);
        auto c = cases.find(list_->GetItemText(row).utf8_string());
        if (!c)
            return;
        std::vector<ow::core::MaterialChoice> materials;
        for (const auto& m : cases.materials(c->id))
            if (m.status != "e-license" && m.status != "not-applicable")
                materials.push_back({m.key, m.name});
        ScanDialog dialog(this, session_, materials, c->applicant_kind, c->applicant_id,
                          c->applicant_name, c->case_number);
        dialog.ShowModal();
        refresh();
    }

    wxListCtrl* list_;
    wxStaticText* empty_;
};

// ---------------------------------------------------------------- Sync

class SyncPanel : public AreaPanel {
public:
    SyncPanel(wxWindow* parent, ow::core::Session& session) : AreaPanel(parent, session) {
        auto* top = new wxBoxSizer(wxVERTICAL);
        top->Add(heading(this, _("Sync")), 0, wxBOTTOM, 12);
        status_ = new wxStaticText(this, wxID_ANY, "");
        status_->SetName("sync_status");
        top->Add(status_, 0, wxBOTTOM, 4);
        pending_ = new wxStaticText(this, wxID_ANY, "");
        pending_->SetName("sync_pending");
        top->Add(pending_, 0, wxBOTTOM, 4);
        reference_ = new wxStaticText(this, wxID_ANY, "");
        reference_->SetName("sync_reference");
        top->Add(reference_, 0, wxBOTTOM, 8);

        auto* row = new wxBoxSizer(wxHORIZONTAL);
        sync_now_ = new wxButton(this, wxID_ANY, _("Sync now"));
        sync_now_->SetName("sync_now");
        row->Add(sync_now_, 0, wxRIGHT, 8);
        gauge_ = new wxGauge(this, wxID_ANY, 1000, wxDefaultPosition, wxSize(240, -1));
        gauge_->SetName("sync_gauge");
        row->Add(gauge_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
        progress_ = new wxStaticText(this, wxID_ANY, "");
        progress_->SetName("sync_progress");
        row->Add(progress_, 1, wxALIGN_CENTER_VERTICAL);
        top->Add(row, 0, wxEXPAND | wxBOTTOM, 8);
        result_ = new wxStaticText(this, wxID_ANY, "");
        result_->SetName("sync_result");
        top->Add(result_, 0, wxBOTTOM, 8);

        top->Add(new wxStaticText(this, wxID_ANY,
                                  _("Outbox: changes not yet applied by the server (pending, "
                                    "conflicts and dead letters)")),
                 0, wxBOTTOM, 4);
        outbox_ = report_list(
            this, "sync_outbox",
            {_("State"), _("Kind"), _("Operation"), _("Attempts"), _("Error"), _("Created")});
        top->Add(outbox_, 1, wxEXPAND | wxBOTTOM, 4);
        auto* actions = new wxBoxSizer(wxHORIZONTAL);
        retry_ = new wxButton(this, wxID_ANY, _("Retry"));
        retry_->SetName("sync_retry");
        actions->Add(retry_, 0, wxRIGHT, 8);
        top->Add(actions, 0, wxBOTTOM, 12);

        if (session_.may(ow::core::Permission::ChangeSettings)) {
            top->Add(new wxStaticText(this, wxID_ANY, _("Server and enrolment")), 0, wxBOTTOM, 4);
            auto* grid = new wxFlexGridSizer(2, 6, 8);
            grid->AddGrowableCol(1);
            grid->Add(new wxStaticText(this, wxID_ANY, _("Server address:")), 0,
                      wxALIGN_CENTER_VERTICAL);
            url_ = new wxTextCtrl(this, wxID_ANY, "");
            url_->SetName("sync_url");
            grid->Add(url_, 1, wxEXPAND);
            grid->Add(new wxStaticText(this, wxID_ANY, _("CA certificate (PEM):")), 0,
                      wxALIGN_CENTER_VERTICAL);
            // A text field and a Browse button rather than wxFilePickerCtrl: GTK's native file
            // button builds its dialog when the panel is made, parented to whatever window was
            // active then (the login dialog, gone by the time the frame closes).
            auto* ca_row = new wxBoxSizer(wxHORIZONTAL);
            ca_ = new wxTextCtrl(this, wxID_ANY, "");
            ca_->SetName("sync_ca");
            ca_row->Add(ca_, 1, wxEXPAND | wxRIGHT, 6);
            auto* browse = new wxButton(this, wxID_ANY, _("Browse…"));
            browse->SetName("sync_ca_browse");
            ca_row->Add(browse);
            grid->Add(ca_row, 1, wxEXPAND);
            browse->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
                wxFileDialog dialog(this, _("CA certificate"), "", "",
                                    "PEM (*.pem;*.crt)|*.pem;*.crt|*|*",
                                    wxFD_OPEN | wxFD_FILE_MUST_EXIST);
                if (dialog.ShowModal() == wxID_OK)
                    ca_->ChangeValue(dialog.GetPath());
            });
            grid->Add(new wxStaticText(this, wxID_ANY, _("One-time code:")), 0,
                      wxALIGN_CENTER_VERTICAL);
            code_ = new wxTextCtrl(this, wxID_ANY, "");
            code_->SetName("sync_code");
            grid->Add(code_, 1, wxEXPAND);
            top->Add(grid, 0, wxEXPAND | wxBOTTOM, 4);
            enroll_ = new wxButton(this, wxID_ANY, _("Save and enrol"));
            enroll_->SetName("sync_enroll");
            top->Add(enroll_, 0);
            enroll_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { enroll(); });
        }
        SetSizer(top);
        sync_now_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { start_sync(); });
        retry_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { retry_selected(); });
    }

    ~SyncPanel() override {
        if (worker_.joinable()) {
            cancel_ = true;
            worker_.join();
        }
    }

    void refresh() override {
        if (running_)
            return; // the worker owns the engine's connection; the list refreshes when it ends
        auto status = ow::core::read_sync_status(session_);
        if (!status.configured)
            status_->SetLabel(_("No server configured: an administrator sets it below."));
        else if (!status.enrolled)
            status_->SetLabel(
                wxString::Format(_("Server %s: not enrolled yet."), utf8(status.server_url)));
        else
            status_->SetLabel(wxString::Format(
                _("Server %s, workstation %s: %s. Last success: %s"), utf8(status.server_url),
                utf8(status.workstation_id), status.online ? _("online") : _("offline"),
                status.last_success_at.empty() ? _("never") : utf8(status.last_success_at)));
        pending_->SetLabel(wxString::Format(
            _("Changes waiting to be sent: %lld (conflicts: %lld, dead letters: %lld)"),
            static_cast<long long>(status.pending), static_cast<long long>(status.conflicts),
            static_cast<long long>(status.dead)));
        show_reference();
        if (url_ && url_->IsEmpty())
            url_->ChangeValue(utf8(status.server_url));
        sync_now_->Enable(status.enrolled);
        entries_ = ow::core::OutboxAdmin(session_).list();
        outbox_->DeleteAllItems();
        long i = 0;
        for (const auto& e : entries_) {
            outbox_->InsertItem(i, utf8(e.state));
            outbox_->SetItem(i, 1, utf8(e.entity_kind));
            outbox_->SetItem(i, 2, utf8(e.operation));
            outbox_->SetItem(i, 3, wxString::Format("%d", e.attempts));
            outbox_->SetItem(i, 4, utf8(e.last_error));
            outbox_->SetItem(i, 5, utf8(e.created_at));
            ++i;
        }
    }

private:
    // Which catalog and holiday calendar intake uses now: synced from the server or shipped.
    void show_reference() {
        wxString text;
        try {
            const auto& reference = session_.reference().current();
            if (reference.catalog)
                text = wxString::Format(
                    reference.catalog_synced
                        ? _("Service catalog: version %s, synced from the server.")
                        : _("Service catalog: version %s, shipped with the program (none synced "
                            "yet)."),
                    utf8(reference.catalog->version()));
            wxString calendars;
            for (const auto& name : reference.synced_calendars)
                calendars += (calendars.empty() ? "" : ", ") + utf8(name);
            text += "\n";
            text += calendars.empty()
                        ? _("Holiday calendar: built in (none synced yet).")
                        : wxString::Format(_("Holiday calendar: %s synced from the server."),
                                           calendars);
            for (const auto& problem : reference.problems)
                text += "\n" + wxString::Format(_("Not used: %s"), utf8(problem));
        } catch (const std::exception& e) {
            text = utf8(e.what());
        }
        reference_->SetLabel(text);
    }

    // The run happens on a worker thread with the engine's own cache connection; every widget
    // update goes back to the GUI thread through CallAfter.
    void start_sync() {
        if (running_)
            return;
        try {
            engine_ = std::make_unique<ow::core::SyncEngine>(session_,
                                                             ow::core::SyncOptions::configured());
        } catch (const ow::core::CoreError& e) {
            show_error(e);
            return;
        }
        if (worker_.joinable())
            worker_.join();
        running_ = true;
        cancel_ = false;
        sync_now_->Disable();
        result_->SetLabel("");
        worker_ = std::thread([this] {
            ow::core::SyncReport report;
            std::optional<ow::core::UiMessage> error;
            try {
                report = engine_->run(
                    [this](const ow::core::SyncProgress& p) {
                        CallAfter([this, p] { show_progress(p); });
                    },
                    &cancel_);
            } catch (const ow::core::CoreError& e) {
                error = ow::core::UiMessage::from(e);
            } catch (const std::exception& e) {
                error = ow::core::UiMessage{e.what(), {}};
            }
            CallAfter([this, report, error] { finished(report, error); });
        });
    }

    void show_progress(const ow::core::SyncProgress& p) {
        progress_->SetLabel(wxString::Format(
            _("%s: %lld of %lld items, %lld of %lld bytes"), tr(p.phase),
            static_cast<long long>(p.items_done), static_cast<long long>(p.items_total),
            static_cast<long long>(p.bytes_done), static_cast<long long>(p.bytes_total)));
        if (p.bytes_total > 0)
            gauge_->SetValue(static_cast<int>(1000 * p.bytes_done / p.bytes_total));
        else if (p.items_total > 0)
            gauge_->SetValue(static_cast<int>(1000 * p.items_done / p.items_total));
        else
            gauge_->Pulse();
    }

    void finished(const ow::core::SyncReport& report,
                  const std::optional<ow::core::UiMessage>& error) {
        if (worker_.joinable())
            worker_.join();
        running_ = false;
        engine_.reset();
        gauge_->SetValue(error ? 0 : 1000);
        if (error) {
            result_->SetLabel(tr(*error));
        } else {
            int received = 0;
            for (const auto& [kind, n] : report.received)
                received += n;
            wxString text = wxString::Format(
                _("Sent %d, applied %d, conflicts %d, dead letters %d; %d documents uploaded; "
                  "%d records received."),
                report.sent, report.applied, report.conflicts, report.dead_lettered,
                report.blobs_uploaded, received);
            if (report.retried > 0)
                text += "\n" + wxString::Format(_("%d change(s) were not delivered and will be "
                                                  "sent again later."),
                                                report.retried);
            if (report.stalled)
                text += "\n" + _("The run made no progress for a while; see the log.");
            result_->SetLabel(text);
            result_->SetForegroundColour(report.ok() ? GetForegroundColour()
                                                     : wxColour(0x9A, 0x5B, 0x00));
        }
        refresh();
    }

    void retry_selected() {
        long row = outbox_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (row < 0 || static_cast<std::size_t>(row) >= entries_.size())
            return;
        try {
            ow::core::OutboxAdmin(session_).retry(
                entries_[static_cast<std::size_t>(row)].mutation_id);
        } catch (const ow::core::CoreError& e) {
            show_error(e);
        }
        refresh();
    }

    void enroll() {
        try {
            std::string ca = ca_->GetValue().IsEmpty()
                                 ? std::string()
                                 : ow::core::read_file(ca_->GetValue().utf8_string());
            auto identity = ow::core::SyncEngine::identity(session_);
            if (ca.empty() && identity)
                ca = identity->ca_pem;
            ow::core::SyncEngine::configure(session_, url_->GetValue().utf8_string(), ca,
                                            identity ? identity->pin : "");
            if (!code_->IsEmpty()) {
                auto id = ow::core::SyncEngine::enroll(session_, code_->GetValue().utf8_string());
                code_->Clear();
                result_->SetLabel(wxString::Format(_("Enrolled as %s."), utf8(id)));
            }
        } catch (const ow::core::CoreError& e) {
            show_error(e);
        }
        refresh();
    }

    void show_error(const ow::core::CoreError& e) { result_->SetLabel(tr(e)); }

    wxStaticText *status_, *pending_, *progress_, *result_;
    wxStaticText* reference_ = nullptr;
    wxButton *sync_now_, *retry_, *enroll_ = nullptr;
    wxGauge* gauge_;
    wxListCtrl* outbox_;
    wxTextCtrl *url_ = nullptr, *code_ = nullptr;
    wxTextCtrl* ca_ = nullptr;
    std::vector<ow::core::OutboxEntry> entries_;
    std::unique_ptr<ow::core::SyncEngine> engine_;
    std::thread worker_;
    std::atomic<bool> cancel_{false};
    bool running_ = false;
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

        if (session_.may(ow::core::Permission::ManageUsers) ||
            session_.may(ow::core::Permission::VerifyAudit)) {
            top->Add(new wxStaticText(this, wxID_ANY, _("Administration")), 0, wxBOTTOM, 4);
            auto* admin_row = new wxBoxSizer(wxHORIZONTAL);
            if (session_.may(ow::core::Permission::ManageUsers))
                add_dialog_button<UsersDialog>(admin_row, _("&Users…"), "settings_users");
            if (session_.may(ow::core::Permission::VerifyAudit))
                add_dialog_button<AuditDialog>(admin_row, _("&Audit log…"), "settings_audit");
            top->Add(admin_row, 0, wxBOTTOM, 16);
        }

        top->Add(new wxStaticText(this, wxID_ANY, _("Workstation health")), 0, wxBOTTOM, 4);
        add_seal_settings(this, top, session_); // officers: the seal card's module and key
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
    // A button that opens the dialog `Dialog(this, session)` modally.
    template <typename Dialog>
    void add_dialog_button(wxSizer* row, const wxString& label, const char* name) {
        auto* button = new wxButton(this, wxID_ANY, label);
        button->SetName(name);
        button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
            Dialog dialog(this, session_);
            dialog.ShowModal();
        });
        row->Add(button, 0, wxRIGHT, 8);
    }

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
        std::string load_error;
        try {
            const auto& reference = session.reference().current();
            if (reference.catalog)
                return new IntakeWizardPanel(parent, session);
            load_error = reference.problems.empty() ? "" : reference.problems.back();
        } catch (const std::exception& e) {
            load_error = e.what();
        }
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
        return new CaseListPanel(parent, session);
    case AreaId::Approvals:
        return create_officer_panel(parent, session);
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
