#include "fixture.h"
#include "ow/core/reference_data.h"
#include "ow/forms/identifiers.h"

#include <boost/test/unit_test.hpp>
#include <set>

using namespace ow::core;

BOOST_AUTO_TEST_SUITE(reference_data)

BOOST_AUTO_TEST_CASE(demo_generator_is_deterministic_valid_and_unique) {
    DemoDataGenerator a, b;
    std::set<std::string> ids, usccs;
    for (std::size_t i = 0; i < 20000; ++i) {
        Person p = a.person(i);
        BOOST_REQUIRE(p.id_number == b.person(i).id_number);
        auto check = ow::forms::check_id_number(p.id_number);
        BOOST_REQUIRE_MESSAGE(check.status == ow::forms::CheckStatus::Valid,
                              p.id_number << ": " << check.message);
        BOOST_REQUIRE(ids.insert(p.id_number).second);
        BOOST_REQUIRE(p.birth_date.substr(0, 4) == p.id_number.substr(6, 4));
    }
    for (std::size_t i = 0; i < 2000; ++i) {
        Entity e = a.entity(i);
        BOOST_REQUIRE_MESSAGE(ow::forms::check_uscc(e.uscc).status == ow::forms::CheckStatus::Valid,
                              e.uscc);
        BOOST_REQUIRE(usccs.insert(e.uscc).second);
        LicenseRecord l = a.business_license(e, i);
        BOOST_REQUIRE_MESSAGE(ow::forms::check_license_id(l.license_id).status ==
                                  ow::forms::CheckStatus::Valid,
                              l.license_id);
    }
    // A different seed gives a different population.
    BOOST_TEST(DemoDataGenerator(7).person(0).id_number != a.person(0).id_number);
}

BOOST_FIXTURE_TEST_CASE(lookups_by_id_uscc_and_name_prefix, ow::test::WorkstationFixture) {
    {
        auto a = admin();
        auto counts = ReferenceData(*a).generate_demo(5000, 300);
        BOOST_TEST(counts.persons == 5000);
        BOOST_TEST(counts.entities == 300);
        std::int64_t expected = 0; // the business license, plus other types for some entities
        for (std::size_t i = 0; i < 300; ++i)
            expected += static_cast<std::int64_t>(
                DemoDataGenerator().licenses(DemoDataGenerator().entity(i), i).size());
        BOOST_TEST(counts.licenses == expected);
        BOOST_TEST(expected > 300);
    }
    auto c = clerk();
    ReferenceData ref(*c);
    DemoDataGenerator gen;
    Person p = gen.person(1234);
    auto found = ref.find_person(p.id_number);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->name == p.name);
    // Input as typed at a counter: full-width digits, lowercase x, spaces.
    std::string typed = " " + p.id_number + " ";
    if (typed[18] == 'X')
        typed[18] = 'x';
    BOOST_TEST(ref.find_person(typed).has_value());
    BOOST_TEST(!ref.find_person("110101190001010000").has_value());

    Entity e = gen.entity(42);
    BOOST_TEST(ref.find_entity(e.uscc)->name == e.name);
    BOOST_TEST(ref.licenses_of(e.uscc).size() == gen.licenses(e, 42).size() - 1); // 42 % 7 == 0:
    // the sole trader's license is held by the legal representative, not the entity

    auto by_name = ref.persons_by_name_prefix(p.name.substr(0, 3), 500);
    BOOST_TEST(!by_name.empty());
    for (const auto& q : by_name)
        BOOST_TEST(q.name.rfind(p.name.substr(0, 3), 0) == 0u);
    BOOST_TEST(!ref.entities_by_name_prefix(e.name.substr(0, 6)).empty());
    BOOST_TEST(ref.persons_by_name_prefix("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
