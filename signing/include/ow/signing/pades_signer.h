// PAdES baseline B-B / B-T signatures as PDF incremental updates (PoDoFo 0.9.8 writes the update,
// the CMS SignerInfo is built here). Output is written atomically: temp file in the destination
// directory, fsync, rename, fsync of the directory; the input is never opened for writing.
#pragma once

#include "ow/signing/signer.h"
#include "ow/signing/tsa.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ow::signing {

struct Rect {
    double x = 0, y = 0, width = 0, height = 0; // PDF points, origin bottom-left of the page
};

// A visible seal: the seal image (PNG, alpha kept) and text lines (UTF-8, Chinese welcome),
// rendered with cairo + pango, fonts embedded and subset.
struct SealAppearance {
    int page = 1; // 1-based
    Rect rect;
    std::filesystem::path image; // PNG with transparency, optional
    Bytes image_png;             // or the PNG in memory
    std::vector<std::string> text_lines;
    std::string font_family = "WenQuanYi Micro Hei,Noto Sans CJK SC";
};

enum class DocMdp { None = 0, NoChanges = 1, FormFilling = 2, Annotations = 3 };

struct SignOptions {
    std::string field_name;     // new field's name; default "Signature<N>"
    std::string existing_field; // sign into this existing empty signature field instead
    // /Reason and /Location (UTF-8). No /ContactInfo: PoDoFo 0.9.8 needs /ByteRange and
    // /Contents adjacent in the dictionary.
    std::string reason, location;
    std::optional<SealAppearance> seal;  // empty: invisible signature
    DocMdp certify = DocMdp::None;       // certification signature (must be the first)
    std::optional<TsaOptions> timestamp; // B-T
    DigestAlgorithm digest = DigestAlgorithm::Sha256;
    std::optional<std::chrono::system_clock::time_point> signing_time; // /M, default now
    // Called once the update is written and hashed, right before the key operation (progress,
    // or tests that pull the card at that moment).
    std::function<void()> before_key_operation;
};

struct SignResult {
    std::string field_name;
    std::string level;        // "B-B" or "B-T"
    std::size_t cms_size = 0; // bytes of DER CMS
    std::size_t reserved = 0; // bytes reserved in /Contents
    std::size_t output_size = 0;
    std::size_t key_operations = 0; // 2 when the placeholder had to be enlarged
    Bytes document_digest;          // hash of the signed byte ranges
    std::optional<std::string> timestamp_time;
};

// A PDF file read and parsed before its signer is ready, so that both overlap: the CLI reads the
// document on a second thread while the key is opened (OpenSSL's set-up, or the card and its
// PIN). What went wrong reading it is kept and reported by the signing.
class InputDocument {
public:
    static InputDocument read(const std::filesystem::path& in) noexcept;
    InputDocument(InputDocument&&) noexcept;
    InputDocument& operator=(InputDocument&&) noexcept;
    ~InputDocument();

private:
    friend class PadesSigner;
    InputDocument();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class PadesSigner {
public:
    explicit PadesSigner(Signer& signer) : signer_(signer) {}

    SignResult sign_file(const std::filesystem::path& in, const std::filesystem::path& out,
                         const SignOptions& options);
    SignResult sign_file(InputDocument in, const std::filesystem::path& out,
                         const SignOptions& options);
    // In-memory input (e.g. a document just rendered); returns the signed PDF.
    Bytes sign_memory(std::span<const std::uint8_t> pdf, const SignOptions& options,
                      SignResult* result = nullptr);
    // In-memory input written atomically to `out`.
    SignResult sign_memory_to_file(std::span<const std::uint8_t> pdf,
                                   const std::filesystem::path& out, const SignOptions& options);

private:
    Signer& signer_;
};

// Writes `data` to `path` atomically (temp file in the same directory, fsync, rename, fsync dir).
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> data);

} // namespace ow::signing
