// spdlog set-up: the SkyTools line format, stderr + reopenable rotating file.
#include "pgqadm/log/log.hpp"

#include "pgqadm/log/reopenable_file_sink.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
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

std::unique_ptr<spdlog::formatter> make_formatter()
{
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelNameFlag>('Q').set_pattern("%Y-%m-%d %H:%M:%S,%e %P %Q %v");
    return formatter;
}

std::mutex setup_mutex;
std::shared_ptr<ReopenableFileSink> file_sink;

} // namespace

void setup(const Settings& settings)
{
    std::lock_guard guard(setup_mutex);
    std::vector<spdlog::sink_ptr> sinks;
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (!settings.logfile.empty()) {
        if (!file_sink || file_sink->path() != settings.logfile)
            file_sink = std::make_shared<ReopenableFileSink>(settings.logfile, settings.log_size,
                                                             settings.log_count);
        else
            file_sink->set_limits(settings.log_size, settings.log_count);
        sinks.push_back(file_sink);
    } else {
        file_sink.reset();
    }
    auto logger = std::make_shared<spdlog::logger>("pgqadm", sinks.begin(), sinks.end());
    logger->set_formatter(make_formatter());
    switch (settings.verbosity) {
    case Verbosity::quiet:
        logger->set_level(spdlog::level::warn);
        break;
    case Verbosity::normal:
        logger->set_level(spdlog::level::info);
        break;
    case Verbosity::verbose:
        logger->set_level(spdlog::level::debug);
        break;
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

void reopen()
{
    std::lock_guard guard(setup_mutex);
    if (file_sink)
        file_sink->reopen();
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
