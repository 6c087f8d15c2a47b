#include "pdf_util.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

namespace ow::signing::detail {

MemoryInputDevice::MemoryInputDevice(std::span<const std::uint8_t> bytes) : bytes_(bytes) {
    SetSeekable(true);
}

int MemoryInputDevice::GetChar() const {
    return position_ < bytes_.size() ? bytes_[position_++] : EOF;
}

int MemoryInputDevice::Look() const {
    return position_ < bytes_.size() ? bytes_[position_] : EOF;
}

void MemoryInputDevice::Seek(std::streamoff offset, std::ios_base::seekdir from) {
    std::streamoff base = from == std::ios_base::beg   ? 0
                          : from == std::ios_base::cur ? static_cast<std::streamoff>(position_)
                                                       : static_cast<std::streamoff>(bytes_.size());
    std::streamoff target = base + offset;
    // Past the end is allowed, as on a file: reads there find the end. Before the start is not.
    if (target < 0)
        PODOFO_RAISE_ERROR_INFO(PoDoFo::ePdfError_ValueOutOfRange, "seek before the document");
    position_ = static_cast<std::size_t>(target);
}

std::streamoff MemoryInputDevice::Read(char* buffer, std::streamsize length) {
    if (length <= 0 || position_ >= bytes_.size())
        return 0;
    std::size_t n = std::min(static_cast<std::size_t>(length), bytes_.size() - position_);
    std::memcpy(buffer, bytes_.data() + position_, n);
    position_ += n;
    return static_cast<std::streamoff>(n);
}

void load_without_copy(PoDoFo::PdfMemDocument& doc, std::span<const std::uint8_t> bytes,
                       bool for_update) {
    PoDoFo::PdfRefCountedInputDevice device(new MemoryInputDevice(bytes));
    doc.LoadFromDevice(device, for_update);
}

using namespace PoDoFo;

void quiet_podofo() {
    static std::once_flag once;
    std::call_once(once, [] {
        PdfError::EnableLogging(false);
        PdfError::EnableDebug(false);
    });
}

std::string podofo_error_text(const PdfError& e) {
    const char* name = PdfError::ErrorName(e.GetError());
    const char* msg = PdfError::ErrorMessage(e.GetError());
    std::string out = name ? name : "PoDoFo error";
    if (msg && *msg)
        out += std::string(" (") + msg + ")";
    return out;
}

std::string pdf_text(const PdfObject* o) {
    if (!o)
        return {};
    if (o->IsString() || o->IsHexString())
        return o->GetString().GetStringUtf8();
    if (o->IsName())
        return o->GetName().GetName();
    return {};
}

namespace {

void walk(PdfObject* node, const std::string& prefix, std::optional<std::string> ft,
          std::set<PdfReference>& seen, std::vector<SigField>& out, int depth) {
    if (!node || !node->IsDictionary() || depth > 32)
        return;
    if (node->Reference().IsIndirect()) {
        if (!seen.insert(node->Reference()).second)
            return;
    }
    std::string name = prefix;
    if (PdfObject* t = node->GetIndirectKey("T")) {
        std::string part = pdf_text(t);
        name = prefix.empty() ? part : prefix + "." + part;
    }
    if (PdfObject* f = node->GetIndirectKey("FT"); f && f->IsName())
        ft = f->GetName().GetName();
    PdfObject* kids = node->GetIndirectKey("Kids");
    bool has_field_kids = false;
    if (kids && kids->IsArray()) {
        for (auto& k : kids->GetArray()) {
            PdfObject* kid =
                k.IsReference() ? node->GetOwner()->GetObject(k.GetReference()) : nullptr;
            if (kid && kid->IsDictionary() && kid->GetDictionary().HasKey("T")) {
                has_field_kids = true;
                walk(kid, name, ft, seen, out, depth + 1);
            }
        }
    }
    if (has_field_kids || !ft || *ft != "Sig")
        return;
    SigField f;
    f.field = node;
    f.name = name;
    f.widget = node;
    if (kids && kids->IsArray() && !kids->GetArray().empty() && kids->GetArray()[0].IsReference())
        f.widget = node->GetOwner()->GetObject(kids->GetArray()[0].GetReference());
    PdfObject* v = node->GetIndirectKey("V");
    f.value = (v && v->IsDictionary()) ? v : nullptr;
    out.push_back(f);
}

} // namespace

std::vector<SigField> signature_fields(PdfMemDocument& doc) {
    std::vector<SigField> out;
    PdfObject* catalog = doc.GetCatalog();
    if (!catalog)
        return out;
    PdfObject* acro = catalog->GetIndirectKey("AcroForm");
    if (!acro || !acro->IsDictionary())
        return out;
    PdfObject* fields = acro->GetIndirectKey("Fields");
    if (!fields || !fields->IsArray())
        return out;
    std::set<PdfReference> seen;
    for (auto& f : fields->GetArray()) {
        PdfObject* o = f.IsReference() ? doc.GetObjects().GetObject(f.GetReference()) : nullptr;
        walk(o, "", std::nullopt, seen, out, 0);
    }
    return out;
}

std::optional<int> docmdp_of_signature(PdfObject* sig) {
    if (!sig || !sig->IsDictionary())
        return std::nullopt;
    PdfObject* refs = sig->GetIndirectKey("Reference");
    if (!refs || !refs->IsArray())
        return std::nullopt;
    for (auto& r : refs->GetArray()) {
        const PdfObject* ref = &r;
        if (r.IsReference() && sig->GetOwner())
            ref = sig->GetOwner()->GetObject(r.GetReference());
        if (!ref || !ref->IsDictionary())
            continue;
        const PdfObject* tm = ref->GetDictionary().GetKey("TransformMethod");
        if (!tm || !tm->IsName() || tm->GetName().GetName() != "DocMDP")
            continue;
        const PdfObject* tp = ref->GetDictionary().GetKey("TransformParams");
        if (tp && tp->IsReference() && sig->GetOwner())
            tp = sig->GetOwner()->GetObject(tp->GetReference());
        int p = 2; // ISO 32000-1 12.8.2.2: default 2
        if (tp && tp->IsDictionary()) {
            const PdfObject* po = tp->GetDictionary().GetKey("P");
            if (po && po->IsNumber())
                p = static_cast<int>(po->GetNumber());
        }
        if (p < 1 || p > 3)
            p = 2;
        return p;
    }
    return std::nullopt;
}

std::optional<int> docmdp_permission(PdfMemDocument& doc) {
    PdfObject* catalog = doc.GetCatalog();
    if (!catalog)
        return std::nullopt;
    PdfObject* perms = catalog->GetIndirectKey("Perms");
    if (!perms || !perms->IsDictionary())
        return std::nullopt;
    PdfObject* sig = perms->GetIndirectKey("DocMDP");
    return docmdp_of_signature(sig);
}

} // namespace ow::signing::detail
