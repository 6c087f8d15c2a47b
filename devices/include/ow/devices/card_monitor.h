// Smart-card presence through PC/SC (pcsc-lite on Linux, WinSCard on Windows): which readers are
// attached, whether a card sits in each and its ATR, and the changes as they happen
// (SCardGetStatusChange, with the "\\?PnP?\Notification" pseudo-reader for reader hot-plug).
// A missing PC/SC service is a state (NoService), never an exception: the status bar shows it and
// the monitor reconnects when the service comes back. libpcsclite finds the daemon through
// PCSCLITE_CSOCK_NAME when it is set; nothing here names a socket path.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ow::devices {

enum class CardService {
    Running,   // the PC/SC service answered
    NoService, // no PC/SC service (pcscd not running or unreachable)
    Error,     // the service answered with an error we cannot classify (see CardPresence::error)
};
const char* to_string(CardService service); // "running", "no-service", "error"

struct CardReader {
    std::string name;
    bool card_present = false;
    bool card_mute = false;   // a card is inserted but does not answer (no ATR)
    bool card_in_use = false; // another application holds it exclusively
    std::vector<std::uint8_t> atr;
    std::string atr_hex() const; // "3B 89 00 …", empty without a card
};

struct CardPresence {
    CardService service = CardService::NoService;
    std::vector<CardReader> readers; // sorted by name
    std::string error;               // PC/SC's text for CardService::Error
    bool any_card() const;
    bool operator==(const CardPresence& other) const;
};

enum class CardEventKind {
    ServiceUp,
    ServiceDown,
    ReaderAdded,
    ReaderRemoved,
    CardInserted,
    CardRemoved,
};
const char* to_string(CardEventKind kind); // "service-up", "card-inserted", …

struct CardEvent {
    CardEventKind kind;
    std::string reader;  // empty for service events
    std::string atr_hex; // CardInserted only
};

// What changed between two snapshots, in a stable order (service, readers, cards).
std::vector<CardEvent> card_events(const CardPresence& before, const CardPresence& after);

// One PC/SC context. Not thread-safe, except cancel(), which may be called from any thread.
class CardMonitor {
public:
    CardMonitor();
    ~CardMonitor();
    CardMonitor(const CardMonitor&) = delete;
    CardMonitor& operator=(const CardMonitor&) = delete;

    // The current state (connects to the service when needed).
    CardPresence snapshot();
    // Blocks until something differs from the last state returned, `timeout` passes, or cancel()
    // is called; returns the state then. Without a service it retries the connection and returns
    // at the latest after `timeout`.
    CardPresence wait_for_change(std::chrono::milliseconds timeout);
    // Makes a running wait_for_change() return soon.
    void cancel();

private:
    bool connect();
    void release();
    CardPresence read_state(bool& service_lost);

    std::intptr_t context_ = 0;
    bool have_context_ = false;
    CardPresence last_;
    std::mutex mutex_; // guards context_/have_context_ against cancel()
    bool cancelled_ = false;
    std::condition_variable cancel_cv_;
};

// A CardMonitor on its own thread: `on_change` is called (on that thread) with the first state and
// after each change. stop() (or the destructor) ends the thread promptly.
class CardWatcher {
public:
    using Callback = std::function<void(const CardPresence&)>;
    explicit CardWatcher(Callback on_change);
    ~CardWatcher();
    CardWatcher(const CardWatcher&) = delete;
    CardWatcher& operator=(const CardWatcher&) = delete;
    void stop();

private:
    void run();
    Callback on_change_;
    CardMonitor monitor_;
    std::mutex mutex_;
    bool stopping_ = false;
    std::thread thread_;
};

// "pcsc-lite 1.9.9" for the versions list.
std::string pcsc_library_version();

} // namespace ow::devices
