// The fleet daemon's supervisor: one JobControl, TickerLoop and Maintenance
// (two threads) per database, added and retired while the others run.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pgqadm::fleet {

/// One database: its own settings (the daemon's, with `db` its connection
/// string), ticker and maintenance threads. Log lines of its threads start
/// with the database name.
class Member {
  public:
    Member(NamedDatabase spec, const config::Config& cfg);
    ~Member(); ///< stops and joins
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

    void update(const config::Config& cfg);
    void request_stop() { control_.request_stop(); }
    /// Both threads have returned (join() will not wait).
    bool finished() const { return running_.load() == 0; }
    void join();

    const NamedDatabase& spec() const { return spec_; }
    ticker::JobControl& control() { return control_; }

    /// The daemon's settings as one database's jobs see them.
    static config::Config settings_for(const NamedDatabase& spec, const config::Config& cfg);

  private:
    NamedDatabase spec_;
    ticker::JobControl control_;
    ticker::TickerLoop ticker_;
    ticker::Maintenance maintenance_;
    std::atomic<int> running_{2};
    std::thread ticker_thread_;
    std::thread maint_thread_;
};

class Supervisor {
  public:
    explicit Supervisor(config::Config cfg) : cfg_(std::move(cfg)) {}
    ~Supervisor() { stop_all(); }
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    /// Serves exactly `wanted`: starts the new ones, retires those no
    /// longer wanted (and those whose connection string changed, which
    /// start again), leaves the others alone. Never waits for a thread.
    void apply(const std::vector<NamedDatabase>& wanted);
    /// New settings (SIGHUP) for every database.
    void update(const config::Config& cfg);
    /// Joins retired databases whose threads have ended.
    void reap();
    /// Stops every database and waits for all threads.
    void stop_all();
    /// pgqd's stats line, `{ticks: N, maint: N, retry: N}`, for every
    /// database that did something and for all of them together.
    void log_stats();

    std::vector<std::string> names() const;
    std::size_t size() const { return members_.size(); }
    std::size_t retiring() const { return retiring_.size(); }
    /// Databases whose ticker leads right now.
    std::size_t leading() const;

  private:
    void retire(std::map<std::string, std::unique_ptr<Member>>::iterator it);

    config::Config cfg_;
    std::map<std::string, std::unique_ptr<Member>> members_;
    std::vector<std::unique_ptr<Member>> retiring_;
    ticker::Stats::Counts retired_counts_; ///< work of retired databases not yet logged
};

} // namespace pgqadm::fleet
