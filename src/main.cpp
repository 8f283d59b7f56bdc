// pgqadm: parse the command line, load the config, dispatch to a command.
// The one place where errors become messages and exit codes.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/cli/options.hpp"
#include "pgqadm/config/config.hpp"
#include "pgqadm/daemon/pidfile.hpp"
#include "pgqadm/db/db_error.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/fleet/fleet_daemon.hpp"
#include "pgqadm/log/log.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <optional>

using namespace pgqadm;

namespace {

log::Verbosity verbosity(const cli::Options& opts)
{
    if (opts.verbose) // -v wins over -q, as the original checked it second
        return log::Verbosity::verbose;
    return opts.quiet ? log::Verbosity::quiet : log::Verbosity::normal;
}

const char* signal_name(int sig)
{
    return sig == SIGHUP ? "SIGHUP" : sig == SIGINT ? "SIGINT" : "SIGTERM";
}

int control_running_process(const config::Config& cfg, int sig)
{
    switch (daemon::signal_pidfile(cfg.pidfile, sig)) {
    case daemon::SignalOutcome::no_pidfile_key:
        spdlog::warn("No pidfile in config, nothing todo");
        break;
    case daemon::SignalOutcome::no_pidfile:
        spdlog::warn("No pidfile, process not running");
        break;
    case daemon::SignalOutcome::not_running:
        spdlog::warn("pidfile exist, but process not running");
        break;
    case daemon::SignalOutcome::sent:
        spdlog::info("{} sent to the process in {}", signal_name(sig), cfg.pidfile);
        break;
    }
    return 0;
}

int run(const cli::Options& opts, std::string& job_name)
{
    if (opts.positionals.empty())
        throw UsageError("need config file");
    config::Config cfg = config::load_config(opts.positionals[0]);
    job_name = cfg.job_name;
    log::Settings log_settings = fleet::log_settings(verbosity(opts), cfg);
    // syslog is the daemon's (pgqd's syslog key); see below.
    log_settings.syslog = false;
    log::setup(log_settings);
    for (const auto& key : cfg.unknown_keys)
        spdlog::warn("config file {}: unknown key {} ignored", cfg.file.string(), key);

    if (opts.control_signal)
        return control_running_process(cfg, *opts.control_signal);
    if (opts.positionals.size() < 2)
        throw UsageError("need command");
    const cli::Command* cmd = cli::find_command(opts.positionals[1]);
    if (!cmd)
        throw UsageError("unknown command");
    std::vector<std::string> args(opts.positionals.begin() + 2, opts.positionals.end());
    int nargs = static_cast<int>(args.size());
    if (nargs < cmd->min_args || (cmd->max_args >= 0 && nargs > cmd->max_args))
        throw UsageError("usage: pgqadm [options] INI " + cmd->name +
                         (cmd->arg_usage.empty() ? "" : " " + cmd->arg_usage));
    if (opts.daemon && cmd->name != "ticker")
        throw UsageError("-d/--daemon only applies to the ticker command");

    if (cmd->name == "ticker") {
        log::setup(fleet::log_settings(verbosity(opts), cfg));
        if (fleet::is_fleet(cfg))
            return fleet::run_daemon({opts.daemon, verbosity(opts)}, cfg);
    } else if (fleet::is_fleet(cfg)) {
        // A list of one database serves the admin commands like a `db`.
        auto listed = fleet::listed_databases(cfg);
        if (listed.size() == 1) {
            cfg.db = listed.front().connstr;
        } else if (cmd->name == "status") {
            cli::CommandContext ctx{opts, cfg, std::move(args)};
            return cli::cmd_fleet_status(ctx);
        } else if (cfg.db.empty()) {
            throw UsageError("the config names no single database (a list, discovery, or a "
                             "[pgqd] file): only ticker and status serve many databases");
        }
    }

    std::optional<daemon::PidFile> admin_lock;
    if (cmd->one_shot && !cfg.pidfile.empty())
        admin_lock.emplace(daemon::PidFile::acquire(cfg.pidfile + ".admin"));
    cli::CommandContext ctx{opts, cfg, std::move(args)};
    return cmd->handler(ctx);
}

} // namespace

int main(int argc, char** argv)
{
    std::string job_name = config::defaults().job_name;
    try {
        cli::Options opts = cli::parse_options(argc, argv);
        if (opts.help) {
            std::cout << cli::help_text();
            return 0;
        }
        if (opts.version) {
            std::cout << "pgqadm " << PGQADM_VERSION << "\n";
            return 0;
        }
        log::setup({verbosity(opts), {}, 0, 1});
        return run(opts, job_name);
    } catch (const UsageError& e) {
        std::cerr << e.what() << "\n";
        return e.exit_code();
    } catch (const ConfigError& e) {
        spdlog::error("{}", e.what());
        return e.exit_code();
    } catch (const Error& e) {
        spdlog::critical("Job {} crashed: {}", job_name, e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        spdlog::critical("Job {} crashed: {}", job_name, e.what());
        return 1;
    }
}
