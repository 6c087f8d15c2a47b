#include "ow/forms/error.h"
#include "ow/forms/identifiers.h"
#include "ow/forms/regions.h"

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>
#include <vector>

using namespace ow::forms;

namespace {

const std::string kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const std::string kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Every printable ASCII character, for substitution tests.
std::string printable() {
    std::string out;
    for (char c = 0x20; c < 0x7F; ++c) {
        out += c;
    }
    return out;
}

std::string random_digits(std::mt19937& rng, int n) {
    std::uniform_int_distribution<int> d(0, 9);
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += static_cast<char>('0' + d(rng));
    }
    return s;
}

std::string generate_id(std::mt19937& rng) {
    static const std::vector<std::string> areas = {"110105", "310115", "440305", "150102",
                                                   "152502", "440524", "340524", "370101"};
    std::uniform_int_distribution<std::size_t> a(0, areas.size() - 1);
    std::uniform_int_distribution<int> year(1900, 2020), month(1, 12), day(1, 28);
    char date[9];
    std::snprintf(date, sizeof date, "%04d%02d%02d", year(rng), month(rng), day(rng));
    const std::string first17 = areas[a(rng)] + date + random_digits(rng, 3);
    return first17 + id_number_check_char(first17);
}

std::string generate_uscc(std::mt19937& rng) {
    std::uniform_int_distribution<std::size_t> pick(0, kUsccAlphabet.size() - 1);
    std::string org;
    for (int i = 0; i < 8; ++i) {
        org += kUsccAlphabet[pick(rng)];
    }
    // Keep the embedded organisation code valid; its check character may be X, which is in the
    // USCC alphabet too.
    std::string first17 = std::string("91") + "440300" + org + org_code_check_char(org);
    return first17 + uscc_check_char(first17);
}

} // namespace

BOOST_AUTO_TEST_SUITE(identifiers)

BOOST_AUTO_TEST_CASE(normalization) {
    BOOST_TEST(normalize_identifier("  11010519491231002x\t") == "11010519491231002X");
    // Full-width digits and letter, ideographic spaces around.
    BOOST_TEST(normalize_identifier("\u3000１１０１０５１９４９１２３１００２ｘ\u3000") ==
               "11010519491231002X");
    BOOST_TEST(normalize_identifier("") == "");
    BOOST_TEST(normalize_identifier("   ") == "");
    BOOST_TEST(normalize_identifier("a b") == "A B");
}

BOOST_AUTO_TEST_CASE(id_number_vectors) {
    for (const char* v :
         {"11010519491231002X", "440524188001010014", "34052419800101001X", "370101190102039973"}) {
        const auto r = check_id_number(v);
        BOOST_TEST((r.status == CheckStatus::Valid), v << ": " << r.message);
        BOOST_TEST(r.normalized == v);
    }
    BOOST_TEST(id_number_check_char("11010519491231002") == 'X');
    BOOST_TEST(id_number_check_char("44052418800101001") == '4');
    const auto bad = check_id_number("340524198001010013");
    BOOST_TEST((bad.status == CheckStatus::Invalid));
    BOOST_TEST(bad.code == "id.check-char");
    BOOST_TEST(bad.message.find("'X'") != std::string::npos, bad.message);
    BOOST_TEST(id_number_birth_date("11010519491231002X") == "1949-12-31");
    BOOST_TEST(!id_number_is_male("11010519491231002X"));
    BOOST_TEST(id_number_is_male("440524188001010014"));
    BOOST_CHECK_THROW(id_number_check_char("1101051949123100"), FormsError);
    BOOST_CHECK_THROW(id_number_check_char("1101051949123100A"), FormsError);
}

BOOST_AUTO_TEST_CASE(id_number_edge_cases) {
    BOOST_TEST(check_id_number("").code == "id.empty");
    BOOST_TEST(check_id_number("  ").code == "id.empty");
    BOOST_TEST(check_id_number("11010519491231002X1").code == "id.length");
    BOOST_TEST(check_id_number("11010519491231002").code == "id.length");
    // Lowercase x and full-width input are accepted after normalisation.
    const auto lower = check_id_number(" 11010519491231002x ");
    BOOST_TEST((lower.status == CheckStatus::Valid));
    BOOST_TEST(lower.normalized == "11010519491231002X");
    BOOST_TEST(
        (check_id_number("１１０１０５１９４９１２３１００２Ｘ").status == CheckStatus::Valid));
    // X anywhere but last, letters, Chinese characters.
    BOOST_TEST(check_id_number("1101051949123100X2").code == "id.alphabet");
    BOOST_TEST(check_id_number("11010519491231002中").code == "id.alphabet");
    // 29 February: exists in 2000 and 1996, not in 1900, 2001 or 2023.
    auto with_date = [](const std::string& area, const std::string& date) {
        const std::string first17 = area + date + "123";
        return first17 + id_number_check_char(first17);
    };
    BOOST_TEST((check_id_number(with_date("110105", "20000229")).status == CheckStatus::Valid));
    BOOST_TEST((check_id_number(with_date("110105", "19960229")).status == CheckStatus::Valid));
    for (const char* d :
         {"19000229", "20010229", "20230229", "19990431", "19991301", "19990100", "18491231"}) {
        const auto r = check_id_number(with_date("110105", d));
        BOOST_TEST(r.code == "id.birth-date", d << ": " << r.message);
    }
    // A birth date in the future.
    BOOST_TEST(check_id_number(with_date("110105", "29990101")).code == "id.birth-date");
    // Unknown province prefix.
    BOOST_TEST(check_id_number(with_date("990105", "19800101")).code == "id.region");
    BOOST_TEST(check_id_number(with_date("000105", "19800101")).code == "id.region");
    // 2023 foreign permanent-resident card: '9' + province.
    BOOST_TEST((check_id_number(with_date("911156", "19800101")).status == CheckStatus::Valid));
    // 15-digit legacy number: Invalid, with the 18-digit form offered.
    const auto legacy = check_id_number("110105491231002");
    BOOST_TEST((legacy.status == CheckStatus::Invalid));
    BOOST_TEST(legacy.code == "id.legacy-15");
    BOOST_TEST(legacy.normalized == "11010519491231002X");
    BOOST_TEST(legacy.message.find("11010519491231002X") != std::string::npos);
    BOOST_TEST(upgrade_legacy_id_number("110105491231002") == "11010519491231002X");
}

BOOST_AUTO_TEST_CASE(id_number_every_substitution_rejected) {
    std::mt19937 rng(20261128);
    std::vector<std::string> valid = {"11010519491231002X", "440524188001010014",
                                      "34052419800101001X", "370101190102039973"};
    for (int i = 0; i < 200; ++i) {
        valid.push_back(generate_id(rng));
    }
    const auto chars = printable();
    std::size_t mutants = 0;
    for (const auto& v : valid) {
        BOOST_REQUIRE_MESSAGE(check_id_number(v).status == CheckStatus::Valid, v);
        for (std::size_t pos = 0; pos < v.size(); ++pos) {
            for (const char c : chars) {
                if (c == v[pos] || (pos == 17 && c == 'x' && v[pos] == 'X')) {
                    continue;
                }
                std::string m = v;
                m[pos] = c;
                ++mutants;
                const auto r = check_id_number(m);
                if (r.status != CheckStatus::Invalid) {
                    BOOST_ERROR("mutant accepted: " << m << " (" << r.message << ")");
                }
            }
        }
    }
    BOOST_TEST(mutants > 300000u);
}

BOOST_AUTO_TEST_CASE(uscc_vectors) {
    for (const char* v : {"914403001922038216", "9144030071526726XG", "91330100716105852F",
                          "91350200MA2YJ1XR9G", "11100000000013338W", "11430000006122244L",
                          "11330105002500287C", "113700000045046442", "123502001549897397"}) {
        const auto r = check_uscc(v);
        BOOST_TEST((r.status == CheckStatus::Valid), v << ": " << r.message);
    }
    // Real pilot codes that fail MOD 31: warned with the computed check character, never rejected.
    const std::vector<std::pair<std::string, char>> pilots = {{"91350100M0001TGQXM", '1'},
                                                              {"91350211M0000XUF46", 'R'},
                                                              {"91350203M0001FUE2P", 'J'},
                                                              {"91350203M0001QAY9B", '9'}};
    for (const auto& [code, computed] : pilots) {
        BOOST_TEST(uscc_check_char(code.substr(0, 17)) == computed);
        const auto r = check_uscc(code);
        BOOST_TEST((r.status == CheckStatus::Warning), code << ": " << r.message);
        BOOST_TEST(r.message.find(std::string("gives '") + computed + "'") != std::string::npos,
                   r.message);
        // Their embedded organisation code still passes GB 11714: no second complaint.
        BOOST_TEST(r.message.find("organisation code") == std::string::npos, r.message);
    }
}

BOOST_AUTO_TEST_CASE(uscc_edge_cases) {
    BOOST_TEST(check_uscc("").code == "uscc.empty");
    BOOST_TEST(check_uscc("91440300192203821").code == "uscc.length");
    BOOST_TEST(check_uscc("9144030019220382166").code == "uscc.length");
    // Lowercase and full-width are normalised.
    BOOST_TEST((check_uscc(" 9144030071526726xg ").status == CheckStatus::Valid));
    BOOST_TEST((check_uscc("９１４４０３００１９２２０３８２１６").status == CheckStatus::Valid));
    // I O S V Z are excluded from the alphabet.
    for (const char c : std::string("IOSVZ")) {
        std::string m = "91350200MA2YJ1XR9G";
        m[10] = c;
        const auto r = check_uscc(m);
        BOOST_TEST(r.code == "uscc.alphabet", m << ": " << r.message);
        BOOST_TEST(r.message.find("Character 11") != std::string::npos, r.message);
    }
    // Letters in the region part.
    BOOST_TEST(check_uscc("91A40300192203821X").code == "uscc.region");
    // An embedded organisation code that fails GB 11714 warns even when MOD 31 passes.
    std::string first17 = "9144030019220382";
    first17 += '7'; // organisation check should be 1
    const auto code = first17 + uscc_check_char(first17);
    const auto r = check_uscc(code);
    BOOST_TEST((r.status == CheckStatus::Warning));
    BOOST_TEST(r.message.find("organisation code 19220382-7") != std::string::npos, r.message);
    BOOST_CHECK_THROW(uscc_check_char("9144030019220382I"), FormsError);
}

BOOST_AUTO_TEST_CASE(uscc_every_substitution_warned_or_rejected) {
    std::mt19937 rng(31);
    std::vector<std::string> valid = {"914403001922038216", "9144030071526726XG",
                                      "91350200MA2YJ1XR9G", "11100000000013338W"};
    for (int i = 0; i < 100; ++i) {
        valid.push_back(generate_uscc(rng));
    }
    const auto chars = printable();
    for (const auto& v : valid) {
        BOOST_REQUIRE_MESSAGE(check_uscc(v).status == CheckStatus::Valid, v);
        for (std::size_t pos = 0; pos < v.size(); ++pos) {
            for (const char c : chars) {
                std::string m = v;
                m[pos] = c;
                if (m == v || normalize_identifier(m) == v) {
                    continue; // same character, or a lowercase variant
                }
                const auto r = check_uscc(m);
                if (r.status == CheckStatus::Valid) {
                    BOOST_ERROR("mutant accepted: " << m);
                }
                // A substitution within the alphabet is always caught by MOD 31 (a warning);
                // one outside it is rejected.
                const bool in_alphabet =
                    kUsccAlphabet.find(static_cast<char>(std::toupper(c))) != std::string::npos;
                if (!in_alphabet && c != ' ' && r.status != CheckStatus::Invalid) {
                    BOOST_ERROR("mutant with a foreign character not rejected: " << m);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(org_code) {
    for (const char* v : {"19220382-1", "71526726-X", "MA31DKY8-0", "D2143569-X"}) {
        const auto r = check_org_code(v);
        BOOST_TEST((r.status == CheckStatus::Valid), v << ": " << r.message);
        BOOST_TEST(r.normalized == v);
        std::string plain = v;
        plain.erase(8, 1);
        BOOST_TEST((check_org_code(plain).status == CheckStatus::Valid));
        BOOST_TEST(check_org_code(plain).normalized == v);
    }
    BOOST_TEST((check_org_code(" ma31dky8-0 ").status == CheckStatus::Valid));
    BOOST_TEST(org_code_check_char("71526726") == 'X');
    BOOST_TEST(org_code_check_char("MA31DKY8") == '0');
    BOOST_TEST(check_org_code("").code == "org.empty");
    BOOST_TEST(check_org_code("19220382").code == "org.length");
    BOOST_TEST(check_org_code("1922038-21").code == "org.length");
    BOOST_TEST(check_org_code("1922038_-1").code == "org.alphabet");
    BOOST_TEST(check_org_code("19220382-A").code == "org.alphabet");
    const auto w = check_org_code("19220382-2");
    BOOST_TEST((w.status == CheckStatus::Warning));
    BOOST_TEST(w.message.find("gives '1'") != std::string::npos, w.message);
}

BOOST_AUTO_TEST_CASE(org_code_every_substitution) {
    // GB 11714 weights are taken mod 11 over values 0-35, so replacing a body character by one
    // whose value differs by a multiple of 11 (e.g. '1' ↔ 'C') is undetectable by design. Every
    // other substitution must be rejected or warned.
    const auto chars = printable();
    for (const std::string v : {"192203821", "71526726X", "MA31DKY80", "D2143569X"}) {
        for (std::size_t pos = 0; pos < v.size(); ++pos) {
            for (const char c : chars) {
                std::string m = v;
                m[pos] = c;
                if (normalize_identifier(m) == v) {
                    continue;
                }
                const auto r = check_org_code(m);
                const auto up = static_cast<char>(std::toupper(c));
                const auto a = kAlnum.find(v[pos]);
                const auto b = kAlnum.find(up);
                const bool blind =
                    pos < 8 && b != std::string::npos && (a > b ? a - b : b - a) % 11 == 0;
                if (blind) {
                    BOOST_TEST((r.status == CheckStatus::Valid), m);
                } else if (r.status == CheckStatus::Valid) {
                    BOOST_ERROR("mutant accepted: " << m);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(license_id_vectors) {
    for (const char* v :
         {"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
          "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
          "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
          "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"}) {
        const auto r = check_license_id(v);
        BOOST_TEST((r.status == CheckStatus::Valid), v << ": " << r.message);
    }
    BOOST_TEST(license_id_check_char("11100000000013338W01111430000006122244L20230000403001") ==
               'U');
    const auto bad = check_license_id("1.2.156.3005.2.11100000000013661B006.113700000045046442."
                                      "209FA4E88F9E4C878F3E9BED2CE7EA49.001.M");
    BOOST_TEST((bad.status == CheckStatus::Invalid));
    BOOST_TEST(bad.code == "license.check-char");
    BOOST_TEST(bad.message.find("should be 'D'") != std::string::npos, bad.message);
}

BOOST_AUTO_TEST_CASE(license_id_edge_cases) {
    const std::string good =
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
    BOOST_TEST(check_license_id("").code == "license.empty");
    BOOST_TEST(check_license_id("1.2.156.3005.3.x").code == "license.root");
    BOOST_TEST(check_license_id(good + ".1").code == "license.structure");
    BOOST_TEST(check_license_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L."
                                "20230000403.01.U")
                   .code == "license.version");
    BOOST_TEST(check_license_id("1.2.156.3005.2.11100000000013338W01.11430000006122244L."
                                "20230000403.001.U")
                   .code == "license.type-code");
    BOOST_TEST(check_license_id("1.2.156.3005.2.11100000000013338W011.1143000000612.20230000403."
                                "001.U")
                   .code == "license.issuer");
    BOOST_TEST(check_license_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-"
                                "0000403.001.U")
                   .code == "license.alphabet");
    // Lowercase input is normalised.
    std::string lower = good;
    for (auto& c : lower) {
        c = static_cast<char>(std::tolower(c));
    }
    BOOST_TEST((check_license_id(lower).status == CheckStatus::Valid));
    // Every single substitution of the body is rejected (MOD 37,36 catches all of them; dots and
    // the root are structural).
    const auto chars = printable();
    for (std::size_t pos = 0; pos < good.size(); ++pos) {
        for (const char c : chars) {
            std::string m = good;
            m[pos] = c;
            if (normalize_identifier(m) == good) {
                continue;
            }
            const auto r = check_license_id(m);
            if (r.status != CheckStatus::Invalid) {
                BOOST_ERROR("mutant accepted: " << m << " " << r.message);
            }
        }
    }
    BOOST_CHECK_THROW(license_id_check_char("ABC-1"), FormsError);
}

BOOST_AUTO_TEST_CASE(region_codes) {
    const auto r = check_region_code("440305");
    BOOST_TEST((r.status == CheckStatus::Valid));
    BOOST_TEST(r.message.find("广东省深圳市南山区") != std::string::npos, r.message);
    BOOST_TEST((check_region_code("１５２５０２").status == CheckStatus::Valid));
    BOOST_TEST(check_region_code("").code == "region.empty");
    BOOST_TEST(check_region_code("44030").code == "region.format");
    BOOST_TEST(check_region_code("44030A").code == "region.format");
    BOOST_TEST(check_region_code("000000").code == "region.structure");
    BOOST_TEST(check_region_code("440005").code == "region.structure");
    // Abolished (440524 潮阳县) or not in the partial table → warning, never rejection.
    const auto old = check_region_code("440524");
    BOOST_TEST((old.status == CheckStatus::Warning));
    BOOST_TEST(old.message.find("广东省") != std::string::npos);
    BOOST_TEST((check_region_code("990000").status == CheckStatus::Warning));
}

BOOST_AUTO_TEST_CASE(region_table) {
    const auto& t = RegionTable::builtin();
    BOOST_TEST(t.edition().find("PARTIAL") != std::string::npos);
    BOOST_TEST(t.children("").size() == 34u);
    std::size_t prefectures = 0;
    for (const auto* p : t.children("")) {
        for (const auto* c : t.children(p->code)) {
            prefectures += c->level == RegionLevel::Prefecture ? 1 : 0;
        }
    }
    BOOST_TEST(prefectures == 333u); // 293 cities + 7 地区 + 30 自治州 + 3 盟
    BOOST_TEST(t.children("110000").size() == 16u);
    BOOST_TEST(t.children("310000").size() == 16u);
    BOOST_TEST(t.children("150000").size() == 12u);
    BOOST_TEST(t.children("440300").size() == 9u);
    BOOST_TEST(t.find("152502")->name == "锡林浩特市");
    BOOST_TEST(t.find("152502")->parent == "152500");
    BOOST_TEST(t.find("419001")->parent == "410000"); // province-administered
    BOOST_TEST(t.full_name("150102") == "内蒙古自治区呼和浩特市新城区");
    const auto hits = t.find_by_name("锡林");
    BOOST_TEST(hits.size() == 2u);
    BOOST_TEST(hits.front()->code == "152500"); // the prefecture before the county
    BOOST_TEST(t.find_by_name("").empty());
    BOOST_TEST(t.path("440305").size() == 3u);
    BOOST_CHECK_THROW(RegionTable::from_csv("110000,北京市\n", "x.csv"), FormsError); // no edition
    BOOST_CHECK_THROW(RegionTable::from_csv("# edition: t\n11000,北京\n", "x.csv"), FormsError);
    BOOST_CHECK_THROW(RegionTable::from_csv("# edition: t\n110000,北京\n110000,北京\n", "x.csv"),
                      FormsError);
    BOOST_CHECK_THROW(RegionTable::from_csv("# edition: t\n110101,东城区\n", "x.csv"),
                      FormsError); // no province row
    try {
        RegionTable::from_csv("# edition: t\n110000,北京市\n11x000,x\n", "regions.csv");
        BOOST_ERROR("no exception");
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()).find("regions.csv, line 3") != std::string::npos,
                   e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
