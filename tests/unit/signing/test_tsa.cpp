// RFC 3161: loopback TSA (TsaResponder over HTTP), B-T signatures, imprint / nonce / chain checks.
#include "fixtures.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"
#include "ow/signing/tsa.h"

#include <boost/test/unit_test.hpp>

using namespace ow::signing;
using namespace ow::signing::test;
namespace fs = std::filesystem;

namespace {
Bytes bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
int code(const SigningError& e) {
    return static_cast<int>(e.code());
}
} // namespace

BOOST_AUTO_TEST_SUITE(tsa)

BOOST_AUTO_TEST_CASE(b_t_signature_with_a_loopback_tsa) {
    LoopbackTsa server(pki().tsa);
    auto s = signer(pki().rsa);
    SignOptions o;
    o.timestamp = TsaOptions{server.url(), {pki().ca.cert_file}};
    SignResult res;
    Bytes out = PadesSigner(*s).sign_memory(bytes(make_pdf(1)), o, &res);
    BOOST_TEST(res.level == "B-T");
    BOOST_TEST(res.timestamp_time.has_value());
    VerifyOptions vo;
    vo.trust_anchors = {pki().ca.cert_file};
    VerifyReport r = PadesVerifier(vo).verify_memory(out);
    BOOST_REQUIRE(r.signatures.size() == 1u);
    const auto& ts = r.signatures[0].timestamp;
    BOOST_TEST(ts.present);
    BOOST_TEST(ts.imprint_ok);
    BOOST_TEST(ts.trusted);
    BOOST_TEST(ts.tsa.find("OneWindow Test TSA") != std::string::npos);
    BOOST_TEST(r.signatures[0].level == "B-T");
    BOOST_TEST(r.signatures[0].validation_time == ts.time);
    BOOST_TEST(r.all_valid_and_trusted(), r.text());
}

BOOST_AUTO_TEST_CASE(client_checks_imprint_nonce_and_chain) {
    TsaResponder responder(pki().tsa.key_pem, pki().tsa.cert_pem, pki().ca.cert_pem);
    TsaClient good(TsaOptions{"http://unused", {pki().ca.cert_file}});
    Bytes digest(32, 0x11), other(32, 0x22);
    Bytes req = TsaClient::make_request(digest, DigestAlgorithm::Sha256);
    Bytes resp = responder.respond(req);
    Timestamp t = good.check_response(req, resp);
    BOOST_TEST(!t.token.empty());
    // Same imprint, other nonce: refused.
    Bytes req2 = TsaClient::make_request(digest, DigestAlgorithm::Sha256);
    BOOST_TEST(req2 != req);
    try {
        good.check_response(req2, resp);
        BOOST_FAIL("nonce mismatch accepted");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::TimestampFailed));
    }
    // Other imprint: refused.
    Bytes req3 = TsaClient::make_request(other, DigestAlgorithm::Sha256);
    BOOST_CHECK_THROW(good.check_response(req3, resp), SigningError);
    // TSA not under the configured roots: refused.
    TsaClient wrong_root(TsaOptions{"http://unused", {pki().other_ca.cert_file}});
    BOOST_CHECK_THROW(wrong_root.check_response(req, resp), SigningError);
    // Garbage answer.
    BOOST_CHECK_THROW(good.check_response(req, Bytes{1, 2, 3}), SigningError);
}

BOOST_AUTO_TEST_CASE(unreachable_tsa_fails_and_writes_nothing) {
    auto s = signer(pki().ec);
    SignOptions o;
    o.timestamp =
        TsaOptions{"http://127.0.0.1:9/tsa", {pki().ca.cert_file}, std::chrono::milliseconds(2000)};
    try {
        PadesSigner(*s).sign_memory(bytes(make_pdf(1)), o);
        BOOST_FAIL("no error without a TSA");
    } catch (const SigningError& e) {
        BOOST_TEST(code(e) == static_cast<int>(ErrorCode::TimestampFailed));
    }
}

BOOST_AUTO_TEST_CASE(a_token_larger_than_the_reserve_is_signed_again_with_more_room) {
    // No room reserved for the token: the first attempt comes back too small after its output was
    // started; the second, with room, is the only file left.
    LoopbackTsa server(pki().tsa);
    fs::path dir = temp_dir();
    write_file(dir / "in.pdf", make_pdf(1));
    auto rsa = signer(pki().rsa);
    SignOptions o;
    o.timestamp = TsaOptions{server.url(), {pki().ca.cert_file}};
    o.timestamp->reserve = 0;
    SignResult res = PadesSigner(*rsa).sign_file(dir / "in.pdf", dir / "out.pdf", o);
    BOOST_TEST(res.key_operations == 2);
    BOOST_TEST(res.level == "B-T");
    BOOST_TEST(fs::file_size(dir / "out.pdf") == res.output_size);
    VerifyOptions vo;
    vo.trust_anchors = {pki().ca.cert_file};
    const std::string signed_pdf = read_file(dir / "out.pdf");
    VerifyReport r = PadesVerifier(vo).verify_memory(Bytes(signed_pdf.begin(), signed_pdf.end()));
    BOOST_TEST(r.all_valid_and_trusted());
    BOOST_REQUIRE(r.signatures.size() == 1u);
    BOOST_TEST(r.signatures[0].timestamp.trusted);
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
