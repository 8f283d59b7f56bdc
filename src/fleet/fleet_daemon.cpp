#include "pgqadm/fleet/fleet_daemon.hpp"

#include "pgqadm/daemon/control_loop.hpp"
#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/fleet/supervisor.hpp"
#include "pgqadm/observe/http_server.hpp"
#include "pgqadm/observe/systemd_notify.hpp"
#include "pgqadm/ticker/clock.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

namespace pgqadm::fleet {
namespace {

/// Reads pg_database through initial_database every check_period (at once
/// after a reload) on its own thread, so that a slow or unreachable server
/// never holds up the main thread; the main thread takes the result.
class Discovery {
  public:
    explicit Discovery(const config::Config& cfg) : control_(cfg)
    {
        thread_ = std::thread([this] {
            log::set_thread_context("discovery");
            run();
        });
    }
    ~Discovery()
    {
        control_.request_stop();
        thread_.join();
    }
    Discovery(const Discovery&) = delete;
    Discovery& operator=(const Discovery&) = delete;

    void update(const config::Config& cfg) { control_.update(cfg); }
    /// The list found since the last call, if any.
    std::optional<std::vector<NamedDatabase>> take()
    {
        std::lock_guard guard(mutex_);
        return std::exchange(found_, std::nullopt);
    }

  private:
    void run()
    {
        std::string last_error;
        while (!control_.stopping()) {
            const auto settings = control_.settings();
            const config::Config& cfg = *settings;
            try {
                db::Connection conn =
                    db::Connection::open(discovery_connstr(cfg), cfg.job_name + " discovery");
                std::vector<NamedDatabase> list = discover(conn, cfg.base_connstr);
                {
                    std::lock_guard guard(mutex_);
                    found_ = std::move(list);
                }
                if (!last_error.empty())
                    spdlog::info("reading the database list works again");
                last_error.clear();
            } catch (const std::exception& e) {
                const auto* dbe = dynamic_cast<const db::DbError*>(&e);
                std::string text = dbe ? dbe->describe() : e.what();
                // Once, not every round: the databases served so far stay.
                if (text != last_error)
                    spdlog::error("cannot read the database list from {}: {}", cfg.initial_database,
                                  text);
                last_error = text;
            }
            control_.sleep_for(std::chrono::duration<double>(cfg.check_period));
        }
    }

    ticker::JobControl control_;
    std::mutex mutex_;
    std::optional<std::vector<NamedDatabase>> found_;
    std::thread thread_;
};

/// Where the databases come from: the config's list, or discovery.
class Sources {
  public:
    explicit Sources(Supervisor& supervisor) : supervisor_(supervisor) {}

    void configure(const config::Config& cfg)
    {
        if (discovers_databases(cfg)) {
            if (discovery_) {
                discovery_->update(cfg); // and look again at once
            } else {
                spdlog::info("discovering databases through {} every {} s", cfg.initial_database,
                             cfg.check_period);
                discovery_ = std::make_unique<Discovery>(cfg);
            }
        } else {
            discovery_.reset();
            supervisor_.apply(listed_databases(cfg));
        }
    }
    void stop() { discovery_.reset(); }
    void poll()
    {
        if (!discovery_)
            return;
        if (auto found = discovery_->take())
            supervisor_.apply(*found);
    }

  private:
    Supervisor& supervisor_;
    std::unique_ptr<Discovery> discovery_;
};

void reload(const DaemonOptions& options, config::Config& running, Supervisor& supervisor,
            Sources& sources, observe::HttpServer& http)
{
    try {
        config::Config loaded = config::load_config(running.file);
        for (const auto& key : config::non_reloadable_changes(running, loaded))
            spdlog::warn("config reload: {} cannot change while running; restart to apply it", key);
        config::Config fresh = config::reloaded(running, std::move(loaded));
        log::setup(log_settings(options.verbosity, fresh));
        log::reopen();
        running = fresh;
        supervisor.update(fresh);
        sources.configure(fresh);
        spdlog::info("config reloaded: {} databases, ticker_period={} maint_period={} "
                     "retry_period={}",
                     supervisor.size(), fresh.loop_delay, fresh.maint_delay, fresh.retry_delay);
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

} // namespace

log::Settings log_settings(log::Verbosity verbosity, const config::Config& cfg)
{
    log::Settings s;
    s.verbosity = verbosity;
    s.quiet_terminal_only = cfg.pgqd_format; // as pgqd's -q
    s.logfile = cfg.logfile;
    s.log_size = static_cast<std::size_t>(cfg.log_size);
    s.log_count = static_cast<std::size_t>(cfg.log_count);
    s.syslog = cfg.syslog != 0;
    s.syslog_ident = cfg.syslog_ident;
    s.syslog_facility = config::syslog_facility_code(cfg.syslog_facility).value_or(0);
    return s;
}

int run_daemon(const DaemonOptions& options, const config::Config& initial)
{
    config::Config cfg = initial;
    if (options.detach && cfg.pidfile.empty()) {
        spdlog::error("Daemon needs pidfile");
        return 1;
    }
    std::optional<daemon::PidFile> pidfile;
    if (!cfg.pidfile.empty())
        pidfile.emplace(daemon::PidFile::acquire(cfg.pidfile, !options.detach));
    // The supervisor exists before the endpoint that reads it, and the
    // endpoint binds before detaching, so a bad address is reported on
    // the terminal; neither starts a thread before the fork.
    std::optional<Supervisor> supervisor;
    observe::HttpServer http(
        {[&](observe::Format format) {
             return observe::render_fleet_metrics(supervisor->loop_facts(), format);
         },
         [&] { return supervisor->alive(); }, [&] { return supervisor->ready(); }});
    try {
        http.bind(cfg.metrics_listen);
    } catch (const Error& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    daemon::start_daemon_process(pidfile, options.detach);
    log::setup(log_settings(options.verbosity, cfg));

    spdlog::info("Starting pgqadm {} ticker for many databases ({})", PGQADM_VERSION,
                 cfg.pgqd_format ? "pgqd config" : "pgqadm config");
    observe::SystemdNotifier systemd;
    supervisor.emplace(cfg);
    http.start();
    Sources sources(*supervisor);
    sources.configure(cfg);
    systemd.send("READY=1");

    double next_stats = ticker::monotonic_now() + cfg.ticker_log_delay;
    double next_watchdog = 0;
    daemon::ControlHooks hooks;
    hooks.tick = [&] {
        sources.poll();
        supervisor->reap();
        double now = ticker::monotonic_now();
        if (auto interval = systemd.watchdog_interval(); interval && now >= next_watchdog) {
            systemd.send("WATCHDOG=1\nSTATUS=" + std::to_string(supervisor->leading()) + " of " +
                         std::to_string(supervisor->size()) + " databases led");
            next_watchdog = now + *interval;
        }
        if (now >= next_stats) {
            supervisor->log_stats();
            next_stats = ticker::monotonic_now() + cfg.ticker_log_delay;
        }
        return next_stats - ticker::monotonic_now();
    };
    hooks.reload = [&] {
        systemd.send("RELOADING=1");
        reload(options, cfg, *supervisor, sources, http);
        systemd.send("READY=1");
    };
    daemon::run_control_loop(pidfile, hooks);
    systemd.send("STOPPING=1");
    http.stop();
    sources.stop();
    supervisor->stop_all();
    supervisor->log_stats();
    spdlog::info("ticker stopped");
    return 0;
}

} // namespace pgqadm::fleet
