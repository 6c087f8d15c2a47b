// The third-party libraries this library uses, with their versions (for `onewindow-cli doctor`).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ow::devices {

std::vector<std::pair<std::string, std::string>> library_versions();

} // namespace ow::devices
