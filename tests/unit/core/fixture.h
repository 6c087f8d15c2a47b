// A throwaway workstation for core tests: admin "admin", clerk "clerk1", officer "officer1".
#pragma once

#include "ow/core/intake_service.h"
#include "ow/core/secret.h"
#include "ow/core/workstation.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace ow::test {

struct TempDir {
    TempDir();
    ~TempDir();
    std::filesystem::path path;
};

inline ow::core::SecretString pw(const char* s) {
    return ow::core::SecretString(s);
}

struct WorkstationFixture {
    WorkstationFixture();
    std::unique_ptr<ow::core::Session> login(const std::string& user, const char* password);
    std::unique_ptr<ow::core::Session> admin() { return login("admin", "admin-pass-1"); }
    std::unique_ptr<ow::core::Session> clerk() { return login("clerk1", "clerk-pass-1"); }
    std::unique_ptr<ow::core::Session> officer() { return login("officer1", "officer-pass-1"); }
    TempDir dir;
};

// Reads a whole file as bytes (for "unchanged" and "no plaintext" checks).
std::string slurp(const std::filesystem::path& path);

// The shipped demo catalog (forms/data/catalog), loaded once.
const ow::forms::Catalog& catalog();
// The 开办餐饮店 bundle (OW-YJS-0001) taken in with tests/data/intake/FILE.
ow::core::IntakeRequest restaurant(const char* file = "restaurant-complete.json");
// The single integer a query returns, e.g. "SELECT count(*) FROM cases".
std::int64_t count(ow::core::Session& session, const std::string& sql);

} // namespace ow::test
