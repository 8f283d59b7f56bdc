// The one-shot admin commands run through the real binary, each test twice:
// on our own pgq schema (`pgqadm install`) and on the real PgQ 3 extension
// (`create extension pgq`, Debian's postgresql-15-pgq3).
#include "admin_test_util.hpp"

#include <algorithm>
#include <cstdio>

using namespace pgqadm::test;
using namespace pgqadm::test::admin;

namespace {

enum class Flavor { ours, extension };

class AdminCommands : public DbTest, public ::testing::WithParamInterface<Flavor> {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        cfg_ = write_config();
        job_ = "test_" + dbname_;
        if (GetParam() == Flavor::ours) {
            install_pgq();
        } else {
            connect().exec("create extension pgq");
        }
    }

    ProcResult pgqadm(std::vector<std::string> args)
    {
        args.insert(args.begin(), cfg_.string());
        return run_pgqadm(args);
    }

    /// Runs a command that must succeed; returns its stdout.
    std::string ok(const std::vector<std::string>& args)
    {
        ProcResult r = pgqadm(args);
        EXPECT_EQ(r.exit_code, 0) << "args[0]=" << args[0] << "\nstderr: " << r.err;
        for (const LogLine& l : log_lines(r.err))
            EXPECT_EQ(l.level, "INFO") << l.message;
        return r.out;
    }

    std::vector<std::string> info_messages(const ProcResult& r)
    {
        std::vector<std::string> out;
        for (const LogLine& l : log_lines(r.err))
            if (l.level == "INFO")
                out.push_back(l.message);
        return out;
    }

    std::string count(const std::string& sql, const pgqadm::db::Params& p = {})
    {
        return scalar(sql, p).value_or("NULL");
    }

    std::filesystem::path cfg_;
    std::string job_;
};

std::string flavor_name(const ::testing::TestParamInfo<Flavor>& info)
{
    return info.param == Flavor::ours ? "ours" : "extension";
}

const char* queue_count = "select count(*) from pgq.queue where queue_name = $1";
const char* sub_count = "select count(*) from pgq.subscription s join pgq.queue q on "
                        "q.queue_id = s.sub_queue join pgq.consumer c on c.co_id = s.sub_consumer "
                        "where q.queue_name = $1 and c.co_name = $2";

} // namespace

TEST_P(AdminCommands, CreateLogsAndCreatesAndCreatingAgainIsNoError)
{
    ProcResult r = pgqadm({"create", "orders"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    auto info = info_messages(r);
    ASSERT_FALSE(info.empty());
    EXPECT_EQ(info[0], "Creating queue: orders");
    EXPECT_EQ(count(queue_count, {"orders"}), "1");
    // tick 1 comes with the queue (PgQ 3)
    EXPECT_EQ(count("select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue "
                    "where q.queue_name = 'orders'"),
              "1");

    r = pgqadm({"create", "orders"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(info_messages(r).at(0), "Creating queue: orders");
    EXPECT_EQ(count("select count(*) from pgq.queue"), "1");
}

TEST_P(AdminCommands, RegisterTwiceIsFineUnregisterRemoves)
{
    ok({"create", "q"});
    ProcResult r = pgqadm({"register", "q", "cons"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(info_messages(r).at(0), "Registering consumer cons on queue q");
    EXPECT_EQ(count(sub_count, {"q", "cons"}), "1");
    ok({"register", "q", "cons"});
    EXPECT_EQ(count(sub_count, {"q", "cons"}), "1");

    r = pgqadm({"unregister", "q", "cons"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(info_messages(r).at(0), "Unregistering consumer cons from queue q");
    EXPECT_EQ(count(sub_count, {"q", "cons"}), "0");
}

TEST_P(AdminCommands, PgqErrorsComeThroughAsOneLine)
{
    ok({"create", "q"});
    EXPECT_EQ(the_error(pgqadm({"register", "nosuch", "c"})),
              crash(job_, "Event queue not created yet"));
    EXPECT_EQ(the_error(pgqadm({"unregister", "q", "nobody"})),
              crash(job_, "consumer not registered on queue"));
    EXPECT_EQ(the_error(pgqadm({"drop", "nosuch"})), crash(job_, "No such event queue"));

    // No ticks yet: a queue whose ticks are gone (as before the first ticker
    // round in PgQ 2) refuses registration.
    connect().exec("delete from pgq.tick where tick_queue = "
                   "(select queue_id from pgq.queue where queue_name = 'q')");
    EXPECT_EQ(the_error(pgqadm({"register", "q", "c"})),
              crash(job_, "No ticks for this queue.  Please run ticker on database."));
    EXPECT_EQ(count(sub_count, {"q", "c"}), "0");
}

TEST_P(AdminCommands, DropWithConsumersFailsAndChangesNothingForceDrops)
{
    ok({"create", "q"});
    ok({"register", "q", "c1"});
    ProcResult r = pgqadm({"drop", "q"});
    EXPECT_EQ(the_error(r), crash(job_, "cannot drop queue, consumers still attached"));
    EXPECT_EQ(info_messages(r).at(0), "Dropping queue: q");
    EXPECT_EQ(count(queue_count, {"q"}), "1");
    EXPECT_EQ(count(sub_count, {"q", "c1"}), "1");

    // --force anywhere on the line, as optparse allowed
    r = run_pgqadm({"--force", cfg_.string(), "drop", "q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count(queue_count, {"q"}), "0");
    EXPECT_EQ(count("select count(*) from pgq.subscription"), "0");

    ok({"create", "q2"});
    ok({"drop", "q2"});
    EXPECT_EQ(count(queue_count, {"q2"}), "0");
}

TEST_P(AdminCommands, ConfigShowsEveryQueueInNameOrderOrOne)
{
    EXPECT_EQ(ok({"config"}), ""); // no queues, no output
    ok({"create", "zeta"});
    ok({"create", "alpha"});
    // PgQ defaults; booleans and per_tx_limit exist in both schemas
    std::string block_tail = "    queue_ticker_max_count      =   500\n"
                             "    queue_ticker_idle_period    =    60\n"
                             "    queue_rotation_period       =  7200\n"
                             "    queue_ticker_paused         = false\n"
                             "    queue_external_ticker       = false\n"
                             "    queue_disable_insert        = false\n"
                             "    queue_per_tx_limit          =  NULL\n";
    if (GetParam() == Flavor::ours) // our wake-up column
        block_tail += "    queue_ticker_notify         = false\n";
    std::string alpha = "alpha\n    queue_ticker_max_lag        =     3\n" + block_tail;
    std::string zeta = "zeta\n    queue_ticker_max_lag        =     3\n" + block_tail;
    EXPECT_EQ(ok({"config"}), alpha + zeta);
    EXPECT_EQ(ok({"config", "zeta"}), zeta);
    EXPECT_EQ(the_error(pgqadm({"config", "nosuch"})), crash(job_, "no such queue: nosuch"));
}

TEST_P(AdminCommands, ConfigChangeAppliesAllInOneTransaction)
{
    ok({"create", "q"});
    std::string out = ok({"config", "q", "queue_ticker_max_lag=10", "ticker_max_count=300",
                          "rotation_period=2 hours", "ticker_idle_period=1.5", "ticker_paused=on",
                          "disable_insert=true", "per_tx_limit=7"});
    EXPECT_EQ(out, "Change queue q config to: queue_ticker_max_lag='10', "
                   "queue_ticker_max_count='300', queue_rotation_period='2 hours', "
                   "queue_ticker_idle_period='1.5', queue_ticker_paused='on', "
                   "queue_disable_insert='true', queue_per_tx_limit='7'\n");
    EXPECT_EQ(ok({"config", "q"}), "q\n"
                                   "    queue_ticker_max_lag        =    10\n"
                                   "    queue_ticker_max_count      =   300\n"
                                   "    queue_ticker_idle_period    =   1.5\n"
                                   "    queue_rotation_period       =  7200\n"
                                   "    queue_ticker_paused         =  true\n"
                                   "    queue_external_ticker       = false\n"
                                   "    queue_disable_insert        =  true\n"
                                   "    queue_per_tx_limit          =     7\n" +
                                       std::string(GetParam() == Flavor::ours
                                                       ? "    queue_ticker_notify         = false\n"
                                                       : ""));
    // interval without a unit is seconds
    EXPECT_EQ(count("select extract(epoch from queue_ticker_max_lag) = 10 from pgq.queue"), "t");
    ok({"config", "q", "per_tx_limit=null", "ticker_paused=0"});
    EXPECT_EQ(count("select coalesce(queue_per_tx_limit::text, 'NULL') || '/' || "
                    "queue_ticker_paused from pgq.queue"),
              "NULL/false");
}

TEST_P(AdminCommands, ConfigChangeErrorsChangeNothing)
{
    ok({"create", "q"});
    const std::string before = count("select to_jsonb(q)::text from pgq.queue q");
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    std::vector<Case> cases{
        {{"ticker_max_lag=10", "bogus=1"},
         "unknown config var: bogus (known: queue_ticker_max_lag, queue_ticker_max_count, "
         "queue_ticker_idle_period, queue_rotation_period, queue_ticker_paused, "
         "queue_external_ticker, queue_ticker_notify, queue_disable_insert, "
         "queue_per_tx_limit)"},
        {{"ticker_max_lag=10", "queue_ntables=5"}, ""},
        {{"ticker_max_lag=10", "ticker_max_count"},
         "config: expected VAR=VALUE, got 'ticker_max_count'"},
        {{"ticker_max_lag=10", "ticker_max_count=1.5"},
         "config: bad value for queue_ticker_max_count: '1.5' is not a non-negative integer"},
        {{"ticker_max_lag=10", "ticker_max_count=-1"},
         "config: bad value for queue_ticker_max_count: '-1' is not a non-negative integer"},
        {{"ticker_max_lag=10", "ticker_max_count=99999999999"},
         "config: bad value for queue_ticker_max_count: '99999999999' is not a non-negative "
         "integer"},
        {{"ticker_max_lag=10", "ticker_idle_period=soon"},
         "config: bad value for queue_ticker_idle_period: 'soon' is not an interval (seconds, or "
         "e.g. '2 hours')"},
        {{"ticker_max_lag=10", "ticker_idle_period=1'; drop table x; --"},
         "config: bad value for queue_ticker_idle_period: '1'; drop table x; --' is not an "
         "interval (seconds, or e.g. '2 hours')"},
        {{"ticker_max_lag=10", "rotation_period=-5"},
         "config: bad value for queue_rotation_period: '-5' is not a non-negative interval"},
        {{"ticker_max_lag=10", "ticker_paused=maybe"},
         "config: bad value for queue_ticker_paused: 'maybe' is not a boolean (true/false)"},
        {{"ticker_max_lag=10", "ticker_max_lag="},
         "config: bad value for queue_ticker_max_lag: '' is not an interval (seconds, or e.g. '2 "
         "hours')"},
    };
    if (GetParam() == Flavor::extension)
        cases.push_back({{"ticker_max_lag=10", "ticker_notify=on"},
                         "config: queue_ticker_notify is not supported by this pgq schema"});
    for (const Case& c : cases) {
        std::vector<std::string> args{"config", "q"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        ProcResult r = pgqadm(args);
        std::string err = the_error(r);
        if (!c.message.empty())
            EXPECT_EQ(err, crash(job_, c.message)) << c.args.back();
        else
            EXPECT_NE(err.find("unknown config var: queue_ntables"), std::string::npos) << err;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_EQ(the_error(pgqadm({"config", "nosuch", "ticker_max_lag=10"})),
              crash(job_, "no such queue: nosuch"));
    EXPECT_EQ(count("select to_jsonb(q)::text from pgq.queue q"), before);
}

TEST_P(AdminCommands, StatusTextLayout)
{
    ok({"create", "zeta"});
    ok({"create", "alpha"});
    ok({"create", "mid"});
    ok({"register", "alpha", "c2"});
    ok({"register", "alpha", "c1"});
    ok({"config", "mid", "ticker_max_count=300", "ticker_max_lag=10", "rotation_period=1800"});
    std::string server = scalar("show server_version").value();
    std::string pgq = scalar("select pgq.version()").value();

    ProcResult r = pgqadm({"status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, ""); // status logs nothing at the default level
    const std::string rule(78, '-');
    auto qrow = [](const std::string& n, const std::string& rot, const std::string& tick) {
        return ljust(n, 45) + " " + rjust(rot, 9) + " " + rjust(tick, 13) + " " + rjust("Ns", 6) +
               "\n";
    };
    auto crow = [](const std::string& n) {
        return "  " + ljust(n, 54) + " " + rjust("Ns", 9) + " " + rjust("Ns", 9) + "\n";
    };
    std::string expected =
        "Postgres version: " + server + "   PgQ version: " + pgq + "\n" + "\n" +
        "Event queue                                    Rotation        Ticker   TLag\n" + rule +
        "\n" + qrow("alpha", "3/7200s", "500/3s/60s") + qrow("mid", "3/1800s", "300/10s/60s") +
        qrow("zeta", "3/7200s", "500/3s/60s") + rule + "\n" + "\n" +
        "Consumer                                                       Lag  LastSeen\n" + rule +
        "\n" + "alpha:\n" + crow("c1") + crow("c2") + "mid:\n" + "zeta:\n" + rule + "\n";
    // Our schema records who ticks; no ticker runs here.
    if (GetParam() == Flavor::ours)
        expected += "\nTicker leader: none\n";
    EXPECT_EQ(mask_status_seconds(r.out), expected) << r.out;
}

TEST_P(AdminCommands, StatusJsonParsesBack)
{
    ok({"create", "q\"uote\\d"});
    ok({"create", "b"});
    ok({"register", "b", "cons"});
    ProcResult r = pgqadm({"status", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // PostgreSQL is our JSON parser.
    auto get = [&](const std::string& path) {
        return scalar("select ($1::jsonb) #>> $2::text[]", {r.out, path}).value_or("<null>");
    };
    EXPECT_EQ(get("{server_version}"), scalar("show server_version").value());
    EXPECT_EQ(get("{pgq_version}"), scalar("select pgq.version()").value());
    EXPECT_EQ(get("{ticker_leader,alive}"), GetParam() == Flavor::ours ? "false" : "<null>");
    EXPECT_EQ(get("{queues,0,name}"), "b");
    EXPECT_EQ(get("{queues,1,name}"), "q\"uote\\d");
    EXPECT_EQ(get("{queues,0,ntables}"), "3");
    EXPECT_EQ(get("{queues,0,ticker_max_lag}"), "3");
    EXPECT_EQ(get("{queues,0,ticker_idle_period}"), "60");
    EXPECT_EQ(get("{queues,0,rotation_period}"), "7200");
    EXPECT_EQ(get("{queues,0,ticker_paused}"), "false");
    EXPECT_EQ(get("{queues,0,last_tick_id}"), "1");
    EXPECT_EQ(get("{queues,0,consumers,0,name}"), "cons");
    EXPECT_EQ(get("{queues,0,consumers,0,last_tick}"), "1");
    EXPECT_EQ(get("{queues,0,consumers,0,current_batch}"), "<null>");
    EXPECT_EQ(scalar("select jsonb_typeof(($1::jsonb) #> '{queues,0,ticker_lag}')", {r.out}),
              "number");
    EXPECT_EQ(
        scalar("select jsonb_array_length(($1::jsonb) -> 'queues' -> 1 -> 'consumers')", {r.out}),
        "0");
    EXPECT_EQ(scalar("select jsonb_array_length(($1::jsonb) -> 'warnings')", {r.out}), "0");
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1); // one document, one line
}

TEST_P(AdminCommands, StatusWarnsWhenSomethingIsWrong)
{
    ok({"create", "q"});
    ok({"create", "paused"});
    ok({"create", "noticks"});
    ok({"register", "q", "c"});
    ok({"config", "paused", "ticker_paused=true"});
    auto conn = connect();
    // A second tick, a batch for c, then pretend an hour has passed.
    conn.exec("select pgq.ticker('q')");
    ASSERT_FALSE(conn.exec("select pgq.next_batch('q', 'c')").is_null(0, 0));
    conn.exec("update pgq.tick set tick_time = tick_time - interval '2 hours'");
    conn.exec("delete from pgq.tick where tick_queue = "
              "(select queue_id from pgq.queue where queue_name = 'noticks')");
    conn.exec("update pgq.subscription set sub_active = now() - interval '1 hour'");
    conn.exec("update pgq.queue set queue_switch_time = now() - interval '1 hour',"
              " queue_rotation_period = '10 minutes'");
    // the consumer's position (tick 1) predates the last switch -> rotation blocked

    ProcResult r = pgqadm({"status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string batch = scalar("select sub_batch from pgq.subscription").value();
    const std::string rule(78, '-');
    std::string warnings_block = "\nWarnings\n" + rule + "\n";
    auto pos = r.out.find(warnings_block);
    ASSERT_NE(pos, std::string::npos) << r.out;
    std::string block = r.out.substr(pos);
    std::regex no_tick(
        R"(  queue q: no tick for 720\ds \(idle period 60s\): is the ticker running\?\n)");
    EXPECT_TRUE(std::regex_search(block, no_tick)) << block;
    EXPECT_EQ(block.find("queue paused: no tick"), std::string::npos) << block; // paused is quiet
    EXPECT_NE(block.find("  queue noticks: no tick at all (idle period 60s): is the ticker "
                         "running?\n"),
              std::string::npos)
        << block;
    EXPECT_NE(r.out.find("\n" + ljust("noticks", 45) + " " + rjust("3/600s", 9) + " " +
                         rjust("500/3s/60s", 13) + " " + rjust("NULL", 6) + "\n"),
              std::string::npos)
        << r.out;
    std::regex long_batch("  consumer c on queue q: batch " + batch + R"( open for 360\ds\n)");
    EXPECT_TRUE(std::regex_search(block, long_batch)) << block;
    std::regex blocked(
        R"(  queue q: rotation blocked by consumer c \(lag 720\ds, last rotation 360\ds ago, rotation period 600s\)\n)");
    EXPECT_TRUE(std::regex_search(block, blocked)) << block;
    EXPECT_EQ(block.substr(block.size() - 79), rule + "\n");

    r = pgqadm({"status", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Issue 18 adds: consumer c's lag (2 h) and last seen (1 h) pass the
    // default critical thresholds; on our schema nobody leads while queues
    // miss ticks.
    EXPECT_NE(block.find("  consumer c on queue q: lag 720"), std::string::npos) << block;
    EXPECT_NE(block.find("  consumer c on queue q: last seen 360"), std::string::npos) << block;
    EXPECT_EQ(block.find("no active ticker") != std::string::npos, GetParam() == Flavor::ours)
        << block;
    EXPECT_EQ(scalar("select jsonb_array_length(($1::jsonb) -> 'warnings')", {r.out}),
              GetParam() == Flavor::ours ? "7" : "6")
        << r.out;
    EXPECT_EQ(scalar("select ($1::jsonb) #>> '{queues,2,consumers,0,current_batch}'", {r.out}),
              batch);
    EXPECT_EQ(scalar("select ($1::jsonb) #>> '{queues,0,ticker_lag}'", {r.out}), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Schema, AdminCommands, ::testing::Values(Flavor::ours, Flavor::extension),
                         flavor_name);
