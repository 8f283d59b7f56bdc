// The fleet daemon's tickers on a fixed number of threads, however many
// databases it serves. One dispatcher thread waits on every database at
// once (its connection's socket in one epoll set, its next timer in a scan)
// and queues the databases that are due; a few worker threads take them
// from the queue and run one TickerLoop::step() each. A step waits only for
// its own server, so a database that hangs holds one worker while the
// others go on serving the rest. Should most workers be held (a whole
// server hangs) while others are due, the pool grows, one worker at a time
// up to a cap, and shrinks back once the extra workers are idle.
#pragma once
#include "pgqadm/ticker/ticker_loop.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgqadm::fleet {

class TickerPool {
  public:
    /// `workers` threads always; up to `max_workers` while some are held.
    TickerPool(std::size_t workers, std::size_t max_workers);
    ~TickerPool(); ///< stops the threads; the databases must be removed first
    TickerPool(const TickerPool&) = delete;
    TickerPool& operator=(const TickerPool&) = delete;

    /// Starts stepping `loop` (whose log lines start with `name`) at once.
    void add(ticker::TickerLoop* loop, const std::string& name);
    /// Steps it as soon as a worker is free (after a stop request or a
    /// reload, which its step acts on).
    void poke(ticker::TickerLoop* loop);
    /// Its loop is done and no worker holds it: remove() will not wait.
    bool finished(ticker::TickerLoop* loop);
    /// Never stepped again; waits while a worker is at it.
    void remove(ticker::TickerLoop* loop);
    /// Waits until every loop added is done (each was asked to stop).
    void wait_all_done();
    /// Seconds since the dispatcher last went round its loop (it does at
    /// least once a minute): for /healthz.
    double since_dispatch() const;

  private:
    struct Entry {
        ticker::TickerLoop* loop = nullptr;
        std::string name;
        ticker::TickerLoop::Wait wait;
        int registered_fd = -1; ///< watched (one-shot) since its last step; -1: none
        bool busy = false;      ///< a worker is stepping it
        double busy_since = 0;  ///< when that step began
        bool queued = false;    ///< in ready_
        bool poked = false;     ///< step it even though nothing is due
        bool wait_done = false; ///< its loop is done: never stepped again
    };

    void dispatch();
    void work();
    /// Adds a worker when due work finds none free and most are held by
    /// slow databases (under mutex_). True while work waits for a worker.
    bool grow_if_starved(double now);
    void start_worker();
    /// Queues what is due (under mutex_); returns the next timer.
    double queue_due(double now);
    /// Puts a database on the ready queue for a worker (under mutex_).
    void enqueue(std::uint64_t id, Entry& e);
    void wake_dispatcher();
    Entry* find(std::uint64_t id);
    std::uint64_t id_of(ticker::TickerLoop* loop) const;

    int epoll_fd_ = -1;
    int wake_fd_ = -1; ///< eventfd in the epoll set: wakes the dispatcher

    std::mutex mutex_;
    std::condition_variable ready_cv_; ///< workers: ready_ has work, or stop
    std::condition_variable idle_cv_;  ///< remove()/wait_all_done(): a step ended
    std::map<std::uint64_t, Entry> entries_;
    std::map<ticker::TickerLoop*, std::uint64_t> ids_;
    std::uint64_t next_id_ = 1; ///< ids are never reused: a stale epoll event finds nothing
    std::deque<std::uint64_t> ready_;
    bool stop_ = false;
    /// When the dispatcher, now waiting, wakes up by itself (0: it is not waiting).
    double wakes_at_ = 0;
    std::atomic<double> last_dispatch_{0}; ///< monotonic time
    const std::size_t base_workers_;
    const std::size_t max_workers_;
    std::size_t live_workers_ = 0;
    std::size_t idle_workers_ = 0; ///< waiting for work
    double starved_since_ = -1;    ///< work waited with no worker free since; -1: not
    std::vector<std::thread> workers_;
    std::vector<std::thread::id> exited_; ///< extra workers that ended, to join

    std::thread dispatcher_;
};

} // namespace pgqadm::fleet
