#include "pgqadm/ticker/job_control.hpp"

#include <algorithm>

namespace pgqadm::ticker {

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
    wake_.notify_all();
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
    wake_.notify_all();
}

bool JobControl::sleep_for(std::chrono::duration<double> d)
{
    std::unique_lock lock(mutex_);
    unsigned gen = generation_;
    wake_.wait_for(lock, d, [&] { return stop_.load() || generation_ != gen; });
    return !stop_.load() && generation_ == gen;
}

void JobControl::fail(int exit_code)
{
    {
        std::lock_guard guard(mutex_);
        if (!exit_code_)
            exit_code_ = exit_code;
        stop_ = true;
    }
    wake_.notify_all();
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
