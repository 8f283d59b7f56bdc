// Issue 14.5: any role can NOTIFY the daemon's channels. A flood must cost
// it neither unbounded memory nor a queue-list re-read per notification.
#include "security_util.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <regex>
#include <thread>

using namespace pgqadm::test;

// 20,000 near-maximal payloads naming no queue (160 MB through the socket)
// must not pile up in the daemon. It used to: a query sent while the server
// was delivering them returned only after libpq had read the whole backlog
// into memory, and the heap stayed that big. It also goes on ticking.
TEST_F(SecurityTest, NotifyFloodWithUnknownPayloadsKeepsMemoryBoundedAndTicking)
{
    auto cfg = config("0.05");
    make_wakeup_queue(cfg, "q1");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log().find("queues to tick") != std::string::npos; }, 20s))
        << log();
    ASSERT_TRUE(insert_and_wait_for_tick("q1", 20s)) << log();
    long before = rss_kb(ticker->pid());
    ASSERT_GT(before, 0);

    std::atomic<long> peak{before};
    std::atomic<bool> flooding{true};
    std::thread sampler([&] {
        while (flooding) {
            peak = std::max(peak.load(), rss_kb(ticker->pid()));
            std::this_thread::sleep_for(10ms);
        }
    });
    auto flooder = connect();
    for (int round = 0; round < 4; ++round)
        flooder.exec("select count(pg_catalog.pg_notify('pgq_ticker_wakeup',"
                     "       pg_catalog.lpad(i::text || '-" +
                     std::to_string(round) +
                     "', 7990, 'x')))"
                     "  from pg_catalog.generate_series(1, 5000) i");
    // The queue is freed as its listeners read it (cluster-wide: other
    // tests' wake-ups are few and small).
    bool consumed = wait_until(
        [&] {
            return std::stod(
                       scalar("select pg_catalog.pg_notification_queue_usage()").value_or("1")) <
                   0.0005;
        },
        180s, 100ms);
    bool ticked_after = insert_and_wait_for_tick("q1", 20s);
    flooding = false;
    sampler.join();
    long after = rss_kb(ticker->pid());

    EXPECT_TRUE(consumed) << "the daemon did not read the flood";
    EXPECT_TRUE(ticked_after) << log().substr(0, 5000);
    EXPECT_TRUE(ticker->running());
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed memory in a quarantine of up to 256 MB and
    // adds shadow pages, so the daemon's RSS says nothing about its heap here;
    // the normal pass checks the bound.
    (void)peak;
    (void)after;
    return;
#endif
    // Slack for the allocator; the unbounded reader grew by 100-200 MB.
    EXPECT_LT(peak - before, 32 * 1024) << "RSS kB before " << before << " peak " << peak;
    EXPECT_LT(after - before, 24 * 1024) << "RSS kB before " << before << " after " << after;
}

// pgqadm_queue_change makes the daemon re-read the queue list; a flood of it
// (with wake-ups in between, which used to trigger the re-read at once) costs
// at most one refresh a second.
TEST_F(SecurityTest, QueueChangeFloodRefreshesAtMostOncePerSecond)
{
    auto cfg = config("0.1", "queue_refresh_period = 3600\n");
    make_wakeup_queue(cfg, "q1");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log().find("queues to tick") != std::string::npos; }, 20s))
        << log();
    ASSERT_TRUE(insert_and_wait_for_tick("q1", 20s)) << log();

    std::size_t refreshes_before = count_of(log(), "queues to tick");
    auto flooder = connect();
    auto started = std::chrono::steady_clock::now();
    int sent = 0;
    while (std::chrono::steady_clock::now() - started < 3s) {
        flooder.exec("select pg_catalog.pg_notify('pgqadm_queue_change', $1),"
                     "       pg_catalog.pg_notify('pgq_ticker_wakeup', 'q1')",
                     {"junk" + std::to_string(sent++)});
        std::this_thread::sleep_for(5ms);
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::this_thread::sleep_for(1500ms);
    std::size_t refreshes = count_of(log(), "queues to tick") - refreshes_before;
    EXPECT_GT(sent, 100);
    EXPECT_GE(refreshes, 1u) << "a queue change must still refresh the list";
    EXPECT_LE(static_cast<double>(refreshes), seconds + 2.5)
        << sent << " notifications in " << seconds << " s";
    // A queue created through pgqadm during the flood's aftermath is still picked up.
    make_wakeup_queue(cfg, "q2");
    EXPECT_TRUE(insert_and_wait_for_tick("q2", 20s)) << log().substr(0, 5000);
}

// status reports the usage of the notification queue (never a warning here:
// filling half of its 8 GB is not for a test).
TEST_F(SecurityTest, StatusReportsNotificationQueueUsage)
{
    auto cfg = config("0.1");
    ProcResult json = run_pgqadm({cfg.string(), "status", "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    // Cluster-wide: other tests' wake-ups may use a little of it right now.
    std::smatch usage;
    ASSERT_TRUE(std::regex_search(json.out, usage,
                                  std::regex(R"re("notification_queue_usage":([0-9.e-]+))re")))
        << json.out;
    EXPECT_LT(std::stod(usage[1]), 0.5);
    ProcResult text = run_pgqadm({cfg.string(), "status"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(text.out.find("notification queue"), std::string::npos) << text.out;
}
