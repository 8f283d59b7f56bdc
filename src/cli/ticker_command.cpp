// ticker: the long-running process. The main thread owns the pidfile and
// the signals; one TickerLoop and one Maintenance thread work the database.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/daemon/control_loop.hpp"
#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/fleet/fleet_daemon.hpp"
#include "pgqadm/log/log.hpp"
#include "pgqadm/observe/health.hpp"
#include "pgqadm/observe/http_server.hpp"
#include "pgqadm/observe/systemd_notify.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

namespace pgqadm::cli {
namespace {

log::Settings log_settings(const Options& opts, const config::Config& cfg)
{
    return fleet::log_settings(opts.verbose ? log::Verbosity::verbose
                               : opts.quiet ? log::Verbosity::quiet
                                            : log::Verbosity::normal,
                               cfg);
}

/// SIGHUP: re-read the file; a broken file leaves the running config alone.
void reload(const Options& opts, ticker::JobControl& control, observe::HttpServer& http)
{
    const config::Config current = *control.settings();
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
        try {
            http.rebind(fresh.metrics_listen);
        } catch (const std::exception& e) {
            spdlog::error("{}; the metrics endpoint stays on '{}'", e.what(), http.address());
        }
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

/// What systemd hears from the main thread: READY=1 once the ticker has
/// done its first round (or stands by), WATCHDOG=1 while the ticker loop
/// is alive (a stuck loop lets the watchdog fire), STATUS= when it changes.
class SystemdReporter {
  public:
    explicit SystemdReporter(ticker::JobControl& control) : control_(control) {}

    void poll()
    {
        if (!notifier_.enabled())
            return;
        ticker::LoopStatus loop = control_.loop_status();
        std::string message;
        if (!ready_sent_ && loop.first_round_done) {
            message += "READY=1\n";
            ready_sent_ = true;
        }
        // The tick count keeps changing: a new STATUS= at most every 2 s.
        std::string status = observe::summary(loop, control_.stats.totals().ticks);
        double now = ticker::monotonic_now();
        if (status != last_status_ && now >= next_status_) {
            message += "STATUS=" + status + "\n";
            last_status_ = status;
            next_status_ = now + 2;
        }
        auto interval = notifier_.watchdog_interval();
        if (interval && now >= next_watchdog_ &&
            observe::alive(loop, control_.settings()->loop_delay).ok) {
            message += "WATCHDOG=1\n";
            next_watchdog_ = now + *interval;
        }
        if (!message.empty())
            notifier_.send(message);
    }
    void reloading() { notifier_.send("RELOADING=1"); }
    void reloaded()
    {
        if (ready_sent_)
            notifier_.send("READY=1");
    }
    void stopping() { notifier_.send("STOPPING=1"); }

  private:
    ticker::JobControl& control_;
    observe::SystemdNotifier notifier_;
    bool ready_sent_ = false;
    std::string last_status_;
    double next_status_ = 0;
    double next_watchdog_ = 0;
};

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
    ticker::JobControl control(cfg);
    observe::HttpServer http(observe::single_database_endpoints(control));
    try {
        // Before detaching, so that a bad address is reported on the terminal.
        http.bind(cfg.metrics_listen);
    } catch (const Error& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    daemon::start_daemon_process(pidfile, ctx.options.daemon);

    spdlog::info("Starting pgqadm {} ticker on {}", PGQADM_VERSION, db::mask_password(cfg.db));
    http.start();
    SystemdReporter systemd(control);
    ticker::TickerLoop ticker_loop(control);
    ticker::Maintenance maintenance(control);
    std::thread ticker_thread([&] { ticker_loop.run(); });
    std::thread maint_thread([&] { maintenance.run(); });

    double next_stats = ticker::monotonic_now() + cfg.ticker_log_delay;
    daemon::ControlHooks hooks;
    hooks.tick = [&] {
        systemd.poll();
        if (ticker::monotonic_now() >= next_stats) {
            log_stats(control.stats);
            next_stats = ticker::monotonic_now() + control.settings()->ticker_log_delay;
        }
        return next_stats - ticker::monotonic_now();
    };
    hooks.reload = [&] {
        systemd.reloading();
        reload(ctx.options, control, http);
        systemd.reloaded();
    };
    hooks.failed = [&] { return control.failed(); };
    int exit_code = daemon::run_control_loop(pidfile, hooks);

    systemd.stopping();
    http.stop();
    control.request_stop();
    ticker_thread.join();
    maint_thread.join();
    log_stats(control.stats);
    spdlog::info("ticker stopped");
    return exit_code;
}

} // namespace pgqadm::cli
