// Reading and checking the audit log, for admins (Permission::VerifyAudit). Appending stays with
// the services whose actions it records (Session::audit().append inside their transaction).
#pragma once

#include "ow/core/audit.h"

#include <vector>

namespace ow::core {

class Session;

class AuditService {
public:
    explicit AuditService(Session& session);

    // Walks the whole chain; the check itself is recorded as an "audit.verify" event with its
    // result.
    AuditReport verify();
    // The newest `limit` events (1–1000), newest first.
    std::vector<AuditEvent> recent(int limit);

private:
    Session& session_;
};

} // namespace ow::core
