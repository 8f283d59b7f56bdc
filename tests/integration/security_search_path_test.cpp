// Issue 14.3a: every connection pins search_path, so overloads of builtins
// planted in a schema on the role's search_path never run.
#include "security_util.hpp"

#include <csignal>
#include <thread>

using namespace pgqadm::test;

// Another role plants overloads of builtins in public; the daemon's role has
// public first on its search_path. Status, config and the ticker must not
// call any of them (each one raises, so a call would show as an error).
TEST_F(SecurityTest, PlantedOverloadsOnTheSearchPathNeverRun)
{
    const std::string db = *scalar("select current_database()");
    const std::string attacker = "trap_owner_" + db;
    const std::string daemon_role = "trap_victim_" + db;
    sql("create role " + attacker);
    sql("grant create on schema public to " + attacker);
    sql("create role " + daemon_role + " login superuser");
    sql("alter role " + daemon_role + " in database " + db +
        " set search_path = public, pg_catalog");
    auto attack = connect();
    attack.exec("set role " + attacker);
    struct Trap {
        const char* signature;
        const char* returns;
    };
    const Trap traps[] = {
        {"now()", "timestamptz"},
        {"to_regclass(text)", "regclass"},
        {"to_regprocedure(text)", "regprocedure"},
        {"to_jsonb(anyelement)", "jsonb"},
        {"unnest(anyarray)", "setof anyelement"},
        {"pg_notify(text, text)", "void"},
        {"pg_try_advisory_lock(bigint)", "boolean"},
        {"pg_sequence_last_value(regclass)", "bigint"},
        {"pg_notification_queue_usage()", "double precision"},
        {"version()", "text"},
        {"set_config(text, text, boolean)", "text"},
    };
    for (const Trap& t : traps)
        attack.exec(std::string("create function public.") + t.signature + " returns " + t.returns +
                    " language plpgsql as $$begin raise exception 'TRAP FIRED: " + t.signature +
                    "'; end$$");

    auto cfg = dir_ / "victim.ini";
    write_file(cfg, "[pgqadm]\njob_name = victim\ndb = " + dsn() + " user=" + daemon_role +
                        "\nloop_delay = 0.1\nmaint_delay = 1\nretry_delay = 1\n"
                        "queue_refresh_period = 1\nlogfile = " +
                        log_.string() + "\npidfile = " + (dir_ / "victim.pid").string() + "\n");
    // The trap is real: a connection of that role with its own search_path hits it.
    {
        auto victim = pgqadm::db::Connection::open(dsn() + " user=" + daemon_role, "victim");
        victim.exec("reset search_path");
        EXPECT_THROW(victim.exec("select now()"), pgqadm::db::DbError);
    }

    for (const auto& args : std::vector<std::vector<std::string>>{
             {"create", "q1"},
             {"config", "q1", "ticker_notify=on", "ticker_max_lag=0"},
             {"register", "q1", "c1"},
             {"status"},
             {"status", "--json"},
             {"config"},
             {"config", "q1"}}) {
        auto all = args;
        all.insert(all.begin(), cfg.string());
        ProcResult r = run_pgqadm(all);
        EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
        EXPECT_EQ((r.out + r.err).find("TRAP"), std::string::npos) << r.out << r.err;
    }

    sql("select pgq.insert_event('q1', 't', 'warm-up')");
    auto ticker = start_ticker(cfg);
    ASSERT_TRUE(wait_until([&] { return log().find("queues to tick") != std::string::npos; }, 20s))
        << log();
    EXPECT_TRUE(insert_and_wait_for_tick("q1", 20s)) << log();
    std::this_thread::sleep_for(1500ms); // a few rounds and refreshes
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
    EXPECT_EQ(log().find("TRAP"), std::string::npos) << log();
    EXPECT_EQ(log().find("ERROR"), std::string::npos) << log();

    sql("drop owned by " + attacker);
    sql("drop role " + attacker);
    sql("alter role " + daemon_role + " in database " + db + " reset all");
    sql("drop role " + daemon_role);
}
