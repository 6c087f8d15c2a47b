#include "ow/core/audit.h"

#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/util.h"

#include <map>

namespace ow::core {

const char* to_string(AuditProblem::Kind kind) {
    switch (kind) {
    case AuditProblem::Kind::Modified:
        return "modified";
    case AuditProblem::Kind::Deleted:
        return "deleted";
    case AuditProblem::Kind::Inserted:
        return "inserted";
    case AuditProblem::Kind::Reordered:
        return "reordered";
    }
    return "unknown";
}

const std::string& AuditLog::genesis_hash() {
    static const std::string genesis(64, '0');
    return genesis;
}

std::string AuditLog::compute_hash(const AuditEvent& e, std::int64_t seq) {
    // Length-prefixed fields: no separator can be forged by content.
    std::string data;
    auto add = [&](const std::string& field) {
        data += std::to_string(field.size());
        data += ':';
        data += field;
        data += '|';
    };
    add(e.prev_hash);
    add(std::to_string(seq));
    add(e.at);
    add(e.actor);
    add(e.action);
    add(e.object);
    add(e.details);
    return crypto::sha256_hex(data);
}

std::int64_t AuditLog::append(const std::string& actor, const std::string& action,
                              const std::string& object, const std::string& details_json) {
    AuditEvent e;
    e.at = now_utc_iso();
    e.actor = actor;
    e.action = action;
    e.object = object;
    e.details = details_json;
    std::int64_t seq = 1;
    e.prev_hash = genesis_hash();
    {
        auto st = db_.prepare("SELECT seq, hash FROM audit_anchor WHERE id = 1");
        if (st.step()) {
            seq = st.int64(0) + 1;
            e.prev_hash = st.text(1);
        }
    }
    e.hash = compute_hash(e, seq);
    db_.prepare(
           "INSERT INTO audit_events(seq, at, actor, action, object, details, prev_hash, hash) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, seq)
        .bind(2, e.at)
        .bind(3, e.actor)
        .bind(4, e.action)
        .bind(5, e.object)
        .bind(6, e.details)
        .bind(7, e.prev_hash)
        .bind(8, e.hash)
        .run();
    db_.prepare("INSERT OR IGNORE INTO audit_anchor(id, seq, hash) VALUES (1, 0, '')").run();
    db_.prepare("UPDATE audit_anchor SET seq = ?, hash = ? WHERE id = 1")
        .bind(1, seq)
        .bind(2, e.hash)
        .run();
    return seq;
}

AuditReport AuditLog::verify() {
    AuditReport report;
    std::vector<AuditEvent> events;
    {
        auto st = db_.prepare("SELECT seq, at, actor, action, object, details, prev_hash, hash "
                              "FROM audit_events ORDER BY seq");
        while (st.step())
            events.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4),
                              st.text(5), st.text(6), st.text(7)});
    }
    report.entries = static_cast<std::int64_t>(events.size());
    auto problem = [&](AuditProblem::Kind kind, std::int64_t seq, std::string message) {
        report.problems.push_back({kind, seq, std::move(message)});
    };

    std::map<std::string, std::int64_t> seq_by_hash;
    for (const auto& e : events)
        seq_by_hash[e.hash] = e.seq;

    std::int64_t expected_seq = 1;
    std::string expected_prev = genesis_hash();
    for (const auto& e : events) {
        bool self_consistent = compute_hash(e, e.seq) == e.hash;
        if (e.seq > expected_seq)
            problem(AuditProblem::Kind::Deleted, expected_seq,
                    e.seq - expected_seq == 1
                        ? "entry " + std::to_string(expected_seq) + " is missing"
                        : "entries " + std::to_string(expected_seq) + " to " +
                              std::to_string(e.seq - 1) + " are missing");
        if (!self_consistent) {
            // Was this entry written under another sequence number? Then it was moved.
            std::int64_t original = 0;
            for (std::int64_t d = 1; d <= 64 && !original; ++d) {
                if (compute_hash(e, e.seq + d) == e.hash)
                    original = e.seq + d;
                else if (e.seq - d > 0 && compute_hash(e, e.seq - d) == e.hash)
                    original = e.seq - d;
            }
            if (original)
                problem(AuditProblem::Kind::Reordered, e.seq,
                        "entry " + std::to_string(e.seq) + " was written as entry " +
                            std::to_string(original));
            else
                problem(AuditProblem::Kind::Modified, e.seq,
                        "entry " + std::to_string(e.seq) + " was changed after it was written");
        } else if (e.prev_hash != expected_prev && e.seq == expected_seq) {
            // Consistent in itself but not linked to its predecessor: forged or inserted.
            problem(AuditProblem::Kind::Inserted, e.seq,
                    "entry " + std::to_string(e.seq) +
                        " does not follow the entry before it (inserted or forged)");
        }
        expected_seq = e.seq + 1;
        expected_prev = e.hash;
    }

    std::int64_t anchor_seq = 0;
    std::string anchor_hash;
    {
        auto st = db_.prepare("SELECT seq, hash FROM audit_anchor WHERE id = 1");
        if (st.step()) {
            anchor_seq = st.int64(0);
            anchor_hash = st.text(1);
        }
    }
    std::int64_t last_seq = events.empty() ? 0 : events.back().seq;
    if (last_seq < anchor_seq)
        problem(AuditProblem::Kind::Deleted, last_seq + 1,
                "the last " + std::to_string(anchor_seq - last_seq) +
                    " entries are missing (the log ends before its recorded head)");
    else if (last_seq > anchor_seq)
        problem(AuditProblem::Kind::Inserted, anchor_seq + 1,
                std::to_string(last_seq - anchor_seq) +
                    " entries were added after the recorded head of the log");
    else if (!events.empty() && events.back().hash != anchor_hash)
        problem(AuditProblem::Kind::Modified, last_seq,
                "the last entry does not match the recorded head of the log");
    return report;
}

std::vector<AuditEvent> AuditLog::recent(int limit) {
    std::vector<AuditEvent> out;
    auto st = db_.prepare("SELECT seq, at, actor, action, object, details, prev_hash, hash "
                          "FROM audit_events ORDER BY seq DESC LIMIT ?");
    st.bind(1, limit);
    while (st.step())
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                       st.text(6), st.text(7)});
    return out;
}

} // namespace ow::core
