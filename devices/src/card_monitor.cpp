#include "ow/devices/card_monitor.h"

#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <algorithm>
#include <cstring>
#include <dlfcn.h>
#include <map>

namespace ow::devices {
namespace {

// libpcsclite is loaded when the first monitor connects, not linked: every onewindow-cli command
// would otherwise map and bind it at start-up. The library honours PCSCLITE_CSOCK_NAME itself.
#define OW_PCSC_FUNCTIONS(X)                                                                       \
    X(SCardEstablishContext)                                                                       \
    X(SCardReleaseContext)                                                                         \
    X(SCardCancel)                                                                                 \
    X(SCardListReaders)                                                                            \
    X(SCardGetStatusChange)                                                                        \
    X(pcsc_stringify_error)

struct PcscApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_PCSC_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

// The PC/SC functions, or nullptr when libpcsclite.so.1 cannot be loaded (then no service is
// reachable, which the monitor shows like a stopped pcscd).
const PcscApi* pcsc() {
    static const PcscApi* api = []() -> const PcscApi* {
        void* h = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
        if (h == nullptr)
            return nullptr;
        static PcscApi a;
#define OW_RESOLVE(name)                                                                           \
    a.name = reinterpret_cast<decltype(a.name)>(dlsym(h, #name));                                  \
    if (a.name == nullptr)                                                                         \
        return nullptr;
        OW_PCSC_FUNCTIONS(OW_RESOLVE)
#undef OW_RESOLVE
        return &a;
    }();
    return api;
}

// The pseudo-reader whose state changes when a reader is attached or detached.
constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";

bool service_gone(LONG rv) {
    return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
           rv == SCARD_E_INVALID_HANDLE || rv == SCARD_F_COMM_ERROR;
}

std::vector<std::string> split_multi_string(const char* multi, DWORD length) {
    std::vector<std::string> names;
    const char* p = multi;
    const char* end = multi + length;
    while (p < end && *p != '\0') {
        std::string name(p);
        p += name.size() + 1;
        names.push_back(std::move(name));
    }
    return names;
}

} // namespace

const char* to_string(CardService service) {
    switch (service) {
    case CardService::Running:
        return "running";
    case CardService::NoService:
        return "no-service";
    case CardService::Error:
        return "error";
    }
    return "error";
}

const char* to_string(CardEventKind kind) {
    switch (kind) {
    case CardEventKind::ServiceUp:
        return "service-up";
    case CardEventKind::ServiceDown:
        return "service-down";
    case CardEventKind::ReaderAdded:
        return "reader-added";
    case CardEventKind::ReaderRemoved:
        return "reader-removed";
    case CardEventKind::CardInserted:
        return "card-inserted";
    case CardEventKind::CardRemoved:
        return "card-removed";
    }
    return "?";
}

std::string CardReader::atr_hex() const {
    static const char* digits = "0123456789ABCDEF";
    std::string hex;
    for (auto b : atr) {
        if (!hex.empty())
            hex += ' ';
        hex += digits[b >> 4];
        hex += digits[b & 0x0F];
    }
    return hex;
}

bool CardPresence::any_card() const {
    return std::any_of(readers.begin(), readers.end(),
                       [](const CardReader& r) { return r.card_present; });
}

bool CardPresence::operator==(const CardPresence& other) const {
    if (service != other.service || error != other.error || readers.size() != other.readers.size())
        return false;
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const auto& a = readers[i];
        const auto& b = other.readers[i];
        if (a.name != b.name || a.card_present != b.card_present || a.card_mute != b.card_mute ||
            a.card_in_use != b.card_in_use || a.atr != b.atr)
            return false;
    }
    return true;
}

std::vector<CardEvent> card_events(const CardPresence& before, const CardPresence& after) {
    std::vector<CardEvent> events;
    const bool was_up = before.service == CardService::Running;
    const bool is_up = after.service == CardService::Running;
    if (!was_up && is_up)
        events.push_back({CardEventKind::ServiceUp, "", ""});
    std::map<std::string, const CardReader*> old_readers, new_readers;
    if (was_up)
        for (const auto& r : before.readers)
            old_readers[r.name] = &r;
    if (is_up)
        for (const auto& r : after.readers)
            new_readers[r.name] = &r;
    for (const auto& [name, reader] : old_readers)
        if (!new_readers.count(name)) {
            if (reader->card_present)
                events.push_back({CardEventKind::CardRemoved, name, ""});
            events.push_back({CardEventKind::ReaderRemoved, name, ""});
        }
    for (const auto& [name, reader] : new_readers) {
        auto old = old_readers.find(name);
        if (old == old_readers.end())
            events.push_back({CardEventKind::ReaderAdded, name, ""});
        const bool had = old != old_readers.end() && old->second->card_present;
        const bool replaced = had && reader->card_present && old->second->atr != reader->atr;
        if ((had && !reader->card_present) || replaced)
            events.push_back({CardEventKind::CardRemoved, name, ""});
        if ((!had && reader->card_present) || replaced)
            events.push_back({CardEventKind::CardInserted, name, reader->atr_hex()});
    }
    if (was_up && !is_up)
        events.push_back({CardEventKind::ServiceDown, "", ""});
    return events;
}

// ------------------------------------------------------------------------------------ monitor

CardMonitor::CardMonitor() = default;

CardMonitor::~CardMonitor() {
    release();
}

bool CardMonitor::connect() {
    std::lock_guard lock(mutex_);
    if (have_context_)
        return true;
    SCARDCONTEXT context = 0;
    if (pcsc() == nullptr || pcsc()->SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr,
                                                           &context) != SCARD_S_SUCCESS)
        return false;
    context_ = static_cast<std::intptr_t>(context);
    have_context_ = true;
    return true;
}

void CardMonitor::release() {
    std::lock_guard lock(mutex_);
    if (have_context_)
        pcsc()->SCardReleaseContext(static_cast<SCARDCONTEXT>(context_));
    have_context_ = false;
    context_ = 0;
}

void CardMonitor::cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (have_context_)
        pcsc()->SCardCancel(static_cast<SCARDCONTEXT>(context_));
    cancel_cv_.notify_all();
}

CardPresence CardMonitor::read_state(bool& service_lost) {
    service_lost = false;
    CardPresence presence;
    const auto context = static_cast<SCARDCONTEXT>(context_);
    DWORD length = 0;
    LONG rv = pcsc()->SCardListReaders(context, nullptr, nullptr, &length);
    std::vector<std::string> names;
    if (rv == SCARD_S_SUCCESS) {
        std::vector<char> buffer(length + 1, '\0');
        rv = pcsc()->SCardListReaders(context, nullptr, buffer.data(), &length);
        if (rv == SCARD_S_SUCCESS)
            names = split_multi_string(buffer.data(), length);
    }
    if (rv == SCARD_E_NO_READERS_AVAILABLE)
        rv = SCARD_S_SUCCESS;
    if (service_gone(rv)) {
        service_lost = true;
        return presence;
    }
    if (rv != SCARD_S_SUCCESS) {
        presence.service = CardService::Error;
        presence.error = pcsc()->pcsc_stringify_error(rv);
        return presence;
    }
    std::sort(names.begin(), names.end());
    presence.service = CardService::Running;
    if (names.empty())
        return presence;
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::memset(&states[i], 0, sizeof states[i]);
        states[i].szReader = names[i].c_str();
        states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    rv = pcsc()->SCardGetStatusChange(context, 0, states.data(), static_cast<DWORD>(states.size()));
    if (service_gone(rv)) {
        service_lost = true;
        return {};
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        CardReader reader;
        reader.name = names[i];
        const DWORD s = states[i].dwEventState;
        if (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) {
            reader.card_present = (s & SCARD_STATE_PRESENT) != 0;
            reader.card_mute = (s & SCARD_STATE_MUTE) != 0;
            reader.card_in_use = (s & SCARD_STATE_EXCLUSIVE) != 0;
            if (reader.card_present && states[i].cbAtr <= sizeof states[i].rgbAtr)
                reader.atr.assign(states[i].rgbAtr, states[i].rgbAtr + states[i].cbAtr);
        }
        presence.readers.push_back(std::move(reader));
    }
    return presence;
}

CardPresence CardMonitor::snapshot() {
    CardPresence presence;
    if (connect()) {
        bool lost = false;
        presence = read_state(lost);
        if (lost) {
            release();
            presence = CardPresence{};
        }
    }
    last_ = presence;
    return last_;
}

CardPresence CardMonitor::wait_for_change(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    {
        std::lock_guard lock(mutex_);
        if (cancelled_) {
            cancelled_ = false;
            return last_;
        }
    }
    // Without a service: retry the connection now and then until the deadline.
    while (!connect()) {
        std::unique_lock lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            break;
        cancel_cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(500)),
                              [this] { return cancelled_; });
        if (cancelled_) {
            cancelled_ = false;
            return last_;
        }
    }
    const CardPresence before = last_;
    CardPresence now = snapshot();
    if (!(now == before) || now.service != CardService::Running)
        return now;

    // Wait on every reader plus the hot-plug pseudo-reader, starting from their current states.
    std::vector<std::string> names;
    for (const auto& r : now.readers)
        names.push_back(r.name);
    names.push_back(kPnpReader);
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::memset(&states[i], 0, sizeof states[i]);
        states[i].szReader = names[i].c_str();
        states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    SCARDCONTEXT context;
    {
        std::lock_guard lock(mutex_);
        context = static_cast<SCARDCONTEXT>(context_);
    }
    LONG rv =
        pcsc()->SCardGetStatusChange(context, 0, states.data(), static_cast<DWORD>(states.size()));
    if (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) {
        for (auto& s : states)
            s.dwCurrentState = s.dwEventState & ~SCARD_STATE_CHANGED;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        rv = pcsc()->SCardGetStatusChange(context,
                                          static_cast<DWORD>(std::max<long long>(0, left.count())),
                                          states.data(), static_cast<DWORD>(states.size()));
    }
    {
        std::lock_guard lock(mutex_);
        if (rv == SCARD_E_CANCELLED)
            cancelled_ = false;
    }
    if (service_gone(rv)) {
        release();
        last_ = CardPresence{};
        return last_;
    }
    if (rv == SCARD_E_TIMEOUT || rv == SCARD_E_CANCELLED)
        return last_;
    // Something changed (or a reader vanished under us): read everything again.
    return snapshot();
}

// ------------------------------------------------------------------------------------ watcher

CardWatcher::CardWatcher(Callback on_change)
    : on_change_(std::move(on_change)), thread_([this] { run(); }) {}

CardWatcher::~CardWatcher() {
    stop();
}

void CardWatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    monitor_.cancel();
    if (thread_.joinable())
        thread_.join();
}

void CardWatcher::run() {
    auto stopping = [this] {
        std::lock_guard lock(mutex_);
        return stopping_;
    };
    CardPresence state = monitor_.snapshot();
    if (!stopping())
        on_change_(state);
    while (!stopping()) {
        CardPresence next = monitor_.wait_for_change(std::chrono::seconds(2));
        if (stopping())
            break;
        if (!(next == state)) {
            state = std::move(next);
            on_change_(state);
        }
    }
}

std::string pcsc_library_version() {
    return "pcsc-lite " PCSCLITE_VERSION_NUMBER;
}

} // namespace ow::devices
