// The signing-key seam (after libdigidocpp's Signer): a certificate with its chain, and a private
// key operation over a digest. PadesSigner builds the CMS around it; the key may live in memory
// (SoftwareSigner) or on a token (Pkcs11Signer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ow::signing {

using Bytes = std::vector<std::uint8_t>;

enum class KeyAlgorithm { Rsa, Ecdsa };
enum class DigestAlgorithm { Sha256, Sha384, Sha512 };

// Overwrites a secret (PIN, passphrase) so the compiler cannot skip it (OPENSSL_cleanse).
void secure_wipe(std::span<char> secret) noexcept;

class Signer {
public:
    virtual ~Signer() = default;

    // DER of the signer certificate.
    virtual const Bytes& certificate() const = 0;
    // DER of further certificates to embed (intermediates, optionally the root), signer excluded.
    virtual const std::vector<Bytes>& chain() const = 0;

    virtual KeyAlgorithm algorithm() const = 0;
    // RSA: modulus bits; ECDSA: field bits (256 for P-256).
    virtual int key_bits() const = 0;
    // Upper bound of the DER signature size (RSA: modulus bytes; ECDSA: DER Ecdsa-Sig-Value).
    std::size_t max_signature_size() const;

    // Signs a precomputed digest. RSA: PKCS#1 v1.5 over DigestInfo(alg, digest). ECDSA: the DER
    // Ecdsa-Sig-Value. Throws SigningError (WrongPin, TokenRemoved, PinRequired, ...).
    virtual Bytes sign_digest(DigestAlgorithm alg, std::span<const std::uint8_t> digest) = 0;

    // True when every signature needs its own PIN entry (PKCS#11 CKA_ALWAYS_AUTHENTICATE).
    virtual bool pin_per_signature() const { return false; }
};

// A key and certificate held in memory: tests, benchmarks, demo seals. Never for officers' keys.
class SoftwareSigner final : public Signer {
public:
    // PEM (or DER) private key, unencrypted or protected by `passphrase`; PEM certificate;
    // optional PEM file(s) with chain certificates.
    static std::unique_ptr<SoftwareSigner>
    from_files(const std::filesystem::path& key, const std::filesystem::path& cert,
               const std::vector<std::filesystem::path>& chain = {},
               std::span<const char> passphrase = {});
    static std::unique_ptr<SoftwareSigner>
    from_pem(std::string_view key_pem, std::string_view cert_pem, std::string_view chain_pem = {});
    ~SoftwareSigner() override;

    const Bytes& certificate() const override { return cert_; }
    const std::vector<Bytes>& chain() const override { return chain_; }
    KeyAlgorithm algorithm() const override { return algorithm_; }
    int key_bits() const override { return bits_; }
    Bytes sign_digest(DigestAlgorithm alg, std::span<const std::uint8_t> digest) override;

private:
    SoftwareSigner() = default;
    struct Key;
    std::unique_ptr<Key> key_;
    Bytes cert_;
    std::vector<Bytes> chain_;
    KeyAlgorithm algorithm_ = KeyAlgorithm::Rsa;
    int bits_ = 0;
};

} // namespace ow::signing
