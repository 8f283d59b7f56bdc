// Logging in the SkyTools line format:
//   2008-09-22 12:00:00,123 12345 INFO message
// to stderr always and, when configured, to a size-rotated log file that can
// be reopened (SIGHUP) so that logrotate works, and to syslog(3).
#pragma once
#include <cstddef>
#include <string>

namespace pgqadm::log {

enum class Verbosity { quiet, normal, verbose };

struct Settings {
    Verbosity verbosity = Verbosity::normal;
    std::string logfile;             ///< empty: stderr only
    std::size_t log_size = 10485760; ///< rotate when the file grows past this
    std::size_t log_count = 3;       ///< rotated files kept (file.1 .. file.N)
    bool syslog = false;             ///< also through syslog(3)
    std::string syslog_ident = "pgqadm";
    int syslog_facility = 0; ///< LOG_DAEMON etc.; 0 = LOG_USER
    /// -q silences the terminal only, the log file and syslog keeping
    /// info (pgqd's -q), instead of lowering every sink to warnings
    /// (SkyTools' -q, pgqadm's).
    bool quiet_terminal_only = false;
};

/// Installs the default spdlog logger. Safe to call again (reload).
void setup(const Settings& settings);

/// Closes and reopens the log file (after logrotate moved it away).
void reopen();

/// Names what the calling thread works on (the daemon's database name);
/// every message it logs starts with "NAME: ", as pgqd's do. Empty: none.
void set_thread_context(std::string name);

/// The pattern used for every sink; exposed for tests.
std::string format_line(const std::string& level_name, const std::string& message);

} // namespace pgqadm::log
