// Small building blocks the GUI's windows share.
#pragma once

#include <initializer_list>
#include <wx/string.h>

class wxDialog;
class wxListCtrl;
class wxWindow;

namespace ow::app {

// A single-selection report list named `name` (tests find it by that name). `widths` gives the
// columns' widths in order; columns without one are 170 px wide.
wxListCtrl* report_list(wxWindow* parent, const char* name, std::initializer_list<wxString> columns,
                        std::initializer_list<int> widths = {});

// The dialog's wxID_CLOSE button closes it, shown modally (EndModal) or not (Destroy).
void close_with_close_button(wxDialog* dialog);

} // namespace ow::app
