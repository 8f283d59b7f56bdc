// The declarative table of [pgqadm] keys and the typed Config built from it.
#include "pgqadm/config/config.hpp"

#include "pgqadm/config/ini_file.hpp"
#include "pgqadm/error.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <pwd.h>
#include <syslog.h>
#include <variant>

namespace pgqadm::config {
namespace {

enum class Kind { Text, Path, Seconds, Minutes, Integer, Boolean };

/// What a value must be beyond its kind.
enum class Rule {
    any,
    required,
    positive,
    at_least_one,
    only_zero,
    listen_address,
    syslog_facility
};

using Field = std::variant<std::string Config::*, double Config::*, long Config::*>;

struct KeySpec {
    const char* name;
    Kind kind;
    Field field;
    const char* default_value; ///< as a config file would spell it
    bool reloadable;
    Rule rule = Rule::any;
    /// Set on an older spelling of another key (maint_delay_min for
    /// maint_delay): it applies only when the newer key is absent.
    const char* superseded_by = nullptr;
    /// In a [pgqd] file: the key's pgqd 3.5 name and default. nullptr: the
    /// key keeps its own name and default there (a pgqadm extension), or,
    /// with not_in_pgqd, does not exist in [pgqd] at all.
    const char* pgqd_name = nullptr;
    const char* pgqd_default = nullptr;
    bool not_in_pgqd = false;
};

// The one description of every [pgqadm] key, and of its [pgqd] spelling.
const KeySpec key_table[] = {
    {"job_name", Kind::Text, &Config::job_name, service_name, false, Rule::any, nullptr, "job_name",
     pgqd_service_name},
    {"db", Kind::Text, &Config::db, "", true, Rule::required, nullptr, nullptr, nullptr, true},
    {"loop_delay", Kind::Seconds, &Config::loop_delay, "1", true, Rule::positive, nullptr,
     "ticker_period", "1"},
    {"maint_delay", Kind::Seconds, &Config::maint_delay, "300", true, Rule::any, nullptr,
     "maint_period", "120"},
    {"retry_delay", Kind::Seconds, &Config::retry_delay, "30", true, Rule::any, nullptr,
     "retry_period", "30"},
    {"queue_refresh_period", Kind::Seconds, &Config::queue_refresh_period, "30", true},
    {"ticker_log_delay", Kind::Seconds, &Config::ticker_log_delay, "300", true, Rule::any, nullptr,
     "stats_period", "30"},
    {"connection_lifetime", Kind::Seconds, &Config::connection_lifetime, "1200", true, Rule::any,
     nullptr, "connection_lifetime", "3600"},
    {"max_failures", Kind::Integer, &Config::max_failures, "0", true},
    {"logfile", Kind::Path, &Config::logfile, "", true},
    {"pidfile", Kind::Path, &Config::pidfile, "", false},
    {"log_size", Kind::Integer, &Config::log_size, "10485760", true},
    {"log_count", Kind::Integer, &Config::log_count, "3", true, Rule::at_least_one},
    {"use_skylog", Kind::Integer, &Config::use_skylog, "0", false, Rule::only_zero},
    {"maint_delay_min", Kind::Minutes, &Config::maint_delay, "5", true, Rule::any, "maint_delay",
     nullptr, nullptr, true},
    // Health and metrics (issue 18): the HTTP endpoint is off unless given.
    {"metrics_listen", Kind::Text, &Config::metrics_listen, "", true, Rule::listen_address},
    {"metrics_cache_seconds", Kind::Seconds, &Config::metrics_cache_seconds, "5", true},
    // What status (and status --check) reports; 0 turns a threshold off.
    {"warn_consumer_lag", Kind::Seconds, &Config::warn_consumer_lag, "600", true},
    {"crit_consumer_lag", Kind::Seconds, &Config::crit_consumer_lag, "3600", true},
    {"warn_consumer_last_seen", Kind::Seconds, &Config::warn_consumer_last_seen, "600", true},
    {"crit_consumer_last_seen", Kind::Seconds, &Config::crit_consumer_last_seen, "3600", true},
    {"warn_tick_delay", Kind::Seconds, &Config::warn_tick_delay, "10", true},
    // Many databases from one daemon (issue 17): pgqd 3.5's keys, under
    // the same names in [pgqadm]; pgqd logs to syslog unless told not to.
    {"base_connstr", Kind::Text, &Config::base_connstr, "", true},
    {"initial_database", Kind::Text, &Config::initial_database, "template1", true},
    {"database_list", Kind::Text, &Config::database_list, "", true},
    {"check_period", Kind::Seconds, &Config::check_period, "60", true, Rule::positive},
    {"syslog", Kind::Boolean, &Config::syslog, "0", true, Rule::any, nullptr, "syslog", "1"},
    {"syslog_ident", Kind::Text, &Config::syslog_ident, service_name, true, Rule::any, nullptr,
     "syslog_ident", pgqd_service_name},
    {"syslog_facility", Kind::Text, &Config::syslog_facility, "daemon", true,
     Rule::syslog_facility},
};

std::string host_name()
{
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0)
        return "localhost";
    return buf;
}

std::string expand_home(const std::string& value)
{
    if (value.empty() || value == "-" || value[0] != '~')
        return value;
    std::size_t slash = value.find('/');
    std::string user = value.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    std::string home;
    if (user.empty()) {
        const char* env = std::getenv("HOME");
        if (env)
            home = env;
        else if (const passwd* pw = getpwuid(getuid()))
            home = pw->pw_dir;
    } else if (const passwd* pw = getpwnam(user.c_str())) {
        home = pw->pw_dir;
    }
    if (home.empty())
        return value; // as Python's expanduser: leave it alone
    return home + (slash == std::string::npos ? "" : value.substr(slash));
}

[[noreturn]] void bad_value(const Config& cfg, const std::string& key, const std::string& value,
                            const std::string& expected)
{
    throw ConfigError("config file " + cfg.file.string() + ": key " + key + ": bad value '" +
                      value + "' (" + expected + ")");
}

double parse_seconds(const Config& cfg, const std::string& key, const std::string& value)
{
    const char* begin = value.c_str();
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(begin, &end);
    if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(d) || d < 0)
        bad_value(cfg, key, value, "expected a non-negative number of seconds");
    return d;
}

long parse_boolean(const Config& cfg, const std::string& key, const std::string& value)
{
    // pgqd reads 0/1; ConfigParser's words are accepted as well.
    std::string v;
    for (char c : value)
        v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "1" || v == "yes" || v == "true" || v == "on")
        return 1;
    if (v == "0" || v == "no" || v == "false" || v == "off")
        return 0;
    bad_value(cfg, key, value, "expected 0 or 1");
}

long parse_integer(const Config& cfg, const std::string& key, const std::string& value)
{
    const char* begin = value.c_str();
    char* end = nullptr;
    errno = 0;
    long n = std::strtol(begin, &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || n < 0)
        bad_value(cfg, key, value, "expected a non-negative whole number");
    return n;
}

void check_rule(const Config& cfg, const KeySpec& spec, const std::string& value)
{
    switch (spec.rule) {
    case Rule::any:
        return;
    case Rule::required:
        if (value.empty())
            throw ConfigError("config file " + cfg.file.string() + ": key " + spec.name +
                              ": Config value not set");
        return;
    case Rule::positive:
        if (parse_seconds(cfg, spec.name, value) <= 0)
            bad_value(cfg, spec.name, value, "must be greater than zero");
        return;
    case Rule::at_least_one:
        if (parse_integer(cfg, spec.name, value) < 1)
            bad_value(cfg, spec.name, value, "must be at least 1");
        return;
    case Rule::only_zero:
        if (parse_integer(cfg, spec.name, value) != 0)
            bad_value(cfg, spec.name, value, "not supported, only 0");
        return;
    case Rule::syslog_facility:
        if (!syslog_facility_code(value))
            bad_value(cfg, spec.name, value,
                      "expected a syslog facility: daemon, user, local0 ... local7, ...");
        return;
    case Rule::listen_address:
        if (!value.empty() && !parse_listen_address(value))
            bad_value(cfg, spec.name, value,
                      "expected HOST:PORT, e.g. 127.0.0.1:9187 or [::1]:9187");
        return;
    }
}

/// Parses `value` as `spec` says and stores it in `cfg`.
void assign(Config& cfg, const KeySpec& spec, const std::string& value)
{
    std::visit(
        [&](auto member) {
            using T = std::remove_reference_t<decltype(cfg.*member)>;
            if constexpr (std::is_same_v<T, std::string>)
                cfg.*member = spec.kind == Kind::Path ? expand_home(value) : value;
            else if constexpr (std::is_same_v<T, double>)
                cfg.*member =
                    parse_seconds(cfg, spec.name, value) * (spec.kind == Kind::Minutes ? 60 : 1);
            else if (spec.kind == Kind::Boolean)
                cfg.*member = parse_boolean(cfg, spec.name, value);
            else
                cfg.*member = parse_integer(cfg, spec.name, value);
        },
        spec.field);
}

const KeySpec* find_key(std::string_view name)
{
    for (const KeySpec& spec : key_table)
        if (name == spec.name)
            return &spec;
    return nullptr;
}

} // namespace

std::optional<ListenAddress> parse_listen_address(const std::string& text)
{
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        return std::nullopt;
    std::string host = text.substr(0, colon);
    std::string port_text = text.substr(colon + 1);
    // IPv6 literals come in brackets, so that the port's colon is the last.
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']')
            return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return std::nullopt;
    }
    if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5)
        return std::nullopt;
    int port = std::stoi(port_text);
    if (port > 65535)
        return std::nullopt;
    return ListenAddress{host, port};
}

Config defaults()
{
    Config cfg;
    for (const KeySpec& spec : key_table)
        if (!spec.superseded_by)
            assign(cfg, spec, spec.default_value);
    return cfg;
}

namespace {

/// The [pgqadm] section: ConfigParser semantics (interpolation, builtins).
void load_pgqadm(const IniFile& ini, Config& cfg)
{
    // Built-in interpolation names of SkyTools. job_name defaults to the
    // service name but the file may override it (and others then see that).
    IniFile::Section builtins{
        {"job_name", service_name}, {"service_name", service_name}, {"host_name", host_name()}};
    if (auto job = ini.get(service_name, "job_name", builtins))
        builtins["job_name"] = *job;

    for (const KeySpec& spec : key_table) {
        auto value = ini.get(service_name, spec.name, builtins);
        if (spec.superseded_by && (!value || ini.get(service_name, spec.superseded_by, builtins)))
            continue;
        if (value)
            assign(cfg, spec, *value);
        if (spec.rule != Rule::required) // db: see below
            check_rule(cfg, spec, value.value_or(spec.default_value));
    }
    for (const std::string& key : ini.keys("databases"))
        cfg.databases.push_back({key, ini.get("databases", key, builtins).value_or("")});
    // One `db`, or a list of databases, or discovery (base_connstr given).
    bool names_databases = !cfg.databases.empty() || !cfg.database_list.empty() ||
                           ini.get(service_name, "base_connstr", builtins).has_value();
    if (!names_databases)
        check_rule(cfg, *find_key("db"), cfg.db);

    for (const std::string& key : ini.keys(service_name))
        if (!find_key(key))
            cfg.unknown_keys.push_back(key);
}

/// The name a key has in a [pgqd] file; nullptr if it has none there.
const char* pgqd_name(const KeySpec& spec)
{
    if (spec.not_in_pgqd)
        return nullptr;
    return spec.pgqd_name ? spec.pgqd_name : spec.name;
}

/// A [pgqd] section of an unchanged pgqd 3.5 config: pgqd's names and
/// defaults, values taken literally (pgqd knows no %(name)s).
void load_pgqd(const IniFile& ini, Config& cfg)
{
    cfg.pgqd_format = true;
    for (const KeySpec& spec : key_table) {
        const char* name = pgqd_name(spec);
        if (!name)
            continue;
        std::string fallback = spec.pgqd_default ? spec.pgqd_default : spec.default_value;
        auto value = ini.literal(pgqd_service_name, name);
        KeySpec as_written = spec; // errors name the key as the file has it
        as_written.name = name;
        assign(cfg, as_written, value.value_or(fallback));
        check_rule(cfg, as_written, value.value_or(fallback));
    }
    for (const std::string& key : ini.keys("databases"))
        cfg.databases.push_back({key, ini.literal("databases", key).value_or("")});
    for (const std::string& key : ini.keys(pgqd_service_name)) {
        bool known = false;
        for (const KeySpec& spec : key_table)
            if (const char* name = pgqd_name(spec); name && key == name)
                known = true;
        if (!known)
            cfg.unknown_keys.push_back(key);
    }
}

} // namespace

Config load_config(const std::filesystem::path& file)
{
    IniFile ini = IniFile::load(file);
    Config cfg = defaults();
    cfg.file = file;
    if (ini.has_section(service_name))
        load_pgqadm(ini, cfg);
    else if (ini.has_section(pgqd_service_name))
        load_pgqd(ini, cfg);
    else
        throw ConfigError("config file " + file.string() + ": no [" + service_name + "] section");
    return cfg;
}

std::optional<int> syslog_facility_code(const std::string& name)
{
    static const std::pair<const char*, int> facilities[] = {
        {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
        {"daemon", LOG_DAEMON}, {"ftp", LOG_FTP},           {"kern", LOG_KERN},
        {"lpr", LOG_LPR},       {"mail", LOG_MAIL},         {"news", LOG_NEWS},
        {"syslog", LOG_SYSLOG}, {"user", LOG_USER},         {"uucp", LOG_UUCP},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (const auto& [n, code] : facilities)
        if (name == n)
            return code;
    return std::nullopt;
}

std::vector<std::string> non_reloadable_changes(const Config& before, const Config& after)
{
    std::vector<std::string> changed;
    for (const KeySpec& spec : key_table) {
        if (spec.reloadable)
            continue;
        bool differs =
            std::visit([&](auto member) { return before.*member != after.*member; }, spec.field);
        if (differs)
            changed.push_back(spec.name);
    }
    return changed;
}

Config reloaded(const Config& running, Config fresh)
{
    for (const KeySpec& spec : key_table)
        if (!spec.reloadable)
            std::visit([&](auto member) { fresh.*member = running.*member; }, spec.field);
    return fresh;
}

} // namespace pgqadm::config
