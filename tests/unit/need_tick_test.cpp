#include "pgqadm/pgq/names.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/need_tick.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <vector>

using namespace pgqadm::ticker;
using pgqadm::pgq::text_array_literal;

namespace {
const QueueSettings defaults{3, 60, 500};
}

TEST(NeedTick, CountThresholdTicksAtOnce)
{
    QueueState s{100, 10, 3};
    EXPECT_EQ(need_tick(defaults, s, 509, 100.1), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 510, 100.1), TickReason::count);
}

TEST(NeedTick, LagThresholdTicksPendingEvents)
{
    QueueState s{100, 10, 3};
    EXPECT_EQ(need_tick(defaults, s, 11, 102.9), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 11, 103.0), TickReason::lag);
}

TEST(NeedTick, IdleQueueWithOneKnownTickTicksAtOnce)
{
    // PgQ 3: with no tick before the last one there is no gap to back off from.
    QueueState s{100, 10, -1};
    EXPECT_EQ(need_tick(defaults, s, 10, 100.01), TickReason::idle);
}

TEST(NeedTick, IdleWaitIsTwiceTheLastGapWithinHalfMaxLagAndIdlePeriod)
{
    QueueState s{100, 10, 5};
    EXPECT_EQ(need_tick(defaults, s, 10, 109.9), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 10, 110.0), TickReason::idle);
    s.last_gap = 0.2; // never more often than max_lag / 2
    EXPECT_EQ(need_tick(defaults, s, 10, 101.4), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 10, 101.5), TickReason::idle);
    s.last_gap = 50; // never less often than idle_period
    EXPECT_EQ(need_tick(defaults, s, 10, 159.9), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 10, 160.0), TickReason::idle);
}

TEST(NeedTick, ObserveTickRemembersTheGap)
{
    QueueState s{10, 42, -1};
    observe_tick(s, 43, 13);
    EXPECT_EQ(s.last_seq, 43);
    EXPECT_DOUBLE_EQ(s.last_tick, 13);
    EXPECT_DOUBLE_EQ(s.last_gap, 3);
}

TEST(NeedTick, ZeroMaxLagTicksOnEveryMovement)
{
    QueueSettings fast{0, 60, 500};
    QueueState s{10, 5, 1};
    EXPECT_EQ(need_tick(fast, s, 6, 10.0), TickReason::lag);
}

// Tick times of one queue recorded with pgqd 3.5 (ticker_period = 1) on the
// PgQ 3.5 C extension, defaults 500 / 3 s / 60 s: created at 0, pgqd started,
// an event went in at about 8.5 s, then nothing. Seconds since the first tick,
// and the event sequence at each tick.
struct RecordedTick {
    double time;
    long long seq;
};
constexpr RecordedTick pgqd_ticks[] = {{0.00, 1},   {0.46, 1},  {2.53, 1},  {7.58, 1},
                                       {10.63, 2},  {17.67, 2}, {31.87, 2}, {60.50, 2},
                                       {118.16, 2}, {178.68, 2}};

TEST(NeedTick, IdleScheduleMatchesRecordedPgqd)
{
    // Each recorded tick came at the first once-a-second call at which our
    // rule says "tick": due by then, and not yet due a call earlier. (The
    // daemon's clock is monotonic seconds, never near zero: shift by 1000.)
    const double t0 = 1000;
    QueueState s{t0 + pgqd_ticks[0].time, pgqd_ticks[0].seq, -1};
    for (std::size_t i = 1; i < std::size(pgqd_ticks); ++i) {
        const RecordedTick& t = pgqd_ticks[i];
        EXPECT_NE(need_tick(defaults, s, t.seq, t0 + t.time), TickReason::none) << "tick " << i;
        if (i > 1) { // pgqd started just before tick 1: no call a second earlier
            EXPECT_EQ(need_tick(defaults, s, t.seq, t0 + t.time - 1.1), TickReason::none)
                << "tick " << i;
        }
        observe_tick(s, t.seq, t0 + t.time);
    }
}

TEST(NeedTick, DaemonLoopFollowsPgq3IdleBackOff)
{
    // Our loop asks every loop_delay = 1 s. After the tick with events at
    // 10.63 s (gap 3.04 s) each idle gap is the first call past twice the
    // previous one (at least max_lag/2, at most idle_period): about 7, 14,
    // 28, 57 and then 60 s, as recorded under pgqd.
    const double t0 = 1000;
    QueueState s{t0 + 7.58, 1, 5.05};
    observe_tick(s, 2, t0 + 10.63);
    std::vector<double> gaps;
    double last = t0 + 10.63;
    for (double now = last + 1; now < t0 + 400; now += 1.0)
        if (need_tick(defaults, s, 2, now) != TickReason::none) {
            gaps.push_back(now - last);
            last = now;
            observe_tick(s, 2, now);
        }
    ASSERT_GE(gaps.size(), 8u);
    double previous = 3.04;
    for (std::size_t i = 0; i < gaps.size(); ++i) {
        double wait = std::max(1.5, std::min(2 * previous, 60.0));
        EXPECT_GE(gaps[i], wait - 1e-6) << "gap " << i;
        EXPECT_LT(gaps[i], wait + 1.0 + 1e-6) << "gap " << i;
        previous = gaps[i];
    }
    const double recorded[] = {7.04, 14.20, 28.63};
    for (std::size_t i = 0; i < std::size(recorded); ++i)
        EXPECT_NEAR(gaps[i], recorded[i], 1.5) << "gap " << i;
    EXPECT_NEAR(gaps.back(), 60, 1.0);
}

TEST(SqlText, TextArrayLiteralEscapes)
{
    EXPECT_EQ(text_array_literal({}), "{}");
    EXPECT_EQ(text_array_literal({"a", "b c"}), "{\"a\",\"b c\"}");
    EXPECT_EQ(text_array_literal({"q\"u", "back\\slash", "{x},y"}),
              "{\"q\\\"u\",\"back\\\\slash\",\"{x},y\"}");
}

TEST(Backoff, DoublesUpToAMinute)
{
    Backoff b;
    EXPECT_DOUBLE_EQ(b.next(), 1);
    EXPECT_DOUBLE_EQ(b.next(), 2);
    EXPECT_DOUBLE_EQ(b.next(), 4);
    for (int i = 0; i < 10; ++i)
        b.next();
    EXPECT_DOUBLE_EQ(b.next(), 60);
    b.reset();
    EXPECT_DOUBLE_EQ(b.next(), 1);
}

TEST(NextCheck, WaitingEventsAreLookedAtWhenMaxLagHasPassed)
{
    QueueState s{100, 10, 3};
    EXPECT_DOUBLE_EQ(next_check(defaults, s, 11, 100.5), 103.0);
}

TEST(NextCheck, AFastQueueIsLookedAtWhenItsEventsReachMaxCount)
{
    // 250 events in 1 s: the other 250 are expected a second later.
    QueueState s{100, 0, 3};
    EXPECT_DOUBLE_EQ(next_check(defaults, s, 250, 101.0), 102.0);
}

TEST(NextCheck, AnIdleQueueIsLookedAtWithinMaxLagOrAtItsIdleTick)
{
    QueueState s{100, 10, 20}; // next idle tick at 140
    EXPECT_DOUBLE_EQ(next_check(defaults, s, 10, 101.0), 104.0);
    EXPECT_DOUBLE_EQ(next_check(defaults, s, 10, 139.0), 140.0);
    s.last_gap = -1; // one known tick: the idle rule ticks at once
    EXPECT_DOUBLE_EQ(next_check(defaults, s, 10, 101.0), 101.0);
}

TEST(NextCheck, ProbingAtNextCheckTicksAnEventWithinMaxLag)
{
    // A queue probed only when next_check() says, with an event coming at
    // every moment of a minute, is ticked within max_lag of each event
    // (and the probes come at least a second apart as in the daemon).
    for (double arrival = 1000.05; arrival < 1060; arrival += 0.37) {
        QueueState s{1000, 10, 8};
        double now = 1000;
        long long seq = 10;
        while (true) {
            now = std::max(next_check(defaults, s, seq, now), now + 1.0);
            seq = now >= arrival ? 11 : 10;
            if (need_tick(defaults, s, seq, now) != TickReason::none) {
                observe_tick(s, seq, now);
                if (seq == 11)
                    break;
            }
        }
        EXPECT_LE(now - arrival, defaults.max_lag + 1e-9) << "event at " << arrival;
    }
}
