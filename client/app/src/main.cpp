// onewindow: the workstation GUI.
#include "app.h"

wxIMPLEMENT_APP_NO_MAIN(ow::app::App);

int main(int argc, char** argv) {
    return ow::app::run_gui(argc, argv);
}
