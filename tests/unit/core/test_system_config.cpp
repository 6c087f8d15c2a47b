#include "ow/core/system_config.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

using ow::core::SystemConfig;

BOOST_AUTO_TEST_SUITE(system_config)

BOOST_AUTO_TEST_CASE(reads_what_it_pre_seeds_and_reports_typos_without_failing) {
    const auto config = SystemConfig::parse(R"(# pre-seeded by IT
[server]
url = https://onewindow.center.example:8443   # the center's server
timeout = 12
colour = blue
[signing]
pkcs11_module=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
[devices
scan_dpi = three hundred
just words
[ui]
language =
)",
                                            "onewindow.conf");
    BOOST_TEST(config.exists());
    BOOST_TEST(config.get_or("server.url", "") == "https://onewindow.center.example:8443");
    BOOST_TEST(config.get_int("server.timeout", 30) == 12);
    BOOST_TEST(config.get_or("signing.pkcs11_module", "") ==
               "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so");
    BOOST_TEST(!config.get("ui.language").has_value()); // empty = the built-in default
    BOOST_TEST(!config.get("server.colour").has_value());
    // The broken section header leaves the following keys in [signing], where scan_dpi is
    // unknown; every problem names its line.
    BOOST_TEST(config.problems().size() == 4u);
    BOOST_TEST(config.problems().front().find("onewindow.conf:5") != std::string::npos,
               config.problems().front());
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_empty_configuration) {
    const auto config = SystemConfig::load("/nonexistent/onewindow.conf");
    BOOST_TEST(!config.exists());
    BOOST_TEST(config.size() == 0u);
    BOOST_TEST(config.problems().empty());
    BOOST_TEST(config.get_int("devices.scan_dpi", 300) == 300);
}

BOOST_AUTO_TEST_CASE(the_shipped_file_is_all_comments_and_all_known) {
    // installer/debian/onewindow.conf documents every key with its default, commented out.
    const auto path =
        std::filesystem::path(OW_SOURCE_DIR) / "installer" / "debian" / "onewindow.conf";
    const auto shipped = SystemConfig::load(path);
    BOOST_TEST(shipped.exists());
    BOOST_TEST(shipped.size() == 0u);
    BOOST_TEST(shipped.problems().empty());
    // Uncommenting every "#key = value" line gives only keys this version understands.
    std::ifstream in(path);
    std::string text, line;
    while (std::getline(in, line))
        text +=
            (line.size() > 1 && line[0] == '#' && line[1] != ' ' ? line.substr(1) : line) + "\n";
    const auto uncommented = SystemConfig::parse(text, path.string());
    BOOST_TEST(uncommented.problems().empty());
    BOOST_TEST(uncommented.size() >= 8u);
}

BOOST_AUTO_TEST_SUITE_END()
