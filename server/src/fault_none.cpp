// The installed server: no crash points (src/fault.cpp is linked into onewindow-server-faults,
// the build the fault tests run).
#include "fault.h"

namespace ow::server {

void fault_point(const char*) {}

} // namespace ow::server
