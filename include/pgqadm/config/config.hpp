// The typed configuration of pgqadm: the [pgqadm] section of the INI file,
// or the [pgqd] section of a pgqd 3.5 config, plus [databases].
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::config {

/// A database named in the config: `[databases]` entry (name = connection
/// string), or a `database_list` name joined to `base_connstr`.
struct NamedDatabase {
    std::string name;
    std::string connstr;
    bool operator==(const NamedDatabase&) const = default;
};

/// The [pgqadm] keys, typed; or the [pgqd] keys of an unchanged pgqd 3.5
/// config, mapped onto the same fields (ticker_period -> loop_delay ...).
/// Defaults, validation, the pgqd names and whether a reload may change a
/// key live in one table (src/config/config.cpp); defaults() and
/// load_config() fill this struct from it.
struct Config {
    std::filesystem::path file; ///< where it was read from (for reloads and messages)
    /// Read from a [pgqd] section (pgqd's keys and defaults), not [pgqadm].
    bool pgqd_format = false;

    std::string job_name;
    std::string db;                  ///< libpq connection string (required)
    double loop_delay = 0;           ///< seconds between ticker rounds
    double maint_delay = 0;          ///< seconds between maintenance rounds
    double retry_delay = 0;          ///< seconds between retry-queue flushes
    double queue_refresh_period = 0; ///< seconds between re-reads of pgq.queue
    double ticker_log_delay = 0;     ///< seconds between stats lines
    double connection_lifetime = 0;  ///< recycle connections older than this (0 = never)
    long max_failures = 0;           ///< exit after this many failed rounds in a row (0 = never)
    std::string logfile;
    std::string pidfile;
    long log_size = 0;
    long log_count = 0;
    long use_skylog = 0;

    std::string metrics_listen;       ///< HOST:PORT of the HTTP endpoint (empty = off)
    double metrics_cache_seconds = 0; ///< a database snapshot serves scrapes this long
    // status thresholds [seconds]; 0 = not checked
    double warn_consumer_lag = 0;
    double crit_consumer_lag = 0;
    double warn_consumer_last_seen = 0;
    double crit_consumer_last_seen = 0;
    double warn_tick_delay = 0; ///< past the queue's idle period

    // Many databases from one daemon (issue 17); pgqd's keys.
    std::string base_connstr;     ///< libpq connection string without dbname
    std::string initial_database; ///< where discovery reads pg_database
    std::string database_list;    ///< comma-separated names (empty: see databases / discovery)
    double check_period = 0;      ///< seconds between database-list and pgq-presence checks
    long syslog = 0;              ///< also log to syslog(3)
    std::string syslog_ident;
    std::string syslog_facility;
    /// The [databases] section: one database per key, the value its
    /// connection string (a file of them may come through %include).
    std::vector<NamedDatabase> databases;

    /// Keys present in the file that pgqadm does not know (warned about, not fatal).
    std::vector<std::string> unknown_keys;
};

/// The section of a pgqd 3.5 config file.
inline constexpr const char* pgqd_service_name = "pgqd";

/// syslog(3) facility code of a name (daemon, user, local0..local7, ...).
std::optional<int> syslog_facility_code(const std::string& name);

/// The section of a pgqadm config file.
inline constexpr const char* service_name = "pgqadm";

/// Where the metrics endpoint listens: a host name or address (IPv6 without
/// the brackets it is written with) and a port (0: any free one).
struct ListenAddress {
    std::string host;
    int port = 0;
};

/// Parses HOST:PORT or [IPV6]:PORT; nothing if it is neither.
std::optional<ListenAddress> parse_listen_address(const std::string& text);

/// Every key at its default (db empty: it has none).
Config defaults();

/// Reads and validates the file. Throws ConfigError with file, key and value.
Config load_config(const std::filesystem::path& file);

/// Names of keys whose value differs between `before` and `after` but that a
/// reload cannot change (they need a restart).
std::vector<std::string> non_reloadable_changes(const Config& before, const Config& after);

/// What a reload puts in force: `fresh`, but with every key that needs a
/// restart kept as `running` has it. Logs nothing; see non_reloadable_changes.
Config reloaded(const Config& running, Config fresh);

} // namespace pgqadm::config
