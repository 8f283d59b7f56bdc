// When does a queue need a tick? A pure function of the queue's settings,
// what the ticker remembers about it, its event-sequence position and the
// time, so it can be tested without a database.
//
// The rule is PgQ 3's, the one pgq.ticker(queue) applies itself (and pgqd
// relies on by calling it every second): PgQ 3 clients such as londiste
// advance only on new batches, so an idle queue must keep ticking on the
// same schedule as under pgqd. The daemon asks pgq.ticker(queue) only when
// this says so, and counts only the ticks pgq.ticker() actually made.
#pragma once

namespace pgqadm::ticker {

struct QueueSettings {
    double max_lag = 3;      ///< queue_ticker_max_lag, seconds
    double idle_period = 60; ///< queue_ticker_idle_period, seconds
    long long max_count = 500;
};

struct QueueState {
    double last_tick = 0;   ///< when the last tick was made, seconds
    long long last_seq = 0; ///< event sequence position at that tick
    /// Seconds between the last two ticks; negative while fewer than two
    /// ticks are known, when an idle queue ticks at once (as PgQ 3 does).
    double last_gap = -1;
};

enum class TickReason { none, count, lag, idle };

/// PgQ 3.5's rule. New events: tick at max_count of them, or once max_lag
/// has passed. No new events: tick once max_lag/2 has passed and the wait
/// is twice the previous gap or idle_period, whichever is shorter; so an
/// idle queue ticks at about 2, 4, 8 ... seconds up to idle_period.
TickReason need_tick(const QueueSettings& settings, const QueueState& state, long long seq,
                     double now);

/// When the queue should be probed again, given what a probe at `now` saw
/// (after any tick it made was observed): when its waiting events reach
/// max_lag, or max_count at the rate they came in; with none waiting, its
/// next idle tick, or max_lag from now, since an event that comes in
/// meanwhile must be ticked within max_lag. May be `now` or earlier (due
/// already: pgq.ticker() declined); the caller sets the lower bound.
double next_check(const QueueSettings& settings, const QueueState& state, long long seq,
                  double now);

/// Records a tick that pgq.ticker() made at `now` with the sequence at `seq`.
void observe_tick(QueueState& state, long long seq, double now);

} // namespace pgqadm::ticker
