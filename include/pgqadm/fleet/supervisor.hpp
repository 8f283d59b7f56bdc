// The fleet daemon's supervisor: one JobControl, TickerLoop and Maintenance
// per database, added and retired while the others run; a fixed pool of
// ticker threads steps them all (ticker_pool.hpp), and each database's
// maintenance runs in its ticker's steps, on its one connection.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/fleet/ticker_pool.hpp"
#include "pgqadm/observe/health.hpp"
#include "pgqadm/observe/metrics.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pgqadm::fleet {

/// One database: its own settings (the daemon's, with `db` its connection
/// string), its ticker loop, which the ticker pool steps, and its
/// maintenance schedule, which the ticker loop works between rounds. Log lines of its
/// work start with the database name.
class Member {
  public:
    Member(NamedDatabase spec, const config::Config& cfg);
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

    void update(const config::Config& cfg);
    void request_stop() { control_.request_stop(); }

    const NamedDatabase& spec() const { return spec_; }
    ticker::JobControl& control() { return control_; }
    ticker::TickerLoop& ticker() { return ticker_; }
    ticker::Maintenance& maintenance() { return maintenance_; }
    /// The daemon's settings as one database's jobs see them.
    static config::Config settings_for(const NamedDatabase& spec, const config::Config& cfg);

  private:
    NamedDatabase spec_;
    ticker::JobControl control_;
    ticker::Maintenance maintenance_; ///< run by its ticker, between rounds
    ticker::TickerLoop ticker_;
};

class Supervisor {
  public:
    explicit Supervisor(config::Config cfg)
        : cfg_(std::move(cfg)), tickers_(ticker_workers, max_ticker_workers)
    {
    }
    /// Threads of a daemon that step the tickers (and so run each
    /// database's maintenance and retry), however many databases it serves.
    static constexpr std::size_t ticker_workers = 4;
    /// While slow databases hold the ticker threads, at most this many.
    static constexpr std::size_t max_ticker_workers = 16;
    ~Supervisor() { stop_all(); }
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    /// Serves exactly `wanted`: starts the new ones, retires those no
    /// longer wanted (and those whose connection string changed, which
    /// start again), leaves the others alone. Never waits for a database.
    void apply(const std::vector<NamedDatabase>& wanted);
    /// New settings (SIGHUP) for every database.
    void update(const config::Config& cfg);
    /// Lets go of retired databases that have stopped.
    void reap();
    /// Stops every database and waits until each has.
    void stop_all();
    /// pgqd's stats line, `{ticks: N, maint: N, retry: N}`, for every
    /// database that did something and for all of them together.
    void log_stats();

    std::vector<std::string> names() const;
    /// Each database's ticker as the daemon knows it (for /metrics);
    /// callable from any thread.
    std::vector<observe::LoopFacts> loop_facts() const;
    std::size_t size() const { return members_.size(); }
    std::size_t retiring() const { return retiring_.size(); }
    /// Databases whose ticker leads right now.
    std::size_t leading() const;
    /// /healthz: the ticker pool's dispatcher goes round (a database that
    /// hangs is that database's trouble, shown in its metrics and status).
    observe::Verdict alive() const;
    /// /readyz: serving at least one database.
    observe::Verdict ready() const;

  private:
    void retire(std::map<std::string, std::unique_ptr<Member>>::iterator it);

    config::Config cfg_;
    /// Guards members_ against loop_facts() on other threads; the main
    /// thread alone changes it.
    mutable std::mutex members_mutex_;
    std::map<std::string, std::unique_ptr<Member>> members_;
    std::vector<std::unique_ptr<Member>> retiring_;
    TickerPool tickers_;
    ticker::Stats::Counts retired_counts_; ///< work of retired databases not yet logged
};

} // namespace pgqadm::fleet
