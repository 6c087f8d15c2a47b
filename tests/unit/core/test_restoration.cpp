// Certificate restoration (证照还原): the demo license set, lookup and verification, the reason
// rules, sealing with the center seal, attaching to a case, and checking a restored copy.
#include "fixture.h"
#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/licenses.h"
#include "ow/core/reference_data.h"
#include "ow/core/restoration_service.h"
#include "ow/forms/identifiers.h"
#include "ow/signing/pades_verifier.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>

using namespace ow::core;
using ow::test::catalog;
using ow::test::count;
using ow::test::restaurant;

namespace {

ow::forms::LicenseTemplates templates() {
    return ow::forms::LicenseTemplates::load_directory(std::filesystem::path(OW_SOURCE_DIR) /
                                                       "forms/data/license-templates");
}

struct RestorationFixture : ow::test::WorkstationFixture {
    RestorationFixture() {
        auto a = admin();
        ReferenceData(*a).generate_demo(20, 40);
    }
    // The first license of a type in the demo set.
    std::string license_of_type(Session& s, const std::string& type_name,
                                bool skip_tampered = true) {
        auto st = s.db().prepare("SELECT license_id, holder_id FROM licenses WHERE type_name = ? "
                                 "ORDER BY license_id");
        st.bind(1, type_name);
        const std::string tampered = DemoDataGenerator().entity(kDemoTamperedEntity).uscc;
        while (st.step())
            if (!skip_tampered || st.text(1) != tampered)
                return st.text(0);
        BOOST_FAIL("no demo license of type " + type_name);
        return {};
    }
};

std::string expect_core_error(const std::function<void()>& f, ErrorCode code) {
    try {
        f();
    } catch (const CoreError& e) {
        BOOST_TEST(to_string(e.code()) == to_string(code));
        return e.what();
    }
    BOOST_FAIL("expected a CoreError");
    return {};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(restoration, RestorationFixture)

BOOST_AUTO_TEST_CASE(demo_licenses_have_valid_identifiers_and_issuer_signatures) {
    auto c = clerk();
    RestorationService service(*c, templates());
    std::set<std::string> types;
    int untrusted = 0;
    auto st = c->db().prepare("SELECT license_id, holder_id FROM licenses");
    std::vector<std::string> ids;
    while (st.step())
        ids.push_back(st.text(0));
    BOOST_TEST(ids.size() > 40u);
    for (const auto& id : ids) {
        BOOST_TEST(ow::forms::check_license_id(id).ok(), id);
        auto v = service.find(id);
        types.insert(v.record.type_name);
        BOOST_TEST((v.layout != nullptr), id);
        if (!v.issuer.trusted)
            ++untrusted;
    }
    BOOST_TEST(types.size() == 6u); // every template has demo records
    BOOST_TEST(untrusted == 1);     // the deliberately altered record
    auto tampered = service.by_holder(DemoDataGenerator().entity(kDemoTamperedEntity).uscc);
    bool found = false;
    for (const auto& v : tampered)
        if (v.record.type_name == "营业执照") {
            found = true;
            BOOST_TEST(!v.restorable());
            BOOST_TEST(v.refusal().find("issuer signature") != std::string::npos);
        }
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(wrong_check_character_is_refused_before_the_cache) {
    auto c = clerk();
    RestorationService service(*c, templates());
    std::string id = license_of_type(*c, "营业执照");
    std::string wrong = id;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    auto what = expect_core_error([&] { service.find(wrong); }, ErrorCode::InvalidArgument);
    BOOST_TEST(what.find("check character") != std::string::npos, what);
    RestorationRequest r{wrong, "办理变更登记", "", ""};
    expect_core_error([&] { service.restore_with_center_seal(r); }, ErrorCode::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(reason_is_required_and_at_most_200_characters) {
    BOOST_TEST(check_restoration_reason("  办理变更  ") == "办理变更");
    std::string two_hundred;
    for (int i = 0; i < 200; ++i)
        two_hundred += "证";
    BOOST_TEST(check_restoration_reason(two_hundred) == two_hundred);
    auto empty =
        expect_core_error([] { check_restoration_reason(" \t "); }, ErrorCode::InvalidArgument);
    BOOST_TEST(empty.find("required") != std::string::npos);
    auto longer = expect_core_error([&] { check_restoration_reason(two_hundred + "x"); },
                                    ErrorCode::InvalidArgument);
    BOOST_TEST(longer.find("201 characters") != std::string::npos, longer);

    auto c = clerk();
    RestorationService service(*c, templates());
    const auto before = count(*c, "SELECT count(*) FROM restorations");
    RestorationRequest r{license_of_type(*c, "营业执照"), "", "", ""};
    expect_core_error([&] { service.restore_with_center_seal(r); }, ErrorCode::InvalidArgument);
    r.reason = two_hundred + "多";
    expect_core_error([&] { service.restore_with_center_seal(r); }, ErrorCode::InvalidArgument);
    BOOST_TEST(count(*c, "SELECT count(*) FROM restorations") == before);
}

BOOST_AUTO_TEST_CASE(untrusted_record_cannot_be_restored) {
    auto c = clerk();
    RestorationService service(*c, templates());
    std::string id;
    for (const auto& v : service.by_holder(DemoDataGenerator().entity(kDemoTamperedEntity).uscc))
        if (v.record.type_name == "营业执照")
            id = v.record.license_id;
    auto what = expect_core_error(
        [&] {
            service.restore_with_center_seal({id, "办理变更登记", "", ""});
        },
        ErrorCode::Conflict);
    BOOST_TEST(what.find("issuer signature") != std::string::npos, what);
    BOOST_TEST(count(*c, "SELECT count(*) FROM restorations") == 0);
}

BOOST_AUTO_TEST_CASE(restore_seals_stores_audits_and_verifies) {
    auto c = clerk();
    RestorationService service(*c, templates());
    const std::string id = license_of_type(*c, "食品经营许可证");
    auto result = service.restore_with_center_seal({id, "办理食品经营许可证延续", "", ""});
    BOOST_TEST(std::string(result.pdf.begin(), result.pdf.begin() + 5) == "%PDF-");
    BOOST_TEST(result.qr_payload.find(id) != std::string::npos);
    BOOST_TEST(count(*c, "SELECT count(*) FROM restorations") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM outbox WHERE entity_kind = 'restoration'") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM audit_events WHERE action = 'license.restore'") ==
               1);
    BOOST_TEST(c->audit().verify().ok());

    auto check = service.verify_copy(result.pdf, {});
    BOOST_TEST(check.ok(), check.seal_text);
    BOOST_TEST(check.license_id == id);

    // An edited copy: one byte of the page changed.
    auto edited = result.pdf;
    const std::string needle = "/Keywords (OWLIC1;id=";
    auto at = std::search(edited.begin(), edited.end(), needle.begin(), needle.end());
    BOOST_REQUIRE(at != edited.end());
    *(at + static_cast<long>(needle.size()) + 3) ^= 0x01;
    auto bad = service.verify_copy(edited, {});
    BOOST_TEST(!bad.seal_ok);
    BOOST_TEST(!bad.problems.empty());
    BOOST_TEST(bad.problems.front().rfind("seal:", 0) == 0u, bad.problems.front());
}

BOOST_AUTO_TEST_CASE(qr_mismatch_with_the_cached_record_fails_verification) {
    auto c = clerk();
    RestorationService service(*c, templates());
    const std::string id = license_of_type(*c, "排污许可证");
    auto result = service.restore_with_center_seal({id, "环评审批", "", ""});
    // The library re-issues the record with other face data, properly signed.
    DemoLicenseIssuer issuer("test issuer");
    auto record = *ReferenceData(*c).find_license(id);
    auto face = nlohmann::json::parse(record.face_data);
    face["行业类别"] = "火力发电";
    record.face_data = face.dump();
    issuer.sign(record);
    {
        Transaction tx(c->db());
        LicenseIssuers::add(c->db(), issuer.name(), issuer.certificate_der(), "test");
        c->db()
            .prepare("UPDATE licenses SET face_data = ?, issuer_signature = ? WHERE license_id = ?")
            .bind(1, record.face_data)
            .bind_blob(2, record.issuer_signature.data(), record.issuer_signature.size())
            .bind(3, id)
            .run();
        tx.commit();
    }
    BOOST_TEST(service.find(id).issuer.trusted);
    auto check = service.verify_copy(result.pdf, {});
    BOOST_TEST(check.seal_ok);
    BOOST_TEST(!check.payload_ok);
    BOOST_REQUIRE(!check.problems.empty());
    BOOST_TEST(check.problems.front().rfind("QR:", 0) == 0u, check.problems.front());
}

BOOST_AUTO_TEST_CASE(restored_copy_replaces_a_case_material_in_one_transaction) {
    auto c = clerk();
    CaseDraft d;
    d.applicant_kind = "entity";
    d.applicant_id = DemoDataGenerator().entity(1).uscc;
    d.applicant_name = DemoDataGenerator().entity(1).name;
    d.items = {"ITEM-1"};
    d.catalog_version = "test-1";
    d.materials = {{"mat.license", "食品经营许可证", "required", "missing", 0, ""}};
    auto stored = CaseService(*c).create(d);
    RestorationService service(*c, templates());
    const std::string id = service.by_holder(d.applicant_id).back().record.license_id;
    expect_core_error(
        [&] {
            service.restore_with_center_seal({id, "变更", stored.case_number, "mat.none"});
        },
        ErrorCode::NotFound);
    auto result =
        service.restore_with_center_seal({id, "变更登记", stored.case_number, "mat.license"});
    auto materials = CaseService(*c).materials(stored.id);
    BOOST_REQUIRE(materials.size() == 1u);
    BOOST_TEST(materials[0].status == "e-license");
    BOOST_TEST(materials[0].license_id == id);
    auto st = c->db().prepare("SELECT blob_id FROM materials WHERE case_id = ?");
    st.bind(1, stored.id);
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.text(0) == result.blob_id);
}

BOOST_AUTO_TEST_CASE(only_clerks_restore) {
    auto o = officer();
    RestorationService service(*o, templates());
    expect_core_error([&] { service.search("北京"); }, ErrorCode::PermissionDenied);
}

BOOST_AUTO_TEST_CASE(presenter_counts_reason_and_enables_restore) {
    auto c = clerk();
    RestorationService service(*c, templates());
    LicensesPresenter p(service);
    p.search(DemoDataGenerator().entity(1).uscc);
    BOOST_TEST(p.rows().size() >= 2u);
    BOOST_TEST(!p.can_restore());
    p.select(0);
    BOOST_TEST(!p.can_restore()); // no reason yet
    p.set_reason("办理许可延续");
    BOOST_TEST(p.reason_counter() == "6 / 200");
    BOOST_TEST(p.can_restore());
    BOOST_TEST(!p.details().empty());
    auto bmp = service.preview(*p.selection(), 30);
    BOOST_TEST(bmp.width > 100);
    BOOST_TEST(bmp.rgb.size() == static_cast<std::size_t>(bmp.width * bmp.height * 3));
    p.search("1.2.156.3005.2.111000000DEM00011E001.110105.202600000009.001.X");
    BOOST_TEST(p.rows().empty());
    BOOST_TEST(!p.error().empty());
}

BOOST_AUTO_TEST_SUITE_END()
