#include "ow/devices/versions.h"

namespace ow::devices {

// Each device family appends its libraries here as it is added (PC/SC, SANE, leptonica, …).
std::vector<std::pair<std::string, std::string>> library_versions() {
    return {};
}

} // namespace ow::devices
