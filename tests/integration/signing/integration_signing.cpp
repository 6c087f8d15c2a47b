// Signing through real PKCS#11 tokens and checking the results with outside validators.
// Run by run.sh, which starts scripts/rig/card.sh and exports its environment (OW_RIG_*,
// SOFTHSM2_CONF, PCSCLITE_CSOCK_NAME), OW_IT_WORK (a scratch directory) and OW_IT_NSSDB (an NSS
// database trusting the rig CA, for pdfsig).
#define BOOST_TEST_MODULE integration_signing
#include "ow/signing/batch.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"
#include "ow/signing/pkcs11_signer.h"
#include "ow/signing/tsa.h"

#include <boost/test/unit_test.hpp>
#include <cairo-pdf.h>
#include <cairo.h>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

using namespace ow::signing;
namespace fs = std::filesystem;

namespace ow::signing {
inline std::ostream& operator<<(std::ostream& o, ErrorCode c) {
    return o << to_string(c);
}
} // namespace ow::signing

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

fs::path work() {
    return env("OW_IT_WORK");
}
bool have_card() {
    return !env("PCSCLITE_CSOCK_NAME").empty() && !env("OW_RIG_OPENSC_MODULE").empty();
}

struct Run {
    int rc;
    std::string out;
};

Run run(const std::string& cmd) {
    Run r{-1, {}};
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p)
        return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = pclose(p);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string q(const fs::path& p) {
    return "'" + p.string() + "'";
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// pdfsig: every signature valid, the last one covers the whole document.
void check_pdfsig(const fs::path& pdf, std::size_t expected) {
    Run r = run("pdfsig -nssdir sql:" + env("OW_IT_NSSDB") + " " + q(pdf));
    BOOST_TEST_INFO("pdfsig " << pdf << ":\n" << r.out);
    std::vector<std::string> sections;
    for (std::size_t pos = r.out.find("Signature #"); pos != std::string::npos;) {
        std::size_t next = r.out.find("Signature #", pos + 1);
        sections.push_back(r.out.substr(pos, next == std::string::npos ? next : next - pos));
        pos = next;
    }
    BOOST_REQUIRE_EQUAL(sections.size(), expected);
    for (const auto& s : sections)
        BOOST_TEST(s.find("Signature Validation: Signature is Valid.") != std::string::npos);
    BOOST_TEST(sections.back().find("- Total document signed") != std::string::npos);
    BOOST_TEST(sections.back().find("ETSI.CAdES.detached") != std::string::npos);
}

void check_qpdf(const fs::path& pdf) {
    Run r = run("qpdf --check " + q(pdf));
    BOOST_TEST_INFO("qpdf --check " << pdf << ":\n" << r.out);
    BOOST_TEST(r.rc == 0);
    BOOST_TEST(r.out.find("No syntax or stream encoding errors found") != std::string::npos);
}

void check_ours(const fs::path& pdf, std::size_t expected) {
    VerifyOptions o;
    o.trust_anchors = {env("OW_RIG_CA_CERT")};
    VerifyReport rep = PadesVerifier(o).verify_file(pdf);
    BOOST_TEST_INFO(rep.text());
    BOOST_TEST(rep.signatures.size() == expected);
    BOOST_TEST(rep.all_valid_and_trusted());
}

void check_all(const fs::path& pdf, std::size_t expected) {
    check_pdfsig(pdf, expected);
    check_qpdf(pdf);
    check_ours(pdf, expected);
}

std::vector<char> pin() {
    std::string p = env("OW_RIG_PIN");
    return {p.begin(), p.end()};
}

std::unique_ptr<Pkcs11Signer> hsm(const std::string& uri) {
    auto s = Pkcs11Signer::open({env("OW_RIG_SOFTHSM_MODULE"), uri, {}});
    auto p = pin();
    s->login(p);
    secure_wipe(p);
    return s;
}

Bytes cert_der(const fs::path& pem) {
    FILE* f = std::fopen(pem.c_str(), "r");
    X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    int n = i2d_X509(c, nullptr);
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* p = der.data();
    i2d_X509(c, &p);
    X509_free(c);
    return der;
}

// Inputs from several producers: cairo, qpdf (object streams, linearized), Ghostscript.
struct Inputs {
    Inputs() {
        fs::path cairo_pdf = work() / "plain-cairo.pdf";
        cairo_surface_t* s = cairo_pdf_surface_create(cairo_pdf.c_str(), 595, 842);
        cairo_t* cr = cairo_create(s);
        for (int page = 1; page <= 3; ++page) {
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                   CAIRO_FONT_WEIGHT_NORMAL);
            cairo_set_font_size(cr, 12);
            for (int line = 0; line < 40; ++line) {
                cairo_move_to(cr, 60, 60 + line * 18);
                std::string t = "Page " + std::to_string(page) + ": decision on case 2026-" +
                                std::to_string(100 + line) + ", approved.";
                cairo_show_text(cr, t.c_str());
            }
            cairo_show_page(cr);
        }
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        files = {{"cairo", cairo_pdf}};
        BOOST_REQUIRE(
            run("qpdf --object-streams=generate " + q(cairo_pdf) + " " + q(work() / "objstm.pdf"))
                .rc == 0);
        files.push_back({"qpdf object streams", work() / "objstm.pdf"});
        BOOST_REQUIRE(run("qpdf --linearize " + q(cairo_pdf) + " " + q(work() / "linear.pdf")).rc ==
                      0);
        files.push_back({"qpdf linearized", work() / "linear.pdf"});
        if (run("command -v gs").rc == 0) {
            Run g = run("gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o " + q(work() / "gs.pdf") +
                        " -c '/Helvetica findfont 18 scalefont setfont 72 700 moveto (Ghostscript "
                        "input) show showpage 72 700 moveto (page 2) show showpage'");
            BOOST_REQUIRE_MESSAGE(g.rc == 0, g.out);
            files.push_back({"ghostscript", work() / "gs.pdf"});
        } else {
            BOOST_TEST_MESSAGE("gs not installed: Ghostscript input skipped");
        }
    }
    std::vector<std::pair<std::string, fs::path>> files;
};

const Inputs& inputs() {
    static Inputs i;
    return i;
}

// The rig TSA key served over HTTP on loopback.
class RigTsa {
public:
    RigTsa()
        : responder_(read(env("OW_RIG_TSA_KEY")), read(env("OW_RIG_TSA_CERT")),
                     read(env("OW_RIG_CA_CERT"))) {
        server_.Post("/tsa", [this](const httplib::Request& req, httplib::Response& res) {
            Bytes out = responder_.respond(Bytes(req.body.begin(), req.body.end()));
            res.set_content(std::string(out.begin(), out.end()), "application/timestamp-reply");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        for (int i = 0; i < 200 && !server_.is_running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~RigTsa() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/tsa"; }

private:
    TsaResponder responder_;
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(softhsm)

BOOST_AUTO_TEST_CASE(rsa_and_ec_keys_on_softhsm_sign_inputs_from_several_producers) {
    for (const char* var : {"OW_RIG_RSA_URI", "OW_RIG_EC_URI"}) {
        auto signer = hsm(env(var));
        for (const auto& [producer, in] : inputs().files) {
            BOOST_TEST_CONTEXT(var << " / " << producer) {
                fs::path out = work() / (std::string(var) + "-" + in.filename().string());
                SignResult r = PadesSigner(*signer).sign_file(in, out, {});
                BOOST_TEST(r.level == "B-B");
                check_all(out, 1);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(certification_then_approval_with_visible_seals) {
    auto rsa = hsm(env("OW_RIG_RSA_URI"));
    auto ec = hsm(env("OW_RIG_EC_URI"));
    for (const auto& [producer, in] : inputs().files) {
        BOOST_TEST_CONTEXT(producer) {
            SignOptions c;
            c.certify = DocMdp::FormFilling;
            c.reason = "准予许可决定书";
            c.seal = SealAppearance{};
            c.seal->rect = {360, 40, 200, 90};
            c.seal->text_lines = {"某某市政务服务中心", "准予许可 2026-11-28"};
            fs::path certified = work() / ("certified-" + in.filename().string());
            PadesSigner(*rsa).sign_file(in, certified, c);
            check_all(certified, 1);
            SignOptions a;
            a.seal = SealAppearance{};
            a.seal->page = 2;
            a.seal->rect = {60, 40, 200, 90};
            a.seal->text_lines = {"审批人：李四（工号 0042）"};
            fs::path approved = work() / ("approved-" + in.filename().string());
            PadesSigner(*ec).sign_file(certified, approved, a);
            check_all(approved, 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(b_t_signature_with_the_rig_tsa) {
    RigTsa tsa;
    auto ec = hsm(env("OW_RIG_EC_URI"));
    SignOptions o;
    o.timestamp = TsaOptions{tsa.url(), {env("OW_RIG_CA_CERT")}};
    fs::path out = work() / "b-t.pdf";
    SignResult r = PadesSigner(*ec).sign_file(inputs().files[0].second, out, o);
    BOOST_TEST(r.level == "B-T");
    check_all(out, 1);
    VerifyOptions vo;
    vo.trust_anchors = {env("OW_RIG_CA_CERT")};
    VerifyReport rep = PadesVerifier(vo).verify_file(out);
    BOOST_TEST(rep.signatures.at(0).timestamp.trusted);
    BOOST_TEST(rep.signatures.at(0).level == "B-T");
}

BOOST_AUTO_TEST_CASE(key_chosen_by_its_certificate) {
    auto module = Pkcs11Module::load(env("OW_RIG_SOFTHSM_MODULE"));
    auto s = Pkcs11Signer::open(module, "", cert_der(env("OW_RIG_EC_CERT")));
    BOOST_TEST((s->algorithm() == KeyAlgorithm::Ecdsa));
    auto p = pin();
    s->login(p);
    fs::path out = work() / "by-cert.pdf";
    PadesSigner(*s).sign_file(inputs().files[0].second, out, {});
    check_ours(out, 1);
    // The token's certificates are listed with URIs that select them.
    auto certs = module->certificates();
    BOOST_TEST(certs.size() >= 3u);
    bool found = false;
    for (const auto& c : certs)
        found =
            found || (c.label == "seal-ec" && c.uri.find("object=seal-ec") != std::string::npos);
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(wrong_pin_and_unknown_key_are_clear_errors) {
    auto s = Pkcs11Signer::open({env("OW_RIG_SOFTHSM_MODULE"), env("OW_RIG_EC_URI"), {}});
    std::vector<char> bad{'0', '0', '0', '0', '0', '0'};
    try {
        s->login(bad);
        BOOST_FAIL("a wrong PIN was accepted");
    } catch (const SigningError& e) {
        BOOST_TEST(e.code() == ErrorCode::WrongPin);
    }
    // Signing before logging in.
    Bytes digest(32, 1);
    BOOST_CHECK_THROW(s->sign_digest(DigestAlgorithm::Sha256, digest), SigningError);
    try {
        Pkcs11Signer::open({env("OW_RIG_SOFTHSM_MODULE"), "pkcs11:token=ow-seal;object=nope", {}});
        BOOST_FAIL("found a missing key");
    } catch (const SigningError& e) {
        BOOST_TEST(e.code() == ErrorCode::CertificateNotFound);
    }
    try {
        Pkcs11Signer::open({env("OW_RIG_SOFTHSM_MODULE"), "pkcs11:token=no-such-token", {}});
        BOOST_FAIL("found a missing token");
    } catch (const SigningError& e) {
        BOOST_TEST(e.code() == ErrorCode::TokenNotFound);
    }
}

BOOST_AUTO_TEST_CASE(always_authenticate_key_asks_the_pin_for_each_signature) {
    auto s = hsm(env("OW_RIG_ALWAYS_AUTH_URI"));
    BOOST_TEST(s->pin_per_signature());
    fs::path in = inputs().files[0].second;
    try {
        PadesSigner(*s).sign_file(in, work() / "aa-none.pdf", {});
        BOOST_FAIL("signed without the per-signature PIN");
    } catch (const SigningError& e) {
        BOOST_TEST(e.code() == ErrorCode::PinRequired);
    }
    BOOST_TEST(!fs::exists(work() / "aa-none.pdf"));
    int asked = 0;
    s->set_pin_callback([&](std::vector<char>& p) {
        ++asked;
        p = pin();
        return true;
    });
    std::vector<BatchItem> items;
    for (int i = 0; i < 3; ++i)
        items.push_back({in, work() / ("aa-" + std::to_string(i) + ".pdf"), {}});
    auto results = sign_batch(*s, items);
    BOOST_TEST(asked == 3);
    for (const auto& r : results)
        BOOST_TEST((r.status == BatchStatus::Signed), r.message);
    check_all(work() / "aa-2.pdf", 1);

    // A normal key: one login for the whole batch, no further PIN.
    auto ec = hsm(env("OW_RIG_EC_URI"));
    int asked_ec = 0;
    ec->set_pin_callback([&](std::vector<char>&) { return ++asked_ec > 0; });
    auto r2 = sign_batch(*ec, items);
    BOOST_TEST(asked_ec == 0);
    BOOST_TEST((r2.back().status == BatchStatus::Signed));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(virtual_card)

BOOST_AUTO_TEST_CASE(opensc_lists_the_card_and_tolerates_an_unknown_card) {
    if (!have_card()) {
        BOOST_TEST_MESSAGE("no card rig here: skipped");
        return;
    }
    auto m = Pkcs11Module::load(env("OW_RIG_OPENSC_MODULE"));
    auto tokens = m->tokens();
    bool card = false, unknown = false;
    for (const auto& t : tokens) {
        card = card || (t.token_recognized && t.label == env("OW_RIG_CARD_TOKEN"));
        unknown = unknown || (t.token_present && !t.token_recognized);
    }
    BOOST_TEST(card);
    if (env("OW_RIG_VICC") != "0")
        BOOST_TEST(unknown); // the vicc card in reader 00 01
}

BOOST_AUTO_TEST_CASE(sign_wrong_pin_and_card_pulled_mid_signing) {
    if (!have_card()) {
        BOOST_TEST_MESSAGE("no card rig here: skipped");
        return;
    }
    fs::path in = inputs().files[0].second;
    Pkcs11Options opts{env("OW_RIG_OPENSC_MODULE"), env("OW_RIG_CARD_URI"), {}};
    {
        auto s = Pkcs11Signer::open(opts);
        auto p = pin();
        s->login(p);
        fs::path out = work() / "card.pdf";
        PadesSigner(*s).sign_file(in, out, {});
        check_all(out, 1);
    }
    {
        auto s = Pkcs11Signer::open(opts);
        std::vector<char> bad{'0', '0', '0', '0', '0', '0', '0', '0'};
        try {
            s->login(bad);
            BOOST_FAIL("wrong PIN accepted by the card");
        } catch (const SigningError& e) {
            BOOST_TEST(e.code() == ErrorCode::WrongPin, e.what());
        }
    }
    pid_t vcac = static_cast<pid_t>(std::stol(env("OW_RIG_VCAC_PID")));
    fs::path dir = work() / "pulled";
    fs::create_directories(dir);
    {
        auto s = Pkcs11Signer::open(opts);
        auto p = pin();
        s->login(p);
        SignOptions o;
        o.before_key_operation = [&] {
            ::kill(vcac, SIGUSR1); // pull the card between hashing and the key operation
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        };
        try {
            PadesSigner(*s).sign_file(in, dir / "out.pdf", o);
            BOOST_FAIL("signed with the card pulled");
        } catch (const SigningError& e) {
            BOOST_TEST(e.code() == ErrorCode::TokenRemoved, e.what());
        }
        BOOST_TEST(!fs::exists(dir / "out.pdf"));
        BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 0);
    }
    ::kill(vcac, SIGUSR2);
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    // Back in: a new session signs again.
    auto s = Pkcs11Signer::open(opts);
    auto p = pin();
    s->login(p);
    PadesSigner(*s).sign_file(in, dir / "after.pdf", {});
    check_ours(dir / "after.pdf", 1);
}

BOOST_AUTO_TEST_SUITE_END()
