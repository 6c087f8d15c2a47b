// Workstation health report: library versions, the encrypted cache, disk, paths. Used by
// `onewindow-cli doctor` and the GUI's Settings area.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ow::core {

class Session;

struct HealthCheck {
    enum class Status { Ok, Warning, Failed, NotChecked };
    std::string name;
    Status status;
    std::string detail;
};

const char* to_string(HealthCheck::Status status);

struct LibraryVersion {
    std::string name;
    std::string version;
};

// Versions of the libraries linked into this program (leaf libraries add theirs).
std::vector<LibraryVersion> library_versions();

// Checks that need no login. `session` may be null; with it, the cache itself is checked too.
std::vector<HealthCheck> run_health_checks(const std::filesystem::path& data_dir, Session* session);

} // namespace ow::core
