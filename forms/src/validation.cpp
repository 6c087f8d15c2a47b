#include "ow/forms/validation.h"

#include "ow/forms/error.h"
#include "ow/forms/identifiers.h"
#include "utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ow::forms {

namespace {

using json = nlohmann::json;

// Default messages by issue code: {zh, en}; {label} and other {names} are substituted.
struct MessagePair {
    const char* code;
    const char* zh;
    const char* en;
};

constexpr MessagePair kMessages[] = {
    {"required", "{label}为必填项。", "{label} is required."},
    {"wrong_type", "{label}的填写格式不正确。", "{label} must be {expected}."},
    {"too_long", "{label}不能超过{max}个字。", "{label} is longer than {max} characters."},
    {"not_a_number", "{label}应为数字。", "{label} must be a number, not \"{value}\"."},
    {"below_min", "{label}不能小于{min}。", "{label} must be at least {min}."},
    {"above_max", "{label}不能大于{max}。", "{label} must be at most {max}."},
    {"too_many_decimals", "{label}最多保留{decimals}位小数。",
     "{label} allows at most {decimals} decimals."},
    {"not_a_money_amount", "{label}应为金额（元，最多两位小数）。",
     "{label} must be an amount in yuan with at most two decimals, not \"{value}\"."},
    {"not_a_date", "{label}应为有效日期（年-月-日）。",
     "{label} must be an existing date (YYYY-MM-DD), not \"{value}\"."},
    {"date_too_early", "{label}不能早于{min}。", "{label} must not be before {min}."},
    {"date_too_late", "{label}不能晚于{max}。", "{label} must not be after {max}."},
    {"not_an_option", "{label}的选项“{value}”无效。",
     "{label}: \"{value}\" is not one of the options."},
    {"option_not_allowed", "所选事项不允许{label}为“{value}”。",
     "{label}: \"{value}\" is not allowed for the selected items."},
    {"duplicate_option", "{label}重复选择了“{value}”。", "{label} lists \"{value}\" twice."},
    {"invalid_phone", "{label}不是有效的电话号码。",
     "{label} is not a valid phone number (mobile 1xxxxxxxxxx or landline 0xxx-xxxxxxxx)."},
    {"invalid_email", "{label}不是有效的电子邮箱。", "{label} is not a valid e-mail address."},
    {"too_few_rows", "{label}至少需要填写{min}行。", "{label} needs at least {min} rows."},
    {"too_many_rows", "{label}最多填写{max}行。", "{label} allows at most {max} rows."},
    {"condition_error", "{label}的显示或必填条件无法计算，请联系目录管理员。",
     "The condition of {label} cannot be evaluated ({detail}); report it to the catalog team."},
    {"unknown_field", "表单中没有“{key}”这一项，该值将被忽略。",
     "The form has no field {key}; its value is ignored."},
    // Identifier checks (CheckResult::code), the English text comes from the check itself.
    {"id.empty", "{label}为必填项。", ""},
    {"id.legacy-15",
     "{label}为15位旧身份证号码，已停用；对应的18位号码为{normalized}，请核对现行身份证。", ""},
    {"id.length", "{label}应为18位。", ""},
    {"id.alphabet", "{label}含有无效字符（前17位应为数字，最后一位为数字或X）。", ""},
    {"id.region", "{label}的前两位不是有效的省级行政区划代码。", ""},
    {"id.birth-date", "{label}中的出生日期无效。", ""},
    {"id.check-char", "{label}校验位错误，请核对是否输入有误。", ""},
    {"uscc.empty", "{label}为必填项。", ""},
    {"uscc.length", "{label}应为18位。", ""},
    {"uscc.alphabet", "{label}含有无效字符（不使用I、O、S、V、Z）。", ""},
    {"uscc.region", "{label}第3至8位应为行政区划代码。", ""},
    {"uscc.check-char", "{label}校验未通过，请与营业执照核对（部分试点代码属正常情况）。", ""},
    {"org.empty", "{label}为必填项。", ""},
    {"org.length", "{label}应为9位（8位本体代码加1位校验码）。", ""},
    {"org.alphabet", "{label}含有无效字符。", ""},
    {"org.check-char", "{label}校验未通过，请与证书核对。", ""},
    {"license.empty", "{label}为必填项。", ""},
    {"license.root", "{label}应以电子证照根代码1.2.156.3005.2开头。", ""},
    {"license.structure", "{label}的结构不正确。", ""},
    {"license.alphabet", "{label}含有无效字符。", ""},
    {"license.type-code", "{label}的证照类型代码不正确。", ""},
    {"license.issuer", "{label}的颁发机构代码不正确。", ""},
    {"license.serial", "{label}的流水号过长。", ""},
    {"license.version", "{label}的版本号应为3位数字。", ""},
    {"license.check-char", "{label}校验位错误，不能使用该证照。", ""},
    {"license.embedded-uscc", "{label}中包含的统一社会信用代码校验未通过。", ""},
    {"region.empty", "{label}为必填项。", ""},
    {"region.format", "{label}应为6位行政区划代码。", ""},
    {"region.structure", "{label}不是有效的行政区划代码。", ""},
    {"region.unknown", "{label}不在当前行政区划代码表中，请核对。", ""},
};

const MessagePair* find_message(std::string_view code) {
    for (const auto& m : kMessages) {
        if (code == m.code) {
            return &m;
        }
    }
    return nullptr;
}

std::string fmt_number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    std::string s = buf;
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    return s;
}

bool blank(const std::string& s) {
    return detail::normalize_width_and_trim(s).empty();
}

bool is_empty_value(const json& v) {
    if (v.is_null()) {
        return true;
    }
    if (v.is_string()) {
        return blank(v.get<std::string>());
    }
    if (v.is_array()) {
        return v.empty();
    }
    if (v.is_object()) {
        const auto region = v.value("region", json());
        const auto detail = v.value("detail", json());
        return v.empty() ||
               ((region.is_null() || (region.is_string() && blank(region.get<std::string>()))) &&
                (detail.is_null() || (detail.is_string() && blank(detail.get<std::string>()))));
    }
    return false;
}

std::string trim_text(const std::string& s) {
    // Trim ASCII and ideographic spaces, keep full-width characters inside Chinese text.
    const auto cps = detail::decode_utf8(s);
    std::size_t b = 0;
    std::size_t e = cps.size();
    auto space = [](char32_t c) {
        return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == 0x3000 || c == 0xA0;
    };
    while (b < e && space(cps[b])) {
        ++b;
    }
    while (e > b && space(cps[e - 1])) {
        --e;
    }
    return detail::encode_utf8(std::vector<char32_t>(cps.begin() + static_cast<long>(b),
                                                     cps.begin() + static_cast<long>(e)));
}

// Strict decimal: optional '-', digits, optional '.' digits. Returns false otherwise.
bool parse_decimal(const std::string& s, double* out, int* decimals) {
    if (s.empty() || s.size() > 24) {
        return false;
    }
    std::size_t i = s[0] == '-' ? 1 : 0;
    int digits = 0;
    int after = -1;
    for (; i < s.size(); ++i) {
        if (s[i] >= '0' && s[i] <= '9') {
            ++digits;
            if (after >= 0) {
                ++after;
            }
        } else if (s[i] == '.' && after < 0) {
            after = 0;
        } else {
            return false;
        }
    }
    if (digits == 0 || digits > 17 || after == 0) {
        return false;
    }
    *out = std::stod(s);
    *decimals = after < 0 ? 0 : after;
    return std::isfinite(*out);
}

int decimals_of(double v) {
    for (int d = 0; d <= 6; ++d) {
        const double scaled = v * std::pow(10.0, d);
        if (std::fabs(scaled - std::round(scaled)) < 1e-7 * std::max(1.0, std::fabs(scaled))) {
            return d;
        }
    }
    return 7;
}

bool valid_phone(const std::string& p) {
    const auto digits = [](std::string_view s) {
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && digits(p)) {
        return true; // mobile
    }
    if (p == "12345" || p == "110" || p == "119" || p == "120") {
        return true; // service hotlines
    }
    // Landline: [0 + 2-3 digit area code -] 7-8 digits [- extension 1-6 digits]
    std::string_view s = p;
    std::string_view area;
    if (!s.empty() && s[0] == '0') {
        const auto dash = s.find('-');
        if (dash == std::string_view::npos) {
            return digits(s) && s.size() >= 10 && s.size() <= 12;
        }
        area = s.substr(0, dash);
        s = s.substr(dash + 1);
        if (area.size() < 3 || area.size() > 4 || !digits(area)) {
            return false;
        }
    }
    const auto dash = s.find('-');
    const auto local = s.substr(0, dash);
    if (local.size() < 7 || local.size() > 8 || !digits(local) || local[0] == '0') {
        return false;
    }
    if (dash != std::string_view::npos) {
        const auto ext = s.substr(dash + 1);
        return ext.size() >= 1 && ext.size() <= 6 && digits(ext);
    }
    return true;
}

bool valid_email(const std::string& e) {
    if (e.size() > 254) {
        return false;
    }
    const auto at = e.find('@');
    if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) {
        return false;
    }
    const auto local = e.substr(0, at);
    const auto domain = e.substr(at + 1);
    const auto ok_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_' || c == '+';
    };
    if (!std::all_of(local.begin(), local.end(), ok_char) ||
        !std::all_of(domain.begin(), domain.end(), ok_char) || local.size() > 64) {
        return false;
    }
    const auto dot = domain.rfind('.');
    return dot != std::string::npos && dot > 0 && dot + 2 < domain.size() + 1 &&
           domain.size() - dot - 1 >= 2 && domain.find("..") == std::string::npos &&
           domain.front() != '.' && domain.front() != '-';
}

class Validator {
public:
    Validator(const MergedForm& form, const ValidationOptions& options, ValidationResult& result)
        : form_(form), options_(options), result_(result) {}

    // Pass 1: normalise every value the form knows, so conditions see normalised values.
    json normalize(const FieldDef& def, const json& v) const {
        if (v.is_null()) {
            return v;
        }
        switch (def.type) {
        case FieldType::Text:
        case FieldType::Email:
            return v.is_string() ? json(trim_text(v.get<std::string>())) : v;
        case FieldType::Phone:
            if (v.is_string()) {
                auto s = detail::normalize_width_and_trim(v.get<std::string>());
                s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
                for (const std::string prefix : {"+86-", "+86", "0086"}) {
                    if (s.rfind(prefix, 0) == 0 && s.size() > prefix.size() + 6) {
                        s = s.substr(prefix.size());
                        break;
                    }
                }
                return s;
            }
            return v;
        case FieldType::Number:
            if (v.is_string()) {
                auto s = detail::normalize_width_and_trim(v.get<std::string>());
                s.erase(std::remove(s.begin(), s.end(), ','), s.end());
                double d = 0;
                int decimals = 0;
                if (parse_decimal(s, &d, &decimals)) {
                    return decimals == 0 && std::fabs(d) < 9e15 ? json(static_cast<long long>(d))
                                                                : json(d);
                }
                return s;
            }
            return v;
        case FieldType::Money: {
            std::string s;
            if (v.is_number()) {
                s = fmt_number(v.get<double>());
            } else if (v.is_string()) {
                s = detail::normalize_width_and_trim(v.get<std::string>());
                for (const std::string junk : {",", " ", "¥", "￥", "元"}) {
                    for (auto p = s.find(junk); p != std::string::npos; p = s.find(junk)) {
                        s.erase(p, junk.size());
                    }
                }
            } else {
                return v;
            }
            double d = 0;
            int decimals = 0;
            if (parse_decimal(s, &d, &decimals) && decimals <= 2) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.2f", d);
                return std::string(buf);
            }
            return s;
        }
        case FieldType::Date:
            if (v.is_string()) {
                const auto s = detail::normalize_width_and_trim(v.get<std::string>());
                try {
                    return format_date(parse_date(s));
                } catch (const FormsError&) {
                    return s;
                }
            }
            return v;
        case FieldType::Boolean:
            if (v.is_string()) {
                const auto s = detail::to_lower_ascii(trim_text(v.get<std::string>()));
                if (s == "true" || s == "是" || s == "yes" || s == "1") {
                    return true;
                }
                if (s == "false" || s == "否" || s == "no" || s == "0") {
                    return false;
                }
            }
            return v;
        case FieldType::Choice:
            return v.is_string() ? json(choice_code(def, trim_text(v.get<std::string>()))) : v;
        case FieldType::MultiChoice:
            if (v.is_array()) {
                json out = json::array();
                for (const auto& e : v) {
                    out.push_back(e.is_string()
                                      ? json(choice_code(def, trim_text(e.get<std::string>())))
                                      : e);
                }
                return out;
            }
            return v;
        case FieldType::Region:
            return v.is_string() ? json(normalize_identifier(v.get<std::string>())) : v;
        case FieldType::IdNumber:
        case FieldType::Uscc:
        case FieldType::LicenseId:
            return v.is_string() ? json(normalize_identifier(v.get<std::string>())) : v;
        case FieldType::OrgCode:
            if (v.is_string()) {
                const auto r = check_org_code(v.get<std::string>());
                return r.status == CheckStatus::Invalid ? normalize_identifier(v.get<std::string>())
                                                        : r.normalized;
            }
            return v;
        case FieldType::Address:
            if (v.is_object()) {
                json out = v;
                if (v.contains("region") && v["region"].is_string()) {
                    out["region"] = normalize_identifier(v["region"].get<std::string>());
                }
                if (v.contains("detail") && v["detail"].is_string()) {
                    out["detail"] = trim_text(v["detail"].get<std::string>());
                }
                return out;
            }
            return v;
        case FieldType::Table:
            if (v.is_array()) {
                json out = json::array();
                for (const auto& row : v) {
                    if (!row.is_object()) {
                        out.push_back(row);
                        continue;
                    }
                    json r = row;
                    for (const auto& col : def.columns) {
                        if (row.contains(col.key)) {
                            r[col.key] = normalize(col, row[col.key]);
                        }
                    }
                    out.push_back(r);
                }
                return out;
            }
            return v;
        case FieldType::Attachment:
            return v.is_string() ? json(trim_text(v.get<std::string>())) : v;
        }
        return v;
    }

    // Pass 2: check one value. `where` is the issue key.
    void check(const FieldDef& def, const std::string& where, const json& v, bool required) {
        if (is_empty_value(v)) {
            if (required) {
                issue(def, where, Severity::Error, "required", {});
            } else if (def.type == FieldType::Table && def.rules.min_rows &&
                       *def.rules.min_rows > 0) {
                issue(def, where, Severity::Error, "too_few_rows",
                      {{"min", std::to_string(*def.rules.min_rows)}});
            }
            return;
        }
        const auto& r = def.rules;
        switch (def.type) {
        case FieldType::Text:
            if (!expect(v.is_string(), def, where, "text", "文字")) {
                return;
            }
            if (r.max_length && detail::utf8_length(v.get<std::string>()) > *r.max_length) {
                issue(def, where, Severity::Error, "too_long",
                      {{"max", std::to_string(*r.max_length)}});
            }
            return;
        case FieldType::Number:
            if (v.is_string()) {
                issue(def, where, Severity::Error, "not_a_number",
                      {{"value", v.get<std::string>()}});
                return;
            }
            if (!expect(v.is_number(), def, where, "a number", "数字")) {
                return;
            }
            check_range(def, where, v.get<double>());
            if (r.decimals && decimals_of(v.get<double>()) > *r.decimals) {
                issue(def, where, Severity::Error, "too_many_decimals",
                      {{"decimals", std::to_string(*r.decimals)}});
            }
            return;
        case FieldType::Money: {
            if (!expect(v.is_string(), def, where, "an amount", "金额")) {
                return;
            }
            double d = 0;
            int decimals = 0;
            if (!parse_decimal(v.get<std::string>(), &d, &decimals) || decimals != 2) {
                issue(def, where, Severity::Error, "not_a_money_amount",
                      {{"value", v.get<std::string>()}});
                return;
            }
            check_range(def, where, d);
            return;
        }
        case FieldType::Date: {
            if (!expect(v.is_string(), def, where, "a date", "日期")) {
                return;
            }
            Date d{};
            try {
                d = parse_date(v.get<std::string>());
            } catch (const FormsError&) {
                issue(def, where, Severity::Error, "not_a_date", {{"value", v.get<std::string>()}});
                return;
            }
            if (r.min_date) {
                const auto lo = *r.min_date == "today" ? options_.today : parse_date(*r.min_date);
                if (d < lo) {
                    issue(def, where, Severity::Error, "date_too_early",
                          {{"min", format_date(lo)}});
                }
            }
            if (r.max_date) {
                const auto hi = *r.max_date == "today" ? options_.today : parse_date(*r.max_date);
                if (d > hi) {
                    issue(def, where, Severity::Error, "date_too_late", {{"max", format_date(hi)}});
                }
            }
            return;
        }
        case FieldType::Boolean:
            expect(v.is_boolean(), def, where, "yes or no", "是或否");
            return;
        case FieldType::Choice:
            if (expect(v.is_string(), def, where, "one option code", "一个选项")) {
                check_option(def, where, v.get<std::string>());
            }
            return;
        case FieldType::MultiChoice: {
            if (!expect(v.is_array(), def, where, "a list of option codes", "选项列表")) {
                return;
            }
            std::vector<std::string> seen;
            for (const auto& e : v) {
                if (!expect(e.is_string(), def, where, "a list of option codes", "选项列表")) {
                    return;
                }
                const auto code = e.get<std::string>();
                if (std::find(seen.begin(), seen.end(), code) != seen.end()) {
                    issue(def, where, Severity::Error, "duplicate_option", {{"value", code}});
                    continue;
                }
                seen.push_back(code);
                check_option(def, where, code);
            }
            return;
        }
        case FieldType::Phone:
            if (expect(v.is_string(), def, where, "a phone number", "电话号码") &&
                !valid_phone(v.get<std::string>())) {
                issue(def, where, Severity::Error, "invalid_phone",
                      {{"value", v.get<std::string>()}});
            }
            return;
        case FieldType::Email:
            if (expect(v.is_string(), def, where, "an e-mail address", "电子邮箱") &&
                !valid_email(v.get<std::string>())) {
                issue(def, where, Severity::Error, "invalid_email",
                      {{"value", v.get<std::string>()}});
            }
            if (v.is_string() && r.max_length && v.get<std::string>().size() > *r.max_length) {
                issue(def, where, Severity::Error, "too_long",
                      {{"max", std::to_string(*r.max_length)}});
            }
            return;
        case FieldType::Region:
            if (expect(v.is_string(), def, where, "a region code", "行政区划代码")) {
                identifier(def, where, check_region_code(v.get<std::string>()));
            }
            return;
        case FieldType::IdNumber:
            if (expect(v.is_string(), def, where, "an ID number", "身份证号码")) {
                identifier(def, where, check_id_number(v.get<std::string>()));
            }
            return;
        case FieldType::Uscc:
            if (expect(v.is_string(), def, where, "a unified social credit code",
                       "统一社会信用代码")) {
                identifier(def, where, check_uscc(v.get<std::string>()));
            }
            return;
        case FieldType::OrgCode:
            if (expect(v.is_string(), def, where, "an organisation code", "组织机构代码")) {
                identifier(def, where, check_org_code(v.get<std::string>()));
            }
            return;
        case FieldType::LicenseId:
            if (expect(v.is_string(), def, where, "an e-license identifier", "电子证照标识")) {
                identifier(def, where, check_license_id(v.get<std::string>()));
            }
            return;
        case FieldType::Address: {
            if (!expect(v.is_object(), def, where, "an address {region, detail}", "地址")) {
                return;
            }
            const auto region = v.value("region", json());
            const auto detail_text = v.value("detail", json());
            if (is_empty_value(region)) {
                issue(def, where + ".region", Severity::Error, "required", {});
            } else if (expect(region.is_string(), def, where + ".region", "a region code",
                              "行政区划代码")) {
                identifier(def, where + ".region", check_region_code(region.get<std::string>()));
            }
            if (is_empty_value(detail_text)) {
                issue(def, where + ".detail", Severity::Error, "required", {});
            } else if (expect(detail_text.is_string(), def, where + ".detail", "text", "文字") &&
                       r.max_length &&
                       detail::utf8_length(detail_text.get<std::string>()) > *r.max_length) {
                issue(def, where + ".detail", Severity::Error, "too_long",
                      {{"max", std::to_string(*r.max_length)}});
            }
            return;
        }
        case FieldType::Table: {
            if (!expect(v.is_array(), def, where, "a table (list of rows)", "表格")) {
                return;
            }
            if (r.min_rows && v.size() < *r.min_rows) {
                issue(def, where, Severity::Error, "too_few_rows",
                      {{"min", std::to_string(*r.min_rows)}});
            }
            if (r.max_rows && v.size() > *r.max_rows) {
                issue(def, where, Severity::Error, "too_many_rows",
                      {{"max", std::to_string(*r.max_rows)}});
            }
            for (std::size_t i = 0; i < v.size() && i < 1000; ++i) {
                const auto row_key = where + "[" + std::to_string(i + 1) + "]";
                if (!expect(v[i].is_object(), def, row_key, "a row object", "一行")) {
                    continue;
                }
                for (const auto& col : def.columns) {
                    const auto cell = v[i].contains(col.key) ? v[i][col.key] : json();
                    check(col, row_key + "." + col.key, cell, col.rules.required);
                }
            }
            return;
        }
        case FieldType::Attachment:
            if (v.is_array()) {
                for (const auto& e : v) {
                    if (!expect(e.is_string() && !blank(e.get<std::string>()), def, where,
                                "attachment references", "附件")) {
                        return;
                    }
                }
                return;
            }
            expect(v.is_string(), def, where, "an attachment reference", "附件");
            return;
        }
    }

    void issue(const FieldDef& def, const std::string& where, Severity severity,
               const std::string& code, FormsError::Arguments args, const std::string& en = {}) {
        args["label"] = def.label.zh;
        args["key"] = where;
        FieldIssue out;
        out.key = where;
        out.severity = severity;
        out.code = code;
        const auto* m = find_message(code);
        const auto custom = def.messages.find(code);
        if (custom != def.messages.end()) {
            out.message_zh = FormsError::format(custom->second.zh, args);
            auto en_args = args;
            en_args["label"] = def.label.in("en");
            out.message_en = FormsError::format(custom->second.in("en"), en_args);
        } else {
            out.message_zh = m ? FormsError::format(m->zh, args) : def.label.zh + ": " + code;
            auto en_args = args;
            en_args["label"] = def.label.in("en");
            out.message_en = !en.empty()                ? def.label.in("en") + ": " + en
                             : (m != nullptr && *m->en) ? FormsError::format(m->en, en_args)
                                                        : def.label.in("en") + ": " + code;
        }
        result_.issues.push_back(std::move(out));
    }

private:
    static std::string choice_code(const FieldDef& def, const std::string& value) {
        for (const auto& o : def.options) {
            if (o.code == value) {
                return value;
            }
        }
        for (const auto& o : def.options) {
            if (o.label.zh == value || (!o.label.en.empty() && o.label.en == value)) {
                return o.code; // a label typed or imported instead of the code
            }
        }
        return value;
    }

    bool expect(bool ok, const FieldDef& def, const std::string& where, const char* en,
                const char* zh) {
        if (!ok) {
            (void)zh;
            issue(def, where, Severity::Error, "wrong_type", {{"expected", en}});
        }
        return ok;
    }

    void check_range(const FieldDef& def, const std::string& where, double d) {
        if (def.rules.min && d < *def.rules.min) {
            issue(def, where, Severity::Error, "below_min", {{"min", fmt_number(*def.rules.min)}});
        }
        if (def.rules.max && d > *def.rules.max) {
            issue(def, where, Severity::Error, "above_max", {{"max", fmt_number(*def.rules.max)}});
        }
    }

    void check_option(const FieldDef& def, const std::string& where, const std::string& code) {
        if (std::none_of(def.options.begin(), def.options.end(),
                         [&](const ChoiceOption& o) { return o.code == code; })) {
            issue(def, where, Severity::Error, "not_an_option", {{"value", code}});
            return;
        }
        if (def.rules.allowed && std::find(def.rules.allowed->begin(), def.rules.allowed->end(),
                                           code) == def.rules.allowed->end()) {
            issue(def, where, Severity::Error, "option_not_allowed", {{"value", code}});
        }
    }

    void identifier(const FieldDef& def, const std::string& where, const CheckResult& r) {
        if (r.status == CheckStatus::Valid) {
            return;
        }
        issue(def, where, r.status == CheckStatus::Invalid ? Severity::Error : Severity::Warning,
              r.code, {{"normalized", r.normalized}}, r.message);
    }

    const MergedForm& form_;
    const ValidationOptions& options_;
    ValidationResult& result_;
};

// Whether a (normalised) value has the representation of its field type. Conditions see only
// well-typed values; a wrongly typed one counts as empty there and is reported by the check.
bool well_typed(const FieldDef& def, const json& v) {
    switch (def.type) {
    case FieldType::Number:
        return v.is_number();
    case FieldType::Boolean:
        return v.is_boolean();
    case FieldType::MultiChoice:
    case FieldType::Table:
        return v.is_array();
    case FieldType::Address:
        return v.is_object();
    case FieldType::Attachment:
        return v.is_string() || v.is_array();
    default:
        return v.is_string();
    }
}

} // namespace

bool ValidationResult::ok() const {
    return error_count() == 0;
}

std::size_t ValidationResult::error_count() const {
    return static_cast<std::size_t>(
        std::count_if(issues.begin(), issues.end(),
                      [](const FieldIssue& i) { return i.severity == Severity::Error; }));
}

std::size_t ValidationResult::warning_count() const {
    return issues.size() - error_count();
}

std::vector<const FieldIssue*> ValidationResult::for_key(std::string_view key) const {
    std::vector<const FieldIssue*> out;
    for (const auto& i : issues) {
        if (i.key == key || (i.key.size() > key.size() && i.key.compare(0, key.size(), key) == 0 &&
                             (i.key[key.size()] == '[' || i.key[key.size()] == '.'))) {
            out.push_back(&i);
        }
    }
    return out;
}

bool is_visible(const MergedField& field, const nlohmann::json& values) {
    const auto& conds = field.field.rules.visible_if;
    return conds.empty() || std::any_of(conds.begin(), conds.end(), [&](const Expression& e) {
               return e.evaluate_bool(values);
           });
}

bool is_required(const MergedField& field, const nlohmann::json& values) {
    if (!is_visible(field, values)) {
        return false;
    }
    const auto& r = field.field.rules;
    return r.required || std::any_of(r.required_if.begin(), r.required_if.end(),
                                     [&](const Expression& e) { return e.evaluate_bool(values); });
}

ValidationResult validate_form(const MergedForm& form, const nlohmann::json& values,
                               const ValidationOptions& options) {
    if (!values.is_object() && !values.is_null()) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("Form values must be a JSON object keyed by field, not {type}."),
                         {{"type", values.type_name()}});
    }
    ValidationResult result;
    if (values.is_object()) {
        result.values = values;
    }
    Validator v(form, options, result);
    for (const auto& f : form.fields) {
        if (result.values.contains(f.field.key)) {
            result.values[f.field.key] = v.normalize(f.field, result.values[f.field.key]);
        }
    }
    json condition_view = result.values;
    for (const auto& f : form.fields) {
        const auto it = condition_view.find(f.field.key);
        if (it != condition_view.end() && !it->is_null() && !well_typed(f.field, *it)) {
            *it = nullptr;
        }
    }
    for (const auto& f : form.fields) {
        bool visible = false;
        bool required = false;
        try {
            visible = is_visible(f, condition_view);
            required = visible && is_required(f, condition_view);
        } catch (const FormsError& e) {
            // A catalog condition that cannot be evaluated: say so on the field and go on.
            v.issue(f.field, f.field.key, Severity::Error, "condition_error",
                    {{"detail", e.what()}});
            continue;
        }
        if (!visible) {
            continue;
        }
        const auto value =
            result.values.contains(f.field.key) ? result.values[f.field.key] : json();
        v.check(f.field, f.field.key, value, required);
    }
    if (options.report_unknown_keys) {
        for (const auto& [key, value] : result.values.items()) {
            if (form.find_field(key) == nullptr) {
                FieldDef unknown;
                unknown.key = key;
                unknown.label = {key, key};
                v.issue(unknown, key, Severity::Warning, "unknown_field", {});
            }
        }
    }
    return result;
}

} // namespace ow::forms
