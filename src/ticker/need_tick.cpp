#include "pgqadm/ticker/need_tick.hpp"

namespace pgqadm::ticker {

TickReason need_tick(const QueueSettings& settings, const QueueState& state, long long seq,
                     double now)
{
    double lag = now - state.last_tick;
    if (seq == state.last_seq) {
        if (state.quiet_ticks < quiet_ticks_after_activity)
            return lag >= settings.max_lag ? TickReason::quiet : TickReason::none;
        return lag >= settings.idle_period ? TickReason::idle : TickReason::none;
    }
    if (seq - state.last_seq >= settings.max_count)
        return TickReason::count;
    return lag >= settings.max_lag ? TickReason::lag : TickReason::none;
}

void observe(QueueState& state, long long seq, double now, TickReason reason, bool ticked)
{
    if (seq != state.last_seq)
        state.quiet_ticks = 0;
    if (!ticked)
        return;
    state.last_tick = now;
    state.last_seq = seq;
    if (reason == TickReason::quiet)
        ++state.quiet_ticks;
}

} // namespace pgqadm::ticker
