// What the daemon's main thread shares with the ticker and maintenance
// threads of one database: current settings, stop/wake-up, counters.
#pragma once
#include "pgqadm/config/config.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>

namespace pgqadm::ticker {

/// Work done, counted by the jobs as they go.
struct Stats {
    std::atomic<long> ticks{0};
    std::atomic<long> maint{0}; ///< maintenance operations
    std::atomic<long> retry{0}; ///< retry events moved back into their queue

    struct Counts {
        long ticks = 0, maint = 0, retry = 0;
    };
    /// The counts since the last call (for the stats line), which then
    /// start again from zero; totals() keeps counting.
    Counts take_interval();
    /// The counts since the daemon started: never go down (metrics counters).
    Counts totals() const;

  private:
    mutable std::mutex mutex_;
    Counts taken_; ///< what take_interval() has handed out so far
};

/// Upper bounds [seconds] of the ticker-round duration histogram.
inline constexpr double round_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr std::size_t round_bucket_count = std::size(round_buckets);

/// How the ticker loop is doing, as /healthz, /readyz, metrics and systemd see it.
struct LoopStatus {
    bool connected = false;        ///< the last attempt reached the database
    bool leading = false;          ///< holds the database's ticker lead
    bool first_round_done = false; ///< a round ran, or it stands by healthily
    long consecutive_failures = 0;
    long connection_failures = 0; ///< since start
    double since_beat = 0;        ///< seconds past the moment it promised to be back (< 0: not yet)
    double since_round = -1;      ///< seconds since the last round / standby check (-1: never)
    // Round durations: counts per round_buckets bound (not cumulative), sum, count.
    long round_counts[round_bucket_count + 1] = {};
    double round_seconds_sum = 0;
    long rounds = 0;
};

class JobControl {
  public:
    explicit JobControl(config::Config cfg);
    ~JobControl();
    JobControl(const JobControl&) = delete;
    JobControl& operator=(const JobControl&) = delete;

    /// The settings in force. The main thread replaces them on SIGHUP; a
    /// holder keeps the ones it took, so a loop step reads one consistent
    /// set without copying it (the ticker takes them at every step).
    std::shared_ptr<const config::Config> settings() const;
    void update(config::Config cfg);
    /// Incremented by update(): jobs compare it to notice a reload.
    unsigned generation() const;

    void request_stop();
    bool stopping() const { return stop_.load(); }
    /// Sleeps up to `d`; returns early (false) when stopping, or on a reload.
    bool sleep_for(std::chrono::duration<double> d);
    /// Waits up to `d` for `fd` (a database socket) to become readable;
    /// returns early when stopping or on a reload. True if `fd` is readable.
    /// For one thread at a time (the ticker).
    bool wait_readable(int fd, std::chrono::duration<double> d);

    /// A job gave up (max_failures): the process exits with this code.
    void fail(int exit_code);
    std::optional<int> failed() const;

    // The ticker loop reports on itself (monotonic clock, see monotonic_now()).
    /// It will be back within `seconds` (it is about to wait that long).
    void report_beat(double seconds);
    /// A round of ticking took `seconds`.
    void report_round(double seconds);
    /// Connected, another daemon leads; it checks again within `seconds`.
    void report_standby(double seconds);
    /// An attempt failed; it tries again within `seconds`.
    void report_failure(double seconds);
    LoopStatus loop_status() const;

    /// True while the ticker connection holds the database's ticker lock;
    /// only the active instance runs maintenance.
    std::atomic<bool> active{false};
    Stats stats;

  private:
    void wake_all();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    int wake_fd_ = -1; ///< eventfd: wakes wait_readable() the way wake_ wakes sleep_for()
    std::shared_ptr<const config::Config> config_;
    unsigned generation_ = 0;
    std::atomic<bool> stop_{false};
    std::optional<int> exit_code_;

    mutable std::mutex loop_mutex_;
    LoopStatus loop_;    ///< since_* hold absolute times here, see loop_status()
    double back_by_ = 0; ///< monotonic time the loop promised to be back by
    double last_round_ = -1;
};

/// Exponential back-off between failed attempts: 1, 2, 4 ... 60 seconds.
class Backoff {
  public:
    double next();
    void reset() { delay_ = 0; }

  private:
    double delay_ = 0;
};

} // namespace pgqadm::ticker
