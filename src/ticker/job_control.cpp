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

JobControl::JobControl(config::Config cfg)
    : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), config_(std::move(cfg))
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

config::Config JobControl::settings() const
{
    std::lock_guard guard(mutex_);
    return config_;
}

void JobControl::update(config::Config cfg)
{
    {
        std::lock_guard guard(mutex_);
        config_ = std::move(cfg);
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

double Backoff::next()
{
    delay_ = delay_ == 0 ? 1 : std::min(delay_ * 2, 60.0);
    return delay_;
}

} // namespace pgqadm::ticker
