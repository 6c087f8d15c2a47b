#include "ow/signing/pades_signer.h"

#include "appearance.h"
#include "atomic_file.h"
#include "cms.h"
#include "der.h"
#include "pdf_util.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <openssl/crypto.h>
#include <optional>
#include <unistd.h>

namespace ow::signing {

using namespace detail;
using namespace PoDoFo;

namespace {

constexpr const char* kByteRangePlaceholder = "[ 0 1234567890 1234567890 1234567890]";

void load(PdfMemDocument& doc, std::span<const std::uint8_t> mem, const std::string& what) {
    quiet_podofo();
    try {
        load_without_copy(doc, mem, true);
    } catch (const PdfError& e) {
        if (e.GetError() == ePdfError_InvalidPassword)
            throw SigningError(ErrorCode::EncryptedPdf,
                               what + " is encrypted; encrypted PDFs cannot be sealed");
        if (e.GetError() == ePdfError_FileNotFound)
            throw SigningError(ErrorCode::IoError, "cannot open " + what);
        throw SigningError(ErrorCode::MalformedPdf,
                           what + " is not a readable PDF: " + podofo_error_text(e));
    } catch (const std::exception& e) {
        throw SigningError(ErrorCode::MalformedPdf, what + " is not a readable PDF: " + e.what());
    }
    if (doc.GetEncrypted())
        throw SigningError(ErrorCode::EncryptedPdf,
                           what + " is encrypted; encrypted PDFs cannot be sealed");
    if (!doc.GetCatalog() || doc.GetPageCount() < 1)
        throw SigningError(ErrorCode::MalformedPdf, what + " has no pages");
}

std::string common_name(const Bytes& cert_der) {
    X509NamePtr subject;
    if (auto fields = der::certificate_fields(cert_der)) {
        const unsigned char* p = fields->subject.data();
        subject.reset(d2i_X509_NAME(nullptr, &p, static_cast<long>(fields->subject.size())));
    } else {
        X509Ptr c = x509_from_der(cert_der);
        subject.reset(X509_NAME_dup(X509_get_subject_name(c.get())));
    }
    char buf[256] = {};
    if (subject)
        X509_NAME_get_text_by_NID(subject.get(), NID_commonName, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

struct Prepared {
    PdfObject* sig = nullptr;
    std::string field_name;
};

// Adds the signature field (or takes the existing empty one), the /Sig dictionary with its
// placeholder, DocMDP and the appearance. Checks the document allows another signature.
Prepared prepare(PdfMemDocument& doc, const SignOptions& o, const Signer& signer,
                 const std::string& what) {
    std::vector<SigField> fields = signature_fields(doc);
    std::optional<int> mdp = docmdp_permission(doc);
    bool has_signature = false;
    for (const auto& f : fields)
        has_signature = has_signature || f.value;
    if (mdp && *mdp == 1)
        throw SigningError(ErrorCode::DocMdpForbids,
                           what + " is certified with \"no changes allowed\" (DocMDP P=1); "
                                  "another signature would invalidate it");
    if (o.certify != DocMdp::None && (has_signature || mdp))
        throw SigningError(ErrorCode::AlreadyCertified,
                           what + " is already signed; a certification signature must be the "
                                  "first signature of a document");

    PdfAcroForm* acro = doc.GetAcroForm(true, ePdfAcroFormDefaultAppearance_None);
    acro->GetObject()->GetDictionary().AddKey("SigFlags", PdfObject(static_cast<pdf_int64>(3)));

    PdfObject* field = nullptr;
    PdfObject* widget = nullptr;
    std::string name;
    PdfRect rect(0, 0, 0, 0);
    if (!o.existing_field.empty()) {
        for (const auto& f : fields) {
            if (f.name != o.existing_field)
                continue;
            if (f.value)
                throw SigningError(ErrorCode::FieldAlreadySigned, "signature field '" + f.name +
                                                                      "' in " + what +
                                                                      " is already signed");
            field = f.field;
            widget = f.widget;
            name = f.name;
        }
        if (!field)
            throw SigningError(ErrorCode::FieldNotFound,
                               "no signature field named '" + o.existing_field + "' in " + what);
        if (PdfObject* r = widget->GetIndirectKey("Rect"); r && r->IsArray())
            rect.FromArray(r->GetArray());
        widget->GetDictionary().AddKey(
            "F", PdfObject(static_cast<pdf_int64>(ePdfAnnotationFlags_Print |
                                                  ePdfAnnotationFlags_Locked)));
    } else {
        int page_index = o.seal ? o.seal->page - 1 : 0;
        if (page_index < 0 || page_index >= doc.GetPageCount())
            throw SigningError(ErrorCode::InvalidArgument,
                               "page " + std::to_string(page_index + 1) + " does not exist in " +
                                   what + " (" + std::to_string(doc.GetPageCount()) + " pages)");
        if (o.seal) {
            const Rect& r = o.seal->rect;
            if (r.width <= 0 || r.height <= 0)
                throw SigningError(ErrorCode::InvalidArgument,
                                   "the seal needs a width and a height");
            rect = PdfRect(r.x, r.y, r.width, r.height);
        }
        name = o.field_name;
        if (name.empty()) {
            for (int i = static_cast<int>(fields.size()) + 1;; ++i) {
                name = "Signature" + std::to_string(i);
                bool taken = false;
                for (const auto& f : fields)
                    taken = taken || f.name == name;
                if (!taken)
                    break;
            }
        } else {
            for (const auto& f : fields)
                if (f.name == name)
                    throw SigningError(ErrorCode::InvalidArgument,
                                       "a field named '" + name + "' already exists in " + what +
                                           "; sign into it with existing_field");
        }
        PdfPage* page = doc.GetPage(page_index);
        PdfAnnotation* annot = page->CreateAnnotation(ePdfAnnotation_Widget, rect);
        annot->SetFlags(ePdfAnnotationFlags_Print | ePdfAnnotationFlags_Locked);
        PdfSignatureField sf(annot, acro, &doc, false);
        bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
        sf.SetFieldName(ascii ? PdfString(name.c_str())
                              : PdfString(reinterpret_cast<const pdf_utf8*>(name.c_str())));
        field = sf.GetFieldObject();
        widget = annot->GetObject();
    }

    PdfObject* sig = doc.GetObjects().CreateObject("Sig");
    PdfDictionary& d = sig->GetDictionary();
    d.AddKey("Filter", PdfName("Adobe.PPKLite"));
    d.AddKey("SubFilter", PdfName("ETSI.CAdES.detached"));
    std::time_t t = std::chrono::system_clock::to_time_t(
        o.signing_time.value_or(std::chrono::system_clock::now()));
    PdfString date;
    PdfDate(t).ToString(date);
    d.AddKey("M", date);
    auto utf8 = [](const std::string& s) {
        return PdfString(reinterpret_cast<const pdf_utf8*>(s.c_str()));
    };
    if (!o.reason.empty())
        d.AddKey("Reason", utf8(o.reason));
    if (!o.location.empty())
        d.AddKey("Location", utf8(o.location));
    field->GetDictionary().AddKey("V", sig->Reference());

    if (o.certify != DocMdp::None) {
        PdfDictionary tp;
        tp.AddKey("Type", PdfName("TransformParams"));
        tp.AddKey("P", PdfObject(static_cast<pdf_int64>(o.certify)));
        tp.AddKey("V", PdfName("1.2"));
        PdfDictionary ref;
        ref.AddKey("Type", PdfName("SigRef"));
        ref.AddKey("TransformMethod", PdfName("DocMDP"));
        ref.AddKey("TransformParams", tp);
        PdfArray refs;
        refs.push_back(ref);
        d.AddKey("Reference", refs);
        PdfDictionary perms;
        perms.AddKey("DocMDP", sig->Reference());
        doc.GetCatalog()->GetDictionary().AddKey("Perms", perms);
    }

    if (o.seal && rect.GetWidth() > 0 && rect.GetHeight() > 0) {
        std::vector<std::string> fallback{common_name(signer.certificate())};
        std::string pdf = render_seal_pdf(*o.seal, rect.GetWidth(), rect.GetHeight(), fallback);
        PdfObject* xo = import_as_xobject(doc, pdf, rect.GetWidth(), rect.GetHeight());
        PdfDictionary ap;
        ap.AddKey("N", xo->Reference());
        widget->GetDictionary().AddKey("AP", ap);
    } else if (o.seal && !o.existing_field.empty()) {
        throw SigningError(ErrorCode::InvalidArgument,
                           "signature field '" + name + "' has no area for a visible seal");
    }
    return {sig, name};
}

// prepare(), with PoDoFo's exceptions on damaged structures turned into clear errors.
Prepared prepare_checked(PdfMemDocument& doc, const SignOptions& o, const Signer& signer,
                         const std::string& what) {
    try {
        return prepare(doc, o, signer, what);
    } catch (const PdfError& e) {
        throw SigningError(ErrorCode::MalformedPdf,
                           what + " has a damaged structure: " + podofo_error_text(e));
    }
}

struct Attempt {
    bool done = false;
    std::size_t needed = 0;
};

class Hasher {
public:
    explicit Hasher(DigestAlgorithm alg) : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), evp_md(alg), nullptr) != 1)
            throw_openssl(ErrorCode::CryptoError, "digest init");
    }
    void update(const char* p, std::size_t n) { EVP_DigestUpdate(ctx_.get(), p, n); }
    Bytes finish() {
        Bytes out(EVP_MAX_MD_SIZE);
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), out.data(), &n);
        out.resize(n);
        return out;
    }

private:
    EvpMdCtxPtr ctx_;
};

// The CMS placeholder: a hex string of 2·reserve digits that begins with a random marker, found by
// one memmem over the appended revision. (PoDoFo's PdfSignOutputDevice compares every byte written
// — the whole input included — with its beacon: 40 % of the time of sealing a 6 MB file.)
std::string contents_placeholder(std::size_t reserve, std::string& marker) {
    unsigned char nonce[16];
    if (getentropy(nonce, sizeof nonce) != 0)
        throw SigningError(ErrorCode::CryptoError, "no random bytes for the placeholder");
    static const char digits[] = "0123456789ABCDEF";
    marker.clear();
    for (unsigned char c : nonce) {
        marker += digits[c >> 4];
        marker += digits[c & 15];
    }
    std::string contents = "<" + marker;
    contents.append(2 * reserve - marker.size(), '0');
    contents += '>';
    return contents;
}

const char* find_bytes(const char* begin, const char* end, std::string_view what) {
    if (end <= begin)
        return nullptr;
    return static_cast<const char*>(
        memmem(begin, static_cast<std::size_t>(end - begin), what.data(), what.size()));
}

// Where the signed document goes. A file starts being written (SignedFileWriter) as soon as
// every byte outside the /Contents gap is final, while the key signs; memory takes the whole
// document at the end.
class Output {
public:
    explicit Output(std::vector<std::uint8_t>* memory) : memory_(memory) {}
    explicit Output(const std::filesystem::path& file) : file_(std::in_place, file) {}
    void start(std::span<const std::uint8_t> doc, std::size_t gap_begin, std::size_t gap_end) {
        if (file_)
            file_->start(doc, gap_begin, gap_end);
    }
    void finish(std::span<const std::uint8_t> doc) {
        if (file_)
            file_->finish();
        else
            memory_->assign(doc.begin(), doc.end());
    }
    // An attempt that failed or ran out of room: nothing of it may remain.
    void abandon() noexcept {
        if (file_)
            file_->abandon();
    }

private:
    std::vector<std::uint8_t>* memory_ = nullptr;
    std::optional<SignedFileWriter> file_;
};

// Writes the revision into memory (the input's bytes, then the update), fills /ByteRange, hashes,
// hands the document to `out` to start writing, signs, embeds the CMS and finishes `out` (no
// copy). Returns the size needed when the reservation was too small (the caller starts over from
// a fresh load).
Attempt write_and_sign(PdfMemDocument& doc, std::size_t original_size, Prepared& p,
                       std::size_t reserve, Signer& signer, const SignerCertificates& certs,
                       const SignOptions& o, SignResult& result, Output& out) {
    std::string marker;
    const std::string contents = contents_placeholder(reserve, marker);
    p.sig->GetDictionary().AddKey("ByteRange", PdfVariant(PdfData(kByteRangePlaceholder)));
    p.sig->GetDictionary().AddKey(PdfName::KeyContents,
                                  PdfVariant(PdfData(contents.data(), contents.size())));
    // Sized for the input plus the update, so that the buffer does not grow by doubling.
    PdfRefCountedBuffer buffer(original_size + contents.size() + (256 << 10));
    std::size_t length = 0;
    try {
        PdfOutputDevice device(&buffer);
        doc.WriteUpdate(&device, true);
        length = device.GetLength();
    } catch (const PdfError& e) {
        throw SigningError(ErrorCode::IoError,
                           "cannot write the signed revision: " + podofo_error_text(e));
    }
    char* data = buffer.GetBuffer();
    const char* end = data + length;
    // The placeholder is in the appended revision; look there first.
    const char* from = data + std::min(original_size, length);
    const char* found = find_bytes(from, end, marker);
    if (!found) {
        from = data;
        found = find_bytes(from, end, marker);
    }
    if (!found || found == data || found[-1] != '<' ||
        static_cast<std::size_t>(end - found) < contents.size() - 1 ||
        found[contents.size() - 2] != '>')
        throw SigningError(ErrorCode::CryptoError, "the signature placeholder was not written");
    const std::size_t gap_begin = static_cast<std::size_t>(found - 1 - data);
    const std::size_t gap_end = gap_begin + contents.size();
    const char* range = find_bytes(from, data + gap_begin, kByteRangePlaceholder);
    if (!range)
        throw SigningError(ErrorCode::CryptoError, "the /ByteRange placeholder was not written");
    char numbers[64];
    const int n = std::snprintf(numbers, sizeof numbers, "[0 %zu %zu %zu", gap_begin, gap_end,
                                length - gap_end);
    const std::size_t width = std::strlen(kByteRangePlaceholder);
    if (n < 0 || static_cast<std::size_t>(n) + 1 > width)
        throw SigningError(ErrorCode::CryptoError, "the document is too large to sign");
    char* r = data + (range - data);
    std::memcpy(r, numbers, static_cast<std::size_t>(n));
    std::memset(r + n, ' ', width - 1 - static_cast<std::size_t>(n));
    r[width - 1] = ']';

    Hasher h(o.digest);
    h.update(data, gap_begin);
    h.update(data + gap_end, length - gap_end);
    result.document_digest = h.finish();

    // The worker writing the file reads `buffer` outside the gap; it is joined before `buffer`
    // goes, whatever happens below.
    struct AbandonUnlessFinished {
        Output& out;
        bool finished = false;
        ~AbandonUnlessFinished() {
            if (!finished)
                out.abandon();
        }
    } abandon_guard{out};
    out.start({reinterpret_cast<const std::uint8_t*>(data), length}, gap_begin, gap_end);

    CmsBuilder cms(signer, certs, o.digest);
    Bytes tbs = cms.signed_attributes(result.document_digest);
    Bytes tbs_digest = digest(o.digest, tbs);
    if (o.before_key_operation)
        o.before_key_operation();
    ++result.key_operations;
    cms.set_signature(signer.sign_digest(o.digest, tbs_digest));
    result.level = "B-B";
    result.timestamp_time.reset();
    if (o.timestamp) {
        TsaClient tsa(*o.timestamp);
        Bytes sig_digest = digest(DigestAlgorithm::Sha256, cms.signature());
        Timestamp ts = tsa.stamp(sig_digest, DigestAlgorithm::Sha256);
        cms.add_timestamp_token(ts.token);
        result.level = "B-T";
        result.timestamp_time = ts.time;
    }
    Bytes der = cms.der();
    result.cms_size = der.size();
    result.reserved = reserve;
    if (der.size() > reserve)
        return {false, der.size()};
    static const char digits[] = "0123456789abcdef";
    char* hex = data + gap_begin + 1;
    for (std::uint8_t byte : der) {
        *hex++ = digits[byte >> 4];
        *hex++ = digits[byte & 15];
    }
    std::memset(hex, '0', 2 * (reserve - der.size()));
    result.field_name = p.field_name;
    result.output_size = length;
    out.finish({reinterpret_cast<const std::uint8_t*>(data), length});
    abandon_guard.finished = true;
    return {true, 0};
}

std::size_t initial_reserve(const Signer& signer, const SignerCertificates& certs,
                            const SignOptions& o) {
    std::size_t n = estimate_cms_size(signer, certs, o.digest) + 64;
    if (o.timestamp)
        n += o.timestamp->reserve;
    return (n + 511) / 512 * 512;
}

void check_options(const SignOptions& o) {
    if (o.seal && o.seal->page < 1)
        throw SigningError(ErrorCode::InvalidArgument, "pages are numbered from 1");
    if (o.timestamp && o.timestamp->url.empty())
        throw SigningError(ErrorCode::InvalidArgument, "time-stamping needs a TSA URL");
}

} // namespace

namespace {

// Signs a document held in memory; the signed bytes go to `out`. `parsed`, when given, is `pdf`
// already loaded, used by the first attempt.
SignResult sign_bytes(Signer& signer, std::span<const std::uint8_t> pdf, const SignOptions& o,
                      Output& out, const std::string& what = "the document",
                      std::unique_ptr<PdfMemDocument> parsed = nullptr) {
    check_options(o);
    if (pdf.empty())
        throw SigningError(ErrorCode::MalformedPdf, what + " is empty");
    SignResult result;
    const SignerCertificates certs(signer);
    std::size_t reserve = initial_reserve(signer, certs, o);
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<PdfMemDocument> loaded = std::move(parsed);
        if (!loaded) {
            loaded = std::make_unique<PdfMemDocument>();
            load(*loaded, pdf, what);
        }
        PdfMemDocument& doc = *loaded;
        Prepared p = prepare_checked(doc, o, signer, what);
        Attempt a = write_and_sign(doc, pdf.size(), p, reserve, signer, certs, o, result, out);
        if (a.done)
            return result;
        reserve = (a.needed + 1024 + 511) / 512 * 512;
    }
    throw SigningError(ErrorCode::SignatureTooLarge,
                       "the signature did not fit the space reserved for it");
}

} // namespace

struct InputDocument::Impl {
    FileBytes bytes;
    std::unique_ptr<PdfMemDocument> parsed; // reads `bytes` in place
    std::string what;                       // "'name.pdf'", for messages
    std::exception_ptr error;
};

InputDocument::InputDocument() : impl_(std::make_unique<Impl>()) {}
InputDocument::InputDocument(InputDocument&&) noexcept = default;
InputDocument& InputDocument::operator=(InputDocument&&) noexcept = default;
InputDocument::~InputDocument() = default;

InputDocument InputDocument::read(const std::filesystem::path& in) noexcept {
    InputDocument d;
    try {
        d.impl_->what = "'" + in.filename().string() + "'";
        if (!std::filesystem::is_regular_file(in))
            throw SigningError(ErrorCode::IoError, "cannot open '" + in.string() + "'");
        // Read once into memory: PoDoFo's file device issues a seek per token (2,800 system
        // calls for 50 pages of text), and the update needs every input byte again anyway.
        d.impl_->bytes = read_whole_file(in);
        if (d.impl_->bytes.size() > 0) {
            auto doc = std::make_unique<PdfMemDocument>();
            load(*doc, d.impl_->bytes.span(), d.impl_->what);
            d.impl_->parsed = std::move(doc);
        }
    } catch (...) {
        d.impl_->error = std::current_exception();
    }
    return d;
}

SignResult PadesSigner::sign_file(const std::filesystem::path& in, const std::filesystem::path& out,
                                  const SignOptions& o) {
    check_options(o);
    return sign_file(InputDocument::read(in), out, o);
}

SignResult PadesSigner::sign_file(InputDocument in, const std::filesystem::path& out,
                                  const SignOptions& o) {
    check_options(o);
    if (in.impl_->error)
        std::rethrow_exception(in.impl_->error);
    // Nothing reaches `out` before the document is complete: temp file, fsync, rename.
    Output file(out);
    return sign_bytes(signer_, in.impl_->bytes.span(), o, file, in.impl_->what,
                      std::move(in.impl_->parsed));
}

Bytes PadesSigner::sign_memory(std::span<const std::uint8_t> pdf, const SignOptions& o,
                               SignResult* out_result) {
    Bytes signed_pdf;
    Output memory(&signed_pdf);
    SignResult r = sign_bytes(signer_, pdf, o, memory);
    if (out_result)
        *out_result = r;
    return signed_pdf;
}

SignResult PadesSigner::sign_memory_to_file(std::span<const std::uint8_t> pdf,
                                            const std::filesystem::path& out,
                                            const SignOptions& o) {
    // Nothing reaches `out` before the document is complete: temp file, fsync, rename.
    Output file(out);
    return sign_bytes(signer_, pdf, o, file);
}

} // namespace ow::signing
