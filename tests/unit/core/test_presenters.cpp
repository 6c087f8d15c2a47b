#include "fixture.h"
#include "ow/core/presenters.h"

#include <boost/test/unit_test.hpp>

using namespace ow::core;
using ow::test::pw;

namespace {
std::vector<std::string> keys(const std::vector<Area>& areas) {
    std::vector<std::string> out;
    for (const auto& a : areas)
        out.push_back(a.key);
    return out;
}
} // namespace

BOOST_FIXTURE_TEST_SUITE(presenters, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(login_presenter_enables_submit_and_reports_errors) {
    LoginPresenter login(dir.path / "ws");
    BOOST_TEST(login.workstation_exists());
    BOOST_TEST(!login.can_submit(5));
    login.set_user_name("  clerk1 ");
    BOOST_TEST(login.user_name() == "clerk1");
    BOOST_TEST(!login.can_submit(0));
    BOOST_TEST(login.can_submit(3));

    BOOST_TEST(login.submit(pw("wrong-password")) == nullptr);
    BOOST_TEST(login.failed_attempts() == 1);
    BOOST_TEST(login.error().message_template.find("password is wrong") != std::string::npos);

    auto session = login.submit(pw("clerk-pass-1"));
    BOOST_REQUIRE(session);
    BOOST_TEST(login.error().empty());
    BOOST_TEST(login.failed_attempts() == 0);
}

BOOST_AUTO_TEST_CASE(login_presenter_without_workstation) {
    LoginPresenter login(dir.path / "nothing-here");
    BOOST_TEST(!login.workstation_exists());
    login.set_user_name("clerk1");
    BOOST_TEST(login.submit(pw("clerk-pass-1")) == nullptr);
    BOOST_TEST(login.error().message_template.find("not set up") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(shell_shows_only_the_areas_a_role_may_use) {
    auto c = clerk();
    auto o = officer();
    auto a = admin();
    using V = std::vector<std::string>;
    BOOST_TEST(keys(ShellPresenter(*c).areas()) ==
                   (V{"intake", "cases", "licenses", "sync", "settings"}),
               boost::test_tools::per_element());
    BOOST_TEST(keys(ShellPresenter(*o).areas()) == (V{"cases", "approvals", "sync", "settings"}),
               boost::test_tools::per_element());
    BOOST_TEST(keys(ShellPresenter(*a).areas()) == (V{"sync", "settings"}),
               boost::test_tools::per_element());
    BOOST_TEST(ShellPresenter(*c).user_display_name() == "张三");
    BOOST_TEST(ShellPresenter::role_label(Role::Officer) == "Officer");
}

BOOST_AUTO_TEST_CASE(user_settings_persist_per_user) {
    {
        auto c = clerk();
        UserSettings(*c).set("language", "en");
        UserSettings(*c).set("language", "zh_CN");
    }
    auto c = clerk();
    BOOST_TEST(UserSettings(*c).get("language").value_or("") == "zh_CN");
    auto o = officer();
    BOOST_TEST(!UserSettings(*o).get("language").has_value());
}

BOOST_AUTO_TEST_CASE(ui_preferences_ignore_unknown_languages) {
    UiPreferences prefs(dir.path / "ws");
    BOOST_TEST(prefs.language() == "");
    prefs.set_language("zh_CN");
    BOOST_TEST(UiPreferences(dir.path / "ws").language() == "zh_CN");
    prefs.set_language("xx_YY");
    BOOST_TEST(UiPreferences(dir.path / "ws").language() == "");
}

BOOST_AUTO_TEST_SUITE_END()

#include "ow/core/reference_data.h"

BOOST_FIXTURE_TEST_CASE(applicant_lookup_recognises_checks_and_fills_the_card,
                        ow::test::WorkstationFixture) {
    {
        auto a = admin();
        ReferenceData(*a).generate_demo(100, 20);
    }
    auto c = clerk();
    ApplicantLookupPresenter lookup(*c);
    DemoDataGenerator gen;
    using K = ApplicantLookupPresenter::Kind;
    using S = ApplicantLookupPresenter::Severity;

    auto person = gen.person(3);
    auto r = lookup.look_up(" " + person.id_number + " ");
    BOOST_TEST((r.kind == K::Person));
    BOOST_TEST((r.severity == S::Info));
    BOOST_REQUIRE(!r.card.empty());
    BOOST_TEST(r.card[0].value == person.name);
    BOOST_TEST(r.source == "population cache");

    auto bad = person.id_number;
    bad[17] = bad[17] == '0' ? '1' : '0';
    r = lookup.look_up(bad);
    BOOST_TEST((r.severity == S::Error));
    BOOST_TEST(r.card.empty());

    auto entity = gen.entity(5);
    r = lookup.look_up(entity.uscc);
    BOOST_TEST((r.kind == K::Entity));
    BOOST_TEST(r.card[0].value == entity.name);
    BOOST_TEST(r.licenses.size() == 1u);

    // A real pilot code that fails the check digit: a warning, never a block.
    r = lookup.look_up("91350100M0001TGQXM");
    BOOST_TEST((r.kind == K::Entity));
    BOOST_TEST((r.severity == S::Warning));

    r = lookup.look_up("");
    BOOST_TEST((r.severity == S::Error));
}
