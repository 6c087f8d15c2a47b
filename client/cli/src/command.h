// onewindow-cli: each sub-command lives in its own cmd_<name>.cpp and registers itself here.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ow::cli {

// Documented exit codes (docs/cli.md). Stable: scripts depend on them.
enum ExitCode : int {
    kExitOk = 0,
    kExitFailed = 1,     // the operation ran and the answer is "no" (invalid, verification failed)
    kExitUsage = 2,      // bad arguments, unreadable input file
    kExitWarning = 3,    // valid with a warning (e.g. a USCC whose check digit fails)
    kExitAuth = 4,       // wrong password or PIN, locked user
    kExitPermission = 5, // the user's role may not do this
    kExitData = 6,       // workstation cache missing, refused or corrupt
    kExitDevice = 7,     // card reader, token or scanner problem
    kExitNetwork = 8,    // server unreachable, TLS refused
    kExitInternal = 70,  // a bug: please report with the log
};

// Thrown for command-line mistakes; main() prints it as one line and exits with kExitUsage.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parsed command line of one sub-command: `--name value`, `--flag`, and positional arguments.
// Options that may repeat (e.g. `--text`) keep every value in order.
class Args {
public:
    // flags: option names that take no value (without the leading dashes).
    Args(std::vector<std::string> argv, std::vector<std::string> flags);

    bool has(std::string_view name) const;
    std::optional<std::string> get(std::string_view name) const;
    std::string require(std::string_view name) const;
    std::vector<std::string> all(std::string_view name) const;
    long long get_int(std::string_view name, long long fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    std::string positional_at(std::size_t i, std::string_view what) const;
    // Fails with a UsageError naming the first option not in `known` (catches typos).
    void allow_only(const std::vector<std::string>& known) const;

private:
    std::multimap<std::string, std::string, std::less<>> options_;
    std::vector<std::string> positional_;
};

struct Context {
    Args args;
    std::string data_dir; // --data-dir, or the platform's default
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
};

using CommandFn = int (*)(Context&);

struct Command {
    std::string_view name;
    std::string_view usage;         // one line: "user add NAME --role ROLE [--password-stdin]"
    std::vector<std::string> flags; // options without a value
    CommandFn run;
};

// Static registration: `static const ow::cli::Registration reg{{...}};` in each cmd_*.cpp.
struct Registration {
    explicit Registration(Command command);
};

const std::map<std::string_view, Command>& commands();

} // namespace ow::cli
