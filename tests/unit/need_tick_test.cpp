#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/need_tick.hpp"
#include "pgqadm/ticker/sql_text.hpp"

#include <gtest/gtest.h>

using namespace pgqadm::ticker;

namespace {
const QueueSettings defaults{3, 60, 500};
}

TEST(NeedTick, CountThresholdTicksAtOnce)
{
    QueueState s{100, 10, 0};
    EXPECT_EQ(need_tick(defaults, s, 509, 100.1), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 510, 100.1), TickReason::count);
}

TEST(NeedTick, LagThresholdTicksPendingEvents)
{
    QueueState s{100, 10, 0};
    EXPECT_EQ(need_tick(defaults, s, 11, 102.9), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 11, 103.0), TickReason::lag);
}

TEST(NeedTick, IdleQueueTicksAtIdlePeriodAfterQuietTicks)
{
    QueueState s{0, 42, 0};
    double now = 1000;
    // After activity: five more ticks at max_lag pace ...
    for (int i = 0; i < quiet_ticks_after_activity; ++i) {
        EXPECT_EQ(need_tick(defaults, s, 42, now), TickReason::quiet) << i;
        observe(s, 42, now, TickReason::quiet, true);
        EXPECT_EQ(need_tick(defaults, s, 42, now + 2.9), TickReason::none);
        now += 3;
    }
    // ... then only the idle period.
    EXPECT_EQ(need_tick(defaults, s, 42, now), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 42, now - 3 + 59.9), TickReason::none);
    EXPECT_EQ(need_tick(defaults, s, 42, now - 3 + 60), TickReason::idle);
}

TEST(NeedTick, ActivityResetsTheQuietCounter)
{
    QueueState s{0, 42, quiet_ticks_after_activity};
    observe(s, 43, 10, TickReason::none, false);
    EXPECT_EQ(s.quiet_ticks, 0);
    EXPECT_EQ(s.last_seq, 42); // not ticked: position unchanged
    observe(s, 43, 10, TickReason::lag, true);
    EXPECT_EQ(s.last_seq, 43);
    EXPECT_DOUBLE_EQ(s.last_tick, 10);
}

TEST(NeedTick, ZeroMaxLagTicksOnEveryMovement)
{
    QueueSettings fast{0, 60, 500};
    QueueState s{10, 5, 0};
    EXPECT_EQ(need_tick(fast, s, 6, 10.0), TickReason::lag);
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
