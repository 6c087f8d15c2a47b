// Signer seam: software keys (RSA 2048/3072, ECDSA P-256) and PKCS#11 URI parsing.
#include "fixtures.h"
#include "ossl.h" // signing/src: the decoder-free RSA key reader
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

// RSA keys are read without OpenSSL's decoders (PKCS#8 and PKCS#1); every other encoding takes the
// general path. All of them must give the same working key, and a damaged key a clear error.
BOOST_AUTO_TEST_CASE(rsa_key_encodings_all_load_and_damaged_keys_are_refused) {
    BIO* in = BIO_new_mem_buf(pki().rsa.key_pem.data(), static_cast<int>(pki().rsa.key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    BOOST_REQUIRE(key != nullptr);
    const std::string pkcs8 = pem_key(key), pkcs1 = pem_key(key, true);
    EVP_PKEY_free(key);
    BOOST_TEST(pkcs8.find("BEGIN PRIVATE KEY") != std::string::npos);
    BOOST_TEST(pkcs1.find("BEGIN RSA PRIVATE KEY") != std::string::npos);

    // The decoder-free reader gives exactly OpenSSL's key: every private component, not only the
    // public ones (a wrong CRT value would still sign correctly, through OpenSSL's fallback).
    for (const std::string& pem : {pkcs8, pkcs1}) {
        auto fast = detail::rsa_key_without_decoders(pem);
        BOOST_REQUIRE(fast != nullptr);
        BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        EVP_PKEY* reference = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
        BIO_free(b);
        for (const char* name : {"n", "e", "d", "rsa-factor1", "rsa-factor2", "rsa-exponent1",
                                 "rsa-exponent2", "rsa-coefficient1"}) {
            BIGNUM *x = nullptr, *y = nullptr;
            BOOST_TEST_INFO(name);
            BOOST_TEST((EVP_PKEY_get_bn_param(fast.get(), name, &x) == 1 &&
                        EVP_PKEY_get_bn_param(reference, name, &y) == 1 && BN_cmp(x, y) == 0));
            BN_clear_free(x);
            BN_clear_free(y);
        }
        EVP_PKEY_free(reference);
    }
    BOOST_TEST(detail::rsa_key_without_decoders(pki().ec.key_pem) == nullptr); // general path

    const Bytes d = sha256("one digest, three encodings of the key");
    for (const std::string& pem : {pkcs8, pkcs1}) {
        auto s = SoftwareSigner::from_pem(pem, pki().rsa.cert_pem);
        BOOST_TEST(s->key_bits() == 2048);
        BOOST_TEST(verifies(*s, d, s->sign_digest(DigestAlgorithm::Sha256, d)));
    }

    // A flipped character inside the base64 body: the fast path refuses it, and so does the
    // general one — a clear error, never a key that signs wrongly.
    std::string damaged = pkcs8;
    std::size_t body = damaged.find('\n') + 40;
    damaged[body] = damaged[body] == 'A' ? 'B' : 'A';
    try {
        (void)SoftwareSigner::from_pem(damaged, pki().rsa.cert_pem);
        // A flip that still decodes gives different numbers: the certificate check must catch it.
        BOOST_FAIL("a damaged key was accepted");
    } catch (const SigningError& e) {
        BOOST_TEST((e.code() == ErrorCode::KeyNotFound || e.code() == ErrorCode::InvalidArgument));
    }
    std::string truncated = pkcs1.substr(0, pkcs1.size() / 2) + "-----END RSA PRIVATE KEY-----\n";
    BOOST_CHECK_THROW(SoftwareSigner::from_pem(truncated, pki().rsa.cert_pem), SigningError);
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
