// The fleet daemon's supervisor: one JobControl and TickerLoop (a thread)
// per database, added and retired while the others run, and a small fixed
// pool of maintenance workers that serves them all on connections opened
// only for the work.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgqadm::fleet {

/// One database: its own settings (the daemon's, with `db` its connection
/// string), its ticker thread, and its maintenance schedule, which the
/// pool works. Log lines of its work start with the database name.
class Member {
  public:
    Member(NamedDatabase spec, const config::Config& cfg);
    ~Member(); ///< stops and joins
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

    void update(const config::Config& cfg);
    void request_stop() { control_.request_stop(); }
    /// The ticker thread has returned and no maintenance worker holds it
    /// (join() will not wait; the pool no longer lists it).
    bool finished() const { return running_.load() == 0 && !maint_busy.load(); }
    void join();

    const NamedDatabase& spec() const { return spec_; }
    ticker::JobControl& control() { return control_; }
    ticker::Maintenance& maintenance() { return maintenance_; }
    /// A maintenance worker is at work on it (set and cleared by the pool).
    std::atomic<bool> maint_busy{false};

    /// The daemon's settings as one database's jobs see them.
    static config::Config settings_for(const NamedDatabase& spec, const config::Config& cfg);

  private:
    NamedDatabase spec_;
    ticker::JobControl control_;
    ticker::TickerLoop ticker_;
    ticker::Maintenance maintenance_;
    std::atomic<int> running_{1};
    std::thread ticker_thread_;
};

/// Maintenance and retry for every database that leads, by a fixed number
/// of worker threads: each picks the database whose work is due first,
/// connects, does it, disconnects. A database whose maintenance waits on a
/// lock gives up after lock_timeout; one that fails is postponed.
class MaintenancePool {
  public:
    explicit MaintenancePool(std::size_t workers);
    ~MaintenancePool(); ///< stops and joins the workers
    MaintenancePool(const MaintenancePool&) = delete;
    MaintenancePool& operator=(const MaintenancePool&) = delete;

    void add(Member* m);
    /// No worker picks `m` from now on (one may still be at work on it:
    /// see Member::finished()).
    void remove(Member* m);

  private:
    void work();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Member*> members_;
    bool stop_ = false;
    std::vector<std::thread> workers_;
};

class Supervisor {
  public:
    explicit Supervisor(config::Config cfg) : cfg_(std::move(cfg)), pool_(maintenance_workers) {}
    /// Maintenance workers of a daemon, however many databases it serves.
    static constexpr std::size_t maintenance_workers = 4;
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
    MaintenancePool pool_;
    ticker::Stats::Counts retired_counts_; ///< work of retired databases not yet logged
};

} // namespace pgqadm::fleet
