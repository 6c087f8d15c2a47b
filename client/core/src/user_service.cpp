#include "ow/core/user_service.h"

#include "ow/core/error.h"
#include "ow/core/key_file.h"
#include "ow/core/log.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

namespace ow::core {

User UserService::find(const std::string& name) {
    auto st = session_.db().prepare("SELECT id, name, display_name, role, active, "
                                    "must_change_password FROM users WHERE name = ?");
    st.bind(1, name);
    if (!st.step())
        throw CoreError(ErrorCode::NotFound, N_("There is no user named '{name}'."),
                        {{"name", name}});
    return {st.int64(0),      st.text(1),      st.text(2), role_from_string(st.text(3)),
            st.int64(4) != 0, st.int64(5) != 0};
}

User UserService::add(const std::string& name, const std::string& display_name, Role role,
                      const SecretString& password) {
    session_.require(Permission::ManageUsers);
    check_password_policy(name, password.view());
    auto& db = session_.db();
    Transaction tx(db);
    {
        auto st = db.prepare("SELECT 1 FROM users WHERE name = ?");
        st.bind(1, name);
        if (st.step())
            throw CoreError(ErrorCode::AlreadyExists, N_("A user named '{name}' already exists."),
                            {{"name", name}});
    }
    // Validates the name the same way as at initialisation.
    if (name.empty() || name.size() > 64 ||
        name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("A user name has 1 to 64 letters, digits, '.', '_' or '-'."));
    db.prepare("INSERT INTO users(name, display_name, role, created_at) VALUES (?, ?, ?, ?)")
        .bind(1, name)
        .bind(2, display_name.empty() ? name : display_name)
        .bind(3, to_string(role))
        .bind(4, now_utc_iso())
        .run();
    session_.audit().append(session_.user().name, "user.add", name,
                            std::string("{\"role\":\"") + std::string(to_string(role)) + "\"}");
    session_.key_file().wrap_for(name, password.view(), session_.data_key());
    session_.key_file().save(session_.paths().key_file());
    tx.commit();
    log::info("user added: {} role={}", name, to_string(role));
    return find(name);
}

std::vector<User> UserService::list() {
    session_.require(Permission::ManageUsers);
    std::vector<User> users;
    auto st = session_.db().prepare("SELECT id, name, display_name, role, active, "
                                    "must_change_password FROM users ORDER BY name");
    while (st.step())
        users.push_back({st.int64(0), st.text(1), st.text(2), role_from_string(st.text(3)),
                         st.int64(4) != 0, st.int64(5) != 0});
    return users;
}

void UserService::change_password(const SecretString& old_password,
                                  const SecretString& new_password) {
    const std::string& name = session_.user().name;
    // Proves the old password; throws WrongPassword otherwise.
    (void)session_.key_file().unwrap_for(name, old_password.view());
    check_password_policy(name, new_password.view());
    auto& db = session_.db();
    Transaction tx(db);
    db.prepare("UPDATE users SET must_change_password = 0 WHERE name = ?").bind(1, name).run();
    session_.audit().append(name, "user.passwd", name);
    session_.key_file().wrap_for(name, new_password.view(), session_.data_key());
    session_.key_file().save(session_.paths().key_file());
    tx.commit();
    session_.user_.must_change_password = false;
    log::info("password changed: {}", name);
}

void UserService::reset_password(const std::string& name, const SecretString& new_password) {
    session_.require(Permission::ManageUsers);
    User user = find(name);
    if (!user.active) // a reset must not bring a disabled user back behind the admin's back
        throw CoreError(ErrorCode::Conflict,
                        N_("{name} is disabled: enable the user with a new password instead."),
                        {{"name", name}});
    check_password_policy(name, new_password.view());
    auto& db = session_.db();
    Transaction tx(db);
    db.prepare("UPDATE users SET must_change_password = 1 WHERE id = ?").bind(1, user.id).run();
    session_.audit().append(session_.user().name, "user.reset", name);
    session_.key_file().wrap_for(name, new_password.view(), session_.data_key());
    session_.key_file().save(session_.paths().key_file());
    tx.commit();
    log::info("password reset by {}: {}", session_.user().name, name);
}

void UserService::set_active(const std::string& name, bool active,
                             const SecretString& new_password) {
    session_.require(Permission::ManageUsers);
    User user = find(name);
    if (name == session_.user().name && !active)
        throw CoreError(ErrorCode::InvalidArgument, N_("You cannot disable your own account."));
    if (active)
        check_password_policy(name, new_password.view());
    auto& db = session_.db();
    Transaction tx(db);
    // Enabled with a password the admin chose: the user must replace it at the next login.
    db.prepare("UPDATE users SET active = ?, must_change_password = ? WHERE id = ?")
        .bind(1, active ? 1 : 0)
        .bind(2, active ? 1 : (user.must_change_password ? 1 : 0))
        .bind(3, user.id)
        .run();
    session_.audit().append(session_.user().name, active ? "user.enable" : "user.disable", name);
    if (active)
        session_.key_file().wrap_for(name, new_password.view(), session_.data_key());
    else
        session_.key_file().remove(name);
    session_.key_file().save(session_.paths().key_file());
    tx.commit();
}

} // namespace ow::core
