// The append-only, hash-chained audit log. Each event is written inside the transaction of the
// action it records, so an action and its audit event commit together or not at all.
// hash(n) = SHA-256(prev_hash | seq | at | actor | action | object | details); an anchor row holds
// the head so that a truncated tail is detected too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ow::core {

class Database;

struct AuditEvent {
    std::int64_t seq = 0;
    std::string at;
    std::string actor;
    std::string action;  // e.g. "user.login", "case.intake", "audit.verify"
    std::string object;  // what it concerns: a user name, a case number …
    std::string details; // JSON object; no PINs or key material, ever
    std::string prev_hash;
    std::string hash;
};

struct AuditProblem {
    enum class Kind { Modified, Deleted, Inserted, Reordered };
    Kind kind;
    std::int64_t seq;    // where it was found
    std::string message; // English, for people
};

const char* to_string(AuditProblem::Kind kind);

struct AuditReport {
    std::int64_t entries = 0;
    std::vector<AuditProblem> problems;
    bool ok() const { return problems.empty(); }
};

class AuditLog {
public:
    explicit AuditLog(Database& db) : db_(db) {}

    // Appends one event; call inside the caller's transaction. Returns the new sequence number.
    std::int64_t append(const std::string& actor, const std::string& action,
                        const std::string& object, const std::string& details_json = "{}");
    AuditReport verify();
    std::vector<AuditEvent> recent(int limit);

    static std::string compute_hash(const AuditEvent& event, std::int64_t seq);
    static const std::string& genesis_hash();

private:
    Database& db_;
};

} // namespace ow::core
