// The SANE implementation of Scanner (libsane 1.2). Option names come from <sane/saneopts.h>;
// source names differ per vendor ("Automatic Document Feeder", "ADF Duplex", "DP", "Platen"), so
// they are matched by meaning, never stored raw.
#include "dynlib.h"
#include "ow/devices/scanner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sane/sane.h>
#include <sane/saneopts.h>
#include <thread>

namespace ow::devices {

const char* to_string(ScanSource source) {
    switch (source) {
    case ScanSource::Flatbed:
        return "flatbed";
    case ScanSource::Adf:
        return "adf";
    case ScanSource::Duplex:
        return "duplex";
    }
    return "flatbed";
}

const char* to_string(ColorMode mode) {
    switch (mode) {
    case ColorMode::Lineart:
        return "lineart";
    case ColorMode::Gray:
        return "gray";
    case ColorMode::Color:
        return "color";
    }
    return "gray";
}

std::optional<ScanSource> parse_scan_source(const std::string& text) {
    if (text == "flatbed")
        return ScanSource::Flatbed;
    if (text == "adf")
        return ScanSource::Adf;
    if (text == "duplex")
        return ScanSource::Duplex;
    return std::nullopt;
}

std::optional<ColorMode> parse_color_mode(const std::string& text) {
    if (text == "lineart" || text == "text" || text == "bw")
        return ColorMode::Lineart;
    if (text == "gray" || text == "grey")
        return ColorMode::Gray;
    if (text == "color" || text == "colour")
        return ColorMode::Color;
    return std::nullopt;
}

const char* to_string(ScanErrorKind kind) {
    switch (kind) {
    case ScanErrorKind::NoDevice:
        return "no-device";
    case ScanErrorKind::DeviceGone:
        return "device-gone";
    case ScanErrorKind::Busy:
        return "busy";
    case ScanErrorKind::Jammed:
        return "jammed";
    case ScanErrorKind::CoverOpen:
        return "cover-open";
    case ScanErrorKind::NoDocuments:
        return "no-documents";
    case ScanErrorKind::Cancelled:
        return "cancelled";
    case ScanErrorKind::Unsupported:
        return "unsupported";
    case ScanErrorKind::Invalid:
        return "invalid";
    case ScanErrorKind::Internal:
        return "internal";
    }
    return "internal";
}

#ifndef N_
#define N_(text) text
#endif

const char* ScanError::message_for(ScanErrorKind kind) {
    switch (kind) {
    case ScanErrorKind::NoDevice:
        return N_("The scanner was not found. Check that it is switched on and connected.");
    case ScanErrorKind::DeviceGone:
        return N_(
            "The scanner stopped responding. Check the cable, then scan the remaining pages.");
    case ScanErrorKind::Busy:
        return N_("The scanner is busy with another program. Close it and try again.");
    case ScanErrorKind::Jammed:
        return N_("Paper jam in the document feeder. Clear it, then scan the remaining pages.");
    case ScanErrorKind::CoverOpen:
        return N_("The scanner cover is open. Close it and scan the remaining pages.");
    case ScanErrorKind::NoDocuments:
        return N_("The document feeder is empty. Load the pages and scan again.");
    case ScanErrorKind::Cancelled:
        return N_("The scan was cancelled; the pages already scanned are kept.");
    case ScanErrorKind::Unsupported:
        return N_("The scanner cannot do this (for example duplex). Choose another source.");
    case ScanErrorKind::Invalid:
        return N_("The scanner refused a setting. Choose another resolution or mode.");
    case ScanErrorKind::Internal:
        return N_("The scanner driver reported an error.");
    }
    return N_("The scanner driver reported an error.");
}

ScanError::ScanError(ScanErrorKind kind, const std::string& detail)
    : std::runtime_error(std::string(message_for(kind)) +
                         (detail.empty() ? "" : " (" + detail + ")")),
      kind_(kind) {}

namespace {

ScanErrorKind kind_of(SANE_Status status) {
    switch (status) {
    case SANE_STATUS_JAMMED:
        return ScanErrorKind::Jammed;
    case SANE_STATUS_COVER_OPEN:
        return ScanErrorKind::CoverOpen;
    case SANE_STATUS_NO_DOCS:
        return ScanErrorKind::NoDocuments;
    case SANE_STATUS_CANCELLED:
        return ScanErrorKind::Cancelled;
    case SANE_STATUS_DEVICE_BUSY:
        return ScanErrorKind::Busy;
    case SANE_STATUS_UNSUPPORTED:
        return ScanErrorKind::Unsupported;
    case SANE_STATUS_INVAL:
        return ScanErrorKind::Invalid;
    case SANE_STATUS_IO_ERROR:
    case SANE_STATUS_ACCESS_DENIED:
        return ScanErrorKind::DeviceGone;
    default:
        return ScanErrorKind::Internal;
    }
}

[[noreturn]] void fail(SANE_Status status, const std::string& what) {
    throw ScanError(kind_of(status), what + ": " + detail::sane().sane_strstatus(status));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Vendor source names by meaning.
std::optional<ScanSource> source_meaning(const std::string& raw) {
    auto s = lower(raw);
    if (s.find("duplex") != std::string::npos || s.find("2-sided") != std::string::npos ||
        s == "dp" || s.find("both") != std::string::npos)
        return ScanSource::Duplex;
    if (s.find("adf") != std::string::npos || s.find("feeder") != std::string::npos ||
        s.find("automatic") != std::string::npos || s.find("front") != std::string::npos)
        return ScanSource::Adf;
    if (s.find("flatbed") != std::string::npos || s.find("platen") != std::string::npos ||
        s.find("glass") != std::string::npos || s.find("normal") != std::string::npos)
        return ScanSource::Flatbed;
    return std::nullopt;
}

std::optional<ColorMode> mode_meaning(const std::string& raw) {
    auto s = lower(raw);
    if (s.find("lineart") != std::string::npos || s.find("binary") != std::string::npos ||
        s.find("black") != std::string::npos)
        return ColorMode::Lineart;
    if (s.find("gray") != std::string::npos || s.find("grey") != std::string::npos)
        return ColorMode::Gray;
    if (s.find("color") != std::string::npos || s.find("colour") != std::string::npos)
        return ColorMode::Color;
    return std::nullopt;
}

std::mutex g_sane_mutex;
int g_sane_users = 0;

class SaneDevice final : public ScanDevice {
public:
    SaneDevice(std::string name, SANE_Handle handle) : name_(std::move(name)), handle_(handle) {}
    ~SaneDevice() override { detail::sane().sane_close(handle_); }

    const std::string& name() const override { return name_; }

    ScannerCapabilities capabilities() override {
        ScannerCapabilities caps;
        if (auto* d = find(SANE_NAME_SCAN_SOURCE);
            d && d->constraint_type == SANE_CONSTRAINT_STRING_LIST)
            for (const SANE_String_Const* s = d->constraint.string_list; *s; ++s)
                if (auto m = source_meaning(*s);
                    m &&
                    std::find(caps.sources.begin(), caps.sources.end(), *m) == caps.sources.end())
                    caps.sources.push_back(*m);
        if (caps.sources.empty())
            caps.sources.push_back(ScanSource::Flatbed);
        if (auto* d = find(SANE_NAME_SCAN_MODE);
            d && d->constraint_type == SANE_CONSTRAINT_STRING_LIST)
            for (const SANE_String_Const* s = d->constraint.string_list; *s; ++s)
                if (auto m = mode_meaning(*s))
                    caps.modes.push_back(*m);
        if (std::find(caps.modes.begin(), caps.modes.end(), ColorMode::Lineart) ==
                caps.modes.end() &&
            depth_allows(1))
            caps.modes.insert(caps.modes.begin(), ColorMode::Lineart);
        if (auto* d = find(SANE_NAME_SCAN_RESOLUTION)) {
            auto value = [d](SANE_Word w) {
                return d->type == SANE_TYPE_FIXED ? static_cast<int>(SANE_UNFIX(w))
                                                  : static_cast<int>(w);
            };
            if (d->constraint_type == SANE_CONSTRAINT_WORD_LIST) {
                for (int i = 1; i <= d->constraint.word_list[0]; ++i)
                    caps.resolutions.push_back(value(d->constraint.word_list[i]));
            } else if (d->constraint_type == SANE_CONSTRAINT_RANGE) {
                int lo = value(d->constraint.range->min), hi = value(d->constraint.range->max);
                for (int r : {75, 100, 150, 200, 300, 400, 600, 1200})
                    if (r >= lo && r <= hi)
                        caps.resolutions.push_back(r);
            }
        }
        if (auto* d = find(SANE_NAME_SCAN_BR_X); d && d->constraint_type == SANE_CONSTRAINT_RANGE)
            caps.max_width_mm = fixed_or_int(d, d->constraint.range->max);
        if (auto* d = find(SANE_NAME_SCAN_BR_Y); d && d->constraint_type == SANE_CONSTRAINT_RANGE)
            caps.max_height_mm = fixed_or_int(d, d->constraint.range->max);
        return caps;
    }

    void apply(const ScanSettings& settings) override {
        settings_ = settings;
        // Source first: on many devices it changes the geometry ranges.
        if (auto* d = find(SANE_NAME_SCAN_SOURCE);
            d && d->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
            const char* chosen = nullptr;
            for (const SANE_String_Const* s = d->constraint.string_list; *s && !chosen; ++s)
                if (source_meaning(*s) == settings.source)
                    chosen = *s;
            if (!chosen)
                throw ScanError(ScanErrorKind::Unsupported,
                                std::string("source ") + to_string(settings.source));
            set_string(SANE_NAME_SCAN_SOURCE, chosen);
        } else if (settings.source != ScanSource::Flatbed) {
            throw ScanError(ScanErrorKind::Unsupported,
                            std::string("source ") + to_string(settings.source));
        }
        if (auto* d = find(SANE_NAME_SCAN_MODE);
            d && d->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
            const char* chosen = nullptr;
            ColorMode want = settings.mode;
            // Without a lineart mode, lineart is grey at depth 1 (the SANE test device does this).
            for (int attempt = 0; attempt < 2 && !chosen; ++attempt) {
                for (const SANE_String_Const* s = d->constraint.string_list; *s && !chosen; ++s)
                    if (mode_meaning(*s) == want)
                        chosen = *s;
                if (!chosen && want == ColorMode::Lineart)
                    want = ColorMode::Gray;
            }
            if (!chosen)
                throw ScanError(ScanErrorKind::Unsupported,
                                std::string("mode ") + to_string(settings.mode));
            set_string(SANE_NAME_SCAN_MODE, chosen);
        }
        if (find(SANE_NAME_BIT_DEPTH)) {
            int depth = settings.mode == ColorMode::Lineart ? 1 : (settings.depth == 16 ? 16 : 8);
            if (settings.mode != ColorMode::Lineart || depth_allows(1))
                set_number(SANE_NAME_BIT_DEPTH, depth);
        }
        if (settings.resolution_dpi < 50 || settings.resolution_dpi > 1200)
            throw ScanError(ScanErrorKind::Invalid,
                            "resolution " + std::to_string(settings.resolution_dpi));
        set_number(SANE_NAME_SCAN_RESOLUTION, settings.resolution_dpi);
        ScanArea area = settings.area.value_or(ScanArea{});
        if (!settings.area) {
            // The whole glass, up to A4.
            auto caps = capabilities();
            if (caps.max_width_mm > 0)
                area.width_mm = std::min(area.width_mm, caps.max_width_mm);
            if (caps.max_height_mm > 0)
                area.height_mm = std::min(area.height_mm, caps.max_height_mm);
        }
        set_number(SANE_NAME_SCAN_TL_X, area.left_mm);
        set_number(SANE_NAME_SCAN_TL_Y, area.top_mm);
        set_number(SANE_NAME_SCAN_BR_X, area.left_mm + area.width_mm);
        set_number(SANE_NAME_SCAN_BR_Y, area.top_mm + area.height_mm);
        for (const auto& [option, value] : settings.device_options)
            set_option(option, value);
    }

    std::vector<ScanOption> options() override {
        std::vector<ScanOption> out;
        SANE_Int count = 0;
        if (detail::sane().sane_control_option(handle_, 0, SANE_ACTION_GET_VALUE, &count,
                                               nullptr) != SANE_STATUS_GOOD)
            return out;
        for (SANE_Int i = 1; i < count; ++i) {
            const auto* d = detail::sane().sane_get_option_descriptor(handle_, i);
            if (!d || !SANE_OPTION_IS_ACTIVE(d->cap))
                continue;
            ScanOption o;
            o.name = d->name ? d->name : "";
            o.title = d->title ? d->title : "";
            o.settable = SANE_OPTION_IS_SETTABLE(d->cap);
            switch (d->type) {
            case SANE_TYPE_BOOL:
                o.type = "bool";
                break;
            case SANE_TYPE_INT:
                o.type = "int";
                break;
            case SANE_TYPE_FIXED:
                o.type = "fixed";
                break;
            case SANE_TYPE_STRING:
                o.type = "string";
                break;
            case SANE_TYPE_BUTTON:
                o.type = "button";
                break;
            default:
                o.type = "group";
                break;
            }
            if (d->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
                for (const SANE_String_Const* c = d->constraint.string_list; *c; ++c)
                    o.choices.emplace_back(*c);
            } else if (d->constraint_type == SANE_CONSTRAINT_WORD_LIST) {
                for (int k = 1; k <= d->constraint.word_list[0]; ++k)
                    o.choices.push_back(format_word(d, d->constraint.word_list[k]));
            } else if (d->constraint_type == SANE_CONSTRAINT_RANGE) {
                o.choices.push_back(format_word(d, d->constraint.range->min) + ".." +
                                    format_word(d, d->constraint.range->max));
            }
            if (SANE_OPTION_IS_ACTIVE(d->cap) && (d->cap & SANE_CAP_SOFT_DETECT) && d->size > 0 &&
                d->type != SANE_TYPE_BUTTON && d->type != SANE_TYPE_GROUP) {
                std::vector<SANE_Word> buffer(
                    static_cast<std::size_t>(d->size) / sizeof(SANE_Word) + 2, 0);
                if (detail::sane().sane_control_option(handle_, i, SANE_ACTION_GET_VALUE,
                                                       buffer.data(),
                                                       nullptr) == SANE_STATUS_GOOD) {
                    if (d->type == SANE_TYPE_STRING)
                        o.value = reinterpret_cast<const char*>(buffer.data());
                    else if (d->type == SANE_TYPE_BOOL)
                        o.value = buffer[0] ? "yes" : "no";
                    else
                        o.value = format_word(d, buffer[0]);
                }
            }
            out.push_back(std::move(o));
        }
        return out;
    }

    void set_option(const std::string& option, const std::string& value) override {
        SANE_Int index = 0;
        const auto* d = find(option.c_str(), &index);
        if (!d || !SANE_OPTION_IS_SETTABLE(d->cap))
            throw ScanError(ScanErrorKind::Invalid,
                            "no settable option '" + option + "' on " + name_);
        switch (d->type) {
        case SANE_TYPE_STRING:
            set_string(option.c_str(), value.c_str());
            return;
        case SANE_TYPE_BOOL: {
            SANE_Bool b = (value == "yes" || value == "true" || value == "1" || value == "on")
                              ? SANE_TRUE
                              : SANE_FALSE;
            if (auto s = detail::sane().sane_control_option(handle_, index, SANE_ACTION_SET_VALUE,
                                                            &b, nullptr);
                s != SANE_STATUS_GOOD)
                fail(s, "setting " + option);
            return;
        }
        case SANE_TYPE_INT:
        case SANE_TYPE_FIXED:
            try {
                set_number(option.c_str(), std::stod(value));
            } catch (const std::invalid_argument&) {
                throw ScanError(ScanErrorKind::Invalid,
                                option + " needs a number, not '" + value + "'");
            }
            return;
        case SANE_TYPE_BUTTON:
            if (auto s = detail::sane().sane_control_option(handle_, index, SANE_ACTION_SET_VALUE,
                                                            nullptr, nullptr);
                s != SANE_STATUS_GOOD)
                fail(s, "pressing " + option);
            return;
        default:
            throw ScanError(ScanErrorKind::Invalid, "option '" + option + "' cannot be set");
        }
    }

    ScanBatch scan(const ProgressFn& progress, const PageFn& on_page,
                   const std::atomic<bool>& cancel) override {
        ScanBatch batch;
        const bool feeder = settings_.source != ScanSource::Flatbed;
        for (;;) {
            if (cancel.load()) {
                batch.error = ScanErrorKind::Cancelled;
                break;
            }
            if (settings_.max_pages > 0 &&
                static_cast<int>(batch.pages.size()) >= settings_.max_pages)
                break;
            SANE_Status status = detail::sane().sane_start(handle_);
            if (status != SANE_STATUS_GOOD) {
                detail::sane().sane_cancel(handle_);
                // An empty feeder after at least one page is the normal end of a batch.
                if (!(status == SANE_STATUS_NO_DOCS && !batch.pages.empty())) {
                    batch.error = kind_of(status);
                    batch.error_detail =
                        std::string("sane_start: ") + detail::sane().sane_strstatus(status);
                }
                break;
            }
            RawPage page;
            auto read = read_page(page, static_cast<int>(batch.pages.size()) + 1, progress, cancel);
            if (read != SANE_STATUS_GOOD) {
                if (read != SANE_STATUS_CANCELLED)
                    settle_before_cancel();
                detail::sane().sane_cancel(handle_);
                batch.error = kind_of(read);
                batch.error_detail =
                    std::string("sane_read: ") + detail::sane().sane_strstatus(read);
                break;
            }
            batch.pages.push_back(std::move(page));
            if (on_page)
                on_page(batch.pages.back());
            if (!feeder)
                break;
        }
        detail::sane().sane_cancel(handle_);
        return batch;
    }

private:
    SANE_Status read_page(RawPage& page, int number, const ProgressFn& progress,
                          const std::atomic<bool>& cancel) {
        SANE_Parameters p{};
        if (auto s = detail::sane().sane_get_parameters(handle_, &p); s != SANE_STATUS_GOOD)
            return s;
        if (p.format != SANE_FRAME_GRAY && p.format != SANE_FRAME_RGB)
            return SANE_STATUS_UNSUPPORTED; // three-pass scanners: not at a counter
        const int channels = p.format == SANE_FRAME_RGB ? 3 : 1;
        const std::size_t bpl = static_cast<std::size_t>(p.bytes_per_line);
        std::vector<unsigned char> raw;
        if (p.lines > 0)
            raw.reserve(bpl * static_cast<std::size_t>(p.lines));
        std::vector<unsigned char> buffer(64 * 1024);
        const std::size_t expected = p.lines > 0 ? bpl * static_cast<std::size_t>(p.lines) : 0;
        for (;;) {
            if (cancel.load()) {
                detail::sane().sane_cancel(handle_);
                // Drain until the backend acknowledges the cancel.
                SANE_Int n = 0;
                while (detail::sane().sane_read(handle_, buffer.data(),
                                                static_cast<SANE_Int>(buffer.size()),
                                                &n) == SANE_STATUS_GOOD) {
                }
                return SANE_STATUS_CANCELLED;
            }
            SANE_Int n = 0;
            SANE_Status s = detail::sane().sane_read(handle_, buffer.data(),
                                                     static_cast<SANE_Int>(buffer.size()), &n);
            if (s == SANE_STATUS_EOF)
                break;
            if (s != SANE_STATUS_GOOD)
                return s;
            raw.insert(raw.end(), buffer.begin(), buffer.begin() + n);
            if (progress)
                progress({number,
                          expected ? std::min(1.0, double(raw.size()) / double(expected)) : 0.0});
        }
        page.width = p.pixels_per_line;
        page.height = static_cast<int>(raw.size() / std::max<std::size_t>(bpl, 1));
        page.channels = channels;
        page.resolution_dpi = settings_.resolution_dpi;
        if (p.depth == 16) {
            // Reduce to 8 bits: keep the high byte of each host-order sample.
            const std::size_t samples = raw.size() / 2;
            std::vector<unsigned char> eight(samples);
            for (std::size_t i = 0; i < samples; ++i) {
                std::uint16_t v;
                std::memcpy(&v, raw.data() + 2 * i, 2);
                eight[i] = static_cast<unsigned char>(v >> 8);
            }
            page.bits_per_sample = 8;
            page.bytes_per_line = bpl / 2;
            page.data = std::move(eight);
        } else {
            page.bits_per_sample = p.depth;
            page.bytes_per_line = bpl;
            page.data = std::move(raw);
        }
        page.data.resize(page.bytes_per_line * static_cast<std::size_t>(page.height));
        if (progress)
            progress({number, 1.0});
        return SANE_STATUS_GOOD;
    }

    // Backends built on sanei_thread cancel their reader thread asynchronously; cancelling while
    // that thread is still starting up (inside malloc) deadlocks glibc's allocator. An error from
    // sane_read right after sane_start is exactly that moment, so give the reader time to reach
    // its blocking write before cancelling. Only on the error path; a normal page never waits.
    static void settle_before_cancel() {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    const SANE_Option_Descriptor* find(const char* option_name, SANE_Int* index = nullptr) {
        SANE_Int count = 0;
        if (detail::sane().sane_control_option(handle_, 0, SANE_ACTION_GET_VALUE, &count,
                                               nullptr) != SANE_STATUS_GOOD)
            return nullptr;
        for (SANE_Int i = 1; i < count; ++i) {
            const auto* d = detail::sane().sane_get_option_descriptor(handle_, i);
            if (d && d->name && std::strcmp(d->name, option_name) == 0 &&
                SANE_OPTION_IS_ACTIVE(d->cap)) {
                if (index)
                    *index = i;
                return d;
            }
        }
        return nullptr;
    }

    static std::string format_word(const SANE_Option_Descriptor* d, SANE_Word w) {
        if (d->type == SANE_TYPE_FIXED) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", SANE_UNFIX(w));
            return buf;
        }
        return std::to_string(w);
    }

    static double fixed_or_int(const SANE_Option_Descriptor* d, SANE_Word w) {
        return d->type == SANE_TYPE_FIXED ? SANE_UNFIX(w) : static_cast<double>(w);
    }

    bool depth_allows(int depth) {
        const auto* d = find(SANE_NAME_BIT_DEPTH);
        if (!d || d->constraint_type != SANE_CONSTRAINT_WORD_LIST)
            return false;
        for (int i = 1; i <= d->constraint.word_list[0]; ++i)
            if (d->constraint.word_list[i] == depth)
                return true;
        return false;
    }

    void set_string(const char* option_name, const char* value) {
        SANE_Int index = 0;
        const auto* d = find(option_name, &index);
        if (!d)
            return;
        std::vector<char> buffer(static_cast<std::size_t>(std::max<SANE_Int>(d->size, 1)) +
                                 std::strlen(value) + 1);
        std::strcpy(buffer.data(), value);
        if (auto s = detail::sane().sane_control_option(handle_, index, SANE_ACTION_SET_VALUE,
                                                        buffer.data(), nullptr);
            s != SANE_STATUS_GOOD)
            fail(s, std::string("setting ") + option_name + " to " + value);
    }

    void set_number(const char* option_name, double value) {
        SANE_Int index = 0;
        const auto* d = find(option_name, &index);
        if (!d)
            return;
        SANE_Word w = d->type == SANE_TYPE_FIXED ? SANE_FIX(value)
                                                 : static_cast<SANE_Word>(std::lround(value));
        if (d->constraint_type == SANE_CONSTRAINT_RANGE) // clamp instead of failing on the edge
            w = std::clamp(w, d->constraint.range->min, d->constraint.range->max);
        SANE_Int info = 0;
        if (auto s = detail::sane().sane_control_option(handle_, index, SANE_ACTION_SET_VALUE, &w,
                                                        &info);
            s != SANE_STATUS_GOOD)
            fail(s, std::string("setting ") + option_name);
    }

    std::string name_;
    SANE_Handle handle_;
    ScanSettings settings_;
};

class SaneScanner final : public Scanner {
public:
    SaneScanner() {
        std::lock_guard lock(g_sane_mutex);
        if (g_sane_users++ == 0) {
            SANE_Int version = 0;
            if (auto s = detail::sane().sane_init(&version, nullptr); s != SANE_STATUS_GOOD) {
                --g_sane_users;
                fail(s, "sane_init");
            }
        }
    }
    ~SaneScanner() override {
        std::lock_guard lock(g_sane_mutex);
        if (--g_sane_users == 0)
            detail::sane().sane_exit();
    }

    std::vector<ScannerInfo> list_devices() override {
        const SANE_Device** devices = nullptr;
        if (auto s = detail::sane().sane_get_devices(&devices, SANE_FALSE); s != SANE_STATUS_GOOD)
            fail(s, "sane_get_devices");
        std::vector<ScannerInfo> out;
        for (auto** d = devices; d && *d; ++d)
            out.push_back({(*d)->name ? (*d)->name : "", (*d)->vendor ? (*d)->vendor : "",
                           (*d)->model ? (*d)->model : "", (*d)->type ? (*d)->type : ""});
        return out;
    }

    std::unique_ptr<ScanDevice> open(const std::string& name) override {
        SANE_Handle handle = nullptr;
        SANE_Status s = detail::sane().sane_open(name.c_str(), &handle);
        if (s == SANE_STATUS_INVAL)
            throw ScanError(ScanErrorKind::NoDevice, name);
        if (s != SANE_STATUS_GOOD)
            fail(s, "opening " + name);
        return std::make_unique<SaneDevice>(name, handle);
    }
};

} // namespace

std::unique_ptr<Scanner> make_sane_scanner() {
    return std::make_unique<SaneScanner>();
}

} // namespace ow::devices
