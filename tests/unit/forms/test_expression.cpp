#include "ow/forms/error.h"
#include "ow/forms/expression.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

using namespace ow::forms;
using nlohmann::json;

namespace {

const json kValues = json::parse(R"({
    "applicant.type": "entity",
    "applicant.name": "厦门鹭岛餐饮有限公司",
    "business.employees": 12,
    "business.area": 85.5,
    "business.kind": "restaurant",
    "business.opening_date": "2026-12-01",
    "business.outdoor_sign": true,
    "business.note": "   ",
    "staff": [{"name": "a"}, {"name": "b"}]
})");

bool eval(const std::string& text, const json& values = kValues) {
    return Expression::parse(text).evaluate_bool(values);
}

// Expects a FormsError(Expression) whose message contains `fragment`.
void expect_error(const std::string& text, const std::string& fragment,
                  const Expression::NameCheck& names = nullptr) {
    try {
        const auto e = Expression::parse(text, names);
        e.evaluate_bool(kValues);
        BOOST_ERROR("no error for: " << text.substr(0, 80));
    } catch (const FormsError& e) {
        BOOST_TEST((e.code() == FormsErrorCode::Expression));
        BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos,
                   "message for " << text.substr(0, 60) << ": " << e.what());
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(expression)

BOOST_AUTO_TEST_CASE(literals_and_comparisons) {
    BOOST_TEST(eval(R"(applicant.type == "entity")"));
    BOOST_TEST(eval(R"(applicant.type == 'entity')"));
    BOOST_TEST(!eval(R"(applicant.type != "entity")"));
    BOOST_TEST(eval("business.employees >= 10"));
    BOOST_TEST(eval("business.employees == 12.0"));
    BOOST_TEST(!eval("business.employees < 12"));
    BOOST_TEST(eval("business.area > 85 and business.area <= 85.5"));
    BOOST_TEST(eval("-1 < 0"));
    BOOST_TEST(eval(R"(business.opening_date >= "2026-11-28")"));
    BOOST_TEST(eval("business.outdoor_sign == true"));
    BOOST_TEST(eval("business.outdoor_sign"));
    BOOST_TEST(eval("true and not false"));
    BOOST_TEST(eval(R"("a\"b" == 'a"b')"));
}

BOOST_AUTO_TEST_CASE(logic_precedence_and_parentheses) {
    // and binds tighter than or.
    BOOST_TEST(eval("true or false and false"));
    BOOST_TEST(!eval("(true or false) and false"));
    BOOST_TEST(eval("not (business.employees > 100)"));
    BOOST_TEST(eval("not not true"));
    // Short-circuit: the right side is not evaluated (it would be a type error).
    BOOST_TEST(!eval(R"(false and applicant.name > 3)"));
    BOOST_TEST(eval(R"(true or applicant.name > 3)"));
}

BOOST_AUTO_TEST_CASE(in_and_functions) {
    BOOST_TEST(eval(R"(business.kind in ["restaurant", "bakery"])"));
    BOOST_TEST(!eval(R"(business.kind not in ["restaurant", "bakery"])"));
    BOOST_TEST(eval("business.employees in [1, 12, 30]"));
    BOOST_TEST(!eval("business.employees in []"));
    BOOST_TEST(eval("empty(missing.field)"));
    BOOST_TEST(eval("empty(business.note)")); // blanks only
    BOOST_TEST(!eval("empty(applicant.name)"));
    BOOST_TEST(eval("count(staff) == 2"));
    BOOST_TEST(eval("count(missing.table) == 0"));
    BOOST_TEST(eval("empty([])"));
    // Missing fields are null: equal to null only, never ordered.
    BOOST_TEST(eval("missing.field == null"));
    BOOST_TEST(!eval("missing.field == 3"));
    BOOST_TEST(!eval("missing.field > 3"));
}

BOOST_AUTO_TEST_CASE(references_and_known_names) {
    const auto e = Expression::parse(
        R"(applicant.type == "entity" and (business.employees > 3 or empty(business.kind)))");
    BOOST_TEST((e.references() ==
                std::set<std::string>{"applicant.type", "business.employees", "business.kind"}));
    const auto known = [](std::string_view n) {
        return n == "applicant.type";
    };
    BOOST_CHECK_NO_THROW(Expression::parse(R"(applicant.type == "person")", known));
    expect_error(R"(applicant.typo == "person")", "unknown field 'applicant.typo'", known);
    // Empty expression: no condition.
    const auto none = Expression::parse("  ");
    BOOST_TEST(none.empty());
    BOOST_TEST(none.evaluate_bool(kValues, true));
    BOOST_TEST(!none.evaluate_bool(kValues, false));
}

BOOST_AUTO_TEST_CASE(syntax_errors) {
    expect_error("applicant.type = \"x\"", "use == to compare");
    expect_error("!true", "use 'not'");
    expect_error("(true", "expected ')'");
    expect_error("true)", "unexpected ')'");
    expect_error("[1, 2", "expected ']'");
    expect_error("\"open", "not closed");
    expect_error("1 2", "unexpected '2'");
    expect_error("and true", "needs a value before it");
    expect_error("true and", "expected a value");
    expect_error("system(\"rm -rf /\")", "unknown function 'system'");
    expect_error("a.b == 1e9", "malformed number");
    expect_error("a.b == 0x10", "malformed number");
    expect_error("a.b == 1.2.3", "malformed number");
    expect_error("a.b == '\\n'", "unknown escape");
    expect_error("申请人 == 1", "non-ASCII");
    expect_error("a.b ; true", "unexpected character ';'");
    expect_error("x not y", "expected 'in'");
    expect_error("- a.b", "'-' must be followed by a number");
}

BOOST_AUTO_TEST_CASE(type_errors) {
    expect_error(R"(applicant.type == 3)", "cannot compare a string \"entity\" with a number");
    expect_error(R"(applicant.name > 3)", "needs two numbers or two strings");
    expect_error(R"(business.employees and true)", "'and' needs true or false, got a number");
    expect_error(R"(not applicant.type)", "'not' needs true or false");
    expect_error(R"(business.kind in "restaurant")", "needs a list");
    expect_error(R"(count(applicant.name) > 1)", "count() needs a table");
    expect_error(R"(business.employees)", "instead of true or false");
    expect_error(R"([1] == true)", "cannot compare a list");
}

BOOST_AUTO_TEST_CASE(hostile_input) {
    // Deep nesting: parentheses, nots, lists.
    expect_error(std::string(200, '(') + "true" + std::string(200, ')'), "nesting is deeper");
    std::string nots;
    for (int i = 0; i < 100; ++i) {
        nots += "not ";
    }
    expect_error(nots + "true", "nesting is deeper");
    expect_error(std::string(100, '[') + std::string(100, ']'), "nesting is deeper");
    // 32 nested parentheses are fine, 33 are not.
    BOOST_TEST(eval(std::string(32, '(') + "true" + std::string(32, ')')));
    expect_error(std::string(33, '(') + "true" + std::string(33, ')'), "nesting is deeper than 32");
    // Length.
    std::string long_expr = "true";
    while (long_expr.size() < 2100) {
        long_expr += " or true";
    }
    expect_error(long_expr, "the limit is 2000");
    // Huge numbers.
    expect_error("a.b == 99999999999999999999", "more than 15 significant digits");
    expect_error("a.b == 1000000000000000", "more than 15 significant digits");
    expect_error("a.b == " + std::string(300, '9'), "more than 15 significant digits");
    BOOST_TEST(eval("0.000000000000001 > 0"));
    // Long strings and lists.
    expect_error("a.b == \"" + std::string(600, 'x') + "\"", "longer than 500 bytes");
    std::string list = "1 in [";
    for (int i = 0; i < 250; ++i) {
        list += (i ? "," : "") + std::to_string(i);
    }
    expect_error(list + "]", "more than 200 items");
    // Binary garbage.
    expect_error(std::string("\x01\x02\xff", 3), "column 1");
    // A long chain of 'and' is fine (iterative, not nested).
    std::string chain = "true";
    for (int i = 0; i < 150; ++i) {
        chain += " and true";
    }
    BOOST_TEST(eval(chain));
    // The message quotes a shortened expression, not 2 KB of it.
    try {
        Expression::parse(std::string(1500, '(') + "x");
    } catch (const FormsError& e) {
        BOOST_TEST(std::string(e.what()).size() < 400u);
    }
}

BOOST_AUTO_TEST_CASE(copies_share_the_tree) {
    const auto a = Expression::parse("business.employees > 3");
    const Expression b = a;
    Expression c;
    c = b;
    BOOST_TEST(c.evaluate_bool(kValues));
    BOOST_TEST(c.text() == "business.employees > 3");
}

BOOST_AUTO_TEST_SUITE_END()
