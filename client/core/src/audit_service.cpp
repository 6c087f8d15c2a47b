#include "ow/core/audit_service.h"

#include "ow/core/database.h"
#include "ow/core/workstation.h"

#include <algorithm>

namespace ow::core {

AuditService::AuditService(Session& session) : session_(session) {
    session_.require(Permission::VerifyAudit);
}

AuditReport AuditService::verify() {
    session_.require(Permission::VerifyAudit);
    auto report = session_.audit().verify();
    Transaction tx(session_.db());
    session_.audit().append(session_.user().name, "audit.verify", "audit",
                            report.ok() ? "{\"result\":\"ok\"}" : "{\"result\":\"tampered\"}");
    tx.commit();
    return report;
}

std::vector<AuditEvent> AuditService::recent(int limit) {
    session_.require(Permission::VerifyAudit);
    return session_.audit().recent(std::clamp(limit, 1, 1000));
}

} // namespace ow::core
