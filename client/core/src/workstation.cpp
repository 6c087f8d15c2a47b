#include "ow/core/workstation.h"

#include "ow/core/error.h"
#include "ow/core/key_file.h"
#include "ow/core/log.h"
#include "ow/core/schema.h"
#include "ow/core/util.h"

namespace ow::core {

Session::Session(WorkstationPaths paths, std::unique_ptr<KeyFile> key_file, SecretBytes data_key,
                 Database db, User user)
    : paths_(std::move(paths)), key_file_(std::move(key_file)), data_key_(std::move(data_key)),
      db_(std::move(db)), audit_(db_), user_(std::move(user)), reference_(db_) {}

Session::~Session() = default;

const std::string& Session::workstation_id() const {
    return key_file_->workstation_id();
}
const std::string& Session::workstation_code() const {
    return key_file_->workstation_code();
}

void Session::require(Permission permission) const {
    if (user_.must_change_password)
        throw CoreError(ErrorCode::PermissionDenied,
                        N_("An administrator reset your password: choose your own before "
                           "anything else (Settings, or onewindow-cli user passwd)."));
    if (!role_allows(user_.role, permission))
        throw CoreError(ErrorCode::PermissionDenied,
                        N_("Your role ({role}) may not do this ({permission})."),
                        {{"role", std::string(to_string(user_.role))},
                         {"permission", std::string(to_string(permission))}});
}

void check_password_policy(std::string_view user_name, std::string_view password) {
    if (password.size() < 8)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The password must have at least 8 characters."));
    if (password == user_name)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The password must not be the same as the user name."));
}

namespace {
void check_user_name(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 64;
    for (char c : name)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-');
    if (!ok)
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("A user name has 1 to 64 letters, digits, '.', '_' or '-'."));
}
} // namespace

bool Workstation::exists(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::exists(WorkstationPaths{dir}.key_file(), ec);
}

void Workstation::initialise(const std::filesystem::path& dir, const InitOptions& options,
                             const SecretString& admin_password) {
    check_user_name(options.admin_name);
    check_password_policy(options.admin_name, admin_password.view());
    WorkstationPaths paths{dir};
    ensure_private_dir(dir);
    std::error_code ec;
    if (std::filesystem::exists(paths.key_file(), ec) ||
        std::filesystem::exists(paths.database(), ec))
        throw CoreError(ErrorCode::AlreadyExists,
                        N_("A workstation already exists in {dir}; it is not overwritten."),
                        {{"dir", dir.string()}});
    KeyFile key_file = KeyFile::create(options.kdf_target_ms);
    SecretBytes data_key = SecretBytes::random(32);
    Database db =
        Database::open(paths.database(), data_key, Database::Mode::CreateNew, key_file.cipher());
    migrate(db);
    {
        Transaction tx(db);
        auto now = now_utc_iso();
        db.prepare("INSERT INTO meta(key, value) VALUES ('workstation_id', ?), "
                   "('workstation_code', ?), ('created_at', ?)")
            .bind(1, key_file.workstation_id())
            .bind(2, key_file.workstation_code())
            .bind(3, now)
            .run();
        db.prepare(
              "INSERT INTO users(name, display_name, role, created_at) VALUES (?, ?, 'admin', ?)")
            .bind(1, options.admin_name)
            .bind(2, options.admin_display_name.empty() ? options.admin_name
                                                        : options.admin_display_name)
            .bind(3, now)
            .run();
        AuditLog(db).append(options.admin_name, "workstation.init", key_file.workstation_id());
        key_file.wrap_for(options.admin_name, admin_password.view(), data_key);
        key_file.save(paths.key_file());
        tx.commit();
    }
    log::info("workstation initialised: id={} schema={}", key_file.workstation_id(),
              latest_schema_version());
}

std::unique_ptr<Session> Workstation::login(const std::filesystem::path& dir,
                                            std::string_view user_name,
                                            const SecretString& password) {
    WorkstationPaths paths{dir};
    auto key_file = std::make_unique<KeyFile>(KeyFile::load(paths.key_file()));
    SecretBytes data_key;
    try {
        data_key = key_file->unwrap_for(user_name, password.view());
    } catch (const CoreError& e) {
        if (e.code() == ErrorCode::WrongPassword)
            log::warn("login failed: wrong user name or password");
        throw;
    }
    Database db = Database::open(paths.database(), data_key, Database::Mode::OpenExisting,
                                 key_file->cipher());
    migrate(db);
    User user;
    {
        auto st = db.prepare("SELECT id, name, display_name, role, active, must_change_password "
                             "FROM users WHERE name = ?");
        st.bind(1, user_name);
        if (!st.step())
            throw CoreError(ErrorCode::WrongPassword,
                            N_("The user name or password is wrong. Check the keyboard layout "
                               "and Caps Lock, then try again."));
        user = {st.int64(0),      st.text(1),      st.text(2), role_from_string(st.text(3)),
                st.int64(4) != 0, st.int64(5) != 0};
    }
    if (!user.active)
        throw CoreError(ErrorCode::WrongPassword,
                        N_("This user account is disabled. Ask an administrator."));
    {
        Transaction tx(db);
        AuditLog(db).append(user.name, "user.login", user.name);
        tx.commit();
    }
    log::info("login: user={} role={}", user.name, to_string(user.role));
    return std::unique_ptr<Session>(
        new Session(paths, std::move(key_file), std::move(data_key), std::move(db), user));
}

} // namespace ow::core
