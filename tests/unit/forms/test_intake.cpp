#include "ow/forms/intake.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

using namespace ow::forms;
using nlohmann::json;

namespace {

const Catalog& demo() {
    static const Catalog c = Catalog::load_directory(OW_SOURCE_DIR "/forms/data/catalog");
    return c;
}

std::map<std::string, MaterialStatus, std::less<>> all_received(const MergedForm& form) {
    std::map<std::string, MaterialStatus, std::less<>> s;
    for (const auto& m : form.materials) {
        s[m.material.key] = MaterialStatus::Received;
    }
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(intake)

BOOST_AUTO_TEST_CASE(decisions_from_materials) {
    const auto form = merge_bundle(demo(), "OW-YJS-0001"); // 开办餐饮店
    const json values = {{"agent.present", false}, {"sign.width", 4}, {"sign.height", 1}};
    auto statuses = all_received(form);
    auto a = assess_intake(form, values, statuses);
    BOOST_TEST((a.decision == IntakeDecision::Accept));
    BOOST_TEST(a.missing.empty());
    // Materials that do not apply (no agent, small sign) are NotApplicable whatever was recorded.
    for (const auto& c : a.materials) {
        if (c.material->material.key == "mat.power_of_attorney" ||
            c.material->material.key == "mat.structure_safety") {
            BOOST_TEST((c.status == MaterialStatus::NotApplicable), c.material->material.key);
        }
    }
    // A deferrable material missing → 容缺受理.
    statuses.erase("mat.food_safety_rules");
    a = assess_intake(form, values, statuses);
    BOOST_TEST((a.decision == IntakeDecision::AcceptWithDeficiency));
    BOOST_TEST(a.deferred.size() == 1u);
    BOOST_TEST(a.deferred.front()->material.key == "mat.food_safety_rules");
    // ... unless deficiency acceptance is not allowed.
    BOOST_TEST(
        (assess_intake(form, values, statuses, false).decision == IntakeDecision::OneTimeNotice));
    // ... but what the clerk explicitly accepted to follow stays deferred.
    statuses["mat.food_safety_rules"] = MaterialStatus::Deferred;
    BOOST_TEST((assess_intake(form, values, statuses, false).decision ==
                IntakeDecision::AcceptWithDeficiency));
    statuses.erase("mat.food_safety_rules");
    // A required material missing (or wrongly marked deferred) → one-time notice listing all.
    statuses["mat.premises_proof"] = MaterialStatus::Deferred;
    statuses.erase("mat.sign_design");
    a = assess_intake(form, values, statuses);
    BOOST_TEST((a.decision == IntakeDecision::OneTimeNotice));
    BOOST_TEST(a.missing.size() == 2u);
    // An e-license stands in for paper (免提交).
    statuses = all_received(form);
    statuses["mat.id_card"] = MaterialStatus::ELicense;
    BOOST_TEST((assess_intake(form, values, statuses).decision == IntakeDecision::Accept));
    // With an agent, the power of attorney is needed.
    const json with_agent = {{"agent.present", true}};
    statuses.erase("mat.power_of_attorney");
    BOOST_TEST(
        (assess_intake(form, with_agent, statuses).decision == IntakeDecision::OneTimeNotice));
}

BOOST_AUTO_TEST_CASE(deadlines_in_working_days) {
    const auto form = merge_bundle(demo(), "OW-YJS-0001");
    const auto& cal = WorkingCalendar::builtin();
    // Accepted Friday 2026-09-18; promised 1 and 5 working days; Sep 20 (Sun) is worked.
    const auto d = item_deadlines(demo(), form, cal, parse_date("2026-09-18"));
    BOOST_REQUIRE(d.size() == 3u);
    BOOST_TEST(d[0].time_limit_text == "1个工作日");
    BOOST_TEST(format_date(d[0].promised.date) == "2026-09-20");
    BOOST_TEST(format_date(d[1].promised.date) == "2026-09-24");
    BOOST_TEST(format_date(d[1].legal.date) == "2026-10-09"); // 10 working days over 国庆
    BOOST_TEST(format_date(case_promised_date(d)) == "2026-09-24");
    BOOST_CHECK_THROW(case_promised_date({}), std::exception);
    // An immediate item.
    const auto marriage = merge_items(demo(), {"07060100150100"});
    const auto m = item_deadlines(demo(), marriage, cal, parse_date("2026-10-03"));
    BOOST_TEST(m[0].time_limit_text == "即办件");
    BOOST_TEST(format_date(m[0].promised.date) == "2026-10-08"); // next working day
}

BOOST_AUTO_TEST_CASE(documents_from_the_assessment) {
    const auto form = merge_bundle(demo(), "OW-YJS-0001");
    auto statuses = all_received(form);
    statuses.erase("mat.sign_design");
    statuses.erase("mat.food_safety_rules");
    const json values = {{"agent.present", false}};
    const auto a = assess_intake(form, values, statuses);
    const auto deadlines =
        item_deadlines(demo(), form, WorkingCalendar::builtin(), parse_date("2026-11-27"));
    CaseDocument doc;
    doc.kind = DocumentKind::OneTimeNotice;
    doc.case_number = "150100-20261127-W01-000001";
    doc.organ_name = "呼和浩特市市场监督管理局";
    doc.center_name = "呼和浩特市政务服务中心";
    doc.applicant.name = "张三";
    doc.supplement_deadline = "2026年12月4日";
    fill_document(doc, demo(), form, a, deadlines);
    BOOST_TEST(doc.items.size() == 3u);
    BOOST_TEST(doc.items[1].name == "食品经营许可");
    BOOST_TEST(doc.materials.size() == form.materials.size());
    const auto missing =
        std::count_if(doc.materials.begin(), doc.materials.end(), [](const DocumentMaterial& m) {
            return m.status == MaterialStatus::Missing;
        });
    BOOST_TEST(missing == 1);
    const auto pdf = render_document(doc);
    BOOST_TEST(pdf.rfind("%PDF-", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
