// Signer seam: software keys (RSA 2048/3072, ECDSA P-256) and PKCS#11 URI parsing.
#include "fixtures.h"
#include "ow/signing/error.h"
#include "ow/signing/pkcs11_signer.h"

#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace ow::signing;
using namespace ow::signing::test;

namespace {

bool verifies(const SoftwareSigner& s, const Bytes& digest, const Bytes& sig) {
    const unsigned char* p = s.certificate().data();
    X509* c = d2i_X509(nullptr, &p, static_cast<long>(s.certificate().size()));
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(c), nullptr);
    EVP_PKEY_verify_init(ctx);
    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
    int ok = EVP_PKEY_verify(ctx, sig.data(), sig.size(), digest.data(), digest.size());
    EVP_PKEY_CTX_free(ctx);
    X509_free(c);
    return ok == 1;
}

Bytes sha256(const std::string& s) {
    Bytes d(32);
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), d.data(), &n, EVP_sha256(), nullptr);
    return d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(signers)

BOOST_AUTO_TEST_CASE(software_keys_sign_digests_that_verify_with_the_certificate) {
    Bytes d = sha256("signed attributes stand-in");
    for (const Identity* id : {&pki().rsa, &pki().rsa3072, &pki().ec}) {
        auto s = signer(*id);
        Bytes sig = s->sign_digest(DigestAlgorithm::Sha256, d);
        BOOST_TEST(verifies(*s, d, sig));
        BOOST_TEST(sig.size() <= s->max_signature_size());
        Bytes other = sha256("something else");
        BOOST_TEST(!verifies(*s, other, sig));
    }
    BOOST_TEST(signer(pki().rsa)->algorithm() == KeyAlgorithm::Rsa);
    BOOST_TEST(signer(pki().rsa3072)->key_bits() == 3072);
    BOOST_TEST(signer(pki().ec)->algorithm() == KeyAlgorithm::Ecdsa);
    BOOST_TEST(signer(pki().ec)->max_signature_size() == 72u);
}

BOOST_AUTO_TEST_CASE(software_signer_from_files_and_mismatched_key) {
    auto s =
        SoftwareSigner::from_files(pki().ec.key_file, pki().ec.cert_file, {pki().ca.cert_file});
    BOOST_TEST(s->chain().size() == 1u);
    try {
        SoftwareSigner::from_pem(pki().rsa.key_pem, pki().ec.cert_pem);
        BOOST_FAIL("a key that does not match the certificate was accepted");
    } catch (const SigningError& e) {
        BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(ErrorCode::InvalidArgument));
    }
    BOOST_CHECK_THROW(SoftwareSigner::from_files("/nonexistent/key.pem", pki().ec.cert_file),
                      SigningError);
    BOOST_CHECK_THROW(SoftwareSigner::from_pem("not a key", pki().ec.cert_pem), SigningError);
}

BOOST_AUTO_TEST_CASE(digest_of_wrong_length_is_refused) {
    auto s = signer(pki().rsa);
    Bytes short_digest(20, 1);
    BOOST_CHECK_THROW(s->sign_digest(DigestAlgorithm::Sha256, short_digest), SigningError);
}

BOOST_AUTO_TEST_CASE(pkcs11_uri_parses_rfc7512) {
    auto u = Pkcs11Uri::parse(
        "pkcs11:token=Test%20Officer%20(id);object=CAC%20Email;id=%00%02;type=private");
    BOOST_TEST(*u.token == "Test Officer (id)");
    BOOST_TEST(*u.object == "CAC Email");
    BOOST_TEST((*u.id == Bytes{0x00, 0x02}));
    BOOST_TEST(*u.type == "private");
    BOOST_TEST(!u.serial.has_value());
    auto again = Pkcs11Uri::parse(u.to_string());
    BOOST_TEST(*again.token == *u.token);
    BOOST_TEST((*again.id == *u.id));
    BOOST_TEST(Pkcs11Uri::parse("pkcs11:slot-id=5").slot_id.value() == 5u);
    BOOST_CHECK_THROW(Pkcs11Uri::parse("file:///x"), SigningError);
    BOOST_CHECK_THROW(Pkcs11Uri::parse("pkcs11:token=%4"), SigningError);
    BOOST_CHECK_THROW(Pkcs11Uri::parse("pkcs11:token=a?pin-value=1234"), SigningError);
    BOOST_CHECK_THROW(Pkcs11Uri::parse("pkcs11:token"), SigningError);
}

BOOST_AUTO_TEST_CASE(pkcs11_module_that_does_not_exist_is_a_clear_error) {
    try {
        Pkcs11Module::load("/nonexistent/libnothing.so");
        BOOST_FAIL("loaded a missing module");
    } catch (const SigningError& e) {
        BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(ErrorCode::ModuleLoadFailed));
        BOOST_TEST(std::string(e.what()).find("libnothing.so") != std::string::npos);
    }
    // A shared library that is not a PKCS#11 module.
    BOOST_CHECK_THROW(Pkcs11Module::load("libz.so.1"), SigningError);
}

BOOST_AUTO_TEST_SUITE_END()
