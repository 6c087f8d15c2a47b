#include "ow/core/presenters.h"

#include "ow/core/audit.h"
#include "ow/core/database.h"
#include "ow/core/system_config.h"
#include "ow/core/user_service.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <nlohmann/json.hpp>

namespace ow::core {

// ---------------------------------------------------------------- LoginPresenter

void LoginPresenter::set_user_name(std::string name) {
    // Trim what a clerk may type around the name.
    auto b = name.find_first_not_of(" \t");
    auto e = name.find_last_not_of(" \t");
    user_name_ = b == std::string::npos ? std::string() : name.substr(b, e - b + 1);
}

bool LoginPresenter::can_submit(std::size_t password_length) const {
    return !user_name_.empty() && password_length > 0;
}

bool LoginPresenter::workstation_exists() const {
    return Workstation::exists(data_dir_);
}

std::unique_ptr<Session> LoginPresenter::submit(const SecretString& password) {
    error_ = {};
    if (!workstation_exists()) {
        error_ = {N_("This computer is not set up as a workstation yet. Ask IT to install and "
                     "enrol it."),
                  {}};
        return nullptr;
    }
    try {
        auto session = Workstation::login(data_dir_, user_name_, password);
        failed_attempts_ = 0;
        return session;
    } catch (const CoreError& e) {
        ++failed_attempts_;
        error_ = UiMessage::from(e);
        return nullptr;
    }
}

bool LoginPresenter::replace_reset_password(Session& session, const SecretString& current,
                                            const SecretString& new_password,
                                            const SecretString& again) {
    error_ = {};
    if (new_password.view() != again.view()) {
        error_ = {N_("The two new passwords differ."), {}};
        return false;
    }
    if (new_password.view() == current.view()) {
        error_ = {N_("Choose a password of your own, not the one the administrator gave you."), {}};
        return false;
    }
    try {
        UserService(session).change_password(current, new_password);
        return true;
    } catch (const CoreError& e) {
        error_ = UiMessage::from(e);
        return false;
    }
}

// ---------------------------------------------------------------- ShellPresenter

std::vector<Area> ShellPresenter::areas() const {
    static const std::vector<Area> all = {
        {AreaId::Intake, "intake", N_("Intake"), "F2"},
        {AreaId::Cases, "cases", N_("Cases"), "F3"},
        {AreaId::Approvals, "approvals", N_("Approvals"), ""},
        {AreaId::Licenses, "licenses", N_("Licenses"), ""},
        {AreaId::Sync, "sync", N_("Sync"), "F5"},
        {AreaId::Settings, "settings", N_("Settings"), ""},
    };
    std::vector<Area> visible;
    for (const auto& a : all)
        if (may_open(a.id))
            visible.push_back(a);
    return visible;
}

bool ShellPresenter::may_open(AreaId id) const {
    switch (id) {
    case AreaId::Intake:
        return session_.may(Permission::Intake);
    case AreaId::Cases:
        return session_.may(Permission::ViewCases);
    case AreaId::Approvals:
        return session_.may(Permission::Decide);
    case AreaId::Licenses:
        return session_.may(Permission::RestoreLicense);
    case AreaId::Sync:
        return session_.may(Permission::Sync);
    case AreaId::Settings:
        return true; // own language and password; workstation parts are admin's
    }
    return false;
}

std::string ShellPresenter::role_label(Role role) {
    switch (role) {
    case Role::Clerk:
        return N_("Clerk");
    case Role::Officer:
        return N_("Officer");
    case Role::Admin:
        return N_("Administrator");
    }
    return "";
}

std::string ShellPresenter::user_display_name() const {
    return session_.user().display_name;
}
Role ShellPresenter::role() const {
    return session_.user().role;
}

// ---------------------------------------------------------------- UserSettings

std::optional<std::string> UserSettings::get(const std::string& key) {
    auto st =
        session_.db().prepare("SELECT value FROM user_settings WHERE user_id = ? AND key = ?");
    st.bind(1, session_.user().id).bind(2, key);
    if (!st.step())
        return std::nullopt;
    return st.text(0);
}

void UserSettings::set(const std::string& key, const std::string& value) {
    auto& db = session_.db();
    Transaction tx(db);
    db.prepare("INSERT OR IGNORE INTO user_settings(user_id, key, value) VALUES (?, ?, ?)")
        .bind(1, session_.user().id)
        .bind(2, key)
        .bind(3, value)
        .run();
    db.prepare("UPDATE user_settings SET value = ? WHERE user_id = ? AND key = ?")
        .bind(1, value)
        .bind(2, session_.user().id)
        .bind(3, key)
        .run();
    session_.audit().append(session_.user().name, "settings.change", key);
    tx.commit();
}

// ---------------------------------------------------------------- UiPreferences

std::string UiPreferences::language() const {
    auto known = [](const std::string& lang) {
        for (const auto& [code, label] : languages())
            if (code == lang)
                return true;
        return false;
    };
    try {
        auto j = nlohmann::json::parse(read_file(path_));
        if (j.contains("language")) { // chosen on this workstation, "" = the system language
            auto lang = j.value("language", "");
            return known(lang) ? lang : "";
        }
    } catch (const std::exception&) {
    }
    // Nothing chosen here yet: what IT pre-seeded for every counter PC.
    auto seeded = SystemConfig::installed().get_or("ui.language", "");
    return known(seeded) ? seeded : "";
}

void UiPreferences::set_language(const std::string& language) {
    nlohmann::json j = {{"language", language}};
    ensure_private_dir(path_.parent_path());
    write_file_atomically(path_, j.dump() + "\n");
}

const std::vector<std::pair<std::string, std::string>>& UiPreferences::languages() {
    static const std::vector<std::pair<std::string, std::string>> list = {
        {"", N_("System language")}, {"zh_CN", N_("Chinese (Simplified)")}, {"en", N_("English")}};
    return list;
}

} // namespace ow::core

// ---------------------------------------------------------------- ApplicantLookupPresenter

#include "ow/core/reference_data.h"
#include "ow/forms/identifiers.h"

namespace ow::core {

ApplicantLookupPresenter::Result ApplicantLookupPresenter::look_up(const std::string& input) {
    Result r;
    std::string id = ow::forms::normalize_identifier(input);
    r.identifier = id;
    if (id.empty()) {
        r.severity = Severity::Error;
        r.message = {N_("Type the applicant's ID number or unified social credit code."), {}};
        return r;
    }
    bool looks_like_person =
        (id.size() == 18 || id.size() == 15) &&
        id.substr(0, id.size() - 1).find_first_not_of("0123456789") == std::string::npos;
    ReferenceData ref(session_);
    auto check = ow::forms::check_id_number(id);
    auto uscc_check = ow::forms::check_uscc(id);
    // An 18-digit USCC looks like an ID number: the one whose check passes decides.
    bool person = check.status != ow::forms::CheckStatus::Invalid ||
                  (looks_like_person && uscc_check.status != ow::forms::CheckStatus::Valid);
    if (person) {
        r.kind = Kind::Person;
        if (check.status == ow::forms::CheckStatus::Invalid) {
            r.severity = Severity::Error;
            r.message = {N_("This ID number is not valid: {reason}"), {{"reason", check.message}}};
            return r;
        }
        r.identifier = check.normalized;
        auto p = ref.find_person(check.normalized);
        if (!p) {
            r.severity = Severity::Info;
            r.message = {N_("Valid ID number; this person is not in the cache. Type the details "
                            "in the form."),
                         {}};
            return r;
        }
        r.card = {{N_("Name"), p->name},
                  {N_("ID number"), p->id_number},
                  {N_("Gender"), p->gender == "male" ? N_("male") : N_("female"),
                   Field::Kind::Translated},
                  {N_("Date of birth"), p->birth_date, Field::Kind::Date},
                  {N_("Address"), p->address},
                  {N_("Phone"), p->phone}};
        r.source = N_("population cache");
        r.severity = Severity::Info;
        r.message = {N_("Found in the cache: {name}"), {{"name", p->name}}};
    } else {
        r.kind = Kind::Entity;
        check = uscc_check;
        if (check.status == ow::forms::CheckStatus::Invalid) {
            r.severity = Severity::Error;
            r.message = {N_("This is neither a valid ID number nor a valid unified social credit "
                            "code: {reason}"),
                         {{"reason", check.message}}};
            return r;
        }
        auto e = ref.find_entity(check.normalized);
        if (check.status == ow::forms::CheckStatus::Warning) {
            r.severity = Severity::Warning;
            r.message = {N_("Check this code with the applicant: {reason}"),
                         {{"reason", check.message}}};
        }
        if (!e) {
            if (r.severity == Severity::None) {
                r.severity = Severity::Info;
                r.message = {N_("Valid code; this organisation is not in the cache. Type the "
                                "details in the form."),
                             {}};
            }
            return r;
        }
        r.card = {
            {N_("Name"), e->name},       {N_("Unified social credit code"), e->uscc},
            {N_("Type"), e->kind},       {N_("Legal representative"), e->legal_representative},
            {N_("Address"), e->address}, {N_("Established"), e->established}};
        r.source = N_("legal-entity cache");
        if (r.severity == Severity::None) {
            r.severity = Severity::Info;
            r.message = {N_("Found in the cache: {name}"), {{"name", e->name}}};
        }
    }
    for (const auto& l : ref.licenses_of(r.identifier))
        r.licenses.push_back(l.type_name + "  " + l.license_id);
    return r;
}

} // namespace ow::core
