#include "ow/core/crypto.h"
#include "ow/core/error.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

using namespace ow::core;

BOOST_AUTO_TEST_SUITE(crypto_tests)

BOOST_AUTO_TEST_CASE(gcm_round_trip_and_tamper_detection) {
    SecretBytes key = SecretBytes::random(32);
    std::string plain = "data key bytes";
    auto sealed = crypto::seal(key, reinterpret_cast<const unsigned char*>(plain.data()),
                               plain.size(), "aad-1");
    SecretBytes back = crypto::open(key, sealed, "aad-1");
    BOOST_TEST(std::string(back.data(), back.data() + back.size()) == plain);

    BOOST_CHECK_THROW(crypto::open(key, sealed, "aad-2"), CoreError); // wrong context
    auto flipped = sealed;
    flipped[14] ^= 1;
    BOOST_CHECK_THROW(crypto::open(key, flipped, "aad-1"), CoreError);
    BOOST_CHECK_THROW(crypto::open(SecretBytes::random(32), sealed, "aad-1"), CoreError);
    crypto::Bytes truncated(sealed.begin(), sealed.begin() + 10);
    BOOST_CHECK_THROW(crypto::open(key, truncated, "aad-1"), CoreError);
}

BOOST_AUTO_TEST_CASE(kdf_is_deterministic_per_salt) {
    crypto::KdfParams p;
    p.n = 1024;
    p.salt = crypto::random_bytes(16);
    auto a = crypto::derive_key("secret", p);
    auto b = crypto::derive_key("secret", p);
    auto c = crypto::derive_key("Secret", p);
    BOOST_TEST(crypto::to_hex(a.data(), a.size()) == crypto::to_hex(b.data(), b.size()));
    BOOST_TEST(crypto::to_hex(a.data(), a.size()) != crypto::to_hex(c.data(), c.size()));
    p.n = 1000; // not a power of two
    BOOST_CHECK_THROW(crypto::derive_key("secret", p), CoreError);
}

BOOST_AUTO_TEST_CASE(calibrated_kdf_costs_at_least_100_ms) {
    auto params = crypto::calibrate_kdf(100.0);
    auto start = std::chrono::steady_clock::now();
    (void)crypto::derive_key("a password", params);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE("scrypt N=" << params.n << " r=" << params.r << " took " << ms << " ms");
    // CPU time: what an attacker pays per guess, whatever else runs on this machine. A 10 %
    // allowance covers the jitter of two measurements of the same work.
    BOOST_TEST(ms >= 90.0);
    BOOST_TEST(params.salt.size() == 16u);
}

BOOST_AUTO_TEST_CASE(hex_and_base64_reject_garbage) {
    BOOST_CHECK_THROW(crypto::from_hex("abc"), CoreError);
    BOOST_CHECK_THROW(crypto::from_hex("zz"), CoreError);
    BOOST_CHECK_THROW(crypto::base64_decode("abc"), CoreError);
    crypto::Bytes data = {0, 1, 2, 250, 251};
    BOOST_TEST(crypto::base64_decode(crypto::base64_encode(data)) == data);
}

BOOST_AUTO_TEST_SUITE_END()
