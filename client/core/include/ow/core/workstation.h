// A workstation is a data directory holding the key file and the encrypted cache. Logging in
// (offline) = unwrapping the cache key with the user's password; the result is a Session, which
// every core service takes and checks for the role it needs.
#pragma once

#include "ow/core/audit.h"
#include "ow/core/database.h"
#include "ow/core/reference_source.h"
#include "ow/core/roles.h"
#include "ow/core/secret.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace ow::core {

class KeyFile;

struct WorkstationPaths {
    std::filesystem::path dir;
    std::filesystem::path key_file() const { return dir / "workstation.keys"; }
    std::filesystem::path database() const { return dir / "cache.db"; }
    std::filesystem::path logs() const { return dir / "logs"; }
};

struct InitOptions {
    std::string admin_name;
    std::string admin_display_name;
    // Minimum time one password derivation takes here; the issue requires ≥ 100 ms.
    double kdf_target_ms = 150.0;
};

class Session {
public:
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const User& user() const { return user_; }
    Database& db() { return db_; }
    AuditLog& audit() { return audit_; }
    const WorkstationPaths& paths() const { return paths_; }
    const std::string& workstation_id() const;
    const std::string& workstation_code() const;
    // The catalog and holiday calendar in force (synced from the server, else the shipped ones).
    ReferenceSource& reference() { return reference_; }

    // Throws CoreError(PermissionDenied) unless the user's role allows it — and for everything
    // while the user must replace a password an admin reset (UserService::change_password).
    void require(Permission permission) const;
    bool may(Permission permission) const {
        return !user_.must_change_password && role_allows(user_.role, permission);
    }

    // The key file, for services that re-wrap the data key (user administration).
    KeyFile& key_file() { return *key_file_; }
    const SecretBytes& data_key() const { return data_key_; }

private:
    friend class Workstation;
    friend class UserService; // clears must_change_password once the user chose a password
    Session(WorkstationPaths paths, std::unique_ptr<KeyFile> key_file, SecretBytes data_key,
            Database db, User user);

    WorkstationPaths paths_;
    std::unique_ptr<KeyFile> key_file_;
    SecretBytes data_key_;
    Database db_;
    AuditLog audit_;
    User user_;
    ReferenceSource reference_;
};

class Workstation {
public:
    // Creates a new workstation: key file, encrypted cache at the latest schema, the first admin.
    // Refuses when one already exists in the directory.
    static void initialise(const std::filesystem::path& dir, const InitOptions& options,
                           const SecretString& admin_password);
    // Offline login. Throws WrongPassword, NotInitialised, CacheRefused, CacheCorrupt.
    static std::unique_ptr<Session> login(const std::filesystem::path& dir,
                                          std::string_view user_name, const SecretString& password);
    static bool exists(const std::filesystem::path& dir);
};

// Password rules for local users: at least 8 characters, not the user name.
void check_password_policy(std::string_view user_name, std::string_view password);

} // namespace ow::core
