// The wake-up bookkeeping of the ticker: when a woken queue is due, and how
// much wake-ups that anyone can send may leave behind.
#include "pgqadm/ticker/wakeups.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

using namespace pgqadm::ticker;

namespace {

// Queues we tick: name -> when its max_lag after the last tick has passed.
Wakeups::DueAt due_from(const std::map<std::string, double>& due)
{
    return [&due](const std::string& name) -> std::optional<double> {
        auto it = due.find(name);
        if (it == due.end())
            return std::nullopt;
        return it->second;
    };
}

} // namespace

TEST(Wakeups, WokenQueueIsDueOnceMaxLagHasPassed)
{
    std::map<std::string, double> due{{"a", 10.0}, {"b", 12.5}};
    Wakeups w;
    w.on_wakeup("a", true, false);
    w.on_wakeup("b", true, false);

    Wakeups::Due early = w.take_due(9.0, due_from(due));
    EXPECT_TRUE(early.queues.empty());
    EXPECT_DOUBLE_EQ(early.next_due, 10.0);

    Wakeups::Due at_a = w.take_due(10.0, due_from(due));
    EXPECT_EQ(at_a.queues, std::vector<std::string>{"a"});
    EXPECT_DOUBLE_EQ(at_a.next_due, 12.5);

    Wakeups::Due at_b = w.take_due(20.0, due_from(due));
    EXPECT_EQ(at_b.queues, std::vector<std::string>{"b"});
    EXPECT_TRUE(std::isinf(at_b.next_due));
    EXPECT_TRUE(w.empty());
}

TEST(Wakeups, RepeatedWakeupsTickOnce)
{
    std::map<std::string, double> due{{"a", 0.0}};
    Wakeups w;
    for (int i = 0; i < 1000; ++i)
        w.on_wakeup("a", true, false);
    EXPECT_EQ(w.take_due(1.0, due_from(due)).queues.size(), 1u);
    EXPECT_TRUE(w.empty());
}

TEST(Wakeups, QueuesNoLongerTickedAreForgotten)
{
    std::map<std::string, double> due{{"a", 0.0}};
    Wakeups w;
    w.on_wakeup("a", true, false);
    w.on_wakeup("gone", true, false); // listed when woken, dropped since
    Wakeups::Due d = w.take_due(1.0, due_from(due));
    EXPECT_EQ(d.queues, std::vector<std::string>{"a"});
    EXPECT_TRUE(w.empty());
}

TEST(Wakeups, UnknownNamesAreKeptOnlyWhileTheListIsStale)
{
    Wakeups w;
    w.on_wakeup("new", false, false); // list fresh: a stranger's name, dropped
    EXPECT_TRUE(w.empty());
    w.on_wakeup("new", false, true);
    EXPECT_TRUE(w.waiting_for_refresh());

    // The refresh lists the queue: the wake-up counts.
    w.after_refresh([](const std::string& name) { return name == "new"; }, false);
    EXPECT_FALSE(w.waiting_for_refresh());
    std::map<std::string, double> due{{"new", 0.0}};
    EXPECT_EQ(w.take_due(1.0, due_from(due)).queues, std::vector<std::string>{"new"});
}

TEST(Wakeups, UnknownNamesAreBounded)
{
    Wakeups w;
    for (int i = 0; i < 10000; ++i)
        w.on_wakeup("q" + std::to_string(i), false, true);
    EXPECT_EQ(w.unknown_count(), Wakeups::max_unknown);

    // Still unlisted after the refresh: dropped, unless another is pending.
    w.after_refresh([](const std::string&) { return false; }, true);
    EXPECT_EQ(w.unknown_count(), Wakeups::max_unknown);
    w.after_refresh([](const std::string&) { return false; }, false);
    EXPECT_EQ(w.unknown_count(), 0u);
    EXPECT_TRUE(w.empty());
}

TEST(Wakeups, WakeAgainRetriesATick)
{
    std::map<std::string, double> due{{"a", 0.0}};
    Wakeups w;
    w.on_wakeup("a", true, false);
    std::vector<std::string> taken = w.take_due(1.0, due_from(due)).queues;
    w.wake_again(taken);
    EXPECT_EQ(w.take_due(1.0, due_from(due)).queues, taken);
}

TEST(WakeTicker, FallsBackToTheApiOnlyForClass42FromTheFunction)
{
    using pgqadm::db::DbError;
    EXPECT_TRUE(wake_tick_should_fall_back(true, DbError("permission denied", "42501")));
    EXPECT_TRUE(wake_tick_should_fall_back(true, DbError("no such function", "42883")));
    EXPECT_FALSE(wake_tick_should_fall_back(false, DbError("permission denied", "42501")));
    EXPECT_FALSE(wake_tick_should_fall_back(true, DbError("deadlock", "40P01")));
    EXPECT_FALSE(wake_tick_should_fall_back(true, DbError("raised", "P0001")));
}
