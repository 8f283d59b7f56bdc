// The daemon's clock: seconds on the monotonic clock, as a double, so
// intervals from the config (also fractional seconds) add to it directly.
#pragma once
#include <chrono>

namespace pgqadm::ticker {

inline double monotonic_now()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace pgqadm::ticker
