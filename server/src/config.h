// The server's configuration file: `key = value` lines in [sections], '#' comments (the format of
// installer/debian/server.conf). Unset paths default to places below state_dir.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace ow::server {

struct ServerConfig {
    std::filesystem::path file; // where it was read from
    std::string address = "127.0.0.1";
    int port = 8443;
    std::filesystem::path certificate, key, client_ca; // default: state_dir/tls/...
    std::filesystem::path tsa_certificate, tsa_key, ca_key;
    std::filesystem::path state_dir = "/var/lib/onewindow-server";
    std::string database = "sqlite";
    std::string log_level = "info";
    std::filesystem::path log_file; // default: state_dir/log/server.log
    int log_max_size_mb = 10;
    int log_files = 5;
    int threads = 16;
    // SHA-256 fingerprints (lowercase hex) of the client certificates of trusted TLS-terminating
    // proxies: for their requests the workstation is the certificate they forward in
    // X-Client-Cert (URL-encoded PEM), verified against client_ca. Empty: no proxy is trusted.
    std::set<std::string> trusted_proxies;

    std::filesystem::path tls_dir() const { return state_dir / "tls"; }
    std::filesystem::path database_file() const { return state_dir / "server.db"; }
    std::filesystem::path blob_dir() const { return state_dir / "blobs"; }

    // Throws std::runtime_error naming the line.
    static ServerConfig load(const std::filesystem::path& file);
    std::string render() const; // a config file with these values
};

} // namespace ow::server
