#include "ow/forms/expression.h"

#include "ow/forms/error.h"

#include <cmath>
#include <vector>

namespace ow::forms {

struct Expression::Node {
    enum class Kind { Literal, Field, List, Not, And, Or, Compare, In, NotIn, Empty, Count };
    Kind kind = Kind::Literal;
    nlohmann::json literal;
    std::string name; // field name, or the comparison operator
    std::size_t column = 0;
    std::vector<std::shared_ptr<const Node>> kids;
};

namespace {

using Node = Expression::Node;
using Kind = Node::Kind;
using json = nlohmann::json;

enum class Tok { End, String, Number, Name, LParen, RParen, LBracket, RBracket, Comma, Op };

struct Token {
    Tok type = Tok::End;
    std::string text;
    std::size_t column = 1;
    double number = 0;
};

[[noreturn]] void fail(std::string_view expr, std::size_t column, const std::string& problem) {
    std::string shown(expr.substr(0, 120));
    if (expr.size() > 120) {
        shown += "…";
    }
    throw FormsError(
        FormsErrorCode::Expression, N_("Expression '{expression}', column {column}: {problem}."),
        {{"expression", shown}, {"column", std::to_string(column)}, {"problem", problem}});
}

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
    return ident_start(c) || (c >= '0' && c <= '9');
}

class Lexer {
public:
    Lexer(std::string_view text, const ExpressionLimits& limits) : text_(text), limits_(limits) {}

    Token next() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\n' || text_[pos_] == '\r')) {
            ++pos_;
        }
        Token t;
        t.column = pos_ + 1;
        if (pos_ >= text_.size()) {
            return t;
        }
        const char c = text_[pos_];
        if (c == '"' || c == '\'') {
            return string_token(c, t);
        }
        if ((c >= '0' && c <= '9') || (c == '.' && pos_ + 1 < text_.size() &&
                                       text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9')) {
            return number_token(t);
        }
        if (ident_start(c)) {
            const auto start = pos_;
            while (pos_ < text_.size() &&
                   (ident_char(text_[pos_]) || (text_[pos_] == '.' && pos_ + 1 < text_.size() &&
                                                ident_start(text_[pos_ + 1])))) {
                ++pos_;
            }
            t.type = Tok::Name;
            t.text = std::string(text_.substr(start, pos_ - start));
            return t;
        }
        ++pos_;
        switch (c) {
        case '(':
            t.type = Tok::LParen;
            return t;
        case ')':
            t.type = Tok::RParen;
            return t;
        case '[':
            t.type = Tok::LBracket;
            return t;
        case ']':
            t.type = Tok::RBracket;
            return t;
        case ',':
            t.type = Tok::Comma;
            return t;
        case '-':
            t.type = Tok::Op;
            t.text = "-";
            return t;
        case '=':
        case '!':
        case '<':
        case '>': {
            t.type = Tok::Op;
            t.text = std::string(1, c);
            if (pos_ < text_.size() && text_[pos_] == '=') {
                t.text += '=';
                ++pos_;
            }
            if (t.text == "=" || t.text == "!") {
                fail(text_, t.column,
                     t.text == "=" ? "use == to compare" : "use 'not' or != instead of '!'");
            }
            return t;
        }
        default:
            break;
        }
        if (static_cast<unsigned char>(c) >= 0x80) {
            fail(text_, t.column,
                 "unexpected non-ASCII character outside a string (field names are ASCII "
                 "semantic keys; quote text values)");
        }
        fail(text_, t.column, std::string("unexpected character '") + c + "'");
    }

private:
    Token string_token(char quote, Token& t) {
        ++pos_;
        std::string value;
        while (true) {
            if (pos_ >= text_.size()) {
                fail(text_, t.column, "the string is not closed");
            }
            const char c = text_[pos_++];
            if (c == quote) {
                break;
            }
            if (c == '\\') {
                if (pos_ >= text_.size()) {
                    fail(text_, t.column, "the string is not closed");
                }
                const char e = text_[pos_++];
                if (e != '"' && e != '\'' && e != '\\') {
                    fail(text_, pos_ - 1, std::string("unknown escape \\") + e);
                }
                value += e;
            } else {
                value += c;
            }
            if (value.size() > limits_.max_string_bytes) {
                fail(text_, t.column,
                     "the string is longer than " + std::to_string(limits_.max_string_bytes) +
                         " bytes");
            }
        }
        t.type = Tok::String;
        t.text = std::move(value);
        return t;
    }

    Token number_token(Token& t) {
        const auto start = pos_;
        int digits = 0;
        int significant = 0;
        bool dot = false;
        bool leading = true;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c >= '0' && c <= '9') {
                ++digits;
                if (c != '0' || !leading) {
                    leading = false;
                    ++significant;
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
            ++pos_;
        }
        if (pos_ < text_.size() && (ident_char(text_[pos_]) || text_[pos_] == '.')) {
            fail(text_, pos_ + 1,
                 "malformed number (exponents, hex and trailing letters are not allowed)");
        }
        if (significant > 15 || digits > 40) {
            fail(text_, t.column, "the number has more than 15 significant digits");
        }
        t.type = Tok::Number;
        t.text = std::string(text_.substr(start, pos_ - start));
        t.number = std::stod(t.text);
        if (!std::isfinite(t.number) || std::fabs(t.number) >= 1e15) {
            fail(text_, t.column, "the number is too large (the limit is 1e15)");
        }
        return t;
    }

    std::string_view text_;
    const ExpressionLimits& limits_;
    std::size_t pos_ = 0;
};

class Parser {
public:
    Parser(std::string_view text, const Expression::NameCheck& names,
           const ExpressionLimits& limits, std::set<std::string>& refs)
        : text_(text), lexer_(text, limits), names_(names), limits_(limits), refs_(refs) {
        advance();
    }

    std::shared_ptr<const Node> parse() {
        auto root = parse_or(0);
        if (tok_.type != Tok::End) {
            fail(text_, tok_.column,
                 "unexpected '" + describe(tok_) + "' after a complete expression");
        }
        return root;
    }

private:
    static std::string describe(const Token& t) {
        switch (t.type) {
        case Tok::End:
            return "end of expression";
        case Tok::String:
            return "\"" + t.text + "\"";
        case Tok::LParen:
            return "(";
        case Tok::RParen:
            return ")";
        case Tok::LBracket:
            return "[";
        case Tok::RBracket:
            return "]";
        case Tok::Comma:
            return ",";
        default:
            return t.text;
        }
    }

    void advance() { tok_ = lexer_.next(); }
    bool is_word(const char* w) const { return tok_.type == Tok::Name && tok_.text == w; }

    void enter(int depth) const {
        if (depth > limits_.max_depth) {
            fail(text_, tok_.column,
                 "nesting is deeper than " + std::to_string(limits_.max_depth) + " levels");
        }
    }

    std::shared_ptr<Node> make(Kind k, std::size_t column) {
        auto n = std::make_shared<Node>();
        n->kind = k;
        n->column = column;
        return n;
    }

    // `depth` counts nesting constructs only: parentheses, lists, function calls and 'not'.
    std::shared_ptr<const Node> parse_or(int depth) {
        auto left = parse_and(depth);
        while (is_word("or")) {
            auto n = make(Kind::Or, tok_.column);
            advance();
            n->kids = {left, parse_and(depth)};
            left = n;
        }
        return left;
    }

    std::shared_ptr<const Node> parse_and(int depth) {
        auto left = parse_unary(depth);
        while (is_word("and")) {
            auto n = make(Kind::And, tok_.column);
            advance();
            n->kids = {left, parse_unary(depth)};
            left = n;
        }
        return left;
    }

    std::shared_ptr<const Node> parse_unary(int depth) {
        if (is_word("not")) {
            enter(depth + 1);
            auto n = make(Kind::Not, tok_.column);
            advance();
            n->kids = {parse_unary(depth + 1)};
            return n;
        }
        return parse_compare(depth);
    }

    std::shared_ptr<const Node> parse_compare(int depth) {
        auto left = parse_primary(depth);
        if (tok_.type == Tok::Op && tok_.text != "-") {
            auto n = make(Kind::Compare, tok_.column);
            n->name = tok_.text;
            advance();
            n->kids = {left, parse_primary(depth)};
            return n;
        }
        if (is_word("in")) {
            auto n = make(Kind::In, tok_.column);
            advance();
            n->kids = {left, parse_primary(depth)};
            return n;
        }
        if (is_word("not")) {
            auto n = make(Kind::NotIn, tok_.column);
            advance();
            if (!is_word("in")) {
                fail(text_, tok_.column, "expected 'in' after 'not' here");
            }
            advance();
            n->kids = {left, parse_primary(depth)};
            return n;
        }
        return left;
    }

    std::shared_ptr<const Node> parse_primary(int depth) {
        const Token t = tok_;
        switch (t.type) {
        case Tok::String: {
            auto n = make(Kind::Literal, t.column);
            n->literal = t.text;
            advance();
            return n;
        }
        case Tok::Number: {
            auto n = make(Kind::Literal, t.column);
            n->literal = t.number;
            advance();
            return n;
        }
        case Tok::Op:
            if (t.text == "-") {
                advance();
                if (tok_.type != Tok::Number) {
                    fail(text_, t.column, "'-' must be followed by a number");
                }
                auto n = make(Kind::Literal, t.column);
                n->literal = -tok_.number;
                advance();
                return n;
            }
            break;
        case Tok::LParen: {
            enter(depth + 1);
            advance();
            auto inner = parse_or(depth + 1);
            expect(Tok::RParen, ")", t.column);
            return inner;
        }
        case Tok::LBracket: {
            enter(depth + 1);
            auto n = make(Kind::List, t.column);
            advance();
            if (tok_.type != Tok::RBracket) {
                while (true) {
                    n->kids.push_back(parse_or(depth + 1));
                    if (n->kids.size() > limits_.max_list_items) {
                        fail(text_, tok_.column,
                             "a list has more than " + std::to_string(limits_.max_list_items) +
                                 " items");
                    }
                    if (tok_.type != Tok::Comma) {
                        break;
                    }
                    advance();
                }
            }
            expect(Tok::RBracket, "]", t.column);
            return n;
        }
        case Tok::Name:
            return parse_name(depth);
        default:
            break;
        }
        fail(text_, t.column, "expected a value, a field or '(' but found '" + describe(t) + "'");
    }

    std::shared_ptr<const Node> parse_name(int depth) {
        const Token t = tok_;
        advance();
        if (t.text == "true" || t.text == "false") {
            auto n = make(Kind::Literal, t.column);
            n->literal = t.text == "true";
            return n;
        }
        if (t.text == "null") {
            return make(Kind::Literal, t.column);
        }
        if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in") {
            fail(text_, t.column, "'" + t.text + "' needs a value before it");
        }
        if (tok_.type == Tok::LParen) {
            Kind k;
            if (t.text == "empty") {
                k = Kind::Empty;
            } else if (t.text == "count") {
                k = Kind::Count;
            } else {
                fail(text_, t.column, "unknown function '" + t.text + "' (known: empty, count)");
            }
            enter(depth + 1);
            auto n = make(k, t.column);
            n->name = t.text;
            advance();
            n->kids = {parse_or(depth + 1)};
            expect(Tok::RParen, ")", t.column);
            return n;
        }
        if (names_ && !names_(t.text)) {
            fail(text_, t.column, "unknown field '" + t.text + "'");
        }
        auto n = make(Kind::Field, t.column);
        n->name = t.text;
        refs_.insert(t.text);
        return n;
    }

    void expect(Tok type, const char* what, std::size_t opened_at) {
        if (tok_.type != type) {
            fail(text_, tok_.column,
                 std::string("expected '") + what + "' to close the one at column " +
                     std::to_string(opened_at) + ", found '" + describe(tok_) + "'");
        }
        advance();
    }

    std::string_view text_;
    Lexer lexer_;
    const Expression::NameCheck& names_;
    const ExpressionLimits& limits_;
    std::set<std::string>& refs_;
    Token tok_;
};

const char* type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    case json::value_t::string:
        return "a string";
    case json::value_t::array:
        return "a list";
    case json::value_t::object:
        return "a table row";
    default:
        return "a value";
    }
}

std::string show(const json& v) {
    auto s = v.dump();
    if (s.size() > 40) {
        s = s.substr(0, 40) + "…";
    }
    return s;
}

bool values_equal(const json& a, const json& b) {
    if (a.is_number() && b.is_number()) {
        return a.get<double>() == b.get<double>();
    }
    return a == b;
}

class Evaluator {
public:
    Evaluator(std::string_view text, const json& values) : text_(text), values_(values) {}

    json eval(const Node& n) const {
        switch (n.kind) {
        case Kind::Literal:
            return n.literal;
        case Kind::Field: {
            if (!values_.is_object()) {
                return nullptr;
            }
            const auto it = values_.find(n.name);
            return it == values_.end() ? json(nullptr) : *it;
        }
        case Kind::List: {
            json out = json::array();
            for (const auto& k : n.kids) {
                out.push_back(eval(*k));
            }
            return out;
        }
        case Kind::Not:
            return !boolean(*n.kids[0], "not");
        case Kind::And:
            return boolean(*n.kids[0], "and") && boolean(*n.kids[1], "and");
        case Kind::Or:
            return boolean(*n.kids[0], "or") || boolean(*n.kids[1], "or");
        case Kind::Compare:
            return compare(n);
        case Kind::In:
        case Kind::NotIn: {
            const auto needle = eval(*n.kids[0]);
            const auto list = eval(*n.kids[1]);
            if (!list.is_array()) {
                fail(text_, n.column,
                     std::string("'in' needs a list on its right, got ") + type_name(list));
            }
            bool found = false;
            for (const auto& item : list) {
                if (values_equal(needle, item)) {
                    found = true;
                    break;
                }
            }
            return n.kind == Kind::In ? found : !found;
        }
        case Kind::Empty: {
            const auto v = eval(*n.kids[0]);
            if (v.is_null()) {
                return true;
            }
            if (v.is_string()) {
                return v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") ==
                       std::string::npos;
            }
            if (v.is_array() || v.is_object()) {
                return v.empty();
            }
            return false;
        }
        case Kind::Count: {
            const auto v = eval(*n.kids[0]);
            if (v.is_null()) {
                return 0;
            }
            if (!v.is_array()) {
                fail(text_, n.column,
                     std::string("count() needs a table or a list, got ") + type_name(v));
            }
            return static_cast<double>(v.size());
        }
        }
        return nullptr;
    }

private:
    bool boolean(const Node& n, const char* op) const {
        const auto v = eval(n);
        if (!v.is_boolean()) {
            fail(text_, n.column,
                 std::string("'") + op + "' needs true or false, got " + type_name(v) + " " +
                     show(v));
        }
        return v.get<bool>();
    }

    json compare(const Node& n) const {
        const auto a = eval(*n.kids[0]);
        const auto b = eval(*n.kids[1]);
        const auto& op = n.name;
        if (op == "==" || op == "!=") {
            const bool comparable = a.is_null() || b.is_null() || a.type() == b.type() ||
                                    (a.is_number() && b.is_number());
            if (!comparable) {
                fail(text_, n.column,
                     "cannot compare " + std::string(type_name(a)) + " " + show(a) + " with " +
                         type_name(b) + " " + show(b) + " using " + op);
            }
            const bool eq = values_equal(a, b);
            return op == "==" ? eq : !eq;
        }
        if (a.is_null() || b.is_null()) {
            return false; // an empty field is neither smaller nor larger than anything
        }
        int cmp = 0;
        if (a.is_number() && b.is_number()) {
            const double x = a.get<double>();
            const double y = b.get<double>();
            cmp = x < y ? -1 : x > y ? 1 : 0;
        } else if (a.is_string() && b.is_string()) {
            cmp = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        } else {
            fail(text_, n.column,
                 "'" + op + "' needs two numbers or two strings, got " + type_name(a) + " " +
                     show(a) + " and " + type_name(b) + " " + show(b));
        }
        if (op == "<") {
            return cmp < 0;
        }
        if (op == "<=") {
            return cmp <= 0;
        }
        if (op == ">") {
            return cmp > 0;
        }
        return cmp >= 0;
    }

    std::string_view text_;
    const json& values_;
};

} // namespace

Expression::Expression() = default;
Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Expression Expression::parse(std::string_view text, const NameCheck& known_names,
                             const ExpressionLimits& limits) {
    if (text.size() > limits.max_length) {
        fail(text, 1,
             "the expression is " + std::to_string(text.size()) + " bytes long; the limit is " +
                 std::to_string(limits.max_length));
    }
    Expression e;
    e.text_ = std::string(text);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return e; // empty: no condition
    }
    Parser parser(e.text_, known_names, limits, e.references_);
    e.root_ = parser.parse();
    return e;
}

json Expression::evaluate(const json& values) const {
    if (!root_) {
        return nullptr;
    }
    return Evaluator(text_, values).eval(*root_);
}

bool Expression::evaluate_bool(const json& values, bool if_empty) const {
    if (!root_) {
        return if_empty;
    }
    const auto v = evaluate(values);
    if (!v.is_boolean()) {
        fail(text_, 1,
             std::string("the condition gives ") + type_name(v) + " " + show(v) +
                 " instead of true or false");
    }
    return v.get<bool>();
}

} // namespace ow::forms
