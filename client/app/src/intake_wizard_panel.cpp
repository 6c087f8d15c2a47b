#include "intake_wizard_panel.h"

#include "intake_dialogs.h"
#include "ow/core/log.h"
#include "ow/core/util.h"
#include "ow/forms/regions.h"
#include "scan_panel.h"
#include "translate.h"

#include <cstdio>
#include <wx/accel.h>
#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/checklst.h>
#include <wx/choice.h>
#include <wx/image.h>
#include <wx/listbox.h>
#include <wx/msgdlg.h>
#include <wx/mstream.h>
#include <wx/scrolwin.h>
#include <wx/simplebook.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace ow::app {

using Step = ow::core::IntakeWizardPresenter::Step;
using ow::forms::FieldType;

namespace {

const wxColour kError(0xC0, 0x1C, 0x28);
const wxColour kHint(0x55, 0x60, 0x70);

wxStaticText* bold_label(wxWindow* parent, const wxString& text, int grow = 0) {
    auto* label = new wxStaticText(parent, wxID_ANY, text);
    wxFont f = label->GetFont();
    f.SetPointSize(f.GetPointSize() + grow);
    f.MakeBold();
    label->SetFont(f);
    return label;
}

std::string to_text(const nlohmann::json& v) {
    if (v.is_null())
        return "";
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number_integer())
        return std::to_string(v.get<long long>());
    if (v.is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v.get<double>());
        return buf;
    }
    return v.dump();
}

std::string necessity_label(ow::forms::Necessity n) {
    switch (n) {
    case ow::forms::Necessity::Required:
        return N_("required");
    case ow::forms::Necessity::Deferrable:
        return N_("may follow later");
    case ow::forms::Necessity::Optional:
        return N_("optional");
    }
    return "";
}

} // namespace

IntakeWizardPanel::IntakeWizardPanel(wxWindow* parent, ow::core::Session& session)
    : AreaPanel(parent, session) {
    lang_ = current_language().rfind("zh", 0) == 0 ? "zh" : "en";
    auto* top = new wxBoxSizer(wxVERTICAL);
    draft_bar_ = new wxPanel(this);
    draft_bar_->SetName("intake_draft_bar");
    draft_bar_->SetBackgroundColour(wxColour(0xFF, 0xF4, 0xCE));
    auto* bar = new wxBoxSizer(wxHORIZONTAL);
    draft_text_ = new wxStaticText(draft_bar_, wxID_ANY, "");
    draft_text_->SetName("intake_draft_text");
    bar->Add(draft_text_, 1, wxALIGN_CENTER_VERTICAL | wxALL, 6);
    auto* resume = new wxButton(draft_bar_, wxID_ANY, _("&Resume"));
    resume->SetName("intake_resume_draft");
    auto* discard = new wxButton(draft_bar_, wxID_ANY, _("&Discard"));
    discard->SetName("intake_discard_draft");
    bar->Add(resume, 0, wxALL, 4);
    bar->Add(discard, 0, wxALL, 4);
    draft_bar_->SetSizer(bar);
    draft_bar_->Hide();
    top->Add(draft_bar_, 0, wxEXPAND | wxBOTTOM, 8);
    resume->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { resume_draft(); });
    discard->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wizard_->discard_draft();
        draft_bar_->Hide();
        Layout();
    });
    stepper_ = new wxStaticText(this, wxID_ANY, "");
    stepper_->SetName("intake_stepper");
    top->Add(stepper_, 0, wxBOTTOM, 10);
    book_ = new wxSimplebook(this);
    top->Add(book_, 1, wxEXPAND);
    problems_ = new wxStaticText(this, wxID_ANY, "");
    problems_->SetName("intake_problems");
    problems_->SetForegroundColour(kError);
    top->Add(problems_, 0, wxEXPAND | wxTOP, 6);
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    back_ = new wxButton(this, wxID_ANY, _("< &Back"));
    back_->SetName("intake_back");
    next_ = new wxButton(this, wxID_ANY, _("&Next >"));
    next_->SetName("intake_next");
    buttons->AddStretchSpacer();
    buttons->Add(back_, 0, wxRIGHT, 8);
    buttons->Add(next_);
    top->Add(buttons, 0, wxEXPAND | wxTOP, 8);
    SetSizer(top);
    build_pages();
    // F9 submits from the confirmation step (ui.md); Next is Enter's default elsewhere.
    int submit_id = wxWindow::NewControlId();
    wxAcceleratorEntry keys[] = {wxAcceleratorEntry(wxACCEL_NORMAL, WXK_F9, submit_id)};
    SetAcceleratorTable(wxAcceleratorTable(1, keys));
    Bind(
        wxEVT_MENU,
        [this](wxCommandEvent&) {
            if (wizard_->step() == Step::Review)
                go_next();
        },
        submit_id);
    back_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { go_back(); });
    next_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { go_next(); });
    start_over();
    offer_draft();
    // Drafts save themselves: what is typed reaches the encrypted cache every few seconds.
    draft_timer_.SetOwner(this);
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { keep_draft(); });
    draft_timer_.Start(15000);
}

void IntakeWizardPanel::keep_draft() {
    if (!wizard_ || wizard_->step() == Step::Done || draft_bar_->IsShown())
        return; // nothing to keep, or an older draft still waits for the clerk's choice
    if (wizard_->step() == Step::Form)
        read_form_values();
    try {
        wizard_->save_draft();
    } catch (const ow::core::CoreError& e) {
        problems_->SetLabel(tr(e));
    }
}

bool IntakeWizardPanel::keep_draft_before_closing(bool may_cancel) {
    if (!wizard_ || wizard_->step() == Step::Done || draft_bar_->IsShown())
        return true;
    if (wizard_->step() == Step::Form)
        read_form_values();
    try {
        wizard_->save_draft();
        return true;
    } catch (const ow::core::CoreError& e) {
        ow::core::log::error("the intake in progress could not be kept at close");
        return !may_cancel ||
               wxMessageBox(wxString::Format(_("The intake in progress could not be kept: %s\n\n"
                                               "Close anyway and lose it?"),
                                             tr(e)),
                            _("OneWindow"), wxYES_NO | wxNO_DEFAULT | wxICON_WARNING,
                            this) == wxYES;
    }
}

void IntakeWizardPanel::offer_draft() {
    auto draft = wizard_->pending_draft();
    if (!draft) {
        draft_bar_->Hide();
        return;
    }
    wxDateTime saved;
    wxString when = utf8(draft->saved_at);
    if (saved.ParseISOCombined(utf8(draft->saved_at).BeforeFirst('Z')))
        when = saved.FromUTC().Format("%H:%M");
    draft_text_->SetLabel(
        wxString::Format(_("An intake in progress was kept (%s, %d items, saved %s)."),
                         utf8(draft->applicant_name.empty() ? "—" : draft->applicant_name),
                         static_cast<int>(draft->items), when));
    draft_bar_->Show();
    Layout();
}

void IntakeWizardPanel::resume_draft() {
    draft_bar_->Hide();
    if (!wizard_->resume_draft()) {
        Layout();
        return;
    }
    applicant_input_->ChangeValue(utf8(wizard_->applicant().identifier));
    applicant_name_->ChangeValue(utf8(wizard_->applicant_name()));
    items_chosen_->Clear();
    for (const auto& item : wizard_->items())
        items_chosen_->Append(utf8(wizard_->item_name(item, lang_)));
    const Step step = wizard_->step();
    if (step >= Step::Form)
        build_form_page();
    if (step >= Step::Materials)
        build_materials_page();
    if (step >= Step::Review)
        build_review_page();
    show_step();
    Layout();
}

const ow::core::IntakeOutcome* IntakeWizardPanel::outcome() const {
    return wizard_ && wizard_->outcome() ? &*wizard_->outcome() : nullptr;
}

std::vector<std::string> IntakeWizardPanel::use_e_license(const std::string& license_id,
                                                          const std::string& holder_id,
                                                          const std::string& type_code,
                                                          const std::string& type_name) {
    if (!wizard_ || wizard_->step() == Step::Done)
        return {};
    if (wizard_->step() == Step::Form)
        read_form_values();
    auto used = wizard_->use_e_license(license_id, holder_id, type_code, type_name);
    if (!used.empty()) {
        if (wizard_->step() == Step::Materials)
            build_materials_page();
        else if (wizard_->step() == Step::Review)
            build_review_page();
        keep_draft();
    }
    return used;
}

void IntakeWizardPanel::refresh() {
    if (wizard_ && wizard_->step() == Step::Applicant)
        applicant_input_->SetFocus();
}

void IntakeWizardPanel::start_over() {
    // A failed reload keeps the catalog the panel had (it was checked when the panel was made).
    try {
        const auto& reference = session_.reference().current();
        if (reference.catalog) {
            catalog_ = reference.catalog;
            calendar_ = reference.calendar;
        }
    } catch (const std::exception&) {
    }
    if (!catalog_ || !calendar_) { // the cache could not be read just now: the shipped copies
        catalog_ = std::make_shared<const ow::forms::Catalog>(
            ow::forms::Catalog::load_directory(ow::forms::default_catalog_dir()));
        calendar_ = std::shared_ptr<const ow::forms::WorkingCalendar>(
            &ow::forms::WorkingCalendar::builtin(), [](const ow::forms::WorkingCalendar*) {});
    }
    wizard_ = std::make_unique<ow::core::IntakeWizardPresenter>(session_, *catalog_, *calendar_);
    applicant_input_->ChangeValue("");
    applicant_name_->ChangeValue("");
    applicant_message_->SetLabel("");
    applicant_card_->SetLabel("");
    item_search_->ChangeValue("");
    item_results_->Clear();
    items_chosen_->Clear();
    show_step();
}

void IntakeWizardPanel::build_pages() {
    // 1. Applicant
    auto* page = new wxPanel(book_);
    auto* s = new wxBoxSizer(wxVERTICAL);
    s->Add(new wxStaticText(page, wxID_ANY,
                            _("Type or read the applicant's ID number or unified social credit "
                              "code; the type is recognised.")),
           0, wxBOTTOM, 8);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    applicant_input_ =
        new wxTextCtrl(page, wxID_ANY, "", wxDefaultPosition, wxSize(320, -1), wxTE_PROCESS_ENTER);
    applicant_input_->SetName("intake_applicant_id");
    auto* find = new wxButton(page, wxID_ANY, _("&Find"));
    find->SetName("intake_find");
    row->Add(applicant_input_, 0, wxRIGHT, 8);
    row->Add(find);
    s->Add(row, 0, wxBOTTOM, 8);
    applicant_message_ = new wxStaticText(page, wxID_ANY, "");
    applicant_message_->SetName("intake_message");
    s->Add(applicant_message_, 0, wxEXPAND | wxBOTTOM, 8);
    applicant_card_ = new wxStaticText(page, wxID_ANY, "");
    applicant_card_->SetName("intake_card");
    s->Add(applicant_card_, 0, wxEXPAND | wxBOTTOM, 8);
    auto* name_row = new wxBoxSizer(wxHORIZONTAL);
    name_row->Add(new wxStaticText(page, wxID_ANY, _("Applicant's name:")), 0,
                  wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    applicant_name_ =
        new wxTextCtrl(page, wxID_ANY, "", wxDefaultPosition, wxSize(320, -1), wxTE_PROCESS_ENTER);
    applicant_name_->SetName("intake_applicant_name");
    name_row->Add(applicant_name_);
    s->Add(name_row);
    page->SetSizer(s);
    book_->AddPage(page, "applicant");
    find->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { look_up(); });
    applicant_input_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) {
        look_up();
        if (!applicant_name_->IsEmpty())
            next_->SetFocus();
    });
    applicant_name_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { go_next(); });

    // 2. Items
    page = new wxPanel(book_);
    s = new wxBoxSizer(wxVERTICAL);
    item_search_ =
        new wxTextCtrl(page, wxID_ANY, "", wxDefaultPosition, wxSize(420, -1), wxTE_PROCESS_ENTER);
    item_search_->SetName("intake_item_search");
    item_search_->SetHint(_("Name, code or pinyin initials (e.g. gtgsh)"));
    s->Add(item_search_, 0, wxBOTTOM, 6);
    auto* lists = new wxBoxSizer(wxHORIZONTAL);
    item_results_ = new wxListBox(page, wxID_ANY, wxDefaultPosition, wxSize(480, 300));
    item_results_->SetName("intake_item_results");
    items_chosen_ = new wxListBox(page, wxID_ANY, wxDefaultPosition, wxSize(420, 300));
    items_chosen_->SetName("intake_items_chosen");
    auto* mid = new wxBoxSizer(wxVERTICAL);
    auto* add = new wxButton(page, wxID_ANY, _("&Add >"));
    add->SetName("intake_item_add");
    auto* remove = new wxButton(page, wxID_ANY, _("< &Remove"));
    mid->Add(add, 0, wxBOTTOM, 6);
    mid->Add(remove);
    lists->Add(item_results_, 1, wxEXPAND);
    lists->Add(mid, 0, wxLEFT | wxRIGHT, 8);
    lists->Add(items_chosen_, 1, wxEXPAND);
    s->Add(lists, 1, wxEXPAND);
    page->SetSizer(s);
    book_->AddPage(page, "items");
    item_search_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { search_items(); });
    item_search_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { add_selected_item(); });
    item_results_->Bind(wxEVT_LISTBOX_DCLICK, [this](wxCommandEvent&) { add_selected_item(); });
    add->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { add_selected_item(); });
    remove->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { remove_selected_item(); });

    // 3. Form (built when entered)
    form_ = new wxScrolledWindow(book_);
    form_->SetName("intake_form");
    form_->SetScrollRate(0, 16);
    book_->AddPage(form_, "form");

    // 4. Materials (built when entered)
    materials_ = new wxScrolledWindow(book_);
    materials_->SetName("intake_materials");
    materials_->SetScrollRate(0, 16);
    book_->AddPage(materials_, "materials");

    // 5. Review
    page = new wxPanel(book_);
    s = new wxBoxSizer(wxVERTICAL);
    review_ = new wxStaticText(page, wxID_ANY, "");
    review_->SetName("intake_review");
    wxFont large = review_->GetFont();
    large.SetPointSize(large.GetPointSize() + 3); // turned toward the applicant: large type
    review_->SetFont(large);
    s->Add(review_, 1, wxEXPAND);
    complete_here_ = new wxCheckBox(page, wxID_ANY, _("&Conclude on the spot (即办件)"));
    complete_here_->SetName("intake_complete_here");
    complete_here_->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) {
        wizard_->set_complete_on_the_spot(complete_here_->GetValue());
    });
    s->Add(complete_here_, 0, wxTOP, 8);
    auto* refuse = new wxButton(page, wxID_ANY, _("&Refuse the application…"));
    refuse->SetName("intake_refuse");
    refuse->SetToolTip(_("不予受理: the applicant gets the refusal notice with the reasons"));
    refuse->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { this->refuse(); });
    s->Add(refuse, 0, wxTOP, 8);
    page->SetSizer(s);
    book_->AddPage(page, "review");

    // 6. Done
    page = new wxPanel(book_);
    s = new wxBoxSizer(wxVERTICAL);
    result_ = bold_label(page, "", 2);
    result_->SetName("intake_result");
    s->Add(result_, 0, wxBOTTOM, 12);
    auto* done_buttons = new wxBoxSizer(wxHORIZONTAL);
    auto* print = new wxButton(page, wxID_ANY, _("&Print"));
    print->SetName("intake_print");
    auto* again = new wxButton(page, wxID_ANY, _("New &intake"));
    again->SetName("intake_new");
    done_buttons->Add(print, 0, wxRIGHT, 8);
    done_buttons->Add(again);
    s->Add(done_buttons, 0, wxBOTTOM, 8);
    // The document as it will print, drawn by the same layout code as the PDF (ui.md).
    preview_ = new wxScrolledWindow(page, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                    wxVSCROLL | wxHSCROLL | wxBORDER_SUNKEN);
    preview_->SetName("intake_preview");
    preview_->SetScrollRate(16, 16);
    preview_->SetBackgroundColour(wxColour(0x8C, 0x8C, 0x8C));
    preview_image_ = new wxStaticBitmap(preview_, wxID_ANY, wxBitmap(1, 1));
    preview_image_->SetName("intake_preview_image");
    auto* ps = new wxBoxSizer(wxVERTICAL);
    ps->Add(preview_image_, 0, wxALIGN_CENTER_HORIZONTAL | wxALL, 8);
    preview_->SetSizer(ps);
    s->Add(preview_, 1, wxEXPAND);
    page->SetSizer(s);
    book_->AddPage(page, "done");
    print->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { print_document(); });
    again->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { start_over(); });
}

void IntakeWizardPanel::show_step() {
    wxString text;
    for (const auto& [step, label] : ow::core::IntakeWizardPresenter::steps()) {
        if (!text.empty())
            text += "  →  ";
        text += step == wizard_->step() ? "【" + tr(label) + "】" : tr(label);
    }
    stepper_->SetLabel(text);
    Step step = wizard_->step();
    book_->ChangeSelection(static_cast<std::size_t>(step));
    back_->Enable(step != Step::Applicant && step != Step::Done);
    next_->Show(step != Step::Done);
    next_->SetLabel(step == Step::Review ? _("&Submit (F9)") : _("&Next >"));
    wxString problems;
    for (const auto& p : wizard_->problems())
        problems += tr(p) + "\n";
    problems_->SetLabel(problems);
    Layout();
}

void IntakeWizardPanel::look_up() {
    using S = ow::core::ApplicantLookupPresenter::Severity;
    const auto& r = wizard_->look_up(applicant_input_->GetValue().utf8_string());
    applicant_message_->SetLabel(tr(r.message));
    applicant_message_->SetForegroundColour(r.severity == S::Error ? kError : kHint);
    wxString card;
    for (const auto& f : r.card)
        card += tr(f.label) + "：" + utf8(f.value) + "\n";
    if (!r.source.empty())
        card += wxString::Format(_("Prefilled from: %s"), tr(r.source));
    applicant_card_->SetLabel(card);
    applicant_name_->ChangeValue(utf8(wizard_->applicant_name()));
    Layout();
}

void IntakeWizardPanel::search_items() {
    item_results_->Clear();
    result_codes_.clear();
    for (const auto& hit : wizard_->search(item_search_->GetValue().utf8_string())) {
        if (hit.bundle) {
            item_results_->Append("★ " + utf8(hit.bundle->name.in(lang_)));
            result_codes_.push_back("bundle:" + hit.bundle->code);
        } else {
            wxString line = utf8(hit.item->name.in(lang_));
            line += "  (" +
                    (hit.item->is_immediate() ? _("on the spot")
                                              : wxString::Format(_("%d working days"),
                                                                 hit.item->promised_limit.amount)) +
                    ")";
            item_results_->Append(line);
            result_codes_.push_back("item:" + hit.item->code);
        }
    }
    if (!result_codes_.empty())
        item_results_->SetSelection(0);
}

void IntakeWizardPanel::add_selected_item() {
    int i = item_results_->GetSelection();
    if (i == wxNOT_FOUND)
        return;
    const std::string& code = result_codes_.at(static_cast<std::size_t>(i));
    if (code.rfind("bundle:", 0) == 0)
        wizard_->add_bundle(code.substr(7));
    else
        wizard_->add_item(code.substr(5));
    items_chosen_->Clear();
    for (const auto& item : wizard_->items())
        items_chosen_->Append(utf8(wizard_->item_name(item, lang_)));
}

void IntakeWizardPanel::remove_selected_item() {
    int i = items_chosen_->GetSelection();
    if (i == wxNOT_FOUND)
        return;
    wizard_->remove_item(wizard_->items().at(static_cast<std::size_t>(i)));
    items_chosen_->Delete(static_cast<unsigned>(i));
}

void IntakeWizardPanel::build_form_page() {
    form_->DestroyChildren();
    fields_.clear();
    auto* s = new wxBoxSizer(wxVERTICAL);
    const auto& form = wizard_->form();
    for (const auto& section : form.sections) {
        s->Add(bold_label(form_, utf8(section.section.title.in(lang_)), 1), 0, wxTOP | wxBOTTOM, 8);
        auto* grid = new wxFlexGridSizer(2, wxSize(10, 4));
        grid->AddGrowableCol(1);
        for (std::size_t index : section.fields) {
            const auto& mf = form.fields[index];
            const auto& f = mf.field;
            FieldWidgets w;
            w.field = &mf;
            auto* label = new wxStaticText(form_, wxID_ANY, utf8(f.label.in(lang_)));
            wxString needed_by;
            for (const auto& item : mf.needed_by)
                needed_by += utf8(wizard_->item_name(item, lang_)) + "\n";
            label->SetToolTip(_("Needed by:") + "\n" + needed_by);
            auto* cell = new wxPanel(form_);
            cell->SetName("row_" + f.key);
            auto* cs = new wxBoxSizer(wxVERTICAL);
            auto* line = new wxBoxSizer(wxHORIZONTAL);
            const nlohmann::json value = wizard_->values().value(f.key, nlohmann::json());
            switch (f.type) {
            case FieldType::Choice: {
                auto* choice = new wxChoice(cell, wxID_ANY);
                choice->Append("", new wxStringClientData(""));
                int selected = 0;
                for (std::size_t k = 0; k < f.options.size(); ++k) {
                    choice->Append(utf8(f.options[k].label.in(lang_)),
                                   new wxStringClientData(utf8(f.options[k].code)));
                    if (value.is_string() && value.get<std::string>() == f.options[k].code)
                        selected = static_cast<int>(k + 1);
                }
                choice->SetSelection(selected);
                choice->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) {
                    read_form_values();
                    update_visibility();
                });
                w.control = choice;
                w.initial = std::to_string(selected);
                break;
            }
            case FieldType::MultiChoice: {
                auto* list = new wxCheckListBox(cell, wxID_ANY, wxDefaultPosition, wxSize(-1, 90));
                for (std::size_t k = 0; k < f.options.size(); ++k) {
                    list->Append(utf8(f.options[k].label.in(lang_)),
                                 new wxStringClientData(utf8(f.options[k].code)));
                    if (value.is_array())
                        for (const auto& v : value)
                            if (v == f.options[k].code)
                                list->Check(static_cast<unsigned>(k));
                }
                w.control = list;
                w.initial = value.dump();
                break;
            }
            case FieldType::Boolean: {
                auto* box = new wxCheckBox(cell, wxID_ANY, "");
                box->SetValue(value.is_boolean() && value.get<bool>());
                w.control = box;
                w.initial = box->GetValue() ? "1" : "0";
                break;
            }
            case FieldType::Address: {
                auto* region =
                    new wxTextCtrl(cell, wxID_ANY, "", wxDefaultPosition, wxSize(90, -1));
                region->SetHint(_("region code"));
                w.detail = new wxTextCtrl(cell, wxID_ANY, "", wxDefaultPosition, wxSize(360, -1));
                w.detail->SetName("field_" + f.key + "_detail");
                if (value.is_object()) {
                    region->ChangeValue(utf8(value.value("region", "")));
                    w.detail->ChangeValue(utf8(value.value("detail", "")));
                }
                // The division's full name as a tooltip; the picker for those who do not know
                // the code by heart.
                auto show_name = [region] {
                    region->SetToolTip(utf8(ow::forms::RegionTable::builtin().full_name(
                        region->GetValue().utf8_string())));
                };
                show_name();
                region->Bind(wxEVT_TEXT, [show_name](wxCommandEvent& e) {
                    show_name();
                    e.Skip();
                });
                w.picker = new wxButton(cell, wxID_ANY, "…", wxDefaultPosition, wxSize(32, -1));
                w.picker->SetName("pick_" + f.key);
                w.picker->SetToolTip(_("Choose the region"));
                w.picker->Bind(wxEVT_BUTTON, [this, region](wxCommandEvent&) {
                    if (auto code = pick_region(this, region->GetValue().utf8_string()))
                        region->SetValue(utf8(*code));
                });
                w.control = region;
                w.initial = value.dump();
                break;
            }
            case FieldType::Table:
            case FieldType::Attachment: {
                auto* text =
                    new wxTextCtrl(cell, wxID_ANY, utf8(value.is_null() ? "" : value.dump()),
                                   wxDefaultPosition, wxSize(460, 60), wxTE_MULTILINE);
                text->SetHint(f.type == FieldType::Table ? _("rows as JSON, e.g. [{\"name\": …}]")
                                                         : _("reference of the stored scan"));
                w.control = text;
                w.initial = text->GetValue().utf8_string();
                break;
            }
            default: {
                auto* text = new wxTextCtrl(cell, wxID_ANY, utf8(to_text(value)), wxDefaultPosition,
                                            wxSize(f.type == FieldType::Text ? 460 : 240, -1),
                                            wxTE_PROCESS_ENTER);
                text->Bind(wxEVT_TEXT_ENTER, [text](wxCommandEvent&) { text->Navigate(); });
                w.control = text;
                w.initial = to_text(value);
                break;
            }
            }
            w.control->SetName("field_" + f.key);
            line->Add(w.control, 0, wxRIGHT, 6);
            if (w.picker)
                line->Add(w.picker, 0, wxRIGHT, 6);
            if (w.detail)
                line->Add(w.detail, 1, wxRIGHT, 6);
            std::string source = wizard_->prefilled_from(f.key);
            if (!source.empty()) {
                auto* badge = new wxStaticText(cell, wxID_ANY, _("prefilled"));
                badge->SetName("badge_" + f.key);
                badge->SetForegroundColour(kHint);
                badge->SetToolTip(utf8(source));
                line->Add(badge, 0, wxALIGN_CENTER_VERTICAL);
            }
            cs->Add(line);
            w.error = new wxStaticText(cell, wxID_ANY, "");
            w.error->SetName("error_" + f.key);
            w.error->SetForegroundColour(kError);
            cs->Add(w.error);
            // An edit clears the field's old message; the next validation judges it again.
            auto* error_label = w.error;
            auto clear_error = [error_label](wxCommandEvent& e) {
                error_label->SetLabel("");
                error_label->Hide();
                e.Skip();
            };
            w.control->Bind(wxEVT_TEXT, clear_error);
            if (w.detail)
                w.detail->Bind(wxEVT_TEXT, clear_error);
            cell->SetSizer(cs);
            grid->Add(label, 0, wxALIGN_TOP | wxTOP, 4);
            grid->Add(cell, 1, wxEXPAND);
            w.row = cell;
            label->SetName("label_" + f.key);
            fields_.push_back(w);
        }
        s->Add(grid, 0, wxEXPAND | wxLEFT, 8);
    }
    form_->SetSizer(s);
    update_visibility();
}

void IntakeWizardPanel::read_form_values() {
    for (auto& w : fields_) {
        const auto& f = w.field->field;
        if (auto* choice = dynamic_cast<wxChoice*>(w.control)) {
            std::string now = std::to_string(choice->GetSelection());
            if (now == w.initial)
                continue;
            int sel = choice->GetSelection();
            wizard_->set_value(
                f.key, sel > 0 ? nlohmann::json(f.options[static_cast<std::size_t>(sel - 1)].code)
                               : nlohmann::json());
            w.initial = now;
        } else if (auto* list = dynamic_cast<wxCheckListBox*>(w.control)) {
            nlohmann::json codes = nlohmann::json::array();
            for (unsigned k = 0; k < list->GetCount(); ++k)
                if (list->IsChecked(k))
                    codes.push_back(f.options[k].code);
            if (codes.dump() == w.initial)
                continue;
            wizard_->set_value(f.key, codes.empty() ? nlohmann::json() : codes);
            w.initial = codes.dump();
        } else if (auto* box = dynamic_cast<wxCheckBox*>(w.control)) {
            std::string now = box->GetValue() ? "1" : "0";
            if (now != w.initial)
                wizard_->set_value(f.key, box->GetValue());
            w.initial = now;
        } else if (auto* text = dynamic_cast<wxTextCtrl*>(w.control)) {
            if (w.detail) {
                nlohmann::json address = {{"region", text->GetValue().utf8_string()},
                                          {"detail", w.detail->GetValue().utf8_string()}};
                bool empty = text->IsEmpty() && w.detail->IsEmpty();
                if ((empty ? "null" : address.dump()) != w.initial)
                    wizard_->set_value(f.key, empty ? nlohmann::json() : address);
                w.initial = empty ? "null" : address.dump();
                continue;
            }
            std::string now = text->GetValue().utf8_string();
            if (now == w.initial)
                continue;
            nlohmann::json value = now;
            if (f.type == FieldType::Number || f.type == FieldType::Money) {
                char* end = nullptr;
                double d = std::strtod(now.c_str(), &end);
                if (!now.empty() && end && *end == '\0')
                    value = d;
            } else if (f.type == FieldType::Table || f.type == FieldType::Attachment) {
                value = nlohmann::json::parse(now, nullptr, false);
                if (value.is_discarded())
                    value = now; // the validator names the problem
            }
            wizard_->set_value(f.key, value);
            w.initial = now;
        }
    }
}

void IntakeWizardPanel::update_visibility() {
    form_->Freeze();
    for (auto& w : fields_) {
        bool visible = wizard_->visible(*w.field);
        w.row->Show(visible);
        if (auto* label = form_->FindWindow("label_" + w.field->field.key))
            label->Show(visible);
        wxString label_text = utf8(w.field->field.label.in(lang_));
        if (wizard_->required(*w.field))
            label_text += " *";
        if (auto* label = form_->FindWindow("label_" + w.field->field.key))
            static_cast<wxStaticText*>(label)->SetLabel(label_text);
        wxString error;
        if (auto it = wizard_->field_issues().find(w.field->field.key);
            it != wizard_->field_issues().end())
            for (const auto& issue : it->second)
                error += utf8(issue.message(lang_)) + " ";
        w.error->SetLabel(error);
        w.error->Show(!error.empty());
    }
    form_->FitInside();
    form_->Layout();
    form_->Thaw();
}

void IntakeWizardPanel::build_materials_page() {
    materials_->DestroyChildren();
    auto* s = new wxBoxSizer(wxVERTICAL);
    auto* all = new wxButton(materials_, wxID_ANY, _("&All received"));
    all->SetName("intake_all_received");
    s->Add(all, 0, wxBOTTOM, 8);
    auto* grid = new wxFlexGridSizer(4, wxSize(12, 4));
    grid->AddGrowableCol(0);
    struct Option {
        ow::forms::MaterialStatus status;
        const char* label;
    };
    static const Option options[] = {
        {ow::forms::MaterialStatus::Missing, N_("missing")},
        {ow::forms::MaterialStatus::Received, N_("received")},
        {ow::forms::MaterialStatus::Deferred, N_("follows later (容缺)")},
        {ow::forms::MaterialStatus::ELicense, N_("e-license instead")}};
    for (const auto& row : wizard_->materials()) {
        grid->Add(new wxStaticText(materials_, wxID_ANY, utf8(row.name)), 0,
                  wxALIGN_CENTER_VERTICAL);
        grid->Add(new wxStaticText(materials_, wxID_ANY, tr(necessity_label(row.necessity))), 0,
                  wxALIGN_CENTER_VERTICAL);
        auto* choice = new wxChoice(materials_, wxID_ANY);
        choice->SetName("material_" + row.key);
        int selected = 0;
        for (std::size_t k = 0; k < std::size(options); ++k) {
            if (options[k].status == ow::forms::MaterialStatus::ELicense && row.e_license.empty())
                continue;
            if (options[k].status == ow::forms::MaterialStatus::Deferred &&
                row.necessity != ow::forms::Necessity::Deferrable)
                continue;
            choice->Append(tr(options[k].label), reinterpret_cast<void*>(k));
            if (options[k].status == row.decision.status)
                selected = static_cast<int>(choice->GetCount()) - 1;
        }
        choice->SetSelection(selected);
        std::string key = row.key, license = row.e_license;
        choice->Bind(wxEVT_CHOICE, [this, choice, key, license](wxCommandEvent&) {
            auto k = reinterpret_cast<std::size_t>(
                choice->GetClientData(static_cast<unsigned>(choice->GetSelection())));
            auto status = options[k].status;
            wizard_->set_material(key,
                                  {status, status == ow::forms::MaterialStatus::Received ? 1 : 0,
                                   status == ow::forms::MaterialStatus::ELicense ? license : ""});
        });
        grid->Add(choice);
        auto* scan = new wxButton(materials_, wxID_ANY,
                                  wizard_->has_scans(row.key) ? _("Scan again…") : _("Scan…"));
        scan->SetName("material_scan_" + row.key);
        std::string name = row.name;
        scan->Bind(wxEVT_BUTTON, [this, key, name](wxCommandEvent&) { scan_material(key, name); });
        grid->Add(scan);
    }
    s->Add(grid, 0, wxEXPAND);
    materials_->SetSizer(s);
    materials_->FitInside();
    all->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wizard_->mark_all_received();
        build_materials_page();
    });
    materials_->Layout();
}

void IntakeWizardPanel::build_review_page() {
    wxString text;
    text += _("Applicant:") + " " + utf8(wizard_->applicant_name()) + "  " +
            utf8(wizard_->applicant().identifier) + "\n\n" + _("Items:") + "\n";
    for (const auto& item : wizard_->items())
        text += "  • " + utf8(wizard_->item_name(item, lang_)) + "\n";
    int received = 0, missing = 0;
    for (const auto& row : wizard_->materials()) {
        if (row.decision.status == ow::forms::MaterialStatus::Missing &&
            row.necessity != ow::forms::Necessity::Optional)
            ++missing;
        else
            ++received;
    }
    text +=
        "\n" + wxString::Format(_("Materials: %d in order, %d missing"), received, missing) + "\n";
    wxDateTime promised;
    if (missing == 0 && promised.ParseISODate(utf8(wizard_->promised_date())))
        text += _("Promised completion date:") + " " + format_date(promised) + "\n";
    else if (missing > 0)
        text += _("Materials are missing: the applicant gets the one-time notice.") + "\n";
    review_->SetLabel(text);
    const bool immediate = wizard_->can_complete_on_the_spot();
    complete_here_->Show(immediate);
    complete_here_->SetValue(immediate && wizard_->complete_on_the_spot());
    complete_here_->GetParent()->Layout();
}

void IntakeWizardPanel::go_next() {
    Step before = wizard_->step();
    if (before == Step::Form)
        read_form_values();
    bool ok = wizard_->next();
    Step after = wizard_->step();
    if (!ok && before == Step::Form)
        update_visibility(); // inline errors next to the fields
    if (ok && before != after) {
        if (after == Step::Form)
            build_form_page();
        else if (after == Step::Materials)
            build_materials_page();
        else if (after == Step::Review)
            build_review_page();
        else if (after == Step::Done)
            show_outcome();
    }
    if (before == Step::Applicant)
        wizard_->set_applicant_name(applicant_name_->GetValue().utf8_string());
    show_step();
    // Focus lands in the first field that needs input.
    if (after == Step::Items)
        item_search_->SetFocus();
    else if (after == Step::Form && !fields_.empty())
        fields_.front().control->SetFocus();
}

void IntakeWizardPanel::go_back() {
    if (wizard_->step() == Step::Form)
        read_form_values();
    wizard_->back();
    show_step();
}

void IntakeWizardPanel::scan_material(const std::string& key, const std::string& name) {
    const auto& applicant = wizard_->applicant();
    const char* kind =
        applicant.kind == ow::core::ApplicantLookupPresenter::Kind::Entity ? "entity" : "person";
    ScanDialog dialog(this, session_, {{key, name}}, kind, applicant.identifier,
                      wizard_->applicant_name(), "");
    if (dialog.ShowModal() != wxID_OK)
        return;
    wizard_->set_scans(key, dialog.attachments()); // stored with the case, in one commit
    build_materials_page();
}

void IntakeWizardPanel::show_outcome() {
    if (!wizard_->outcome())
        return;
    const auto& o = *wizard_->outcome();
    wxString label = wxString::Format(_("Case %s: %s"), utf8(o.stored.case_number),
                                      utf8(ow::forms::document_title(o.document_kind)));
    if (o.stored.state == "completed")
        label += "\n" + _("Concluded on the spot.");
    result_->SetLabel(label);
    try {
        const auto png = ow::forms::render_document_preview(o.document_data, 96);
        wxMemoryInputStream in(png.data(), png.size());
        wxImage image(in, wxBITMAP_TYPE_PNG);
        if (image.IsOk())
            preview_image_->SetBitmap(wxBitmap(image));
    } catch (const std::exception&) {
        // The stored PDF is what counts; without a preview the clerk still prints it.
        preview_image_->SetBitmap(wxBitmap(1, 1));
    }
    preview_->FitInside();
    preview_->Scroll(0, 0);
    preview_->GetParent()->Layout();
}

void IntakeWizardPanel::refuse() {
    if (wizard_->step() == Step::Form)
        read_form_values();
    auto grounds = ask_refusal_grounds(this);
    if (!grounds)
        return;
    if (wizard_->refuse(*grounds))
        show_outcome();
    show_step();
}

void IntakeWizardPanel::print_document() {
    const auto* o = outcome();
    if (!o)
        return;
    const bool ok = ow::core::send_to_printer(
        reinterpret_cast<const unsigned char*>(o->document_pdf.data()), o->document_pdf.size());
    wxMessageBox(ok ? _("The document was sent to the printer.")
                    : _("Printing failed: no printer is set up on this computer (CUPS)."),
                 _("Print"), wxOK | (ok ? wxICON_INFORMATION : wxICON_WARNING), this);
}

} // namespace ow::app
