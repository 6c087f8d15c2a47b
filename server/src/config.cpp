#include "config.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ow::server {

namespace {
std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return "";
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

int to_int(const std::string& v, const std::string& where, int lo, int hi) {
    try {
        std::size_t used = 0;
        int n = std::stoi(v, &used);
        if (used == v.size() && n >= lo && n <= hi)
            return n;
    } catch (const std::exception&) {
    }
    throw std::runtime_error(where + ": expected a number from " + std::to_string(lo) + " to " +
                             std::to_string(hi) + ", got '" + v + "'");
}
} // namespace

ServerConfig ServerConfig::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot read the configuration " + file.string());
    ServerConfig c;
    c.file = file;
    std::string line, section;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string where = file.string() + ":" + std::to_string(number);
        auto hash = line.find('#');
        if (hash != std::string::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty())
            continue;
        if (line.front() == '[') {
            if (line.back() != ']')
                throw std::runtime_error(where + ": bad section header");
            section = trim(line.substr(1, line.size() - 2));
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos)
            throw std::runtime_error(where + ": expected 'key = value'");
        std::string key = section + "." + trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        if (key == "listen.address")
            c.address = value;
        else if (key == "listen.port")
            c.port = to_int(value, where, 0, 65535);
        else if (key == "listen.certificate")
            c.certificate = value;
        else if (key == "listen.key")
            c.key = value;
        else if (key == "listen.client_ca")
            c.client_ca = value;
        else if (key == "listen.trusted_proxy_sha256") {
            std::string item;
            std::istringstream list(value);
            while (std::getline(list, item, ',')) {
                std::string hex;
                for (char ch : trim(item))
                    if (ch != ':')
                        hex.push_back(
                            static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
                if (hex.size() != 64 ||
                    hex.find_first_not_of("0123456789abcdef") != std::string::npos)
                    throw std::runtime_error(where + ": trusted_proxy_sha256 takes SHA-256 "
                                                     "fingerprints (64 hex digits)");
                c.trusted_proxies.insert(hex);
            }
        } else if (key == "listen.threads")
            c.threads = to_int(value, where, 1, 256);
        else if (key == "tsa.certificate")
            c.tsa_certificate = value;
        else if (key == "tsa.key")
            c.tsa_key = value;
        else if (key == "ca.key")
            c.ca_key = value;
        else if (key == "storage.state_dir")
            c.state_dir = value;
        else if (key == "storage.database")
            c.database = value;
        else if (key == "log.level")
            c.log_level = value;
        else if (key == "log.file")
            c.log_file = value;
        else if (key == "log.max_size_mb")
            c.log_max_size_mb = to_int(value, where, 1, 4096);
        else if (key == "log.files")
            c.log_files = to_int(value, where, 1, 100);
        else
            throw std::runtime_error(where + ": unknown setting '" + key + "'");
    }
    if (c.database != "sqlite")
        throw std::runtime_error(file.string() +
                                 ": storage.database: only 'sqlite' is supported by this version");
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warning" &&
        c.log_level != "error")
        throw std::runtime_error(file.string() +
                                 ": log.level must be debug, info, warning or error");
    auto tls = c.tls_dir();
    if (c.certificate.empty())
        c.certificate = tls / "server.crt";
    if (c.key.empty())
        c.key = tls / "server.key";
    if (c.client_ca.empty())
        c.client_ca = tls / "ca.crt";
    if (c.ca_key.empty())
        c.ca_key = tls / "ca.key";
    if (c.tsa_certificate.empty())
        c.tsa_certificate = tls / "tsa.crt";
    if (c.tsa_key.empty())
        c.tsa_key = tls / "tsa.key";
    if (c.log_file.empty())
        c.log_file = c.state_dir / "log" / "server.log";
    return c;
}

std::string ServerConfig::render() const {
    std::ostringstream o;
    o << "# onewindow-server configuration, written by `onewindow-server init`.\n"
      << "# TLS material (CA, server, TSA keys and certificates) is in " << tls_dir().string()
      << ".\n\n"
      << "[listen]\naddress = " << address << "\nport = " << port << "\nthreads = " << threads
      << "\n\n[storage]\nstate_dir = " << state_dir.string() << "\ndatabase = " << database
      << "\n\n[log]\nlevel = " << log_level
      << "\n# file = " << (state_dir / "log" / "server.log").string()
      << "\nmax_size_mb = " << log_max_size_mb << "\nfiles = " << log_files << "\n";
    return o.str();
}

} // namespace ow::server
