#include "ow/forms/regions.h"

#include "ow/forms/error.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ow::forms {

namespace detail {
std::string_view embedded_regions_csv();
}

namespace {

bool six_digits(std::string_view code) {
    return code.size() == 6 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

RegionLevel level_of(std::string_view code) {
    if (code.substr(2) == "0000") {
        return RegionLevel::Province;
    }
    if (code.substr(4) == "00") {
        return RegionLevel::Prefecture;
    }
    return RegionLevel::County;
}

} // namespace

RegionTable RegionTable::from_csv(std::string_view text, std::string_view source) {
    RegionTable table;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const auto line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        if (line[0] == '#') {
            constexpr std::string_view kEdition = "# edition:";
            if (line.rfind(kEdition, 0) == 0) {
                table.edition_ = trim(std::string_view(line).substr(kEdition.size()));
            }
            continue;
        }
        const auto comma = line.find(',');
        const auto code = comma == std::string::npos ? line : trim(line.substr(0, comma));
        const auto name = comma == std::string::npos ? std::string() : trim(line.substr(comma + 1));
        if (code == "code" && name == "name") {
            continue; // header row
        }
        FormsError::Arguments args{
            {"source", std::string(source)}, {"line", std::to_string(line_no)}, {"code", code}};
        if (!six_digits(code) || code.substr(0, 2) == "00") {
            throw FormsError(FormsErrorCode::DataFile,
                             N_("Region table {source}, line {line}: '{code}' is not a 6-digit "
                                "GB/T 2260 code."),
                             args);
        }
        if (name.empty() || name.find(',') != std::string::npos) {
            throw FormsError(FormsErrorCode::DataFile,
                             N_("Region table {source}, line {line}: code {code} needs exactly one "
                                "name after the comma."),
                             args);
        }
        Region region{code, name, level_of(code), {}};
        if (!table.regions_.emplace(code, std::move(region)).second) {
            throw FormsError(FormsErrorCode::DataFile,
                             N_("Region table {source}, line {line}: code {code} appears twice."),
                             args);
        }
    }
    if (table.edition_.empty()) {
        throw FormsError(FormsErrorCode::DataFile,
                         N_("Region table {source} has no '# edition:' line; a region table must "
                            "say which GB/T 2260 edition it follows."),
                         {{"source", std::string(source)}});
    }
    // Parents: the prefecture if present, else the province (province-administered units,
    // municipalities without a 市辖区 row).
    for (auto& [code, region] : table.regions_) {
        if (region.level == RegionLevel::Province) {
            continue;
        }
        const std::string province = code.substr(0, 2) + "0000";
        if (region.level == RegionLevel::County) {
            const std::string prefecture = code.substr(0, 4) + "00";
            if (table.regions_.count(prefecture) != 0) {
                region.parent = prefecture;
                continue;
            }
        }
        if (table.regions_.count(province) == 0) {
            throw FormsError(
                FormsErrorCode::DataFile,
                N_("Region table {source}: code {code} has no province row {province}."),
                {{"source", std::string(source)}, {"code", code}, {"province", province}});
        }
        region.parent = province;
    }
    return table;
}

RegionTable RegionTable::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw FormsError(FormsErrorCode::DataFile, N_("Cannot open the region table {path}."),
                         {{"path", path.string()}});
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return from_csv(buffer.str(), path.string());
}

const RegionTable& RegionTable::builtin() {
    static const RegionTable table =
        from_csv(detail::embedded_regions_csv(), "gb2260.csv (built in)");
    return table;
}

const Region* RegionTable::find(std::string_view code) const {
    const auto it = regions_.find(code);
    return it == regions_.end() ? nullptr : &it->second;
}

std::vector<const Region*> RegionTable::children(std::string_view parent) const {
    std::vector<const Region*> out;
    for (const auto& [code, region] : regions_) {
        if (region.parent == parent) {
            out.push_back(&region);
        }
    }
    return out;
}

std::vector<const Region*> RegionTable::find_by_name(std::string_view text) const {
    std::vector<const Region*> out;
    if (text.empty()) {
        return out;
    }
    for (const auto& [code, region] : regions_) {
        if (region.name.find(text) != std::string::npos) {
            out.push_back(&region);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Region* a, const Region* b) {
        return static_cast<int>(a->level) < static_cast<int>(b->level);
    });
    return out;
}

std::vector<const Region*> RegionTable::path(std::string_view code) const {
    std::vector<const Region*> chain;
    const Region* r = find(code);
    while (r != nullptr) {
        chain.push_back(r);
        r = r->parent.empty() ? nullptr : find(r->parent);
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

std::string RegionTable::full_name(std::string_view code) const {
    std::string out;
    for (const auto* r : path(code)) {
        out += r->name;
    }
    return out;
}

} // namespace ow::forms
