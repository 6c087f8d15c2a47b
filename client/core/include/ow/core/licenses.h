// E-license records (电子证照) and the keys around them:
//   - the issuer's signature over a record's canonical data, checked against the trusted issuer
//     certificates kept in the cache (license_issuers) before a record is used for anything;
//   - the demo issuer that signs the demo set (its key lives only in memory while it signs);
//   - the service center's seal (center_seal), the key restored copies are sealed with when no
//     token is named: a software seal key kept in the encrypted cache, never on disk in plaintext.
#pragma once

#include "ow/core/reference_data.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class Database;
class Session;

// The bytes the issuer signs: a JSON array of the record's fields with the face data re-serialised
// canonically (keys sorted, no white space), so that formatting does not change the signature.
// Throws CoreError(InvalidArgument) when the face data is not a JSON object.
std::string canonical_license_data(const LicenseRecord& record);
// SHA-256 (hex) of the canonical face data: what the QR code of a restored copy carries.
std::string license_face_hash(const LicenseRecord& record);
// "OWLIC1;id=<license id>;face-sha256=<hex>" — the QR payload of a restored copy.
std::string license_qr_payload(const LicenseRecord& record);
struct QrPayload {
    std::string license_id, face_sha256;
};
std::optional<QrPayload> parse_license_qr_payload(const std::string& payload);

struct IssuerCheck {
    bool trusted = false;
    std::string issuer;  // subject of the certificate that verified the signature
    std::string problem; // English, why it is not trusted
};

// Trusted issuer certificates (DER) from the cache.
class LicenseIssuers {
public:
    explicit LicenseIssuers(Database& db);
    // Stores a trusted issuer certificate (PEM or DER); call inside the caller's transaction.
    static void add(Database& db, const std::string& name, const std::vector<unsigned char>& der,
                    const std::string& source);
    IssuerCheck check(const LicenseRecord& record) const;
    std::size_t size() const { return certificates_.size(); }

private:
    std::vector<std::pair<std::string, std::vector<unsigned char>>> certificates_;
};

// An issuer key held in memory (EC P-256, self-signed certificate): the demo library's issuer,
// and tests. Signs records with ECDSA-SHA256 over canonical_license_data.
class DemoLicenseIssuer {
public:
    explicit DemoLicenseIssuer(const std::string& common_name);
    ~DemoLicenseIssuer();
    DemoLicenseIssuer(const DemoLicenseIssuer&) = delete;
    DemoLicenseIssuer& operator=(const DemoLicenseIssuer&) = delete;
    const std::vector<unsigned char>& certificate_der() const { return certificate_; }
    const std::string& name() const { return name_; }
    void sign(LicenseRecord& record) const;

private:
    struct Key;
    std::unique_ptr<Key> key_;
    std::vector<unsigned char> certificate_;
    std::string name_;
};

// The service center's seal for restored copies, kept in the encrypted cache.
struct CenterSeal {
    std::string name;            // the center, e.g. 呼和浩特市政务服务中心
    std::string key_pem;         // PKCS#8 private key
    std::string certificate_pem; // the seal certificate
    std::string chain_pem;       // its CA certificate(s)
};

class CenterSeals {
public:
    explicit CenterSeals(Session& session) : session_(session) {}
    // The installed seal, if any (clerks use it; nothing of it is logged).
    std::optional<CenterSeal> current();
    // The public part (name, certificate, chain; key_pem empty): any user, e.g. to export the CA
    // that a verifier must trust.
    std::optional<CenterSeal> certificates();
    // Admin: installs (replaces) the seal; audited, without the key.
    void install(const CenterSeal& seal);
    // Admin (demo data): a demo CA and a center seal certificate issued by it, installed when
    // no seal exists yet. Returns true when one was made.
    bool ensure_demo_seal(const std::string& center_name);

private:
    Session& session_;
};

} // namespace ow::core
