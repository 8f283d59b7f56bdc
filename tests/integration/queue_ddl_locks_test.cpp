// Locks around queue DDL and (re)installs, with a second session in the way:
//   - queue DDL serialises on pgq.queue itself, which a role that can only
//     log in cannot lock in a conflicting mode (it could hold the advisory
//     lock used before forever), and says so when it waits too long;
//   - re-running install does not wait for sessions reading pgq's tables
//     (it used to ALTER them every time), and an upgrade that must ALTER a
//     table in use waits briefly, retries, and gives up with a clear error.
#include "support/test_support.hpp"

#include <iostream>
#include <thread>

using namespace pgqadm::test;
namespace db = pgqadm::db;

namespace {

class QueueDdlLocks : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
        cfg_ = write_config();
    }

    void TearDown() override
    {
        if (!role_.empty()) {
            try {
                auto admin =
                    db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
                admin.exec("drop database if exists " + admin.quote_ident(dbname_) +
                           " with (force)");
                admin.exec("drop role if exists " + admin.quote_ident(role_));
            } catch (const std::exception& e) {
                std::cerr << "cleanup: " << e.what() << "\n";
            }
        }
        DbTest::TearDown();
    }

    /// A role that can log in and nothing else (cluster-wide: unique name).
    db::Connection login_only_connection()
    {
        role_ = "login_only_" + dbname_;
        auto admin = connect();
        admin.exec("create role " + admin.quote_ident(role_) + " login");
        return db::Connection::open(dsn() + " user=" + role_, "pgqadm-test-intruder");
    }

    /// Opens a transaction holding ACCESS SHARE on every table of pgq, as a
    /// long report or pg_dump would.
    static void read_all_pgq_tables(db::Connection& conn)
    {
        conn.exec("begin");
        for (const char* table :
             {"queue", "subscription", "tick", "consumer", "retry_queue", "event_template"})
            conn.exec(std::string("select count(*) from pgq.") + table);
    }

    std::filesystem::path cfg_;
    std::string role_;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

TEST_F(QueueDdlLocks, QueueDdlIgnoresEveryLockALoginOnlyRoleCanTake)
{
    auto intruder = login_only_connection();
    // What it cannot do: lock pgq.queue against writers.
    EXPECT_THROW(intruder.exec("begin; lock table pgq.queue in share row exclusive mode"),
                 db::DbError);
    intruder.exec("rollback");
    // What it can: the advisory lock queue DDL used to take, and reads.
    intruder.exec("select pg_advisory_lock(hashtext('pgq.queue ddl'))");
    intruder.exec("select pg_advisory_lock(0)");
    intruder.exec("begin");
    intruder.exec("lock table pgq.queue in access share mode");
    for (const char* table : {"queue", "subscription", "tick", "consumer"})
        intruder.exec(std::string("select count(*) from pgq.") + table);

    // Before, create_queue waited here for ever (cut short by statement_timeout).
    auto admin = connect();
    admin.exec("set statement_timeout = '20s'");
    auto start = Clock::now();
    EXPECT_EQ(admin.exec("select pgq.create_queue('q')").get(0, 0), "1");
    admin.exec("select pgq.set_queue_config('q', 'ticker_notify', 'on')");
    admin.exec("select pgq.insert_event('q', 't', 'd')");
    admin.exec("select pgq.drop_queue('q', true)");
    EXPECT_LT(seconds_since(start), 15.0);
    EXPECT_EQ(admin.exec("select count(*) from pgq.queue").get(0, 0), "0");
    intruder.exec("rollback");
}

TEST_F(QueueDdlLocks, QueueDdlWaitsAtMostLockTimeoutAndSaysWhy)
{
    auto writer = connect();
    writer.exec("begin");
    // an admin's UPDATE of pgq.queue (or a rotation) in an open transaction
    writer.exec("update pgq.queue set queue_ticker_max_count = queue_ticker_max_count");

    auto admin = connect();
    admin.exec("set lock_timeout = '300ms'");
    try {
        admin.exec("select pgq.create_queue('q')");
        ADD_FAILURE() << "create_queue did not wait for the writer of pgq.queue";
    } catch (const db::DbError& e) {
        EXPECT_EQ(e.sqlstate(), "55P03") << e.describe();
        EXPECT_EQ(std::string(e.what()), "could not lock pgq.queue for queue DDL within 300ms");
        EXPECT_NE(e.hint().find("retry"), std::string::npos) << e.hint();
    }
    // the caller's lock_timeout is back as it was
    EXPECT_EQ(admin.exec("show lock_timeout").get(0, 0), "300ms");
    writer.exec("rollback");
    EXPECT_EQ(scalar("select pgq.create_queue('q')"), "1");
}

TEST_F(QueueDdlLocks, QueueDdlInProgressHoldsUpNeitherProducersNorConsumersNorTheTicker)
{
    auto admin = connect();
    admin.exec("select pgq.create_queue('q')");
    admin.exec("update pgq.queue set queue_ticker_max_lag = '0'");
    auto ddl = connect();
    ddl.exec("begin");
    ddl.exec("select pgq.create_queue('new')"); // holds the queue DDL lock until commit

    auto other = connect();
    other.exec("set statement_timeout = '10s'");
    other.exec("select pgq.register_consumer('q', 'c')");
    other.exec("select pgq.insert_event('q', 't', 'd')");
    other.exec("select pgq.ticker('q')");
    other.exec("select pgq.ticker()");
    EXPECT_FALSE(other.exec("select pgq.next_batch('q', 'c')").is_null(0, 0));
    other.exec("select pgq.finish_batch(pgq.next_batch('q', 'c'))");
    other.exec("select * from pgq.get_queue_info()");
    ddl.exec("commit");
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "2");
}

TEST_F(QueueDdlLocks, ReinstallDoesNotWaitForReaders)
{
    auto admin = connect();
    admin.exec("select pgq.create_queue('q')");
    auto reader = connect();
    read_all_pgq_tables(reader);

    auto start = Clock::now();
    ProcResult r = run_pgqadm({cfg_.string(), "install"}, std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LT(seconds_since(start), 30.0) << r.err;
    EXPECT_EQ(r.err.find("WARNING"), std::string::npos) << r.err;
    reader.exec("commit");
    EXPECT_NE(scalar("select pgq.insert_event('q', 't', 'after')"), std::nullopt);
}

TEST_F(QueueDdlLocks, UpgradeThatMustAlterRetriesUntilTheReaderLeaves)
{
    auto admin = connect();
    admin.exec("select pgq.create_queue('q')");
    // a schema from before queue_ticker_notify existed
    admin.exec("alter table pgq.queue drop column queue_ticker_notify");
    auto reader = connect();
    read_all_pgq_tables(reader);

    Process install({pgqadm_binary(), cfg_.string(), "install"}, dir_ / "install.out");
    // While the upgrade waits for its lock, producers queue behind it, but
    // only for the short lock wait of one attempt.
    ASSERT_TRUE(wait_until(
        [&] {
            return scalar("select count(*) from pg_stat_activity where datname = current_database()"
                          " and wait_event_type = 'Lock'") != "0";
        },
        30s))
        << read_file(dir_ / "install.out");
    auto producer = connect();
    auto start = Clock::now();
    producer.exec("select pgq.insert_event('q', 't', 'during')");
    EXPECT_LT(seconds_since(start), 10.0);

    // Let one attempt give up and the next begin before the reader leaves.
    ASSERT_TRUE(wait_until(
        [&] { return read_file(dir_ / "install.out").find("trying again") != std::string::npos; },
        30s))
        << read_file(dir_ / "install.out");
    reader.exec("commit");
    auto code = install.wait(std::chrono::seconds(60));
    std::string out = read_file(dir_ / "install.out");
    ASSERT_TRUE(code.has_value()) << out;
    EXPECT_EQ(*code, 0) << out;
    EXPECT_NE(out.find("WARNING"), std::string::npos) << out;
    EXPECT_NE(out.find("trying again"), std::string::npos) << out;
    EXPECT_EQ(scalar("select count(*) from pg_attribute where attrelid = 'pgq.queue'::regclass"
                     " and attname = 'queue_ticker_notify' and not attisdropped"),
              "1");
    EXPECT_NE(scalar("select pgq.insert_event('q', 't', 'after')"), std::nullopt);
}

TEST_F(QueueDdlLocks, UpgradeThatMustAlterGivesUpWithAClearError)
{
    auto admin = connect();
    admin.exec("alter table pgq.queue drop column queue_ticker_notify");
    auto reader = connect();
    read_all_pgq_tables(reader);

    auto start = Clock::now();
    ProcResult r = run_pgqadm({cfg_.string(), "install"}, std::chrono::seconds(90));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_LT(seconds_since(start), 60.0);
    EXPECT_NE(r.err.find("install gave up after 4 attempts: pgq schema upgrade: a table to "
                         "alter is in use"),
              std::string::npos)
        << r.err;
    reader.exec("commit");
    // nothing was changed: the column is still missing, and a later install adds it
    EXPECT_EQ(scalar("select count(*) from pg_attribute where attrelid = 'pgq.queue'::regclass"
                     " and attname = 'queue_ticker_notify' and not attisdropped"),
              "0");
    ProcResult again = run_pgqadm({cfg_.string(), "install"}, std::chrono::seconds(60));
    EXPECT_EQ(again.exit_code, 0) << again.err;
}
