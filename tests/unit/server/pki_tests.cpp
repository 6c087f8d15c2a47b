#include "demo_data.h"
#include "pki.h"
#include "test_support.h"
#include "util.h"

#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <set>
#include <sys/stat.h>

using namespace ow::server;

namespace {

std::string make_csr(const char* curve_or_rsa, int rsa_bits = 2048) {
    EVP_PKEY* key = std::string(curve_or_rsa) == "RSA"
                        ? EVP_RSA_gen(static_cast<unsigned>(rsa_bits))
                        : EVP_EC_gen(curve_or_rsa);
    X509_REQ* req = X509_REQ_new();
    X509_REQ_set_pubkey(req, key);
    X509_NAME* name = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("whatever-the-ws-claims"), -1,
                               -1, 0);
    X509_REQ_sign(req, key, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return pem;
}

std::string subject_cn(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    char buf[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
    X509_free(cert);
    return buf;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pki)

BOOST_AUTO_TEST_CASE(ca_issues_workstation_certificates) {
    test::TempDir dir;
    auto files = PkiFiles::in(dir.path / "tls");
    create_pki(files, {"sc.example.org", "10.0.0.5"}, "Test center");
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(files.ca_key.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 077) == 0); // keys are private to the server user
    BOOST_CHECK_THROW(create_pki(files, {}, "again"), PkiError);

    auto cert = issue_client_certificate(files, make_csr("P-256"), "counter-07");
    BOOST_TEST(subject_cn(cert.pem) == "counter-07"); // the CSR's own subject is ignored
    BOOST_TEST(!cert.serial.empty());
    BOOST_TEST(cert.not_after.size() == 20u);
    BOOST_TEST(!issue_client_certificate(files, make_csr("RSA"), "counter-08").pem.empty());
    BOOST_CHECK_THROW(issue_client_certificate(files, "not a csr", "x"), PkiError);
    BOOST_CHECK_THROW(issue_client_certificate(files, make_csr("RSA", 1024), "x"), PkiError);
    std::string tampered = make_csr("P-256");
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    BOOST_CHECK_THROW(issue_client_certificate(files, tampered, "x"), PkiError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(util_and_demo)

BOOST_AUTO_TEST_CASE(enrollment_codes) {
    std::string code = random_enrollment_code();
    BOOST_TEST(code.size() == 19u);
    BOOST_TEST(normalize_enrollment_code(" " + code + " ").size() == 16u);
    std::string lower;
    for (char c : code)
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    BOOST_TEST(normalize_enrollment_code(lower) == normalize_enrollment_code(code));
    BOOST_TEST(random_enrollment_code() != code);
}

BOOST_AUTO_TEST_CASE(base64_round_trip) {
    std::vector<unsigned char> out;
    for (std::string s : {"", "a", "ab", "abc", "abcd"}) {
        std::vector<unsigned char> in(s.begin(), s.end());
        BOOST_TEST(base64_decode(base64_encode(in), out));
        BOOST_TEST((out == in));
    }
    BOOST_TEST(!base64_decode("abc", out));
}

BOOST_AUTO_TEST_CASE(demo_records_are_valid_and_distinct) {
    // The GB 11643 example number.
    BOOST_TEST(gb11643_check("11010519491231002") == 'X');
    DemoRecords demo(1);
    std::set<std::string> ids, usccs;
    for (std::size_t i = 0; i < 5000; ++i) {
        std::string id = demo.person(i)["id_number"];
        BOOST_TEST_REQUIRE(id.size() == 18u);
        BOOST_TEST(id.back() == gb11643_check(id.substr(0, 17)));
        ids.insert(id);
        std::string uscc = demo.entity(i)["uscc"];
        BOOST_TEST_REQUIRE(uscc.size() == 18u);
        BOOST_TEST(uscc.back() == gb32100_check(uscc.substr(0, 17)));
        usccs.insert(uscc);
    }
    BOOST_TEST(ids.size() == 5000u);
    BOOST_TEST(usccs.size() == 5000u);
    BOOST_TEST(DemoRecords(1).person(42) == demo.person(42));
}

BOOST_AUTO_TEST_SUITE_END()
