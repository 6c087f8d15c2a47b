#include "ow/core/outbox.h"

#include "ow/core/database.h"
#include "ow/core/util.h"

namespace ow::core {

std::string enqueue_mutation(Database& db, const std::string& entity_kind,
                             const std::string& entity_id, const std::string& operation,
                             const std::string& payload_json, const std::string& created_at) {
    std::string mutation_id = new_uuid();
    db.prepare("INSERT INTO outbox(mutation_id, entity_kind, entity_id, operation, payload, "
               "created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, mutation_id)
        .bind(2, entity_kind)
        .bind(3, entity_id)
        .bind(4, operation)
        .bind(5, payload_json)
        .bind(6, created_at)
        .run();
    return mutation_id;
}

} // namespace ow::core
