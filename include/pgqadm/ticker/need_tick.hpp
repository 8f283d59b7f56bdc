// When does a queue need a tick? A pure function of the queue's settings,
// what the ticker remembers about it, its event-sequence position and the
// time, so it can be tested without a database.
#pragma once

namespace pgqadm::ticker {

struct QueueSettings {
    double max_lag = 3;      ///< queue_ticker_max_lag, seconds
    double idle_period = 60; ///< queue_ticker_idle_period, seconds
    long long max_count = 500;
};

struct QueueState {
    double last_tick = 0;   ///< when we last ticked (or asked for a tick), seconds
    long long last_seq = 0; ///< event sequence position at that tick
    int quiet_ticks = 0;    ///< ticks since activity stopped
};

enum class TickReason { none, count, lag, quiet, idle };

/// After activity stops, this many extra ticks come at max_lag pace before the
/// idle period takes over: the sequence moves when events are inserted, before
/// the inserting transactions commit, so their events may land after the tick
/// that first saw the sequence move.
inline constexpr int quiet_ticks_after_activity = 5;

TickReason need_tick(const QueueSettings& settings, const QueueState& state, long long seq,
                     double now);

/// Updates the state after one probe: `ticked` says whether a tick was asked for.
void observe(QueueState& state, long long seq, double now, TickReason reason, bool ticked);

} // namespace pgqadm::ticker
