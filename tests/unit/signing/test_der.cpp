// The hand-written DER of signing/src/der.h and the CMS built with it, held against OpenSSL's own
// parser and encoder; the writer that puts a signed document on disk while the key signs.
#include "atomic_file.h"
#include "cms.h"
#include "der.h"
#include "fixtures.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <openssl/asn1t.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

using namespace ow::signing;
using namespace ow::signing::test;
namespace der = ow::signing::detail::der;
using ow::signing::detail::X509Ptr;
namespace fs = std::filesystem;

namespace {

X509Ptr parse_pem_cert(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509Ptr c(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    BOOST_REQUIRE(c);
    return c;
}

template <typename T, typename F> Bytes encode(T* value, F i2d) {
    int n = i2d(value, nullptr);
    BOOST_REQUIRE(n > 0);
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d(value, &p);
    return out;
}

Bytes cert_der(const Identity& id) {
    X509Ptr c = parse_pem_cert(id.cert_pem);
    return encode(c.get(), i2d_X509);
}

Bytes as_bytes(der::ByteView v) {
    return Bytes(v.begin(), v.end());
}

// The CMS as OpenSSL's PKCS7 encoder builds it from the same parts: what CmsBuilder replaced.
struct Digest {
    DigestAlgorithm algorithm;
    int nid, ecdsa_nid;
};
constexpr Digest kDigests[] = {{DigestAlgorithm::Sha256, NID_sha256, NID_ecdsa_with_SHA256},
                               {DigestAlgorithm::Sha384, NID_sha384, NID_ecdsa_with_SHA384},
                               {DigestAlgorithm::Sha512, NID_sha512, NID_ecdsa_with_SHA512}};

Bytes openssl_cms(const Identity& id, const std::vector<Bytes>& chain, const Digest& digest,
                  const Bytes& md, const Bytes& signature, const Bytes& token, bool rsa,
                  Bytes& signed_attributes) {
    X509Ptr cert = parse_pem_cert(id.cert_pem);
    PKCS7* p7 = PKCS7_new();
    BOOST_REQUIRE(PKCS7_set_type(p7, NID_pkcs7_signed));
    BOOST_REQUIRE(PKCS7_content_new(p7, NID_pkcs7_data));
    PKCS7_SIGNER_INFO* si = PKCS7_SIGNER_INFO_new();
    ASN1_INTEGER_set(si->version, 1);
    X509_NAME_set(&si->issuer_and_serial->issuer, X509_get_issuer_name(cert.get()));
    ASN1_INTEGER_free(si->issuer_and_serial->serial);
    si->issuer_and_serial->serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert.get()));
    X509_ALGOR_set0(si->digest_alg, OBJ_nid2obj(digest.nid), V_ASN1_NULL, nullptr);
    if (rsa)
        X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr);
    else
        X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(digest.ecdsa_nid), V_ASN1_UNDEF, nullptr);
    BOOST_REQUIRE(PKCS7_add_signer(p7, si));
    // OpenSSL keeps the certificates in the order given; DER wants the SET OF sorted (no
    // certificate's encoding is a prefix of another's, so plain byte order is DER order).
    std::vector<Bytes> certificates{encode(cert.get(), i2d_X509)};
    certificates.insert(certificates.end(), chain.begin(), chain.end());
    std::sort(certificates.begin(), certificates.end());
    for (const Bytes& c : certificates) {
        const unsigned char* p = c.data();
        X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(c.size())));
        BOOST_REQUIRE(PKCS7_add_certificate(p7, x.get()));
    }
    PKCS7_set_detached(p7, 1);
    PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                               OBJ_nid2obj(NID_pkcs7_data));
    ESS_SIGNING_CERT_V2* sc =
        OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert.get(), nullptr, 1);
    Bytes ess = encode(sc, i2d_ESS_SIGNING_CERT_V2);
    ESS_SIGNING_CERT_V2_free(sc);
    auto add = [&](int nid, const Bytes& value, bool is_signed) {
        ASN1_STRING* s = ASN1_STRING_new();
        ASN1_STRING_set(s, value.data(), static_cast<int>(value.size()));
        BOOST_REQUIRE(is_signed ? PKCS7_add_signed_attribute(si, nid, V_ASN1_SEQUENCE, s)
                                : PKCS7_add_attribute(si, nid, V_ASN1_SEQUENCE, s));
    };
    add(NID_id_smime_aa_signingCertificateV2, ess, true);
    PKCS7_add1_attrib_digest(si, md.data(), static_cast<int>(md.size()));
    // The bytes a signer signs: encoding them as a DER SET OF also puts the attributes in order.
    unsigned char* tbs = nullptr;
    int n = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si->auth_attr), &tbs,
                          ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    BOOST_REQUIRE(n > 0);
    signed_attributes.assign(tbs, tbs + n);
    OPENSSL_free(tbs);
    ASN1_STRING_set(si->enc_digest, signature.data(), static_cast<int>(signature.size()));
    if (!token.empty())
        add(NID_id_smime_aa_timeStampToken, token, false);
    Bytes out = encode(p7, i2d_PKCS7);
    PKCS7_free(p7);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(der_encoding)

BOOST_AUTO_TEST_CASE(certificate_fields_are_the_ones_openssl_parses) {
    for (const Identity* id : {&pki().rsa, &pki().ec, &pki().ca, &pki().tsa}) {
        X509Ptr c = parse_pem_cert(id->cert_pem);
        const Bytes der_cert = encode(c.get(), i2d_X509);
        auto fields = der::certificate_fields(der_cert);
        BOOST_REQUIRE(fields);
        BOOST_TEST(as_bytes(fields->serial) ==
                   encode(X509_get0_serialNumber(c.get()), i2d_ASN1_INTEGER));
        BOOST_TEST(as_bytes(fields->issuer) ==
                   encode(X509_get_issuer_name(c.get()), i2d_X509_NAME));
        BOOST_TEST(as_bytes(fields->subject) ==
                   encode(X509_get_subject_name(c.get()), i2d_X509_NAME));
        BOOST_TEST(as_bytes(fields->public_key_info) ==
                   encode(X509_get_X509_PUBKEY(c.get()), i2d_X509_PUBKEY));
    }
}

BOOST_AUTO_TEST_CASE(anything_but_a_whole_der_certificate_is_refused) {
    const Bytes cert = cert_der(pki().rsa);
    BOOST_REQUIRE(der::certificate_fields(cert));
    for (std::size_t n = 0; n < cert.size(); ++n)
        BOOST_TEST(!der::certificate_fields(der::ByteView(cert).first(n)), "truncated to " << n);
    Bytes longer = cert;
    longer.push_back(0);
    BOOST_TEST(!der::certificate_fields(longer));
    Bytes wrong_tag = cert;
    wrong_tag[0] = der::kSet;
    BOOST_TEST(!der::certificate_fields(wrong_tag));
    // BER's indefinite length is not DER.
    Bytes indefinite{0x30, 0x80};
    indefinite.insert(indefinite.end(), cert.begin() + 4, cert.end());
    indefinite.insert(indefinite.end(), {0, 0});
    BOOST_TEST(!der::certificate_fields(indefinite));
    // Damage deep inside: the extensions' SEQUENCE one byte shorter than its [3] wrapper.
    {
        der::ByteView in = cert;
        der::ByteView outer = der::read(in)->content;
        der::ByteView tbs = der::read(outer)->content;
        std::optional<der::Element> e;
        while ((e = der::read(tbs)) && e->tag != der::context(3)) {
        }
        BOOST_REQUIRE(e);
        const std::size_t at = static_cast<std::size_t>(e->content.data() - cert.data());
        Bytes damaged = cert;
        BOOST_REQUIRE(damaged[at] == der::kSequence);
        const std::size_t last_length_octet =
            damaged[at + 1] & 0x80 ? at + 1 + (damaged[at + 1] & 0x7F) : at + 1;
        damaged[last_length_octet] -= 1;
        BOOST_TEST(!der::certificate_fields(damaged));
    }
    // A length in the long form where the short one fits.
    const Bytes long_form{0x30, 0x81, 0x03, 0x02, 0x01, 0x00};
    der::ByteView v = long_form;
    BOOST_TEST(!der::read(v));
    BOOST_TEST(!der::certificate_fields(Bytes{}));
}

BOOST_AUTO_TEST_CASE(lengths_round_trip_in_their_shortest_form) {
    for (std::size_t n : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u}) {
        Bytes content(n, 0xAB);
        Bytes e = der::wrap(der::kOctetString, content);
        const std::size_t header = n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5;
        BOOST_TEST(e.size() == header + n);
        der::ByteView v = e;
        auto read = der::read(v);
        BOOST_REQUIRE(read);
        BOOST_TEST(v.empty());
        BOOST_TEST(read->tag == der::kOctetString);
        BOOST_TEST(read->content.size() == n);
        BOOST_TEST(read->whole.size() == e.size());
    }
}

BOOST_AUTO_TEST_CASE(object_identifiers_match_openssls_table) {
    const std::pair<der::ByteView, int> known[] = {
        {der::oid::kData, NID_pkcs7_data},
        {der::oid::kSignedData, NID_pkcs7_signed},
        {der::oid::kContentType, NID_pkcs9_contentType},
        {der::oid::kMessageDigest, NID_pkcs9_messageDigest},
        {der::oid::kSigningCertificateV2, NID_id_smime_aa_signingCertificateV2},
        {der::oid::kTimeStampToken, NID_id_smime_aa_timeStampToken},
        {der::oid::kRsaEncryption, NID_rsaEncryption},
        {der::oid::kSha256, NID_sha256},
        {der::oid::kSha384, NID_sha384},
        {der::oid::kSha512, NID_sha512},
        {der::oid::kEcdsaWithSha256, NID_ecdsa_with_SHA256},
        {der::oid::kEcdsaWithSha384, NID_ecdsa_with_SHA384},
        {der::oid::kEcdsaWithSha512, NID_ecdsa_with_SHA512},
    };
    for (const auto& [encoded, nid] : known)
        BOOST_TEST(as_bytes(encoded) ==
                       encode(const_cast<ASN1_OBJECT*>(OBJ_nid2obj(nid)), i2d_ASN1_OBJECT),
                   OBJ_nid2sn(nid));
}

BOOST_AUTO_TEST_CASE(digest_info_is_what_openssl_encodes) {
    // What a token signs with CKM_RSA_PKCS (RFC 8017 9.2), against OpenSSL's X509_SIG encoder.
    for (const auto& [alg, nid] : {std::pair{DigestAlgorithm::Sha256, NID_sha256},
                                   std::pair{DigestAlgorithm::Sha384, NID_sha384},
                                   std::pair{DigestAlgorithm::Sha512, NID_sha512}}) {
        const Bytes dg(detail::digest_size(alg), 0xA5);
        X509_SIG* sig = X509_SIG_new();
        X509_ALGOR* algor = nullptr;
        ASN1_OCTET_STRING* digest = nullptr;
        X509_SIG_getm(sig, &algor, &digest);
        X509_ALGOR_set0(algor, OBJ_nid2obj(nid), V_ASN1_NULL, nullptr);
        ASN1_OCTET_STRING_set(digest, dg.data(), static_cast<int>(dg.size()));
        BOOST_TEST(der::digest_info(alg, dg) == encode(sig, i2d_X509_SIG), OBJ_nid2sn(nid));
        X509_SIG_free(sig);
    }
}

BOOST_AUTO_TEST_CASE(set_of_is_sorted_as_x690_says) {
    // Ascending octet strings; the shorter one padded with zeros at its end.
    Bytes sorted = der::set_of_contents({{0x30, 0x03, 0x02, 0x01, 0x09},
                                         {0x04, 0x01, 0xFF},
                                         {0x30, 0x03, 0x02, 0x01, 0x01},
                                         {0x04, 0x00}});
    BOOST_TEST(sorted == (Bytes{0x04, 0x00, 0x04, 0x01, 0xFF, 0x30, 0x03, 0x02, 0x01, 0x01, 0x30,
                                0x03, 0x02, 0x01, 0x09}));
    BOOST_TEST(der::unsigned_integer(Bytes{0x00, 0x00, 0x7F}) == (Bytes{0x02, 0x01, 0x7F}));
    BOOST_TEST(der::unsigned_integer(Bytes{0x80}) == (Bytes{0x02, 0x02, 0x00, 0x80}));
    BOOST_TEST(der::unsigned_integer(Bytes{}) == (Bytes{0x02, 0x01, 0x00}));
}

BOOST_AUTO_TEST_CASE(cms_is_byte_for_byte_what_openssls_encoder_writes) {
    // Same certificate, chain, digest, signature and timestamp token: the hand-written DER must
    // equal OpenSSL's PKCS7 encoding of the same SignedData, attributes sorted as DER wants.
    const Bytes token{0x30, 0x03, 0x02, 0x01, 0x07};
    for (const Identity* id : {&pki().rsa, &pki().ec}) {
        auto s = SoftwareSigner::from_pem(id->key_pem, id->cert_pem + pki().ca.cert_pem, "");
        const bool rsa = s->algorithm() == KeyAlgorithm::Rsa;
        BOOST_REQUIRE(s->chain().size() == 1u);
        const detail::SignerCertificates certs(*s);
        for (const Digest& d : kDigests) {
            const Bytes md(detail::digest_size(d.algorithm), 0x5A);
            for (bool with_token : {false, true}) {
                detail::CmsBuilder b(*s, certs, d.algorithm);
                Bytes tbs = b.signed_attributes(md);
                Bytes signature = s->sign_digest(d.algorithm, detail::digest(d.algorithm, tbs));
                b.set_signature(signature);
                if (with_token)
                    b.add_timestamp_token(token);
                const Bytes ours = b.der();
                Bytes reference_tbs;
                const Bytes reference =
                    openssl_cms(*id, s->chain(), d, md, signature, with_token ? token : Bytes{},
                                rsa, reference_tbs);
                BOOST_TEST(tbs == reference_tbs);
                BOOST_TEST(ours == reference);
            }
            Bytes unused;
            BOOST_TEST(detail::estimate_cms_size(*s, certs, d.algorithm) ==
                       openssl_cms(*id, s->chain(), d, md, Bytes(s->max_signature_size(), 1), {},
                                   rsa, unused)
                           .size());
        }
    }
}

BOOST_AUTO_TEST_CASE(rsa_key_info_is_what_openssl_encodes) {
    // The bytes an RSA key is matched against its certificate with.
    for (const Identity* id : {&pki().rsa, &pki().rsa3072, &pki().ec}) {
        BIO* bio = BIO_new_mem_buf(id->key_pem.data(), static_cast<int>(id->key_pem.size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        BOOST_REQUIRE(key);
        const Bytes ours = detail::rsa_public_key_info(key);
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
            BOOST_TEST(ours == encode(key, i2d_PUBKEY));
        else
            BOOST_TEST(ours.empty());
        EVP_PKEY_free(key);
    }
}

BOOST_AUTO_TEST_CASE(certificate_files_are_read_and_keys_matched_without_x509_parsing) {
    const Pki& p = pki();
    // The key and the certificate in one file, in either order; other blocks are skipped.
    auto both = SoftwareSigner::from_pem(p.rsa.key_pem, p.rsa.key_pem + p.rsa.cert_pem, "");
    BOOST_TEST(both->certificate() == cert_der(p.rsa));
    // A DER certificate file.
    const auto dir = temp_dir();
    const Bytes der_cert = cert_der(p.ec);
    write_file(dir / "ec.der", std::string(der_cert.begin(), der_cert.end()));
    auto from_der = SoftwareSigner::from_files(p.ec.key_file, dir / "ec.der", {});
    BOOST_TEST(from_der->certificate() == der_cert);
    // Another signer's certificate, RSA or EC: refused.
    for (const auto& [key, cert] : {std::pair{&p.rsa, &p.rsa3072}, std::pair{&p.rsa, &p.ec},
                                    std::pair{&p.ec, &p.rsa}, std::pair{&p.ec, &p.tsa}}) {
        try {
            SoftwareSigner::from_pem(key->key_pem, cert->cert_pem, "");
            BOOST_ERROR("a key was accepted with another signer's certificate");
        } catch (const SigningError& e) {
            BOOST_TEST(e.code() == ErrorCode::InvalidArgument);
        }
    }
    // A damaged certificate block, first or after a good one, in the certificate or the chain
    // file: a clear error, not a silently shorter chain. Damage inside the base64 text (an
    // invalid character) and inside the certificate (a flipped bit of its DER) both count.
    std::string bad_base64 = p.ca.cert_pem;
    bad_base64[bad_base64.find('\n') + 10] = '*';
    std::string bad_der = p.ca.cert_pem;
    {
        const std::size_t body = bad_der.find('\n') + 1;
        bad_der[body + 5] = bad_der[body + 5] == 'A' ? 'B' : 'A'; // the certificate's length
    }
    const std::pair<std::string, std::string> damaged[] = {
        {bad_base64, ""},
        {p.rsa.cert_pem + bad_base64, ""},
        {p.rsa.cert_pem + bad_der, ""},
        {p.rsa.cert_pem, bad_base64},
        {p.rsa.cert_pem, p.ca.cert_pem + bad_der},
        {p.rsa.cert_pem, "-----BEGIN PRIVATE KEY-----\nnot a chain\n-----END PRIVATE KEY-----\n"},
    };
    for (const auto& [certs, chain] : damaged) {
        try {
            SoftwareSigner::from_pem(p.rsa.key_pem, certs, chain);
            BOOST_ERROR("a damaged certificate or chain file was accepted");
        } catch (const SigningError& e) {
            BOOST_TEST(e.code() == ErrorCode::CertificateNotFound, e.what());
        }
    }
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(ber_inside_a_certificate_is_refused) {
    const Bytes cert = cert_der(pki().rsa);
    auto fields = der::certificate_fields(cert);
    BOOST_REQUIRE(fields);
    // The serial number with a redundant leading zero (lengths adjusted all the way up).
    const std::size_t at = static_cast<std::size_t>(fields->serial.data() - cert.data());
    Bytes padded(cert.begin(), cert.begin() + static_cast<long>(at));
    Bytes serial{der::kInteger, static_cast<std::uint8_t>(fields->serial[1] + 1), 0x00};
    serial.insert(serial.end(), fields->serial.begin() + 2, fields->serial.end());
    BOOST_REQUIRE(fields->serial[1] < 0x7F && !(fields->serial[2] & 0x80));
    padded.insert(padded.end(), serial.begin(), serial.end());
    padded.insert(padded.end(), fields->serial.end(), der::ByteView(cert).end());
    // Certificate and TBSCertificate lengths grow by one (both in the two-octet long form here).
    BOOST_REQUIRE(padded[1] == 0x82 && padded[5] == 0x82);
    for (std::size_t length_at : {2u, 6u}) {
        unsigned v = (padded[length_at] << 8 | padded[length_at + 1]) + 1;
        padded[length_at] = static_cast<std::uint8_t>(v >> 8);
        padded[length_at + 1] = static_cast<std::uint8_t>(v);
    }
    der::ByteView whole = padded;
    BOOST_REQUIRE(der::read(whole) && whole.empty()); // still well-formed TLVs...
    BOOST_TEST(!der::certificate_fields(padded));     // ...but not DER
    // A constructed OCTET STRING (BER) where DER has a primitive one.
    const Bytes constructed{0x30, 0x06, 0x24, 0x04, 0x04, 0x02, 0x01, 0x02};
    BOOST_TEST(!der::certificate_fields(constructed));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signed_file_writer)

// Files in `dir` other than `keep`: temp files left behind would show here.
std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

BOOST_AUTO_TEST_CASE(the_target_changes_only_at_finish_and_gets_the_final_gap) {
    const fs::path dir = temp_dir();
    write_file(dir / "out.pdf", "previous contents");
    std::string doc = "head<" + std::string(64, '0') + ">tail";
    const std::size_t gap_begin = 4, gap_end = gap_begin + 66;
    detail::SignedFileWriter writer(dir / "out.pdf");
    writer.start({reinterpret_cast<const std::uint8_t*>(doc.data()), doc.size()}, gap_begin,
                 gap_end);
    // The signature arrives while the worker writes: only the gap changes.
    std::fill(doc.begin() + gap_begin + 1, doc.begin() + gap_end - 1, 'a');
    BOOST_TEST(read_file(dir / "out.pdf") == "previous contents");
    writer.finish();
    BOOST_TEST(read_file(dir / "out.pdf") == doc);
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"out.pdf"});
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_abandoned_or_restarted_attempt_leaves_nothing) {
    const fs::path dir = temp_dir();
    const std::string first = "first attempt <0000> end", second = "second <00000000> end";
    {
        detail::SignedFileWriter writer(dir / "out.pdf");
        writer.start({reinterpret_cast<const std::uint8_t*>(first.data()), first.size()}, 14, 20);
        writer.abandon();
        BOOST_TEST(names_in(dir).empty());
        writer.start({reinterpret_cast<const std::uint8_t*>(first.data()), first.size()}, 14, 20);
        // More room needed: the next attempt replaces the first before anything is published.
        writer.start({reinterpret_cast<const std::uint8_t*>(second.data()), second.size()}, 7, 17);
        writer.finish();
    }
    BOOST_TEST(read_file(dir / "out.pdf") == second);
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"out.pdf"});
    {
        // Destroyed after start() without finish(): nothing published, no temp file.
        detail::SignedFileWriter writer(dir / "other.pdf");
        writer.start({reinterpret_cast<const std::uint8_t*>(first.data()), first.size()}, 14, 20);
    }
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"out.pdf"});
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(errors_come_out_of_finish_and_leave_no_temp_file) {
    const fs::path dir = temp_dir();
    const std::string doc = "x<00>y";
    const auto span = [&] {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(doc.data()),
                                             doc.size());
    };
    // The worker cannot even create its temp file.
    {
        detail::SignedFileWriter writer(dir / "missing" / "out.pdf");
        writer.start(span(), 1, 5);
        BOOST_CHECK_EXCEPTION(writer.finish(), SigningError,
                              [](const SigningError& e) { return e.code() == ErrorCode::IoError; });
    }
    // The temp file is written and synced, then the rename fails: the target is a directory.
    fs::create_directories(dir / "out.pdf" / "inside");
    {
        detail::SignedFileWriter writer(dir / "out.pdf");
        writer.start(span(), 1, 5);
        BOOST_CHECK_EXCEPTION(writer.finish(), SigningError,
                              [](const SigningError& e) { return e.code() == ErrorCode::IoError; });
    }
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"out.pdf"});
    BOOST_TEST(fs::is_directory(dir / "out.pdf" / "inside"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(file_bytes)

BOOST_AUTO_TEST_CASE(files_of_every_size_are_read_whole) {
    // Small files go to the heap, from 1 MiB on to a populated anonymous mapping.
    const fs::path dir = temp_dir();
    for (std::size_t size :
         {std::size_t{0}, std::size_t{1}, std::size_t{4097}, std::size_t{(1u << 20) - 1},
          std::size_t{1u << 20}, std::size_t{3u << 20} + 5}) {
        std::string content(size, '\0');
        for (std::size_t i = 0; i < size; ++i)
            content[i] = static_cast<char>((i * 131 + size) & 0xFF);
        write_file(dir / "f.bin", content);
        detail::FileBytes bytes = detail::read_whole_file(dir / "f.bin");
        BOOST_REQUIRE(bytes.size() == size);
        BOOST_TEST((size == 0 || std::memcmp(bytes.data(), content.data(), size) == 0),
                   "size " << size);
        detail::FileBytes moved = std::move(bytes);
        BOOST_TEST(bytes.size() == 0u);
        BOOST_TEST(moved.span().size() == size);
        moved.wipe();
        BOOST_TEST(
            std::all_of(moved.data(), moved.data() + size, [](std::uint8_t c) { return c == 0; }));
    }
    BOOST_CHECK_THROW(detail::read_whole_file(dir / "missing.bin"), SigningError);
    BOOST_CHECK_THROW(detail::read_whole_file(dir), SigningError); // a directory
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
