// Interoperability with the real PgQ 3 world (issue 6):
//   - python3-pgq's pgq.Consumer on our schema, ticked by our ticker daemon;
//   - pgqd (the C ticker) ticking our schema: version check, ticks, rotation, retry;
//   - our ticker and admin commands on the real C extension (CREATE EXTENSION pgq);
//   - producers the way clients produce: pgq.insert_event, COPY into
//     pgq.current_event_table(), insert_event_raw with an explicit id, and
//     python3-pgq's own producer helpers.
// The Python helpers live in tests/interop/ and must run with Debian's
// /usr/bin/python3 (the pyenv python3 on PATH cannot import pgq).
#include "support/test_support.hpp"

#include <cstdlib>

#include <signal.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace pgqadm::test;
using namespace std::chrono_literals;

namespace {

const char* const system_python = "/usr/bin/python3";
const char* const queue = "iq";
const char* const consumer = "pyc";

std::string interop_script(const std::string& name)
{
    return source_dir() + "/tests/interop/" + name;
}

std::string tail_of(const std::filesystem::path& path, std::size_t max_bytes = 6000)
{
    std::string text = read_file(path);
    if (text.size() > max_bytes)
        text = "...\n" + text.substr(text.size() - max_bytes);
    return text;
}

/// COPY ... FROM STDIN through libpq's PQputCopyData (db::CopyIn), as
/// psycopg2's copy_from does, in one transaction with the SQL around it.
void copy_in(const std::string& dsn, const std::string& before_sql, const std::string& copy_sql,
             const std::string& data, const std::string& after_sql)
{
    pgqadm::db::Connection conn = pgqadm::db::Connection::open(dsn, "interop_copy");
    // As a client would: the role's own search_path, not our pinned one.
    conn.exec("set search_path to default");
    pgqadm::db::Transaction tx(conn);
    if (!before_sql.empty())
        conn.exec(before_sql);
    pgqadm::db::CopyIn copy = conn.copy_in(copy_sql);
    copy.write(data);
    copy.finish();
    if (!after_sql.empty())
        conn.exec(after_sql);
    tx.commit();
}

/// Kills a daemonized process (found through its pidfile) if a test bails out early.
struct PidfileGuard {
    std::filesystem::path pidfile;
    ~PidfileGuard()
    {
        std::ifstream in(pidfile);
        long pid = 0;
        if (in >> pid && pid > 1)
            kill(static_cast<pid_t>(pid), SIGKILL);
    }
};

enum class Schema { ours, extension };

} // namespace

/// Fixture for the interop tests: a fresh database per test (from DbTest) plus
/// helpers to run the real PgQ programs and to check what the consumer saw.
class Interop : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        // Skipped on a developer machine without the packages; in CI (which
        // installs them) a missing one is a broken install step, not a skip.
        const bool in_ci = std::getenv("CI") != nullptr;
        for (const char* tool : {system_python, "/usr/bin/pgqd"})
            if (!std::filesystem::exists(tool)) {
                if (in_ci)
                    FAIL() << tool << " is not installed (packages pgqd, python3-pgq)";
                GTEST_SKIP() << tool << " is not installed (packages pgqd, python3-pgq)";
            }
        auto r = run({system_python, "-c", "import pgq, skytools, psycopg2"});
        if (r.exit_code != 0) {
            if (in_ci)
                FAIL() << "python3-pgq is not importable by " << system_python << ": " << r.err;
            GTEST_SKIP() << "python3-pgq is not importable by " << system_python << ": " << r.err;
        }
    }

    void TearDown() override
    {
        if (HasFailure()) {
            for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
                auto ext = entry.path().extension();
                if (ext == ".log" || ext == ".out")
                    std::cerr << "---- " << entry.path().filename().string() << " ----\n"
                              << tail_of(entry.path()) << "\n";
            }
        }
        DbTest::TearDown();
    }

    void exec(const std::string& sql, const pgqadm::db::Params& params = {})
    {
        auto conn = connect();
        if (params.empty())
            conn.exec(sql); // simple protocol: may hold several statements
        else
            conn.exec(sql, params);
    }

    long long count(const std::string& sql, const pgqadm::db::Params& params = {})
    {
        auto v = scalar(sql, params);
        return v ? std::stoll(*v) : 0;
    }

    /// Tables the test and the consumer use to compare what was committed
    /// (`expected`, written in the producer's transaction) with what the
    /// consumer processed (`seen`, written in the consumer's batch transaction).
    void create_bookkeeping_tables(const std::vector<std::string>& seen_tables = {"seen"})
    {
        exec("create table expected (ev_type text not null, ev_data text not null)");
        for (const auto& t : seen_tables)
            exec("create table " + t +
                 " (consumer text, batch_id bigint, ev_id bigint, ev_type text,"
                 " ev_data text, ev_retry int, ev_extra1 text, action text,"
                 " seen_at timestamptz default clock_timestamp())");
    }

    /// Config for tests/interop/consumer.py (section [interop_consumer]); the
    /// job name doubles as the file name stem of its log, pidfile and ini.
    std::filesystem::path consumer_config(const std::string& job = "consumer",
                                          const std::string& consumer_name = consumer,
                                          const std::string& seen_table = "seen",
                                          const std::string& extra = "")
    {
        auto path = dir_ / (job + ".ini");
        write_file(path,
                   "[interop_consumer]\njob_name = " + job + "_" + dbname_ + "\ndb = " + dsn() +
                       "\nqueue_name = " + queue + "\nconsumer_name = " + consumer_name +
                       "\nlogfile = " + (dir_ / (job + ".log")).string() +
                       "\npidfile = " + (dir_ / (job + ".pid")).string() +
                       (extra.find("loop_delay") == std::string::npos ? "\nloop_delay = 0.1" : "") +
                       "\nseen_table = " + seen_table + "\nretry_seconds = 1\n" + extra);
        return path;
    }

    std::unique_ptr<Process> start_consumer(const std::filesystem::path& ini)
    {
        auto out = ini;
        out.replace_extension(".out");
        return std::make_unique<Process>(
            std::vector<std::string>{system_python, interop_script("consumer.py"), ini.string()},
            out);
    }

    /// python3-pgq's PGQStatus (the old pgqadm `status`) reads the [pgqadm]
    /// section's `db`, so it runs on our config file unchanged.
    void check_python_status(const std::filesystem::path& cfg,
                             const std::vector<std::string>& consumers)
    {
        auto r = run(
            {system_python, "-c", "import sys, pgq; pgq.PGQStatus(sys.argv[1:])", cfg.string()});
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        EXPECT_NE(r.out.find("PgQ version: 3."), std::string::npos) << r.out << r.err;
        EXPECT_NE(r.out.find(std::string(queue) + ":"), std::string::npos) << r.out << r.err;
        for (const auto& c : consumers)
            EXPECT_NE(r.out.find("  " + c + " "), std::string::npos) << c << "\n" << r.out;
    }

    void stop(std::unique_ptr<Process>& p, const char* what)
    {
        if (!p)
            return;
        p->signal(SIGINT);
        auto rc = p->wait(30s);
        EXPECT_TRUE(rc.has_value()) << what << " did not stop on SIGINT";
        p.reset();
    }

    /// Our ticker's config: short delays so that ticks, maintenance and the
    /// retry mover all run several times within the test.
    std::filesystem::path ticker_config(const std::string& loop_delay = "0.1")
    {
        return write_config("loop_delay = " + loop_delay +
                            "\nmaint_delay = 0.5\nretry_delay = 0.5\n"
                            "queue_refresh_period = 1\nticker_log_delay = 1\nlogfile = " +
                            (dir_ / "ticker.log").string() +
                            "\npidfile = " + (dir_ / "ticker.pid").string() + "\n");
    }

    std::filesystem::path pgqd_config()
    {
        const Cluster& c = Cluster::get();
        auto path = dir_ / "pgqd.ini";
        write_file(path, "[pgqd]\nbase_connstr = host=" + c.host + " port=" + c.port +
                             " user=" + c.user + "\ndatabase_list = " + dbname_ +
                             "\nticker_period = 0.2\nmaint_period = 0.5\nretry_period = 0.5\n"
                             "check_period = 2\nstats_period = 1\nsyslog = 0\nlogfile = " +
                             (dir_ / "pgqd.log").string() +
                             "\npidfile = " + (dir_ / "pgqd.pid").string() + "\n");
        return path;
    }

    /// Fast ticks and a 2 s rotation, set with plain SQL (works on both schemas).
    void tune_queue_sql()
    {
        for (auto [k, v] : {std::pair{"ticker_max_lag", "0.3 seconds"},
                            std::pair{"ticker_idle_period", "1 second"},
                            std::pair{"rotation_period", "2 seconds"}})
            EXPECT_EQ(scalar("select pgq.set_queue_config($1, $2, $3)", {queue, k, v}), "1") << k;
    }

    /// One committed producer transaction of `n` events through pgq.insert_event;
    /// the expected rows go in with the events, so rollbacks drop both.
    void produce(pgqadm::db::Connection& conn, const std::string& type, const std::string& prefix,
                 int n, bool commit = true)
    {
        conn.exec("begin");
        conn.exec("select pgq.insert_event($1, $2, $3 || i, 'x1', null, null, null)"
                  "  from generate_series(1, $4::int) i",
                  {queue, type, prefix, std::to_string(n)});
        conn.exec("insert into expected select $1, $2 || i from generate_series(1, $3::int) i",
                  {type, prefix, std::to_string(n)});
        conn.exec(commit ? "commit" : "rollback");
    }

    /// Same via python3-pgq's producer helpers (pgq.insert_event / bulk_insert_events).
    void produce_python(const std::string& mode, const std::string& type, const std::string& prefix,
                        int n)
    {
        auto r = run({system_python, interop_script("producer.py"), dsn(), queue, mode,
                      std::to_string(n), type, prefix});
        ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err << r.out;
        // producer.py numbers its events from 0
        exec("insert into expected select $1, $2 || i from generate_series(0, $3::int - 1) i",
             {type, prefix, std::to_string(n)});
    }

    static constexpr const char* last_tick_sql =
        "select coalesce(max(tick_id), 0) from pgq.tick t"
        "  join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = $1";

    long long last_tick() { return count(last_tick_sql, {queue}); }

    long long last_tick_on(pgqadm::db::Connection& conn)
    {
        return conn.exec(last_tick_sql, {queue}).as_int(0, 0);
    }

    long long rotations_seen_ = 0;
    std::string last_switch_;

    /// Waits until maintenance rotated the queue's event tables `n` more times.
    bool wait_for_rotations(int n, std::chrono::milliseconds timeout)
    {
        auto switch_id = [&] {
            return scalar("select queue_switch_step1::text || '/' || queue_cur_table"
                          "  from pgq.queue where queue_name = $1",
                          {queue})
                .value_or("");
        };
        if (last_switch_.empty())
            last_switch_ = switch_id();
        int got = 0;
        bool ok = wait_until(
            [&] {
                std::string now = switch_id();
                if (now != last_switch_) {
                    last_switch_ = now;
                    ++got;
                    ++rotations_seen_;
                }
                return got >= n;
            },
            timeout, 100ms);
        return ok;
    }

    bool kick_with_force_tick_ = false;
    int sentinels_ = 0;

    /// Table the consumer under test records into (consumer.py's `seen_table`).
    std::string seen_ = "seen";

    std::string on_seen(std::string sql) const
    {
        for (std::size_t at = 0; (at = sql.find("from seen", at)) != std::string::npos;) {
            sql.replace(at, 9, "from " + seen_);
            at += 5 + seen_.size();
        }
        return sql;
    }
    long long count_seen(const std::string& sql) { return count(on_seen(sql)); }
    std::optional<std::string> scalar_seen(const std::string& sql) { return scalar(on_seen(sql)); }

    /// Produces a sentinel event and waits until the consumer has committed
    /// every expected event and the sentinel (so later duplicates would show).
    void wait_for_delivery(std::chrono::milliseconds timeout)
    {
        {
            auto conn = connect();
            produce(conn, "sentinel", "end" + std::to_string(++sentinels_) + "_", 1);
        }
        bool done = wait_until(
            [&] {
                // What skytools' checker and impatient clients do: force a tick.
                if (kick_with_force_tick_)
                    exec("select pgq.force_tick('" + std::string(queue) + "')");
                return count_seen("select count(*) from expected e where not exists"
                                  " (select 1 from seen s where s.action = 'done'"
                                  "   and s.ev_type = e.ev_type and s.ev_data = e.ev_data)") == 0;
            },
            timeout, 200ms);
        EXPECT_TRUE(done) << "missing after the deadline: "
                          << scalar_seen("select count(*) || ' events, e.g. ' ||"
                                         " string_agg(ev_type || ':' || ev_data, ', ')"
                                         "  from (select * from expected e where not exists"
                                         "   (select 1 from seen s where s.action = 'done'"
                                         "     and s.ev_type = e.ev_type and s.ev_data = e.ev_data)"
                                         "   limit 10) x")
                                 .value_or("?")
                          << " (of " << count("select count(*) from expected") << ")";
    }

    /// How many ids the queue's event sequence has handed out (seq_getval()
    /// reads last_value, which is 1 both before and after the first nextval).
    long long event_seq()
    {
        auto seq = scalar("select queue_event_seq from pgq.queue where queue_name = $1", {queue});
        if (!seq)
            return -1;
        return count("select case when is_called then last_value else last_value - 1 end from " +
                     *seq);
    }

    /// Our schema through `pgqadm install`, or the C extension. The pgq roles
    /// are cluster-wide and both installers create them with a racy
    /// "if not exists ... create role": tests running in parallel on other
    /// databases can collide on pg_authid_rolname_index, so that one error is retried.
    void install_schema(Schema schema)
    {
        for (int attempt = 1;; ++attempt) {
            std::string err;
            if (schema == Schema::ours) {
                auto r = run_pgqadm({write_config().string(), "install"});
                if (r.exit_code == 0)
                    return;
                err = r.err;
            } else {
                try {
                    exec("create extension pgq");
                    return;
                } catch (const std::exception& e) {
                    err = e.what();
                }
            }
            bool role_race = err.find("pg_authid_rolname_index") != std::string::npos;
            ASSERT_TRUE(role_race && attempt < 5) << err;
        }
    }

    /// 4. Producers the way clients produce, each seen by the ticker (the event
    /// sequence moves, so the ticker's probe notices) and delivered.
    void run_producers(Schema schema)
    {
        install_schema(schema);
        if (HasFatalFailure())
            return;
        auto cfg = ticker_config();
        auto r = run_pgqadm({cfg.string(), "create", queue});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        tune_queue_sql();
        create_bookkeeping_tables();
        auto ccfg = consumer_config();
        r = run({system_python, interop_script("consumer.py"), ccfg.string(), "--register"});
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
        auto ticker = std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.out");
        auto cons = start_consumer(ccfg);

        // (a) pgq.insert_event from SQL, 3- and 7-argument forms.
        long long seq = event_seq();
        exec("begin; select pgq.insert_event('iq', 'sql3', 'a'); "
             "select pgq.insert_event('iq', 'sql7', 'b', 'e1', 'e2', 'e3', 'e4'); "
             "insert into expected values ('sql3', 'a'), ('sql7', 'b'); commit");
        EXPECT_EQ(event_seq(), seq + 2);

        // (b) COPY into pgq.current_event_table() through libpq (ev_id and ev_txid
        // come from the column defaults; ev_time must be given).
        seq = event_seq();
        auto table = scalar("select pgq.current_event_table('iq')");
        ASSERT_TRUE(table.has_value());
        std::string data;
        for (int i = 0; i < 100; ++i)
            data += "2020-01-01 00:00:00+00\tcopy\tc" + std::to_string(i) + "\tx1\n";
        copy_in(dsn(), "", "copy " + *table + " (ev_time, ev_type, ev_data, ev_extra1) from stdin",
                data, "insert into expected select 'copy', 'c' || i from generate_series(0, 99) i");
        EXPECT_EQ(event_seq(), seq + 100) << "COPY did not advance the event sequence";
        // The rows landed in the queue with ids and txids.
        EXPECT_EQ(count("select count(*) from pgq.event_template where ev_type = 'copy'"
                        " and ev_id is not null and ev_txid is not null"),
                  100);

        // (c) insert_event_raw with an explicit id (and one with NULL = next id).
        seq = event_seq();
        EXPECT_EQ(scalar("select pgq.insert_event_raw('iq', 900001, now(), null, null, 'raw',"
                         " 'r1', 'x1', null, null, null)"),
                  "900001");
        auto raw_null = scalar("select pgq.insert_event_raw('iq', null, now(), null, null, 'raw',"
                               " 'r2', null, null, null, null)");
        ASSERT_TRUE(raw_null.has_value());
        exec("insert into expected values ('raw', 'r1'), ('raw', 'r2')");
        EXPECT_GE(event_seq(), seq + 2) << "insert_event_raw must nextval() even with an id";

        // (d) python3-pgq's producer helpers.
        produce_python("insert_event", "py", "py_", 20);
        produce_python("bulk", "bulk", "bulk_", 200);

        wait_for_delivery(60s);
        check_exactly_once(0);
        check_python_status(cfg, {consumer});
        EXPECT_EQ(count("select count(*) from seen where ev_id = 900001 and ev_data = 'r1'"), 1);
        EXPECT_EQ(count("select count(*) from seen where ev_type = 'copy'"
                        " and ev_extra1 = 'x1'"),
                  100);
        stop(cons, "consumer");
        stop(ticker, "ticker");
    }

    /// Exactly-once checks over `expected` and `seen`.
    void check_exactly_once(long long retry_events)
    {
        EXPECT_EQ(count_seen("select count(*) from seen where ev_type = 'rolled-back'"), 0)
            << "events of rolled-back transactions were delivered";
        EXPECT_EQ(count_seen("select count(*) from seen s where not exists"
                             " (select 1 from expected e where e.ev_type = s.ev_type"
                             "   and e.ev_data = s.ev_data)"),
                  0)
            << "delivered events nobody committed: "
            << scalar_seen("select string_agg(ev_type || ':' || ev_data, ', ') from"
                           " (select * from seen s where not exists (select 1 from expected e"
                           "  where e.ev_type = s.ev_type and e.ev_data = s.ev_data) limit 10) x")
                   .value_or("");
        EXPECT_EQ(count_seen("select count(*) from (select 1 from seen where action = 'done'"
                             " group by ev_type, ev_data having count(*) > 1) d"),
                  0)
            << "events processed more than once: "
            << scalar_seen("select string_agg(ev_type || ':' || ev_data || ' x' || n, ', ') from"
                           " (select ev_type, ev_data, count(*) n from seen where action = 'done'"
                           "  group by 1, 2 having count(*) > 1 limit 10) x")
                   .value_or("");
        EXPECT_EQ(count_seen("select count(*) from (select 1 from seen group by ev_id"
                             " having count(*) filter (where action = 'done') <> 1) d"),
                  0)
            << "ev_ids not done exactly once";
        // A transaction's events arrive together: one batch per producer transaction
        // (event data is "<transaction>_<n>"; retried events come back later, alone).
        EXPECT_EQ(count_seen("select count(*) from (select 1 from seen where action = 'done'"
                             " and ev_retry is null group by ev_type, split_part(ev_data, '_', 1)"
                             " having count(distinct batch_id) > 1) d"),
                  0)
            << "a producer transaction was split across batches: "
            << scalar_seen("select string_agg(t || ' in batches ' || b, '; ') from"
                           " (select ev_type || ':' || split_part(ev_data, '_', 1) t,"
                           "  string_agg(distinct batch_id::text, ',') b from seen"
                           "  where action = 'done' and ev_retry is null group by ev_type,"
                           "  split_part(ev_data, '_', 1) having count(distinct batch_id) > 1"
                           "  limit 5) x")
                   .value_or("");
        // Ordinary events: one delivery, never a retry count.
        EXPECT_EQ(count_seen("select count(*) from seen where ev_type <> 'retry-me'"
                             " and (action <> 'done' or ev_retry is not null)"),
                  0);
        // Retried events: first seen with retry NULL and tagged, back once with retry = 1,
        // keeping their ev_id.
        EXPECT_EQ(
            count_seen("select count(*) from seen where ev_type = 'retry-me' and action = 'retry'"
                       " and ev_retry is null"),
            retry_events);
        EXPECT_EQ(
            count_seen("select count(*) from seen where ev_type = 'retry-me' and action = 'done'"
                       " and ev_retry = 1"),
            retry_events);
        EXPECT_EQ(count_seen("select count(*) from seen where ev_type = 'retry-me'"),
                  2 * retry_events);
        EXPECT_EQ(
            count_seen("select count(*) from (select ev_data from seen where ev_type = 'retry-me'"
                       " group by ev_data having count(distinct ev_id) <> 1) d"),
            0)
            << "a retried event came back with another ev_id";
        EXPECT_EQ(count_seen("select count(*) from pgq.retry_queue r where r.ev_owner in"
                             " (select s.sub_id from pgq.subscription s join pgq.consumer c"
                             "   on c.co_id = s.sub_consumer"
                             "  where c.co_name in (select consumer from seen))"),
                  0);
    }
};

// 1. python3-pgq's pgq.Consumer on our schema, ticked by our ticker daemon.
TEST_F(Interop, PythonConsumerOnOurSchemaWithOurTickerDaemon)
{
    install_schema(Schema::ours);
    ASSERT_FALSE(HasFatalFailure());
    auto cfg = ticker_config();
    auto r = run_pgqadm({cfg.string(), "create", queue});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_pgqadm({cfg.string(), "config", queue, "ticker_max_lag=0.3", "ticker_idle_period=1",
                    "rotation_period=2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(scalar("select queue_rotation_period from pgq.queue where queue_name = $1", {queue}),
              "00:00:02");
    create_bookkeeping_tables();
    auto ccfg = consumer_config();

    // The consumer registers itself, as its users do.
    r = run({system_python, interop_script("consumer.py"), ccfg.string(), "--register"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    ASSERT_EQ(count("select count(*) from pgq.get_consumer_info($1, $2)", {queue, consumer}), 1);

    // Our ticker as a real daemon (-d: detaches, writes the pidfile).
    PidfileGuard guard{dir_ / "ticker.pid"};
    r = run_pgqadm({cfg.string(), "ticker", "-d"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir_ / "ticker.pid"); }, 10s));
    auto cons = start_consumer(ccfg);

    auto producer = connect();
    auto long_tx = connect();
    // A long transaction, open across several ticks.
    long_tx.exec("begin");
    long_tx.exec("select pgq.insert_event($1, 'long', 'long_a' || i) from generate_series(1, 20) i",
                 {queue});
    long_tx.exec("insert into expected select 'long', 'long_a' || i from generate_series(1, 20) i");
    long long tick_at_begin = last_tick();

    // 10,000 committed events in 250 transactions of 40, 5 of them to be retried;
    // every 10th transaction has a rolled-back sibling of 40 more events.
    const int txs = 250, per_tx = 40, retry_events = 5;
    for (int t = 0; t < txs - 1; ++t) {
        std::string prefix = "t" + std::to_string(t) + "_";
        if (t % 50 == 7) {
            produce(producer, "retry-me", prefix, 1);
            produce(producer, "ev", prefix, per_tx - 1);
        } else {
            produce(producer, "ev", prefix, per_tx);
        }
        if (t % 10 == 3)
            produce(producer, "rolled-back", prefix, per_tx, false);
        if (t == 125) { // let some ticks pass mid-way with the long transaction open
            ASSERT_TRUE(wait_until([&] { return last_tick() >= tick_at_begin + 3; }, 30s))
                << "no ticks while a transaction was open";
        }
    }
    ASSERT_TRUE(wait_until([&] { return last_tick() >= tick_at_begin + 5; }, 30s));
    long_tx.exec("select pgq.insert_event($1, 'long', 'long_b' || i) from generate_series(1, 20) i",
                 {queue});
    long_tx.exec("insert into expected select 'long', 'long_b' || i from generate_series(1, 20) i");
    long_tx.exec("commit");
    ASSERT_EQ(count("select count(*) from expected"), txs * per_tx);
    ASSERT_EQ(count("select count(*) from expected where ev_type = 'retry-me'"), retry_events);

    wait_for_delivery(120s);
    // Rotation ran underneath the consumer (2 s period) without losing anything.
    EXPECT_TRUE(wait_for_rotations(1, 20s)) << "no table rotation by our ticker";
    {
        // ... and also while the 10,000 events were being produced and consumed.
        std::string log = read_file(dir_ / "ticker.log");
        std::size_t rotations = 0;
        for (std::size_t at = 0; (at = log.find("Rotating iq", at)) != std::string::npos; ++at)
            ++rotations;
        EXPECT_GE(rotations, 2u) << tail_of(dir_ / "ticker.log");
    }
    check_exactly_once(retry_events);

    stop(cons, "consumer");
    r = run_pgqadm({cfg.string(), "ticker", "-s"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(dir_ / "ticker.pid"); }, 20s))
        << "ticker did not stop on -s";
    EXPECT_EQ(tail_of(dir_ / "ticker.log").find("ERROR"), std::string::npos)
        << tail_of(dir_ / "ticker.log");
}

// A python3-pgq consumer that LISTENs on its queue's tick channel gets each
// batch when it is ticked: with loop_delay at an hour (python) and an hour
// (our ticker's loop), only the producer's wake-up and the tick's
// notification can deliver the events.
TEST_F(Interop, PythonConsumerWokenByTicks)
{
    install_schema(Schema::ours);
    ASSERT_FALSE(HasFatalFailure());
    auto cfg = ticker_config("3600");
    auto r = run_pgqadm({cfg.string(), "create", queue});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_pgqadm({cfg.string(), "config", queue, "ticker_notify=on", "ticker_max_lag=0",
                    "ticker_idle_period=3600"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    create_bookkeeping_tables();
    auto ccfg =
        consumer_config("consumer", consumer, "seen", "loop_delay = 3600\nwake_on_ticks = 1\n");
    r = run({system_python, interop_script("consumer.py"), ccfg.string(), "--register"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    auto ticker = std::make_unique<Process>(
        std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.out");
    auto cons = start_consumer(ccfg);
    // No need to wait for the consumer: it LISTENs before its first
    // next_batch, which sees any tick made before that.
    for (int round = 0; round < 3; ++round) {
        auto producer = connect();
        produce(producer, "ev", "r" + std::to_string(round) + "_", 5);
        EXPECT_TRUE(
            wait_until([&] { return count("select count(*) from seen") == 5 * (round + 1); }, 30s))
            << "round " << round << "\n"
            << tail_of(dir_ / "consumer.log") << tail_of(dir_ / "ticker.log");
    }
    stop(cons, "consumer");
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
}

// 2. pgqd (the C ticker) on a database where `pgqadm install` put our schema.
TEST_F(Interop, PgqdTicksOurSchema)
{
    install_schema(Schema::ours);
    ASSERT_FALSE(HasFatalFailure());
    auto cfg = write_config();
    auto r = run_pgqadm({cfg.string(), "create", queue});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    tune_queue_sql();
    create_bookkeeping_tables();
    auto ccfg = consumer_config();
    r = run({system_python, interop_script("consumer.py"), ccfg.string(), "--register"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;

    auto pgqd = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/pgqd", "-v", pgqd_config().string()}, dir_ / "pgqd.out");
    auto cons = start_consumer(ccfg);
    ASSERT_TRUE(wait_until(
        [&] { return read_file(dir_ / "pgqd.log").find("pgq version ok") != std::string::npos; },
        20s))
        << "pgqd did not accept our pgq.version() = "
        << scalar("select pgq.version()").value_or("NULL");

    auto producer = connect();
    for (int phase = 0; phase < 3; ++phase) {
        for (int t = 0; t < 20; ++t) {
            std::string prefix = "p" + std::to_string(phase) + "t" + std::to_string(t) + "_";
            produce(producer, "ev", prefix, 25);
            if (t % 5 == 0)
                produce(producer, "rolled-back", prefix, 25, false);
        }
        produce(producer, "retry-me", "p" + std::to_string(phase) + "r_", 2);
        if (phase < 2) {
            EXPECT_TRUE(wait_for_rotations(1, 30s)) << "pgqd's maint_operations did not rotate";
        }
    }
    wait_for_delivery(60s);
    check_exactly_once(6);
    EXPECT_GE(rotations_seen_, 2);

    stop(cons, "consumer");
    stop(pgqd, "pgqd");
    std::string log = read_file(dir_ / "pgqd.log");
    EXPECT_NE(log.find("select pgq.maint_rotate_tables_step1($1)"), std::string::npos);
    EXPECT_NE(log.find("select pgq.maint_rotate_tables_step2()"), std::string::npos);
    EXPECT_NE(log.find("select * from pgq.maint_retry_events()"), std::string::npos);
    // pgqd's stats line counts the events its retry connection moved.
    EXPECT_TRUE(std::regex_search(log, std::regex(R"(\{ticks: \d+, maint: \d+, retry: [1-9])")))
        << "pgqd never reported moving retry events";
    for (const char* bad : {" ERROR ", " WARNING ", "bad pgq version"})
        EXPECT_EQ(log.find(bad), std::string::npos) << "pgqd logged '" << bad << "':\n"
                                                    << tail_of(dir_ / "pgqd.log");
}

// 3. Our ticker and admin commands on the real C extension.
TEST_F(Interop, OurTickerAndCommandsOnTheExtension)
{
    install_schema(Schema::extension);
    ASSERT_FALSE(HasFatalFailure());
    auto cfg = ticker_config();
    auto r = run_pgqadm({cfg.string(), "create", queue});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_pgqadm({cfg.string(), "register", queue, consumer});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_pgqadm({cfg.string(), "config", queue, "ticker_max_lag=0.3", "ticker_idle_period=1",
                    "rotation_period=2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(scalar("select queue_rotation_period || ' ' || queue_ticker_max_lag"
                     "  from pgq.queue where queue_name = $1",
                     {queue}),
              "00:00:02 00:00:00.3");
    r = run_pgqadm({cfg.string(), "config", queue});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("rotation_period"), std::string::npos) << r.out;
    EXPECT_NE(scalar("select extversion from pg_extension where extname = 'pgq'"), std::nullopt);

    create_bookkeeping_tables();
    auto ccfg = consumer_config(); // registered above by `pgqadm register`
    auto ticker = std::make_unique<Process>(
        std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.out");
    auto cons = start_consumer(ccfg);

    auto producer = connect();
    for (int phase = 0; phase < 3; ++phase) {
        std::string p = "p" + std::to_string(phase);
        for (int t = 0; t < 20; ++t) {
            produce(producer, "ev", p + "t" + std::to_string(t) + "_", 25);
            if (t % 5 == 0)
                produce(producer, "rolled-back", p + "t" + std::to_string(t) + "_", 25, false);
        }
        produce(producer, "retry-me", p + "r_", 2);
        produce_python("insert_event", "py", p + "py_", 10);
        produce_python("bulk", "bulk", p + "bulk_", 50);
        if (phase < 2) {
            EXPECT_TRUE(wait_for_rotations(1, 30s)) << "our ticker did not rotate the extension";
        }
    }
    wait_for_delivery(60s);
    check_exactly_once(6);

    check_python_status(cfg, {consumer});
    r = run_pgqadm({cfg.string(), "status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(queue), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(consumer), std::string::npos) << r.out;

    stop(cons, "consumer");
    stop(ticker, "ticker");
    std::string log = read_file(dir_ / "ticker.log");
    EXPECT_NE(log.find("events for retry"), std::string::npos) << tail_of(dir_ / "ticker.log");
    EXPECT_EQ(log.find("ERROR"), std::string::npos) << tail_of(dir_ / "ticker.log");
}

// A standby on the C extension waits for the advisory lock on the server:
// it takes the lead the moment the leader's backend ends, not at its next
// look a loop_delay (here a minute) later, and a standby that stops leaves
// no backend waiting behind it.
TEST_F(Interop, StandbyOnTheExtensionWaitsForTheLockOnTheServer)
{
    install_schema(Schema::extension);
    ASSERT_FALSE(HasFatalFailure());
    auto start = [&](const std::string& name) {
        auto ini = write_config("job_name = " + name + "\nloop_delay = 60\nlogfile = " +
                                    (dir_ / (name + ".log")).string() +
                                    "\npidfile = " + (dir_ / (name + ".pid")).string() + "\n",
                                name + ".ini");
        return std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), ini.string(), "ticker"},
            dir_ / (name + ".out"));
    };
    auto log_of = [&](const std::string& name) { return read_file(dir_ / (name + ".log")); };
    auto backends = [&](const std::string& name, const std::string& waiting_on_lock) {
        return scalar(
            "select count(*) from pg_stat_activity where application_name = $1 || ' ticker'"
            "   and ($2 = '' or (wait_event_type = 'Lock' and wait_event = 'advisory'))",
            {name, waiting_on_lock});
    };

    auto leads = [&](const std::string& name) {
        return scalar("select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid"
                      " where l.locktype = 'advisory' and l.granted"
                      "   and a.application_name = $1 || ' ticker'",
                      {name}) == "1";
    };

    auto first = start("lead_a");
    ASSERT_TRUE(wait_until([&] { return leads("lead_a"); }, 20s)) << log_of("lead_a");
    auto second = start("lead_b");
    ASSERT_TRUE(wait_until([&] { return backends("lead_b", "lock") == "1"; }, 20s))
        << log_of("lead_b");
    EXPECT_NE(log_of("lead_b").find("standing by"), std::string::npos) << log_of("lead_b");

    first->signal(SIGKILL);
    ASSERT_TRUE(first->wait(10s).has_value());
    EXPECT_TRUE(wait_until([&] { return leads("lead_b"); }, 15s)) << log_of("lead_b");
    EXPECT_NE(log_of("lead_b").find("Took over"), std::string::npos) << log_of("lead_b");

    auto third = start("lead_c");
    ASSERT_TRUE(wait_until([&] { return backends("lead_c", "lock") == "1"; }, 20s))
        << log_of("lead_c");
    third->signal(SIGINT);
    EXPECT_EQ(third->wait(30s), 0);
    // Its backend waited for up to 30 s more; it notices within a second
    // that its client has gone.
    EXPECT_TRUE(wait_until([&] { return backends("lead_c", "") == "0"; }, 10s));
    stop(second, "lead_b");
    EXPECT_EQ(log_of("lead_b").find("ERROR"), std::string::npos) << log_of("lead_b");
}

TEST_F(Interop, ClientProducersOnOurSchema)
{
    run_producers(Schema::ours);
}

TEST_F(Interop, ClientProducersOnTheExtension)
{
    run_producers(Schema::extension);
}

// 5. More of python3-pgq on our schema: a second consumer using the other code
// paths (pgq_lazy_fetch = 0 -> get_batch_events, batch collection and keep-lag
// -> next_batch_custom with real arguments), ticks driven by pgq.force_tick()
// on an otherwise slow queue (skytools' checker), and PGQStatus.
TEST_F(Interop, PythonConsumerVariantsAndForceTickOnOurSchema)
{
    install_schema(Schema::ours);
    ASSERT_FALSE(HasFatalFailure());
    auto cfg = ticker_config();
    auto r = run_pgqadm({cfg.string(), "create", queue});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Without force_tick this queue would tick only every minute.
    for (auto [k, v] :
         {std::pair{"ticker_max_lag", "60 seconds"}, std::pair{"ticker_idle_period", "60 seconds"},
          std::pair{"ticker_max_count", "100000"}})
        ASSERT_EQ(scalar("select pgq.set_queue_config($1, $2, $3)", {queue, k, v}), "1") << k;
    create_bookkeeping_tables({"seen", "seen2"});
    auto c1 = consumer_config();
    auto c2 = consumer_config("consumer2", "pyc2", "seen2",
                              "pgq_lazy_fetch = 0\npgq_batch_collect_events = 50\n"
                              "pgq_batch_collect_interval = 0.5 seconds\n"
                              "pgq_keep_lag = 0.1 seconds\n");
    for (const auto& c : {c1, c2}) {
        r = run({system_python, interop_script("consumer.py"), c.string(), "--register"});
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    }
    auto ticker = std::make_unique<Process>(
        std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.out");
    auto cons1 = start_consumer(c1);
    auto cons2 = start_consumer(c2);

    // force_tick returns the current tick; the ticker must notice the bumped
    // sequence and tick on its next round.
    // The ticker may tick at any moment while it starts, so the last tick and
    // force_tick's answer are read from one snapshot.
    ASSERT_TRUE(wait_until([&] { return last_tick() > 0; }, 10s));
    long long before = 0;
    {
        auto conn = connect();
        conn.exec("begin isolation level repeatable read");
        before = last_tick_on(conn);
        EXPECT_EQ(conn.exec("select pgq.force_tick($1)", {queue}).as_int(0, 0), before);
        conn.exec("commit");
    }
    EXPECT_TRUE(wait_until([&] { return last_tick() > before; }, 10s))
        << "our ticker did not tick after pgq.force_tick()";

    auto producer = connect();
    for (int t = 0; t < 30; ++t) {
        std::string prefix = "t" + std::to_string(t) + "_";
        produce(producer, "ev", prefix, 20);
        if (t % 7 == 0)
            produce(producer, "rolled-back", prefix, 20, false);
    }
    produce(producer, "retry-me", "r_", 3);

    kick_with_force_tick_ = true;
    for (const char* seen : {"seen", "seen2"}) {
        seen_ = seen;
        wait_for_delivery(60s);
        check_exactly_once(3);
    }
    EXPECT_EQ(count("select count(distinct consumer) from seen2"), 1);
    EXPECT_EQ(scalar("select min(consumer) from seen2"), "pyc2");
    // Batch collection merged ticks into fewer, larger batches for pyc2.
    EXPECT_GE(count("select max(n) from (select count(*) n from seen2 group by batch_id) b"), 50);
    check_python_status(cfg, {consumer, "pyc2"});

    stop(cons1, "consumer");
    stop(cons2, "consumer2");
    stop(ticker, "ticker");
}
