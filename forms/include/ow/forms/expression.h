// A small, safe expression language for conditional visibility ("visible_if") and conditional
// requirement ("required_if") of form fields. Parsed and evaluated by this code — no script engine.
//
//   applicant.type == "entity" and not empty(business.name)
//   business.employees >= 10 or business.kind in ["restaurant", "bakery"]
//
// Grammar (keywords are lowercase; whitespace is free):
//   expr     := and ("or" and)*
//   and      := unary ("and" unary)*
//   unary    := "not" unary | compare
//   compare  := primary [ ("==" | "!=" | "<" | "<=" | ">" | ">=") primary
//                       | "in" list | "not" "in" list ]
//   primary  := STRING | NUMBER | "true" | "false" | "null" | list | FIELD
//             | FUNC "(" expr ")" | "(" expr ")"
//   list     := "[" [ expr ("," expr)* ] "]"
//   FIELD    := a semantic key, identifiers joined by dots: applicant.id_number
//   FUNC     := empty (null, "", [], {} → true) | count (rows of a table / items of a list)
//   STRING   := "…" or '…' with \" \' \\ escapes; NUMBER := decimal, e.g. 12, 3.5, -2
//
// Types: null, bool, number, string, list. == and != compare values of the same type; either side
// may be null (a field left empty). <, <=, >, >= need two numbers or two strings (ISO dates compare
// as strings). and / or / not need booleans (short-circuit). in needs a list. Anything else is a
// type error at evaluation, never a silent false.
//
// Limits against hostile input (catalogs are synced data): at most 2,000 bytes of text, nesting
// depth 32, 200 tokens of list items, numbers with at most 15 significant digits and magnitude
// below 1e15, strings up to 500 bytes. Every violation is a FormsError(Expression) naming the
// expression, the column and what is wrong.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

namespace ow::forms {

struct ExpressionLimits {
    std::size_t max_length = 2000;
    int max_depth = 32;
    std::size_t max_list_items = 200;
    std::size_t max_string_bytes = 500;
};

class Expression {
public:
    // Decides whether a field name exists (e.g. the keys of the form); null accepts every name.
    using NameCheck = std::function<bool(std::string_view)>;

    // Throws FormsError(Expression) on a syntax error, a limit, or an unknown field name.
    static Expression parse(std::string_view text, const NameCheck& known_names = nullptr,
                            const ExpressionLimits& limits = {});

    Expression();
    Expression(const Expression&);
    Expression& operator=(const Expression&);
    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;
    ~Expression();

    const std::string& text() const noexcept { return text_; }
    bool empty() const noexcept { return root_ == nullptr; }
    // The semantic keys the expression reads, sorted.
    const std::set<std::string>& references() const noexcept { return references_; }

    // Evaluates against form values keyed by semantic key (a missing key is null).
    // Throws FormsError(Expression) on a type error.
    nlohmann::json evaluate(const nlohmann::json& values) const;
    // As evaluate, but the result must be a boolean; an empty expression gives `if_empty`.
    bool evaluate_bool(const nlohmann::json& values, bool if_empty = false) const;

    struct Node;

private:
    std::string text_;
    std::shared_ptr<const Node> root_; // immutable after parse: sharing is safe
    std::set<std::string> references_;
};

} // namespace ow::forms
