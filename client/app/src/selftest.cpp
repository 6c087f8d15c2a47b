#include "selftest.h"

#include "admin_dialogs.h"
#include "app.h"
#include "intake_wizard_panel.h"
#include "main_frame.h"
#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/reference_data.h"
#include "ow/core/sealing_service.h"
#include "ow/core/util.h"
#include "ow/forms/catalog.h"
#include "scan_panel.h"
#include "seal_dialogs.h"
#include "translate.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <wx/button.h>
#include <wx/checklst.h>
#include <wx/choice.h>
#include <wx/dcclient.h>
#include <wx/dcmemory.h>
#include <wx/listbox.h>
#include <wx/listctrl.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/timer.h>
#include <wx/uiaction.h>
#include <wx/utils.h>

namespace ow::app {
namespace {

class Driver {
public:
    explicit Driver(std::filesystem::path out) : out_(std::move(out)) {
        std::filesystem::create_directories(out_);
    }

    void pump(int ms = 300) {
        for (int waited = 0; waited < ms; waited += 10) {
            wxYield();
            wxMilliSleep(10);
        }
    }

    template <typename T = wxWindow> T* find(const char* name, int wait_ms = 4000) {
        for (int waited = 0; waited <= wait_ms; waited += 50) {
            if (auto* w = dynamic_cast<T*>(wxWindow::FindWindowByName(name)))
                return w;
            pump(50);
        }
        return nullptr;
    }

    bool gone(const char* name, int wait_ms = 3000) {
        for (int waited = 0; waited <= wait_ms; waited += 50) {
            if (!wxWindow::FindWindowByName(name))
                return true;
            pump(50);
        }
        return false;
    }

    void check(bool ok, const std::string& what) {
        std::cout << (ok ? "PASS " : "FAIL ") << what << std::endl;
        if (!ok)
            ++failures_;
    }

    void click(wxWindow* w) {
        wxRect r = w->GetScreenRect();
        sim_.MouseMove(r.GetX() + r.GetWidth() / 2, r.GetY() + r.GetHeight() / 2);
        pump(100);
        sim_.MouseClick();
        pump(200);
    }

    void type_into(wxTextCtrl* field, const char* text) {
        click(field);
        field->SetFocus();
        field->SelectAll();
        pump(100);
        sim_.Text(text);
        pump(300);
    }

    void press_key(int key) {
        sim_.Char(key);
        pump(400);
    }

    void press_enter() {
        sim_.Char(WXK_RETURN);
        pump(300);
    }

    void screenshot(wxWindow* top, const std::string& name) {
        top->Raise();
        top->Refresh();
        top->Update();
        pump(500);
        wxSize size = top->GetSize();
        wxWindowDC window(top);
        wxBitmap bitmap(size.GetWidth(), size.GetHeight(), 24);
        wxMemoryDC mem(bitmap);
        mem.Blit(0, 0, size.GetWidth(), size.GetHeight(), &window, 0, 0);
        mem.SelectObject(wxNullBitmap);
        auto path = out_ / (name + ".png");
        bool saved = bitmap.SaveFile(path.string(), wxBITMAP_TYPE_PNG);
        check(saved, "screenshot " + path.filename().string());
    }

    bool login(const char* user, const char* password) {
        auto* user_field = find<wxTextCtrl>("login_user");
        auto* password_field = find<wxTextCtrl>("login_password");
        check(user_field && password_field, "login dialog is shown");
        if (!user_field || !password_field)
            return false;
        type_into(user_field, user);
        check(user_field->GetValue() == user, std::string("typed the user name ") + user);
        type_into(password_field, password);
        check(password_field->GetValue().length() == std::strlen(password), "typed the password");
        press_enter();
        return true;
    }

    int failures() const { return failures_; }

private:
    std::filesystem::path out_;
    wxUIActionSimulator sim_;
    int failures_ = 0;
};

void expect_areas(Driver& d, const std::vector<std::string>& visible,
                  const std::vector<std::string>& hidden, const std::string& who) {
    for (const auto& key : visible)
        d.check(wxWindow::FindWindowByName("nav_" + key) != nullptr,
                who + " sees the " + key + " area");
    for (const auto& key : hidden)
        d.check(wxWindow::FindWindowByName("nav_" + key) == nullptr,
                who + " does not see the " + key + " area");
}

void log_out(Driver& d) {
    if (auto* frame = d.find<wxFrame>("main_frame")) {
        wxCommandEvent logout(wxEVT_MENU, wxID_CLOSE);
        frame->GetEventHandler()->ProcessEvent(logout);
    }
    d.check(d.gone("main_frame"), "logging out closes the main window");
}

std::string client_string(wxItemContainer* c, unsigned i) {
    auto* data = dynamic_cast<wxStringClientData*>(c->GetClientObject(i));
    return data ? data->GetData().utf8_string() : "";
}

bool is_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (c > 127)
            return false;
    return true;
}

// Fills one form field the way a clerk would: typing ASCII with the simulator, Chinese through
// the control (XTest has no keysyms for an input method), picking choices.
void fill_field(Driver& d, const std::string& key, const nlohmann::json& value) {
    wxWindow* w = wxWindow::FindWindowByName("field_" + key);
    if (!w) {
        d.check(false, "the form has field " + key);
        return;
    }
    if (auto* choice = dynamic_cast<wxChoice*>(w)) {
        for (unsigned i = 0; i < choice->GetCount(); ++i)
            if (client_string(choice, i) == value.get<std::string>()) {
                choice->SetSelection(static_cast<int>(i));
                wxCommandEvent e(wxEVT_CHOICE, choice->GetId());
                e.SetEventObject(choice);
                choice->GetEventHandler()->ProcessEvent(e);
            }
    } else if (auto* list = dynamic_cast<wxCheckListBox*>(w)) {
        for (unsigned i = 0; i < list->GetCount(); ++i)
            for (const auto& v : value)
                if (client_string(list, i) == v.get<std::string>())
                    list->Check(i);
    } else if (auto* text = dynamic_cast<wxTextCtrl*>(w)) {
        if (value.is_object()) {
            text->ChangeValue(utf8(value.value("region", "")));
            if (auto* detail = dynamic_cast<wxTextCtrl*>(
                    wxWindow::FindWindowByName("field_" + key + "_detail")))
                detail->ChangeValue(utf8(value.value("detail", "")));
            return;
        }
        std::string s = value.is_string() ? value.get<std::string>() : value.dump();
        if (is_ascii(s) && text->IsShownOnScreen())
            d.type_into(text, s.c_str());
        else
            text->ChangeValue(utf8(s));
    }
}

void click_named(Driver& d, const char* name) {
    if (auto* b = d.find<wxButton>(name))
        d.click(b);
    else
        d.check(false, std::string("found button ") + name);
}

void run_intake(Driver& d, wxFrame& frame, const std::filesystem::path& out_dir,
                const std::string& lang) {
    auto* field = d.find<wxTextCtrl>("intake_applicant_id");
    d.check(field != nullptr, "intake wizard shows the applicant step");
    if (!field)
        return;
    auto person = ow::core::DemoDataGenerator().person(0);
    d.type_into(field, person.id_number.c_str());
    d.press_enter();
    auto* name = d.find<wxTextCtrl>("intake_applicant_name");
    d.check(name && name->GetValue() == utf8(person.name), "lookup fills the applicant's name");
    click_named(d, "intake_next");

    auto* search = d.find<wxTextCtrl>("intake_item_search");
    d.check(search && search->IsShownOnScreen(), "the items step opens");
    if (!search)
        return;
    d.type_into(search, "kbcy"); // pinyin initials of 开办餐饮店一件事
    click_named(d, "intake_item_add");
    auto* chosen = d.find<wxListBox>("intake_items_chosen");
    d.check(chosen && chosen->GetCount() == 3, "the restaurant bundle adds its 3 items");
    click_named(d, "intake_next");

    d.check(d.find("field_business.name") != nullptr, "the merged form opens");
    d.check(wxWindow::FindWindowByName("badge_applicant.name") != nullptr,
            "prefilled fields carry a badge");
    // Next with empty required fields: inline errors, no step change.
    click_named(d, "intake_next");
    auto* error = d.find<wxStaticText>("error_business.name");
    d.check(error && !error->GetLabel().IsEmpty() && error->IsShown(),
            "a missing required field shows its error inline");
    d.screenshot(&frame, "intake-form-errors-" + lang);

    const char* data_file = std::getenv("OW_SELFTEST_INTAKE");
    if (!data_file) {
        d.check(false, "OW_SELFTEST_INTAKE names the intake data");
        return;
    }
    auto data = nlohmann::json::parse(ow::core::read_file(data_file));
    for (auto it = data["values"].begin(); it != data["values"].end(); ++it)
        if (it.key().rfind("applicant.", 0) != 0) // the applicant part was prefilled
            fill_field(d, it.key(), *it);
    d.pump(200);
    d.screenshot(&frame, "intake-form-" + lang);
    click_named(d, "intake_next");
    d.check(d.find("intake_all_received") != nullptr, "the materials step opens");
    click_named(d, "intake_all_received");
    if (auto* m = d.find<wxChoice>("material_mat.food_safety_rules")) {
        m->SetSelection(2); // follows later (容缺后补)
        wxCommandEvent e(wxEVT_CHOICE, m->GetId());
        e.SetEventObject(m);
        m->GetEventHandler()->ProcessEvent(e);
    }
    click_named(d, "intake_next");
    auto* review = d.find<wxStaticText>("intake_review");
    d.check(review && review->IsShownOnScreen(), "the confirmation step opens");
    d.screenshot(&frame, "intake-confirm-" + lang);
    d.press_key(WXK_F9);
    auto* result = d.find<wxStaticText>("intake_result");
    d.pump(500);
    d.check(result && result->IsShownOnScreen() && !result->GetLabel().IsEmpty(),
            "F9 submits and shows the case number");
    auto* panel = dynamic_cast<IntakeWizardPanel*>(wxWindow::FindWindowByName("area_intake"));
    const ow::core::IntakeOutcome* outcome = panel ? panel->outcome() : nullptr;
    d.check(outcome != nullptr, "the intake produced an outcome");
    if (!outcome)
        return;
    auto& session = static_cast<MainFrame&>(frame).session();
    auto stored = ow::core::CaseService(session).find(outcome->stored.case_number);
    d.check(stored && stored->state == "accepted" && stored->items.size() == 3,
            "the case is stored, accepted, with 3 items");
    d.check(ow::core::BlobStore(session).get(outcome->document.id).size() ==
                outcome->document_pdf.size(),
            "the receipt is stored encrypted with the case");
    auto pdf = out_dir / ("receipt-" + lang + ".pdf");
    ow::core::write_file_atomically(pdf, outcome->document_pdf);
    std::ofstream(out_dir / ("receipt-" + lang + ".case")) << outcome->stored.case_number << "\n";
    auto* preview = d.find<wxStaticBitmap>("intake_preview_image");
    d.check(preview && preview->IsShownOnScreen() && preview->GetBitmap().GetWidth() > 500,
            "the receipt opens in an on-screen preview");
    d.screenshot(&frame, "intake-done-" + lang);
}

// Runs `step` every 100 ms from inside whatever modal loop is running, until it returns true
// or `limit_ms` passes; then stops. Each step must not block (modal dialogs nest their loops).
class Steps : public wxTimer {
public:
    using Step = std::function<bool()>;
    Steps(Step step, int limit_ms) : step_(std::move(step)), left_(limit_ms / 100) { Start(100); }
    void Notify() override {
        if (done_)
            return;
        if (step_() || --left_ <= 0) {
            done_ = true;
            timed_out_ = left_ <= 0;
            Stop();
        }
    }
    bool timed_out() const { return timed_out_; }

private:
    Step step_;
    int left_;
    bool done_ = false;
    bool timed_out_ = false;
};

void press_button(wxButton* button) {
    wxCommandEvent click(wxEVT_BUTTON, button->GetId());
    click.SetEventObject(button);
    button->GetEventHandler()->ProcessEvent(click);
}

// The officer seals the decision just taken with a SoftHSM2 key (run_selftest.sh makes the token
// and passes it in OW_SELFTEST_PKCS11_MODULE / _SEAL_KEY / _PIN / _TRUST), through the real
// dialogs: PIN (masked), progress with the per-document result, then "verify a PDF".
void run_sealing(Driver& d, wxFrame& frame, const std::string& number,
                 const std::filesystem::path& out_dir, const std::string& lang) {
    const char* module = std::getenv("OW_SELFTEST_PKCS11_MODULE");
    const char* key = std::getenv("OW_SELFTEST_SEAL_KEY");
    const char* pin = std::getenv("OW_SELFTEST_PIN");
    const char* trust = std::getenv("OW_SELFTEST_TRUST");
    if (!module || !key || !pin || !trust) {
        std::cout << "SKIP sealing: no SoftHSM2 token from run_selftest.sh" << std::endl;
        return;
    }
    auto& session = static_cast<MainFrame&>(frame).session();
    ow::core::SealKeySettings settings;
    settings.module_path = module;
    settings.key_uri = key;
    settings.trust_anchors = trust;
    settings.save(session);

    auto* seal_list = d.find<wxListCtrl>("seal_list");
    d.check(seal_list && seal_list->GetItemCount() >= 1, "the decision waits for the seal");
    if (!seal_list || seal_list->GetItemCount() < 1)
        return;
    for (long i = 0; i < seal_list->GetItemCount(); ++i)
        if (seal_list->GetItemText(i).utf8_string() == number)
            seal_list->SetItemState(i, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);

    int state = 0;
    bool masked = false, typed = false, result_sealed = false;
    wxUIActionSimulator sim;
    const std::string pin_text = pin;
    Steps steps(
        [&]() -> bool {
            switch (state) {
            case 0:
                if (auto* field =
                        dynamic_cast<wxTextCtrl*>(wxWindow::FindWindowByName("pin_entry"))) {
                    masked = field->HasFlag(wxTE_PASSWORD);
                    field->SetFocus();
                    sim.Text(pin_text.c_str());
                    state = 1;
                }
                return false;
            case 1:
                if (auto* field =
                        dynamic_cast<wxTextCtrl*>(wxWindow::FindWindowByName("pin_entry"))) {
                    if (field->GetValue().length() == pin_text.size()) {
                        typed = true;
                        sim.Char(WXK_RETURN);
                        state = 2;
                    }
                }
                return false;
            default: {
                auto* button = dynamic_cast<wxButton*>(wxWindow::FindWindowByName("seal_cancel"));
                auto* results =
                    dynamic_cast<wxListCtrl*>(wxWindow::FindWindowByName("seal_results"));
                if (!button || !results || button->GetLabel() != _("Close") || !button->IsEnabled())
                    return false;
                result_sealed =
                    results->GetItemCount() >= 1 && results->GetItemText(0, 1) == _("sealed");
                press_button(button);
                return true;
            }
            }
        },
        60000);
    click_named(d, "seal_selected");
    for (int i = 0; i < 600 && steps.IsRunning(); ++i)
        d.pump(100);
    d.check(masked, "the PIN field is masked");
    d.check(typed, "the PIN was typed into the PIN dialog");
    d.check(result_sealed, "the progress dialog lists the document as sealed");
    d.check(!steps.timed_out(), "sealing finished in time");

    ow::core::SealingService sealing(session);
    std::vector<unsigned char> pdf;
    try {
        pdf = sealing.sealed_document(number);
    } catch (const std::exception& e) {
        std::cout << "  " << e.what() << std::endl;
    }
    d.check(!pdf.empty(), "the sealed decision document is stored");
    const auto path = out_dir / ("sealed-" + lang + ".pdf");
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(pdf.data()),
                  static_cast<std::streamsize>(pdf.size()));
    }
    d.screenshot(&frame, "officer-sealed-" + lang);

    // Verify a PDF: the dialog checks the file (as when it is dropped) and shows the report.
    bool verified = false;
    Steps verify(
        [&]() -> bool {
            auto* dialog =
                dynamic_cast<VerifyPdfDialog*>(wxWindow::FindWindowByName("verify_dialog"));
            if (!dialog)
                return false;
            dialog->check_file(path);
            verified = dialog->last().readable && dialog->last().signatures == 1 &&
                       dialog->last().all_valid;
            dialog->EndModal(wxID_CLOSE);
            return true;
        },
        20000);
    click_named(d, "verify_pdf");
    for (int i = 0; i < 200 && verify.IsRunning(); ++i)
        d.pump(100);
    d.check(verified, "verify a PDF: the sealed document is valid and trusted");
}

// The scan panel on the case just taken in: the SANE test device (private config from
// run_selftest.sh) scans a flatbed page, its thumbnail appears, and it is attached to a material.
void run_scan_panel(Driver& d, wxFrame& frame, const std::string& case_number,
                    const std::string& lang) {
    auto& session = static_cast<MainFrame&>(frame).session();
    ow::core::CaseService cases(session);
    auto c = cases.find(case_number);
    d.check(c.has_value(), "the case for the scan panel exists");
    if (!c)
        return;
    auto materials = cases.materials(c->id);
    if (materials.empty())
        return;
    const std::string key = materials.front().key;
    auto* dialog =
        new ScanDialog(&frame, session, {{key, materials.front().name}}, c->applicant_kind,
                       c->applicant_id, c->applicant_name, case_number);
    dialog->Show();
    auto* device = d.find<wxChoice>("scan_device");
    for (int i = 0; i < 200 && device && device->GetCount() == 0; ++i)
        d.pump(50);
    d.check(device && device->GetCount() > 0, "the scan panel lists the SANE test device");
    click_named(d, "scan_start");
    auto* pages = d.find<wxListCtrl>("scan_pages");
    auto* finish = d.find<wxButton>("scan_finish");
    for (int i = 0; i < 300 && pages && finish && !finish->IsEnabled(); ++i)
        d.pump(50);
    d.check(pages && pages->GetItemCount() == 1, "the scanned page appears as a thumbnail");
    d.check(finish && finish->IsEnabled(), "the page can be attached");
    d.screenshot(dialog, "scan-panel-" + lang);
    click_named(d, "scan_finish");
    d.check(d.gone("scan_dialog"), "attaching closes the scan panel");
    bool scanned = false;
    for (const auto& m : cases.materials(c->id))
        if (m.key == key)
            scanned = m.status == "scanned" && m.pages == 1;
    d.check(scanned, "the material is stored as scanned, 1 page");
    if (wxWindow::FindWindowByName("scan_dialog"))
        dialog->Destroy();
}

} // namespace

// The Licenses area: search by holder, the preview, the reason counter, restore enabled only for
// a verified record with a reason; the demo's altered record is marked untrusted.
void run_licenses(Driver& d, wxFrame& frame, const std::string& lang) {
    auto* nav = d.find<wxButton>("nav_licenses");
    d.check(nav != nullptr, "the licenses area is in the navigation");
    if (!nav)
        return;
    d.click(nav);
    auto* query = d.find<wxTextCtrl>("licenses_query");
    auto* list = d.find<wxListCtrl>("licenses_list");
    d.check(query && list, "the licenses area opens");
    if (!query || !list)
        return;
    const ow::core::DemoDataGenerator gen;
    d.type_into(query, gen.entity(1).uscc.c_str());
    d.press_enter();
    d.check(list->GetItemCount() >= 2, "searching a holder's USCC lists the holder's licenses");
    auto* restore = d.find<wxButton>("licenses_restore_save");
    d.check(restore && !restore->IsEnabled(), "restoring needs a reason first");
    auto* reason = d.find<wxTextCtrl>("licenses_reason");
    if (reason)
        d.type_into(reason, "license renewal");
    auto* counter = d.find<wxStaticText>("licenses_reason_counter");
    d.check(counter && counter->GetLabel() == "15 / 200", "the reason counter counts characters");
    d.check(restore && restore->IsEnabled(), "a verified license with a reason can be restored");
    auto* preview = d.find<wxStaticBitmap>("licenses_preview");
    bool shown = false;
    for (int i = 0; i < 40 && preview && !shown; ++i) {
        d.pump(100);
        shown = preview->GetBitmap().IsOk();
    }
    d.check(shown, "the license preview is drawn");
    d.screenshot(&frame, "licenses-" + lang);
    // The intake in the wizard is already submitted (and is another holder's): nothing to use
    // the license in, and the clerk is told so.
    auto* use = d.find<wxButton>("licenses_use_in_intake");
    auto* status = d.find<wxStaticText>("licenses_status");
    d.check(use && use->IsEnabled(), "a verified license can stand in for a paper copy");
    if (use && status) {
        d.click(use);
        d.check(!status->GetLabel().IsEmpty(),
                "without a matching intake in progress, the clerk is told why nothing happened");
    }
    d.type_into(query, gen.entity(ow::core::kDemoTamperedEntity).uscc.c_str());
    d.press_enter();
    bool untrusted = false;
    for (long i = 0; i < list->GetItemCount(); ++i) {
        list->SetItemState(i, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
        d.pump(200);
        if (!restore->IsEnabled())
            untrusted = true;
    }
    d.check(untrusted, "a record whose issuer signature fails cannot be restored");
}

// Logs in and waits for the main window, sized as on a counter's screen.
wxFrame* open_main_window(Driver& d, const char* user, const char* password) {
    d.login(user, password);
    auto* frame = d.find<wxFrame>("main_frame", 6000);
    d.check(frame != nullptr, std::string("the ") + user + "'s main window opens");
    if (frame) {
        frame->SetSize(1280, 720);
        frame->Move(0, 0);
    }
    return frame;
}

// The admin's Settings: the users dialog adds a clerk and resets their password, the audit dialog
// checks the chain. (The dialogs are shown modeless here so that the simulator can type into them;
// Settings opens the same classes modally.)
void run_admin(Driver& d, wxFrame& frame, const std::string& lang) {
    auto& session = static_cast<MainFrame&>(frame).session();
    if (auto* nav = d.find<wxButton>("nav_settings"))
        d.click(nav);
    d.check(d.find("settings_users") != nullptr && d.find("settings_audit") != nullptr,
            "the admin's Settings offer Users and Audit log");
    auto* users = new UsersDialog(&frame, session);
    users->Show();
    d.pump(300);
    const int before = d.find<wxListCtrl>("users_list")->GetItemCount();
    d.type_into(d.find<wxTextCtrl>("users_new_name"), "clerk2");
    d.type_into(d.find<wxTextCtrl>("users_new_display_name"), "Wang Wu");
    d.type_into(d.find<wxTextCtrl>("users_new_password"), "clerk2-pass-1");
    d.type_into(d.find<wxTextCtrl>("users_new_password2"), "clerk2-pass-1");
    click_named(d, "users_add");
    auto* list = d.find<wxListCtrl>("users_list");
    d.check(list && list->GetItemCount() == before + 1, "the admin adds a clerk");
    long row = list ? list->FindItem(-1, "clerk2") : -1;
    d.check(row >= 0, "the new clerk is listed");
    if (row >= 0) {
        list->SetItemState(row, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
        d.type_into(d.find<wxTextCtrl>("users_reset_password"), "clerk2-pass-2");
        d.type_into(d.find<wxTextCtrl>("users_reset_password2"), "clerk2-pass-2");
        click_named(d, "users_reset");
        row = list->FindItem(-1, "clerk2");
        wxListItem state;
        state.SetId(row);
        state.SetColumn(3);
        state.SetMask(wxLIST_MASK_TEXT);
        d.check(row >= 0 && list->GetItem(state) && state.GetText() != _("active"),
                "a reset password must be changed at the next login");
        bool logged_in = false;
        try {
            logged_in =
                ow::core::Workstation::login(session.paths().dir, "clerk2",
                                             ow::core::SecretString("clerk2-pass-2")) != nullptr;
        } catch (const ow::core::CoreError& e) {
            std::cerr << "  clerk2: " << e.what() << "\n";
        }
        d.check(logged_in, "the clerk logs in with the reset password");
    }
    d.screenshot(users, "users-" + lang);
    delete users; // now, not at idle time: the frame closes right after
    auto* audit = new AuditDialog(&frame, session);
    audit->Show();
    d.pump(300);
    click_named(d, "audit_check");
    d.check(audit->last_check_ok(), "the audit dialog checks the chain: intact");
    auto* events = d.find<wxListCtrl>("audit_events");
    d.check(events && events->GetItemCount() > 0 && events->GetItemText(0, 3) == "audit.verify",
            "the check itself is the newest audit event");
    d.screenshot(audit, "audit-" + lang);
    delete audit;
    d.pump(200);
}

int run_selftest(App& app, const std::filesystem::path& out_dir) {
    (void)app;
    Driver d(out_dir);
    const std::string lang = current_language().rfind("zh", 0) == 0 ? "zh_CN" : "en";
    d.pump(500);

    // 1. A wrong password shows the error and keeps the dialog.
    auto* dialog = d.find("login_dialog");
    d.check(dialog != nullptr, "login dialog appears");
    if (!dialog)
        return d.failures() + 1;
    d.login("clerk", "not-the-password");
    d.pump(600);
    auto* error = d.find<wxStaticText>("login_error");
    d.check(error && !error->GetLabel().IsEmpty(), "a wrong password shows an error");
    d.check(wxWindow::FindWindowByName("main_frame") == nullptr, "a wrong password opens nothing");
    if (error)
        std::cout << "  error text: " << error->GetLabel().utf8_string() << std::endl;
    d.screenshot(dialog, "login-error-" + lang);

    // 2. The clerk logs in and sees the clerk's areas only.
    d.login("clerk", "clerk-demo");
    auto* frame = d.find<wxFrame>("main_frame", 6000);
    d.check(frame != nullptr, "the clerk's main window opens");
    if (!frame)
        return d.failures();
    frame->SetSize(1280, 720);
    frame->Move(0, 0);
    expect_areas(d, {"intake", "cases", "licenses", "sync", "settings"}, {"approvals"}, "clerk");
    d.check(frame->GetStatusBar()->GetStatusText(0).Contains("·"),
            "status bar shows user and role");

    // 3. A complete intake of a 3-item bundle through the wizard.
    run_intake(d, *frame, out_dir, lang);
    if (auto* panel = dynamic_cast<IntakeWizardPanel*>(wxWindow::FindWindowByName("area_intake")))
        if (const auto* outcome = panel->outcome())
            run_scan_panel(d, *frame, outcome->stored.case_number, lang);

    // 3b. The case waits in the outbox: the Sync area lists it, and
    //     Sync now stays disabled until the workstation is enrolled.
    if (auto* nav = d.find<wxButton>("nav_sync")) {
        d.click(nav);
        auto* outbox = d.find<wxListCtrl>("sync_outbox");
        d.check(outbox && outbox->GetItemCount() >= 1, "the Sync area lists the pending case");
        auto* sync_now = d.find<wxButton>("sync_now");
        d.check(sync_now && !sync_now->IsEnabled(), "Sync now is disabled before enrolment");
        d.check(wxWindow::FindWindowByName("sync_url") == nullptr,
                "a clerk sees no server settings");
        // Not synced yet: intake works with the shipped catalog, and the clerk can see which.
        auto* reference = d.find<wxStaticText>("sync_reference");
        d.check(
            reference &&
                reference->GetLabel().Contains(
                    ow::forms::Catalog::load_directory(ow::forms::default_catalog_dir()).version()),
            "the Sync area names the catalog version intake uses");
        d.screenshot(frame, "sync-" + lang);
    }
    run_licenses(d, *frame, lang);
    if (auto* nav = d.find<wxButton>("nav_settings")) {
        d.click(nav);
        d.check(wxWindow::FindWindowByName("settings_users") == nullptr &&
                    wxWindow::FindWindowByName("settings_audit") == nullptr,
                "a clerk's Settings offer neither Users nor Audit log");
    }

    // 4. The officer sees the approval queue and no intake.
    log_out(d);
    frame = open_main_window(d, "officer", "officer-demo");
    if (frame) {
        expect_areas(d, {"cases", "approvals", "sync", "settings"}, {"intake", "licenses"},
                     "officer");
        if (auto* nav = d.find<wxButton>("nav_approvals")) {
            d.click(nav);
            d.check(d.find("approvals_list") != nullptr, "the approval queue opens");
        }
        if (auto* list = d.find<wxListCtrl>("approvals_list")) {
            d.check(list->GetItemCount() >= 1, "the clerk's case is in the officer's queue");
            if (list->GetItemCount() >= 1) {
                list->SetItemState(0, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
                std::string number = list->GetItemText(0).utf8_string();
                click_named(d, "decide_approve");
                auto decided =
                    ow::core::CaseService(static_cast<MainFrame*>(frame)->session()).find(number);
                d.check(decided && decided->state == "approved", "the officer approves the case");
                run_sealing(d, *frame, number, out_dir, lang);
            }
        }
        d.check(!frame->GetStatusBar()
                     ->GetStatusText(frame->GetStatusBar()->GetFieldsCount() - 1)
                     .IsEmpty(),
                "the status bar shows the card status");
        std::cout << "  card status: "
                  << frame->GetStatusBar()
                         ->GetStatusText(frame->GetStatusBar()->GetFieldsCount() - 1)
                         .utf8_string()
                  << std::endl;
        d.screenshot(frame, "officer-" + lang);
    }

    // 5. The admin: users and the audit log, from Settings; a clerk's Settings have neither.
    log_out(d);
    frame = open_main_window(d, "admin", "admin-demo");
    if (frame) {
        run_admin(d, *frame, lang);
        log_out(d); // an admin's frame once crashed on the way out (its server settings)
    }

    // 6. The clerk the admin reset must choose a password of their own before anything else.
    bool asked = false, first_refused = false;
    Steps own_password(
        [&]() -> bool {
            auto* dialog = wxWindow::FindWindowByName("new_password_dialog");
            auto* first = dynamic_cast<wxTextCtrl*>(wxWindow::FindWindowByName("new_password"));
            auto* second = dynamic_cast<wxTextCtrl*>(wxWindow::FindWindowByName("new_password2"));
            if (!dialog || !first || !second)
                return false;
            asked = true;
            wxCommandEvent ok(wxEVT_BUTTON, wxID_OK);
            if (!first_refused) { // the admin's password again is refused, the dialog stays
                first->ChangeValue("clerk2-pass-2");
                second->ChangeValue("clerk2-pass-2");
                dialog->GetEventHandler()->ProcessEvent(ok);
                auto* error =
                    dynamic_cast<wxStaticText*>(wxWindow::FindWindowByName("new_password_error"));
                first_refused = wxWindow::FindWindowByName("new_password_dialog") != nullptr &&
                                error && !error->GetLabel().IsEmpty();
                d.screenshot(dynamic_cast<wxWindow*>(dialog), "own-password-" + lang);
            }
            first->ChangeValue("clerk2-own-3");
            second->ChangeValue("clerk2-own-3");
            dialog->GetEventHandler()->ProcessEvent(ok);
            return true;
        },
        20000);
    frame = open_main_window(d, "clerk2", "clerk2-pass-2");
    d.check(asked, "a reset password asks for the user's own before the main window");
    d.check(first_refused, "the admin's password is not accepted as the user's own");
    if (frame) {
        d.check(!static_cast<MainFrame*>(frame)->session().user().must_change_password,
                "the clerk's own password is set");
        log_out(d);
    }
    d.pump(300);
    for (auto* w : wxTopLevelWindows)
        w->Destroy();
    wxTheApp->ExitMainLoop();
    return d.failures();
}

} // namespace ow::app
