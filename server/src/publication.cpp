#include "publication.h"

#include "demo_data.h"
#include "ow/forms/catalog.h"
#include "util.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace ow::server {

using nlohmann::json;

namespace {

json read_json_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
    }
}

std::string key_field(const std::string& kind) {
    if (kind == "person")
        return "id_number";
    if (kind == "entity")
        return "uscc";
    if (kind == "license")
        return "license_id";
    if (kind == "user")
        return "name";
    throw std::runtime_error("unknown record kind " + kind);
}

// Checks a record of `kind` and returns its key; throws std::runtime_error naming the problem.
std::string check_record(const std::string& kind, json& record) {
    if (!record.is_object())
        throw std::runtime_error("a record must be a JSON object");
    std::string key_name = key_field(kind);
    if (!record.contains(key_name) || !record[key_name].is_string() ||
        record[key_name].get<std::string>().empty())
        throw std::runtime_error("the record has no '" + key_name + "'");
    std::string key = record[key_name].get<std::string>();
    if (key.size() > 128)
        throw std::runtime_error("'" + key_name + "' is too long");
    if (kind == "user") {
        std::string role = record.value("role", "");
        if (role != "clerk" && role != "officer" && role != "admin")
            throw std::runtime_error("user " + key + ": role must be clerk, officer or admin");
        if (record.contains("password") || record.contains("password_hash"))
            throw std::runtime_error("user " + key +
                                     ": passwords are never published; remove the field");
        if (!record.contains("display_name"))
            record["display_name"] = key;
        if (!record.contains("active"))
            record["active"] = true;
    } else if (!record.contains("name") && kind != "license") {
        throw std::runtime_error(kind + " " + key + " has no name");
    }
    return key;
}

void append_json_string(std::string& out, const std::string& s) {
    out += json(s).dump();
}

} // namespace

std::string case_record(Transaction& tx, const std::string& id) {
    auto row = tx.query_one("SELECT case_number, state, revision, updated_at, workstation, "
                            "updated_by, payload FROM cases WHERE id = ?",
                            {id});
    if (!row)
        throw std::runtime_error("no case " + id);
    json event = json::object();
    if (auto e = tx.query_one("SELECT operation, revision, from_state, to_state, payload, at "
                              "FROM case_events WHERE case_id = ? ORDER BY revision DESC LIMIT 1",
                              {id}))
        event = {{"operation", e->text(0)},
                 {"revision", e->int64(1)},
                 {"from_state", e->text(2)},
                 {"to_state", e->text(3)},
                 {"payload", json::parse(e->text(4))},
                 {"at", e->text(5)}};
    std::string out = json{
        {"id", id},
        {"case_number", row->text(0)},
        {"state", row->text(1)},
        {"revision", row->int64(2)},
        {"updated_at", row->text(3)},
        {"origin_workstation", row->text(4)},
        {"updated_by_workstation", row->text(5)},
        {"last_event",
         event}}.dump();
    // The create payload is stored as JSON text: splice it in without parsing it again.
    out.pop_back();
    out += ",\"case\":" + row->text(6) + "}";
    return out;
}

std::int64_t publish_case(Transaction& tx, const std::string& id) {
    std::int64_t seq = tx.publish("case", id, "upsert", case_record(tx, id));
    tx.exec("UPDATE cases SET change_seq = ? WHERE id = ?", {seq, id});
    return seq;
}

bool is_snapshot_kind(const std::string& kind) {
    return kind == "case" || kind == "catalog" || kind == "calendar" || kind == "person" ||
           kind == "entity" || kind == "license" || kind == "user";
}

std::int64_t upsert_record(Transaction& tx, const std::string& kind, const std::string& id,
                           const std::string& data_json) {
    std::int64_t seq = tx.publish(kind, id, "upsert", data_json);
    tx.exec("UPDATE records SET version = ?, data = ? WHERE kind = ? AND id = ?",
            {seq, data_json, kind, id});
    if (tx.changes() == 0)
        tx.exec("INSERT INTO records(kind, id, version, data) VALUES (?, ?, ?, ?)",
                {kind, id, seq, data_json});
    return seq;
}

bool delete_record(Transaction& tx, const std::string& kind, const std::string& id) {
    tx.exec("DELETE FROM records WHERE kind = ? AND id = ?", {kind, id});
    if (tx.changes() == 0)
        return false;
    tx.publish(kind, id, "delete", "{}");
    return true;
}

std::string changes_page(Storage& storage, std::int64_t cursor, int limit) {
    // The horizon is taken BEFORE the read: every seq below it belongs to a finished
    // transaction, so nothing can later appear below a cursor we hand out.
    std::int64_t horizon = storage.feed_horizon();
    auto tx = storage.begin(TxMode::Read);
    std::string out = "{\"changes\":[";
    std::int64_t last = cursor;
    int n = 0;
    bool more = false;
    tx->query("SELECT seq, kind, id, op, data FROM changes WHERE seq > ? AND seq < ? "
              "ORDER BY seq LIMIT ?",
              {cursor, horizon, std::int64_t{limit} + 1}, [&](const Row& r) {
                  if (n == limit) {
                      more = true;
                      return;
                  }
                  if (n++)
                      out += ',';
                  out += "{\"seq\":" + std::to_string(r.int64(0)) + ",\"kind\":";
                  append_json_string(out, r.text(1));
                  out += ",\"id\":";
                  append_json_string(out, r.text(2));
                  out += ",\"op\":";
                  append_json_string(out, r.text(3));
                  out += ",\"version\":" + std::to_string(r.int64(0)) + ",\"data\":";
                  out += r.text(4);
                  out += '}';
                  last = r.int64(0);
              });
    out += "],\"next_cursor\":\"" + std::to_string(last) + "\",\"has_more\":";
    out += more ? "true" : "false";
    out += '}';
    return out;
}

std::string snapshot_page(Storage& storage, const std::string& kind, const std::string& after,
                          int limit) {
    std::int64_t horizon = storage.feed_horizon();
    auto tx = storage.begin(TxMode::Read);
    bool cases = kind == "case";
    std::int64_t total = 0;
    if (auto row = cases ? tx->query_one("SELECT COUNT(*) FROM cases")
                         : tx->query_one("SELECT COUNT(*) FROM records WHERE kind = ?", {kind}))
        total = row->int64(0);
    std::string out = "{\"kind\":";
    append_json_string(out, kind);
    out += ",\"records\":[";
    std::string last = after;
    int n = 0;
    bool more = false;
    out.reserve(static_cast<std::size_t>(limit) * 256);
    auto each = [&](const Row& r) {
        if (n == limit) {
            more = true;
            return;
        }
        if (n++)
            out += ',';
        out += "{\"id\":";
        append_json_string(out, r.text(0));
        out += ",\"version\":" + std::to_string(r.int64(1)) + ",\"data\":";
        out += cases ? case_record(*tx, r.text(0)) : r.text(2);
        out += '}';
        last = r.text(0);
    };
    if (cases)
        tx->query("SELECT id, change_seq FROM cases WHERE id > ? ORDER BY id LIMIT ?",
                  {after, std::int64_t{limit} + 1}, each);
    else
        tx->query("SELECT id, version, data FROM records WHERE kind = ? AND id > ? ORDER BY id "
                  "LIMIT ?",
                  {kind, after, std::int64_t{limit} + 1}, each);
    out += "],\"next_after\":";
    append_json_string(out, last);
    out += ",\"has_more\":";
    out += more ? "true" : "false";
    // Deltas continue from the last seq below the horizon observed before this read.
    out += ",\"cursor\":\"" + std::to_string(horizon - 1) +
           "\",\"total\":" + std::to_string(total) + '}';
    return out;
}

std::string import_catalog(Storage& storage, const std::filesystem::path& catalog_json) {
    // Validate with the forms library first: a catalog that does not load is never published.
    auto catalog = ow::forms::Catalog::load(catalog_json);
    json root = read_json_file(catalog_json);
    json files = json::object();
    files["catalog.json"] = root;
    auto base = catalog_json.parent_path();
    auto add = [&](const std::string& rel) {
        if (rel.find("..") != std::string::npos || (!rel.empty() && rel[0] == '/'))
            throw std::runtime_error("catalog file outside the catalog directory: " + rel);
        files[rel] = read_json_file(base / rel);
    };
    for (auto it = root.begin(); it != root.end(); ++it) {
        const json& v = it.value();
        if (v.is_string() && v.get<std::string>().ends_with(".json"))
            add(v.get<std::string>());
        else if (v.is_array())
            for (const auto& e : v)
                if (e.is_string() && e.get<std::string>().ends_with(".json"))
                    add(e.get<std::string>());
    }
    std::string version = catalog.version();
    json data = {{"version", version}, {"files", files}};
    auto tx = storage.begin(TxMode::Write);
    upsert_record(*tx, "catalog", version, data.dump());
    tx->commit();
    return version;
}

std::string import_calendar(Storage& storage, const std::filesystem::path& file) {
    json cal = read_json_file(file);
    if (!cal.is_object() || cal.value("format", "") != "onewindow-holiday-calendar/1")
        throw std::runtime_error(file.string() + ": not an onewindow-holiday-calendar/1 file");
    std::string id = file.stem().string();
    auto tx = storage.begin(TxMode::Write);
    upsert_record(*tx, "calendar", id, cal.dump());
    tx->commit();
    return id;
}

std::size_t import_records(Storage& storage, const std::string& kind,
                           const std::filesystem::path& file, const ImportProgress& progress) {
    key_field(kind); // throws for an unknown kind
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    std::vector<json> records;
    std::string first;
    {
        std::stringstream buffer;
        buffer << in.rdbuf();
        first = buffer.str();
    }
    auto start = first.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && first[start] == '[') {
        json all;
        try {
            all = json::parse(first);
        } catch (const json::exception& e) {
            throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
        }
        for (auto& r : all)
            records.push_back(std::move(r));
    } else {
        std::istringstream lines(first);
        std::string line;
        std::size_t number = 0;
        while (std::getline(lines, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            try {
                records.push_back(json::parse(line));
            } catch (const json::exception& e) {
                throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                         ": not valid JSON: " + e.what());
            }
        }
    }
    // Check everything before writing anything: a bad file imports nothing.
    std::vector<std::string> keys;
    keys.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        try {
            keys.push_back(check_record(kind, records[i]));
        } catch (const std::exception& e) {
            throw std::runtime_error(file.string() + ": record " + std::to_string(i + 1) + ": " +
                                     e.what());
        }
    }
    auto tx = storage.begin(TxMode::Write);
    for (std::size_t i = 0; i < records.size(); ++i) {
        upsert_record(*tx, kind, keys[i], records[i].dump());
        if (progress && (i + 1) % 10000 == 0)
            progress(i + 1);
    }
    tx->commit();
    return records.size();
}

std::size_t import_demo(Storage& storage, const std::string& kind, std::size_t count,
                        std::uint64_t seed, const ImportProgress& progress) {
    if (kind != "person" && kind != "entity")
        throw std::runtime_error("demo records exist for person and entity only");
    DemoRecords demo(seed);
    constexpr std::size_t kBatch = 20000;
    for (std::size_t start = 0; start < count; start += kBatch) {
        auto tx = storage.begin(TxMode::Write);
        std::size_t end = std::min(count, start + kBatch);
        for (std::size_t i = start; i < end; ++i) {
            json r = kind == "person" ? demo.person(i) : demo.entity(i);
            std::string key =
                kind == "person" ? r["id_number"].get<std::string>() : r["uscc"].get<std::string>();
            upsert_record(*tx, kind, key, r.dump());
        }
        tx->commit();
        if (progress)
            progress(end);
    }
    return count;
}

} // namespace ow::server
