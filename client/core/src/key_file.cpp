#include "ow/core/key_file.h"

#include "ow/core/error.h"
#include "ow/core/util.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ow::core {

namespace {
constexpr const char* kAadPrefix = "onewindow-keyfile-v1:";

std::string lowercase_ascii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

[[noreturn]] void corrupt(const std::string& why) {
    throw CoreError(ErrorCode::CacheCorrupt,
                    N_("The workstation key file is damaged ({detail}). Restore it from a backup "
                       "or ask IT to re-enrol the workstation."),
                    {{"detail", why}});
}
} // namespace

KeyFile KeyFile::create(double kdf_target_ms) {
    KeyFile kf;
    kf.workstation_id_ = new_uuid();
    // A short code used in case numbers until the server assigns one at enrolment.
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    auto random = crypto::random_bytes(4);
    for (unsigned char b : random)
        kf.workstation_code_ += alphabet[b % 32];
    kf.name_salt_ = crypto::to_hex(crypto::random_bytes(16));
    kf.kdf_ = crypto::calibrate_kdf(kdf_target_ms);
    return kf;
}

std::string KeyFile::entry_id(std::string_view user_name) const {
    return crypto::sha256_hex(name_salt_ + ":" + lowercase_ascii(user_name));
}

void KeyFile::wrap_for(std::string_view user_name, std::string_view password,
                       const SecretBytes& data_key) {
    Entry entry;
    entry.kdf = kdf_;
    entry.kdf.salt = crypto::random_bytes(16);
    SecretBytes wrapping = crypto::derive_key(password, entry.kdf);
    std::string id = entry_id(user_name);
    entry.sealed = crypto::seal(wrapping, data_key.data(), data_key.size(), kAadPrefix + id);
    entries_[id] = std::move(entry);
}

SecretBytes KeyFile::unwrap_for(std::string_view user_name, std::string_view password) const {
    std::string id = entry_id(user_name);
    auto it = entries_.find(id);
    auto wrong = [&] {
        return CoreError(ErrorCode::WrongPassword,
                         N_("The user name or password is wrong. Check the keyboard layout and "
                            "Caps Lock, then try again."));
    };
    if (it == entries_.end()) {
        // Spend the same time as a real attempt, so timing does not tell which names exist.
        (void)crypto::derive_key(password, kdf_);
        throw wrong();
    }
    SecretBytes wrapping = crypto::derive_key(password, it->second.kdf);
    try {
        SecretBytes key = crypto::open(wrapping, it->second.sealed, kAadPrefix + id);
        if (key.size() != 32)
            corrupt("wrapped key has the wrong size");
        return key;
    } catch (const CoreError& e) {
        if (e.code() == ErrorCode::Crypto)
            throw wrong();
        throw;
    }
}

bool KeyFile::has_entry(std::string_view user_name) const {
    return entries_.count(entry_id(user_name)) != 0;
}

void KeyFile::remove(std::string_view user_name) {
    entries_.erase(entry_id(user_name));
}

void KeyFile::save(const std::filesystem::path& path) const {
    nlohmann::json j;
    j["format"] = kFormat;
    j["workstation_id"] = workstation_id_;
    j["workstation_code"] = workstation_code_;
    j["name_salt"] = name_salt_;
    j["cipher"] = {{"library", "sqlcipher"}, {"page_size", cipher_.page_size}, {"raw_key", true}};
    j["kdf"] = {{"algorithm", kdf_.algorithm}, {"n", kdf_.n}, {"r", kdf_.r}, {"p", kdf_.p}};
    auto& users = j["users"] = nlohmann::json::object();
    for (const auto& [id, e] : entries_) {
        users[id] = {{"kdf",
                      {{"algorithm", e.kdf.algorithm},
                       {"n", e.kdf.n},
                       {"r", e.kdf.r},
                       {"p", e.kdf.p},
                       {"salt", crypto::base64_encode(e.kdf.salt)}}},
                     {"wrapped_key", crypto::base64_encode(e.sealed)}};
    }
    write_file_atomically(path, j.dump(2) + "\n");
}

KeyFile KeyFile::load(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw CoreError(ErrorCode::NotInitialised,
                        N_("No workstation is set up in {dir}. Run 'onewindow-cli init' or ask IT "
                           "to install the workstation."),
                        {{"dir", path.parent_path().string()}});
    KeyFile kf;
    try {
        auto j = nlohmann::json::parse(read_file(path));
        if (j.at("format").get<int>() != kFormat)
            corrupt("unknown format " + j.at("format").dump());
        kf.workstation_id_ = j.at("workstation_id").get<std::string>();
        kf.workstation_code_ = j.at("workstation_code").get<std::string>();
        kf.name_salt_ = j.at("name_salt").get<std::string>();
        kf.cipher_.page_size = j.at("cipher").at("page_size").get<int>();
        const auto& kdf = j.at("kdf");
        kf.kdf_.algorithm = kdf.at("algorithm").get<std::string>();
        kf.kdf_.n = kdf.at("n").get<std::uint64_t>();
        kf.kdf_.r = kdf.at("r").get<std::uint32_t>();
        kf.kdf_.p = kdf.at("p").get<std::uint32_t>();
        kf.kdf_.salt = crypto::random_bytes(16); // for the constant-time dummy derivation
        for (const auto& [id, e] : j.at("users").items()) {
            Entry entry;
            const auto& ek = e.at("kdf");
            entry.kdf.algorithm = ek.at("algorithm").get<std::string>();
            entry.kdf.n = ek.at("n").get<std::uint64_t>();
            entry.kdf.r = ek.at("r").get<std::uint32_t>();
            entry.kdf.p = ek.at("p").get<std::uint32_t>();
            entry.kdf.salt = crypto::base64_decode(ek.at("salt").get<std::string>());
            entry.sealed = crypto::base64_decode(e.at("wrapped_key").get<std::string>());
            kf.entries_.emplace(id, std::move(entry));
        }
    } catch (const nlohmann::json::exception& e) {
        corrupt(e.what());
    } catch (const CoreError& e) {
        if (e.code() == ErrorCode::InvalidArgument)
            corrupt(e.what());
        throw;
    }
    if (kf.cipher_.page_size != 1024 && kf.cipher_.page_size != 4096)
        corrupt("unsupported page size");
    return kf;
}

} // namespace ow::core
