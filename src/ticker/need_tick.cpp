#include "pgqadm/ticker/need_tick.hpp"

#include <algorithm>

namespace pgqadm::ticker {
namespace {

/// How long an idle queue waits for its next tick after the last one.
double idle_wait(const QueueSettings& settings, const QueueState& state)
{
    return std::max(settings.max_lag / 2, std::min(2 * state.last_gap, settings.idle_period));
}

} // namespace

TickReason need_tick(const QueueSettings& settings, const QueueState& state, long long seq,
                     double now)
{
    double lag = now - state.last_tick;
    if (seq > state.last_seq) {
        if (seq - state.last_seq >= settings.max_count)
            return TickReason::count;
        return lag >= settings.max_lag ? TickReason::lag : TickReason::none;
    }
    if (state.last_gap < 0)
        return TickReason::idle;
    return lag >= idle_wait(settings, state) ? TickReason::idle : TickReason::none;
}

double next_check(const QueueSettings& settings, const QueueState& state, long long seq, double now)
{
    if (seq > state.last_seq) {
        double due = state.last_tick + settings.max_lag;
        long long waiting = seq - state.last_seq;
        double elapsed = now - state.last_tick;
        if (waiting < settings.max_count && elapsed > 0) {
            // At the rate they came since the last tick, when will max_count be reached?
            double per_second = static_cast<double>(waiting) / elapsed;
            due =
                std::min(due, now + static_cast<double>(settings.max_count - waiting) / per_second);
        }
        return due;
    }
    if (state.last_gap < 0)
        return now; // ticks at once
    // An event may come at any moment: seen within max_lag, it is ticked within max_lag.
    return std::min(state.last_tick + idle_wait(settings, state), now + settings.max_lag);
}

void observe_tick(QueueState& state, long long seq, double now)
{
    if (state.last_tick > 0)
        state.last_gap = now - state.last_tick;
    state.last_tick = now;
    state.last_seq = seq;
}

} // namespace pgqadm::ticker
