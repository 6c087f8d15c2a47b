// The real SANE `test` backend through the Scanner interface (SANE_CONFIG_DIR set by run.sh to a
// private config with only `test` and geometry_max 300): flatbed, a 10-page ADF batch, jam / cover
// open / out of documents injected (before the first page and in the middle of a batch: the pages
// already scanned are kept), a slow scan cancelled halfway, a device that is not there.
#define BOOST_TEST_MODULE integration_scan
#include "ow/core/scan_job.h"
#include "ow/devices/page_pipeline.h"
#include "ow/devices/scanner.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

using namespace ow::devices;

namespace {

ScanSettings a4(ScanSource source, ColorMode mode = ColorMode::Gray, int dpi = 150) {
    ScanSettings s;
    s.source = source;
    s.mode = mode;
    s.resolution_dpi = dpi;
    s.area = ScanArea{0, 0, 210, 297};
    // The test backend keeps option values across open/close: state every fault option.
    s.device_options = {
        {"test-picture", "Grid"}, {"read-return-value", "Default"}, {"read-delay", "no"}};
    return s;
}

struct SaneFixture {
    SaneFixture() {
        BOOST_REQUIRE_MESSAGE(std::getenv("SANE_CONFIG_DIR"),
                              "run through run.sh (private SANE_CONFIG_DIR)");
        scanner = make_sane_scanner();
    }
    std::unique_ptr<Scanner> scanner;
    std::atomic<bool> cancel{false};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sane_test_device, SaneFixture)

BOOST_AUTO_TEST_CASE(lists_the_test_devices_and_their_capabilities) {
    auto devices = scanner->list_devices();
    BOOST_REQUIRE(devices.size() >= 1u);
    BOOST_TEST(devices[0].name == "test:0");
    auto device = scanner->open("test:0");
    auto caps = device->capabilities();
    BOOST_TEST((std::find(caps.sources.begin(), caps.sources.end(), ScanSource::Adf) !=
                caps.sources.end()));
    BOOST_TEST((std::find(caps.sources.begin(), caps.sources.end(), ScanSource::Duplex) ==
                caps.sources.end()));
    BOOST_TEST(caps.max_height_mm >= 297.0); // geometry_max 300 from the private config
    BOOST_TEST(
        (std::find(caps.modes.begin(), caps.modes.end(), ColorMode::Lineart) != caps.modes.end()));
    auto options = device->options();
    BOOST_TEST((std::find_if(options.begin(), options.end(), [](const ScanOption& o) {
                    return o.name == "test-picture";
                }) != options.end()));
    BOOST_CHECK_THROW(device->set_option("no-such-option", "1"), ScanError);
}

BOOST_AUTO_TEST_CASE(flatbed_page_a4_grey_and_lineart) {
    auto device = scanner->open("test:0");
    device->apply(a4(ScanSource::Flatbed));
    int progress_calls = 0;
    auto batch = device->scan([&](const ScanProgress&) { ++progress_calls; }, {}, cancel);
    BOOST_TEST(!batch.error.has_value());
    BOOST_REQUIRE(batch.pages.size() == 1u);
    BOOST_TEST(batch.pages[0].width == 1240);  // 210 mm at 150 dpi
    BOOST_TEST(batch.pages[0].height >= 1752); // 297 mm, rounded down by the backend
    BOOST_TEST(progress_calls > 1);
    auto image = PageImage::from_raw(batch.pages[0]);
    BOOST_TEST(!is_blank(image)); // a grid is not a blank page

    device->apply(a4(ScanSource::Flatbed, ColorMode::Lineart));
    auto lineart = device->scan({}, {}, cancel);
    BOOST_REQUIRE(lineart.pages.size() == 1u);
    BOOST_TEST(lineart.pages[0].bits_per_sample == 1);
    BOOST_TEST(PageImage::from_raw(lineart.pages[0]).depth() == 1);

    // A white sheet is recognised as blank.
    auto white = a4(ScanSource::Flatbed);
    white.device_options.emplace_back("test-picture", "Solid white");
    device->apply(white);
    auto blank = device->scan({}, {}, cancel);
    BOOST_REQUIRE(blank.pages.size() == 1u);
    BOOST_TEST(is_blank(PageImage::from_raw(blank.pages[0])));
}

BOOST_AUTO_TEST_CASE(adf_batch_of_ten_pages_ends_normally) {
    auto device = scanner->open("test:0");
    device->apply(a4(ScanSource::Adf));
    int delivered = 0;
    auto batch = device->scan(
        {}, [&](const RawPage&) { ++delivered; }, cancel);
    BOOST_TEST(batch.pages.size() == 10u);
    BOOST_TEST(delivered == 10);
    BOOST_TEST(!batch.error.has_value()); // the empty feeder after pages is the end, not an error
    // max_pages stops early.
    auto four = a4(ScanSource::Adf);
    four.max_pages = 4;
    auto again = scanner->open("test:1");
    again->apply(four);
    BOOST_TEST(again->scan({}, {}, cancel).pages.size() == 4u);
}

BOOST_AUTO_TEST_CASE(injected_errors_are_typed) {
    const std::pair<const char*, ScanErrorKind> cases[] = {
        {"SANE_STATUS_JAMMED", ScanErrorKind::Jammed},
        {"SANE_STATUS_COVER_OPEN", ScanErrorKind::CoverOpen},
        {"SANE_STATUS_NO_DOCS", ScanErrorKind::NoDocuments},
        {"SANE_STATUS_IO_ERROR", ScanErrorKind::DeviceGone},
    };
    for (const auto& [value, kind] : cases) {
        auto device = scanner->open("test:0");
        auto settings = a4(ScanSource::Adf);
        settings.device_options.emplace_back("read-return-value", value);
        device->apply(settings);
        auto batch = device->scan({}, {}, cancel);
        BOOST_TEST(batch.pages.empty(), value);
        BOOST_REQUIRE_MESSAGE(batch.error.has_value(), value);
        BOOST_TEST((*batch.error == kind), value << " gave " << to_string(*batch.error));
        BOOST_TEST(std::string(ScanError::message_for(kind)).size() > 20u);
    }
}

BOOST_AUTO_TEST_CASE(a_jam_in_the_middle_of_a_batch_keeps_the_pages_before_it) {
    for (const char* fault : {"SANE_STATUS_JAMMED", "SANE_STATUS_COVER_OPEN"}) {
        auto device = scanner->open("test:0");
        device->apply(a4(ScanSource::Adf));
        int delivered = 0;
        // After the third sheet the paper jams (the option takes effect at the next sheet).
        auto batch = device->scan(
            {},
            [&](const RawPage&) {
                if (++delivered == 3)
                    device->set_option("read-return-value", fault);
            },
            cancel);
        BOOST_TEST(batch.pages.size() == 3u, fault);
        BOOST_REQUIRE(batch.error.has_value());
        BOOST_TEST(
            to_string(*batch.error) ==
            std::string(fault == std::string("SANE_STATUS_JAMMED") ? "jammed" : "cover-open"));
    }
}

BOOST_AUTO_TEST_CASE(a_slow_scan_is_cancelled_halfway) {
    auto device = scanner->open("test:0");
    auto settings = a4(ScanSource::Adf, ColorMode::Gray, 150);
    settings.device_options.emplace_back("read-delay", "yes");
    settings.device_options.emplace_back("read-delay-duration", "20000");
    device->apply(settings);
    double last_fraction = 0;
    int pages = 0;
    const auto start = std::chrono::steady_clock::now();
    auto batch = device->scan(
        [&](const ScanProgress& p) {
            last_fraction = p.fraction;
            if (p.page == 2 && p.fraction >= 0.5)
                cancel.store(true); // halfway through the second sheet
        },
        [&](const RawPage&) { ++pages; }, cancel);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE("cancelled after " << seconds << " s at " << last_fraction);
    BOOST_REQUIRE(batch.error.has_value());
    BOOST_TEST((*batch.error == ScanErrorKind::Cancelled));
    BOOST_TEST(batch.pages.size() == 1u); // the first sheet is kept
    BOOST_TEST(last_fraction < 0.9);
    BOOST_TEST(seconds < 30.0);
    // The device is usable again afterwards.
    cancel.store(false);
    device.reset();
    auto fresh = scanner->open("test:0");
    fresh->apply(a4(ScanSource::Flatbed));
    BOOST_TEST(fresh->scan({}, {}, cancel).pages.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_device_that_is_not_there) {
    try {
        scanner->open("test:7");
        BOOST_FAIL("opened a device that does not exist");
    } catch (const ScanError& e) {
        BOOST_TEST((e.kind() == ScanErrorKind::NoDevice || e.kind() == ScanErrorKind::Invalid ||
                    e.kind() == ScanErrorKind::DeviceGone));
    }
    auto device = scanner->open("test:0");
    auto duplex = a4(ScanSource::Duplex);
    BOOST_CHECK_THROW(device->apply(duplex), ScanError); // the test device has no duplex
}

BOOST_AUTO_TEST_CASE(scan_job_runs_the_pipeline_as_pages_arrive) {
    auto request = ow::core::scan_preset("text", 150);
    request.device = "test:0";
    request.settings.source = ScanSource::Adf;
    request.settings.area = ScanArea{};
    request.settings.device_options = {{"test-picture", "Grid"}};
    std::vector<int> ready;
    ow::core::ScanJobEvents events;
    events.page_ready = [&](const ScannedPage& page, int n) {
        ready.push_back(n);
        BOOST_TEST(!page.thumbnail.empty());
        BOOST_TEST((page.encoded.encoding == EncodedPage::Encoding::CcittG4));
    };
    auto outcome = ow::core::run_scan(*scanner, request, events, cancel);
    BOOST_TEST(outcome.complete());
    BOOST_TEST(outcome.pages.size() == 10u);
    BOOST_TEST(ready.size() == 10u);
}

BOOST_AUTO_TEST_SUITE_END()
