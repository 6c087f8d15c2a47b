#include "fixtures.h"

#include <cairo.h>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ow::signing::test {

namespace fs = std::filesystem;

namespace {} // namespace

std::string pem_key(EVP_PKEY* k, bool traditional) {
    BIO* b = BIO_new(BIO_s_mem());
    if (traditional)
        PEM_write_bio_PrivateKey_traditional(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    else
        PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* d = nullptr;
    long n = BIO_get_mem_data(b, &d);
    std::string s(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}

namespace {

std::string pem_cert(X509* c) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, c);
    char* d = nullptr;
    long n = BIO_get_mem_data(b, &d);
    std::string s(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}

void ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!e)
        throw std::runtime_error("extension");
    X509_add_ext(cert, e, -1);
    X509_EXTENSION_free(e);
}

struct Made {
    EVP_PKEY* key;
    X509* cert;
};

Made make(const std::string& cn, EVP_PKEY* key, const Made* issuer, const char* kind) {
    static long serial = 1000;
    X509* c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600L * 24 * 365);
    X509_set_pubkey(c, key);
    X509_NAME* n = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("CN"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(
        n, "O", MBSTRING_ASC,
        reinterpret_cast<const unsigned char*>("OneWindow Test Service Center"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer->cert) : n);
    X509* iss = issuer ? issuer->cert : c;
    std::string k = kind;
    if (k == "ca") {
        ext(c, iss, NID_basic_constraints, "critical,CA:TRUE");
        ext(c, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else if (k == "tsa") {
        ext(c, iss, NID_basic_constraints, "CA:FALSE");
        ext(c, iss, NID_key_usage, "critical,digitalSignature");
        ext(c, iss, NID_ext_key_usage, "critical,timeStamping");
    } else {
        ext(c, iss, NID_basic_constraints, "CA:FALSE");
        ext(c, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    }
    ext(c, iss, NID_subject_key_identifier, "hash");
    X509_sign(c, issuer ? issuer->key : key, EVP_sha256());
    return {key, c};
}

Identity save(const Made& m, const fs::path& dir, const std::string& name) {
    Identity id;
    id.key_pem = pem_key(m.key);
    id.cert_pem = pem_cert(m.cert);
    id.key_file = dir / (name + ".key");
    id.cert_file = dir / (name + ".crt");
    write_file(id.key_file, id.key_pem);
    write_file(id.cert_file, id.cert_pem);
    return id;
}

} // namespace

fs::path temp_dir() {
    std::string t = (fs::temp_directory_path() / "ow-signing-test.XXXXXX").string();
    if (!mkdtemp(t.data()))
        throw std::runtime_error("mkdtemp");
    return t;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
}

const Pki& pki() {
    static Pki p = [] {
        Pki k;
        k.dir = temp_dir();
        Made ca = make("OneWindow Test Root CA", EVP_RSA_gen(2048), nullptr, "ca");
        k.ca = save(ca, k.dir, "ca");
        Made rsa = make("审批人 张三 (RSA)", EVP_RSA_gen(2048), &ca, "ee");
        Made rsa3072 = make("Approving Officer (RSA-3072)", EVP_RSA_gen(3072), &ca, "ee");
        Made ec = make("Approving Officer (EC)", EVP_EC_gen("P-256"), &ca, "ee");
        Made tsa = make("OneWindow Test TSA", EVP_RSA_gen(2048), &ca, "tsa");
        k.rsa = save(rsa, k.dir, "rsa");
        k.rsa3072 = save(rsa3072, k.dir, "rsa3072");
        k.ec = save(ec, k.dir, "ec");
        k.tsa = save(tsa, k.dir, "tsa");
        Made other = make("Unrelated Root", EVP_EC_gen("P-256"), nullptr, "ca");
        k.other_ca = save(other, k.dir, "other");
        for (Made* m : {&ca, &rsa, &rsa3072, &ec, &tsa, &other}) {
            EVP_PKEY_free(m->key);
            X509_free(m->cert);
        }
        return k;
    }();
    return p;
}

std::unique_ptr<SoftwareSigner> signer(const Identity& id) {
    return SoftwareSigner::from_pem(id.key_pem, id.cert_pem);
}

namespace {
struct PdfWriter {
    std::string out;
    std::vector<std::size_t> offsets;
    void obj(int n, const std::string& body) {
        if (offsets.size() < static_cast<std::size_t>(n + 1))
            offsets.resize(static_cast<std::size_t>(n + 1));
        offsets[static_cast<std::size_t>(n)] = out.size();
        out += std::to_string(n) + " 0 obj\n" + body + "\nendobj\n";
    }
};
std::string stream(const std::string& data) {
    return "<< /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}
} // namespace

std::string make_pdf(int pages, bool empty_sig_field) {
    // 1 catalog, 2 pages, 3 font, then per page: page object, content stream. Field: last.
    PdfWriter w;
    w.out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    std::string kids;
    for (int i = 0; i < pages; ++i)
        kids += std::to_string(4 + 2 * i) + " 0 R ";
    int field = 4 + 2 * pages;
    std::string catalog = "<< /Type /Catalog /Pages 2 0 R";
    if (empty_sig_field)
        catalog += " /AcroForm << /Fields [" + std::to_string(field) + " 0 R] >>";
    w.obj(1, catalog + " >>");
    w.obj(2, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
    w.obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for (int i = 0; i < pages; ++i) {
        std::string annots =
            (empty_sig_field && i == 0) ? " /Annots [" + std::to_string(field) + " 0 R]" : "";
        w.obj(4 + 2 * i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
                         "<< /F1 3 0 R >> >> /Contents " +
                             std::to_string(5 + 2 * i) + " 0 R" + annots + " >>");
        std::string text = "BT /F1 12 Tf 72 770 Td 14 TL";
        for (int l = 0; l < 40; ++l)
            text += " (Page " + std::to_string(i + 1) + " line " + std::to_string(l + 1) +
                    ": decision on case 2026-000123, approved as submitted.) '";
        text += " ET";
        w.obj(5 + 2 * i, stream(text));
    }
    if (empty_sig_field)
        w.obj(field, "<< /FT /Sig /T (Approval) /Type /Annot /Subtype /Widget /Rect [300 50 500 "
                     "130] /F 4 /P 4 0 R >>");
    std::size_t xref = w.out.size();
    std::size_t count = w.offsets.size();
    w.out += "xref\n0 " + std::to_string(count) + "\n0000000000 65535 f \n";
    char buf[32];
    for (std::size_t i = 1; i < count; ++i) {
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", w.offsets[i]);
        w.out += buf;
    }
    w.out += "trailer\n<< /Size " + std::to_string(count) + " /Root 1 0 R >>\nstartxref\n" +
             std::to_string(xref) + "\n%%EOF\n";
    return w.out;
}

std::string append_content_change(const std::string& pdf, const std::string& text) {
    std::size_t prev = pdf.rfind("startxref");
    std::size_t prev_off = std::stoul(pdf.substr(prev + 10));
    std::size_t size_pos = pdf.rfind("/Size ");
    int size = std::stoi(pdf.substr(size_pos + 6));
    std::string out = pdf;
    std::size_t off = out.size();
    std::string body = "BT /F1 12 Tf 72 770 Td (" + text + ") Tj ET";
    out += "5 0 obj\n" + stream(body) + "\nendobj\n";
    std::size_t xref = out.size();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
    std::size_t root = pdf.rfind("/Root ");
    std::string root_ref = pdf.substr(root + 6, pdf.find('R', root + 6) - root - 5);
    out += "xref\n5 1\n" + std::string(buf) + "trailer\n<< /Size " + std::to_string(size) +
           " /Root " + root_ref + " /Prev " + std::to_string(prev_off) + " >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

bool has_entry(const std::string& pdf, const std::string& key, const std::string& value) {
    for (std::size_t p = pdf.find(key); p != std::string::npos; p = pdf.find(key, p + 1)) {
        std::size_t q = p + key.size();
        while (q < pdf.size() && std::isspace(static_cast<unsigned char>(pdf[q])))
            ++q;
        if (pdf.compare(q, value.size(), value) == 0)
            return true;
    }
    return false;
}

std::vector<NumberArray> number_arrays(const std::string& pdf, const std::string& key) {
    std::vector<NumberArray> out;
    for (std::size_t p = pdf.find(key); p != std::string::npos; p = pdf.find(key, p + 1)) {
        std::size_t open = pdf.find_first_not_of(" \t\r\n", p + key.size());
        if (open == std::string::npos || pdf[open] != '[')
            continue;
        std::size_t close = pdf.find(']', open);
        if (close == std::string::npos)
            continue;
        NumberArray a;
        a.key_pos = p;
        a.end_pos = close;
        std::istringstream in(pdf.substr(open + 1, close - open - 1));
        for (double v; in >> v;)
            a.values.push_back(v);
        out.push_back(a);
    }
    return out;
}

Bytes seal_png() {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 200);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgba(cr, 0.8, 0, 0, 0.85);
    cairo_set_line_width(cr, 10);
    cairo_arc(cr, 100, 100, 85, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_destroy(cr);
    Bytes png;
    cairo_surface_write_to_png_stream(
        s,
        [](void* c, const unsigned char* d, unsigned int n) {
            auto* v = static_cast<Bytes*>(c);
            v->insert(v->end(), d, d + n);
            return CAIRO_STATUS_SUCCESS;
        },
        &png);
    cairo_surface_destroy(s);
    return png;
}

struct LoopbackTsa::Impl {
    TsaResponder responder;
    httplib::Server server;
    std::thread thread;
    int port = 0;
    Impl(const Identity& tsa) : responder(tsa.key_pem, tsa.cert_pem, pki().ca.cert_pem) {}
};

LoopbackTsa::LoopbackTsa(const Identity& tsa) : impl_(std::make_unique<Impl>(tsa)) {
    impl_->server.Post("/tsa", [this](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("Content-Type") != "application/timestamp-query") {
            res.status = 415;
            return;
        }
        Bytes in(req.body.begin(), req.body.end());
        Bytes out = impl_->responder.respond(in);
        res.set_content(std::string(out.begin(), out.end()), "application/timestamp-reply");
    });
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    for (int i = 0; i < 200 && !impl_->server.is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

LoopbackTsa::~LoopbackTsa() {
    impl_->server.stop();
    impl_->thread.join();
}

std::string LoopbackTsa::url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port) + "/tsa";
}

} // namespace ow::signing::test
