#include "ow/core/case_service.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/log.h"
#include "ow/core/outbox.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace ow::core {
namespace {

CaseSummary read_summary(Statement& st) {
    CaseSummary c;
    c.id = st.text(0);
    c.case_number = st.text(1);
    c.applicant_kind = st.text(2);
    c.applicant_id = st.text(3);
    c.applicant_name = st.text(4);
    try {
        c.items = nlohmann::json::parse(st.text(5)).get<std::vector<std::string>>();
    } catch (const std::exception&) {
    }
    c.state = st.text(6);
    c.received_at = st.text(7);
    c.promised_date = st.text(8);
    c.received_by = st.text(9);
    return c;
}

constexpr const char* kSummarySelect =
    "SELECT c.id, c.case_number, c.applicant_kind, c.applicant_id, c.applicant_name, c.items, "
    "c.state, c.received_at, c.promised_date, u.name FROM cases c JOIN users u ON u.id = "
    "c.received_by ";

} // namespace

std::string CaseService::next_case_number(const std::string& day) {
    auto& db = session_.db();
    db.prepare("INSERT OR IGNORE INTO case_sequence(day, last) VALUES (?, 0)").bind(1, day).run();
    db.prepare("UPDATE case_sequence SET last = last + 1 WHERE day = ?").bind(1, day).run();
    auto st = db.prepare("SELECT last FROM case_sequence WHERE day = ?");
    st.bind(1, day);
    st.step();
    char seq[32];
    std::snprintf(seq, sizeof seq, "%05lld", static_cast<long long>(st.int64(0)));
    // Unique across workstations while offline: the workstation's code is part of the number.
    std::string compact_day = day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
    return compact_day + "-" + session_.workstation_code() + "-" + seq;
}

CaseSummary CaseService::create(const CaseDraft& draft, const WithinTransaction& within) {
    session_.require(Permission::Intake);
    if (draft.applicant_kind != "person" && draft.applicant_kind != "entity")
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The applicant must be a person or a legal entity."));
    if (draft.applicant_id.empty() || draft.applicant_name.empty())
        throw CoreError(ErrorCode::InvalidArgument,
                        N_("The applicant's identifier and name are required."));
    if (draft.items.empty())
        throw CoreError(ErrorCode::InvalidArgument, N_("Choose at least one service item."));
    nlohmann::json form;
    try {
        form = nlohmann::json::parse(draft.form_data);
    } catch (const std::exception&) {
    }
    if (!form.is_object())
        throw CoreError(ErrorCode::InvalidArgument, N_("The form data is not a JSON object."));

    auto& db = session_.db();
    std::string id = new_uuid();
    std::string now = now_utc_iso();
    std::string items = nlohmann::json(draft.items).dump();
    Transaction tx(db);
    std::string number = next_case_number(today_local());
    db.prepare("INSERT INTO cases(id, case_number, applicant_kind, applicant_id, applicant_name, "
               "items, catalog_version, form_data, state, note, received_by, received_at, "
               "promised_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, id)
        .bind(2, number)
        .bind(3, draft.applicant_kind)
        .bind(4, draft.applicant_id)
        .bind(5, draft.applicant_name)
        .bind(6, items)
        .bind(7, draft.catalog_version)
        .bind(8, form.dump())
        .bind(9, draft.state)
        .bind(10, draft.note)
        .bind(11, session_.user().id)
        .bind(12, now)
        .bind(13, draft.promised_date)
        .bind(14, now)
        .run();
    auto material = db.prepare("INSERT INTO materials(case_id, material_key, name, necessity, "
                               "status, pages, license_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
    nlohmann::json materials = nlohmann::json::array();
    for (const auto& m : draft.materials) {
        material.bind(1, id).bind(2, m.key).bind(3, m.name).bind(4, m.necessity);
        material.bind(5, m.status).bind(6, m.pages);
        if (m.license_id.empty())
            material.bind_null(7);
        else
            material.bind(7, m.license_id);
        material.run();
        material.reset();
        materials.push_back({{"key", m.key},
                             {"status", m.status},
                             {"pages", m.pages},
                             {"license_id", m.license_id}});
    }
    nlohmann::json payload = {{"id", id},
                              {"case_number", number},
                              {"workstation", session_.workstation_id()},
                              {"applicant",
                               {{"kind", draft.applicant_kind},
                                {"id", draft.applicant_id},
                                {"name", draft.applicant_name}}},
                              {"items", draft.items},
                              {"catalog_version", draft.catalog_version},
                              {"form", form},
                              {"materials", materials},
                              {"state", draft.state},
                              {"note", draft.note},
                              {"received_by", session_.user().name},
                              {"received_at", now},
                              {"promised_date", draft.promised_date}};
    enqueue_mutation(db, "case", id, "create", payload.dump(), now);
    session_.audit().append(
        session_.user().name, "case.intake", number,
        nlohmann::json({{"items", draft.items}, {"state", draft.state}}).dump());
    if (within) {
        CaseSummary summary;
        summary.id = id;
        summary.case_number = number;
        summary.applicant_kind = draft.applicant_kind;
        summary.applicant_id = draft.applicant_id;
        summary.applicant_name = draft.applicant_name;
        summary.items = draft.items;
        summary.state = draft.state;
        summary.received_at = now;
        summary.promised_date = draft.promised_date;
        summary.received_by = session_.user().name;
        within(summary);
    }
    tx.commit();
    log::info("case taken in: id={} number={} items={}", id, number, draft.items.size());
    auto stored = find(number);
    return *stored;
}

std::vector<CaseSummary> CaseService::list(const std::string& state, int limit) {
    session_.require(Permission::ViewCases);
    std::vector<CaseSummary> out;
    auto st = session_.db().prepare(std::string(kSummarySelect) +
                                    "WHERE (? = '' OR c.state = ?) ORDER BY c.received_at DESC, "
                                    "c.case_number DESC LIMIT ?");
    st.bind(1, state).bind(2, state).bind(3, limit);
    while (st.step())
        out.push_back(read_summary(st));
    return out;
}

std::optional<CaseSummary> CaseService::find(const std::string& case_number) {
    session_.require(Permission::ViewCases);
    auto st = session_.db().prepare(std::string(kSummarySelect) + "WHERE c.case_number = ?");
    st.bind(1, case_number);
    if (!st.step())
        return std::nullopt;
    return read_summary(st);
}

std::vector<MaterialState> CaseService::materials(const std::string& case_id) {
    session_.require(Permission::ViewCases);
    std::vector<MaterialState> out;
    auto st = session_.db().prepare("SELECT material_key, name, necessity, status, pages, "
                                    "coalesce(license_id, '') FROM materials WHERE case_id = ? "
                                    "ORDER BY rowid");
    st.bind(1, case_id);
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3),
                       static_cast<int>(st.int64(4)), st.text(5)});
    return out;
}

std::int64_t CaseService::pending_outbox() {
    auto st = session_.db().prepare("SELECT count(*) FROM outbox WHERE state = 'pending'");
    st.step();
    return st.int64(0);
}

} // namespace ow::core
