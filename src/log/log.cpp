// spdlog set-up: the SkyTools line format, stderr + reopenable rotating file.
#include "pgqadm/log/log.hpp"

#include "pgqadm/log/printable.hpp"
#include "pgqadm/log/reopenable_file_sink.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace pgqadm::log {
namespace {

// Python's logging level names, which SkyTools logs carry (spdlog says "warning").
std::string_view level_name(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
        return "DEBUG";
    case spdlog::level::info:
        return "INFO";
    case spdlog::level::warn:
        return "WARNING";
    case spdlog::level::err:
        return "ERROR";
    case spdlog::level::critical:
        return "CRITICAL";
    default:
        return "NOTSET";
    }
}

class LevelNameFlag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override
    {
        auto name = level_name(msg.level);
        dest.append(name.data(), name.data() + name.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<LevelNameFlag>();
    }
};

thread_local std::string thread_context;

// The message with control characters escaped: queue, consumer and database
// names and server error texts end up in messages, and one of them must not
// be able to start a forged log record or steer the terminal of whoever
// reads the log. Escaping here covers every message, wherever it was made.
class PrintableMessageFlag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override
    {
        std::string text = printable(std::string_view(msg.payload.data(), msg.payload.size()));
        if (!thread_context.empty())
            text = printable(thread_context) + ": " + text;
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<PrintableMessageFlag>();
    }
};

/// syslog adds time, ident and pid itself: only the message (no newline).
std::unique_ptr<spdlog::formatter> make_syslog_formatter()
{
    auto formatter =
        std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::local, "");
    formatter->add_flag<PrintableMessageFlag>('V').set_pattern("%V");
    return formatter;
}

std::unique_ptr<spdlog::formatter> make_formatter()
{
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelNameFlag>('Q').add_flag<PrintableMessageFlag>('V').set_pattern(
        "%Y-%m-%d %H:%M:%S,%e %P %Q %V");
    return formatter;
}

std::mutex setup_mutex;
std::shared_ptr<ReopenableFileSink> file_sink;
// The logger is created once; a reload only swaps the file sink inside this
// distributing sink and changes the level, so threads that are logging at
// that moment never see a logger being replaced under them.
std::shared_ptr<spdlog::sinks::stderr_sink_mt> stderr_sink;
std::shared_ptr<spdlog::sinks::dist_sink_mt> file_slot;
// The syslog sink in its own slot; replaced only when ident or facility
// change (the old one's closelog() must come before the new openlog()).
std::shared_ptr<spdlog::sinks::dist_sink_mt> syslog_slot;
std::string syslog_ident;
int syslog_facility = -1;

void setup_syslog(const Settings& settings)
{
    bool same = settings.syslog && settings.syslog_ident == syslog_ident &&
                settings.syslog_facility == syslog_facility;
    if (same)
        return;
    syslog_slot->set_sinks({}); // drops (and closes) the old sink first
    syslog_ident.clear();
    syslog_facility = -1;
    if (!settings.syslog)
        return;
    int facility = settings.syslog_facility ? settings.syslog_facility : LOG_USER;
    auto sink = std::make_shared<spdlog::sinks::syslog_sink_mt>(settings.syslog_ident, LOG_PID,
                                                                facility, true);
    sink->set_formatter(make_syslog_formatter());
    syslog_slot->set_sinks({sink});
    syslog_ident = settings.syslog_ident;
    syslog_facility = settings.syslog_facility;
}

} // namespace

void setup(const Settings& settings)
{
    std::lock_guard guard(setup_mutex);
    if (!file_slot) {
        file_slot = std::make_shared<spdlog::sinks::dist_sink_mt>();
        syslog_slot = std::make_shared<spdlog::sinks::dist_sink_mt>();
        stderr_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        std::vector<spdlog::sink_ptr> sinks{stderr_sink, file_slot, syslog_slot};
        auto logger = std::make_shared<spdlog::logger>("pgqadm", sinks.begin(), sinks.end());
        logger->set_formatter(make_formatter());
        logger->flush_on(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    if (!settings.logfile.empty()) {
        if (!file_sink || file_sink->path() != settings.logfile) {
            file_sink = std::make_shared<ReopenableFileSink>(settings.logfile, settings.log_size,
                                                             settings.log_count);
            file_sink->set_formatter(make_formatter());
            file_slot->set_sinks({file_sink});
        } else {
            file_sink->set_limits(settings.log_size, settings.log_count);
        }
    } else if (file_sink) {
        file_slot->set_sinks({});
        file_sink.reset();
    }
    setup_syslog(settings);
    bool quiet = settings.verbosity == Verbosity::quiet;
    auto level = quiet && !settings.quiet_terminal_only     ? spdlog::level::warn
                 : settings.verbosity == Verbosity::verbose ? spdlog::level::debug
                                                            : spdlog::level::info;
    spdlog::default_logger_raw()->set_level(level);
    stderr_sink->set_level(quiet ? spdlog::level::warn : spdlog::level::trace);
}

void reopen()
{
    std::lock_guard guard(setup_mutex);
    if (file_sink)
        file_sink->reopen();
}

void set_thread_context(std::string name)
{
    thread_context = std::move(name);
}

std::string format_line(const std::string& level, const std::string& message)
{
    auto lvl = level == "DEBUG"     ? spdlog::level::debug
               : level == "INFO"    ? spdlog::level::info
               : level == "WARNING" ? spdlog::level::warn
               : level == "ERROR"   ? spdlog::level::err
                                    : spdlog::level::critical;
    spdlog::details::log_msg msg("pgqadm", lvl, message);
    spdlog::memory_buf_t out;
    make_formatter()->format(msg, out);
    return fmt::to_string(out);
}

} // namespace pgqadm::log
