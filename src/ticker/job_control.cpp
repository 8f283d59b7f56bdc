#include "pgqadm/ticker/job_control.hpp"

#include "pgqadm/error.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pgqadm::ticker {

namespace {

double steady_seconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

Stats::Counts Stats::take_interval()
{
    std::lock_guard guard(mutex_);
    Counts now{ticks.exchange(0), maint.exchange(0), retry.exchange(0)};
    taken_.ticks += now.ticks;
    taken_.maint += now.maint;
    taken_.retry += now.retry;
    return now;
}

Stats::Counts Stats::totals() const
{
    // Under the same lock as take_interval(), so a count is never seen
    // neither in the atomics nor in taken_ (the total would go down).
    std::lock_guard guard(mutex_);
    return {taken_.ticks + ticks.load(), taken_.maint + maint.load(), taken_.retry + retry.load()};
}

JobControl::JobControl(config::Config cfg)
    : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      config_(std::make_shared<const config::Config>(std::move(cfg))), back_by_(steady_seconds())
{
    if (wake_fd_ < 0)
        throw Error(std::string("eventfd: ") + std::strerror(errno));
}

JobControl::~JobControl()
{
    close(wake_fd_);
}

void JobControl::wake_all()
{
    wake_.notify_all();
    std::uint64_t one = 1;
    // Cannot fail short of an overflowing counter, which still wakes the reader.
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

std::shared_ptr<const config::Config> JobControl::settings() const
{
    std::lock_guard guard(mutex_);
    return config_;
}

void JobControl::update(config::Config cfg)
{
    {
        std::lock_guard guard(mutex_);
        config_ = std::make_shared<const config::Config>(std::move(cfg));
        ++generation_;
    }
    wake_all();
}

unsigned JobControl::generation() const
{
    std::lock_guard guard(mutex_);
    return generation_;
}

void JobControl::request_stop()
{
    {
        std::lock_guard guard(mutex_);
        stop_ = true;
    }
    wake_all();
}

bool JobControl::sleep_for(std::chrono::duration<double> d)
{
    std::unique_lock lock(mutex_);
    unsigned gen = generation_;
    wake_.wait_for(lock, d, [&] { return stop_.load() || generation_ != gen; });
    return !stop_.load() && generation_ == gen;
}

bool JobControl::wait_readable(int fd, std::chrono::duration<double> d)
{
    if (stop_.load())
        return false;
    double seconds = std::max(d.count(), 0.0);
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(seconds);
    timeout.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = ppoll(fds, 2, &timeout, nullptr);
    if (n < 0 && errno != EINTR)
        throw Error(std::string("poll: ") + std::strerror(errno));
    if (n > 0 && (fds[1].revents & POLLIN)) {
        // Cleared after waking, so a stop or reload that comes in between is
        // seen by the caller's checks or wakes the next wait at once.
        std::uint64_t count;
        [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof count);
    }
    return n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR));
}

void JobControl::fail(int exit_code)
{
    {
        std::lock_guard guard(mutex_);
        if (!exit_code_)
            exit_code_ = exit_code;
        stop_ = true;
    }
    wake_all();
}

std::optional<int> JobControl::failed() const
{
    std::lock_guard guard(mutex_);
    return exit_code_;
}

void JobControl::report_beat(double seconds)
{
    std::lock_guard guard(loop_mutex_);
    back_by_ = steady_seconds() + seconds;
}

void JobControl::report_round(double seconds)
{
    std::lock_guard guard(loop_mutex_);
    std::size_t bucket = 0;
    while (bucket < round_bucket_count && seconds > round_buckets[bucket])
        ++bucket;
    ++loop_.round_counts[bucket];
    loop_.round_seconds_sum += seconds;
    ++loop_.rounds;
    loop_.connected = true;
    loop_.leading = true;
    loop_.first_round_done = true;
    loop_.consecutive_failures = 0;
    last_round_ = steady_seconds();
}

void JobControl::report_standby(double seconds)
{
    std::lock_guard guard(loop_mutex_);
    loop_.connected = true;
    loop_.leading = false;
    loop_.first_round_done = true;
    loop_.consecutive_failures = 0;
    last_round_ = steady_seconds();
    back_by_ = last_round_ + seconds;
}

void JobControl::report_failure(double seconds)
{
    std::lock_guard guard(loop_mutex_);
    loop_.connected = false;
    loop_.leading = false;
    ++loop_.consecutive_failures;
    ++loop_.connection_failures;
    back_by_ = steady_seconds() + seconds;
}

LoopStatus JobControl::loop_status() const
{
    std::lock_guard guard(loop_mutex_);
    double now = steady_seconds();
    LoopStatus status = loop_;
    status.leading = status.leading && active.load();
    status.since_beat = now - back_by_;
    status.since_round = last_round_ < 0 ? -1 : now - last_round_;
    return status;
}

double Backoff::next()
{
    delay_ = delay_ == 0 ? 1 : std::min(delay_ * 2, 60.0);
    return delay_;
}

} // namespace pgqadm::ticker
