// The ticker as a real process: thresholds, daemon mode, signals, crashes,
// database restarts, rotation and retry, standby.
#include "support/test_support.hpp"

#include <csignal>
#include <iostream>
#include <set>
#include <thread>

using namespace pgqadm::test;

namespace {

class TickerTest : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
        log_ = dir_ / "ticker.log";
    }

    std::filesystem::path config(const std::string& extra = "",
                                 const std::string& loop_delay = "0.1")
    {
        return write_config("loop_delay = " + loop_delay +
                            "\nmaint_delay = 1\nretry_delay = 1\n"
                            "queue_refresh_period = 1\nticker_log_delay = 1\n"
                            "pidfile = " +
                            (dir_ / "ticker.pid").string() + "\nlogfile = " + log_.string() + "\n" +
                            extra);
    }

    std::unique_ptr<Process> start_ticker(const std::filesystem::path& cfg,
                                          const std::string& out = "ticker.out")
    {
        return std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker", "-v"}, dir_ / out);
    }

    void sql(const std::string& statement, const pgqadm::db::Params& params = {})
    {
        auto conn = connect();
        conn.exec(statement, params);
    }

    long long count(const std::string& query, const pgqadm::db::Params& params = {})
    {
        return std::stoll(scalar(query, params).value_or("0"));
    }

    long long ticks(const std::string& queue)
    {
        return count("select count(*) from pgq.tick t join pgq.queue q on q.queue_id = "
                     "t.tick_queue where q.queue_name = $1",
                     {queue});
    }

    /// A queue ticked by count (10 events) long before its max_lag (an
    /// hour); `before_start` runs between its settings and the ticker's start.
    void ticks_by_count(const std::string& before_start = "")
    {
        run_pgqadm({config().string(), "create", "q"});
        sql("select pgq.set_queue_config('q', 'ticker_max_count', '10')");
        sql("select pgq.set_queue_config('q', 'ticker_max_lag', '1 hour')");
        sql("select pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')");
        if (!before_start.empty())
            sql(before_start);
        auto ticker = start_ticker(config());
        ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));
        // As with PgQ 3, a queue with a single tick gets a second one at once;
        // after that the idle wait is at least max_lag / 2 (half an hour).
        ASSERT_TRUE(wait_until([&] { return ticks("q") == 2; }, 20s)) << read_file(log_);
        sql("select pgq.insert_event('q', 't', 'd') from generate_series(1, 20)");
        EXPECT_TRUE(wait_until([&] { return ticks("q") == 3; }, 20s)) << read_file(log_);
    }
    bool log_has(const std::string& text)
    {
        return read_file(log_).find(text) != std::string::npos;
    }

    /// A connection that LISTENs on `queue`'s tick channel, as a consumer would.
    pgqadm::db::Connection listen_for_ticks(const std::string& queue)
    {
        auto conn = connect();
        std::string channel = conn.exec("select pgq.tick_channel($1)", {queue}).get(0, 0);
        conn.exec("listen " + conn.quote_ident(channel));
        return conn;
    }

    /// Waits for `n` notifications on `listener` and checks they name, in
    /// order, the last `n` ticks of `queue`.
    void expect_tick_notices(pgqadm::db::Connection& listener, const std::string& queue,
                             std::size_t n)
    {
        std::vector<std::string> payloads;
        EXPECT_TRUE(wait_until(
            [&] {
                for (auto& note : listener.notifications())
                    payloads.push_back(note.payload);
                return payloads.size() >= n;
            },
            20s));
        auto ids = connect().exec("select tick_id::text from (select t.tick_id from pgq.tick t"
                                  "  join pgq.queue q on q.queue_id = t.tick_queue"
                                  " where q.queue_name = $1 order by t.tick_id desc limit $2) last"
                                  " order by tick_id",
                                  {queue, std::to_string(n)});
        std::vector<std::string> expected;
        for (int i = 0; i < ids.rows(); ++i)
            expected.push_back(ids.get(i, 0));
        EXPECT_EQ(payloads, expected);
    }

    /// Inserts one event at a time into `queue`, whose event sequence stands
    /// at first - 1, and waits for exactly one tick to cover each.
    void insert_each_and_expect_a_tick(const std::string& queue, int first, int last)
    {
        for (int i = first; i <= last; ++i) {
            sql("select pgq.insert_event($1, 't', 'one')", {queue});
            EXPECT_TRUE(wait_until(
                [&] {
                    return count("select count(*) from pgq.tick where tick_event_seq >= $1",
                                 {std::to_string(i)}) == 1;
                },
                20s))
                << "event " << i << "\n"
                << read_file(log_);
        }
    }

    /// Reads every available batch for `consumer`, returning event ids (with retry count).
    std::vector<std::pair<long long, int>> drain(const std::string& queue,
                                                 const std::string& consumer)
    {
        std::vector<std::pair<long long, int>> events;
        auto conn = connect();
        while (true) {
            auto b = conn.exec("select pgq.next_batch($1, $2)", {queue, consumer});
            if (b.is_null(0, 0))
                break;
            std::string batch = b.get(0, 0);
            auto evs = conn.exec(
                "select ev_id, coalesce(ev_retry, 0) from pgq.get_batch_events($1)", {batch});
            for (int i = 0; i < evs.rows(); ++i)
                events.emplace_back(evs.as_int(i, 0), static_cast<int>(evs.as_int(i, 1)));
            conn.exec("select pgq.finish_batch($1)", {batch});
        }
        return events;
    }

    std::filesystem::path log_;
};

} // namespace

TEST_F(TickerTest, TicksByCountBeforeMaxLag)
{
    ticks_by_count();
}

// pgq_admin may rewrite queue_event_seq; the daemon finds a queue's event
// sequence by its id, so neither a bogus name nor someone else's sequence
// changes what it ticks.
TEST_F(TickerTest, TicksByCountWhateverQueueEventSeqSays)
{
    ticks_by_count(
        "update pgq.queue set queue_event_seq = 'no_such.sequence' where queue_name = 'q'");
    EXPECT_FALSE(log_has("not found, skipped")) << read_file(log_);
}

TEST_F(TickerTest, TicksByLagWithFewEvents)
{
    run_pgqadm({config().string(), "create", "q"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0.5 seconds')");
    sql("select pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')");
    // A fresh sequence reads last_value 1 before and after its first nextval(),
    // so PgQ cannot see a queue's very first event; use it up first.
    sql("select pgq.insert_event('q', 't', 'warm-up')");
    auto ticker = start_ticker(config());
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));
    sql("select pgq.insert_event('q', 't', 'one')"); // event sequence now at 2
    EXPECT_TRUE(wait_until(
        [&] { return count("select count(*) from pgq.tick where tick_event_seq >= 2") == 1; }, 20s))
        << read_file(log_);
}

// queue_ticker_notify: producers NOTIFY pgq_ticker_wakeup at commit, once
// per transaction and queue, never for a rollback or an ordinary queue.
TEST_F(TickerTest, ProducersOfNotifyQueuesSendOneWakeupPerCommit)
{
    run_pgqadm({config().string(), "create", "loud"});
    run_pgqadm({config().string(), "create", "quiet"});
    run_pgqadm({config().string(), "config", "loud", "ticker_notify=on"});
    auto listener = connect();
    listener.exec("listen pgq_ticker_wakeup");
    listener.exec("listen test_marker");
    auto producer = connect();
    // Notifications arrive in commit order: everything before the marker is in.
    auto wakeups_until_marker = [&] {
        producer.exec("select pg_notify('test_marker', '')");
        std::vector<std::string> payloads;
        bool marker = false;
        EXPECT_TRUE(wait_until(
            [&] {
                for (auto& n : listener.notifications()) {
                    if (n.channel == "test_marker")
                        marker = true;
                    else
                        payloads.push_back(n.payload);
                }
                return marker;
            },
            20s));
        return payloads;
    };

    producer.exec("begin");
    producer.exec("select pgq.insert_event('loud', 't', 'd') from generate_series(1, 3)");
    producer.exec("select pgq.insert_event('loud', 't', 'd', 'e1', null, null, null)");
    producer.exec("commit");
    EXPECT_EQ(wakeups_until_marker(), std::vector<std::string>{"loud"});

    producer.exec("begin");
    producer.exec("select pgq.insert_event('loud', 't', 'rolled back')");
    producer.exec("rollback");
    producer.exec("select pgq.insert_event('quiet', 't', 'd')");
    EXPECT_TRUE(wakeups_until_marker().empty());

    // The dynamic path (queues outside the generated functions) does the same.
    producer.exec("select pgq._insert_event_generic(queue_id, queue_cur_table, null, now(), "
                  "null, null, 't', 'd', null, null, null, null, false) "
                  "from pgq.queue where queue_name = 'loud'");
    EXPECT_EQ(wakeups_until_marker(), std::vector<std::string>{"loud"});

    run_pgqadm({config().string(), "config", "loud", "ticker_notify=off"});
    producer.exec("select pgq.insert_event('loud', 't', 'd')");
    EXPECT_TRUE(wakeups_until_marker().empty());
}

// With loop_delay at an hour, only the producers' wake-up can get the event ticked.
TEST_F(TickerTest, WakeupTicksNotifyQueueWithoutWaitingForTheLoop)
{
    run_pgqadm({config().string(), "create", "q"});
    run_pgqadm({config().string(), "config", "q", "ticker_notify=on", "ticker_max_lag=0",
                "ticker_idle_period=3600"});
    sql("select pgq.insert_event('q', 't', 'warm-up')");
    auto ticker = start_ticker(config("", "3600"));
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));
    // The first round ticks the warm-up event; after it, the loop sleeps an hour.
    ASSERT_TRUE(wait_until(
        [&] { return count("select count(*) from pgq.tick where tick_event_seq >= 1") >= 1; },
        20s));
    auto consumer = listen_for_ticks("q");
    insert_each_and_expect_a_tick("q", 2, 4);
    EXPECT_FALSE(log_has("go through pgq.ticker()")) << "the direct insert failed\n"
                                                     << read_file(log_);
    // Each tick told the consumers: its id on the queue's tick channel.
    expect_tick_notices(consumer, "q", 3);
}

// Ticks of ordinary queues stay silent; ticks made by pgq.ticker() of a
// ticker_notify queue are announced like the daemon's wake-up ticks.
TEST_F(TickerTest, TicksOfNotifyQueuesAreAnnouncedOnTheirTickChannel)
{
    run_pgqadm({config().string(), "create", "plain"});
    run_pgqadm({config().string(), "create", "loud"});
    run_pgqadm({config().string(), "config", "loud", "ticker_notify=on"});
    auto plain = listen_for_ticks("plain");
    auto loud = listen_for_ticks("loud");
    for (std::string q : {"plain", "loud"}) {
        sql("select pgq.insert_event($1, 't', 'd')", {q});
        sql("select pgq.force_tick($1)", {q});
        sql("select pgq.ticker($1)", {q});
    }
    expect_tick_notices(loud, "loud", 1);
    // Notifications arrive in commit order: a marker sent last comes alone.
    sql("select pg_notify(pgq.tick_channel('plain'), 'marker')");
    std::vector<std::string> heard;
    EXPECT_TRUE(wait_until(
        [&] {
            for (auto& note : plain.notifications())
                heard.push_back(note.payload);
            return !heard.empty();
        },
        20s));
    EXPECT_EQ(heard, std::vector<std::string>{"marker"});
    EXPECT_EQ(scalar("select pgq.tick_channel('no such queue')"), std::nullopt);
}

// Wake-up ticks insert into pgq.tick directly; a role that may not do that
// gets them through pgq.ticker() (SECURITY DEFINER) instead.
TEST_F(TickerTest, WakeupTicksFallBackToTheApiWithoutInsertRightOnTick)
{
    run_pgqadm({config().string(), "create", "q"});
    run_pgqadm({config().string(), "config", "q", "ticker_notify=on", "ticker_max_lag=0",
                "ticker_idle_period=3600"});
    const std::string role = "tick_low_" + *scalar("select current_database()");
    sql("create role " + role + " login in role pgq_admin");
    sql("revoke insert on pgq.tick from pgq_admin");
    auto cfg = dir_ / "low.ini";
    write_file(cfg, "[pgqadm]\njob_name = low\ndb = " + dsn() + " user=" + role +
                        "\nloop_delay = 3600\nlogfile = " + log_.string() +
                        "\npidfile = " + (dir_ / "low.pid").string() + "\n");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s)) << read_file(log_);
    auto consumer = listen_for_ticks("q");
    insert_each_and_expect_a_tick("q", 1, 3);
    EXPECT_TRUE(log_has("wake-up ticks go through pgq.ticker()")) << read_file(log_);
    expect_tick_notices(consumer, "q", 3);
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
    sql("drop owned by " + role);
    sql("drop role " + role);
}

TEST_F(TickerTest, IdleQueueTicksButPausedAndExternalQueuesDoNot)
{
    auto cfg = config();
    for (std::string q : {"idle", "paused", "external"})
        ASSERT_EQ(run_pgqadm({cfg.string(), "create", q}).exit_code, 0);
    sql("select pgq.set_queue_config('idle', 'ticker_idle_period', '0.3 seconds')");
    sql("select pgq.set_queue_config('idle', 'ticker_max_lag', '0.1 seconds')");
    for (std::string q : {"paused", "external"}) {
        sql("select pgq.set_queue_config($1, 'ticker_idle_period', '0.1 seconds')", {q});
        sql("select pgq.set_queue_config($1, 'ticker_max_lag', '0.1 seconds')", {q});
    }
    sql("select pgq.set_queue_config('paused', 'ticker_paused', 'true')");
    sql("select pgq.set_queue_config('external', 'external_ticker', 'true')");
    auto ticker = start_ticker(cfg);
    EXPECT_TRUE(wait_until([&] { return ticks("idle") >= 4; }, 30s)) << read_file(log_);
    EXPECT_EQ(ticks("paused"), 1);
    EXPECT_EQ(ticks("external"), 1);
}

TEST_F(TickerTest, DaemonLifecycleReloadStopAndStalePidfile)
{
    auto cfg = config();
    auto pidfile = dir_ / "ticker.pid";
    run_pgqadm({cfg.string(), "create", "q"});

    auto r = run_pgqadm({cfg.string(), "ticker", "-d"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(wait_until(
        [&] { return std::filesystem::exists(pidfile) && !read_file(pidfile).empty(); }, 10s));
    pid_t pid = static_cast<pid_t>(std::stol(read_file(pidfile)));
    EXPECT_NE(pid, getpid());
    EXPECT_EQ(kill(pid, 0), 0);

    // A second start is refused while the first runs.
    r = run_pgqadm({cfg.string(), "ticker", "-d"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Pidfile exists, another process running?"), std::string::npos) << r.err;

    // -r applies a changed loop_delay ...
    write_file(cfg, read_file(cfg) + "loop_delay = 0.25\n");
    EXPECT_EQ(run_pgqadm({cfg.string(), "-r"}).exit_code, 0);
    EXPECT_TRUE(wait_until([&] { return log_has("config reloaded: loop_delay=0.25"); }, 10s))
        << read_file(log_);
    // ... and a broken config is rejected while the daemon goes on.
    std::string good = read_file(cfg);
    write_file(cfg, good + "maint_delay = soon\n");
    kill(pid, SIGHUP); // `pgqadm -r` itself would refuse the broken file

    EXPECT_TRUE(wait_until([&] { return log_has("config reload failed"); }, 10s));
    EXPECT_EQ(kill(pid, 0), 0);
    write_file(cfg, good);

    // -s stops it cleanly and the pidfile goes away.
    EXPECT_EQ(run_pgqadm({cfg.string(), "-s"}).exit_code, 0);
    EXPECT_TRUE(wait_until([&] { return kill(pid, 0) != 0; }, 15s));
    EXPECT_FALSE(std::filesystem::exists(pidfile));
    EXPECT_TRUE(log_has("Got SIGINT, shutting down"));

    // A stale pidfile (dead pid) is taken over.
    write_file(pidfile, "999999");
    r = run_pgqadm({cfg.string(), "ticker", "-d"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(wait_until(
        [&] {
            return std::filesystem::exists(pidfile) && read_file(pidfile) != "999999" &&
                   !read_file(pidfile).empty();
        },
        10s));
    EXPECT_TRUE(log_has("Ignoring stale pidfile"));
    pid = static_cast<pid_t>(std::stol(read_file(pidfile)));

    // -k stops it at once, still removing the pidfile.
    EXPECT_EQ(run_pgqadm({cfg.string(), "-k"}).exit_code, 0);
    EXPECT_TRUE(wait_until([&] { return kill(pid, 0) != 0; }, 10s));
    EXPECT_FALSE(std::filesystem::exists(pidfile));
    EXPECT_TRUE(log_has("Got SIGTERM, fast exit"));
}

TEST_F(TickerTest, DaemonNeedsPidfile)
{
    auto cfg = write_config("loop_delay = 0.1\n");
    auto r = run_pgqadm({cfg.string(), "ticker", "-d"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Daemon needs pidfile"), std::string::npos) << r.err;
}

TEST_F(TickerTest, SigkillDuringLoadLosesNoEvent)
{
    auto cfg = config();
    run_pgqadm({cfg.string(), "create", "q"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')");
    run_pgqadm({cfg.string(), "register", "q", "c"});

    std::atomic<bool> producing{true};
    std::atomic<long> produced{0};
    std::thread producer([&] {
        auto conn = connect();
        while (producing) {
            conn.exec("select pgq.insert_event('q', 't', g::text) from generate_series(1, 10) g");
            produced += 10;
        }
    });
    std::set<long long> seen;
    long long duplicates = 0;
    auto collect = [&] {
        for (auto [id, retry] : drain("q", "c"))
            duplicates += seen.insert(id).second ? 0 : 1;
    };
    for (int round = 0; round < 3; ++round) {
        auto ticker = start_ticker(cfg, "ticker" + std::to_string(round) + ".out");
        long long before = ticks("q");
        ASSERT_TRUE(wait_until([&] { return ticks("q") >= before + 2; }, 20s));
        collect();
        ticker->signal(SIGKILL);
        ticker->wait(10s);
        // The next start must take over the pidfile the killed one left behind.
    }
    producing = false;
    producer.join();
    auto ticker = start_ticker(cfg, "final.out");
    long long target = count("select last_value from pgq.event_1_id_seq");
    ASSERT_TRUE(wait_until(
        [&] {
            return count("select max(tick_event_seq) from pgq.tick where tick_queue = 1") >= target;
        },
        30s));
    // One more tick so that transactions that were open at the last one commit into a batch.
    long long last = ticks("q");
    sql("select pgq.insert_event('q', 't', 'marker')");
    ASSERT_TRUE(wait_until([&] { return ticks("q") > last; }, 20s));
    collect();
    EXPECT_EQ(duplicates, 0);
    EXPECT_EQ(static_cast<long>(seen.size()), produced.load() + 1);
    EXPECT_EQ(count("select count(*) from pgq.event_1"), produced.load() + 1);
}

TEST_F(TickerTest, RotationAndRetryHappen)
{
    auto cfg = config();
    run_pgqadm({cfg.string(), "create", "q"});
    run_pgqadm({cfg.string(), "register", "q", "c"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')");
    sql("select pgq.set_queue_config('q', 'rotation_period', '1 second')");
    auto created = scalar("select queue_switch_time from pgq.queue where queue_name = 'q'");
    auto ticker = start_ticker(cfg);
    sql("select pgq.insert_event('q', 'retry-me', 'x')");
    std::vector<std::pair<long long, int>> got;
    ASSERT_TRUE(wait_until(
        [&] {
            auto conn = connect();
            auto b = conn.exec("select pgq.next_batch('q', 'c')");
            if (b.is_null(0, 0))
                return false;
            std::string batch = b.get(0, 0);
            auto evs = conn.exec("select ev_id from pgq.get_batch_events($1)", {batch});
            bool found = evs.rows() == 1;
            if (found)
                conn.exec("select pgq.event_retry($1, $2, 1)", {batch, evs.get(0, 0)});
            conn.exec("select pgq.finish_batch($1)", {batch});
            return found;
        },
        20s));
    EXPECT_TRUE(wait_until(
        [&] {
            for (auto e : drain("q", "c"))
                got.push_back(e);
            return !got.empty();
        },
        30s));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].second, 1); // came back once, with retry = 1
    EXPECT_TRUE(wait_until([&] { return log_has("Rotating q"); }, 30s)) << read_file(log_);
    // Switched in the database (the table number may have come round to 0
    // again: a rotation a second once the consumer has caught up).
    EXPECT_EQ(
        scalar("select queue_switch_time > $1::timestamptz from pgq.queue where queue_name = 'q'",
               {created.value_or("")}),
        "t");
}

TEST_F(TickerTest, SecondTickerStandsByAndTakesOver)
{
    auto cfg = config();
    auto cfg2 = write_config("loop_delay = 0.1\nqueue_refresh_period = 1\nlogfile = " +
                                 (dir_ / "second.log").string() + "\n",
                             "second.ini");
    run_pgqadm({cfg.string(), "create", "q"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')");
    // A fresh sequence reads last_value 1 before and after its first nextval(),
    // so PgQ cannot see a queue's very first event; use it up before the test.
    sql("select pgq.insert_event('q', 't', 'warm-up')");
    auto first = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));
    auto second = start_ticker(cfg2, "second.out");
    auto second_log = [&] { return read_file(dir_ / "second.log"); };
    ASSERT_TRUE(
        wait_until([&] { return second_log().find("standing by") != std::string::npos; }, 20s));
    // The standby says who leads: the first daemon, by its pid.
    EXPECT_NE(second_log().find("pid " + std::to_string(first->pid()) + " (pid "),
              std::string::npos)
        << second_log();
    // So does status, for the operator.
    auto status_leader = [&] {
        std::string out = run_pgqadm({cfg.string(), "status"}).out;
        auto at = out.find("Ticker leader: ");
        return at == std::string::npos ? out : out.substr(at, out.find('\n', at) - at);
    };
    EXPECT_NE(status_leader().find("pid " + std::to_string(first->pid()) + " (backend pid "),
              std::string::npos)
        << status_leader();
    EXPECT_NE(status_leader().find(") since 20"), std::string::npos) << status_leader();
    first->signal(SIGKILL);
    first->wait(10s);
    EXPECT_TRUE(
        wait_until([&] { return second_log().find("Took over") != std::string::npos; }, 30s))
        << second_log();
    long long before = ticks("q");
    sql("select pgq.insert_event('q', 't', 'after takeover')");
    EXPECT_TRUE(wait_until([&] { return ticks("q") > before; }, 20s)) << second_log();
    EXPECT_NE(status_leader().find("pid " + std::to_string(second->pid()) + " (backend pid "),
              std::string::npos)
        << status_leader();
}

// Issue "tick like PgQ 3": a queue made by plain SQL (londiste create-root,
// an application's migration) is ticked within its ticker_max_lag, not at
// the next periodic re-read of the queue list.
TEST_F(TickerTest, QueueCreatedBySqlIsTickedWithinMaxLag)
{
    auto cfg = write_config("loop_delay = 1\nqueue_refresh_period = 3600\npidfile = " +
                            (dir_ / "ticker.pid").string() + "\nlogfile = " + log_.string() + "\n");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s)) << read_file(log_);
    sql("select pgq.create_queue('made_by_sql')");
    sql("select pgq.insert_event('made_by_sql', 't', 'first')");
    auto inserted = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until(
        [&] {
            return count("select count(*) from pgq.tick t join pgq.queue q"
                         "  on q.queue_id = t.tick_queue"
                         " where q.queue_name = 'made_by_sql' and t.tick_event_seq >= 1") > 0;
        },
        30s))
        << read_file(log_);
    double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - inserted).count();
    std::cout << "first event of a queue created by SQL ticked after " << waited << " s\n";
    // ticker_max_lag (3 s) + one loop_delay, and a second for a busy machine.
    EXPECT_LE(waited, 5.0) << read_file(log_);
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
}

// A reload that changes db moves both connections, ticker and maintenance,
// to the new database at once (not at the next connection_lifetime).
TEST_F(TickerTest, ReloadWithAnotherDbReconnectsTickerAndMaintenance)
{
    const std::string other = dbname_ + "_b";
    auto admin = pgqadm::db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
    admin.exec("drop database if exists " + admin.quote_ident(other));
    admin.exec("create database " + admin.quote_ident(other));
    auto other_ini = write_config("", "other.ini");
    write_file(other_ini, "[pgqadm]\ndb = " + Cluster::get().conninfo(other) + "\n");
    ASSERT_EQ(run_pgqadm({other_ini.string(), "install"}).exit_code, 0);
    ASSERT_EQ(run_pgqadm({other_ini.string(), "create", "moved"}).exit_code, 0);

    auto cfg = config("connection_lifetime = 0\n");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s)) << read_file(log_);
    std::string text = read_file(cfg);
    std::string old_db = "db = " + dsn();
    ASSERT_NE(text.find(old_db), std::string::npos);
    text.replace(text.find(old_db), old_db.size(), "db = " + Cluster::get().conninfo(other));
    write_file(cfg, text);
    ticker->signal(SIGHUP);

    // The daemon's connections by application name ("<job_name> ticker",
    // "<job_name> maintenance"; the server cuts names at 63 bytes).
    auto jobs_on = [&](const std::string& db) {
        return std::stoll(admin
                              .exec("select count(distinct application_name) from pg_stat_activity"
                                    " where datname = $1 and application_name like $2",
                                    {db, "test\\_" + dbname_.substr(0, 20) + "%"})
                              .get(0, 0));
    };
    EXPECT_TRUE(wait_until([&] { return jobs_on(other) == 2 && jobs_on(dbname_) == 0; }, 20s))
        << read_file(log_);
    auto moved = pgqadm::db::Connection::open(Cluster::get().conninfo(other), "pgqadm-test");
    moved.exec("select pgq.insert_event('moved', 't', 'after reload')");
    EXPECT_TRUE(wait_until(
        [&] {
            return moved.exec("select count(*) from pgq.tick where tick_event_seq >= 1")
                       .get(0, 0) != "0";
        },
        20s))
        << read_file(log_);
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
    admin.exec("drop database if exists " + admin.quote_ident(other) + " with (force)");
}

TEST_F(TickerTest, CleanStopHandsTheLeadToTheStandbyAtOnce)
{
    auto cfg = config();
    auto cfg2 = write_config("loop_delay = 0.1\nqueue_refresh_period = 1\nlogfile = " +
                                 (dir_ / "second.log").string() + "\n",
                             "second.ini");
    auto first = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));
    EXPECT_EQ(scalar("select leader_name like '% pid ' || $1 from pgq.ticker_leader_info()",
                     {std::to_string(first->pid())}),
              "t");
    auto second = start_ticker(cfg2, "second.out");
    auto second_log = [&] { return read_file(dir_ / "second.log"); };
    ASSERT_TRUE(
        wait_until([&] { return second_log().find("standing by") != std::string::npos; }, 20s));
    first->signal(SIGINT);
    EXPECT_EQ(first->wait(30s), 0);
    // Resigned, not merely disconnected: the row is empty or names the second.
    EXPECT_TRUE(
        wait_until([&] { return second_log().find("Took over") != std::string::npos; }, 30s))
        << second_log();
    EXPECT_EQ(scalar("select leader_name like '% pid ' || $1 from pgq.ticker_leader_info()",
                     {std::to_string(second->pid())}),
              "t");
}

// Security: the lead used to be an advisory lock on a fixed key, which any
// role that can log in could take first and so stop all ticking for good.
TEST_F(TickerTest, LoginRoleCannotTakeOrBlockTheLead)
{
    run_pgqadm({config().string(), "create", "q"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0')");
    sql("select pgq.insert_event('q', 't', 'warm-up')");
    const std::string role = "intruder_" + *scalar("select current_database()");
    sql("create role " + role + " login");
    auto intruder = pgqadm::db::Connection::open(dsn() + " user=" + role, "intruder");
    intruder.exec("select pg_advisory_lock(8099567117959757825)");
    EXPECT_THROW(intruder.exec("select pgq.ticker_lead('intruder')"), pgqadm::db::DbError);
    EXPECT_THROW(intruder.exec("update pgq.ticker_leader set leader_pid = pg_backend_pid()"),
                 pgqadm::db::DbError);

    auto ticker = start_ticker(config());
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s)) << read_file(log_);
    long long before = ticks("q");
    sql("select pgq.insert_event('q', 't', 'still ticked')");
    EXPECT_TRUE(wait_until([&] { return ticks("q") > before; }, 20s)) << read_file(log_);
    EXPECT_FALSE(log_has("standing by")) << read_file(log_);
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
    intruder.exec("select pg_advisory_unlock_all()");
    sql("drop role " + role);
}

// Two claims at once: the one that waits on the row lock must see the
// winner alive even if its transaction read the backend list before the
// winner's backend started (PostgreSQL keeps that list for the whole
// transaction). Once two daemons both led, and ticked side by side.
TEST_F(TickerTest, ClaimWithAnOldBackendListStillSeesTheNewLeader)
{
    auto late = connect();
    late.exec("begin");
    late.exec("select count(*) from pg_stat_activity"); // the list is read now, and kept
    auto first = connect();                             // a backend the list does not have
    ASSERT_EQ(first.exec("select is_leader from pgq.ticker_lead('first')").get(0, 0), "t");
    EXPECT_EQ(late.exec("select is_leader from pgq.ticker_lead('late')").get(0, 0), "f");
    late.exec("commit");
    EXPECT_EQ(scalar("select leader_name from pgq.ticker_leader"), "first");
}

// These restart the shared cluster, so CTest runs them alone (see tests/CMakeLists.txt).
TEST_F(TickerTest, DISABLED_ServerRestartReconnectsAndMaxFailuresEnds)
{
    auto cfg = config("max_failures = 3\n");
    run_pgqadm({cfg.string(), "create", "q"});
    sql("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log_has("queues to tick"); }, 20s));

    Cluster::get().restart();
    long long before = ticks("q");
    sql("select pgq.insert_event('q', 't', 'after restart')");
    EXPECT_TRUE(wait_until([&] { return ticks("q") > before; }, 30s)) << read_file(log_);
    EXPECT_TRUE(ticker->running());

    Cluster::get().stop();
    auto code = ticker->wait(60s);
    Cluster::get().start();
    ASSERT_TRUE(code.has_value()) << "ticker did not give up";
    EXPECT_EQ(*code, 1);
    EXPECT_TRUE(log_has("max_failures"));
    EXPECT_TRUE(log_has("SQLSTATE")) << read_file(log_);
}
