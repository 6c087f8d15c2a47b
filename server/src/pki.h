// The server's own small PKI (OpenSSL 3): a CA that issues the server's TLS certificate, its TSA
// certificate and the workstations' client certificates (mTLS) at enrolment.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace ow::server {

class PkiError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PkiFiles {
    std::filesystem::path ca_cert, ca_key, server_cert, server_key, tsa_cert, tsa_key;
    static PkiFiles in(const std::filesystem::path& tls_dir);
};

// Creates the CA (EC P-256, 10 years), the server certificate (subjectAltName: `hosts` plus
// localhost and 127.0.0.1) and the TSA certificate. Keys are written with mode 0600.
// Refuses to overwrite existing files.
void create_pki(const PkiFiles& files, const std::vector<std::string>& hosts,
                const std::string& organization);

struct IssuedCertificate {
    std::string pem;
    std::string serial;    // hex
    std::string not_after; // ISO 8601 UTC
};

// Issues a client certificate (CN = common_name, extendedKeyUsage clientAuth) for the key of a
// PEM CSR after checking its signature and key strength (RSA >= 2048, EC P-256/P-384).
IssuedCertificate issue_client_certificate(const PkiFiles& files, const std::string& csr_pem,
                                           const std::string& common_name, int days = 730);

std::string read_text_file(const std::filesystem::path& file);
// Writes atomically (temp, fsync, rename) with the given mode.
void write_text_file(const std::filesystem::path& file, const std::string& text, unsigned mode);

} // namespace ow::server
