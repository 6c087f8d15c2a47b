#include "ow/core/roles.h"

#include "ow/core/error.h"

namespace ow::core {

std::string_view to_string(Role role) {
    switch (role) {
    case Role::Clerk:
        return "clerk";
    case Role::Officer:
        return "officer";
    case Role::Admin:
        return "admin";
    }
    return "clerk";
}

Role role_from_string(std::string_view text) {
    if (text == "clerk")
        return Role::Clerk;
    if (text == "officer")
        return Role::Officer;
    if (text == "admin")
        return Role::Admin;
    throw CoreError(ErrorCode::InvalidArgument,
                    N_("Unknown role '{role}'; use clerk, officer or admin."),
                    {{"role", std::string(text)}});
}

std::string_view to_string(Permission permission) {
    switch (permission) {
    case Permission::Intake:
        return "intake";
    case Permission::ViewCases:
        return "view-cases";
    case Permission::Decide:
        return "decide";
    case Permission::Seal:
        return "seal";
    case Permission::RestoreLicense:
        return "restore-license";
    case Permission::Sync:
        return "sync";
    case Permission::ManageUsers:
        return "manage-users";
    case Permission::ImportData:
        return "import-data";
    case Permission::VerifyAudit:
        return "verify-audit";
    case Permission::ChangeSettings:
        return "change-settings";
    }
    return "unknown";
}

bool role_allows(Role role, Permission permission) {
    switch (permission) {
    case Permission::Intake:
    case Permission::RestoreLicense:
        return role == Role::Clerk;
    case Permission::ViewCases:
        return role == Role::Clerk || role == Role::Officer;
    case Permission::Decide:
    case Permission::Seal:
        return role == Role::Officer;
    case Permission::Sync:
        return true;
    case Permission::ManageUsers:
    case Permission::ImportData:
    case Permission::VerifyAudit:
    case Permission::ChangeSettings:
        return role == Role::Admin;
    }
    return false;
}

} // namespace ow::core
