// Scanner access behind one interface: SANE on Linux now, WIA or TWAIN on Windows later.
// A Scanner lists devices, reads and sets the options that matter at the counter (mode, depth,
// resolution, source, scan area) and scans one page or an ADF batch with progress and cancel.
// Device errors become ScanError with a stable kind; the pages scanned before the error are kept in
// ScanBatch::pages, so a jam on sheet 7 loses nothing of sheets 1–6.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ow::devices {

struct ScannerInfo {
    std::string name; // what open() takes, e.g. "test:0" or "genesys:libusb:001:004"
    std::string vendor;
    std::string model;
    std::string type; // "flatbed scanner", "virtual device" …
};

enum class ScanSource { Flatbed, Adf, Duplex };
enum class ColorMode { Lineart, Gray, Color };

const char* to_string(ScanSource source);
const char* to_string(ColorMode mode);
std::optional<ScanSource> parse_scan_source(const std::string& text); // flatbed|adf|duplex
std::optional<ColorMode> parse_color_mode(const std::string& text);   // lineart|gray|color

// The scan area in millimetres from the top-left corner of the glass.
struct ScanArea {
    double left_mm = 0, top_mm = 0, width_mm = 210, height_mm = 297; // A4
};

struct ScanSettings {
    ScanSource source = ScanSource::Flatbed;
    ColorMode mode = ColorMode::Gray;
    int depth = 8; // 1 for lineart; 8 (16 is read and reduced to 8)
    int resolution_dpi = 300;
    std::optional<ScanArea> area; // unset = the whole glass (clamped to the device)
    int max_pages = 0;            // ADF: 0 = until the feeder is empty
    // Device-specific options by their driver name, applied after the settings above
    // (e.g. a vendor's "swdeskew", or the SANE test device's "test-picture" = "Grid").
    std::vector<std::pair<std::string, std::string>> device_options;
};

// One option as the driver describes it, with its current value as text.
struct ScanOption {
    std::string name, title;
    std::string type; // "bool", "int", "fixed", "string", "button", "group"
    std::string value;
    std::vector<std::string> choices; // for string lists and word lists; "min..max" for ranges
    bool settable = false;
};

// What a device offers, read from its option descriptors.
struct ScannerCapabilities {
    std::vector<ScanSource> sources;
    std::vector<ColorMode> modes;
    std::vector<int> resolutions; // a list, or min/max/step expanded to the usual values
    double max_width_mm = 0, max_height_mm = 0;
};

// One scanned page as delivered by the device: rows of 1-bit (MSB first, 1 = black, SANE's
// lineart convention), 8-bit grey or 8-bit RGB samples.
struct RawPage {
    int width = 0, height = 0;
    int bits_per_sample = 8; // 1 or 8
    int channels = 1;        // 1 or 3
    int resolution_dpi = 300;
    std::size_t bytes_per_line = 0;
    std::vector<unsigned char> data;
};

enum class ScanErrorKind {
    NoDevice,    // no such device, or none found
    DeviceGone,  // unplugged or I/O error during the scan
    Busy,        // another program is using it
    Jammed,      // paper jam in the feeder
    CoverOpen,   // the cover or the feeder lid is open
    NoDocuments, // the feeder is empty
    Cancelled,   // the clerk cancelled
    Unsupported, // the device cannot do what was asked (e.g. duplex)
    Invalid,     // a bad setting
    Internal,    // anything else the driver reports
};

const char* to_string(ScanErrorKind kind);

class ScanError : public std::runtime_error {
public:
    ScanError(ScanErrorKind kind, const std::string& detail);
    ScanErrorKind kind() const noexcept { return kind_; }
    // The English message template (also the gettext msgid) for this kind; the GUI translates it.
    static const char* message_for(ScanErrorKind kind);

private:
    ScanErrorKind kind_;
};

struct ScanProgress {
    int page = 0;          // 1-based page being read
    double fraction = 0.0; // of this page, 0..1 (0 when the height is unknown)
};

// Result of a batch: the pages read, and the error that ended it (if any). A feeder running out
// after at least one page is the normal end of a batch and is not an error.
struct ScanBatch {
    std::vector<RawPage> pages;
    std::optional<ScanErrorKind> error;
    std::string error_detail;
};

class ScanDevice {
public:
    virtual ~ScanDevice() = default;
    virtual const std::string& name() const = 0;
    virtual ScannerCapabilities capabilities() = 0;
    virtual void apply(const ScanSettings& settings) = 0;
    // Every option the driver offers (for an options dialog and `scan --options`).
    virtual std::vector<ScanOption> options() = 0;
    // Sets one option by name from text ("yes"/"no" for booleans). Throws ScanError(Invalid).
    virtual void set_option(const std::string& name, const std::string& value) = 0;
    // Called on the scanning thread, after each chunk of data and with each finished page.
    using ProgressFn = std::function<void(const ScanProgress&)>;
    using PageFn = std::function<void(const RawPage&)>;
    // Flatbed: one page. ADF/duplex: until the feeder is empty, max_pages, an error or cancel.
    // Never throws for device errors once a page was read; see ScanBatch::error.
    virtual ScanBatch scan(const ProgressFn& progress, const PageFn& on_page,
                           const std::atomic<bool>& cancel) = 0;
};

class Scanner {
public:
    virtual ~Scanner() = default;
    virtual std::vector<ScannerInfo> list_devices() = 0;
    virtual std::unique_ptr<ScanDevice> open(const std::string& name) = 0;
};

// The SANE implementation (libsane; SANE_CONFIG_DIR is honoured as usual). One per process:
// sane_init/sane_exit are process-wide.
std::unique_ptr<Scanner> make_sane_scanner();

// The versions of the scanning and page libraries (SANE, leptonica, tesseract, libtiff, libjpeg).
std::vector<std::pair<std::string, std::string>> scan_library_versions();

} // namespace ow::devices
