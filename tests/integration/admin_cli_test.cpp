// Admin commands: install/upgrade, the command line, config-file and
// connection errors, a database without pgq, the <pidfile>.admin lock,
// -r/-s/-k, hostile names, and the man page staying in step with --help.
#include "admin_test_util.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace pgqadm::test;
using namespace pgqadm::test::admin;

namespace {

class AdminCli : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        job_ = "test_" + dbname_;
    }
    std::string job_;

    std::vector<std::string> messages(const ProcResult& r, const std::string& level)
    {
        std::vector<std::string> out;
        for (const LogLine& l : log_lines(r.err))
            if (l.level == level)
                out.push_back(l.message);
        return out;
    }
};

} // namespace

// ---- install -----------------------------------------------------------------

TEST_F(AdminCli, InstallThenInstallAgainUpgradesAndKeepsData)
{
    auto cfg = write_config();
    ProcResult r = run_pgqadm({cfg.string(), "install"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    auto info = messages(r, "INFO");
    ASSERT_EQ(info.size(), 2u) << r.err;
    EXPECT_EQ(info[0], "Installing pgq");
    EXPECT_EQ(info[1], "pgq is installed (version " + scalar("select pgq.version()").value() + ")");

    ASSERT_EQ(run_pgqadm({cfg.string(), "create", "keep"}).exit_code, 0);
    ASSERT_EQ(run_pgqadm({cfg.string(), "register", "keep", "cons"}).exit_code, 0);
    scalar("select pgq.insert_event('keep', 'type', 'payload')");

    r = run_pgqadm({cfg.string(), "install"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    info = messages(r, "INFO");
    ASSERT_EQ(info.size(), 2u) << r.err;
    EXPECT_EQ(info[0],
              "Upgrading pgq (installed version " + scalar("select pgq.version()").value() + ")");
    EXPECT_EQ(scalar("select count(*) from pgq.queue where queue_name = 'keep'"), "1");
    EXPECT_EQ(scalar("select count(*) from pgq.subscription"), "1");
    EXPECT_EQ(scalar("select ev_data from pgq.event_template"), "payload");
}

TEST_F(AdminCli, InstallRefusesTheRealExtensionAndChangesNothing)
{
    auto conn = connect();
    conn.exec("create extension pgq");
    conn.exec("select pgq.create_queue('ext_q')");
    const char* fingerprint =
        "select count(*) || '/' || md5(string_agg(p.oid::regprocedure::text || "
        "md5(p.prosrc), ',' order by p.oid::regprocedure::text))"
        "  from pg_proc p where p.pronamespace = 'pgq'::regnamespace";
    auto before = scalar(fingerprint);
    auto cfg = write_config();
    ProcResult r = run_pgqadm({cfg.string(), "install"});
    EXPECT_EQ(the_error(r),
              crash(job_, "database already has the pgq extension (version 3.5); pgqadm leaves "
                          "it alone (use it as it is, or DROP EXTENSION pgq first)"));
    EXPECT_EQ(scalar(fingerprint), before);
    EXPECT_EQ(scalar("select to_regprocedure('pgq._pgqadm_schema_version()')"), std::nullopt);
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "1");
    // and --force does not change that
    r = run_pgqadm({cfg.string(), "install", "--force"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(scalar(fingerprint), before);
}

// ---- a database without pgq ---------------------------------------------------

TEST_F(AdminCli, DatabaseWithoutPgqGivesOneLine)
{
    auto cfg = write_config();
    const std::string not_installed =
        "pgq is not installed in this database (run `pgqadm <config> install`, or CREATE "
        "EXTENSION pgq)";
    EXPECT_EQ(the_error(run_pgqadm({cfg.string(), "status"})), crash(job_, not_installed));
    EXPECT_EQ(the_error(run_pgqadm({cfg.string(), "config"})), crash(job_, not_installed));
    EXPECT_EQ(the_error(run_pgqadm({cfg.string(), "config", "q", "ticker_max_lag=1"})),
              crash(job_, not_installed));
    // the pgq API calls: the same message
    for (std::vector<std::string> cmd : {std::vector<std::string>{"create", "q"},
                                         {"drop", "q"},
                                         {"register", "q", "c"},
                                         {"unregister", "q", "c"}}) {
        cmd.insert(cmd.begin(), cfg.string());
        EXPECT_EQ(the_error(run_pgqadm(cmd)), crash(job_, not_installed)) << cmd[1];
    }
    EXPECT_EQ(scalar("select count(*) from pg_namespace where nspname = 'pgq'"), "0");
}

// ---- connection errors ------------------------------------------------------------

TEST_F(AdminCli, UnreachableDatabaseOneLineAndNoPassword)
{
    write_file(dir_ / "down.ini", "[pgqadm]\njob_name = down\n"
                                  "db = host=127.0.0.1 port=1 dbname=x user=u password=s3cret "
                                  "connect_timeout=5\n");
    for (const char* cmd : {"status", "create", "config", "install"}) {
        std::vector<std::string> args{(dir_ / "down.ini").string(), cmd};
        if (std::string(cmd) == "create")
            args.push_back("q");
        ProcResult r = run_pgqadm(args);
        std::string err = the_error(r);
        EXPECT_EQ(err.rfind("Job down crashed: connection to server at \"127.0.0.1\", port 1 "
                            "failed: Connection refused",
                            0),
                  0u)
            << err;
        EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
    }
    // -v logs the connection string: masked
    ProcResult r = run_pgqadm({"-v", (dir_ / "down.ini").string(), "status"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("password='***'"), std::string::npos) << r.err;
}

// Trust authentication accepts any password, so a wrong password cannot be
// produced on the test cluster; a role the server rejects takes the same path
// (authentication-time FATAL from the server).
TEST_F(AdminCli, RejectedLoginOneLineAndNoPassword)
{
    const Cluster& c = Cluster::get();
    write_file(dir_ / "role.ini", "[pgqadm]\njob_name = role\ndb = host=" + c.host +
                                      " port=" + c.port + " dbname=" + dbname_ +
                                      " user=no_such_role_x password=s3cret\n");
    ProcResult r = run_pgqadm({(dir_ / "role.ini").string(), "status"});
    std::string err = the_error(r);
    EXPECT_NE(err.find("FATAL:  role \"no_such_role_x\" does not exist"), std::string::npos) << err;
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

// ---- the command line -------------------------------------------------------------

TEST_F(AdminCli, CommandLineErrors)
{
    auto cfg = write_config();
    struct Case {
        std::vector<std::string> args;
        std::string err;
    };
    std::vector<Case> cases{
        {{}, "need config file\n"},
        {{cfg.string()}, "need command\n"},
        {{cfg.string(), "frobnicate"}, "unknown command\n"},
        {{cfg.string(), "create"}, "usage: pgqadm [options] INI create QNAME\n"},
        {{cfg.string(), "create", "a", "b"}, "usage: pgqadm [options] INI create QNAME\n"},
        {{cfg.string(), "drop"}, "usage: pgqadm [options] INI drop QNAME\n"},
        {{cfg.string(), "register", "q"}, "usage: pgqadm [options] INI register QNAME CONS\n"},
        {{cfg.string(), "unregister"}, "usage: pgqadm [options] INI unregister QNAME CONS\n"},
        {{cfg.string(), "status", "extra"}, "usage: pgqadm [options] INI status\n"},
        {{cfg.string(), "install", "extra"}, "usage: pgqadm [options] INI install\n"},
    };
    for (const Case& c : cases) {
        ProcResult r = run_pgqadm(c.args);
        EXPECT_EQ(r.exit_code, 1) << c.err;
        EXPECT_EQ(r.err, c.err);
        EXPECT_EQ(r.out, "");
    }
    ProcResult r = run_pgqadm({"--no-such-option", cfg.string(), "status"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(AdminCli, VersionAndHelp)
{
    ProcResult r = run_pgqadm({"-V"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(pgqadm \d+\.\d+\.\d+\n)"))) << r.out;
    EXPECT_EQ(run_pgqadm({"--version", "/no/such/file.ini"}).out, r.out); // before the config

    r = run_pgqadm({"-h"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("Usage: pgqadm [options] INI CMD [subcmd args]\n", 0), 0u) << r.out;
    for (const char* cmd : {"ticker", "status", "install", "create QNAME", "drop QNAME",
                            "register QNAME CONS", "unregister QNAME CONS", "config QNAME"})
        EXPECT_NE(r.out.find("  " + std::string(cmd)), std::string::npos) << cmd;
    EXPECT_EQ(run_pgqadm({"--help"}).out, r.out);
}

// Every option and command of --help is in the man page, and the man page
// names every config key, signal and the exit codes.
TEST(AdminManPage, InStepWithHelp)
{
    std::string man = read_file(source_dir() + "/docs/pgqadm.1");
    ASSERT_FALSE(man.empty()) << "docs/pgqadm.1 missing";
    auto unescaped = std::regex_replace(man, std::regex(R"(\\-)"), "-");
    auto has = [&](const std::string& word) { return unescaped.find(word) != std::string::npos; };
    std::string help = run_pgqadm({"--help"}).out;
    std::smatch m;
    std::string rest = help;
    int options = 0;
    while (std::regex_search(rest, m, std::regex(R"((^|\s)(--?[A-Za-z][-A-Za-z]*))"))) {
        EXPECT_TRUE(has(m[2])) << "option " << m[2] << " of --help is not in the man page";
        rest = m.suffix();
        ++options;
    }
    EXPECT_GE(options, 18);
    for (const char* cmd :
         {"ticker", "status", "install", "create", "drop", "register", "unregister", "config"})
        EXPECT_TRUE(has(std::string(".B ") + cmd + "\n") || has(std::string(".BI ") + cmd + " ") ||
                    has(std::string("\\fB") + cmd + "\\fR"))
            << "command " << cmd;
    for (const char* key :
         {"job_name", "db", "loop_delay", "maint_delay", "maint_delay_min", "retry_delay",
          "queue_refresh_period", "ticker_log_delay", "connection_lifetime", "max_failures",
          "logfile", "pidfile", "log_size", "log_count", "use_skylog"})
        EXPECT_TRUE(has(std::string(".B ") + key)) << "config key " << key;
    for (const char* word : {"SIGHUP", "SIGINT", "SIGTERM", "EXIT STATUS", "SkyTools 2"})
        EXPECT_TRUE(has(word)) << word;
}

// ---- config file errors -----------------------------------------------------------

TEST_F(AdminCli, ConfigFileErrorsAreOneLine)
{
    ProcResult r = run_pgqadm({(dir_ / "missing.ini").string(), "status"});
    EXPECT_EQ(the_error(r), "Config file not found: " + (dir_ / "missing.ini").string());

    write_file(dir_ / "nosection.ini", "[other]\ndb = dbname=x\n");
    r = run_pgqadm({(dir_ / "nosection.ini").string(), "status"});
    EXPECT_EQ(the_error(r),
              "config file " + (dir_ / "nosection.ini").string() + ": no [pgqadm] section");

    write_file(dir_ / "badvalue.ini", "[pgqadm]\ndb = dbname=x\nloop_delay = soon\n");
    r = run_pgqadm({(dir_ / "badvalue.ini").string(), "status"});
    EXPECT_EQ(the_error(r), "config file " + (dir_ / "badvalue.ini").string() +
                                ": key loop_delay: bad value 'soon' (expected a non-negative "
                                "number of seconds)");
}

// ---- the <pidfile>.admin lock --------------------------------------------------------

TEST_F(AdminCli, OneShotCommandsHoldPidfileAdmin)
{
    install_pgq();
    const auto pidfile = dir_ / "ticker.pid";
    const auto admin = dir_ / "ticker.pid.admin";
    auto cfg = write_config("pidfile = " + pidfile.string(), "locked.ini");

    // Another admin command holds the lock: refused, nothing changed.
    int fd = open(admin.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
    for (std::vector<std::string> cmd :
         {std::vector<std::string>{"create", "q"}, {"config"}, {"install"}}) {
        cmd.insert(cmd.begin(), cfg.string());
        EXPECT_EQ(the_error(run_pgqadm(cmd)),
                  crash(job_, "Pidfile exists, another process running?"))
            << cmd[1];
    }
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "0");
    // status never touches the pidfile
    EXPECT_EQ(run_pgqadm({cfg.string(), "status"}).exit_code, 0);
    close(fd);

    // A running ticker (its pidfile names a live process) does not block them.
    write_file(pidfile, std::to_string(getpid()));
    ProcResult r = run_pgqadm({cfg.string(), "create", "q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "1");
    EXPECT_FALSE(std::filesystem::exists(admin)); // removed after the command
    EXPECT_EQ(read_file(pidfile), std::to_string(getpid()));
}

// ---- -r / -s / -k ----------------------------------------------------------------------

TEST_F(AdminCli, ControlOptionsWarnOrSignal)
{
    auto warning_of = [&](const ProcResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.err;
        auto w = messages(r, "WARNING");
        return w.size() == 1 ? w[0] : "<" + r.err + ">";
    };
    auto nopid = write_config("", "nopid.ini");
    EXPECT_EQ(warning_of(run_pgqadm({"-s", nopid.string()})), "No pidfile in config, nothing todo");

    const auto pidfile = dir_ / "ticker.pid";
    auto cfg = write_config("pidfile = " + pidfile.string(), "pid.ini");
    EXPECT_EQ(warning_of(run_pgqadm({"-r", cfg.string()})), "No pidfile, process not running");

    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    ASSERT_EQ(waitpid(dead, nullptr, 0), dead);
    write_file(pidfile, std::to_string(dead));
    EXPECT_EQ(warning_of(run_pgqadm({"-k", cfg.string()})),
              "pidfile exist, but process not running");

    write_file(pidfile, "not a pid\n");
    EXPECT_EQ(the_error(run_pgqadm({"-s", cfg.string()})),
              crash(job_, "Corrupt pidfile: " + pidfile.string()));

    // A live process gets the signal (-s = SIGINT; the last of -r/-s/-k wins).
    Process sleeper({"sleep", "60"}, dir_ / "sleep.out");
    write_file(pidfile, std::to_string(sleeper.pid()));
    ProcResult r = run_pgqadm({"-r", cfg.string(), "-s"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sleeper.wait(std::chrono::seconds(30)), 128 + SIGINT);
}

// ---- hostile names -----------------------------------------------------------------------

TEST_F(AdminCli, HostileNamesAreDataNotCode)
{
    install_pgq();
    auto cfg = write_config();
    auto conn = connect();
    conn.exec("create table canary (x int); insert into canary values (42)");
    const std::vector<std::string> names{
        "q'uote",
        "semi; drop table canary; --",
        "'); drop table canary; --",
        "back\\slash\\",
        "per%cent %s %n {} {0}",
        "dq\"uote",
        std::string(200, 'x'),
        "ünïcödé キュー 🚀",
        "with space",
    };
    for (const std::string& name : names) {
        SCOPED_TRACE(name);
        auto run_ok = [&](std::vector<std::string> args) {
            args.insert(args.begin(), cfg.string());
            ProcResult r = run_pgqadm(args);
            EXPECT_EQ(r.exit_code, 0) << r.err;
            return r;
        };
        run_ok({"create", name});
        EXPECT_EQ(scalar("select count(*) from pgq.queue where queue_name = $1", {name}), "1");
        run_ok({"register", name, name});
        EXPECT_EQ(run_ok({"config", name}).out.substr(0, name.size() + 1), name + "\n");
        EXPECT_EQ(run_ok({"config", name, "ticker_max_lag=7"}).out,
                  "Change queue " + name + " config to: queue_ticker_max_lag='7'\n");
        ProcResult js = run_ok({"status", "--json"});
        EXPECT_EQ(scalar("select count(*) from jsonb_array_elements(($1::jsonb) -> 'queues') q "
                         "where q ->> 'name' = $2 and q #>> '{consumers,0,name}' = $2",
                         {js.out, name}),
                  "1")
            << js.out;
        EXPECT_NE(run_ok({"status"}).out.find("\n" + name + ":\n  " + name), std::string::npos);
        EXPECT_EQ(the_error(run_pgqadm({cfg.string(), "drop", name})),
                  crash(job_, "cannot drop queue, consumers still attached"));
        run_ok({"unregister", name, name});
        run_ok({"drop", name});
        EXPECT_EQ(scalar("select count(*) from pgq.queue where queue_name = $1", {name}), "0");
    }
    // The empty name is a valid text value for PgQ: handled exactly like any other.
    ProcResult r = run_pgqadm({cfg.string(), "create", ""});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(scalar("select count(*) from pgq.queue where queue_name = ''"), "1");
    EXPECT_EQ(run_pgqadm({cfg.string(), "drop", ""}).exit_code, 0);
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "0");

    EXPECT_EQ(scalar("select x from canary"), "42");
}
