#include "demo_data.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>

namespace ow::server {

namespace {

std::uint64_t mix(std::uint64_t x) { // splitmix64
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

constexpr std::array<std::string_view, 16> kRegions = {
    "150102", "150103", "150104", "150105", "150121", "150122", "150123", "150124",
    "110101", "110102", "110105", "310101", "310104", "440103", "440104", "440305"};
constexpr std::array<std::string_view, 20> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "赵",
                                                        "黄", "周", "吴", "徐", "孙", "胡", "朱",
                                                        "高", "林", "何", "郭", "马", "罗"};
constexpr std::array<std::string_view, 24> kGiven = {
    "伟", "芳", "娜", "敏", "静", "丽",   "强", "磊", "军", "洋",   "勇",   "艳",
    "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强"};
constexpr std::array<std::string_view, 8> kStreets = {
    "新华大街", "中山路", "人民路", "昭君路", "大学西街", "成吉思汗大街", "锡林南路", "海拉尔东路"};
constexpr std::array<std::string_view, 6> kTrades = {"商贸", "科技", "餐饮",
                                                     "建筑", "物流", "文化"};

std::string date_from_days(long days_since_1950) {
    std::tm tm{};
    tm.tm_year = 50;
    tm.tm_mon = 0;
    tm.tm_mday = 1 + static_cast<int>(days_since_1950);
    tm.tm_hour = 12;
    std::time_t t = timegm(&tm);
    std::tm out{};
    gmtime_r(&t, &out);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", out.tm_year + 1900, out.tm_mon + 1,
                  out.tm_mday);
    return buf;
}

} // namespace

char gb11643_check(const std::string& first17) {
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i)
        sum += (first17[static_cast<std::size_t>(i)] - '0') * weights[i];
    return "10X98765432"[sum % 11];
}

char gb32100_check(const std::string& first17) {
    static const std::string_view charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; ++i)
        sum += static_cast<int>(charset.find(first17[static_cast<std::size_t>(i)])) * weights[i];
    int c = 31 - sum % 31;
    return charset[static_cast<std::size_t>(c == 31 ? 0 : c)];
}

nlohmann::json DemoRecords::person(std::size_t index) const {
    // A bijection index -> (days, region, sequence) keeps every ID number distinct.
    std::size_t sequence = index % 999 + 1;
    std::size_t rest = index / 999;
    std::string_view region = kRegions[rest % kRegions.size()];
    long days = static_cast<long>(rest / kRegions.size()) % 20000;
    std::string birth = date_from_days(days);
    char seq[24];
    std::snprintf(seq, sizeof seq, "%03zu", sequence);
    std::string id =
        std::string(region) + birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2) + seq;
    id.push_back(gb11643_check(id));
    std::uint64_t r = mix(seed_ ^ (index * 0x100000001B3ULL));
    std::string name = std::string(kSurnames[r % kSurnames.size()]) +
                       std::string(kGiven[(r >> 8) % kGiven.size()]);
    if ((r >> 16) % 3 == 0)
        name += std::string(kGiven[(r >> 24) % kGiven.size()]);
    char phone[32];
    std::snprintf(phone, sizeof phone, "13%09llu",
                  static_cast<unsigned long long>((r >> 20) % 1000000000ULL));
    std::string address = "内蒙古自治区呼和浩特市" +
                          std::string(kStreets[(r >> 40) % kStreets.size()]) +
                          std::to_string((r >> 44) % 300 + 1) + "号";
    return {{"id_number", id},
            {"name", name},
            {"gender", sequence % 2 == 1 ? "male" : "female"},
            {"birth_date", birth},
            {"address", address},
            {"phone", phone},
            {"source", "demo"},
            {"updated_at", "2026-11-01T00:00:00Z"}};
}

nlohmann::json DemoRecords::entity(std::size_t index) const {
    // 9-character organisation code: 8 digits from the index plus the GB 11714 check character.
    char body[24];
    std::snprintf(body, sizeof body, "%08zu", index % 100000000);
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; ++i)
        sum += (body[i] - '0') * w[i];
    int c = 11 - sum % 11;
    char org_check = c == 10 ? 'X' : c == 11 ? '0' : static_cast<char>('0' + c);
    std::string_view region = kRegions[(index / 100000000) % kRegions.size()];
    std::string uscc = "91" + std::string(region) + body + org_check;
    uscc.push_back(gb32100_check(uscc));
    std::uint64_t r = mix(seed_ ^ (index * 0x9E3779B1ULL) ^ 0xE17171);
    std::string name = "呼和浩特市" + std::string(kSurnames[r % kSurnames.size()]) + "氏" +
                       std::string(kTrades[(r >> 8) % kTrades.size()]) + "有限公司" +
                       std::to_string(index);
    DemoRecords persons(seed_);
    return {{"uscc", uscc},
            {"name", name},
            {"kind", "有限责任公司"},
            {"legal_representative", persons.person(index * 7 + 3)["name"]},
            {"address", "内蒙古自治区呼和浩特市" +
                            std::string(kStreets[(r >> 16) % kStreets.size()]) +
                            std::to_string((r >> 24) % 500 + 1) + "号"},
            {"established", date_from_days(15000 + static_cast<long>((r >> 32) % 9000))},
            {"source", "demo"},
            {"updated_at", "2026-11-01T00:00:00Z"}};
}

} // namespace ow::server
