// Internal: PoDoFo helpers shared by the signer and the verifier.
#pragma once

#include "ow/signing/error.h"

#include <cstdint>
#include <optional>
#include <podofo/podofo.h>
#include <span>
#include <string>
#include <vector>

namespace ow::signing::detail {

// Silences PoDoFo's stderr logging once per process.
void quiet_podofo();

std::string podofo_error_text(const PoDoFo::PdfError& e);

// A PoDoFo input device over bytes the caller keeps alive (a mapped file, a rendered document).
// PoDoFo's own buffer device copies the input twice (a std::string, then an istringstream): for a
// 6 MB document that is 12 MB of fresh memory to fault in before parsing starts.
class MemoryInputDevice final : public PoDoFo::PdfInputDevice {
public:
    explicit MemoryInputDevice(std::span<const std::uint8_t> bytes);
    void Close() override {}
    std::streamoff Tell() const override { return static_cast<std::streamoff>(position_); }
    int GetChar() const override;
    int Look() const override;
    void Seek(std::streamoff offset, std::ios_base::seekdir from = std::ios_base::beg) override;
    std::streamoff Read(char* buffer, std::streamsize length) override;
    bool Eof() const override { return position_ >= bytes_.size(); }
    bool Bad() const override { return false; }
    void Clear(std::ios_base::iostate) const override {}

private:
    std::span<const std::uint8_t> bytes_;
    mutable std::size_t position_ = 0;
};

// Loads `bytes` (kept alive by the caller until `doc` is gone) into `doc` without copying them.
void load_without_copy(PoDoFo::PdfMemDocument& doc, std::span<const std::uint8_t> bytes,
                       bool for_update);

struct SigField {
    PoDoFo::PdfObject* field = nullptr;  // the field dictionary (terminal field)
    PoDoFo::PdfObject* widget = nullptr; // its widget (the field itself when merged)
    PoDoFo::PdfObject* value = nullptr;  // the /V signature dictionary, or null when empty
    std::string name;                    // fully qualified name (parent.child)
};

// Every signature field of the AcroForm, in /Fields order (depth first). Tolerates cycles.
std::vector<SigField> signature_fields(PoDoFo::PdfMemDocument& doc);

// DocMDP permission (1..3) of the certification signature, if the document is certified.
std::optional<int> docmdp_permission(PoDoFo::PdfMemDocument& doc);
// P of a signature dictionary's DocMDP /Reference, if it carries one.
std::optional<int> docmdp_of_signature(PoDoFo::PdfObject* sig);

std::string pdf_text(const PoDoFo::PdfObject* o); // string/name as UTF-8, "" otherwise

} // namespace ow::signing::detail
