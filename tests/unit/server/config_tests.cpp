#include "config.h"
#include "test_support.h"

#include <boost/test/unit_test.hpp>
#include <fstream>

using namespace ow::server;

namespace {
std::filesystem::path write(const test::TempDir& dir, const std::string& text) {
    auto file = dir.path / "server.conf";
    std::ofstream(file) << text;
    return file;
}
} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_follow_the_state_dir) {
    test::TempDir dir;
    auto c = ServerConfig::load(write(dir, "[listen]\nport = 0 # any free port\n[storage]\n"
                                           "state_dir = /srv/ow\n"));
    BOOST_TEST(c.port == 0);
    BOOST_TEST(c.address == "127.0.0.1");
    BOOST_TEST(c.certificate == "/srv/ow/tls/server.crt");
    BOOST_TEST(c.client_ca == "/srv/ow/tls/ca.crt");
    BOOST_TEST(c.log_file == "/srv/ow/log/server.log");
    BOOST_TEST(c.trusted_proxies.empty());
    // What init writes, load reads back.
    auto again = ServerConfig::load(write(dir, c.render()));
    BOOST_TEST(again.state_dir == c.state_dir);
    BOOST_TEST(again.port == c.port);
}

BOOST_AUTO_TEST_CASE(trusted_proxies_and_errors) {
    test::TempDir dir;
    std::string fp = "AB:" + std::string(62, 'c'); // openssl prints upper case with colons
    auto c = ServerConfig::load(write(dir, "[listen]\ntrusted_proxy_sha256 = " + fp + "\n"));
    BOOST_TEST(c.trusted_proxies.count("ab" + std::string(62, 'c')) == 1u);
    BOOST_CHECK_THROW(ServerConfig::load(write(dir, "[listen]\ntrusted_proxy_sha256 = xyz\n")),
                      std::runtime_error);
    BOOST_CHECK_THROW(ServerConfig::load(write(dir, "[listen]\nprot = 1\n")), std::runtime_error);
    BOOST_CHECK_THROW(ServerConfig::load(write(dir, "[listen]\nport = 70000\n")),
                      std::runtime_error);
    BOOST_CHECK_THROW(ServerConfig::load(write(dir, "[storage]\ndatabase = oracle\n")),
                      std::runtime_error);
    BOOST_CHECK_THROW(ServerConfig::load(write(dir, "no equals sign\n")), std::runtime_error);
    BOOST_CHECK_THROW(ServerConfig::load(dir.path / "missing.conf"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
