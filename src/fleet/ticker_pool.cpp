#include "pgqadm/fleet/ticker_pool.hpp"

#include "pgqadm/error.hpp"
#include "pgqadm/log/log.hpp"
#include "pgqadm/ticker/clock.hpp"

#include <spdlog/spdlog.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

namespace pgqadm::fleet {
namespace {

/// epoll data of the dispatcher's own eventfd; databases count from 1.
constexpr std::uint64_t wake_id = 0;

/// Events taken from the kernel per epoll_wait(); more wait for the next.
constexpr int events_per_wait = 256;

/// A worker whose step has run this long is held by a slow database.
constexpr double held_after_seconds = 2.0;

/// While work waits and no worker is free, the pool looks this often
/// whether to grow.
constexpr double starved_check_seconds = 0.25;

/// The dispatcher goes round its loop at least this often.
constexpr double max_wait_seconds = 60;

/// An extra worker idle this long ends.
constexpr double shrink_after_seconds = 30;

/// The dispatcher wakes this much after the earliest timer, so timers due
/// close together are queued by one wake-up (and a worker takes them one
/// after the other without sleeping in between). Late, never early: a
/// round that came early would find its queues not quite due.
constexpr double timer_slack_seconds = 0.01;

/// A database whose socket could not be watched is stepped this often
/// instead, so its wake-ups are late by at most this much.
constexpr double unwatched_step_seconds = 0.1;

[[noreturn]] void throw_errno(const char* what)
{
    throw Error(std::string(what) + ": " + std::strerror(errno));
}

/// Watches `fd` for one readable event, tagged with `id`: once it fires,
/// nothing more comes until the next watch. The same descriptor is re-armed;
/// one closed since (and perhaps reopened under the same number) left the
/// set when it was closed, so it is added anew.
bool watch_once(int epoll_fd, int fd, std::uint64_t id)
{
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = id;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0)
        return true;
    return errno == ENOENT && epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

} // namespace

TickerPool::TickerPool(std::size_t workers, std::size_t max_workers)
    : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      base_workers_(workers), max_workers_(std::max(workers, max_workers))
{
    if (epoll_fd_ < 0)
        throw_errno("epoll_create1");
    if (wake_fd_ < 0)
        throw_errno("eventfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = wake_id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0)
        throw_errno("epoll_ctl");
    last_dispatch_ = ticker::monotonic_now();
    dispatcher_ = std::thread([this] {
        log::set_thread_context("");
        dispatch();
    });
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < workers; ++i)
        start_worker();
}

void TickerPool::start_worker()
{
    ++live_workers_;
    workers_.emplace_back([this] { work(); });
}

TickerPool::~TickerPool()
{
    {
        std::lock_guard guard(mutex_);
        stop_ = true;
    }
    ready_cv_.notify_all();
    wake_dispatcher();
    dispatcher_.join();
    for (auto& t : workers_)
        if (t.joinable())
            t.join();
    close(wake_fd_);
    close(epoll_fd_);
}

void TickerPool::wake_dispatcher()
{
    std::uint64_t one = 1;
    // Cannot fail short of an overflowing counter, which still wakes it.
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

TickerPool::Entry* TickerPool::find(std::uint64_t id)
{
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

std::uint64_t TickerPool::id_of(ticker::TickerLoop* loop) const
{
    auto it = ids_.find(loop);
    if (it == ids_.end())
        throw Error("ticker pool: unknown database");
    return it->second;
}

void TickerPool::add(ticker::TickerLoop* loop, const std::string& name)
{
    {
        std::lock_guard guard(mutex_);
        std::uint64_t id = next_id_++;
        Entry& e = entries_[id];
        e.loop = loop;
        e.name = name;
        e.wait.until = 0; // due at once
        ids_[loop] = id;
    }
    wake_dispatcher();
}

void TickerPool::poke(ticker::TickerLoop* loop)
{
    {
        std::lock_guard guard(mutex_);
        find(id_of(loop))->poked = true;
    }
    wake_dispatcher();
}

bool TickerPool::finished(ticker::TickerLoop* loop)
{
    std::lock_guard guard(mutex_);
    const Entry* e = find(id_of(loop));
    return e->wait_done && !e->busy;
}

void TickerPool::remove(ticker::TickerLoop* loop)
{
    std::unique_lock lock(mutex_);
    std::uint64_t id = id_of(loop);
    idle_cv_.wait(lock, [&] { return !find(id)->busy; });
    Entry* e = find(id);
    // Still open (its loop not done): take it out of the set, or a later
    // connection under the same number would carry this id's events.
    if (e->registered_fd >= 0)
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, e->registered_fd, nullptr);
    entries_.erase(id); // a stale id in ready_ or in an epoll event finds nothing
    ids_.erase(loop);
}

double TickerPool::since_dispatch() const
{
    return ticker::monotonic_now() - last_dispatch_.load();
}

void TickerPool::wait_all_done()
{
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [&] {
        return std::all_of(entries_.begin(), entries_.end(),
                           [](const auto& kv) { return kv.second.wait_done && !kv.second.busy; });
    });
}

double TickerPool::queue_due(double now)
{
    double next = std::numeric_limits<double>::infinity();
    for (auto& [id, e] : entries_) {
        if (e.busy || e.queued || e.wait_done)
            continue;
        if (e.poked || e.wait.until <= now)
            enqueue(id, e);
        else
            next = std::min(next, e.wait.until);
    }
    return next;
}

bool TickerPool::grow_if_starved(double now)
{
    // Workers that ended: joined here, where no worker waits for the lock.
    for (auto id : exited_) {
        auto t = std::find_if(workers_.begin(), workers_.end(),
                              [&](const std::thread& w) { return w.get_id() == id; });
        if (t != workers_.end()) {
            t->join();
            workers_.erase(t);
        }
    }
    exited_.clear();
    if (ready_.empty() || idle_workers_ > 0 || live_workers_ >= max_workers_)
        return false;
    // A backlog alone (all connecting at start-up) is worked off by the
    // workers there are; only workers stuck on slow databases call for more.
    std::size_t held = static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(), [&](const auto& kv) {
            return kv.second.busy && now - kv.second.busy_since >= held_after_seconds;
        }));
    if (held * 2 > live_workers_) {
        start_worker();
        spdlog::warn("ticker pool: {} of {} workers held by slow databases; one more started", held,
                     live_workers_ - 1);
    }
    return true;
}

void TickerPool::dispatch()
{
    epoll_event events[events_per_wait];
    std::unique_lock lock(mutex_);
    while (!stop_) {
        double now = ticker::monotonic_now();
        last_dispatch_ = now;
        double next = queue_due(now);
        if (grow_if_starved(now))
            next = std::min(next, now + starved_check_seconds);
        // At least once a minute, which /healthz looks for.
        next = std::min(next, now + max_wait_seconds);
        double wake = next + timer_slack_seconds;
        wakes_at_ = wake;
        lock.unlock();
        // Rounded up: waking a little late beats spinning until due.
        int timeout_ms = static_cast<int>(std::max(std::ceil((wake - now) * 1000), 0.0));
        int n = epoll_wait(epoll_fd_, events, events_per_wait, timeout_ms);
        if (n < 0 && errno != EINTR)
            spdlog::critical("ticker pool: epoll_wait: {}", std::strerror(errno));
        lock.lock();
        wakes_at_ = 0; // awake: every finished step is seen by the next queue_due()
        for (int i = 0; i < n; ++i) {
            std::uint64_t id = events[i].data.u64;
            if (id == wake_id) {
                std::uint64_t count;
                [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof count);
                continue;
            }
            Entry* e = find(id);
            if (e && !e->busy && !e->queued && !e->wait_done)
                enqueue(id, *e);
        }
    }
}

void TickerPool::enqueue(std::uint64_t id, Entry& e)
{
    e.queued = true;
    ready_.push_back(id);
    // One worker per database due, not all of them for each: a worker
    // that finds the queue empty has woken for nothing.
    ready_cv_.notify_one();
}

void TickerPool::work()
{
    std::unique_lock lock(mutex_);
    while (true) {
        ++idle_workers_;
        bool woken = ready_cv_.wait_for(lock, std::chrono::duration<double>(shrink_after_seconds),
                                        [&] { return stop_ || !ready_.empty(); });
        --idle_workers_;
        if (stop_)
            return;
        if (!woken) {
            if (live_workers_ > base_workers_) {
                --live_workers_;
                exited_.push_back(std::this_thread::get_id());
                return;
            }
            continue;
        }
        std::uint64_t id = ready_.front();
        ready_.pop_front();
        Entry* e = find(id);
        if (!e)
            continue; // removed while queued
        e->queued = false;
        e->busy = true;
        e->busy_since = ticker::monotonic_now();
        e->poked = false;
        ticker::TickerLoop* loop = e->loop;
        std::string name = e->name;
        lock.unlock();

        log::set_thread_context(name);
        ticker::TickerLoop::Wait wait;
        try {
            wait = loop->step();
        } catch (const std::exception& ex) {
            // step() handles its own failures; this is a bug, not a database problem.
            spdlog::critical("ticker step failed: {}", ex.what());
            wait = {-1, ticker::monotonic_now() + 1};
        }
        bool done = loop->done();
        int watched = -1;
        if (!done && wait.fd >= 0) {
            if (watch_once(epoll_fd_, wait.fd, id)) {
                watched = wait.fd;
            } else {
                spdlog::error("ticker pool: cannot watch the connection ({}); polling it",
                              std::strerror(errno));
                wait.until = std::min(wait.until, ticker::monotonic_now() + unwatched_step_seconds);
            }
        }
        log::set_thread_context("");

        lock.lock();
        e = find(id); // remove() waits while busy: still there
        e->wait = wait;
        e->wait_done = done;
        e->registered_fd = watched;
        e->busy = false;
        idle_cv_.notify_all();
        // A socket it waits on wakes the dispatcher itself; a timer only
        // does if it is due before the dispatcher looks again anyway.
        if (done || e->poked || wait.until + timer_slack_seconds < wakes_at_)
            wake_dispatcher();
    }
}

} // namespace pgqadm::fleet
