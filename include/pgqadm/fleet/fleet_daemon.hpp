// The ticker for many databases (a [pgqd] config, database_list, a
// [databases] section, or discovery): pidfile, signals, the supervisor,
// discovery every check_period, and pgqd's stats line.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/log/log.hpp"

namespace pgqadm::fleet {

struct DaemonOptions {
    bool detach = false; ///< -d
    log::Verbosity verbosity = log::Verbosity::normal;
};

/// Logging as the config asks for it (file, syslog), at `verbosity`.
log::Settings log_settings(log::Verbosity verbosity, const config::Config& cfg);

/// Runs until SIGINT (or SIGTERM); returns the exit code.
int run_daemon(const DaemonOptions& options, const config::Config& cfg);

} // namespace pgqadm::fleet
