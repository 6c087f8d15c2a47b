// Applies mutation batches exactly once (docs/sync-protocol.md §4): one database transaction per
// mutation holding both its effect and its stored result; a replayed mutation id returns the
// stored result.
#pragma once

#include "blob_store.h"
#include "storage.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ow::server {

struct MutationResult {
    std::string mutation_id;
    std::string status; // applied | conflict | rejected | retry
    std::string message;
    std::optional<std::int64_t> revision;
    nlohmann::json extra = nlohmann::json::object(); // e.g. "server", "change_request_id"
    bool replayed = false;
    nlohmann::json to_json() const;
};

class MutationProcessor {
public:
    static constexpr std::size_t kMaxBatch = 500;

    MutationProcessor(Storage& storage, BlobStore& blobs) : storage_(storage), blobs_(blobs) {}

    MutationResult apply(const std::string& workstation, const nlohmann::json& mutation);
    // {"results": [...]} for {"mutations": [...]}; throws std::invalid_argument on a bad shape.
    nlohmann::json apply_batch(const std::string& workstation, const nlohmann::json& body);

private:
    MutationResult apply_case(Transaction& tx, const std::string& workstation,
                              const nlohmann::json& m);
    MutationResult create_case(Transaction& tx, const std::string& workstation,
                               const nlohmann::json& m);
    MutationResult transition_case(Transaction& tx, const std::string& workstation,
                                   const nlohmann::json& m);
    MutationResult append_audit(Transaction& tx, const std::string& workstation,
                                const nlohmann::json& m);
    MutationResult create_document(Transaction& tx, const std::string& workstation,
                                   const nlohmann::json& m);
    MutationResult create_change_request(Transaction& tx, const std::string& workstation,
                                         const nlohmann::json& m);

    Storage& storage_;
    BlobStore& blobs_;
};

// Accepts or rejects a reference-data change request (admin). Accepting merges the requested
// fields into the record and publishes the change; a record that moved past the request's
// base_version is refused unless `force`. Returns a message; throws std::runtime_error.
std::string decide_change_request(Storage& storage, const std::string& id, bool accept, bool force);

} // namespace ow::server
