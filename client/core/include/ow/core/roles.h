// Roles and what each may do. Enforced by every core service (Session::require), whatever the GUI
// shows or hides.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ow::core {

enum class Role { Clerk, Officer, Admin };

std::string_view to_string(Role role);
Role role_from_string(std::string_view text); // throws CoreError(InvalidArgument)

enum class Permission {
    Intake,         // take in cases at the counter
    ViewCases,      // see cases and their materials
    Decide,         // approve / return / refuse
    Seal,           // sign with the electronic seal
    RestoreLicense, // 证照还原
    Sync,           // run a sync
    ManageUsers,    // add, reset, disable local users
    ImportData,     // import reference data and the catalog
    VerifyAudit,    // check the audit chain
    ChangeSettings, // workstation-wide settings
};

std::string_view to_string(Permission permission);
bool role_allows(Role role, Permission permission);

struct User {
    std::int64_t id = 0;
    std::string name;
    std::string display_name;
    Role role = Role::Clerk;
    bool active = true;
    bool must_change_password = false;
};

} // namespace ow::core
