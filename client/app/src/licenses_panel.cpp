#include "licenses_panel.h"

#include "intake_wizard_panel.h"
#include "ow/core/case_service.h"
#include "ow/core/restoration_service.h"
#include "ow/signing/pades_signer.h"
#include "translate.h"

#include <memory>
#include <thread>
#include <wx/app.h>
#include <wx/button.h>
#include <wx/choicdlg.h>
#include <wx/filedlg.h>
#include <wx/image.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>

namespace ow::app {
namespace {

using ow::core::CoreError;

enum class Delivery { Save, Print, Attach };

class LicensesPanel : public AreaPanel {
public:
    LicensesPanel(wxWindow* parent, ow::core::Session& session)
        : AreaPanel(parent, session), alive_(std::make_shared<bool>(true)) {
        try {
            service_ = std::make_shared<ow::core::RestorationService>(session_);
            presenter_ = std::make_unique<ow::core::LicensesPresenter>(*service_);
        } catch (const CoreError& e) {
            load_error_ = tr(e);
        }
        build();
    }
    ~LicensesPanel() override { *alive_ = false; }

private:
    void build() {
        auto* top = new wxBoxSizer(wxVERTICAL);
        auto* title = new wxStaticText(this, wxID_ANY, _("E-licenses"));
        wxFont font = title->GetFont();
        font.SetPointSize(font.GetPointSize() + 4);
        font.MakeBold();
        title->SetFont(font);
        top->Add(title, 0, wxBOTTOM, 12);

        auto* row = new wxBoxSizer(wxHORIZONTAL);
        query_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(420, -1),
                                wxTE_PROCESS_ENTER);
        query_->SetName("licenses_query");
        query_->SetHint(_("License identifier, holder's ID number or USCC, or holder name"));
        auto* find = new wxButton(this, wxID_ANY, _("&Search"));
        find->SetName("licenses_search");
        row->Add(query_, 0, wxRIGHT, 8);
        row->Add(find);
        top->Add(row, 0, wxBOTTOM, 6);
        message_ = new wxStaticText(this, wxID_ANY, load_error_);
        message_->SetName("licenses_message");
        message_->SetForegroundColour(wxColour(170, 20, 30));
        top->Add(message_, 0, wxBOTTOM, 6);

        auto* body = new wxBoxSizer(wxHORIZONTAL);
        list_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                               wxLC_REPORT | wxLC_SINGLE_SEL);
        list_->SetName("licenses_list");
        int col = 0;
        for (const wxString& c :
             {_("License"), _("Holder"), _("Identifier"), _("Issued"), _("Verification")})
            list_->InsertColumn(col++, c, wxLIST_FORMAT_LEFT, 105);
        list_->SetColumnWidth(2, 250);
        body->Add(list_, 1, wxEXPAND | wxRIGHT, 8);
        auto* side = new wxBoxSizer(wxVERTICAL);
        preview_ = new wxStaticBitmap(this, wxID_ANY, wxNullBitmap, wxDefaultPosition,
                                      wxSize(kPreviewWidth, kPreviewWidth * 3 / 4));
        preview_->SetName("licenses_preview");
        side->Add(preview_, 0, wxBOTTOM, 6);
        details_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(kPreviewWidth, 160),
                                  wxTE_MULTILINE | wxTE_READONLY);
        details_->SetName("licenses_details");
        side->Add(details_, 1, wxEXPAND);
        body->Add(side, 0, wxEXPAND);
        top->Add(body, 1, wxEXPAND | wxBOTTOM, 8);

        auto* reason_row = new wxBoxSizer(wxHORIZONTAL);
        reason_row->Add(new wxStaticText(this, wxID_ANY, _("Reason for use (用证事由):")), 0,
                        wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
        reason_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(480, -1));
        reason_->SetName("licenses_reason");
        reason_->SetHint(_("Required: what the restored copy will be used for"));
        reason_row->Add(reason_, 1, wxRIGHT, 6);
        counter_ = new wxStaticText(this, wxID_ANY, "0 / 200");
        counter_->SetName("licenses_reason_counter");
        reason_row->Add(counter_, 0, wxALIGN_CENTER_VERTICAL);
        top->Add(reason_row, 0, wxEXPAND | wxBOTTOM, 8);

        auto* buttons = new wxBoxSizer(wxHORIZONTAL);
        save_ = new wxButton(this, wxID_ANY, _("Restore and &save…"));
        save_->SetName("licenses_restore_save");
        print_ = new wxButton(this, wxID_ANY, _("Restore and &print"));
        print_->SetName("licenses_restore_print");
        attach_ = new wxButton(this, wxID_ANY, _("Restore and &attach to case…"));
        attach_->SetName("licenses_restore_attach");
        use_in_intake_ = new wxButton(this, wxID_ANY, _("Use in the current &intake"));
        use_in_intake_->SetName("licenses_use_in_intake");
        use_in_intake_->SetToolTip(
            _("免提交: this e-license stands in for the paper copy in the intake in progress"));
        for (auto* b : {save_, print_, attach_, use_in_intake_})
            buttons->Add(b, 0, wxRIGHT, 8);
        status_ = new wxStaticText(this, wxID_ANY, "");
        status_->SetName("licenses_status");
        buttons->Add(status_, 1, wxALIGN_CENTER_VERTICAL);
        top->Add(buttons, 0, wxEXPAND);
        SetSizer(top);

        find->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { search(); });
        query_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { search(); });
        list_->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent& e) { select(e.GetIndex()); });
        reason_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { reason_changed(); });
        save_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { restore(Delivery::Save); });
        print_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { restore(Delivery::Print); });
        attach_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { restore(Delivery::Attach); });
        use_in_intake_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { use_in_intake(); });
        update_buttons();
    }

    void search() {
        if (!presenter_)
            return;
        presenter_->search(query_->GetValue().utf8_string());
        message_->SetLabel(presenter_->error().empty() ? wxString() : tr(presenter_->error()));
        list_->DeleteAllItems();
        long i = 0;
        for (const auto& r : presenter_->rows()) {
            list_->InsertItem(i, utf8(r.type_name));
            list_->SetItem(i, 1, utf8(r.holder_name));
            list_->SetItem(i, 2, utf8(r.license_id));
            list_->SetItem(i, 3, utf8(r.issue_date));
            list_->SetItem(i, 4, tr(r.status));
            if (!r.trusted)
                list_->SetItemTextColour(i, wxColour(170, 20, 30));
            ++i;
        }
        details_->Clear();
        preview_->SetBitmap(wxNullBitmap);
        if (!presenter_->rows().empty())
            list_->SetItemState(0, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                                wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
        update_buttons();
    }

    void select(long index) {
        presenter_->select(static_cast<int>(index));
        wxString text;
        for (const auto& line : presenter_->details())
            text += utf8(line) + "\n";
        details_->SetValue(text);
        const auto* view = presenter_->selection();
        update_buttons();
        if (!view || !view->layout) {
            preview_->SetBitmap(wxNullBitmap);
            return;
        }
        // The preview is drawn on a worker thread; a newer selection wins.
        const int ticket = ++preview_ticket_;
        auto license = std::make_shared<ow::core::LicenseView>(*view);
        run_async(
            [service = service_, license] {
                return std::make_shared<ow::forms::LicenseBitmap>(service->preview(*license, 40));
            },
            [this, ticket](std::shared_ptr<ow::forms::LicenseBitmap> bmp) {
                if (ticket != preview_ticket_ || !bmp || bmp->width == 0)
                    return;
                wxImage image(bmp->width, bmp->height);
                std::copy(bmp->rgb.begin(), bmp->rgb.end(), image.GetData());
                const int w = kPreviewWidth;
                const int h = bmp->height * w / bmp->width;
                preview_->SetBitmap(wxBitmap(image.Scale(w, h, wxIMAGE_QUALITY_HIGH)));
                Layout();
            },
            [] {});
    }

    void reason_changed() {
        if (!presenter_)
            return;
        presenter_->set_reason(reason_->GetValue().utf8_string());
        counter_->SetLabel(utf8(presenter_->reason_counter()));
        Layout();
        counter_->SetForegroundColour(presenter_->reason_length() > ow::core::kMaxReasonCharacters
                                          ? wxColour(170, 20, 30)
                                          : GetForegroundColour());
        update_buttons();
    }

    void update_buttons() {
        const bool ok = presenter_ && presenter_->can_restore() && !busy_;
        for (auto* b : {save_, print_, attach_})
            b->Enable(ok);
        // Standing in for a paper copy needs a trusted record, not a reason (nothing is printed).
        const auto* view = presenter_ ? presenter_->selection() : nullptr;
        use_in_intake_->Enable(view && view->issuer.trusted && !busy_);
    }

    void use_in_intake() {
        const auto* view = presenter_ ? presenter_->selection() : nullptr;
        if (!view || !view->issuer.trusted)
            return;
        auto* intake = dynamic_cast<IntakeWizardPanel*>(wxWindow::FindWindowByName("area_intake"));
        const auto used =
            intake ? intake->use_e_license(view->record.license_id, view->record.holder_id,
                                           view->record.type_code, view->record.type_name)
                   : std::vector<std::string>{};
        if (used.empty()) {
            status_->SetLabel(_("No intake in progress for this holder has a material this "
                                "license can stand in for."));
            return;
        }
        wxString names;
        for (const auto& n : used)
            names += (names.empty() ? "" : "、") + utf8(n);
        status_->SetLabel(wxString::Format(_("Used in the current intake for: %s"), names));
    }

    // Runs `work` on a worker thread, then `done` with its result (or a message box with the
    // error) and `after` on the GUI thread, unless the panel is gone by then.
    template <typename Work, typename Done, typename After>
    void run_async(Work work, Done done, After after) {
        std::weak_ptr<bool> alive = alive_;
        std::thread([work = std::move(work), done = std::move(done), after = std::move(after),
                     alive]() mutable {
            ow::core::UiMessage error; // translated on the GUI thread
            decltype(work()) result{};
            try {
                result = work();
            } catch (const CoreError& e) {
                error = ow::core::UiMessage::from(e);
            } catch (const std::exception& e) {
                error = {e.what(), {}};
            }
            wxTheApp->CallAfter([alive, done = std::move(done), after = std::move(after),
                                 result = std::move(result), error]() mutable {
                auto token = alive.lock();
                if (!token || !*token)
                    return;
                if (!error.empty())
                    wxMessageBox(tr(error), _("Certificate restoration"), wxOK | wxICON_WARNING);
                else
                    done(std::move(result));
                after();
            });
        }).detach();
    }

    // The case and material a restored copy replaces: the applicant's latest case by default.
    bool choose_attachment(ow::core::RestorationRequest& request) {
        const auto* view = presenter_->selection();
        ow::core::CaseService cases(session_);
        wxString suggestion;
        for (const auto& c : cases.list("", 200))
            if (c.applicant_id == view->record.holder_id) {
                suggestion = utf8(c.case_number);
                break;
            }
        wxTextEntryDialog ask(this, _("Case number to attach the restored copy to:"),
                              _("Attach to case"), suggestion);
        if (ask.ShowModal() != wxID_OK)
            return false;
        request.case_number = ask.GetValue().Trim().Trim(false).utf8_string();
        auto found = cases.find(request.case_number);
        if (!found) {
            wxMessageBox(
                wxString::Format(_("No case %s on this workstation."), utf8(request.case_number)),
                _("Attach to case"), wxOK | wxICON_WARNING, this);
            return false;
        }
        auto materials = cases.materials(found->id);
        wxArrayString names;
        for (const auto& m : materials)
            names.Add(utf8(m.name + "  (" + m.status + ")"));
        if (names.empty())
            return false;
        wxSingleChoiceDialog pick(this, _("Which material does the restored copy replace?"),
                                  _("Attach to case"), names);
        if (pick.ShowModal() != wxID_OK)
            return false;
        request.material_key = materials[static_cast<std::size_t>(pick.GetSelection())].key;
        return true;
    }

    void restore(Delivery delivery) {
        const auto* view = presenter_->selection();
        if (!view || !presenter_->can_restore())
            return;
        ow::core::RestorationRequest request{view->record.license_id,
                                             reason_->GetValue().utf8_string(), "", ""};
        if (delivery == Delivery::Attach && !choose_attachment(request))
            return;
        wxString path;
        if (delivery == Delivery::Save) {
            wxFileDialog ask(this, _("Save the restored copy"), "",
                             utf8(view->record.type_name + "-还原件.pdf"), "PDF (*.pdf)|*.pdf",
                             wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
            if (ask.ShowModal() != wxID_OK)
                return;
            path = ask.GetPath();
        }
        std::shared_ptr<ow::signing::Signer> signer;
        std::shared_ptr<ow::core::PreparedRestoration> prepared;
        try {
            signer = service_->center_signer();
            prepared = std::make_shared<ow::core::PreparedRestoration>(
                service_->prepare(request, *signer));
        } catch (const CoreError& e) {
            wxMessageBox(tr(e), _("Certificate restoration"), wxOK | wxICON_WARNING, this);
            return;
        }
        busy_ = true;
        update_buttons();
        status_->SetLabel(_("Rendering and sealing…"));
        run_async(
            [service = service_, signer, prepared] {
                return std::make_shared<ow::core::RestorationResult>(
                    service->produce(*prepared, *signer));
            },
            [this, prepared, delivery, path](std::shared_ptr<ow::core::RestorationResult> r) {
                finish(*prepared, std::move(*r), delivery, path);
            },
            [this] {
                busy_ = false;
                update_buttons();
                if (status_->GetLabel() == _("Rendering and sealing…"))
                    status_->SetLabel("");
            });
    }

    void finish(const ow::core::PreparedRestoration& prepared, ow::core::RestorationResult produced,
                Delivery delivery, const wxString& path) {
        try {
            auto result = service_->commit(prepared, std::move(produced));
            wxString done;
            if (delivery == Delivery::Save) {
                ow::signing::write_file_atomically(path.utf8_string(), result.pdf);
                done = wxString::Format(_("Restored copy saved to %s."), path);
            } else if (delivery == Delivery::Print) {
                service_->print(result);
                done = _("The restored copy was sent to the printer.");
            } else {
                done = wxString::Format(_("Restored copy attached to case %s."),
                                        utf8(prepared.request.case_number));
            }
            status_->SetLabel(done);
        } catch (const CoreError& e) {
            status_->SetLabel("");
            wxMessageBox(tr(e), _("Certificate restoration"), wxOK | wxICON_WARNING, this);
        } catch (const std::exception& e) {
            status_->SetLabel("");
            wxMessageBox(utf8(e.what()), _("Certificate restoration"), wxOK | wxICON_WARNING, this);
        }
    }

    static constexpr int kPreviewWidth = 420;
    std::shared_ptr<bool> alive_;
    std::shared_ptr<ow::core::RestorationService> service_;
    std::unique_ptr<ow::core::LicensesPresenter> presenter_;
    wxString load_error_;
    wxTextCtrl* query_ = nullptr;
    wxStaticText* message_ = nullptr;
    wxListCtrl* list_ = nullptr;
    wxStaticBitmap* preview_ = nullptr;
    wxTextCtrl* details_ = nullptr;
    wxTextCtrl* reason_ = nullptr;
    wxStaticText* counter_ = nullptr;
    wxButton* save_ = nullptr;
    wxButton* print_ = nullptr;
    wxButton* attach_ = nullptr;
    wxButton* use_in_intake_ = nullptr;
    wxStaticText* status_ = nullptr;
    int preview_ticket_ = 0;
    bool busy_ = false;
};

} // namespace

wxWindow* create_licenses_panel(wxWindow* parent, ow::core::Session& session) {
    return new LicensesPanel(parent, session);
}

} // namespace ow::app
