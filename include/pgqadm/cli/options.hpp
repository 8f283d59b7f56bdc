// The command line: pgqadm [options] config.ini command [arguments]
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::cli {

struct Options {
    bool help = false;
    bool version = false;
    bool quiet = false;
    bool verbose = false;
    bool daemon = false;
    bool json = false;                    ///< status --json
    bool check = false;                   ///< status --check: exit 0/1/2 (ok/warning/critical)
    bool force = false;                   ///< drop --force, install --force
    std::optional<int> control_signal;    ///< -r/-s/-k: SIGHUP/SIGINT/SIGTERM (last one wins)
    std::vector<std::string> positionals; ///< config file, command, command arguments
};

/// Parses argv (options may come anywhere, as optparse allowed). Throws UsageError.
Options parse_options(int argc, const char* const* argv);

/// The --help text.
std::string help_text();

} // namespace pgqadm::cli
