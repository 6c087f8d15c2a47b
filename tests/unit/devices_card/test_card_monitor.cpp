// The PC/SC monitor without a service, and the event diff. The monitor against a real pcscd with a
// virtual card is tests/integration/card_monitor.
#define BOOST_TEST_MODULE devices_card
#include "ow/devices/card_monitor.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

using namespace ow::devices;

namespace {

CardReader reader(std::string name, bool card, std::vector<std::uint8_t> atr = {}) {
    CardReader r;
    r.name = std::move(name);
    r.card_present = card;
    r.atr = std::move(atr);
    return r;
}

CardPresence running(std::vector<CardReader> readers) {
    CardPresence p;
    p.service = CardService::Running;
    p.readers = std::move(readers);
    return p;
}

std::string describe(const std::vector<CardEvent>& events) {
    std::string s;
    for (const auto& e : events)
        s += std::string(to_string(e.kind)) + "(" + e.reader + (e.atr_hex.empty() ? "" : "|") +
             e.atr_hex + ") ";
    return s;
}

// Points libpcsclite at a socket nobody listens on, for the lifetime of the fixture.
struct NoPcscd {
    std::filesystem::path dir;
    std::string saved;
    bool had = false;
    NoPcscd() {
        dir = std::filesystem::temp_directory_path() /
              ("ow-nopcscd-" +
               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(dir);
        if (const char* v = std::getenv("PCSCLITE_CSOCK_NAME")) {
            had = true;
            saved = v;
        }
        setenv("PCSCLITE_CSOCK_NAME", (dir / "pcscd.comm").c_str(), 1);
    }
    ~NoPcscd() {
        if (had)
            setenv("PCSCLITE_CSOCK_NAME", saved.c_str(), 1);
        else
            unsetenv("PCSCLITE_CSOCK_NAME");
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(atr_is_printed_as_spaced_hex) {
    BOOST_TEST(reader("r", true, {0x3B, 0x89, 0x00, 0x0A}).atr_hex() == "3B 89 00 0A");
    BOOST_TEST(reader("r", false).atr_hex().empty());
}

BOOST_AUTO_TEST_CASE(events_for_insert_remove_and_hotplug) {
    auto none = running({reader("A", false)});
    auto inserted = running({reader("A", true, {0x3B, 0x01})});
    BOOST_TEST(describe(card_events(none, inserted)) == "card-inserted(A|3B 01) ");
    BOOST_TEST(describe(card_events(inserted, none)) == "card-removed(A) ");
    BOOST_TEST(card_events(inserted, inserted).empty());

    // A second reader appears with a card; then the first is unplugged with its card.
    auto two = running({reader("A", true, {0x3B, 0x01}), reader("B", true, {0x3B, 0x02})});
    BOOST_TEST(describe(card_events(inserted, two)) == "reader-added(B) card-inserted(B|3B 02) ");
    auto only_b = running({reader("B", true, {0x3B, 0x02})});
    BOOST_TEST(describe(card_events(two, only_b)) == "card-removed(A) reader-removed(A) ");

    // A different card between two looks (different ATR) is a removal and an insertion.
    auto swapped = running({reader("A", true, {0x3B, 0x09})});
    BOOST_TEST(describe(card_events(inserted, swapped)) ==
               "card-removed(A) card-inserted(A|3B 09) ");
}

BOOST_AUTO_TEST_CASE(events_when_the_service_comes_and_goes) {
    CardPresence down;
    auto up = running({reader("A", true, {0x3B})});
    BOOST_TEST(describe(card_events(down, up)) ==
               "service-up() reader-added(A) card-inserted(A|3B) ");
    BOOST_TEST(describe(card_events(up, down)) ==
               "card-removed(A) reader-removed(A) service-down() ");
    BOOST_TEST(card_events(down, down).empty());
}

BOOST_AUTO_TEST_CASE(no_pcscd_is_a_state_not_an_error) {
    NoPcscd guard;
    CardMonitor monitor;
    auto p = monitor.snapshot();
    BOOST_TEST(std::string(to_string(p.service)) == "no-service");
    BOOST_TEST(p.readers.empty());
    BOOST_TEST(!p.any_card());
    BOOST_TEST(std::string(to_string(p.service)) == "no-service");

    // Waiting without a service returns after the timeout with the same state.
    auto start = std::chrono::steady_clock::now();
    auto q = monitor.wait_for_change(std::chrono::milliseconds(300));
    auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST(std::string(to_string(q.service)) == "no-service");
    BOOST_TEST((took >= std::chrono::milliseconds(250)));
    BOOST_TEST((took < std::chrono::seconds(3)));
}

BOOST_AUTO_TEST_CASE(cancel_ends_a_wait_early) {
    NoPcscd guard;
    CardMonitor monitor;
    monitor.snapshot();
    monitor.cancel();
    auto start = std::chrono::steady_clock::now();
    monitor.wait_for_change(std::chrono::seconds(10));
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_CASE(watcher_reports_the_first_state_and_stops_promptly) {
    NoPcscd guard;
    std::mutex m;
    std::condition_variable cv;
    std::vector<CardPresence> seen;
    auto start = std::chrono::steady_clock::now();
    {
        CardWatcher watcher([&](const CardPresence& p) {
            std::lock_guard lock(m);
            seen.push_back(p);
            cv.notify_all();
        });
        std::unique_lock lock(m);
        BOOST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return !seen.empty(); }));
    }
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(3)));
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(std::string(to_string(seen[0].service)) == "no-service");
}
