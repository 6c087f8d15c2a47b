#include "blob_store.h"
#include "case_workflow.h"
#include "mutations.h"
#include "publication.h"
#include "test_support.h"
#include "util.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace ow::server;
using nlohmann::json;

namespace {

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<Storage> storage = open_sqlite_storage(dir.path / "s.db");
    BlobStore blobs{*storage, dir.path / "blobs"};
    MutationProcessor processor{*storage, blobs};

    MutationResult apply(const json& m, const std::string& ws = "ws-1") {
        return processor.apply(ws, m);
    }
    std::int64_t count(const std::string& sql) {
        auto tx = storage->begin(TxMode::Read);
        return tx->query_one(sql)->int64(0);
    }
    void upload(const std::string& id, const std::string& bytes, const std::string& ws = "ws-1") {
        blobs.create(ws, id, static_cast<std::int64_t>(bytes.size()), sha256_hex(bytes));
        auto r = blobs.append(
            ws, id, 0, checksum(bytes), static_cast<std::int64_t>(bytes.size()),
            [&](const BlobStore::Sink& sink) { return sink(bytes.data(), bytes.size()); });
        BOOST_TEST_REQUIRE(r.info.complete);
    }
    static std::string checksum(const std::string& bytes) {
        std::vector<unsigned char> raw;
        std::string hex = sha256_hex(bytes);
        for (std::size_t i = 0; i < 64; i += 2)
            raw.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        return "sha256 " + base64_encode(raw);
    }
};

json case_create(const std::string& mid, const std::string& id, json blobs = json::array()) {
    return {{"mutation_id", mid},
            {"entity_kind", "case"},
            {"entity_id", id},
            {"operation", "create"},
            {"created_at", "2026-11-28T10:00:00Z"},
            {"payload",
             {{"id", id},
              {"case_number", "SC-20261128-0001"},
              {"workstation", "ws-1"},
              {"applicant", {{"kind", "person"}, {"id", "11010519491231002X"}, {"name", "王伟"}}},
              {"items", {"11150100MB1234567X-001"}},
              {"catalog_version", "2026.11-demo.1"},
              {"form", {{"applicant.name", "王伟"}}},
              {"materials", json::array()},
              {"state", "accepted"},
              {"blobs", blobs}}}};
}

json decide(const std::string& mid, const std::string& id, std::int64_t base,
            const std::string& decision, json reasons = json::array()) {
    return {{"mutation_id", mid},    {"entity_kind", "case"},
            {"entity_id", id},       {"operation", "decide"},
            {"base_revision", base}, {"payload", {{"decision", decision}, {"reasons", reasons}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(case_workflow)

BOOST_AUTO_TEST_CASE(transitions) {
    BOOST_TEST(next_case_state("accepted", "decide", "approve").value() == "approved");
    BOOST_TEST(next_case_state("accepted", "return").value() == "returned");
    BOOST_TEST(next_case_state("pending-materials", "supplement").value() == "accepted");
    BOOST_TEST(next_case_state("completed", "close").value() == "closed");
    BOOST_TEST(!next_case_state("refused-at-intake", "decide", "approve"));
    BOOST_TEST(next_case_state("returned", "resubmit").value() == "accepted");
    BOOST_TEST(next_case_state("approved", "close").value() == "closed");
    BOOST_TEST(!next_case_state("approved", "decide", "refuse"));
    BOOST_TEST(!next_case_state("closed", "withdraw"));
    BOOST_TEST(!next_case_state("accepted", "decide", "maybe"));
    BOOST_TEST(!is_case_transition("delete"));
    BOOST_TEST(case_transition_needs_reasons("decide", "refuse"));
    BOOST_TEST(!case_transition_needs_reasons("decide", "approve"));
    for (const char* state : {"accepted", "pending-materials", "completed", "refused-at-intake"})
        BOOST_TEST(valid_initial_case_state(state));
    BOOST_TEST(!valid_initial_case_state("approved"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mutations)

BOOST_FIXTURE_TEST_CASE(replay_returns_the_stored_result, Fixture) {
    auto first = apply(case_create("m1", "case-1"));
    BOOST_TEST(first.status == "applied");
    BOOST_TEST(first.revision.value() == 1);
    BOOST_TEST(!first.replayed);
    auto again = apply(case_create("m1", "case-1"));
    BOOST_TEST(again.status == "applied");
    BOOST_TEST(again.revision.value() == 1);
    BOOST_TEST(again.replayed);
    BOOST_TEST(count("SELECT COUNT(*) FROM cases") == 1);
    BOOST_TEST(count("SELECT COUNT(*) FROM mutations") == 1);
    BOOST_TEST(count("SELECT COUNT(*) FROM changes WHERE kind = 'case'") == 1);
    // The same id with another payload, or from another workstation: refused, nothing changes.
    auto other = case_create("m1", "case-1");
    other["payload"]["note"] = "changed";
    BOOST_TEST(apply(other).status == "rejected");
    BOOST_TEST(apply(case_create("m1", "case-1"), "ws-2").status == "rejected");
    // A different mutation creating the same case with the same content is harmless.
    BOOST_TEST(apply(case_create("m2", "case-1")).status == "applied");
    auto clash = case_create("m3", "case-1");
    clash["payload"]["note"] = "other";
    auto conflict = apply(clash);
    BOOST_TEST(conflict.status == "conflict");
    BOOST_TEST(conflict.extra["server"]["revision"] == 1);
    BOOST_TEST(count("SELECT COUNT(*) FROM cases") == 1);
}

BOOST_FIXTURE_TEST_CASE(an_invalid_applicant_identifier_is_rejected, Fixture) {
    auto person = case_create("m1", "case-1");
    person["payload"]["applicant"]["id"] = "110105194912310029"; // check character should be X
    auto r = apply(person);
    BOOST_TEST(r.status == "rejected");
    BOOST_TEST(r.message.find("GB 11643") != std::string::npos);
    auto entity = case_create("m2", "case-2");
    entity["payload"]["applicant"] = {
        {"kind", "entity"}, {"id", "9111000060003734IL"}, {"name", "某公司"}}; // I: not in GB 32100
    auto e = apply(entity);
    BOOST_TEST(e.status == "rejected");
    BOOST_TEST(e.message.find("GB 32100") != std::string::npos);
    auto valid = case_create("m3", "case-3");
    valid["payload"]["applicant"] = {
        {"kind", "entity"}, {"id", "91110000600037341L"}, {"name", "某公司"}};
    BOOST_TEST(apply(valid).status == "applied");
    BOOST_TEST(count("SELECT COUNT(*) FROM cases") == 1);
}

BOOST_FIXTURE_TEST_CASE(batch_answers_each_item_in_order, Fixture) {
    json body = {{"mutations",
                  {case_create("b1", "case-b"), json{{"mutation_id", "b2"}},
                   decide("b3", "case-b", 1, "approve"),
                   json{{"mutation_id", "b4"},
                        {"entity_kind", "spaceship"},
                        {"entity_id", "x"},
                        {"operation", "launch"},
                        {"payload", json::object()}}}}};
    json out = processor.apply_batch("ws-1", body);
    BOOST_TEST_REQUIRE(out["results"].size() == 4u);
    BOOST_TEST(out["results"][0]["status"] == "applied");
    BOOST_TEST(out["results"][1]["status"] == "rejected");
    BOOST_TEST(out["results"][2]["status"] == "applied");
    BOOST_TEST(out["results"][2]["revision"] == 2);
    BOOST_TEST(out["results"][3]["status"] == "rejected");
    BOOST_CHECK_THROW(processor.apply_batch("ws-1", json{{"x", 1}}), std::invalid_argument);
}

BOOST_FIXTURE_TEST_CASE(state_machine_and_stale_revisions, Fixture) {
    BOOST_TEST(apply(case_create("c1", "case-2")).status == "applied");
    // Two officers decide from revision 1: the first wins, the second gets a conflict.
    auto win = apply(decide("d1", "case-2", 1, "approve"), "ws-officer-1");
    BOOST_TEST(win.status == "applied");
    BOOST_TEST(win.revision.value() == 2);
    auto lose = apply(decide("d2", "case-2", 1, "refuse", {"材料不全"}), "ws-officer-2");
    BOOST_TEST(lose.status == "conflict");
    BOOST_TEST(lose.extra["server"]["state"] == "approved");
    BOOST_TEST(lose.extra["server"]["revision"] == 2);
    // Current revision but an illegal transition: rejected.
    BOOST_TEST(apply(decide("d3", "case-2", 2, "refuse", {"x"})).status == "rejected");
    // Refusing needs reasons.
    BOOST_TEST(apply(case_create("c2", "case-3")).status == "applied");
    BOOST_TEST(apply(decide("d4", "case-3", 1, "refuse")).status == "rejected");
    // No base revision: rejected; unknown case: retry (its create may still come).
    json no_base = decide("d5", "case-3", 1, "approve");
    no_base.erase("base_revision");
    BOOST_TEST(apply(no_base).status == "rejected");
    BOOST_TEST(apply(decide("d6", "case-unknown", 1, "approve")).status == "retry");
    BOOST_TEST(count("SELECT COUNT(*) FROM mutations WHERE mutation_id = 'd6'") == 0);
    // base_revision inside the payload (as the workstation's decide mutation carries it).
    json in_payload = decide("d7", "case-3", 1, "return", {"请补充身份证复印件"});
    in_payload.erase("base_revision");
    in_payload["payload"]["base_revision"] = 1;
    BOOST_TEST(apply(in_payload).status == "applied");
    // Each state change reached the feed.
    json page = json::parse(changes_page(*storage, 0, 100));
    int case_changes = 0;
    for (const auto& c : page["changes"])
        if (c["kind"] == "case")
            ++case_changes;
    BOOST_TEST(case_changes == 4);
    BOOST_TEST(page["changes"].back()["data"]["state"] == "returned");
    BOOST_TEST(page["changes"].back()["data"]["updated_by_workstation"] == "ws-1");
    // A workstation bootstrapping now gets the cases from the snapshot, versioned like the feed.
    json snap = json::parse(snapshot_page(*storage, "case", "", 10));
    BOOST_TEST_REQUIRE(snap["records"].size() == 2u);
    BOOST_TEST(snap["total"] == 2);
    const json& case3 = snap["records"][1];
    BOOST_TEST(case3["id"] == "case-3");
    BOOST_TEST(case3["data"]["state"] == "returned");
    BOOST_TEST(case3["data"]["last_event"]["to_state"] == "returned");
    BOOST_TEST(case3["data"]["case"]["case_number"] == "SC-20261128-0001");
    BOOST_TEST(case3["version"] == page["changes"].back()["seq"]);
}

BOOST_FIXTURE_TEST_CASE(a_case_waits_for_its_blobs, Fixture) {
    std::string scan = "scanned page bytes";
    json blobs = {{{"blob_id", "blob-1"}, {"sha256", sha256_hex(scan)}}};
    auto early = apply(case_create("w1", "case-4", blobs));
    BOOST_TEST(early.status == "retry");
    BOOST_TEST(early.message.find("blob-1") != std::string::npos);
    BOOST_TEST(count("SELECT COUNT(*) FROM cases") == 0);
    BOOST_TEST(count("SELECT COUNT(*) FROM changes") == 0);
    // Half uploaded: still retry.
    this->blobs.create("ws-1", "blob-1", static_cast<std::int64_t>(scan.size()), sha256_hex(scan));
    BOOST_TEST(apply(case_create("w1", "case-4", blobs)).status == "retry");
    auto r = this->blobs.append(
        "ws-1", "blob-1", 0, checksum(scan), static_cast<std::int64_t>(scan.size()),
        [&](const BlobStore::Sink& sink) { return sink(scan.data(), scan.size()); });
    BOOST_TEST(r.info.complete);
    auto late = apply(case_create("w1", "case-4", blobs));
    BOOST_TEST(late.status == "applied");
    BOOST_TEST(count("SELECT COUNT(*) FROM cases") == 1);
    // A blob declared with another hash is a permanent error.
    upload("blob-2", "other bytes");
    json wrong = {{{"blob_id", "blob-2"}, {"sha256", sha256_hex("not these")}}};
    BOOST_TEST(apply(case_create("w2", "case-5", wrong)).status == "rejected");
}

BOOST_FIXTURE_TEST_CASE(audit_events_are_append_only_and_chained, Fixture) {
    auto event = [](const std::string& mid, int seq, const std::string& prev,
                    const std::string& hash) {
        return json{{"mutation_id", mid},
                    {"entity_kind", "audit"},
                    {"entity_id", "ws-1:" + std::to_string(seq)},
                    {"operation", "append"},
                    {"payload",
                     {{"seq", seq},
                      {"at", "2026-11-28T10:00:00Z"},
                      {"actor", "clerk1"},
                      {"action", "login"},
                      {"object", ""},
                      {"details", "{}"},
                      {"prev_hash", prev},
                      {"hash", hash}}}};
    };
    BOOST_TEST(apply(event("a1", 1, "", "h1")).status == "applied");
    BOOST_TEST(apply(event("a2", 2, "h1", "h2")).status == "applied");
    BOOST_TEST(apply(event("a2b", 2, "h1", "h2")).status == "applied");  // same content again
    BOOST_TEST(apply(event("a2c", 2, "h1", "hX")).status == "conflict"); // rewrite refused
    BOOST_TEST(apply(event("a3", 3, "WRONG", "h3")).status == "rejected");
    BOOST_TEST(apply(event("a5", 5, "h4", "h5")).status == "applied"); // gap allowed
    // Event 5 names h4 as its predecessor's hash: an event 4 with another hash breaks the chain.
    BOOST_TEST(apply(event("a4", 4, "h3", "hY")).status == "rejected");
    BOOST_TEST(count("SELECT COUNT(*) FROM audit_events") == 3);
}

BOOST_FIXTURE_TEST_CASE(documents_are_immutable, Fixture) {
    upload("doc-blob", "%PDF-1.7 signed");
    json doc = {{"mutation_id", "doc-m1"},
                {"entity_kind", "document"},
                {"entity_id", "doc-1"},
                {"operation", "create"},
                {"payload",
                 {{"id", "doc-1"},
                  {"case_id", "case-1"},
                  {"kind", "decision"},
                  {"blob_id", "doc-blob"},
                  {"sha256", sha256_hex("%PDF-1.7 signed")},
                  {"signed", true}}}};
    BOOST_TEST(apply(doc).status == "applied");
    doc["mutation_id"] = "doc-m2";
    BOOST_TEST(apply(doc).status == "applied"); // identical content
    upload("doc-blob-2", "%PDF-1.7 signed again");
    doc["mutation_id"] = "doc-m3";
    doc["payload"]["blob_id"] = "doc-blob-2";
    doc["payload"]["sha256"] = sha256_hex("%PDF-1.7 signed again");
    BOOST_TEST(apply(doc).status == "conflict");
    json pending = doc;
    pending["mutation_id"] = "doc-m4";
    pending["entity_id"] = "doc-2";
    pending["payload"]["id"] = "doc-2";
    pending["payload"]["blob_id"] = "not-uploaded";
    BOOST_TEST(apply(pending).status == "retry");
}

BOOST_FIXTURE_TEST_CASE(reference_edits_become_change_requests, Fixture) {
    import_demo(*storage, "person", 3);
    std::string id_number;
    std::int64_t version = 0;
    {
        auto tx = storage->begin(TxMode::Read);
        auto row = tx->query_one("SELECT id, version, data FROM records WHERE kind = 'person' "
                                 "ORDER BY id LIMIT 1");
        id_number = row->text(0);
        version = row->int64(1);
    }
    json request = {{"mutation_id", "r1"},
                    {"entity_kind", "reference_change_request"},
                    {"entity_id", "cr-1"},
                    {"operation", "create"},
                    {"payload",
                     {{"target_kind", "person"},
                      {"target_id", id_number},
                      {"base_version", version},
                      {"fields", {{"phone", "13900000000"}}},
                      {"reason", "申请人提供新手机号"},
                      {"requested_by", "clerk1"}}}};
    auto r = apply(request);
    BOOST_TEST(r.status == "applied");
    BOOST_TEST(r.extra["change_request_id"] == "cr-1");
    auto phone = [&] {
        auto tx = storage->begin(TxMode::Read);
        return json::parse(
                   tx->query_one("SELECT data FROM records WHERE kind = 'person' AND id = ?",
                                 {id_number})
                       ->text(0))["phone"]
            .get<std::string>();
    };
    BOOST_TEST(phone() != "13900000000"); // never overwritten by the workstation
    std::int64_t before = count("SELECT MAX(seq) FROM changes");
    decide_change_request(*storage, "cr-1", true, false);
    BOOST_TEST(phone() == "13900000000");
    BOOST_TEST(count("SELECT MAX(seq) FROM changes") == before + 1);
    BOOST_CHECK_THROW(decide_change_request(*storage, "cr-1", true, false), std::runtime_error);
    // A request made against an older version is not applied blindly.
    request["mutation_id"] = "r2";
    request["entity_id"] = "cr-2";
    request["payload"]["fields"] = {{"address", "新地址"}};
    BOOST_TEST(apply(request).status == "applied");
    BOOST_CHECK_THROW(decide_change_request(*storage, "cr-2", true, false), std::runtime_error);
    decide_change_request(*storage, "cr-2", true, true);
}

BOOST_AUTO_TEST_SUITE_END()
