// The sync outbox: every local change that must reach the server is written as a mutation with a
// client-generated id, in the same transaction as the change itself (the transactional outbox).
#pragma once

#include <string>

namespace ow::core {

class Database;

// Call inside the caller's transaction. Returns the new mutation id.
std::string enqueue_mutation(Database& db, const std::string& entity_kind,
                             const std::string& entity_id, const std::string& operation,
                             const std::string& payload_json, const std::string& created_at);

} // namespace ow::core
