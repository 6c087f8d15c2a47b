// Deterministic synthetic reference data for tests and benchmarks of the server: the same seed and
// index give the same record everywhere. ID numbers pass GB 11643 and USCCs pass GB 32100; every
// index gives a distinct key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ow::server {

class DemoRecords {
public:
    explicit DemoRecords(std::uint64_t seed) : seed_(seed) {}
    nlohmann::json person(std::size_t index) const;
    nlohmann::json entity(std::size_t index) const;

private:
    std::uint64_t seed_;
};

char gb11643_check(const std::string& first17);
char gb32100_check(const std::string& first17);

} // namespace ow::server
