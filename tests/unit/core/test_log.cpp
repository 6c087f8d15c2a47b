// The log's own formatter (ow/core/log.h): "{}" and "{:.Nf}" placeholders, the rest verbatim; and
// lines reach the file only after open_file.
#include "fixture.h"
#include "ow/core/log.h"

#include <boost/test/unit_test.hpp>

using ow::core::log::detail::format;

BOOST_AUTO_TEST_SUITE(log_lines)

BOOST_AUTO_TEST_CASE(placeholders_are_filled_in_order) {
    BOOST_TEST(format("plain text") == "plain text");
    BOOST_TEST(format("case {} by {}", 42, std::string("clerk1")) == "case 42 by clerk1");
    BOOST_TEST(format("render={:.1f} ms seal={:.2f} ms", 12.345, 0.5) ==
               "render=12.3 ms seal=0.50 ms");
    BOOST_TEST(format("{:.0f} MiB available{}", 62669.7, "") == "62670 MiB available");
    BOOST_TEST(format("{:.1f} then {}", 1.25, 12.345) == "1.2 then 12.345"); // no leak
    static_assert(ow::core::log::detail::count_placeholders("a {} b {:.2f}") == 2);
}

BOOST_AUTO_TEST_CASE(lines_go_to_the_file_once_it_is_open) {
    ow::test::TempDir dir;
    ow::core::log::open_file(dir.path / "logs");
    BOOST_TEST(ow::core::log::enabled());
    ow::core::log::info("test line: case={} items={}", "C-1", 3);
    std::string text = ow::test::slurp(dir.path / "logs" / "onewindow.log");
    BOOST_TEST(text.find("info") != std::string::npos);
    BOOST_TEST(text.find("test line: case=C-1 items=3") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
