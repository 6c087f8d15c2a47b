#include "fixture.h"
#include "ow/core/case_service.h"
#include "ow/core/crypto.h"
#include "ow/core/database.h"
#include "ow/core/error.h"

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>
#include <set>

using namespace ow::core;

namespace {
CaseDraft draft() {
    CaseDraft d;
    d.applicant_kind = "person";
    d.applicant_id = "11010519491231002X";
    d.applicant_name = "王芳";
    d.items = {"ITEM-1", "ITEM-2"};
    d.catalog_version = "test-1";
    d.form_data = R"({"applicant.name":"王芳"})";
    d.note = "first visit";
    d.promised_date = "2026-12-10";
    d.materials = {{"id-card", "身份证", "required", "paper", 1, ""},
                   {"license", "营业执照", "required", "e-license", 0, "1.2.156.3005.2.x"}};
    return d;
}
} // namespace

BOOST_FIXTURE_TEST_SUITE(cases, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(intake_writes_case_materials_outbox_and_audit_together) {
    auto c = clerk();
    CaseService service(*c);
    std::set<std::string> numbers;
    for (int i = 0; i < 5; ++i) {
        auto stored = service.create(draft());
        BOOST_TEST(numbers.insert(stored.case_number).second);
        BOOST_TEST(stored.case_number.find(c->workstation_code()) != std::string::npos);
        BOOST_TEST(stored.received_by == "clerk1");
        BOOST_TEST(service.materials(stored.id).size() == 2u);
    }
    BOOST_TEST(service.pending_outbox() == 5);
    BOOST_TEST(service.list().size() == 5u);
    BOOST_TEST(c->audit().verify().ok());
    auto st = c->db().prepare("SELECT count(*) FROM audit_events WHERE action = 'case.intake'");
    st.step();
    BOOST_TEST(st.int64(0) == 5);
}

BOOST_AUTO_TEST_CASE(invalid_drafts_store_nothing) {
    auto c = clerk();
    CaseService service(*c);
    auto bad = draft();
    bad.items.clear();
    BOOST_CHECK_THROW(service.create(bad), CoreError);
    bad = draft();
    bad.form_data = "[1,2]";
    BOOST_CHECK_THROW(service.create(bad), CoreError);
    bad = draft();
    bad.materials.push_back(bad.materials.front()); // duplicate material key: constraint
    BOOST_CHECK_THROW(service.create(bad), CoreError);
    BOOST_TEST(service.list().empty());
    BOOST_TEST(service.pending_outbox() == 0);
}

BOOST_AUTO_TEST_CASE(only_clerks_take_in_cases) {
    auto o = officer();
    BOOST_CHECK_THROW(CaseService(*o).create(draft()), CoreError);
    auto a = admin();
    BOOST_CHECK_THROW(CaseService(*a).list(), CoreError);
}

BOOST_AUTO_TEST_SUITE_END()

#include "ow/core/blob_store.h"

BOOST_FIXTURE_TEST_CASE(blobs_are_encrypted_named_by_keyed_hash_and_round_trip,
                        ow::test::WorkstationFixture) {
    auto c = clerk();
    BlobStore blobs(*c);
    std::string marker = "%PDF-1.7 MARKER-身份证复印件-110105194912310021";
    std::vector<unsigned char> content(marker.begin(), marker.end());
    content.resize(3 * 1024 * 1024 + 17, 'x'); // several chunks
    auto info = blobs.put(content, "application/pdf");
    BOOST_TEST(blobs.put(content, "application/pdf").id == info.id); // idempotent
    BOOST_TEST(blobs.get(info.id) == content);
    BOOST_TEST(info.id != ow::core::crypto::sha256_hex(marker)); // keyed, not a plain hash
    auto path = c->paths().dir / "blobs" / info.id.substr(0, 2) / info.id;
    std::string raw = ow::test::slurp(path);
    BOOST_TEST(raw.find("MARKER") == std::string::npos);
    BOOST_TEST(raw.find("%PDF") == std::string::npos);
    // A flipped byte is detected, not returned.
    raw[raw.size() / 2] ^= 1;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << raw;
    }
    BOOST_CHECK_THROW(blobs.get(info.id), CoreError);
    BOOST_CHECK_THROW(blobs.get("unknown"), CoreError);

    // The file gone, the row still there: storing the content again repairs it (same key).
    std::filesystem::remove(path);
    BOOST_TEST(blobs.put(content, "application/pdf").id == info.id);
    BOOST_TEST(blobs.get(info.id) == content);
    // The last whole chunk cut off: every remaining chunk opens, the blob is still refused.
    raw = ow::test::slurp(path);
    std::size_t pos = 0, last = 0;
    while (pos < raw.size()) {
        std::uint32_t size = 0;
        std::memcpy(&size, raw.data() + pos, sizeof size);
        last = pos;
        pos += sizeof size + size;
    }
    BOOST_REQUIRE(last > 0);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << raw.substr(0, last);
    }
    try {
        blobs.get(info.id);
        BOOST_ERROR("a blob without its last chunk was returned");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::CacheCorrupt));
    }
}
