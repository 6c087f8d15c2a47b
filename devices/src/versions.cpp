#include "ow/devices/versions.h"

#include "ow/devices/card_monitor.h"

namespace ow::devices {

// Each device family appends its libraries here as it is added (PC/SC, SANE, leptonica, …).
std::vector<std::pair<std::string, std::string>> library_versions() {
    std::vector<std::pair<std::string, std::string>> versions;
    versions.emplace_back("PC/SC", pcsc_library_version());
    return versions;
}

} // namespace ow::devices
