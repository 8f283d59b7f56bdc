#include "pgqadm/observe/health.hpp"

#include <algorithm>
#include <cmath>

namespace pgqadm::observe {
namespace {

std::string seconds_text(double seconds)
{
    return std::to_string(static_cast<long>(std::lround(seconds))) + " s";
}

} // namespace

Verdict alive(const ticker::LoopStatus& loop, double loop_delay)
{
    double grace = std::max(20.0, 10 * loop_delay);
    if (loop.since_beat > grace)
        return {false,
                "ticker loop stuck: " + seconds_text(loop.since_beat) + " past its next iteration"};
    return {true, "ticker loop alive"};
}

Verdict ready(const ticker::LoopStatus& loop, double loop_delay)
{
    if (!loop.connected)
        return {false, loop.consecutive_failures > 0
                           ? "not connected: " + std::to_string(loop.consecutive_failures) +
                                 " failed attempts in a row"
                           : std::string("not connected yet")};
    if (!alive(loop, loop_delay).ok)
        return alive(loop, loop_delay);
    // A standby checks the lead every max(loop_delay, 2 s).
    double window =
        loop.leading ? std::max(10.0, 5 * loop_delay) : 3 * std::max(loop_delay, 2.0) + 10;
    if (loop.since_round < 0 || loop.since_round > window)
        return {false, std::string(loop.leading ? "no ticker round" : "no check of the lead") +
                           " for " + seconds_text(loop.since_round)};
    return {true, loop.leading ? "leading" : "standing by"};
}

std::string summary(const ticker::LoopStatus& loop, long ticks_total)
{
    if (!loop.connected)
        return loop.consecutive_failures > 0
                   ? "database unreachable, " + std::to_string(loop.consecutive_failures) +
                         " failed attempts in a row"
                   : "connecting";
    if (!loop.leading)
        return "standing by (another ticker leads)";
    return "leading; ticks since start: " + std::to_string(ticks_total);
}

} // namespace pgqadm::observe
