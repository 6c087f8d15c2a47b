#include "fixture.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/intake_service.h"
#include "ow/core/reference_data.h"
#include "ow/core/util.h"
#include "ow/devices/page_pipeline.h"
#include "ow/devices/scanner.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>

using namespace ow::core;
using ow::test::catalog;
using ow::test::count;
using ow::test::restaurant;

BOOST_FIXTURE_TEST_SUITE(intake, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(complete_bundle_is_accepted_with_receipt_in_one_transaction) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto outcome = service.submit(restaurant("restaurant-complete.json"));
    BOOST_TEST(outcome.stored.state == "accepted");
    BOOST_TEST((outcome.document_kind == ow::forms::DocumentKind::Receipt));
    BOOST_TEST(outcome.stored.items.size() == 3u);
    BOOST_TEST(!outcome.stored.promised_date.empty());
    BOOST_TEST(outcome.deferred.size() == 1u); // 容缺后补
    BOOST_TEST(outcome.document_pdf.rfind("%PDF", 0) == 0u);
    BOOST_TEST(BlobStore(*c).get(outcome.document.id).size() == outcome.document_pdf.size());
    BOOST_TEST(count(*c, "SELECT count(*) FROM documents") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM outbox") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM materials WHERE status = 'deferred'") == 1);
    // Pinned to the catalog version it was taken under.
    auto st = c->db().prepare("SELECT catalog_version FROM cases");
    st.step();
    BOOST_TEST(st.text(0) == catalog().version());
}

// One scanned page as the scan panel hands it over: a light page with a dark block, encoded.
ow::devices::ScannedPage scanned_page() {
    ow::devices::RawPage raw;
    raw.width = 240;
    raw.height = 320;
    raw.resolution_dpi = 100;
    raw.bytes_per_line = 240;
    raw.data.assign(240 * 320, 0xF0);
    for (int y = 60; y < 120; ++y)
        for (int x = 40; x < 200; ++x)
            raw.data[static_cast<std::size_t>(y * 240 + x)] = 0x10;
    const auto image = ow::devices::PageImage::from_raw(raw);
    ow::devices::ScannedPage page;
    page.encoded = ow::devices::encode(image);
    page.thumbnail = ow::devices::thumbnail_jpeg(image);
    return page;
}

BOOST_AUTO_TEST_CASE(pages_scanned_at_the_counter_are_stored_with_the_case_or_not_at_all) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto request = restaurant("restaurant-complete.json");
    ScanAttachment scan;
    scan.material_key = "mat.id_card";
    scan.pages = {scanned_page(), scanned_page()};
    request.scans = {scan};
    auto outcome = service.submit(request);
    BOOST_TEST(count(*c, "SELECT count(*) FROM scan_pages") == 2);
    BOOST_TEST(count(*c, "SELECT count(*) FROM materials WHERE material_key = 'mat.id_card' AND "
                         "status = 'scanned' AND pages = 2 AND blob_id IS NOT NULL") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM documents WHERE kind = 'scan'") == 1);
    // A scan that cannot be stored (a material the case does not have): no case either.
    const auto cases_before = count(*c, "SELECT count(*) FROM cases");
    scan.material_key = "mat.no_such_material";
    request.scans = {scan};
    try {
        service.submit(request);
        BOOST_ERROR("an intake whose scan could not be stored was taken in");
    } catch (const CoreError& e) {
        BOOST_TEST((e.code() == ErrorCode::NotFound));
    }
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == cases_before);
    BOOST_TEST(count(*c, "SELECT count(*) FROM scan_pages") == 2);
}

BOOST_AUTO_TEST_CASE(missing_materials_give_the_one_time_notice) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto outcome = service.submit(restaurant("restaurant.json"));
    BOOST_TEST(outcome.stored.state == "pending-materials");
    BOOST_TEST((outcome.document_kind == ow::forms::DocumentKind::OneTimeNotice));
    BOOST_TEST(outcome.missing.size() >= 10u);
    BOOST_TEST(outcome.stored.promised_date.empty());
}

BOOST_AUTO_TEST_CASE(invalid_form_lists_every_error_and_stores_nothing) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto request = restaurant("restaurant-complete.json");
    request.values.erase("business.name");
    request.values["business.area"] = "eighty";
    request.applicant_id = "110105194912310021"; // wrong check character
    try {
        service.submit(request);
        BOOST_FAIL("invalid data must be rejected");
    } catch (const IntakeRejected& e) {
        std::set<std::string> keys;
        for (const auto& i : e.issues())
            keys.insert(i.key);
        BOOST_TEST(keys.count("applicant.id"));
        BOOST_TEST(keys.count("business.name"));
        BOOST_TEST(keys.count("business.area"));
    }
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == 0);
    BOOST_TEST(count(*c, "SELECT count(*) FROM outbox") == 0);
}

BOOST_AUTO_TEST_CASE(deferring_a_material_that_does_not_allow_it_is_refused) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto request = restaurant("restaurant-complete.json");
    request.materials["mat.id_card"] = {ow::forms::MaterialStatus::Deferred, 0, ""};
    BOOST_CHECK_THROW(service.submit(request), IntakeRejected);
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == 0);
}

BOOST_AUTO_TEST_CASE(prefill_fills_from_the_cache_and_keeps_edits) {
    {
        auto a = admin();
        ReferenceData(*a).generate_demo(50, 5);
    }
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto form = service.merge(catalog().find_bundle("OW-YJS-0001")->items);
    auto person = DemoDataGenerator().person(7);
    nlohmann::json current = {{"applicant.phone", "13900000000"}}; // typed by the clerk
    auto values = service.prefill(form, person.id_number, current);
    std::map<std::string, std::string> by_key;
    for (const auto& v : values)
        by_key[v.key] = v.source;
    BOOST_TEST(by_key.count("applicant.name"));
    BOOST_TEST(by_key["applicant.name"] == "party.name");
    BOOST_TEST(!by_key.count("applicant.phone")); // the clerk's edit is kept
}

BOOST_AUTO_TEST_CASE(refusal_at_the_counter_needs_a_reason_and_stores_the_notice) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto request = restaurant("restaurant.json"); // incomplete: a refusal does not need the form
    request.values.erase("business.name");
    request.materials["mat.id_card"] = {ow::forms::MaterialStatus::Received, 0, ""};
    request.materials["mat.premises_proof"] = {ow::forms::MaterialStatus::Received, 0, ""};
    BOOST_CHECK_THROW(service.refuse(request, {{"  "}, "", ""}), IntakeRejected);
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == 0);

    auto outcome = service.refuse(
        request,
        {{"申请事项依法不需要取得行政许可"}, "《中华人民共和国行政许可法》第三十二条", ""});
    BOOST_TEST(outcome.stored.state == "refused-at-intake");
    BOOST_TEST((outcome.document_kind == ow::forms::DocumentKind::Refusal));
    BOOST_TEST(outcome.stored.promised_date.empty());
    BOOST_TEST(outcome.document_pdf.rfind("%PDF", 0) == 0u);
    BOOST_TEST(count(*c, "SELECT count(*) FROM documents WHERE kind = 'refusal'") == 1);
    BOOST_TEST(count(*c, "SELECT count(*) FROM outbox") == 1);
    // What the applicant handed in is recorded as given back.
    BOOST_TEST(count(*c, "SELECT count(*) FROM materials WHERE status = 'returned'") == 2);
}

BOOST_AUTO_TEST_CASE(immediate_items_are_concluded_on_the_spot) {
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    // Only a 即办件 can be concluded at the counter.
    auto restaurant_request = restaurant("restaurant-complete.json");
    restaurant_request.complete_on_the_spot = true;
    BOOST_CHECK_THROW(service.submit(restaurant_request), IntakeRejected);
    BOOST_TEST(!service.can_complete_on_the_spot(service.merge(restaurant_request.items)));

    IntakeRequest r; // 老年人优待证办理: a 即办件
    r.items = {"20060400150100"};
    r.applicant_kind = "person";
    r.applicant_id = "11010519491231002X";
    r.applicant_name = "王芳";
    r.values = {{"applicant.type", "person"},
                {"applicant.name", "王芳"},
                {"applicant.id_number", "11010519491231002X"},
                {"applicant.phone", "13800138000"},
                {"agent.present", false},
                {"household.register_address", {{"region", "110105"}, {"detail", "建国路88号"}}},
                {"delivery.method", "window"}};
    r.complete_on_the_spot = true;
    BOOST_TEST(service.can_complete_on_the_spot(service.merge(r.items)));
    // Not with a material missing.
    r.materials["mat.id_card"] = {ow::forms::MaterialStatus::Received, 0, ""};
    BOOST_CHECK_THROW(service.submit(r), IntakeRejected);
    BOOST_TEST(count(*c, "SELECT count(*) FROM cases") == 0);
    r.materials["mat.photo"] = {ow::forms::MaterialStatus::Received, 0, ""};
    auto outcome = service.submit(r);
    BOOST_TEST(outcome.stored.state == "completed");
    BOOST_TEST(outcome.stored.promised_date == ow::forms::format_date(ow::forms::today()));
    BOOST_TEST((outcome.document_kind == ow::forms::DocumentKind::Receipt));
}

BOOST_AUTO_TEST_CASE(only_clerks_take_in) {
    auto o = officer();
    IntakeService service(*o, catalog(), ow::forms::WorkingCalendar::builtin());
    BOOST_CHECK_THROW(service.submit(restaurant("restaurant-complete.json")), CoreError);
    BOOST_CHECK_THROW(service.refuse(restaurant("restaurant.json"), {{"不属于受理范围"}, "", ""}),
                      CoreError);
}

BOOST_AUTO_TEST_SUITE_END()

#include "ow/core/intake_wizard.h"

BOOST_FIXTURE_TEST_CASE(wizard_walks_a_bundle_from_applicant_to_receipt,
                        ow::test::WorkstationFixture) {
    {
        auto a = admin();
        ReferenceData(*a).generate_demo(50, 5);
    }
    auto c = clerk();
    IntakeWizardPresenter wizard(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    using Step = IntakeWizardPresenter::Step;
    BOOST_TEST(!wizard.next()); // no applicant yet
    BOOST_TEST(!wizard.problems().empty());
    auto person = DemoDataGenerator().person(0);
    wizard.look_up(person.id_number);
    BOOST_TEST(wizard.applicant_name() == person.name);
    BOOST_TEST(wizard.next());
    BOOST_TEST((wizard.step() == Step::Items));

    BOOST_TEST(!wizard.next()); // no items
    auto hits = wizard.search("kbcy");
    BOOST_REQUIRE(!hits.empty());
    BOOST_REQUIRE(hits.front().bundle != nullptr); // bundles first
    wizard.add_bundle(hits.front().bundle->code);
    BOOST_TEST(wizard.items().size() == 3u);
    BOOST_TEST(wizard.next());
    BOOST_TEST((wizard.step() == Step::Form));
    BOOST_TEST(wizard.prefilled_from("applicant.name") == "party.name");
    BOOST_TEST(!wizard.next()); // required fields are empty
    BOOST_TEST(wizard.field_issues().count("business.name"));

    auto data = nlohmann::json::parse(
        read_file(std::filesystem::path(OW_SOURCE_DIR) / "tests/data/intake/restaurant.json"));
    for (auto it = data["values"].begin(); it != data["values"].end(); ++it)
        if (!wizard.values().contains(it.key()))
            wizard.set_value(it.key(), *it);
    wizard.set_value("applicant.phone", "13912345678"); // an edit over a prefilled value
    BOOST_TEST(wizard.prefilled_from("applicant.phone").empty());
    BOOST_TEST(wizard.next());
    BOOST_TEST((wizard.step() == Step::Materials));
    wizard.mark_all_received();
    BOOST_TEST(wizard.next());
    BOOST_TEST((wizard.step() == Step::Review));
    BOOST_TEST(!wizard.promised_date().empty());
    BOOST_TEST(!wizard.can_complete_on_the_spot()); // 承诺件, not 即办件
    BOOST_TEST(!wizard.refuse({{""}, "", ""}));     // a refusal needs a reason
    BOOST_TEST(!wizard.problems().empty());
    BOOST_TEST((wizard.step() == Step::Review));
    BOOST_TEST(wizard.next()); // submit
    BOOST_TEST((wizard.step() == Step::Done));
    BOOST_REQUIRE(wizard.outcome().has_value());
    BOOST_TEST(wizard.outcome()->stored.state == "accepted");
    BOOST_TEST(wizard.outcome()->stored.applicant_name == person.name);
}

BOOST_FIXTURE_TEST_CASE(an_intake_in_progress_survives_closing_the_wizard,
                        ow::test::WorkstationFixture) {
    {
        auto a = admin();
        ReferenceData(*a).generate_demo(50, 5);
    }
    auto data = nlohmann::json::parse(
        read_file(std::filesystem::path(OW_SOURCE_DIR) / "tests/data/intake/restaurant.json"));
    auto person = DemoDataGenerator().person(1);
    using Step = IntakeWizardPresenter::Step;
    {
        auto c = clerk();
        IntakeWizardPresenter wizard(*c, catalog(), ow::forms::WorkingCalendar::builtin());
        BOOST_TEST(!wizard.pending_draft().has_value());
        wizard.look_up(person.id_number);
        BOOST_TEST(wizard.next());
        wizard.add_bundle("OW-YJS-0001");
        BOOST_TEST(wizard.next());
        for (auto it = data["values"].begin(); it != data["values"].end(); ++it)
            if (!wizard.values().contains(it.key()))
                wizard.set_value(it.key(), *it);
        wizard.set_value("business.name", "草稿小馆");
        BOOST_TEST(wizard.next());
        BOOST_TEST((wizard.step() == Step::Materials));
        wizard.set_material("mat.id_card", {ow::forms::MaterialStatus::Received, 2, ""});
        wizard.save_draft(); // what the GUI does on its timer
    }                        // the wizard is gone: a logout, a closed window or a crash
    auto c = clerk();
    IntakeWizardPresenter wizard(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto draft = wizard.pending_draft();
    BOOST_REQUIRE(draft.has_value());
    BOOST_TEST(draft->applicant_name == person.name);
    BOOST_TEST(draft->items == 3u);
    BOOST_TEST(wizard.resume_draft());
    BOOST_TEST((wizard.step() == Step::Materials));
    BOOST_TEST(wizard.applicant().identifier == person.id_number);
    BOOST_TEST(wizard.values().value("business.name", "") == "草稿小馆");
    BOOST_TEST(wizard.prefilled_from("applicant.name") == "party.name");
    bool id_card_kept = false;
    for (const auto& row : wizard.materials())
        if (row.key == "mat.id_card")
            id_card_kept = row.decision.status == ow::forms::MaterialStatus::Received &&
                           row.decision.pages == 2;
    BOOST_TEST(id_card_kept);
    wizard.mark_all_received();
    BOOST_TEST(wizard.next()); // → review
    BOOST_TEST(wizard.next()); // submit
    BOOST_TEST((wizard.step() == Step::Done));
    BOOST_TEST(!wizard.pending_draft().has_value()); // a stored case is never offered again
    wizard.discard_draft();                          // harmless when there is none
}

BOOST_FIXTURE_TEST_CASE(a_cached_e_license_stands_in_for_the_paper_copy,
                        ow::test::WorkstationFixture) {
    {
        auto a = admin();
        ReferenceData(*a).generate_demo(10, 10);
    }
    auto c = clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    auto form = service.merge(catalog().find_bundle("OW-YJS-0001")->items);
    auto entity = DemoDataGenerator().entity(3);
    auto substitutes = service.e_license_substitutes(form, entity.uscc);
    BOOST_REQUIRE(substitutes.count("mat.business_license"));
    BOOST_TEST(substitutes["mat.business_license"].rfind("1.2.156.3005.2.111000000DEM00011E001.",
                                                         0) == 0u);

    // From the Licenses area into the intake open in the wizard (免提交).
    IntakeWizardPresenter wizard(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    const auto licenses = ReferenceData(*c).licenses_of(entity.uscc);
    BOOST_REQUIRE(!licenses.empty());
    const auto& license = licenses.front();
    BOOST_TEST(
        wizard.use_e_license(license.license_id, entity.uscc, license.type_code,
                             license.type_name)
            .empty()); // no form yet
    wizard.look_up(entity.uscc);
    BOOST_TEST(wizard.next());
    wizard.add_bundle("OW-YJS-0001");
    BOOST_TEST(wizard.next());
    BOOST_TEST(wizard
                   .use_e_license(license.license_id, "91110000000000000X", license.type_code,
                                  license.type_name)
                   .empty()); // another holder's license
    std::string used_for;
    for (const auto& l : licenses) {
        auto used = wizard.use_e_license(l.license_id, entity.uscc, l.type_code, l.type_name);
        if (!used.empty())
            used_for = l.license_id;
    }
    BOOST_REQUIRE(!used_for.empty());
    bool stands_in = false;
    for (const auto& row : wizard.materials())
        if (row.decision.status == ow::forms::MaterialStatus::ELicense)
            stands_in = row.decision.license_id == used_for;
    BOOST_TEST(stands_in);
}

#include "ow/core/approval_service.h"

BOOST_FIXTURE_TEST_CASE(officers_decide_accepted_cases_with_reasons, ow::test::WorkstationFixture) {
    std::string number;
    {
        auto c = clerk();
        IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
        number = service.submit(restaurant("restaurant-complete.json")).stored.case_number;
        BOOST_CHECK_THROW(ApprovalService(*c).decide(number, Decision::Approve, {}), CoreError);
    }
    auto o = officer();
    ApprovalService approvals(*o);
    BOOST_TEST(approvals.queue().size() == 1u);
    BOOST_CHECK_THROW(approvals.decide(number, Decision::Refuse, {"  "}), CoreError); // no reason
    BOOST_CHECK_THROW(approvals.decide("no-such-case", Decision::Approve, {}), CoreError);
    auto decided = approvals.decide(number, Decision::Return, {"经营场所证明不清晰"});
    BOOST_TEST(decided.state == "returned");
    BOOST_TEST(approvals.queue().empty());
    BOOST_CHECK_THROW(approvals.decide(number, Decision::Approve, {}), CoreError); // not accepted
    BOOST_TEST(count(*o, "SELECT count(*) FROM outbox WHERE operation = 'decide'") == 1);
    BOOST_TEST(count(*o, "SELECT count(*) FROM audit_events WHERE action = 'case.decide'") == 1);
    BOOST_TEST(o->audit().verify().ok());
}
