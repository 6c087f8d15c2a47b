#include "ow/forms/prefill.h"
#include "ow/forms/validation.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>

using namespace ow::forms;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(prefill)

BOOST_AUTO_TEST_CASE(fills_from_cached_records_and_keeps_edits) {
    const auto catalog = Catalog::load_directory(OW_SOURCE_DIR "/forms/data/catalog");
    const auto form = merge_bundle(catalog, "OW-YJS-0001");
    const json sources = {{"person",
                           {{"id_number", "11010519491231002X"},
                            {"gender", "2"},
                            {"birth_date", "1949-12-31"},
                            {"ethnicity", "蒙古族"},
                            {"name", nullptr}}},
                          {"party",
                           {{"name", "张三"},
                            {"phone", "13800138000"},
                            {"address", {{"region", "150102"}, {"detail", "新华大街1号"}}}}}};
    const json current = {{"applicant.phone", "13900139000"}}; // typed by the clerk
    const auto fill = compute_prefill(form, sources, current);
    std::map<std::string, PrefillValue> by_key;
    for (const auto& p : fill) {
        by_key[p.key] = p;
    }
    BOOST_TEST(by_key.count("applicant.name") == 1u);
    BOOST_TEST(by_key["applicant.name"].source == "party.name");
    BOOST_TEST(by_key["applicant.id_number"].value == "11010519491231002X");
    BOOST_TEST(by_key["applicant.id_number"].source == "person.id_number");
    BOOST_TEST(by_key["applicant.address"].value["region"] == "150102");
    BOOST_TEST(by_key.count("applicant.phone") == 0u);  // the clerk's edit is kept
    BOOST_TEST(by_key.count("business.address") == 0u); // no entity record
    const auto values = apply_prefill(fill, current);
    BOOST_TEST(values["applicant.phone"] == "13900139000");
    BOOST_TEST(values["applicant.ethnicity"] == "蒙古族");
    // Overwrite replaces the clerk's value.
    const auto again = compute_prefill(form, sources, current, true);
    BOOST_TEST(std::any_of(again.begin(), again.end(),
                           [](const PrefillValue& p) { return p.key == "applicant.phone"; }));
    // Nothing to fill from empty sources.
    BOOST_TEST(compute_prefill(form, json::object()).empty());
    BOOST_TEST(compute_prefill(form, json::array()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
