// The GUI self-test (`onewindow-selftest --selftest DIR`, never installed), run under Xvfb by
// CTest: it drives the real windows with wxUIActionSimulator (XTest), checks what each role sees,
// and saves screenshots.
// It expects the demo workstation of scripts/run (clerk / clerk-demo, officer / officer-demo).
#pragma once

#include <filesystem>

namespace ow::app {

class App;

// Returns the number of failed checks; closes every window at the end.
int run_selftest(App& app, const std::filesystem::path& out_dir);

} // namespace ow::app
