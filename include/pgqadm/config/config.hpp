// The typed configuration of pgqadm: the [pgqadm] section of the INI file.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace pgqadm::config {

struct Config {
    std::filesystem::path file; ///< where it was read from (for reloads and messages)

    std::string job_name = "pgqadm";
    std::string db;                    ///< libpq connection string (required)
    double loop_delay = 1.0;           ///< seconds between ticker rounds
    double maint_delay = 300;          ///< seconds between maintenance rounds
    double retry_delay = 30;           ///< seconds between retry-queue flushes
    double queue_refresh_period = 30;  ///< seconds between re-reads of pgq.queue
    double ticker_log_delay = 300;     ///< seconds between stats lines
    double connection_lifetime = 1200; ///< recycle connections older than this (0 = never)
    long max_failures = 0;             ///< exit after this many failed rounds in a row (0 = never)
    std::string logfile;
    std::string pidfile;
    long log_size = 10485760;
    long log_count = 3;
    long use_skylog = 0;

    /// Keys present in the file that pgqadm does not know (warned about, not fatal).
    std::vector<std::string> unknown_keys;
};

/// The section every pgqadm config file must have.
inline constexpr const char* service_name = "pgqadm";

/// Reads and validates the file. Throws ConfigError with file, key and value.
Config load_config(const std::filesystem::path& file);

/// Names of keys whose value differs between `before` and `after` but that a
/// reload cannot change (they need a restart).
std::vector<std::string> non_reloadable_changes(const Config& before, const Config& after);

} // namespace pgqadm::config
