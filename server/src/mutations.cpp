#include "mutations.h"

#include "case_workflow.h"
#include "fault.h"
#include "ow/forms/identifiers.h"
#include "publication.h"
#include "util.h"

#include <set>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace ow::server {

using nlohmann::json;

nlohmann::json MutationResult::to_json() const {
    json out = extra.is_object() ? extra : json::object();
    out["mutation_id"] = mutation_id;
    out["status"] = status;
    out["message"] = message;
    if (revision)
        out["revision"] = *revision;
    out["replayed"] = replayed;
    return out;
}

namespace {

MutationResult result(const json& m, std::string status, std::string message) {
    MutationResult r;
    if (m.is_object() && m.contains("mutation_id") && m["mutation_id"].is_string())
        r.mutation_id = m["mutation_id"].get<std::string>();
    r.status = std::move(status);
    r.message = std::move(message);
    return r;
}

MutationResult rejected(const json& m, std::string message) {
    return result(m, "rejected", std::move(message));
}

std::string str(const json& obj, const char* key) {
    if (obj.is_object() && obj.contains(key) && obj[key].is_string())
        return obj[key].get<std::string>();
    return {};
}

std::optional<std::int64_t> base_revision_of(const json& m) {
    if (m.contains("base_revision") && m["base_revision"].is_number_integer())
        return m["base_revision"].get<std::int64_t>();
    const json& p = m["payload"];
    if (p.contains("base_revision") && p["base_revision"].is_number_integer())
        return p["base_revision"].get<std::int64_t>();
    return std::nullopt;
}

std::string fingerprint(const json& m) {
    json canonical = {{"entity_kind", m["entity_kind"]},
                      {"entity_id", m["entity_id"]},
                      {"operation", m["operation"]},
                      {"payload", m["payload"]},
                      {"base_revision", m.contains("base_revision") ? m["base_revision"] : json()}};
    return sha256_hex(canonical.dump());
}

} // namespace

json MutationProcessor::apply_batch(const std::string& workstation, const json& body) {
    if (!body.is_object() || !body.contains("mutations") || !body["mutations"].is_array())
        throw std::invalid_argument("the body must be {\"mutations\": [...]}");
    if (body["mutations"].size() > kMaxBatch)
        throw std::length_error("at most 500 mutations per batch");
    json results = json::array();
    for (const auto& m : body["mutations"])
        results.push_back(apply(workstation, m).to_json());
    return {{"results", results}};
}

MutationResult MutationProcessor::apply(const std::string& workstation, const json& m) {
    if (!m.is_object())
        return rejected(m, "a mutation must be a JSON object");
    std::string id = str(m, "mutation_id");
    if (!valid_identifier(id))
        return rejected(m, "mutation_id must be 1-64 characters of [A-Za-z0-9._:-]");
    for (const char* key : {"entity_kind", "entity_id", "operation"})
        if (str(m, key).empty())
            return rejected(m, std::string(key) + " is required");
    if (!m.contains("payload") || !m["payload"].is_object())
        return rejected(m, "payload must be a JSON object");
    if (!valid_identifier(str(m, "entity_id")))
        return rejected(m, "entity_id must be 1-64 characters of [A-Za-z0-9._:-]");
    std::string print = fingerprint(m);
    try {
        auto tx = storage_.begin(TxMode::Write);
        if (auto stored = tx->query_one(
                "SELECT workstation, payload_sha256, result FROM mutations WHERE mutation_id = ?",
                {id})) {
            if (stored->text(0) != workstation || stored->text(1) != print)
                return rejected(m, "mutation-id-reused: this mutation_id was used with another "
                                   "payload or by another workstation");
            json r = json::parse(stored->text(2));
            MutationResult out;
            out.mutation_id = id;
            out.status = r.value("status", "applied");
            out.message = r.value("message", "");
            if (r.contains("revision") && r["revision"].is_number_integer())
                out.revision = r["revision"].get<std::int64_t>();
            r.erase("status");
            r.erase("message");
            r.erase("revision");
            r.erase("mutation_id");
            r.erase("replayed");
            out.extra = r;
            out.replayed = true;
            return out;
        }
        std::string kind = str(m, "entity_kind");
        MutationResult r;
        if (kind == "case")
            r = apply_case(*tx, workstation, m);
        else if (kind == "audit")
            r = append_audit(*tx, workstation, m);
        else if (kind == "document")
            r = create_document(*tx, workstation, m);
        else if (kind == "reference_change_request")
            r = create_change_request(*tx, workstation, m);
        else
            r = rejected(m, "unknown-kind: " + kind);
        r.mutation_id = id;
        if (r.status == "retry")
            return r; // not stored: evaluated again on the next delivery; the tx rolls back
        json stored = r.to_json();
        stored.erase("replayed");
        tx->exec("INSERT INTO mutations(mutation_id, workstation, entity_kind, entity_id, "
                 "operation, payload_sha256, status, result, received_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {id, workstation, kind, str(m, "entity_id"), str(m, "operation"), print, r.status,
                  stored.dump(), now_utc_iso()});
        tx->commit();
        fault_point("mutation-committed");
        return r;
    } catch (const std::exception& e) {
        spdlog::error("mutation {} from {}: {}", id, workstation, e.what());
        return result(m, "retry", "server error; try again later");
    }
}

MutationResult MutationProcessor::apply_case(Transaction& tx, const std::string& workstation,
                                             const json& m) {
    std::string op = str(m, "operation");
    if (op == "create")
        return create_case(tx, workstation, m);
    if (is_case_transition(op))
        return transition_case(tx, workstation, m);
    return rejected(m, "unknown-operation: case/" + op);
}

MutationResult MutationProcessor::create_case(Transaction& tx, const std::string& workstation,
                                              const json& m) {
    const json& p = m["payload"];
    std::string id = str(m, "entity_id");
    if (str(p, "id") != id)
        return rejected(m, "payload.id must equal entity_id");
    if (str(p, "case_number").empty())
        return rejected(m, "payload.case_number is required");
    if (!p.contains("applicant") || !p["applicant"].is_object() ||
        str(p["applicant"], "id").empty())
        return rejected(m, "payload.applicant with kind, id and name is required");
    std::string kind = str(p["applicant"], "kind");
    if (kind != "person" && kind != "entity")
        return rejected(m, "payload.applicant.kind must be person or entity");
    // The workstation checked the identifier at the counter; the server does not take it on trust.
    const auto identifier = kind == "person" ? forms::check_id_number(str(p["applicant"], "id"))
                                             : forms::check_uscc(str(p["applicant"], "id"));
    if (!identifier.ok())
        return rejected(m, std::string("payload.applicant.id is not a valid ") +
                               (kind == "person" ? "GB 11643 ID number" : "GB 32100 credit code") +
                               " (" + identifier.code + ")");
    if (!p.contains("items") || !p["items"].is_array() || p["items"].empty())
        return rejected(m, "payload.items must list at least one service item");
    if (str(p, "catalog_version").empty())
        return rejected(m, "payload.catalog_version is required (the catalog is pinned per case)");
    std::string state = p.contains("state") ? str(p, "state") : "accepted";
    if (!valid_initial_case_state(state))
        return rejected(m, "a case is created as accepted, pending-materials, completed or "
                           "refused-at-intake, not '" +
                               state + "'");
    std::string content = sha256_hex(p.dump());

    if (auto existing = tx.query_one(
            "SELECT payload_sha256, state, revision, updated_at FROM cases WHERE id = ?", {id})) {
        MutationResult r;
        if (existing->text(0) == content) {
            r = result(m, "applied", "the case exists with the same content");
            r.revision = existing->int64(2);
        } else {
            r = result(m, "conflict", "a case with this id exists with other content");
            r.extra["server"] = {{"state", existing->text(1)},
                                 {"revision", existing->int64(2)},
                                 {"updated_at", existing->text(3)}};
        }
        return r;
    }

    // Every blob the case refers to must be complete and verified: then, and only then, the
    // case becomes visible.
    std::map<std::string, std::string> wanted; // blob id -> declared sha256 (may be empty)
    if (p.contains("blobs")) {
        if (!p["blobs"].is_array())
            return rejected(m, "payload.blobs must be an array of {blob_id, sha256}");
        for (const auto& b : p["blobs"]) {
            std::string bid = str(b, "blob_id");
            if (bid.empty())
                return rejected(m, "every entry of payload.blobs needs a blob_id");
            wanted[bid] = str(b, "sha256");
        }
    }
    if (p.contains("materials") && p["materials"].is_array())
        for (const auto& mat : p["materials"]) {
            std::string bid = str(mat, "blob_id");
            if (!bid.empty() && !wanted.count(bid))
                wanted[bid] = "";
        }
    std::vector<std::string> missing;
    for (const auto& [bid, sha] : wanted) {
        auto row = tx.query_one("SELECT sha256, complete, owner FROM blobs WHERE id = ?", {bid});
        if (!row || row->int64(1) == 0) {
            missing.push_back(bid);
            continue;
        }
        if (!sha.empty() && row->text(0) != sha)
            return rejected(m, "blob " + bid + " was uploaded with another sha256");
        if (row->text(2) != workstation)
            return rejected(m, "blob " + bid + " was uploaded by another workstation");
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& b : missing)
            list += (list.empty() ? "" : ", ") + b;
        return result(m, "retry", "blobs not complete: " + list);
    }

    std::string now = now_utc_iso();
    tx.exec("INSERT INTO cases(id, case_number, workstation, state, revision, catalog_version, "
            "payload, payload_sha256, created_at, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            {id, str(p, "case_number"), workstation, state, str(p, "catalog_version"), p.dump(),
             content, now, now, workstation});
    tx.exec("INSERT INTO case_events(case_id, revision, operation, from_state, to_state, payload, "
            "workstation, at) VALUES (?, 1, 'create', '', ?, '{}', ?, ?)",
            {id, state, workstation, now});
    publish_case(tx, id);
    MutationResult r = result(m, "applied", "");
    r.revision = 1;
    return r;
}

MutationResult MutationProcessor::transition_case(Transaction& tx, const std::string& workstation,
                                                  const json& m) {
    const json& p = m["payload"];
    std::string id = str(m, "entity_id");
    std::string op = str(m, "operation");
    auto base = base_revision_of(m);
    if (!base)
        return rejected(m, "a state change needs base_revision");
    auto row = tx.query_one("SELECT state, revision, updated_at FROM cases WHERE id = ?", {id});
    if (!row)
        return result(m, "retry",
                      "the case is not known to the server yet (send its create first)");
    std::string state = row->text(0);
    std::int64_t revision = row->int64(1);
    if (*base != revision) {
        MutationResult r = result(m, "conflict",
                                  "the case changed meanwhile (server revision " +
                                      std::to_string(revision) + ", state " + state + ")");
        r.extra["server"] = {
            {"state", state}, {"revision", revision}, {"updated_at", row->text(2)}};
        return r;
    }
    std::string decision = str(p, "decision");
    auto next = next_case_state(state, op, decision);
    if (!next)
        return rejected(m, "illegal-transition: " + op + (decision.empty() ? "" : "/" + decision) +
                               " is not allowed in state " + state);
    if (case_transition_needs_reasons(op, decision)) {
        bool any = false;
        if (p.contains("reasons") && p["reasons"].is_array())
            for (const auto& reason : p["reasons"])
                if (reason.is_string() &&
                    reason.get<std::string>().find_first_not_of(" \t\r\n") != std::string::npos)
                    any = true;
        if (!any)
            return rejected(m, "returning or refusing a case needs at least one reason");
    }
    std::string now = now_utc_iso();
    std::int64_t new_revision = revision + 1;
    tx.exec("UPDATE cases SET state = ?, revision = ?, updated_at = ?, updated_by = ? "
            "WHERE id = ? AND revision = ?",
            {*next, new_revision, now, workstation, id, revision});
    if (tx.changes() != 1)
        return result(m, "retry", "the case changed during the update");
    tx.exec("INSERT INTO case_events(case_id, revision, operation, from_state, to_state, payload, "
            "workstation, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {id, new_revision, op, state, *next, p.dump(), workstation, now});
    publish_case(tx, id);
    MutationResult r = result(m, "applied", "");
    r.revision = new_revision;
    return r;
}

MutationResult MutationProcessor::append_audit(Transaction& tx, const std::string& workstation,
                                               const json& m) {
    if (str(m, "operation") != "append")
        return rejected(m, "unknown-operation: audit/" + str(m, "operation"));
    const json& p = m["payload"];
    if (!p.contains("seq") || !p["seq"].is_number_integer() || p["seq"].get<std::int64_t>() < 1)
        return rejected(m, "payload.seq must be a positive integer");
    for (const char* key : {"at", "actor", "action", "hash"})
        if (str(p, key).empty())
            return rejected(m, std::string("payload.") + key + " is required");
    std::int64_t seq = p["seq"].get<std::int64_t>();
    std::string content = sha256_hex(p.dump());
    if (auto existing = tx.query_one(
            "SELECT content_sha256 FROM audit_events WHERE workstation = ? AND seq = ?",
            {workstation, seq})) {
        if (existing->text(0) == content)
            return result(m, "applied", "the audit event is already stored");
        return result(m, "conflict", "another audit event with this seq is stored (append-only)");
    }
    std::string prev_hash = str(p, "prev_hash");
    std::string hash = str(p, "hash");
    bool gap = false;
    if (seq > 1) {
        auto prev = tx.query_one("SELECT hash FROM audit_events WHERE workstation = ? AND seq = ?",
                                 {workstation, seq - 1});
        if (!prev)
            gap = true;
        else if (prev->text(0) != prev_hash)
            return rejected(m, "audit-chain-broken: prev_hash differs from the stored hash of "
                               "event " +
                                   std::to_string(seq - 1));
    }
    if (auto next =
            tx.query_one("SELECT prev_hash FROM audit_events WHERE workstation = ? AND seq = ?",
                         {workstation, seq + 1});
        next && next->text(0) != hash)
        return rejected(m, "audit-chain-broken: the stored event " + std::to_string(seq + 1) +
                               " does not chain to this one");
    tx.exec("INSERT INTO audit_events(workstation, seq, content_sha256, at, actor, action, object, "
            "details, prev_hash, hash, chain_gap, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {workstation, seq, content, str(p, "at"), str(p, "actor"), str(p, "action"),
             str(p, "object"),
             p.contains("details")
                 ? (p["details"].is_string() ? str(p, "details") : p["details"].dump())
                 : std::string(),
             prev_hash, hash, std::int64_t{gap ? 1 : 0}, now_utc_iso()});
    if (gap)
        tx.exec("UPDATE audit_events SET chain_gap = 0 WHERE workstation = ? AND seq = ?",
                {workstation, seq + 1});
    return result(m, "applied", gap ? "stored; earlier events of the chain are missing" : "");
}

MutationResult MutationProcessor::create_document(Transaction& tx, const std::string& workstation,
                                                  const json& m) {
    if (str(m, "operation") != "create")
        return rejected(m, "unknown-operation: document/" + str(m, "operation"));
    const json& p = m["payload"];
    std::string id = str(m, "entity_id");
    if (str(p, "id") != id)
        return rejected(m, "payload.id must equal entity_id");
    for (const char* key : {"case_id", "kind", "blob_id", "sha256"})
        if (str(p, key).empty())
            return rejected(m, std::string("payload.") + key + " is required");
    std::string content = sha256_hex(p.dump());
    if (auto existing = tx.query_one("SELECT content_sha256 FROM documents WHERE id = ?", {id})) {
        if (existing->text(0) == content)
            return result(m, "applied", "the document is already stored");
        return result(m, "conflict",
                      "a different document with this id is stored; documents are immutable");
    }
    auto blob =
        tx.query_one("SELECT sha256, complete FROM blobs WHERE id = ?", {str(p, "blob_id")});
    if (!blob || blob->int64(1) == 0)
        return result(m, "retry", "blobs not complete: " + str(p, "blob_id"));
    if (blob->text(0) != str(p, "sha256"))
        return rejected(m, "blob " + str(p, "blob_id") + " was uploaded with another sha256");
    bool is_signed = p.contains("signed") && p["signed"].is_boolean() && p["signed"].get<bool>();
    tx.exec("INSERT INTO documents(id, case_id, kind, blob_id, sha256, signed, content_sha256, "
            "payload, workstation, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, str(p, "case_id"), str(p, "kind"), str(p, "blob_id"), str(p, "sha256"),
             std::int64_t{is_signed ? 1 : 0}, content, p.dump(), workstation, now_utc_iso()});
    return result(m, "applied", "");
}

MutationResult MutationProcessor::create_change_request(Transaction& tx,
                                                        const std::string& workstation,
                                                        const json& m) {
    if (str(m, "operation") != "create")
        return rejected(m, "unknown-operation: reference_change_request/" + str(m, "operation"));
    const json& p = m["payload"];
    std::string id = str(m, "entity_id");
    std::string target = str(p, "target_kind");
    if (target != "person" && target != "entity" && target != "license")
        return rejected(m, "payload.target_kind must be person, entity or license");
    if (str(p, "target_id").empty())
        return rejected(m, "payload.target_id is required");
    if (!p.contains("fields") || !p["fields"].is_object() || p["fields"].empty())
        return rejected(m, "payload.fields must name the fields to change");
    std::string content = sha256_hex(p.dump());
    if (auto existing =
            tx.query_one("SELECT content_sha256 FROM change_requests WHERE id = ?", {id})) {
        MutationResult r = existing->text(0) == content
                               ? result(m, "applied", "the change request is already stored")
                               : result(m, "conflict", "another change request has this id");
        r.extra["change_request_id"] = id;
        return r;
    }
    Value base = nullptr;
    if (p.contains("base_version") && p["base_version"].is_number_integer())
        base = p["base_version"].get<std::int64_t>();
    tx.exec("INSERT INTO change_requests(id, target_kind, target_id, base_version, fields, reason, "
            "requested_by, workstation, status, content_sha256, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            {id, target, str(p, "target_id"), base, p["fields"].dump(), str(p, "reason"),
             str(p, "requested_by"), workstation, content, now_utc_iso()});
    MutationResult r =
        result(m, "applied", "recorded for review; the reference record is unchanged");
    r.extra["change_request_id"] = id;
    return r;
}

std::string decide_change_request(Storage& storage, const std::string& id, bool accept,
                                  bool force) {
    auto tx = storage.begin(TxMode::Write);
    auto cr = tx->query_one("SELECT target_kind, target_id, base_version, fields, status "
                            "FROM change_requests WHERE id = ?",
                            {id});
    if (!cr)
        throw std::runtime_error("there is no change request " + id);
    if (cr->text(4) != "pending")
        throw std::runtime_error("change request " + id + " is already " + cr->text(4));
    std::string now = now_utc_iso();
    if (!accept) {
        tx->exec("UPDATE change_requests SET status = 'rejected', decided_at = ? WHERE id = ?",
                 {now, id});
        tx->commit();
        return "change request " + id + " rejected";
    }
    auto record = tx->query_one("SELECT version, data FROM records WHERE kind = ? AND id = ?",
                                {cr->text(0), cr->text(1)});
    if (!record)
        throw std::runtime_error("the " + cr->text(0) + " " + cr->text(1) + " does not exist");
    if (!cr->is_null(2) && cr->int64(2) != record->int64(0) && !force)
        throw std::runtime_error("the record changed since the request was made (version " +
                                 std::to_string(cr->int64(2)) + " -> " +
                                 std::to_string(record->int64(0)) +
                                 "); review it and accept with --force");
    json data = json::parse(record->text(1));
    json fields = json::parse(cr->text(3));
    for (auto it = fields.begin(); it != fields.end(); ++it)
        data[it.key()] = it.value();
    data["updated_at"] = now;
    std::string text = data.dump();
    std::int64_t seq = tx->publish(cr->text(0), cr->text(1), "upsert", text);
    tx->exec("UPDATE records SET version = ?, data = ? WHERE kind = ? AND id = ?",
             {seq, text, cr->text(0), cr->text(1)});
    tx->exec("UPDATE change_requests SET status = 'accepted', decided_at = ? WHERE id = ?",
             {now, id});
    tx->commit();
    return "change request " + id + " accepted; " + cr->text(0) + " " + cr->text(1) +
           " is now version " + std::to_string(seq);
}

} // namespace ow::server
