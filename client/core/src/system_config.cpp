#include "ow/core/system_config.h"

#include "ow/core/util.h"

#include <cstdlib>
#include <sstream>

namespace ow::core {
const std::map<std::string, std::string>& SystemConfig::known_keys() {
    static const std::map<std::string, std::string> keys = {
        {"server.url", "base URL of the service-center server"},
        {"server.ca_bundle", "PEM bundle of the CA the server certificate must chain to"},
        {"server.pin_sha256", "SHA-256 pin of the server's public key"},
        {"server.timeout", "seconds to connect, and a transfer's longest stall (1-300)"},
        {"server.chunk_kib", "blob upload chunk in KiB (64-16384; smaller on flaky links)"},
        {"signing.pkcs11_module", "PKCS#11 module of the seal cards"},
        {"signing.tsa_url", "RFC 3161 time-stamping authority"},
        {"devices.card_reader", "PC/SC reader to use"},
        {"devices.scanner", "SANE device of the document scanner"},
        {"devices.scan_dpi", "default scan resolution"},
        {"devices.scan_mode", "default scan mode"},
        {"ui.language", "interface language"},
    };
    return keys;
}

std::filesystem::path SystemConfig::default_path() {
    if (const char* env = std::getenv("OW_SYSTEM_CONFIG"); env && *env)
        return env;
    return std::filesystem::path(OW_SYSCONFDIR) / "onewindow" / "onewindow.conf";
}

SystemConfig SystemConfig::parse(const std::string& text, const std::string& source) {
    SystemConfig config;
    config.path_ = source;
    config.exists_ = true;
    std::istringstream lines(text);
    std::string section;
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
        ++number;
        const auto hash = line.find('#');
        line = trim_whitespace(hash == std::string::npos ? line : line.substr(0, hash));
        if (line.empty())
            continue;
        const std::string where = source + ":" + std::to_string(number) + ": ";
        if (line.front() == '[') {
            if (line.back() != ']') {
                config.problems_.push_back(where + "a section header needs a closing ']'");
                continue;
            }
            section = trim_whitespace(line.substr(1, line.size() - 2));
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) {
            config.problems_.push_back(where + "expected `key = value`");
            continue;
        }
        const std::string key = section + "." + trim_whitespace(line.substr(0, eq));
        if (!known_keys().count(key)) {
            config.problems_.push_back(where + "unknown setting '" + key + "' (ignored)");
            continue;
        }
        config.values_[key] = trim_whitespace(line.substr(eq + 1));
    }
    return config;
}

SystemConfig SystemConfig::load(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        SystemConfig config;
        config.path_ = path;
        return config;
    }
    try {
        return parse(read_file(path), path.string());
    } catch (const std::exception& e) {
        SystemConfig config;
        config.path_ = path;
        config.exists_ = true;
        config.problems_.push_back(path.string() + ": cannot be read (" + e.what() + ")");
        return config;
    }
}

const SystemConfig& SystemConfig::installed() {
    static const SystemConfig config = load(default_path());
    return config;
}

std::optional<std::string> SystemConfig::get(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end() || it->second.empty())
        return std::nullopt;
    return it->second;
}

std::string SystemConfig::get_or(const std::string& key, const std::string& fallback) const {
    return get(key).value_or(fallback);
}

int SystemConfig::get_int(const std::string& key, int fallback) const {
    const auto value = get(key);
    if (!value)
        return fallback;
    try {
        std::size_t used = 0;
        const int n = std::stoi(*value, &used);
        return used == value->size() ? n : fallback;
    } catch (const std::exception&) {
        return fallback;
    }
}

} // namespace ow::core
