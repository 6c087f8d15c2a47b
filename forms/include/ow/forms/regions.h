// GB/T 2260 administrative division codes as versioned reference data, and the model behind the
// region picker of address fields (province → prefecture → county).
//
// The table file is CSV (forms/data/regions/gb2260.csv): `code,name` per line, '#' comments, and a
// `# edition: …` line naming the edition. The shipped table is PARTIAL (see its header): all
// provincial-level and prefecture-level divisions, counties for some provinces only. A synced,
// complete table can replace it through RegionTable::load.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ow::forms {

enum class RegionLevel { Province, Prefecture, County };

struct Region {
    std::string code; // 6 digits
    std::string name; // short official name, e.g. "南山区"
    RegionLevel level;
    std::string parent; // "" for provinces; the nearest existing ancestor otherwise
};

class RegionTable {
public:
    // Parses the CSV text; `source` names the file in error messages.
    // Throws FormsError(DataFile) on a malformed line, a code that is not 6 digits or a duplicate.
    static RegionTable from_csv(std::string_view text, std::string_view source);
    static RegionTable load(const std::filesystem::path& path);
    // The table compiled into the library (a copy of forms/data/regions/gb2260.csv).
    static const RegionTable& builtin();

    const std::string& edition() const noexcept { return edition_; }
    std::size_t size() const noexcept { return regions_.size(); }

    const Region* find(std::string_view code) const;
    // Direct children, in code order; `parent` "" gives the provinces.
    std::vector<const Region*> children(std::string_view parent) const;
    // Every region whose name contains `text` (UTF-8 substring), provinces first, then by code.
    std::vector<const Region*> find_by_name(std::string_view text) const;
    // "广东省深圳市南山区": the names from the province down; "" if the code is unknown.
    std::string full_name(std::string_view code) const;
    // The chain province → … → the region itself; empty if unknown.
    std::vector<const Region*> path(std::string_view code) const;

private:
    std::string edition_;
    std::map<std::string, Region, std::less<>> regions_;
};

} // namespace ow::forms
