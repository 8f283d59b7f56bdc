// status finds trouble (issue 18): thresholds from the config, severities,
// status --check's exit codes and line, and the same verdict in --json.
#include "support/test_support.hpp"

#include <csignal>

using namespace pgqadm::test;

namespace {

class StatusCheckTest : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
    }

    std::filesystem::path config(const std::string& thresholds)
    {
        return write_config("loop_delay = 0.1\nlogfile = " + (dir_ / "ticker.log").string() + "\n" +
                            thresholds);
    }
};

} // namespace

TEST_F(StatusCheckTest, ExitCodesFollowTheWorstWarning)
{
    const std::string quiet = "warn_consumer_lag = 0\ncrit_consumer_lag = 0\n"
                              "warn_consumer_last_seen = 0\ncrit_consumer_last_seen = 0\n";
    auto cfg = config(quiet);
    ASSERT_EQ(run_pgqadm({cfg.string(), "create", "q"}).exit_code, 0);
    ASSERT_EQ(run_pgqadm({cfg.string(), "register", "q", "c"}).exit_code, 0);

    // Nobody leads and the queue misses its ticks: critical.
    connect().exec("update pgq.tick set tick_time = tick_time - interval '2 hours'");
    ProcResult r = run_pgqadm({cfg.string(), "status", "--check"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out.rfind("PGQADM CRITICAL - no active ticker", 0), 0u) << r.out;

    Process ticker({pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.out");
    ASSERT_TRUE(wait_until(
        [&] {
            return run_pgqadm({cfg.string(), "status", "--check"}).exit_code == 0;
        },
        30s))
        << run_pgqadm({cfg.string(), "status", "--check"}).out;
    r = run_pgqadm({cfg.string(), "status", "--check"});
    EXPECT_EQ(r.out, "PGQADM OK - 1 queues, 1 consumers\n");

    // The consumer never read a batch: its lag grows past 1 s.
    auto strict = config("warn_consumer_lag = 1\ncrit_consumer_lag = 0\n"
                         "warn_consumer_last_seen = 0\ncrit_consumer_last_seen = 0\n");
    ASSERT_TRUE(wait_until(
        [&] {
            return run_pgqadm({strict.string(), "status", "--check"}).exit_code == 1;
        },
        30s));
    r = run_pgqadm({strict.string(), "status", "--check"});
    EXPECT_NE(r.out.find("PGQADM WARNING - consumer c on queue q: lag"), std::string::npos)
        << r.out;
    r = run_pgqadm({strict.string(), "status", "--json", "--check"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("\"check\":\"warning\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("consumer c on queue q: lag"), std::string::npos) << r.out;
    // Without --check, status itself still succeeds and shows the warning.
    r = run_pgqadm({strict.string(), "status"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("consumer c on queue q: lag"), std::string::npos) << r.out;

    auto critical = config("warn_consumer_lag = 0\ncrit_consumer_lag = 0\n"
                           "crit_consumer_last_seen = 1\n");
    ASSERT_TRUE(wait_until(
        [&] {
            return run_pgqadm({critical.string(), "status", "--check"}).exit_code == 2;
        },
        30s));
    r = run_pgqadm({critical.string(), "status", "--check"});
    EXPECT_NE(r.out.find("last seen"), std::string::npos) << r.out;

    ticker.signal(SIGINT);
    EXPECT_EQ(ticker.wait(30s), 0);
}

TEST_F(StatusCheckTest, UnreachableDatabaseIsCritical)
{
    auto bad = dir_ / "bad.ini";
    write_file(bad, "[pgqadm]\ndb = host=/nonexistent-socket-dir dbname=x connect_timeout=2\n");
    ProcResult r = run_pgqadm({bad.string(), "status", "--check"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out.rfind("PGQADM CRITICAL - ", 0), 0u) << r.out;
    // Plain status still fails as before.
    EXPECT_EQ(run_pgqadm({bad.string(), "status"}).exit_code, 1);
}
