#include "main_frame.h"

#include "area_panels.h"
#include "card_status.h"
#include "intake_wizard_panel.h"
#include "ow/core/sync_engine.h"
#include "ow/forms/documents.h"
#include "translate.h"

#include <wx/button.h>
#include <wx/menu.h>
#include <wx/panel.h>
#include <wx/simplebook.h>
#include <wx/sizer.h>
#include <wx/statusbr.h>

namespace ow::app {

using ow::core::AreaId;

MainFrame::MainFrame(std::unique_ptr<ow::core::Session> session, OnLogout on_logout)
    : wxFrame(nullptr, wxID_ANY, _("OneWindow"), wxDefaultPosition, wxSize(1280, 760)),
      session_(std::move(session)), shell_(*session_), on_logout_(std::move(on_logout)) {
    SetName("main_frame");
    SetTitle(wxString::Format(_("OneWindow — workstation %s"), utf8(session_->workstation_code())));
    auto* root = new wxPanel(this);
    auto* row = new wxBoxSizer(wxHORIZONTAL);

    // Navigation rail: only the areas the role may use (the services check again).
    auto* rail = new wxPanel(root);
    rail->SetName("nav_rail");
    rail->SetBackgroundColour(wxColour(0x26, 0x3A, 0x5A));
    auto* rail_sizer = new wxBoxSizer(wxVERTICAL);
    book_ = new wxSimplebook(root);
    book_->SetName("area_book");
    for (const auto& area : shell_.areas()) {
        wxString label = tr(area.label);
        if (!area.shortcut.empty())
            label += "  (" + utf8(area.shortcut) + ")";
        auto* button = new wxButton(rail, wxID_ANY, label, wxDefaultPosition, wxSize(150, 44),
                                    wxBORDER_NONE | wxBU_LEFT);
        button->SetName("nav_" + area.key);
        button->SetForegroundColour(*wxWHITE);
        button->SetBackgroundColour(rail->GetBackgroundColour());
        rail_sizer->Add(button, 0, wxEXPAND | wxTOP, 2);
        nav_[area.id] = button;
        wxWindow* page = create_area_panel(book_, area, *session_);
        page->SetName("area_" + area.key);
        pages_[area.id] = static_cast<int>(book_->GetPageCount());
        book_->AddPage(page, tr(area.label));
        AreaId id = area.id;
        button->Bind(wxEVT_BUTTON, [this, id](wxCommandEvent&) { show_area(id); });
    }
    rail->SetSizer(rail_sizer);
    row->Add(rail, 0, wxEXPAND);
    row->Add(book_, 1, wxEXPAND | wxALL, 12);
    root->SetSizer(row);

    CreateStatusBar(3);
    int widths[] = {-1, 260, 220};
    GetStatusBar()->SetStatusWidths(3, widths);
    GetStatusBar()->SetName("status_bar");
    new CardStatusIndicator(GetStatusBar()); // the smart card's field, kept current
    build_menu();
    update_status();
    status_timer_.SetOwner(this);
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { update_status(); });
    status_timer_.Start(5000);
    if (!shell_.areas().empty())
        show_area(shell_.areas().front().id);
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
        if (!close_areas(e.CanVeto())) {
            e.Veto();
            return;
        }
        Destroy();
        wxTheApp->ExitMainLoop();
    });
    Centre();
    // Once the frame is up: load what the first receipt or decision would otherwise pay for
    // (document libraries, fonts), so that it prints as fast as the next ones.
    CallAfter([] {
        try {
            ow::forms::warm_up_rendering();
        } catch (const std::exception&) {
            // Reported when a document is rendered for real.
        }
    });
}

MainFrame::~MainFrame() = default;

void MainFrame::build_menu() {
    auto* bar = new wxMenuBar();
    auto* file = new wxMenu();
    file->Append(wxID_CLOSE, _("&Log out\tCtrl+L"));
    file->Append(wxID_EXIT, _("&Quit\tCtrl+Q"));
    bar->Append(file, _("&Workstation"));
    auto* go = new wxMenu();
    for (const auto& area : shell_.areas()) {
        wxString item = tr(area.label);
        if (!area.shortcut.empty())
            item += "\t" + utf8(area.shortcut);
        int id = wxWindow::NewControlId();
        go->Append(id, item);
        AreaId area_id = area.id;
        Bind(
            wxEVT_MENU, [this, area_id](wxCommandEvent&) { show_area(area_id); }, id);
    }
    bar->Append(go, _("&Go"));
    SetMenuBar(bar);
    Bind(
        wxEVT_MENU, [this](wxCommandEvent&) { logout(); }, wxID_CLOSE);
    Bind(
        wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
}

void MainFrame::show_area(AreaId id) {
    auto it = pages_.find(id);
    if (it == pages_.end())
        return; // the role may not open it: the rail never showed it
    book_->ChangeSelection(static_cast<std::size_t>(it->second));
    for (auto& [area, button] : nav_) {
        bool active = area == id;
        button->SetBackgroundColour(active ? wxColour(0x3D, 0x6F, 0xB6)
                                           : wxColour(0x26, 0x3A, 0x5A));
        button->Refresh();
    }
    if (auto* panel =
            dynamic_cast<AreaPanel*>(book_->GetPage(static_cast<std::size_t>(it->second))))
        panel->refresh();
}

void MainFrame::update_status() {
    // Only indicators whose feature works appear here (ui.md): user and role, and the date.
    SetStatusText(utf8(shell_.user_display_name()) + " · " +
                      tr(ow::core::ShellPresenter::role_label(shell_.role())),
                  0);
    // Sync: online/offline (the last run's outcome) and the changes still waiting.
    try {
        auto sync = ow::core::read_sync_status(*session_);
        wxString state = !sync.enrolled ? _("Sync: not set up")
                         : sync.online  ? _("Online")
                                        : _("Offline");
        SetStatusText(
            wxString::Format(_("%s · %lld pending"), state, static_cast<long long>(sync.pending)),
            1);
    } catch (const ow::core::CoreError&) {
        SetStatusText("", 1);
    }
    SetStatusText(format_date(wxDateTime::Now()), 2);
}

bool MainFrame::close_areas(bool may_cancel) {
    for (std::size_t i = 0; i < book_->GetPageCount(); ++i)
        if (auto* intake = dynamic_cast<IntakeWizardPanel*>(book_->GetPage(i)))
            if (!intake->keep_draft_before_closing(may_cancel))
                return false;
    status_timer_.Stop();
    // Now rather than in the frame's destructor: a file picker's dialog asks its parent frame
    // whether it is being deleted when it goes, and a half-destroyed frame cannot answer.
    book_->DeleteAllPages();
    pages_.clear();
    return true;
}

void MainFrame::logout() {
    if (!close_areas(true))
        return;
    auto callback = on_logout_;
    callback(); // shows the login dialog first, so the application does not end
    Destroy();
}

} // namespace ow::app
