#include "ow/signing/pades_verifier.h"

#include "atomic_file.h"
#include "ossl.h"
#include "pdf_util.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <nlohmann/json.hpp>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ow::signing {

using namespace detail;
using namespace PoDoFo;

std::string_view to_string(ChangeLevel level) {
    switch (level) {
    case ChangeLevel::None:
        return "none";
    case ChangeLevel::Signing:
        return "signing";
    case ChangeLevel::FormFilling:
        return "form-filling";
    case ChangeLevel::Annotations:
        return "annotations";
    case ChangeLevel::Other:
        return "other";
    }
    return "other";
}

bool SignatureReport::valid() const {
    bool ts_ok = !timestamp.present || (timestamp.imprint_ok && timestamp.signature_ok);
    return integrity() && changes_allowed && ts_ok;
}

bool VerifyReport::all_valid_and_trusted() const {
    if (signatures.empty())
        return false;
    return std::all_of(signatures.begin(), signatures.end(),
                       [](const SignatureReport& s) { return s.trusted(); });
}

namespace {

// ------------------------------------------------------------------------------------ helpers

std::string iso(const ASN1_TIME* t) {
    return asn1_time_iso(t);
}

std::string iso(std::time_t t) {
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::time_t> asn1_to_time(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return std::nullopt;
    return timegm(&tm);
}

// PDF date "D:YYYYMMDDHHmmSSOHH'mm'" to UTC.
std::optional<std::time_t> pdf_date(const std::string& s) {
    std::string d = s.rfind("D:", 0) == 0 ? s.substr(2) : s;
    if (d.size() < 4 || !std::all_of(d.begin(), d.begin() + 4, ::isdigit))
        return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len, int def) {
        if (d.size() < pos + len)
            return def;
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(d[i])))
                return def;
            v = v * 10 + (d[i] - '0');
        }
        return v;
    };
    struct tm tm {};
    tm.tm_year = num(0, 4, 1970) - 1900;
    tm.tm_mon = num(4, 2, 1) - 1;
    tm.tm_mday = num(6, 2, 1);
    tm.tm_hour = num(8, 2, 0);
    tm.tm_min = num(10, 2, 0);
    tm.tm_sec = num(12, 2, 0);
    std::time_t t = timegm(&tm);
    if (d.size() > 14 && (d[14] == '+' || d[14] == '-')) {
        int off = num(15, 2, 0) * 3600 + num(18, 2, 0) * 60;
        t += d[14] == '+' ? -off : off;
    }
    return t;
}

CertificateInfo cert_info(X509* c) {
    CertificateInfo i;
    i.subject = x509_name(X509_get_subject_name(c));
    i.issuer = x509_name(X509_get_issuer_name(c));
    i.serial = x509_serial_hex(c);
    i.not_before = iso(X509_get0_notBefore(c));
    i.not_after = iso(X509_get0_notAfter(c));
    return i;
}

std::string obj_name(const ASN1_OBJECT* o) {
    if (!o)
        return {};
    int nid = OBJ_obj2nid(o);
    if (nid != NID_undef)
        return OBJ_nid2sn(nid);
    char buf[80];
    OBJ_obj2txt(buf, sizeof buf, o, 1);
    return buf;
}

struct FileView {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

// memmem() is slow on large binary files; memchr() for the first byte is vectorised.
const std::uint8_t* find_bytes(const std::uint8_t* p, const std::uint8_t* end, const char* needle,
                               std::size_t n) {
    while (p + n <= end) {
        p = static_cast<const std::uint8_t*>(
            std::memchr(p, needle[0], static_cast<std::size_t>(end - p)));
        if (!p || p + n > end)
            return nullptr;
        if (std::memcmp(p, needle, n) == 0)
            return p;
        ++p;
    }
    return nullptr;
}

// Byte offsets just after each "%%EOF" (+ end of line): the ends of the revisions.
std::vector<std::size_t> revision_ends(FileView f) {
    std::vector<std::size_t> ends;
    static const char marker[] = "%%EOF";
    const std::uint8_t* p = f.data;
    const std::uint8_t* end = f.data + f.size;
    while (true) {
        p = find_bytes(p, end, marker, 5);
        if (!p)
            break;
        p += 5;
        const std::uint8_t* q = p;
        if (q < end && *q == '\r')
            ++q;
        if (q < end && *q == '\n')
            ++q;
        ends.push_back(static_cast<std::size_t>(q - f.data));
    }
    return ends;
}

// ------------------------------------------------------------------------------------ changes

struct ChangeAnalysis {
    ChangeLevel level = ChangeLevel::None;
    std::vector<std::string> notes;
    void add(ChangeLevel l, std::string note) {
        level = std::max(level, l);
        if (std::find(notes.begin(), notes.end(), note) == notes.end())
            notes.push_back(std::move(note));
    }
};

// Object numbers defined in the bytes after `from` (incremental updates), including objects
// packed in object streams there.
std::set<std::pair<int, int>> defined_after(FileView f, std::size_t from) {
    std::set<std::pair<int, int>> out;
    const char* s = reinterpret_cast<const char*>(f.data);
    std::size_t i = from;
    while (i < f.size) {
        const char* hit =
            reinterpret_cast<const char*>(find_bytes(f.data + i, f.data + f.size, " obj", 4));
        if (!hit)
            break;
        std::size_t pos = static_cast<std::size_t>(hit - s);
        // walk back over "N G"
        std::size_t q = pos;
        auto back_digits = [&](std::size_t& k) {
            std::size_t e = k;
            while (k > from && std::isdigit(static_cast<unsigned char>(s[k - 1])))
                --k;
            return e > k ? std::optional<long>(std::stol(std::string(s + k, e - k))) : std::nullopt;
        };
        auto gen = back_digits(q);
        if (gen && q > from && s[q - 1] == ' ') {
            --q;
            auto num = back_digits(q);
            if (num && *num < (1L << 24) && *gen < 65536)
                out.insert({static_cast<int>(*num), static_cast<int>(*gen)});
        }
        i = pos + 4;
    }
    return out;
}

std::string serialize(const PdfObject* o) {
    std::string s;
    o->ToString(s, ePdfWriteMode_Compact);
    return s;
}

bool same_stream(const PdfObject* a, const PdfObject* b) {
    if (a->HasStream() != b->HasStream())
        return false;
    if (!a->HasStream())
        return true;
    char *ba = nullptr, *bb = nullptr;
    pdf_long la = 0, lb = 0;
    a->GetStream()->GetCopy(&ba, &la);
    b->GetStream()->GetCopy(&bb, &lb);
    bool same = la == lb && (la == 0 || std::memcmp(ba, bb, static_cast<std::size_t>(la)) == 0);
    podofo_free(ba);
    podofo_free(bb);
    return same;
}

std::string type_of(const PdfObject* o) {
    if (!o || !o->IsDictionary())
        return {};
    const PdfObject* t = o->GetDictionary().GetKey("Type");
    return t && t->IsName() ? t->GetName().GetName() : std::string();
}

bool is_sig_field(PdfObject* o) {
    for (int depth = 0; o && o->IsDictionary() && depth < 16; ++depth) {
        PdfObject* ft = o->GetIndirectKey("FT");
        if (ft && ft->IsName())
            return ft->GetName().GetName() == "Sig";
        o = o->GetIndirectKey("Parent");
    }
    return false;
}

ChangeLevel classify_annotation(PdfObject* a) {
    if (!a || !a->IsDictionary())
        return ChangeLevel::Annotations;
    PdfObject* st = a->GetIndirectKey("Subtype");
    bool widget = st && st->IsName() && st->GetName().GetName() == "Widget";
    if (!widget)
        return ChangeLevel::Annotations;
    return is_sig_field(a) ? ChangeLevel::Signing : ChangeLevel::FormFilling;
}

std::set<PdfReference> refs_in(const PdfObject* arr) {
    std::set<PdfReference> out;
    if (arr && arr->IsArray())
        for (const auto& x : arr->GetArray())
            if (x.IsReference())
                out.insert(x.GetReference());
    return out;
}

// Keys whose values differ between two dictionaries.
std::set<std::string> changed_keys(const PdfObject* a, const PdfObject* b) {
    std::set<std::string> out;
    const auto& ka = a->GetDictionary().GetKeys();
    const auto& kb = b->GetDictionary().GetKeys();
    for (const auto& [k, v] : ka) {
        auto it = kb.find(k);
        if (it == kb.end() || serialize(v) != serialize(it->second))
            out.insert(k.GetName());
    }
    for (const auto& [k, v] : kb)
        if (!ka.count(k))
            out.insert(k.GetName());
    return out;
}

void analyse_changes(PdfMemDocument& before, PdfMemDocument& after, FileView f, std::size_t from,
                     ChangeAnalysis& out) {
    auto defined = defined_after(f, from);
    // Expand object streams written in the update.
    for (auto [num, gen] : std::set<std::pair<int, int>>(defined)) {
        PdfObject* o =
            after.GetObjects().GetObject(PdfReference(num, static_cast<pdf_gennum>(gen)));
        if (o && type_of(o) == "ObjStm" && o->HasStream()) {
            char* buf = nullptr;
            pdf_long len = 0;
            try {
                o->GetStream()->GetFilteredCopy(&buf, &len);
            } catch (const PdfError&) {
                out.add(ChangeLevel::Other, "an unreadable object stream was added");
                continue;
            }
            std::istringstream in(std::string(buf, static_cast<std::size_t>(len)));
            podofo_free(buf);
            const PdfObject* n = o->GetDictionary().GetKey("N");
            long count = n && n->IsNumber() ? static_cast<long>(n->GetNumber()) : 0;
            for (long i = 0; i < count && i < 100000; ++i) {
                long objnum = 0, off = 0;
                if (!(in >> objnum >> off))
                    break;
                defined.insert({static_cast<int>(objnum), 0});
            }
        }
    }
    PdfObject* cat_after = after.GetCatalog();
    PdfObject* acro_after = cat_after ? cat_after->GetIndirectKey("AcroForm") : nullptr;
    PdfObject* fields_after = acro_after ? acro_after->GetIndirectKey("Fields") : nullptr;
    const PdfObject* info_ref =
        after.GetTrailer() ? after.GetTrailer()->GetDictionary().GetKey("Info") : nullptr;

    for (auto [num, gen] : defined) {
        PdfReference ref(num, static_cast<pdf_gennum>(gen));
        PdfObject* b = after.GetObjects().GetObject(ref);
        PdfObject* a = before.GetObjects().GetObject(ref);
        if (!b)
            continue;
        std::string type = type_of(b);
        if (type == "XRef" || type == "ObjStm")
            continue;
        if (!a)
            continue; // new objects matter only once something existing points to them
        if (serialize(a) == serialize(b) && same_stream(a, b))
            continue; // re-written unchanged (e.g. PoDoFo unpacking object streams)
        std::string what = std::to_string(num) + " " + std::to_string(gen) + " R";
        if (cat_after && ref == cat_after->Reference()) {
            for (const auto& k : changed_keys(a, b)) {
                if (k == "AcroForm" || k == "DSS" || k == "Extensions")
                    out.add(ChangeLevel::Signing, "catalog: " + k + " updated");
                else
                    out.add(ChangeLevel::Other, "catalog entry /" + k + " changed");
            }
        } else if (acro_after && ref == acro_after->Reference()) {
            out.add(ChangeLevel::Signing, "form (AcroForm) dictionary updated");
        } else if (fields_after && ref == fields_after->Reference()) {
            out.add(ChangeLevel::Signing, "form field list updated");
        } else if (info_ref && info_ref->IsReference() && ref == info_ref->GetReference()) {
            out.add(ChangeLevel::Signing, "document information (metadata) updated");
        } else if (type == "Sig" || type == "DocTimeStamp") {
            out.add(ChangeLevel::Other,
                    "an existing signature dictionary (" + what + ") was changed");
        } else if (type == "Page") {
            auto keys = changed_keys(a, b);
            for (const auto& k : keys) {
                if (k != "Annots") {
                    out.add(ChangeLevel::Other, "page object " + what + ": /" + k + " changed");
                    continue;
                }
                auto old_refs = refs_in(a->GetIndirectKey("Annots"));
                auto new_refs = refs_in(b->GetIndirectKey("Annots"));
                for (const auto& r : new_refs)
                    if (!old_refs.count(r)) {
                        ChangeLevel l = classify_annotation(after.GetObjects().GetObject(r));
                        out.add(l, l == ChangeLevel::Signing       ? "signature field added"
                                   : l == ChangeLevel::FormFilling ? "form field widget added"
                                                                   : "annotation added");
                    }
                for (const auto& r : old_refs)
                    if (!new_refs.count(r))
                        out.add(ChangeLevel::Annotations, "annotation removed");
            }
        } else if (b->IsArray()) {
            // An indirect /Annots or /Fields array: judge by what was added.
            auto old_refs = refs_in(a), new_refs = refs_in(b);
            bool removed = false;
            for (const auto& r : old_refs)
                removed = removed || !new_refs.count(r);
            if (removed)
                out.add(ChangeLevel::Annotations, "an array lost entries (" + what + ")");
            for (const auto& r : new_refs)
                if (!old_refs.count(r)) {
                    PdfObject* o = after.GetObjects().GetObject(r);
                    ChangeLevel l = classify_annotation(o);
                    if (o && o->IsDictionary() && !o->GetDictionary().HasKey("Subtype"))
                        l = is_sig_field(o) ? ChangeLevel::Signing : ChangeLevel::FormFilling;
                    out.add(l, l == ChangeLevel::Signing       ? "signature field added"
                               : l == ChangeLevel::FormFilling ? "form field added"
                                                               : "annotation added");
                }
        } else if (b->IsDictionary() &&
                   (b->GetDictionary().HasKey("FT") || b->GetDictionary().HasKey("T") ||
                    b->GetDictionary().HasKey("Subtype"))) {
            auto keys = changed_keys(a, b);
            bool sig = is_sig_field(b);
            PdfObject* st = b->GetIndirectKey("Subtype");
            bool widget_or_field = !st || (st->IsName() && st->GetName().GetName() == "Widget");
            if (!widget_or_field) {
                out.add(ChangeLevel::Annotations, "annotation " + what + " changed");
                continue;
            }
            for (const auto& k : keys) {
                if (sig && (k == "V" || k == "AP" || k == "F") && !a->GetDictionary().HasKey("V"))
                    out.add(ChangeLevel::Signing, "empty signature field filled");
                else if (sig && k == "V")
                    out.add(ChangeLevel::Other, "the value of an already signed field changed");
                else if (!sig && (k == "V" || k == "AP" || k == "AS" || k == "MK"))
                    out.add(ChangeLevel::FormFilling, "form field value changed");
                else if (k == "Kids")
                    out.add(ChangeLevel::FormFilling, "form field widgets changed");
                else
                    out.add(ChangeLevel::Other, "form field " + what + ": /" + k + " changed");
            }
        } else {
            out.add(ChangeLevel::Other, "object " + what +
                                            (type.empty() ? "" : " (/" + type + ")") +
                                            " changed (page content or resources)");
        }
    }
}

// ------------------------------------------------------------------------------------ CMS

struct Anchors {
    std::vector<X509Ptr> certs;
};

X509StorePtr make_store(const Anchors& anchors) {
    X509StorePtr store(X509_STORE_new());
    for (const auto& c : anchors.certs)
        X509_STORE_add_cert(store.get(), c.get());
    return store;
}

void check_timestamp(CMS_SignerInfo* si, const Anchors& anchors, TimestampReport& ts) {
    int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    if (idx < 0)
        return;
    ts.present = true;
    X509_ATTRIBUTE* attr = CMS_unsigned_get_attr(si, idx);
    ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(attr, 0);
    if (!t || t->type != V_ASN1_SEQUENCE) {
        ts.problem = "the time-stamp attribute is malformed";
        return;
    }
    const unsigned char* p = t->value.sequence->data;
    Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, t->value.sequence->length));
    if (!token) {
        ts.problem = "the time-stamp token cannot be parsed";
        ERR_clear_error();
        return;
    }
    TsTstInfoPtr info(PKCS7_to_TS_TST_INFO(token.get()));
    if (!info) {
        ts.problem = "the time-stamp token holds no TSTInfo";
        ERR_clear_error();
        return;
    }
    ts.time = iso(TS_TST_INFO_get_time(info.get()));
    TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info.get());
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(mi);
    const EVP_MD* md = EVP_get_digestbyobj(alg->algorithm);
    ASN1_OCTET_STRING* sigval = CMS_SignerInfo_get0_signature(si);
    if (!md) {
        ts.problem = "unknown time-stamp imprint algorithm";
        return;
    }
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_Digest(sigval->data, static_cast<std::size_t>(sigval->length), h, &hl, md, nullptr);
    ASN1_OCTET_STRING* want = TS_MSG_IMPRINT_get_msg(mi);
    ts.imprint_ok =
        want && static_cast<unsigned>(want->length) == hl && std::memcmp(want->data, h, hl) == 0;
    if (!ts.imprint_ok)
        ts.problem = "the time-stamp does not stamp this signature";
    STACK_OF(PKCS7_SIGNER_INFO)* sis = PKCS7_get_signer_info(token.get());
    if (sis && sk_PKCS7_SIGNER_INFO_num(sis) > 0)
        if (X509* c = PKCS7_cert_from_signer_info(token.get(), sk_PKCS7_SIGNER_INFO_value(sis, 0)))
            ts.tsa = x509_name(X509_get_subject_name(c));
    // Signature of the token, with and without the chain to our anchors.
    {
        TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
        TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
        X509StorePtr store = make_store(anchors);
        TS_VERIFY_CTX_set_store(ctx.get(), store.release());
        ts.trusted = TS_RESP_verify_token(ctx.get(), token.get()) == 1;
        std::string err = ts.trusted ? "" : openssl_errors();
        ts.signature_ok = ts.trusted;
        if (!ts.trusted) {
            // Untrusted TSA or a broken token? Check the token against its own certificates.
            TsVerifyCtxPtr self(TS_VERIFY_CTX_new());
            TS_VERIFY_CTX_set_flags(self.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
            X509StorePtr own(X509_STORE_new());
            STACK_OF(X509)* certs = token->d.sign->cert;
            for (int i = 0; certs && i < sk_X509_num(certs); ++i)
                X509_STORE_add_cert(own.get(), sk_X509_value(certs, i));
            TS_VERIFY_CTX_set_store(self.get(), own.release());
            ts.signature_ok = TS_RESP_verify_token(self.get(), token.get()) == 1;
            ERR_clear_error();
            if (ts.problem.empty())
                ts.problem = ts.signature_ok ? "the TSA is not trusted: " + err
                                             : "the time-stamp token's signature is invalid";
        }
    }
}

void check_cms(SignatureReport& r, const Bytes& der, FileView f, const Anchors& anchors,
               std::time_t now, std::optional<std::time_t> claimed) {
    const unsigned char* p = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) {
        ERR_clear_error();
        r.problems.push_back("/Contents is not a CMS SignedData");
        return;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        r.problems.push_back("/Contents is not a CMS SignedData");
        return;
    }
    STACK_OF(CMS_SignerInfo)* sis = CMS_get0_SignerInfos(cms.get());
    if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
        r.problems.push_back("the CMS must hold exactly one SignerInfo");
        if (!sis || sk_CMS_SignerInfo_num(sis) < 1)
            return;
    }
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(sis, 0);
    X509StackPtr certs(CMS_get1_certs(cms.get()));
    X509* signer = nullptr;
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs.get(), i)) == 0)
            signer = sk_X509_value(certs.get(), i);
    X509_ALGOR *dig = nullptr, *sigalg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sigalg);
    r.digest_algorithm = dig ? obj_name(dig->algorithm) : "";
    r.signature_algorithm = sigalg ? obj_name(sigalg->algorithm) : "";
    if (!signer) {
        r.problems.push_back("the signer certificate is not in the CMS");
        return;
    }
    r.signer = cert_info(signer);

    // messageDigest over the byte ranges
    const EVP_MD* md = dig ? EVP_get_digestbyobj(dig->algorithm) : nullptr;
    if (!md) {
        r.problems.push_back("unknown digest algorithm " + r.digest_algorithm);
        return;
    }
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx.get(), md, nullptr);
    const auto& br = r.byte_range;
    EVP_DigestUpdate(ctx.get(), f.data + br[0], static_cast<std::size_t>(br[1]));
    EVP_DigestUpdate(ctx.get(), f.data + br[2], static_cast<std::size_t>(br[3]));
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_DigestFinal_ex(ctx.get(), h, &hl);
    ASN1_OCTET_STRING* mdattr = static_cast<ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    r.digest_ok = mdattr && static_cast<unsigned>(mdattr->length) == hl &&
                  std::memcmp(mdattr->data, h, hl) == 0;
    if (!r.digest_ok)
        r.problems.push_back("the signed bytes were changed (message digest mismatch)");

    CMS_SignerInfo_set1_signer_cert(si, signer);
    r.signature_ok = CMS_SignerInfo_verify(si) == 1;
    if (!r.signature_ok)
        r.problems.push_back("the signature value does not verify: " + openssl_errors());
    ERR_clear_error();

    // ESS signing-certificate(-v2): binds the signature to this certificate.
    int ess_idx = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1);
    int ess1_idx = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificate, -1);
    if (ess_idx >= 0 || ess1_idx >= 0) {
        ESS_SIGNING_CERT_V2* v2 = nullptr;
        ESS_SIGNING_CERT* v1 = nullptr;
        if (ess_idx >= 0) {
            ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, ess_idx), 0);
            if (t && t->type == V_ASN1_SEQUENCE) {
                const unsigned char* q = t->value.sequence->data;
                v2 = d2i_ESS_SIGNING_CERT_V2(nullptr, &q, t->value.sequence->length);
            }
        } else {
            ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, ess1_idx), 0);
            if (t && t->type == V_ASN1_SEQUENCE) {
                const unsigned char* q = t->value.sequence->data;
                v1 = d2i_ESS_SIGNING_CERT(nullptr, &q, t->value.sequence->length);
            }
        }
        X509StackPtr chain(sk_X509_new_null());
        X509_up_ref(signer);
        sk_X509_push(chain.get(), signer);
        r.ess_ok = (v1 || v2) && OSSL_ESS_check_signing_certs(v1, v2, chain.get(), 1) > 0;
        ESS_SIGNING_CERT_V2_free(v2);
        ESS_SIGNING_CERT_free(v1);
        ERR_clear_error();
        if (!r.ess_ok)
            r.problems.push_back("the signing-certificate attribute does not match the signer");
    } else {
        r.ess_ok = r.sub_filter != "ETSI.CAdES.detached";
        if (!r.ess_ok)
            r.problems.push_back("PAdES signature without the ESS signing-certificate attribute");
        else
            r.warnings.push_back("no ESS signing-certificate attribute (not PAdES baseline)");
    }
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0 &&
        r.sub_filter == "ETSI.CAdES.detached")
        r.warnings.push_back("the CMS carries signingTime, which PAdES baseline forbids");

    check_timestamp(si, anchors, r.timestamp);
    if (r.timestamp.present && !(r.timestamp.imprint_ok && r.timestamp.signature_ok))
        r.problems.push_back("time-stamp: " + r.timestamp.problem);
    else if (r.timestamp.present && !r.timestamp.trusted)
        r.warnings.push_back("time-stamp: " + r.timestamp.problem);
    if (r.sub_filter == "ETSI.CAdES.detached" && r.ess_ok)
        r.level = r.timestamp.present && r.timestamp.imprint_ok ? "B-T" : "B-B";

    // Chain at the proven time (time-stamp) or now.
    std::time_t at = now;
    if (r.timestamp.present && r.timestamp.imprint_ok && r.timestamp.signature_ok &&
        r.timestamp.trusted) {
        ASN1_TIME* t = ASN1_TIME_new();
        if (ASN1_TIME_set_string_X509(
                t, (r.timestamp.time.substr(0, 4) + r.timestamp.time.substr(5, 2) +
                    r.timestamp.time.substr(8, 2) + r.timestamp.time.substr(11, 2) +
                    r.timestamp.time.substr(14, 2) + r.timestamp.time.substr(17, 2) + "Z")
                       .c_str()) == 1)
            if (auto tt = asn1_to_time(t))
                at = *tt;
        ASN1_TIME_free(t);
    }
    r.validation_time = iso(at);
    X509StorePtr store = make_store(anchors);
    X509StoreCtxPtr sctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(sctx.get(), store.get(), signer, certs.get());
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx.get()), at);
    if (anchors.certs.empty()) {
        r.chain_trusted = false;
        r.chain_problem = "no trust anchors configured";
    } else {
        r.chain_trusted = X509_verify_cert(sctx.get()) == 1;
        if (!r.chain_trusted)
            r.chain_problem = X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx.get()));
    }
    ERR_clear_error();
    if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(sctx.get()))
        for (int i = 0; i < sk_X509_num(built); ++i)
            r.chain.push_back(cert_info(sk_X509_value(built, i)));
    if (r.chain.empty())
        r.chain.push_back(r.signer);
    if (!r.chain_trusted)
        r.problems.push_back("certificate not trusted: " + r.chain_problem);
    if (auto m = claimed) {
        auto nb = asn1_to_time(X509_get0_notBefore(signer));
        auto na = asn1_to_time(X509_get0_notAfter(signer));
        r.valid_at_claimed_time = nb && na && *m >= *nb && *m <= *na;
        if (!r.valid_at_claimed_time)
            r.warnings.push_back(
                "the signer certificate was not valid at the claimed signing time");
    }
}

} // namespace

namespace {

void refuse_oversized(const std::string& name, std::uintmax_t size, std::size_t limit) {
    if (size > limit)
        throw SigningError(ErrorCode::MalformedPdf,
                           "'" + name + "' is " + std::to_string(size >> 20) +
                               " MB, more than the " + std::to_string(limit >> 20) +
                               " MB accepted for verification");
}

} // namespace

PadesVerifier::PadesVerifier(VerifyOptions options) : options_(std::move(options)) {}

VerifyReport PadesVerifier::verify_file(const std::filesystem::path& path) const {
    // Read, not mapped: a file truncated by someone else meanwhile must be an error, not a SIGBUS.
    // The size limit applies before anything is read.
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec)
        refuse_oversized(path.string(), size, options_.max_file_size);
    const FileBytes bytes = read_whole_file(path);
    return verify_memory(bytes.span(), path.string());
}

VerifyReport PadesVerifier::verify_memory(std::span<const std::uint8_t> pdf,
                                          std::string name) const {
    quiet_podofo();
    Anchors anchors;
    for (const auto& p : options_.trust_anchors) {
        BioPtr bio(BIO_new_file(p.c_str(), "r"));
        if (!bio)
            throw SigningError(ErrorCode::IoError,
                               "cannot read the trust anchor '" + p.string() + "'");
        std::size_t before = anchors.certs.size();
        while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
            anchors.certs.emplace_back(c);
        ERR_clear_error();
        if (anchors.certs.size() == before)
            throw SigningError(ErrorCode::InvalidArgument,
                               "no certificate in the trust anchor file '" + p.string() + "'");
    }
    for (const auto& d : options_.trust_anchors_der)
        anchors.certs.push_back(x509_from_der(d));

    VerifyReport rep;
    rep.file = name;
    rep.file_size = pdf.size();
    FileView f{pdf.data(), pdf.size()};
    if (pdf.size() < 16 || !memmem(pdf.data(), std::min<std::size_t>(pdf.size(), 1024), "%PDF-", 5))
        throw SigningError(ErrorCode::MalformedPdf, "'" + name + "' is not a PDF file");
    refuse_oversized(name, pdf.size(), options_.max_file_size);
    std::vector<std::size_t> ends = revision_ends(f);
    if (ends.empty())
        throw SigningError(ErrorCode::MalformedPdf,
                           "'" + name + "' is truncated or damaged (no end-of-file marker)");
    rep.revisions = static_cast<int>(ends.size());

    PdfMemDocument doc;
    try {
        load_without_copy(doc, pdf, false);
    } catch (const PdfError& e) {
        if (e.GetError() == ePdfError_InvalidPassword)
            throw SigningError(ErrorCode::EncryptedPdf, "'" + name + "' is encrypted");
        throw SigningError(ErrorCode::MalformedPdf,
                           "'" + name + "' cannot be parsed: " + podofo_error_text(e));
    } catch (const std::exception& e) {
        throw SigningError(ErrorCode::MalformedPdf, "'" + name + "' cannot be parsed: " + e.what());
    }
    std::time_t now = std::chrono::system_clock::to_time_t(
        options_.now.value_or(std::chrono::system_clock::now()));

    std::vector<SigField> fields;
    try {
        fields = signature_fields(doc);
    } catch (const PdfError& e) {
        throw SigningError(ErrorCode::MalformedPdf,
                           "'" + name + "' has a damaged form: " + podofo_error_text(e));
    }
    std::optional<int> cert_p;
    std::int64_t cert_end = -1;
    std::map<std::size_t, std::unique_ptr<PdfMemDocument>> revisions; // by end offset

    for (const auto& fld : fields) {
        if (!fld.value)
            continue;
        SignatureReport r;
        r.field_name = fld.name;
        try {
            PdfObject* v = fld.value;
            r.sub_filter = pdf_text(v->GetIndirectKey("SubFilter"));
            r.reason = pdf_text(v->GetIndirectKey("Reason"));
            r.location = pdf_text(v->GetIndirectKey("Location"));
            std::optional<std::time_t> claimed = pdf_date(pdf_text(v->GetIndirectKey("M")));
            if (claimed)
                r.claimed_time = iso(*claimed);
            r.docmdp = docmdp_of_signature(v);
            PdfObject* br = v->GetIndirectKey("ByteRange");
            PdfObject* contents = v->GetIndirectKey("Contents");
            bool ok = br && br->IsArray() && br->GetArray().size() == 4 && contents &&
                      (contents->IsString() || contents->IsHexString());
            if (ok)
                for (int i = 0; i < 4; ++i) {
                    const PdfObject& x = br->GetArray()[static_cast<std::size_t>(i)];
                    ok = ok && x.IsNumber();
                    r.byte_range[static_cast<std::size_t>(i)] = ok ? x.GetNumber() : 0;
                }
            const auto& b = r.byte_range;
            const auto size = static_cast<std::int64_t>(pdf.size());
            // In this order, so that no sum or difference of file-supplied numbers can overflow.
            ok = ok && b[0] == 0 && b[1] > 0 && b[2] >= 2 && b[2] <= size && b[1] < b[2] - 1 &&
                 b[3] >= 0 && b[3] <= size - b[2];
            if (!ok) {
                r.problems.push_back("the /ByteRange is malformed or points outside the file");
                rep.signatures.push_back(std::move(r));
                continue;
            }
            // The gap must be exactly this dictionary's <hex> /Contents.
            const std::uint8_t* gap = f.data + b[1];
            std::size_t gap_len = static_cast<std::size_t>(b[2] - b[1]);
            if (gap[0] != '<' || gap[gap_len - 1] != '>' || (gap_len - 2) % 2 != 0) {
                r.problems.push_back(
                    "the /ByteRange does not exclude exactly the /Contents string");
                rep.signatures.push_back(std::move(r));
                continue;
            }
            r.contents_size = (gap_len - 2) / 2;
            if (r.contents_size > options_.max_contents) {
                r.problems.push_back("/Contents is " + std::to_string(r.contents_size) +
                                     " bytes, larger than the " +
                                     std::to_string(options_.max_contents) + " accepted");
                rep.signatures.push_back(std::move(r));
                continue;
            }
            Bytes der(r.contents_size);
            bool hex_ok = true;
            for (std::size_t i = 0; i < r.contents_size && hex_ok; ++i) {
                int hi = hex_digit_value(static_cast<char>(gap[1 + 2 * i])),
                    lo = hex_digit_value(static_cast<char>(gap[2 + 2 * i]));
                hex_ok = hi >= 0 && lo >= 0;
                der[i] = static_cast<std::uint8_t>(hi * 16 + lo);
            }
            PdfString cs = contents->GetString();
            bool same = hex_ok && static_cast<std::size_t>(cs.GetLength()) == der.size() &&
                        std::memcmp(cs.GetString(), der.data(), der.size()) == 0;
            if (!same) {
                r.problems.push_back("the /ByteRange gap does not hold this signature's /Contents "
                                     "(lying ByteRange)");
                rep.signatures.push_back(std::move(r));
                continue;
            }
            r.structure_ok = true;
            std::size_t end = static_cast<std::size_t>(b[2] + b[3]);
            r.signed_bytes = b[1] + b[3];
            r.covers_whole_file = end == pdf.size();
            r.revision = 0;
            for (std::size_t i = 0; i < ends.size(); ++i)
                if (ends[i] == end || (ends[i] > end && ends[i] - end <= 2 && end >= 5 &&
                                       std::memcmp(f.data + end - 5, "%%EOF", 5) == 0))
                    r.revision = static_cast<int>(i) + 1;
            if (r.revision == 0)
                r.warnings.push_back("the signed range does not end at a revision boundary");
            check_cms(r, der, f, anchors, now, claimed);

            if (r.docmdp && (!cert_p || end < static_cast<std::size_t>(cert_end))) {
                cert_p = r.docmdp;
                cert_end = static_cast<std::int64_t>(end);
            }
            if (!r.covers_whole_file) {
                auto& before = revisions[end];
                if (!before) {
                    before = std::make_unique<PdfMemDocument>();
                    load_without_copy(*before, pdf.first(end), false);
                }
                ChangeAnalysis ca;
                analyse_changes(*before, doc, f, end, ca);
                r.changes_after = ca.level == ChangeLevel::None ? ChangeLevel::Signing : ca.level;
                if (ca.notes.empty())
                    ca.notes.push_back("later revisions add no change to existing objects");
                r.changes = ca.notes;
            }
        } catch (const PdfError& e) {
            r.structure_ok = false;
            r.problems.push_back("the signature cannot be read: " + podofo_error_text(e));
        } catch (const SigningError&) {
            throw;
        } catch (const std::exception& e) {
            r.structure_ok = false;
            r.problems.push_back(std::string("the signature cannot be read: ") + e.what());
        }
        rep.signatures.push_back(std::move(r));
    }
    // DocMDP: changes after the certification signature must stay within P; without one, only
    // changes to content are refused.
    for (auto& r : rep.signatures) {
        if (!r.structure_ok)
            continue;
        ChangeLevel limit = ChangeLevel::Annotations;
        std::string why = "the document content changed after this signature";
        std::int64_t end = r.byte_range[2] + r.byte_range[3];
        if (cert_p && end >= cert_end) {
            limit = *cert_p == 1   ? ChangeLevel::None
                    : *cert_p == 2 ? ChangeLevel::FormFilling
                                   : ChangeLevel::Annotations;
            why = "changes after signing exceed what the certification (DocMDP P=" +
                  std::to_string(*cert_p) + ") allows";
        }
        r.changes_allowed = r.changes_after <= limit;
        if (!r.changes_allowed)
            r.problems.push_back(why);
    }
    std::sort(rep.signatures.begin(), rep.signatures.end(), [](const auto& a, const auto& b) {
        return a.byte_range[2] + a.byte_range[3] < b.byte_range[2] + b.byte_range[3];
    });
    return rep;
}

// ------------------------------------------------------------------------------------ reports

std::string VerifyReport::text() const {
    std::ostringstream o;
    o << "File: " << file << " (" << file_size << " bytes, " << revisions
      << (revisions == 1 ? " revision" : " revisions") << ")\n";
    if (signatures.empty())
        o << "No signatures.\n";
    int n = 0;
    for (const auto& s : signatures) {
        ++n;
        o << "\nSignature " << n << " of " << signatures.size() << ": field \"" << s.field_name
          << "\"\n";
        o << "  Signer:        " << (s.signer.subject.empty() ? "(unknown)" : s.signer.subject)
          << "\n";
        if (!s.signer.issuer.empty())
            o << "  Issuer:        " << s.signer.issuer << "  (serial " << s.signer.serial << ")\n";
        o << "  Claimed time:  " << (s.claimed_time.empty() ? "(none)" : s.claimed_time) << "\n";
        if (!s.reason.empty())
            o << "  Reason:        " << s.reason << "\n";
        o << "  Format:        " << s.sub_filter << ", " << s.digest_algorithm << " / "
          << s.signature_algorithm << (s.level.empty() ? "" : ", PAdES " + s.level) << "\n";
        o << "  Integrity:     "
          << (s.integrity() ? "OK, the signed bytes are unchanged" : "FAILED") << "\n";
        o << "  Coverage:      ";
        if (!s.structure_ok)
            o << "unknown\n";
        else if (s.covers_whole_file)
            o << "the whole file\n";
        else
            o << "revision " << s.revision << " of " << revisions
              << "; changed after signing: " << to_string(s.changes_after)
              << (s.changes_allowed ? " (allowed)" : " (NOT allowed)") << "\n";
        for (const auto& c : s.changes)
            o << "                 - " << c << "\n";
        o << "  Certificate:   "
          << (s.chain_trusted ? "trusted" : "NOT trusted (" + s.chain_problem + ")")
          << ", checked at " << s.validation_time << "\n";
        if (s.timestamp.present)
            o << "  Time-stamp:    " << s.timestamp.time << " by " << s.timestamp.tsa << ", "
              << (s.timestamp.imprint_ok && s.timestamp.signature_ok
                      ? (s.timestamp.trusted ? "valid" : "intact but TSA not trusted")
                      : "INVALID")
              << "\n";
        else
            o << "  Time-stamp:    none\n";
        if (s.docmdp)
            o << "  Certification: DocMDP P=" << *s.docmdp
              << (*s.docmdp == 1   ? " (no changes allowed)"
                  : *s.docmdp == 2 ? " (form filling and signing allowed)"
                                   : " (form filling, signing and annotations allowed)")
              << "\n";
        for (const auto& w : s.warnings)
            o << "  Warning:       " << w << "\n";
        for (const auto& p : s.problems)
            o << "  Problem:       " << p << "\n";
        o << "  Result:        "
          << (s.trusted() ? "VALID and trusted"
              : s.valid() ? "VALID but not trusted"
                          : "INVALID")
          << "\n";
    }
    o << "\nSummary: " << signatures.size()
      << (signatures.size() == 1 ? " signature" : " signatures") << ", "
      << (all_valid_and_trusted() ? "all valid and trusted." : "NOT all valid and trusted.")
      << "\n";
    return o.str();
}

std::string VerifyReport::json() const {
    using nlohmann::json;
    auto cert = [](const CertificateInfo& c) {
        return json{{"subject", c.subject},
                    {"issuer", c.issuer},
                    {"serial", c.serial},
                    {"not_before", c.not_before},
                    {"not_after", c.not_after}};
    };
    json sigs = json::array();
    for (const auto& s : signatures) {
        json chain = json::array();
        for (const auto& c : s.chain)
            chain.push_back(cert(c));
        json j{{"field", s.field_name},
               {"sub_filter", s.sub_filter},
               {"level", s.level},
               {"claimed_time", s.claimed_time},
               {"reason", s.reason},
               {"location", s.location},
               {"byte_range", s.byte_range},
               {"contents_size", s.contents_size},
               {"digest_algorithm", s.digest_algorithm},
               {"signature_algorithm", s.signature_algorithm},
               {"integrity",
                {{"ok", s.integrity()},
                 {"byte_range", s.structure_ok},
                 {"message_digest", s.digest_ok},
                 {"signature", s.signature_ok},
                 {"signing_certificate", s.ess_ok}}},
               {"coverage",
                {{"whole_file", s.covers_whole_file},
                 {"revision", s.revision},
                 {"signed_bytes", s.signed_bytes},
                 {"changes_after", std::string(to_string(s.changes_after))},
                 {"changes_allowed", s.changes_allowed},
                 {"changes", s.changes}}},
               {"signer", cert(s.signer)},
               {"chain", chain},
               {"trust",
                {{"trusted", s.chain_trusted},
                 {"problem", s.chain_problem},
                 {"validation_time", s.validation_time},
                 {"valid_at_claimed_time", s.valid_at_claimed_time}}},
               {"timestamp",
                {{"present", s.timestamp.present},
                 {"imprint_ok", s.timestamp.imprint_ok},
                 {"signature_ok", s.timestamp.signature_ok},
                 {"trusted", s.timestamp.trusted},
                 {"time", s.timestamp.time},
                 {"tsa", s.timestamp.tsa},
                 {"problem", s.timestamp.problem}}},
               {"docmdp", s.docmdp ? json(*s.docmdp) : json(nullptr)},
               {"warnings", s.warnings},
               {"problems", s.problems},
               {"valid", s.valid()},
               {"trusted", s.trusted()}};
        sigs.push_back(std::move(j));
    }
    json root{{"file", file},
              {"size", file_size},
              {"revisions", revisions},
              {"all_valid_and_trusted", all_valid_and_trusted()},
              {"signatures", sigs}};
    return root.dump(2);
}

} // namespace ow::signing
