// Pieces of the metrics endpoint that need no database (issue 18).
#include "pgqadm/config/config.hpp"
#include "pgqadm/observe/exposition.hpp"
#include "pgqadm/observe/health.hpp"
#include "pgqadm/observe/snapshot.hpp"

#include <gtest/gtest.h>

using namespace pgqadm;

TEST(Observe, LabelValuesAreEscaped)
{
    EXPECT_EQ(observe::escape_label_value("plain"), "plain");
    EXPECT_EQ(observe::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    observe::Exposition page(observe::Format::prometheus);
    page.family("pgqadm_x", observe::Type::gauge, "help");
    page.sample({{"queue", "q\"}\n"}}, 1.5);
    EXPECT_EQ(page.finish(), "# HELP pgqadm_x help\n# TYPE pgqadm_x gauge\n"
                             "pgqadm_x{queue=\"q\\\"}\\n\"} 1.5\n");
}

TEST(Observe, OpenMetricsCountersAndEof)
{
    EXPECT_EQ(observe::negotiate("application/openmetrics-text; version=1.0.0"),
              observe::Format::openmetrics);
    EXPECT_EQ(observe::negotiate("text/plain"), observe::Format::prometheus);
    EXPECT_EQ(observe::negotiate(""), observe::Format::prometheus);
    observe::Exposition page(observe::Format::openmetrics);
    page.family("pgqadm_ticks_total", observe::Type::counter, "ticks");
    page.sample({}, 3);
    EXPECT_EQ(
        page.finish(),
        "# HELP pgqadm_ticks ticks\n# TYPE pgqadm_ticks counter\npgqadm_ticks_total 3\n# EOF\n");
}

TEST(Observe, ListenAddresses)
{
    auto a = config::parse_listen_address("127.0.0.1:9187");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 9187);
    a = config::parse_listen_address("[::1]:0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "::1");
    EXPECT_EQ(a->port, 0);
    EXPECT_TRUE(config::parse_listen_address("localhost:80"));
    for (const char* bad :
         {"", "9187", ":9187", "host:", "host:http", "host:70000", "::1:80", "[::1:80", "host:-1"})
        EXPECT_FALSE(config::parse_listen_address(bad)) << bad;
}

TEST(Observe, HealthVerdicts)
{
    ticker::LoopStatus loop;
    EXPECT_TRUE(observe::alive(loop, 1).ok);
    EXPECT_FALSE(observe::ready(loop, 1).ok); // not connected yet
    loop.connected = loop.leading = loop.first_round_done = true;
    loop.since_round = 0.5;
    EXPECT_TRUE(observe::ready(loop, 1).ok);
    loop.since_round = 60;
    EXPECT_FALSE(observe::ready(loop, 1).ok);
    loop.since_beat = 30; // 30 s past its promised return
    EXPECT_FALSE(observe::alive(loop, 1).ok);
    loop = {};
    loop.consecutive_failures = 3;
    EXPECT_EQ(observe::ready(loop, 1).reason, "not connected: 3 failed attempts in a row");
}

TEST(Observe, RotationBlockedOnlyWhenOverdueAndBehind)
{
    EXPECT_TRUE(observe::blocks_rotation(7200, 8000, 9000));
    EXPECT_FALSE(observe::blocks_rotation(7200, 7000, 9000)); // not overdue
    EXPECT_FALSE(observe::blocks_rotation(7200, 8000, 100));  // past the switch
    EXPECT_FALSE(observe::blocks_rotation(7200, 8000, std::nullopt));
}
