// The intake wizard (申请人 → 事项 → 表单 → 材料 → 确认): widgets over IntakeWizardPresenter.
#pragma once

#include "area_panels.h"
#include "ow/core/intake_wizard.h"
#include "ow/core/scan_service.h"

#include <map>
#include <memory>
#include <wx/timer.h>

class wxSimplebook;
class wxStaticText;
class wxTextCtrl;
class wxListBox;
class wxButton;
class wxCheckBox;
class wxStaticBitmap;
class wxPanel;
class wxScrolledWindow;

namespace ow::app {

class IntakeWizardPanel : public AreaPanel {
public:
    // Keeps the intake in progress as a draft before the frame closes (log out, quit). False when
    // it could not be kept and the clerk chose to stay; may_cancel false: never asks.
    bool keep_draft_before_closing(bool may_cancel);
    // Each new intake takes the catalog and calendar in force at its start (synced from the
    // server, else shipped); an intake in progress keeps the ones it started with.
    IntakeWizardPanel(wxWindow* parent, ow::core::Session& session);
    void refresh() override;
    // The last submitted case's document (for printing, and for the GUI test's artifacts).
    const ow::core::IntakeOutcome* outcome() const;
    // From the Licenses area: an e-license of the applicant stands in for the paper copies it
    // can replace in the intake in progress. Returns the names of those materials.
    std::vector<std::string> use_e_license(const std::string& license_id,
                                           const std::string& holder_id,
                                           const std::string& type_code,
                                           const std::string& type_name);

private:
    void build_pages();
    void go_next();
    void go_back();
    void show_step();
    void start_over();
    void look_up();
    void search_items();
    void add_selected_item();
    void remove_selected_item();
    void build_form_page();
    void read_form_values();
    void update_visibility();
    void build_materials_page();
    void build_review_page();
    void print_document();
    void scan_material(const std::string& key, const std::string& name);
    void refuse();
    void show_outcome();
    void offer_draft();
    void resume_draft();
    void keep_draft();

    std::shared_ptr<const ow::forms::Catalog> catalog_;
    std::shared_ptr<const ow::forms::WorkingCalendar> calendar_;
    std::unique_ptr<ow::core::IntakeWizardPresenter> wizard_;
    std::string lang_;

    wxStaticText* stepper_ = nullptr;
    wxPanel* draft_bar_ = nullptr; // "an intake in progress was kept": resume or discard
    wxStaticText* draft_text_ = nullptr;
    wxTimer draft_timer_;
    wxSimplebook* book_ = nullptr;
    wxStaticText* problems_ = nullptr;
    wxButton* back_ = nullptr;
    wxButton* next_ = nullptr;

    // Applicant page
    wxTextCtrl* applicant_input_ = nullptr;
    wxStaticText* applicant_message_ = nullptr;
    wxStaticText* applicant_card_ = nullptr;
    wxTextCtrl* applicant_name_ = nullptr;
    // Items page
    wxTextCtrl* item_search_ = nullptr;
    wxListBox* item_results_ = nullptr;
    wxListBox* items_chosen_ = nullptr;
    std::vector<std::string> result_codes_; // "item:CODE" / "bundle:CODE"
    // Form page
    wxScrolledWindow* form_ = nullptr;
    struct FieldWidgets {
        const ow::forms::MergedField* field = nullptr;
        wxWindow* row = nullptr;
        wxWindow* control = nullptr;
        wxTextCtrl* detail = nullptr; // address: the street part
        wxButton* picker = nullptr;   // address: opens the region picker
        wxStaticText* error = nullptr;
        std::string initial; // what the control showed when built
    };
    std::vector<FieldWidgets> fields_;
    // Materials page
    wxScrolledWindow* materials_ = nullptr;
    // Pages scanned in the materials step, attached once the case exists (by material key).
    // Review / done pages
    wxStaticText* review_ = nullptr;
    wxCheckBox* complete_here_ = nullptr;
    wxStaticText* result_ = nullptr;
    wxScrolledWindow* preview_ = nullptr;
    wxStaticBitmap* preview_image_ = nullptr;
};

} // namespace ow::app
