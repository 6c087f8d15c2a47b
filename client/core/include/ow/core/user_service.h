// Local users of the workstation. Adding, resetting and listing need the admin role; changing
// one's own password needs the old one. A password change re-wraps the cache key; the database
// itself is never re-encrypted.
#pragma once

#include "ow/core/roles.h"
#include "ow/core/secret.h"

#include <string>
#include <vector>

namespace ow::core {

class Session;

class UserService {
public:
    explicit UserService(Session& session) : session_(session) {}

    User add(const std::string& name, const std::string& display_name, Role role,
             const SecretString& password);
    std::vector<User> list();
    // Own password: the old one must open the key file entry.
    void change_password(const SecretString& old_password, const SecretString& new_password);
    // Admin: sets a new password for another user, who must change it at the next login.
    void reset_password(const std::string& name, const SecretString& new_password);
    // Admin: disable or enable a user. A disabled user's key entry is removed.
    void set_active(const std::string& name, bool active, const SecretString& new_password = {});

private:
    User find(const std::string& name);
    Session& session_;
};

} // namespace ow::core
