// PAdES verification: per signature the integrity over its byte ranges, what it covers, the
// certificate chain to the configured trust anchors, validity at the signing / time-stamp time,
// the time-stamp, and what changed after signing (allowed by DocMDP or not).
#pragma once

#include "ow/signing/signer.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ow::signing {

// How much the document changed after a signature, from least to most.
enum class ChangeLevel {
    None,        // the signature covers the whole file
    Signing,     // only further signatures, their fields and appearances, DSS, metadata
    FormFilling, // plus values of form fields
    Annotations, // plus annotations (comments)
    Other,       // page content, resources, pages or existing signatures changed
};
std::string_view to_string(ChangeLevel level);

struct CertificateInfo {
    std::string subject, issuer, serial, not_before, not_after; // times ISO 8601 UTC
};

struct TimestampReport {
    bool present = false;
    bool imprint_ok = false; // the token stamps this signature's value
    bool signature_ok = false;
    bool trusted = false; // the TSA chains to a trust anchor
    std::string time;     // genTime, ISO 8601 UTC
    std::string tsa;      // TSA certificate subject
    std::string problem;
};

struct SignatureReport {
    std::string field_name;
    std::string sub_filter;
    std::string claimed_time; // /M, ISO 8601 UTC (claimed by the signer, not proven)
    std::string reason, location;
    std::array<std::int64_t, 4> byte_range{};
    std::size_t contents_size = 0; // bytes reserved for the CMS

    bool structure_ok = false; // ByteRange sane and enclosing exactly this /Contents
    bool digest_ok = false;    // messageDigest equals the hash of the byte ranges
    bool signature_ok = false; // the signer's key signed the signed attributes
    bool ess_ok = false;       // signing-certificate(-v2) matches the signer certificate
    bool integrity() const { return structure_ok && digest_ok && signature_ok && ess_ok; }

    std::string digest_algorithm, signature_algorithm;
    std::string level; // "B-B", "B-T" or "" when not PAdES baseline
    CertificateInfo signer;
    std::vector<CertificateInfo> chain; // as built, signer first

    bool chain_trusted = false;
    std::string chain_problem;
    std::string validation_time;        // time the chain was checked at
    bool valid_at_claimed_time = false; // the signer certificate's validity covers /M
    TimestampReport timestamp;

    int revision = 0; // 1-based revision the signature belongs to
    bool covers_whole_file = false;
    std::int64_t signed_bytes = 0;
    std::optional<int> docmdp; // set on the certification signature (P = 1..3)
    ChangeLevel changes_after = ChangeLevel::None;
    std::vector<std::string> changes; // what changed after this signature
    bool changes_allowed = true;

    std::vector<std::string> problems; // why it is not valid / not trusted
    std::vector<std::string> warnings;

    // Intact, and nothing forbidden changed after it.
    bool valid() const;
    // Valid, chained to a trust anchor and the certificate valid at the validation time.
    bool trusted() const { return valid() && chain_trusted; }
};

struct VerifyReport {
    std::string file;
    std::uint64_t file_size = 0;
    int revisions = 0;
    std::vector<SignatureReport> signatures;

    bool all_valid_and_trusted() const;
    std::string text() const; // a readable report (English)
    std::string json() const; // the same facts for machines
};

struct VerifyOptions {
    std::vector<std::filesystem::path> trust_anchors; // PEM files (several certificates each)
    std::vector<Bytes> trust_anchors_der;
    std::size_t max_contents = 256 * 1024;              // larger /Contents are refused as hostile
    std::uint64_t max_file_size = 512ull * 1024 * 1024; // larger files are refused before parsing
    std::optional<std::chrono::system_clock::time_point> now;
};

class PadesVerifier {
public:
    explicit PadesVerifier(VerifyOptions options = {});
    // Throws SigningError(IoError) when the file cannot be read, (MalformedPdf) when it is not a
    // PDF we can parse. Damaged signatures are reported, not thrown.
    VerifyReport verify_file(const std::filesystem::path& path) const;
    VerifyReport verify_memory(std::span<const std::uint8_t> pdf,
                               std::string name = "(memory)") const;

private:
    VerifyReport verify(std::span<const std::uint8_t> pdf, std::string name,
                        const std::filesystem::path* file) const;
    VerifyOptions options_;
};

} // namespace ow::signing
