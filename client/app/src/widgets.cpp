#include "widgets.h"

#include <wx/dialog.h>
#include <wx/listctrl.h>

namespace ow::app {

wxListCtrl* report_list(wxWindow* parent, const char* name, std::initializer_list<wxString> columns,
                        std::initializer_list<int> widths) {
    auto* list = new wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                wxLC_REPORT | wxLC_SINGLE_SEL);
    list->SetName(name);
    auto width = widths.begin();
    int i = 0;
    for (const auto& c : columns)
        list->InsertColumn(i++, c, wxLIST_FORMAT_LEFT, width != widths.end() ? *width++ : 170);
    return list;
}

void close_with_close_button(wxDialog* dialog) {
    dialog->Bind(
        wxEVT_BUTTON,
        [dialog](wxCommandEvent&) {
            if (dialog->IsModal())
                dialog->EndModal(wxID_CLOSE);
            else
                dialog->Destroy();
        },
        wxID_CLOSE);
}

} // namespace ow::app
