#include "command.h"

#include <algorithm>
#include <charconv>

namespace ow::cli {

Args::Args(std::vector<std::string> argv, std::vector<std::string> flags) {
    bool only_positional = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (only_positional || a.size() < 3 || a.rfind("--", 0) != 0) {
            if (a == "--") {
                only_positional = true;
                continue;
            }
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        std::string value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else if (std::find(flags.begin(), flags.end(), name) == flags.end()) {
            if (i + 1 >= argv.size())
                throw UsageError("option --" + name + " needs a value");
            value = argv[++i];
        }
        options_.emplace(std::move(name), std::move(value));
    }
}

bool Args::has(std::string_view name) const {
    return options_.find(name) != options_.end();
}

std::optional<std::string> Args::get(std::string_view name) const {
    auto range = options_.equal_range(name);
    if (range.first == range.second)
        return std::nullopt;
    return std::prev(range.second)->second; // the last one wins
}

std::string Args::require(std::string_view name) const {
    auto v = get(name);
    if (!v || v->empty())
        throw UsageError("missing required option --" + std::string(name));
    return *v;
}

std::vector<std::string> Args::all(std::string_view name) const {
    std::vector<std::string> out;
    auto range = options_.equal_range(name);
    for (auto it = range.first; it != range.second; ++it)
        out.push_back(it->second);
    return out;
}

long long Args::get_int(std::string_view name, long long fallback) const {
    auto v = get(name);
    if (!v)
        return fallback;
    long long n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || ptr != v->data() + v->size())
        throw UsageError("option --" + std::string(name) + " needs a whole number, got '" + *v +
                         "'");
    return n;
}

std::string Args::positional_at(std::size_t i, std::string_view what) const {
    if (i >= positional_.size())
        throw UsageError("missing " + std::string(what));
    return positional_[i];
}

void Args::allow_only(const std::vector<std::string>& known) const {
    for (const auto& [name, value] : options_)
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw UsageError("unknown option --" + name);
}

namespace {
std::map<std::string_view, Command>& registry() {
    static std::map<std::string_view, Command> commands;
    return commands;
}
} // namespace

Registration::Registration(Command command) {
    registry().emplace(command.name, std::move(command));
}

const std::map<std::string_view, Command>& commands() {
    return registry();
}

} // namespace ow::cli
