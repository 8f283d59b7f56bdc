// The command table: name -> handler, argument counts, usage and help lines.
#pragma once
#include "pgqadm/cli/options.hpp"
#include "pgqadm/config/config.hpp"

#include <string>
#include <vector>

namespace pgqadm::cli {

struct CommandContext {
    const Options& options;
    const config::Config& config;
    std::vector<std::string> args; ///< the command's own arguments
};

/// A handler returns the process exit code; failures are thrown.
using Handler = int (*)(CommandContext&);

struct Command {
    std::string name;
    int min_args;
    int max_args; ///< -1: unlimited
    std::string arg_usage;
    std::string help;
    bool one_shot;         ///< holds <pidfile>.admin while it runs
    bool blank_line_after; ///< layout of the help text, as the original
    Handler handler;
};

const std::vector<Command>& command_table();
const Command* find_command(const std::string& name);

// Handlers, one file per family under src/cli/ and src/ticker/.
int cmd_ticker(CommandContext& ctx);
int cmd_status(CommandContext& ctx);
/// status for a config of many databases (src/cli/fleet_status.cpp).
int cmd_fleet_status(CommandContext& ctx);
int cmd_install(CommandContext& ctx);
int cmd_create(CommandContext& ctx);
int cmd_drop(CommandContext& ctx);
int cmd_register(CommandContext& ctx);
int cmd_unregister(CommandContext& ctx);
int cmd_config(CommandContext& ctx);

} // namespace pgqadm::cli
