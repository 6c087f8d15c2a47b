// The workstation's system-wide configuration, /etc/onewindow/onewindow.conf, which IT pre-seeds
// on every counter PC (docs/deployment.md): the server, the smart-card module, the scanner, the
// language. `key = value` lines in [sections]; '#' starts a comment. Values set here are the
// defaults; a user's own settings (in the encrypted cache) come first where a screen offers them.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class SystemConfig {
public:
    // The file of this installation: $OW_SYSTEM_CONFIG when set, else
    // <sysconfdir>/onewindow/onewindow.conf.
    static std::filesystem::path default_path();
    // Reads `path`; a missing file is an empty configuration (nothing pre-seeded). Unknown
    // sections or keys and malformed lines are kept as problems(), never fatal: a typo in one line
    // must not stop a counter.
    static SystemConfig load(const std::filesystem::path& path);
    static SystemConfig parse(const std::string& text, const std::string& source);
    // The installation's configuration, read once per process.
    static const SystemConfig& installed();

    const std::filesystem::path& path() const { return path_; }
    bool exists() const { return exists_; }
    std::size_t size() const { return values_.size(); }
    // "section.key", e.g. get("server.url").
    std::optional<std::string> get(const std::string& key) const;
    std::string get_or(const std::string& key, const std::string& fallback) const;
    int get_int(const std::string& key, int fallback) const;
    const std::vector<std::string>& problems() const { return problems_; }

    // The keys this version understands, with their meaning (for doctor and the docs).
    static const std::map<std::string, std::string>& known_keys();

private:
    std::filesystem::path path_;
    bool exists_ = false;
    std::map<std::string, std::string> values_;
    std::vector<std::string> problems_;
};

} // namespace ow::core
