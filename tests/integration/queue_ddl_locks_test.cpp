// Locks around queue DDL, with a second session in the way: queue DDL
// serialises on pgq.queue itself, which a role that can only log in cannot
// lock in a conflicting mode (it could hold the advisory lock used before
// forever), and says so when it waits too long.
#include "support/test_support.hpp"

#include <iostream>

using namespace pgqadm::test;
namespace db = pgqadm::db;

namespace {

class QueueDdlLocks : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
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
