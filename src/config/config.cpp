// The declarative table of [pgqadm] keys and the typed Config built from it.
#include "pgqadm/config/config.hpp"

#include "pgqadm/config/ini_file.hpp"
#include "pgqadm/error.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <pwd.h>
#include <variant>

namespace pgqadm::config {
namespace {

enum class Kind { Text, Path, Seconds, Integer };

using Field = std::variant<std::string Config::*, double Config::*, long Config::*>;

struct KeySpec {
    const char* name;
    Kind kind;
    Field field;
    bool reloadable;
};

// Defaults live in the Config struct; this table says how each key is read.
const std::array<KeySpec, 15> key_table{{
    {"job_name", Kind::Text, &Config::job_name, false},
    {"db", Kind::Text, &Config::db, true},
    {"loop_delay", Kind::Seconds, &Config::loop_delay, true},
    {"maint_delay", Kind::Seconds, &Config::maint_delay, true},
    {"retry_delay", Kind::Seconds, &Config::retry_delay, true},
    {"queue_refresh_period", Kind::Seconds, &Config::queue_refresh_period, true},
    {"ticker_log_delay", Kind::Seconds, &Config::ticker_log_delay, true},
    {"connection_lifetime", Kind::Seconds, &Config::connection_lifetime, true},
    {"max_failures", Kind::Integer, &Config::max_failures, true},
    {"logfile", Kind::Path, &Config::logfile, true},
    {"pidfile", Kind::Path, &Config::pidfile, false},
    {"log_size", Kind::Integer, &Config::log_size, true},
    {"log_count", Kind::Integer, &Config::log_count, true},
    {"use_skylog", Kind::Integer, &Config::use_skylog, false},
    // Legacy: maintenance period in minutes; maint_delay wins when both are set.
    {"maint_delay_min", Kind::Seconds, static_cast<double Config::*>(nullptr), true},
}};

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

} // namespace

Config load_config(const std::filesystem::path& file)
{
    IniFile ini = IniFile::load(file);
    Config cfg;
    cfg.file = file;
    if (!ini.has_section(service_name))
        throw ConfigError("config file " + file.string() + ": no [" + service_name + "] section");

    // Built-in interpolation names of SkyTools. job_name defaults to the
    // service name but the file may override it (and others then see that).
    IniFile::Section builtins{
        {"job_name", service_name}, {"service_name", service_name}, {"host_name", host_name()}};
    if (auto job = ini.get(service_name, "job_name", builtins))
        builtins["job_name"] = *job;

    std::optional<double> maint_delay_min;
    for (const KeySpec& spec : key_table) {
        auto value = ini.get(service_name, spec.name, builtins);
        if (!value)
            continue;
        std::string key = spec.name;
        if (key == "maint_delay_min") {
            maint_delay_min = parse_seconds(cfg, key, *value);
            continue;
        }
        std::visit(
            [&](auto member) {
                using T = std::remove_reference_t<decltype(cfg.*member)>;
                if constexpr (std::is_same_v<T, std::string>)
                    cfg.*member = spec.kind == Kind::Path ? expand_home(*value) : *value;
                else if constexpr (std::is_same_v<T, double>)
                    cfg.*member = parse_seconds(cfg, key, *value);
                else
                    cfg.*member = parse_integer(cfg, key, *value);
            },
            spec.field);
    }
    if (maint_delay_min && !ini.get(service_name, "maint_delay", builtins))
        cfg.maint_delay = *maint_delay_min * 60;

    for (const std::string& key : ini.keys(service_name)) {
        bool known = false;
        for (const KeySpec& spec : key_table)
            known = known || key == spec.name;
        if (!known)
            cfg.unknown_keys.push_back(key);
    }

    if (cfg.db.empty())
        throw ConfigError("config file " + file.string() + ": key db: Config value not set");
    if (cfg.use_skylog != 0)
        bad_value(cfg, "use_skylog", std::to_string(cfg.use_skylog),
                  "skylog is not supported, only 0");
    if (cfg.loop_delay <= 0)
        bad_value(cfg, "loop_delay", "0", "must be greater than zero");
    if (cfg.log_count < 1)
        bad_value(cfg, "log_count", std::to_string(cfg.log_count), "must be at least 1");
    return cfg;
}

std::vector<std::string> non_reloadable_changes(const Config& before, const Config& after)
{
    std::vector<std::string> changed;
    for (const KeySpec& spec : key_table) {
        if (spec.reloadable)
            continue;
        bool differs = std::visit(
            [&](auto member) { return member && before.*member != after.*member; }, spec.field);
        if (differs)
            changed.push_back(spec.name);
    }
    return changed;
}

} // namespace pgqadm::config
