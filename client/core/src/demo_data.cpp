// The deterministic demo generator. No database code here: the cache benchmark links this file
// against plain SQLite as its peer.
#include "ow/core/reference_data.h"
#include "ow/forms/identifiers.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

namespace ow::core {

const char* const kPersonsTableSql = R"sql(CREATE TABLE persons(
  id_number TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  address TEXT NOT NULL,
  phone TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX persons_by_name ON persons(name);
)sql";

namespace {

struct Place {
    const char* code;
    const char* name; // as written in an address
};
// County-level divisions (GB/T 2260) used for birthplaces and addresses.
constexpr std::array<Place, 20> kPlaces = {{
    {"110101", "北京市东城区"},
    {"110105", "北京市朝阳区"},
    {"110108", "北京市海淀区"},
    {"310101", "上海市黄浦区"},
    {"310115", "上海市浦东新区"},
    {"440103", "广东省广州市荔湾区"},
    {"440106", "广东省广州市天河区"},
    {"440305", "广东省深圳市南山区"},
    {"440304", "广东省深圳市福田区"},
    {"330106", "浙江省杭州市西湖区"},
    {"320106", "江苏省南京市鼓楼区"},
    {"420106", "湖北省武汉市武昌区"},
    {"510104", "四川省成都市锦江区"},
    {"610113", "陕西省西安市雁塔区"},
    {"370102", "山东省济南市历下区"},
    {"350203", "福建省厦门市思明区"},
    {"150102", "内蒙古自治区呼和浩特市新城区"},
    {"430104", "湖南省长沙市岳麓区"},
    {"120101", "天津市和平区"},
    {"500103", "重庆市渝中区"},
}};

constexpr std::array<std::string_view, 60> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "欧阳"};
constexpr std::array<std::string_view, 64> kGiven = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "红", "玉", "兰", "斌", "宇",
    "浩", "凯", "佳", "欣", "怡", "晨", "思", "雨", "梓", "涵", "子", "轩", "博", "然", "琳", "婷",
    "鹏", "飞", "志", "海", "云", "龙", "春", "晓", "东", "亮", "慧", "颖", "嘉", "瑞", "宁", "彤"};
constexpr std::array<std::string_view, 12> kStreets = {"人民路", "解放路", "建设路", "中山路",
                                                       "和平街", "文化路", "光明街", "新华路",
                                                       "长安街", "青年路", "胜利路", "友谊路"};
constexpr std::array<std::string_view, 16> kTrade = {"鑫源", "华泰", "恒信", "瑞丰", "金禾", "博远",
                                                     "启航", "明德", "星辰", "安和", "宏达", "嘉禾",
                                                     "润泽", "天元", "九州", "同心"};
constexpr std::array<std::string_view, 10> kIndustry = {"餐饮管理", "商贸",     "科技", "建筑工程",
                                                        "物流",     "文化传媒", "食品", "信息技术",
                                                        "环保科技", "咨询服务"};

// SplitMix64: a fast, well-mixed 64-bit hash for per-record choices.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

constexpr std::uint64_t kDays = 23376; // 1940-01-01 … 2003-12-31
constexpr std::uint64_t kIdSpace = kPlaces.size() * kDays * 1000;
constexpr std::uint64_t kIdMultiplier = 1000003; // coprime with kIdSpace: a bijection

std::string date_from_days(std::uint64_t days_since_1940) {
    // Civil-from-days (Howard Hinnant), epoch 1940-01-01 = day 0.
    long long z = static_cast<long long>(days_since_1940) - 10957 + 719468; // to 1970-based
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = static_cast<long long>(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += (m <= 2);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", y, m, d);
    return buf;
}

template <std::size_t N>
std::string_view pick(const std::array<std::string_view, N>& a, std::uint64_t h) {
    return a[h % N];
}

} // namespace

DemoDataGenerator::DemoDataGenerator(std::uint64_t seed) : seed_(seed) {}

std::size_t DemoDataGenerator::capacity() {
    return static_cast<std::size_t>(kIdSpace);
}

namespace {
struct IdParts {
    std::uint64_t place, day, seq;
};
IdParts id_parts(std::size_t index, std::uint64_t seed) {
    std::uint64_t x = (static_cast<std::uint64_t>(index) * kIdMultiplier + seed) % kIdSpace;
    IdParts parts;
    parts.place = x % kPlaces.size();
    x /= kPlaces.size();
    parts.day = x % kDays;
    parts.seq = x / kDays; // 0..999
    return parts;
}
std::string make_id(const IdParts& parts, const std::string& birth) {
    std::string id = kPlaces[parts.place].code;
    id += birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2);
    char seqbuf[16];
    std::snprintf(seqbuf, sizeof seqbuf, "%03u", static_cast<unsigned>(parts.seq));
    id += seqbuf;
    id += ow::forms::id_number_check_char(id);
    return id;
}
} // namespace

std::string DemoDataGenerator::id_number(std::size_t index) const {
    IdParts parts = id_parts(index, seed_);
    return make_id(parts, date_from_days(parts.day));
}

std::vector<std::size_t> DemoDataGenerator::person_indices_in_key_order(std::size_t count) const {
    // The ID number orders as (place code, birth day, sequence): sort on that triple, which is
    // the same order without building strings.
    std::vector<std::pair<std::uint64_t, std::size_t>> keyed(count);
    for (std::size_t i = 0; i < count; ++i) {
        IdParts p = id_parts(i, seed_);
        std::uint64_t place_rank = std::stoull(kPlaces[p.place].code);
        keyed[i] = {(place_rank * kDays + p.day) * 1000 + p.seq, i};
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::size_t> out(count);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = keyed[i].second;
    return out;
}

Person DemoDataGenerator::person(std::size_t index) const {
    IdParts parts = id_parts(index, seed_);
    std::uint64_t place = parts.place, seq = parts.seq;
    std::string birth = date_from_days(parts.day);
    std::string id = make_id(parts, birth);

    std::uint64_t h = mix(seed_ ^ (index * 0x2545F4914F6CDD1Dull));
    Person p;
    p.id_number = id;
    p.name = std::string(pick(kSurnames, h)) + std::string(pick(kGiven, h >> 8));
    if ((h >> 16) % 3)
        p.name += pick(kGiven, h >> 24);
    p.gender = (seq % 2) ? "male" : "female";
    p.birth_date = birth;
    p.address = std::string(kPlaces[place].name) + std::string(pick(kStreets, h >> 32)) +
                std::to_string(1 + (h >> 40) % 300) + "号";
    char phone[48];
    std::snprintf(phone, sizeof phone, "1%u%09llu", static_cast<unsigned>(3 + (h >> 44) % 7),
                  static_cast<unsigned long long>((h >> 20) % 1000000000ull));
    p.phone = phone;
    p.source = "demo";
    p.updated_at = "2026-11-01T00:00:00.000Z";
    return p;
}

Entity DemoDataGenerator::entity(std::size_t index) const {
    std::uint64_t h = mix(seed_ * 31 + index);
    const Place& place = kPlaces[h % kPlaces.size()];
    // Organisation-code body: 8 digits, distinct per index (bijective on 0..10^8-1).
    char body[32];
    std::snprintf(body, sizeof body, "%08llu",
                  static_cast<unsigned long long>((index * 7919ull + 1234567ull) % 100000000ull));
    std::string org = std::string(body) + ow::forms::org_code_check_char(body);
    std::string first17 = std::string("91") + place.code + org;
    Entity e;
    e.uscc = first17 + ow::forms::uscc_check_char(first17);
    std::string city(place.name);
    e.name = std::string(pick(kTrade, h >> 8)) + std::string(pick(kIndustry, h >> 16)) + "有限公司";
    // Prefix with the city's short name: "广州" from "广东省广州市…", "北京" from "北京市…".
    auto shi = city.find("市");
    auto sheng = city.find("省");
    auto qu = city.find("自治区");
    std::size_t start = sheng != std::string::npos ? sheng + 3
                        : qu != std::string::npos  ? qu + 9
                                                   : 0;
    if (shi != std::string::npos && shi > start)
        e.name = city.substr(start, shi - start) + e.name;
    e.kind = "有限责任公司（自然人投资或控股）";
    Person rep = person(index * 13 + 7);
    e.legal_representative = rep.name;
    e.address = std::string(place.name) + std::string(pick(kStreets, h >> 24)) +
                std::to_string(1 + (h >> 32) % 500) + "号";
    e.established = date_from_days(20000 + (h >> 40) % 3300);
    e.source = "demo";
    e.updated_at = "2026-11-01T00:00:00.000Z";
    return e;
}

namespace {

// Type code: the defining organisation's USCC + a 3-digit sequence (GB/T 36904). One demo
// definer, one sequence per license type (the layout templates name these codes).
const std::string kDemoDefiner = "111000000DEM00011E";

LicenseRecord license_shell(const std::string& sequence, const std::string& type_name,
                            const std::string& issuer_code, std::size_t index,
                            const std::string& serial_prefix) {
    std::string type_code = kDemoDefiner + sequence;
    char serial[48];
    std::snprintf(serial, sizeof serial, "%s%08zu", serial_prefix.c_str(), index);
    std::string body = type_code + issuer_code + serial + "001";
    LicenseRecord r;
    r.license_id = "1.2.156.3005.2." + type_code + "." + issuer_code + "." + serial + ".001." +
                   ow::forms::license_id_check_char(body);
    r.type_code = type_code;
    r.type_name = type_name;
    r.source = "demo";
    return r;
}

} // namespace

LicenseRecord DemoDataGenerator::business_license(const Entity& holder, std::size_t index) const {
    // The demo catalog's business-license type, so a cached license stands in for the paper
    // copy (免提交).
    const std::string region = holder.uscc.substr(2, 6); // the registering region
    LicenseRecord r = license_shell("001", "营业执照", region, index, "2026");
    r.holder_id = holder.uscc;
    r.holder_name = holder.name;
    r.issuer = "市场监督管理局";
    r.issue_date = holder.established;
    r.valid_until = "长期";
    const std::uint64_t h = mix(seed_ * 7 + index);
    nlohmann::json face = {{"名称", holder.name},
                           {"统一社会信用代码", holder.uscc},
                           {"类型", holder.kind},
                           {"法定代表人", holder.legal_representative},
                           {"住所", holder.address},
                           {"成立日期", holder.established},
                           {"注册资本", std::to_string(50 + h % 950) + "万元人民币"},
                           {"经营范围",
                            "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让"
                            "、技术推广；信息咨询服务（不含许可类信息咨询服务）。"
                            "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"},
                           {"营业期限", "长期"}};
    r.face_data = face.dump();
    return r;
}

std::vector<LicenseRecord> DemoDataGenerator::licenses(const Entity& holder,
                                                       std::size_t index) const {
    std::vector<LicenseRecord> out{business_license(holder, index)};
    const std::string region = holder.uscc.substr(2, 6);
    const std::uint64_t h = mix(seed_ * 11 + index);
    // Still valid today: renewed every five years, the current term ending 2027..2031.
    const std::string valid = std::to_string(2027 + h % 5) + holder.established.substr(4);
    LicenseRecord r;
    nlohmann::json face;
    switch (index % 5) {
    case 1:
        r = license_shell("003", "食品经营许可证", region, index, "JY");
        face = {{"许可证编号", "JY1" + region + std::to_string(10000000 + h % 89999999)},
                {"经营者名称", holder.name},
                {"社会信用代码", holder.uscc},
                {"法定代表人（负责人）", holder.legal_representative},
                {"住所", holder.address},
                {"经营场所", holder.address},
                {"主体业态", "餐饮服务经营者（小型餐馆）"},
                {"经营项目", "热食类食品制售；冷食类食品制售；自制饮品制售"},
                {"日常监督管理机构", "市场监督管理局"},
                {"投诉举报电话", "12315"}};
        r.issuer = "市场监督管理局";
        r.valid_until = valid;
        break;
    case 2:
        r = license_shell("004", "建筑工程施工许可证", region, index, "SG");
        face = {
            {"编号", region + holder.established.substr(0, 4) + std::to_string(1000 + h % 8999)},
            {"建设单位", holder.name},
            {"工程名称", holder.name + "综合楼工程"},
            {"建设地址", holder.address},
            {"建设规模", std::to_string(2000 + h % 30000) + "平方米"},
            {"合同价格", std::to_string(300 + h % 9000) + "万元"},
            {"勘察单位", "华勘工程勘察有限公司"},
            {"设计单位", "中建设计研究院有限公司"},
            {"施工单位", "恒建建设集团有限公司"},
            {"监理单位", "信达工程监理有限公司"},
            {"合同工期", std::to_string(180 + h % 540) + "日历天"},
            {"备注", "无"}};
        r.issuer = "住房和城乡建设局";
        r.valid_until = "长期";
        break;
    case 3:
        r = license_shell("005", "排污许可证", region, index, "PW");
        face = {{"证书编号", holder.uscc + "001V"},
                {"单位名称", holder.name},
                {"注册地址", holder.address},
                {"法定代表人", holder.legal_representative},
                {"生产经营场所地址", holder.address},
                {"行业类别", "其他通用设备制造"},
                {"统一社会信用代码", holder.uscc},
                {"有效期限", "自" + holder.established + "至" + valid + "止"}};
        r.issuer = "生态环境局";
        r.valid_until = valid;
        break;
    case 4:
        r = license_shell("006", "道路运输经营许可证", region, index, "YS");
        face = {
            {"许可证字号", "交运管许可字" + region + std::to_string(100000 + h % 899999) + "号"},
            {"业户名称", holder.name},
            {"地址", holder.address},
            {"经济类型", "有限责任公司"},
            {"经营范围", "道路普通货物运输；货物专用运输（集装箱）"}};
        r.issuer = "交通运输局";
        r.valid_until = valid;
        break;
    default:
        return out;
    }
    r.holder_id = holder.uscc;
    r.holder_name = holder.name;
    r.issue_date = holder.established;
    r.face_data = face.dump();
    out.push_back(std::move(r));
    if (index % 7 == 0) {
        // A sole trader (个体工商户) run by the entity's legal representative: held by a person.
        const Person owner = person(index * 13 + 7);
        LicenseRecord g = license_shell("002", "个体工商户营业执照", region, index, "GT");
        std::string uscc17 = "92" + region + "MA" + std::to_string(1000000 + h % 8999999);
        uscc17 = uscc17.substr(0, 17);
        const std::string uscc = uscc17 + ow::forms::uscc_check_char(uscc17);
        g.holder_id = owner.id_number;
        g.holder_name = owner.name;
        g.issuer = "市场监督管理局";
        g.issue_date = holder.established;
        g.valid_until = "长期";
        g.face_data = nlohmann::json{{"名称", owner.name.substr(0, 3) + "记便利店"},
                                     {"统一社会信用代码", uscc},
                                     {"类型", "个体工商户"},
                                     {"经营者", owner.name},
                                     {"组成形式", "个人经营"},
                                     {"经营场所", owner.address},
                                     {"注册日期", holder.established},
                                     {"经营范围", "日用百货、预包装食品零售"}}
                          .dump();
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace ow::core
