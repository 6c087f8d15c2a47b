#include "fault.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ow::server {

void fault_point(const char* name) {
    static const char* spec = std::getenv("OW_SERVER_CRASH_AT");
    if (!spec || !*spec)
        return;
    static std::atomic<long> passed{0};
    std::string s(spec);
    auto colon = s.find(':');
    std::string point = s.substr(0, colon);
    long n = colon == std::string::npos ? 1 : std::atol(s.c_str() + colon + 1);
    if (point != name)
        return;
    if (++passed >= n)
        std::raise(SIGKILL);
}

} // namespace ow::server
