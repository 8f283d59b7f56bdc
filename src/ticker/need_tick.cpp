#include "pgqadm/ticker/need_tick.hpp"

#include <algorithm>

namespace pgqadm::ticker {

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
    double wait =
        std::max(settings.max_lag / 2, std::min(2 * state.last_gap, settings.idle_period));
    return lag >= wait ? TickReason::idle : TickReason::none;
}

void observe_tick(QueueState& state, long long seq, double now)
{
    if (state.last_tick > 0)
        state.last_gap = now - state.last_tick;
    state.last_tick = now;
    state.last_seq = seq;
}

} // namespace pgqadm::ticker
