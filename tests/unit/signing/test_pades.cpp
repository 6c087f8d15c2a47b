// PadesSigner: B-B structure (hand-built CMS), certification, approval after certification,
// visible seals, existing fields, in-memory input, atomic output.
#include "fixtures.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"

#include <array>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <optional>
#include <set>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ow::signing;
using namespace ow::signing::test;
namespace fs = std::filesystem;

namespace {

struct Extracted {
    std::array<long, 4> br{};
    Bytes cms;
    Bytes signed_bytes_digest;
};

Extracted last_signature(const std::string& pdf) {
    Extracted e;
    auto arrays = number_arrays(pdf, "/ByteRange");
    BOOST_REQUIRE(!arrays.empty());
    BOOST_REQUIRE(arrays.back().values.size() == 4u);
    for (std::size_t i = 0; i < 4; ++i)
        e.br[i] = static_cast<long>(arrays.back().values[i]);
    std::string hex = pdf.substr(static_cast<std::size_t>(e.br[1] + 1),
                                 static_cast<std::size_t>(e.br[2] - e.br[1] - 2));
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        e.cms.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    std::string signed_part =
        pdf.substr(0, static_cast<std::size_t>(e.br[1])) +
        pdf.substr(static_cast<std::size_t>(e.br[2]), static_cast<std::size_t>(e.br[3]));
    e.signed_bytes_digest.resize(32);
    unsigned int n = 0;
    EVP_Digest(signed_part.data(), signed_part.size(), e.signed_bytes_digest.data(), &n,
               EVP_sha256(), nullptr);
    return e;
}

VerifyReport verify(const std::string& pdf) {
    VerifyOptions o;
    o.trust_anchors = {pki().ca.cert_file};
    return PadesVerifier(o).verify_memory(Bytes(pdf.begin(), pdf.end()), "test.pdf");
}

Bytes bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
std::string str(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

int code(const SigningError& e) {
    return static_cast<int>(e.code());
}

} // namespace

BOOST_AUTO_TEST_SUITE(pades)

BOOST_AUTO_TEST_CASE(cms_has_exactly_the_pades_signed_attributes) {
    auto s = signer(pki().rsa);
    std::string out = str(PadesSigner(*s).sign_memory(bytes(make_pdf(1)), {}));
    Extracted e = last_signature(out);
    BOOST_TEST(e.br[0] == 0);
    BOOST_TEST(static_cast<std::size_t>(e.br[2] + e.br[3]) == out.size());
    BOOST_TEST(has_entry(out, "/SubFilter", "/ETSI.CAdES.detached"));

    const unsigned char* p = e.cms.data();
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(e.cms.size()));
    BOOST_REQUIRE(cms);
    BOOST_TEST(OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed);
    BOOST_TEST(*CMS_get0_content(cms) == nullptr); // detached
    STACK_OF(CMS_SignerInfo)* sis = CMS_get0_SignerInfos(cms);
    BOOST_REQUIRE(sk_CMS_SignerInfo_num(sis) == 1);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(sis, 0);
    std::set<int> nids;
    for (int i = 0; i < CMS_signed_get_attr_count(si); ++i)
        nids.insert(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i))));
    BOOST_TEST((nids == std::set<int>{NID_pkcs9_contentType, NID_pkcs9_messageDigest,
                                      NID_id_smime_aa_signingCertificateV2}));
    BOOST_TEST(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
    auto* md = static_cast<ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    BOOST_REQUIRE(md);
    BOOST_TEST(Bytes(md->data, md->data + md->length) == e.signed_bytes_digest);
    // ESS certHash = SHA-256 of the signer certificate.
    ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(
        CMS_signed_get_attr(
            si, CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1)),
        0);
    const unsigned char* q = t->value.sequence->data;
    ESS_SIGNING_CERT_V2* sc = d2i_ESS_SIGNING_CERT_V2(nullptr, &q, t->value.sequence->length);
    BOOST_REQUIRE(sc);
    STACK_OF(X509)* chain = sk_X509_new_null();
    const unsigned char* cp = s->certificate().data();
    sk_X509_push(chain, d2i_X509(nullptr, &cp, static_cast<long>(s->certificate().size())));
    BOOST_TEST(OSSL_ESS_check_signing_certs(nullptr, sc, chain, 1) > 0);
    sk_X509_pop_free(chain, X509_free);
    ESS_SIGNING_CERT_V2_free(sc);
    CMS_ContentInfo_free(cms);
}

BOOST_AUTO_TEST_CASE(rsa_3072_and_ec_sign_files_that_verify) {
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(3));
    for (const Identity* id : {&pki().rsa3072, &pki().ec}) {
        auto s = signer(*id);
        SignResult r = PadesSigner(*s).sign_file(dir / "in.pdf", dir / "out.pdf", {});
        BOOST_TEST(r.level == "B-B");
        BOOST_TEST(r.cms_size <= r.reserved);
        BOOST_TEST(r.key_operations == 1u);
        VerifyReport rep = verify(read_file(dir / "out.pdf"));
        BOOST_REQUIRE(rep.signatures.size() == 1u);
        BOOST_TEST(rep.signatures[0].trusted(), rep.text());
        BOOST_TEST(rep.signatures[0].covers_whole_file);
        BOOST_TEST(rep.signatures[0].level == "B-B");
    }
    // The input was not touched.
    BOOST_TEST(read_file(dir / "in.pdf") == make_pdf(3));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(second_signature_keeps_the_first_valid) {
    auto rsa = signer(pki().rsa);
    auto ec = signer(pki().ec);
    std::string one = str(PadesSigner(*rsa).sign_memory(bytes(make_pdf(2)), {}));
    SignOptions o;
    o.field_name = "Second";
    o.reason = "同意";
    std::string two = str(PadesSigner(*ec).sign_memory(bytes(one), o));
    BOOST_TEST(two.substr(0, one.size()) == one); // incremental: the old bytes are untouched
    VerifyReport rep = verify(two);
    BOOST_REQUIRE(rep.signatures.size() == 2u);
    BOOST_TEST(rep.revisions == 3); // original + one update per signature
    BOOST_TEST(rep.signatures[0].revision == 2);
    BOOST_TEST(!rep.signatures[0].covers_whole_file);
    BOOST_TEST(rep.signatures[0].changes_after == ChangeLevel::Signing);
    BOOST_TEST(rep.signatures[1].field_name == "Second");
    BOOST_TEST(rep.signatures[1].reason == "同意");
    BOOST_TEST(rep.all_valid_and_trusted(), rep.text());
}

BOOST_AUTO_TEST_CASE(certification_then_approval) {
    auto rsa = signer(pki().rsa);
    for (DocMdp p : {DocMdp::FormFilling, DocMdp::Annotations}) {
        SignOptions c;
        c.certify = p;
        std::string certified = str(PadesSigner(*rsa).sign_memory(bytes(make_pdf(1)), c));
        BOOST_TEST(has_entry(certified, "/TransformMethod", "/DocMDP"));
        std::string approved = str(PadesSigner(*rsa).sign_memory(bytes(certified), {}));
        VerifyReport rep = verify(approved);
        BOOST_REQUIRE(rep.signatures.size() == 2u);
        BOOST_TEST(rep.signatures[0].docmdp.value_or(0) == static_cast<int>(p));
        BOOST_TEST(rep.all_valid_and_trusted(), rep.text());
        // A second certification is refused.
        try {
            PadesSigner(*rsa).sign_memory(bytes(certified), c);
            BOOST_FAIL("certified twice");
        } catch (const SigningError& e) {
            BOOST_TEST(code(e) == static_cast<int>(ErrorCode::AlreadyCertified));
        }
    }
}

BOOST_AUTO_TEST_CASE(no_changes_certification_refuses_further_signatures) {
    fs::path dir = temp_dir();
    auto rsa = signer(pki().rsa);
    SignOptions c;
    c.certify = DocMdp::NoChanges;
    write_file(dir / "in.pdf", make_pdf(1));
    PadesSigner(*rsa).sign_file(dir / "in.pdf", dir / "certified.pdf", c);
    try {
        PadesSigner(*rsa).sign_file(dir / "certified.pdf", dir / "out.pdf", {});
        BOOST_FAIL("signed a P=1 document");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::DocMdpForbids));
        BOOST_TEST(std::string(e.what()).find("P=1") != std::string::npos);
    }
    BOOST_TEST(!fs::exists(dir / "out.pdf"));
    // Nothing but the two files: no temp file left behind.
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(visible_seal_with_png_and_chinese_text) {
    auto rsa = signer(pki().rsa);
    SignOptions o;
    SealAppearance seal;
    seal.page = 2;
    seal.rect = {350, 60, 180, 90};
    seal.image_png = seal_png();
    seal.text_lines = {"审批人：张三（工号 0042）", "2026-11-28 准予许可", "某某市政务服务中心"};
    o.seal = seal;
    o.certify = DocMdp::FormFilling;
    std::string out = str(PadesSigner(*rsa).sign_memory(bytes(make_pdf(2)), o));
    BOOST_TEST(out.find("/AP") != std::string::npos);
    BOOST_TEST(out.find("/SMask") != std::string::npos);    // PNG alpha kept
    BOOST_TEST(out.find("/FontFile") != std::string::npos); // embedded font
    bool rect_found = false;
    for (const auto& a : number_arrays(out, "/Rect"))
        rect_found = rect_found || a.values == std::vector<double>{350, 60, 530, 150};
    BOOST_TEST(rect_found);
    VerifyReport rep = verify(out);
    BOOST_TEST(rep.all_valid_and_trusted(), rep.text());
    // A second visible seal on the sealed file (object numbering with holes).
    seal.rect = {50, 60, 180, 90};
    o.seal = seal;
    o.certify = DocMdp::None;
    std::string out2 = str(PadesSigner(*rsa).sign_memory(bytes(out), o));
    VerifyReport rep2 = verify(out2);
    BOOST_REQUIRE(rep2.signatures.size() == 2u);
    BOOST_TEST(rep2.all_valid_and_trusted(), rep2.text());
}

BOOST_AUTO_TEST_CASE(bad_seal_image_is_a_clear_error) {
    auto rsa = signer(pki().rsa);
    SignOptions o;
    o.seal = SealAppearance{};
    o.seal->rect = {10, 10, 100, 50};
    o.seal->image_png = Bytes{'n', 'o', 't', ' ', 'p', 'n', 'g'};
    try {
        PadesSigner(*rsa).sign_memory(bytes(make_pdf(1)), o);
        BOOST_FAIL("accepted a broken PNG");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::AppearanceError));
    }
    o.seal->image_png.clear();
    o.seal->page = 7;
    BOOST_CHECK_THROW(PadesSigner(*rsa).sign_memory(bytes(make_pdf(1)), o), SigningError);
}

BOOST_AUTO_TEST_CASE(sign_into_an_existing_empty_field) {
    auto ec = signer(pki().ec);
    SignOptions o;
    o.existing_field = "Approval";
    o.seal = SealAppearance{};
    o.seal->text_lines = {"准予许可"};
    std::string out = str(PadesSigner(*ec).sign_memory(bytes(make_pdf(1, true)), o));
    VerifyReport rep = verify(out);
    BOOST_REQUIRE(rep.signatures.size() == 1u);
    BOOST_TEST(rep.signatures[0].field_name == "Approval");
    BOOST_TEST(rep.all_valid_and_trusted(), rep.text());
    // Now it is signed: a second time is refused, and an unknown field is refused.
    try {
        PadesSigner(*ec).sign_memory(bytes(out), o);
        BOOST_FAIL("signed a signed field");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::FieldAlreadySigned));
    }
    o.existing_field = "Nope";
    try {
        PadesSigner(*ec).sign_memory(bytes(make_pdf(1, true)), o);
        BOOST_FAIL("signed a missing field");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::FieldNotFound));
    }
}

namespace {
// A signer whose key operation fails, as a pulled card would.
class FailingSigner : public Signer {
public:
    explicit FailingSigner(Signer& real) : real_(real) {}
    const Bytes& certificate() const override { return real_.certificate(); }
    const std::vector<Bytes>& chain() const override { return real_.chain(); }
    KeyAlgorithm algorithm() const override { return real_.algorithm(); }
    int key_bits() const override { return real_.key_bits(); }
    Bytes sign_digest(DigestAlgorithm, std::span<const std::uint8_t>) override {
        throw SigningError(ErrorCode::TokenRemoved, "the card was removed");
    }

private:
    Signer& real_;
};
} // namespace

BOOST_AUTO_TEST_CASE(failure_during_signing_leaves_no_output_and_keeps_the_old_file) {
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(1));
    write_file(dir / "out.pdf", "previous contents");
    auto rsa = signer(pki().rsa);
    FailingSigner failing(*rsa);
    try {
        PadesSigner(failing).sign_file(dir / "in.pdf", dir / "out.pdf", {});
        BOOST_FAIL("no error");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::TokenRemoved));
    }
    BOOST_TEST(read_file(dir / "out.pdf") == "previous contents");
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_clear_errors) {
    auto rsa = signer(pki().rsa);
    fs::path dir = temp_dir();
    std::string pdf = make_pdf(1);
    write_file(dir / "garbage.pdf", "this is not a PDF at all\n");
    write_file(dir / "truncated.pdf", pdf.substr(0, pdf.size() / 3));
    for (const char* name : {"garbage.pdf", "truncated.pdf"}) {
        try {
            PadesSigner(*rsa).sign_file(dir / name, dir / "out.pdf", {});
            BOOST_FAIL("signed " << name);
        } catch (const SigningError& e) {
            BOOST_TEST(code(e) == static_cast<int>(ErrorCode::MalformedPdf),
                       name << ": " << e.what());
        }
    }
    try {
        PadesSigner(*rsa).sign_file(dir / "missing.pdf", dir / "out.pdf", {});
        BOOST_FAIL("signed a missing file");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::IoError));
    }
    BOOST_TEST(!fs::exists(dir / "out.pdf"));
    BOOST_CHECK_THROW(PadesSigner(*rsa).sign_memory(Bytes{}, {}), SigningError);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_unwritable_destination_is_a_clear_error_and_leaves_nothing) {
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(1));
    fs::create_directories(dir / "out.pdf" / "inside"); // written in full, then not renamable
    auto rsa = signer(pki().rsa);
    for (const fs::path& out : {dir / "no-such-dir" / "out.pdf", dir / "out.pdf"}) {
        try {
            PadesSigner(*rsa).sign_file(dir / "in.pdf", out, {});
            BOOST_FAIL("signed into " << out);
        } catch (const SigningError& e) {
            BOOST_TEST(code(e) == static_cast<int>(ErrorCode::IoError));
            BOOST_TEST(std::string(e.what()).find(out.parent_path().filename().string()) !=
                           std::string::npos,
                       e.what());
        }
    }
    // in.pdf and the directory: no temp file left behind.
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_a_clear_error_and_keeps_the_old_file) {
    // A file size limit stands in for a full disk: the write that crosses it fails (EFBIG) like
    // one on a full file system (ENOSPC). In a child process, so the limit does not stay.
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(20));
    write_file(dir / "out.pdf", "previous contents");
    auto rsa = signer(pki().rsa);
    const pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{4096, 4096};
        setrlimit(RLIMIT_FSIZE, &limit);
        int status = 3;
        try {
            PadesSigner(*rsa).sign_file(dir / "in.pdf", dir / "out.pdf", {});
            status = 1; // signed despite the limit
        } catch (const SigningError& e) {
            status = e.code() == ErrorCode::IoError ? 0 : 2;
        } catch (...) {
        }
        std::_Exit(status);
    }
    int status = 0;
    BOOST_REQUIRE(waitpid(child, &status, 0) == child);
    BOOST_REQUIRE(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0); // 1: signed anyway, 2: another error, 3: crashed
    BOOST_TEST(read_file(dir / "out.pdf") == "previous contents");
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_document_read_ahead_on_another_thread_signs_like_any_other) {
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(3));
    std::optional<InputDocument> input;
    std::thread reader([&] { input.emplace(InputDocument::read(dir / "in.pdf")); });
    auto rsa = signer(pki().rsa); // the key is opened meanwhile
    reader.join();
    SignResult r = PadesSigner(*rsa).sign_file(std::move(*input), dir / "out.pdf", {});
    BOOST_TEST(fs::file_size(dir / "out.pdf") == r.output_size);
    BOOST_TEST(verify(read_file(dir / "out.pdf")).all_valid_and_trusted());
    // What went wrong reading is reported by the signing, after the options are checked.
    write_file(dir / "bad.pdf", "not a PDF\n");
    const std::pair<const char*, ErrorCode> broken[] = {{"missing.pdf", ErrorCode::IoError},
                                                        {"bad.pdf", ErrorCode::MalformedPdf}};
    for (const auto& [name, expected] : broken) {
        try {
            PadesSigner(*rsa).sign_file(InputDocument::read(dir / name), dir / "x.pdf", {});
            BOOST_ERROR("signed " << name);
        } catch (const SigningError& e) {
            BOOST_TEST(code(e) == static_cast<int>(expected), name << ": " << e.what());
            BOOST_TEST(std::string(e.what()).find(name) != std::string::npos, e.what());
        }
        SignOptions bad_page;
        bad_page.seal = SealAppearance{};
        bad_page.seal->page = 0;
        try {
            PadesSigner(*rsa).sign_file(InputDocument::read(dir / name), dir / "x.pdf", bad_page);
            BOOST_ERROR("accepted page 0");
        } catch (const SigningError& e) {
            BOOST_TEST(code(e) == static_cast<int>(ErrorCode::InvalidArgument));
        }
    }
    BOOST_TEST(!fs::exists(dir / "x.pdf"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(memory_input_to_file) {
    fs::path dir = temp_dir();
    auto ec = signer(pki().ec);
    SignResult r = PadesSigner(*ec).sign_memory_to_file(bytes(make_pdf(1)), dir / "seal.pdf", {});
    BOOST_TEST(fs::file_size(dir / "seal.pdf") == r.output_size);
    BOOST_TEST(verify(read_file(dir / "seal.pdf")).all_valid_and_trusted());
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
