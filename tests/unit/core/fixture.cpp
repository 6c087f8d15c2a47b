#include "fixture.h"

#include "ow/core/user_service.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ow::test {

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ow-test-XXXXXX").string();
    path = mkdtemp(templ.data());
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

WorkstationFixture::WorkstationFixture() {
    ow::core::InitOptions options;
    options.admin_name = "admin";
    options.kdf_target_ms = 1; // fast tests; the calibration itself is tested separately
    ow::core::Workstation::initialise(dir.path / "ws", options, pw("admin-pass-1"));
    auto session = admin();
    ow::core::UserService users(*session);
    users.add("clerk1", "张三", ow::core::Role::Clerk, pw("clerk-pass-1"));
    users.add("officer1", "李四", ow::core::Role::Officer, pw("officer-pass-1"));
}

std::unique_ptr<ow::core::Session> WorkstationFixture::login(const std::string& user,
                                                             const char* password) {
    return ow::core::Workstation::login(dir.path / "ws", user, pw(password));
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace ow::test
