// What the daemon's main thread shares with the ticker and maintenance
// threads of one database: current settings, stop/wake-up, counters.
#pragma once
#include "pgqadm/config/config.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace pgqadm::ticker {

struct Stats {
    std::atomic<long> ticks{0};
    std::atomic<long> maint{0};
    std::atomic<long> retry{0};
};

class JobControl {
  public:
    explicit JobControl(config::Config cfg);
    ~JobControl();
    JobControl(const JobControl&) = delete;
    JobControl& operator=(const JobControl&) = delete;

    /// A copy of the settings in force (the main thread replaces them on SIGHUP).
    config::Config settings() const;
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

    /// True while the ticker connection holds the database's ticker lock;
    /// only the active instance runs maintenance.
    std::atomic<bool> active{false};
    Stats stats;

  private:
    void wake_all();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    int wake_fd_ = -1; ///< eventfd: wakes wait_readable() the way wake_ wakes sleep_for()
    config::Config config_;
    unsigned generation_ = 0;
    std::atomic<bool> stop_{false};
    std::optional<int> exit_code_;
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
