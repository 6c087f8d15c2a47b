// The workstation key file: the cache's random data key, wrapped (AES-256-GCM) once per local user
// under a key derived from that user's password (scrypt, cost calibrated on this machine), plus the
// cipher settings the database needs at every open. Written atomically; mode 0600.
//
// Entries are found by a salted hash of the user name, so the file does not list who works here.
#pragma once

#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/secret.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace ow::core {

class KeyFile {
public:
    static constexpr int kFormat = 1;

    // A new key file for a new workstation (nothing written yet).
    static KeyFile create(double kdf_target_ms);
    static KeyFile load(const std::filesystem::path& path); // throws NotInitialised / CacheCorrupt
    void save(const std::filesystem::path& path) const;

    // Wraps `data_key` for the user under a key derived from `password`; replaces an existing
    // entry for the same user.
    void wrap_for(std::string_view user_name, std::string_view password,
                  const SecretBytes& data_key);
    // Unwraps the data key; throws WrongPassword when the password does not open the entry (or the
    // user has none).
    SecretBytes unwrap_for(std::string_view user_name, std::string_view password) const;
    bool has_entry(std::string_view user_name) const;
    void remove(std::string_view user_name);

    const std::string& workstation_id() const { return workstation_id_; }
    const std::string& workstation_code() const { return workstation_code_; }
    const CipherSettings& cipher() const { return cipher_; }
    const crypto::KdfParams& kdf_template() const { return kdf_; }

private:
    struct Entry {
        crypto::KdfParams kdf;
        crypto::Bytes sealed;
    };
    std::string entry_id(std::string_view user_name) const;

    std::string workstation_id_;
    std::string workstation_code_;
    std::string name_salt_;
    CipherSettings cipher_;
    crypto::KdfParams kdf_;
    std::map<std::string, Entry> entries_;
};

} // namespace ow::core
