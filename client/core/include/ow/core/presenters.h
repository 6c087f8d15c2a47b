// Presentation state of the workstation's screens, wx-free so it is unit-tested without a display
// (Poedit's UI/logic split). Widgets in client/app bind to these and hold no logic of their own.
// Every text here is an English gettext msgid (marked N_); the GUI translates it when it shows it.
#pragma once

#include "ow/core/error.h"
#include "ow/core/roles.h"
#include "ow/core/secret.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ow::core {

class Session;

// A message for people: a template (msgid) and its arguments, translated by the GUI.
struct UiMessage {
    std::string message_template;
    CoreError::Arguments arguments;
    bool empty() const { return message_template.empty(); }
    static UiMessage from(const CoreError& e) { return {e.message_template(), e.arguments()}; }
};

class LoginPresenter {
public:
    explicit LoginPresenter(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

    void set_user_name(std::string name);
    const std::string& user_name() const { return user_name_; }
    // The button is enabled once a user name and a password are typed.
    bool can_submit(std::size_t password_length) const;
    // Tries to log in. On success returns the session; otherwise error() says why.
    std::unique_ptr<Session> submit(const SecretString& password);
    const UiMessage& error() const { return error_; }
    int failed_attempts() const { return failed_attempts_; }
    // False when the data dir holds no workstation (the dialog says so and how to set one up).
    bool workstation_exists() const;
    // After a login with a password an admin reset (the session's user must change it): the
    // user's own one, typed twice. False with error() set when they differ or the policy refuses.
    bool replace_reset_password(Session& session, const SecretString& current,
                                const SecretString& new_password, const SecretString& again);

private:
    std::filesystem::path data_dir_;
    std::string user_name_;
    UiMessage error_;
    int failed_attempts_ = 0;
};

enum class AreaId { Intake, Cases, Approvals, Licenses, Sync, Settings };

struct Area {
    AreaId id;
    std::string key;      // stable name, used for widget names and tests: "intake", …
    std::string label;    // msgid: "Intake"
    std::string shortcut; // e.g. "F2"
};

// The main frame: which areas the role may use, the status bar, the window title.
class ShellPresenter {
public:
    explicit ShellPresenter(Session& session) : session_(session) {}

    std::vector<Area> areas() const;
    bool may_open(AreaId id) const;
    static std::string role_label(Role role); // msgid: "Clerk", "Officer", "Administrator"
    std::string user_display_name() const;
    Role role() const;

private:
    Session& session_;
};

// Per-user settings kept in the encrypted cache (language, window geometry …).
class UserSettings {
public:
    explicit UserSettings(Session& session) : session_(session) {}
    std::optional<std::string> get(const std::string& key);
    void set(const std::string& key, const std::string& value);

private:
    Session& session_;
};

// Workstation-wide UI preferences that are needed before anyone logs in (the login dialog's
// language). Not personal: kept in a small plain file in the data dir.
class UiPreferences {
public:
    explicit UiPreferences(std::filesystem::path data_dir) : path_(data_dir / "ui.json") {}
    std::string language() const; // "" = follow the system locale
    void set_language(const std::string& language);
    static const std::vector<std::pair<std::string, std::string>>& languages(); // code, msgid

private:
    std::filesystem::path path_;
};

} // namespace ow::core

namespace ow::core {

// The first intake step: one field takes an ID number or a USCC; the type is recognised, the
// identifier checked, and a match in the cache fills the applicant card.
class ApplicantLookupPresenter {
public:
    explicit ApplicantLookupPresenter(Session& session) : session_(session) {}

    enum class Kind { None, Person, Entity };
    enum class Severity { None, Info, Warning, Error };
    struct Field {
        enum class Kind { Text, Translated, Date }; // Translated: value is a msgid; Date: ISO
        std::string label;                          // msgid
        std::string value;
        Kind kind = Kind::Text;
    };
    struct Result {
        Kind kind = Kind::None;
        std::string identifier; // normalised
        Severity severity = Severity::None;
        UiMessage message;                 // what the check or the lookup found
        std::vector<Field> card;           // the applicant card, empty when not in the cache
        std::string source;                // msgid of where the card came from
        std::vector<std::string> licenses; // "营业执照 1.2.156…" lines
    };

    Result look_up(const std::string& input);

private:
    Session& session_;
};

} // namespace ow::core
