// ticker: the long-running process. The main thread owns the pidfile and
// the signals; one TickerLoop and one Maintenance thread work the database.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/daemon/pidfile.hpp"
#include "pgqadm/daemon/process.hpp"
#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/log/log.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

namespace pgqadm::cli {
namespace {

log::Settings log_settings(const Options& opts, const config::Config& cfg)
{
    log::Settings s;
    s.verbosity = opts.verbose ? log::Verbosity::verbose
                  : opts.quiet ? log::Verbosity::quiet
                               : log::Verbosity::normal;
    s.logfile = cfg.logfile;
    s.log_size = static_cast<std::size_t>(cfg.log_size);
    s.log_count = static_cast<std::size_t>(cfg.log_count);
    return s;
}

/// SIGHUP: re-read the file; a broken file leaves the running config alone.
void reload(const Options& opts, ticker::JobControl& control)
{
    config::Config current = control.settings();
    try {
        config::Config loaded = config::load_config(current.file);
        for (const auto& key : config::non_reloadable_changes(current, loaded)) {
            spdlog::warn("config reload: {} cannot change while running; restart to apply it", key);
        }
        config::Config fresh = config::reloaded(current, std::move(loaded));
        log::setup(log_settings(opts, fresh));
        log::reopen();
        control.update(fresh);
        spdlog::info("config reloaded: loop_delay={} maint_delay={} retry_delay={}",
                     fresh.loop_delay, fresh.maint_delay, fresh.retry_delay);
    } catch (const std::exception& e) {
        log::reopen();
        spdlog::error("config reload failed, keeping the running config: {}", e.what());
    }
}

void log_stats(ticker::Stats& stats)
{
    ticker::Stats::Counts counts = stats.take_interval();
    spdlog::info("{{ticks: {}, maint: {}, retry: {}}}", counts.ticks, counts.maint, counts.retry);
}

} // namespace

int cmd_ticker(CommandContext& ctx)
{
    const config::Config& cfg = ctx.config;
    if (ctx.options.daemon && cfg.pidfile.empty()) {
        spdlog::error("Daemon needs pidfile");
        return 1;
    }
    std::optional<daemon::PidFile> pidfile;
    if (!cfg.pidfile.empty())
        pidfile.emplace(daemon::PidFile::acquire(cfg.pidfile, !ctx.options.daemon));
    if (ctx.options.daemon) {
        daemon::detach();
        pidfile->write_current_pid();
    }
    // Before any thread exists, so that only the main thread sees the signals.
    daemon::block_control_signals();

    spdlog::info("Starting pgqadm {} ticker on {}", PGQADM_VERSION, db::mask_password(cfg.db));
    ticker::JobControl control(cfg);
    ticker::TickerLoop ticker_loop(control);
    ticker::Maintenance maintenance(control);
    std::thread ticker_thread([&] { ticker_loop.run(); });
    std::thread maint_thread([&] { maintenance.run(); });

    double next_stats = ticker::monotonic_now() + cfg.ticker_log_delay;
    int exit_code = 0;
    while (true) {
        if (auto failed = control.failed()) {
            exit_code = *failed;
            break;
        }
        double until_stats = next_stats - ticker::monotonic_now();
        auto timeout =
            std::chrono::milliseconds(static_cast<long>(std::clamp(until_stats, 0.0, 0.2) * 1000));
        auto sig = daemon::wait_for_signal(timeout);
        if (ticker::monotonic_now() >= next_stats) {
            log_stats(control.stats);
            next_stats = ticker::monotonic_now() + control.settings().ticker_log_delay;
        }
        if (!sig)
            continue;
        if (*sig == daemon::ControlSignal::reload) {
            spdlog::info("Got SIGHUP, re-reading config");
            reload(ctx.options, control);
        } else if (*sig == daemon::ControlSignal::safe_stop) {
            spdlog::info("Got SIGINT, shutting down");
            break;
        } else {
            spdlog::info("Got SIGTERM, fast exit");
            if (pidfile)
                pidfile->remove();
            daemon::die_by_sigterm();
        }
    }
    control.request_stop();
    ticker_thread.join();
    maint_thread.join();
    log_stats(control.stats);
    spdlog::info("ticker stopped");
    return exit_code;
}

} // namespace pgqadm::cli
