#include "fixture.h"

#include "ow/core/database.h"
#include "ow/core/user_service.h"
#include "ow/core/util.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
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

const ow::forms::Catalog& catalog() {
    static const ow::forms::Catalog c = ow::forms::Catalog::load_directory(
        std::filesystem::path(OW_SOURCE_DIR) / "forms/data/catalog");
    return c;
}

ow::core::IntakeRequest restaurant(const char* file) {
    auto data = nlohmann::json::parse(
        ow::core::read_file(std::filesystem::path(OW_SOURCE_DIR) / "tests/data/intake" / file));
    ow::core::IntakeRequest r;
    r.items = catalog().find_bundle("OW-YJS-0001")->items;
    r.applicant_kind = data["applicant"]["kind"];
    r.applicant_id = data["applicant"]["id"];
    r.applicant_name = data["applicant"]["name"];
    r.values = data["values"];
    if (data.contains("materials"))
        for (auto it = data["materials"].begin(); it != data["materials"].end(); ++it)
            r.materials[it.key()] = {it->value("status", "") == "deferred"
                                         ? ow::forms::MaterialStatus::Deferred
                                         : ow::forms::MaterialStatus::Received,
                                     it->value("pages", 0), ""};
    return r;
}

std::int64_t count(ow::core::Session& session, const std::string& sql) {
    auto st = session.db().prepare(sql);
    st.step();
    return st.int64(0);
}

} // namespace ow::test
