// One daemon for many databases (issue 17): unchanged pgqd 3.5 configs,
// discovery, [databases] with %include, databases that hang or are down,
// 50 databases, and two daemons sharing a list with one killed.
//
// Tests that discover databases, or stop a server, start a cluster of their
// own (tests/support/pgcluster.sh): discovery on the shared cluster would
// tick the databases of every other test running in parallel.
#include "support/test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace pgqadm::test;
namespace db = pgqadm::db;

namespace {

std::string script()
{
    return source_dir() + "/tests/support/pgcluster.sh";
}

/// A throwaway cluster of this test alone, with room for many connections.
class OwnCluster {
  public:
    explicit OwnCluster(const std::filesystem::path& dir) : envfile_(dir / "own.env")
    {
        ProcResult r = run({"env", "PGQADM_TEST_DSN_HOST=", "PGQADM_TEST_MAX_CONNECTIONS=400",
                            script(), "start", envfile_.string()},
                           std::chrono::seconds(120));
        if (r.exit_code != 0)
            throw std::runtime_error("own cluster did not start: " + r.err);
        cluster_ = Cluster::from_env_file(envfile_.string());
    }
    ~OwnCluster() { run({script(), "stop", envfile_.string()}); }
    OwnCluster(const OwnCluster&) = delete;
    OwnCluster& operator=(const OwnCluster&) = delete;

    std::string base() const
    {
        return "host=" + cluster_.host + " port=" + cluster_.port + " user=" + cluster_.user;
    }
    std::string conninfo(const std::string& dbname) const { return cluster_.conninfo(dbname); }
    db::Connection connect(const std::string& dbname) const
    {
        return db::Connection::open(conninfo(dbname), "pgqadm-test");
    }
    /// `count` databases prefix_0, prefix_1 ... copied from `from`; adds
    /// their `name = conninfo` lines to `list`; returns their conninfos.
    std::vector<std::string> copies(const std::string& from, const std::string& prefix, int count,
                                    std::string& list) const
    {
        auto admin = connect("template1");
        std::vector<std::string> out;
        for (int i = 0; i < count; ++i) {
            std::string name = prefix + "_" + std::to_string(i);
            admin.exec("create database " + name + " template " + from);
            list += name + " = " + conninfo(name) + "\n";
            out.push_back(conninfo(name));
        }
        return out;
    }
    void stop() const { cluster_.stop(); }
    const std::string& pgdata() const { return cluster_.pgdata; }
    void start() const { cluster_.start(); }
    /// PGHOST/PGPORT/PGUSER for a daemon whose config names no server (pgqd's empty base_connstr).
    void export_env() const
    {
        setenv("PGHOST", cluster_.host.c_str(), 1);
        setenv("PGPORT", cluster_.port.c_str(), 1);
        setenv("PGUSER", cluster_.user.c_str(), 1);
    }

  private:
    std::filesystem::path envfile_;
    Cluster cluster_;
};

/// The newest tick id of a database (0: none, or unreachable).
long long newest_tick(const std::string& conninfo)
{
    try {
        auto conn = db::Connection::open(conninfo, "pgqadm-test");
        return conn.exec("select coalesce(max(tick_id), 0) from pgq.tick").as_int(0, 0);
    } catch (const std::exception&) {
        return 0;
    }
}

/// Installs pgq with one quickly ticking queue through pgqadm itself.
void install_with_queue(const TempDir& dir, const std::string& conninfo, const std::string& name)
{
    auto ini = dir / ("install-" + name + ".ini");
    write_file(ini, "[pgqadm]\njob_name = install\ndb = " + conninfo + "\n");
    ASSERT_EQ(run_pgqadm({ini.string(), "install"}).exit_code, 0);
    ASSERT_EQ(run_pgqadm({ini.string(), "create", "q"}).exit_code, 0);
    auto conn = db::Connection::open(conninfo, "pgqadm-test");
    // Idle ticks about every second.
    conn.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds'),"
              "       pgq.set_queue_config('q', 'ticker_idle_period', '1 second')");
}

/// A TCP port that accepts connections and never answers (a hung server).
class BlackHole {
  public:
    BlackHole()
    {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 64) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("black hole socket");
        port_ = ntohs(a.sin_port);
    }
    ~BlackHole() { close(fd_); }
    BlackHole(const BlackHole&) = delete;
    BlackHole& operator=(const BlackHole&) = delete;
    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

/// A loopback port nobody listens on (a stopped server).
int closed_port()
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

/// Threads of a running process (/proc/<pid>/status).
int thread_count(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Threads:", 0) == 0)
            return std::stoi(line.substr(8));
    return -1;
}

/// Every process of a cluster (the postmaster and its children), found
/// through postmaster.pid and /proc.
std::vector<pid_t> cluster_processes(const std::string& pgdata)
{
    std::ifstream pidfile(pgdata + "/postmaster.pid");
    pid_t postmaster = 0;
    pidfile >> postmaster;
    std::vector<pid_t> out{postmaster};
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream stat(entry.path() / "stat");
        std::string text((std::istreambuf_iterator<char>(stat)), {});
        // pid (comm) state ppid ...: comm may hold spaces, so read after ')'
        auto close = text.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream rest(text.substr(close + 1));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == postmaster)
            out.push_back(std::stoi(name));
    }
    return out;
}

/// GET of a path on a loopback port: the whole response, status line first.
std::string http_get(int port, const std::string& path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    std::string out;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
        if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buf[4096];
            for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
                out.append(buf, static_cast<std::size_t>(n));
        }
    }
    close(fd);
    return out;
}

/// The port the daemon's log says its metrics endpoint listens on (0: none yet).
int metrics_port(const std::string& log)
{
    auto at = log.find("metrics: listening on ");
    if (at == std::string::npos)
        return 0;
    at = log.find("(port ", at);
    return at == std::string::npos ? 0 : std::stoi(log.substr(at + 6));
}

/// Processes stopped (SIGSTOP) for the object's lifetime.
class FrozenProcesses {
  public:
    explicit FrozenProcesses(std::vector<pid_t> pids) : pids_(std::move(pids))
    {
        for (pid_t p : pids_)
            kill(p, SIGSTOP);
    }
    ~FrozenProcesses()
    {
        for (pid_t p : pids_)
            kill(p, SIGCONT);
    }
    FrozenProcesses(const FrozenProcesses&) = delete;
    FrozenProcesses& operator=(const FrozenProcesses&) = delete;
    std::size_t size() const { return pids_.size(); }

  private:
    std::vector<pid_t> pids_;
};

/// Samples pg_stat_activity of a whole cluster: a database in which the
/// backends of two daemons (application_name "<job> ticker") tick at the
/// same moment is an overlap. As the fault driver's no-overlap check, a
/// sample counts only if both backends are still in the same statement a
/// little later (a leader that resigned may show its last one for a moment).
class OverlapMonitor {
  public:
    explicit OverlapMonitor(std::string conninfo) : conninfo_(std::move(conninfo))
    {
        thread_ = std::thread([this] { run(); });
    }
    ~OverlapMonitor()
    {
        stop_ = true;
        thread_.join();
    }
    OverlapMonitor(const OverlapMonitor&) = delete;
    OverlapMonitor& operator=(const OverlapMonitor&) = delete;
    long samples() const { return samples_; }
    std::vector<std::string> violations()
    {
        std::lock_guard g(mu_);
        return violations_;
    }

  private:
    using Key = std::pair<std::string, std::string>; // pid, query_start
    std::map<std::string, std::map<std::string, Key>> ticking(db::Connection& conn)
    {
        db::Result r =
            conn.exec("select datname, application_name, pid::text, query_start::text"
                      "  from pg_stat_activity"
                      " where state = 'active' and pid <> pg_backend_pid()"
                      "   and application_name like '% ticker'"
                      "   and (query like '%pgq.ticker(%' or query like '%pgq._wake_tick(%')");
        std::map<std::string, std::map<std::string, Key>> out; // datname -> daemon -> backend
        for (int i = 0; i < r.rows(); ++i)
            out[r.get(i, 0)][r.get(i, 1)] = {r.get(i, 2), r.get(i, 3)};
        return out;
    }
    void run()
    {
        std::optional<db::Connection> conn;
        while (!stop_) {
            try {
                if (!conn)
                    conn.emplace(db::Connection::open(conninfo_, "pgqadm-test monitor"));
                auto first = ticking(*conn);
                ++samples_;
                for (const auto& [dbname, daemons] : first) {
                    if (daemons.size() < 2)
                        continue;
                    std::this_thread::sleep_for(100ms);
                    auto again = ticking(*conn)[dbname];
                    int still = 0;
                    for (const auto& [daemon, key] : daemons)
                        still += again.count(daemon) && again[daemon] == key;
                    if (still >= 2) {
                        std::lock_guard g(mu_);
                        violations_.push_back("database " + dbname +
                                              " ticked by two daemons at once");
                    }
                }
            } catch (const std::exception&) {
                conn.reset();
            }
            std::this_thread::sleep_for(20ms);
        }
    }

    std::string conninfo_;
    std::atomic<bool> stop_{false};
    std::atomic<long> samples_{0};
    std::mutex mu_;
    std::vector<std::string> violations_;
    std::thread thread_;
};

/// Ticks of one queue so far.
long long ticks_of(db::Connection& conn, const std::string& queue)
{
    return conn
        .exec("select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
              " where q.queue_name = $1",
              {queue})
        .as_int(0, 0);
}

/// Rounds the fleet daemon has made for `database`, read from its metrics page.
long rounds_of(const std::string& page, const std::string& database)
{
    std::string key = "pgqadm_loop_duration_seconds_count{database=\"" + database + "\"} ";
    std::size_t at = page.find(key);
    return at == std::string::npos ? -1 : std::stol(page.substr(at + key.size()));
}

class FleetTest : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        log_ = dir_ / "fleet.log";
    }
    void TearDown() override
    {
        DbTest::TearDown();
        try {
            auto admin = db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
            for (const auto& extra : extra_dbs_)
                admin.exec("drop database if exists " + admin.quote_ident(extra) + " with (force)");
        } catch (const std::exception& e) {
            std::cerr << "cleanup: " << e.what() << "\n";
        }
    }
    /// Another fresh database on the shared cluster, dropped afterwards.
    std::string extra_db(const std::string& suffix)
    {
        std::string name = dbname_ + "_" + suffix;
        auto admin = db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
        admin.exec("create database " + admin.quote_ident(name));
        extra_dbs_.push_back(name);
        return name;
    }
    std::string shared_base() const
    {
        const Cluster& c = Cluster::get();
        return "host=" + c.host + " port=" + c.port + " user=" + c.user;
    }
    std::unique_ptr<Process> start_daemon(const std::filesystem::path& ini,
                                          const std::string& out = "daemon.out")
    {
        return std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), ini.string(), "ticker"}, dir_ / out);
    }
    /// Waits until every database in `conninfos` has a tick newer than now.
    bool all_tick(const std::vector<std::string>& conninfos, std::chrono::milliseconds timeout)
    {
        std::map<std::string, long long> before;
        for (const auto& c : conninfos)
            before[c] = newest_tick(c);
        std::set<std::string> waiting(conninfos.begin(), conninfos.end());
        wait_until(
            [&] {
                for (auto it = waiting.begin(); it != waiting.end();)
                    it = newest_tick(*it) > before[*it] ? waiting.erase(it) : std::next(it);
                return waiting.empty();
            },
            timeout, 200ms);
        for (const auto& w : waiting)
            ADD_FAILURE() << "no new tick in " << w;
        return waiting.empty();
    }
    std::string out(const std::string& name = "daemon.out") { return read_file(dir_ / name); }
    /// The fleet daemon for this database and one without pgq, rounds every
    /// 0.2 s, pgq.queue checked every 0.5 s, verbose; `port`: its metrics port.
    std::unique_ptr<Process> start_checking_daemon(int& port)
    {
        std::string no_pgq = extra_db("nopgq");
        auto ini = write_config("loop_delay = 0.2\nqueue_refresh_period = 0.5\n"
                                "metrics_listen = 127.0.0.1:0\nlogfile = " +
                                log_.string() +
                                "\n[databases]\nnopgq = " + Cluster::get().conninfo(no_pgq) + "\n");
        auto daemon = std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), ini.string(), "ticker", "-v"},
            dir_ / "daemon.out");
        EXPECT_TRUE(wait_until([&] { return (port = metrics_port(read_file(log_))) > 0; }, 20s));
        return daemon;
    }
    /// Waits for `n` more rounds of this database; returns how often the queue
    /// list was read meanwhile (a debug line each time).
    std::size_t list_reads_over_rounds(int port, long n)
    {
        std::size_t reads = count_of(read_file(log_), " queues to tick");
        long rounds = rounds_of(http_get(port, "/metrics"), dbname_);
        EXPECT_TRUE(wait_until(
            [&] { return rounds_of(http_get(port, "/metrics"), dbname_) >= rounds + n; }, 30s));
        return count_of(read_file(log_), " queues to tick") - reads;
    }

    std::filesystem::path log_;
    std::vector<std::string> extra_dbs_;
};

// public.writers gets the application_name of each session that fires a
// trigger calling public.note_writer().
void create_writer_log(db::Connection& conn)
{
    conn.exec("create table public.writers (app text)");
    conn.exec("create function public.note_writer() returns trigger language plpgsql as"
              " $$begin insert into public.writers"
              " values (current_setting('application_name')); return null; end$$");
}

// "<job_name> ticker", not "<job_name> maintenance".
bool is_ticker_connection(const std::string& application_name)
{
    const std::string suffix = " ticker";
    return application_name.size() > suffix.size() &&
           application_name.compare(application_name.size() - suffix.size(), suffix.size(),
                                    suffix) == 0;
}

} // namespace

// An unchanged pgqd.ini that uses every key pgqd 3.5 knows; run with -d and
// driven with -r and -s as pgqd is.
TEST_F(FleetTest, PgqdIniWithEveryKey)
{
    std::string second = extra_db("b");
    std::string third = extra_db("c");
    install_with_queue(dir_, dsn(), "a");
    install_with_queue(dir_, Cluster::get().conninfo(second), "b");
    install_with_queue(dir_, Cluster::get().conninfo(third), "c");
    auto ini = dir_ / "pgqd.ini";
    auto pidfile = dir_ / "pgqd.pid";
    auto write_ini = [&](const std::string& list) {
        write_file(ini, "[pgqd]\n"
                        "logfile = " +
                            log_.string() +
                            "\n"
                            "pidfile = " +
                            pidfile.string() +
                            "\n"
                            "base_connstr = " +
                            shared_base() +
                            "\n"
                            "initial_database = postgres\n"
                            "database_list = " +
                            list +
                            "\n"
                            "syslog = 1\n"
                            "syslog_ident = pgqd_test\n"
                            "syslog_facility = local3\n"
                            "check_period = 1\n"
                            "maint_period = 1.5\n"
                            "retry_period = 1\n"
                            "ticker_period = 0.2\n"
                            "stats_period = 1\n"
                            "connection_lifetime = 3\n");
    };
    write_ini(dbname_ + ", " + second);
    ProcResult started = run_pgqadm({ini.string(), "ticker", "-d"});
    ASSERT_EQ(started.exit_code, 0) << started.err;
    ASSERT_TRUE(wait_until(
        [&] { return std::filesystem::exists(pidfile) && !read_file(pidfile).empty(); }, 20s));
    EXPECT_TRUE(all_tick({dsn(), Cluster::get().conninfo(second)}, 20s)) << read_file(log_);
    // pgqd's stats line, per database and for all of them.
    ASSERT_TRUE(wait_until(
        [&] {
            std::string log = read_file(log_);
            return log.find(dbname_ + ": {ticks: ") != std::string::npos &&
                   log.find(second + ": {ticks: ") != std::string::npos &&
                   log.find("INFO {ticks: ") != std::string::npos &&
                   log.find(", maint: 1") != std::string::npos;
        },
        20s))
        << read_file(log_);
    EXPECT_EQ(read_file(log_).find(third), std::string::npos);
    // One persistent connection per database (its ticker), which runs the
    // maintenance too.
    auto by_role = [&](const std::string& app) {
        return std::stoll(scalar("select count(*) from pg_stat_activity"
                                 " where application_name = $1 and datname in ($2, $3)",
                                 {app, dbname_, second})
                              .value_or("0"));
    };
    EXPECT_TRUE(wait_until(
        [&] { return by_role("pgqd ticker") == 2 && by_role("pgqd maintenance") == 0; }, 20s));

    // -r: HUP re-reads the list; the third database is served, the others stay.
    write_ini(dbname_ + ", " + second + ", " + third);
    EXPECT_EQ(run_pgqadm({ini.string(), "-r"}).exit_code, 0);
    EXPECT_TRUE(all_tick({Cluster::get().conninfo(third)}, 20s)) << read_file(log_);
    EXPECT_EQ(read_file(log_).find("no longer served"), std::string::npos);
    // ... and one that leaves the list is retired without touching the rest.
    write_ini(dbname_ + ", " + third);
    EXPECT_EQ(run_pgqadm({ini.string(), "-r"}).exit_code, 0);
    EXPECT_TRUE(wait_until(
        [&] {
            return read_file(log_).find(second + " is gone from the list") != std::string::npos;
        },
        20s));
    EXPECT_TRUE(all_tick({dsn(), Cluster::get().conninfo(third)}, 20s));

    // status names every database and the daemon that leads it.
    ProcResult st = run_pgqadm({ini.string(), "status"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    EXPECT_NE(st.out.find(dbname_), std::string::npos) << st.out;
    EXPECT_NE(st.out.find("led"), std::string::npos) << st.out;
    EXPECT_NE(st.out.find("pgqd on "), std::string::npos) << st.out;

    // -s: a clean stop.
    std::string pid = read_file(pidfile);
    EXPECT_EQ(run_pgqadm({ini.string(), "-s"}).exit_code, 0);
    EXPECT_TRUE(wait_until([&] { return kill(std::stoi(pid), 0) != 0; }, 30s));
    EXPECT_NE(read_file(log_).find("ticker stopped"), std::string::npos);
}

// One database that hangs (a server that never answers, a lock that its
// ticker waits on) or is down never delays the others; the stopped one is
// served again once it is back.
TEST_F(FleetTest, StuckOrDownDatabasesDelayNoOther)
{
    std::string locked = extra_db("locked");
    install_with_queue(dir_, dsn(), "a");
    install_with_queue(dir_, Cluster::get().conninfo(locked), "l");
    OwnCluster other(dir_.path());
    install_with_queue(dir_, other.conninfo("postgres"), "o");
    BlackHole hole;
    int down = closed_port();

    // Hold a lock that the locked database's ticker waits on at connect.
    auto holder = db::Connection::open(Cluster::get().conninfo(locked), "pgqadm-test");
    holder.exec("begin");
    holder.exec("lock table pgq.queue in access exclusive mode");

    auto ini = write_config("loop_delay = 0.2\nmaint_delay = 1\nticker_log_delay = 2\n"
                            "metrics_listen = 127.0.0.1:0\n"
                            "logfile = " +
                            log_.string() +
                            "\n"
                            "[databases]\n"
                            "locked = " +
                            Cluster::get().conninfo(locked) +
                            "\n"
                            "hung = host=127.0.0.1 port=" +
                            std::to_string(hole.port()) +
                            " dbname=x connect_timeout=10\n"
                            "down = host=127.0.0.1 port=" +
                            std::to_string(down) +
                            " dbname=x\n"
                            "other_server = " +
                            other.conninfo("postgres") + "\n");
    auto daemon = start_daemon(ini);
    // The good database ticks about every second all along.
    for (int round = 0; round < 5; ++round)
        ASSERT_TRUE(all_tick({dsn()}, 5s)) << round << "\n" << read_file(log_);
    ASSERT_TRUE(all_tick({other.conninfo("postgres")}, 5s)) << read_file(log_);
    EXPECT_EQ(newest_tick(Cluster::get().conninfo(locked)), 1) << "ticked while locked";

    // The metrics endpoint shows every database's ticker.
    int port = 0;
    ASSERT_TRUE(wait_until([&] { return (port = metrics_port(read_file(log_))) > 0; }, 10s));
    EXPECT_TRUE(wait_until(
        [&] {
            std::string page = http_get(port, "/metrics");
            return page.find("pgqadm_databases 5") != std::string::npos &&
                   page.find("pgqadm_connected{database=\"down\"} 0") != std::string::npos &&
                   page.find("pgqadm_leader{database=\"other_server\"} 1") != std::string::npos;
        },
        20s))
        << http_get(port, "/metrics");
    EXPECT_EQ(http_get(port, "/healthz").rfind("HTTP/1.1 200", 0), 0u);
    EXPECT_NE(http_get(port, "/readyz").find("serving 5 databases"), std::string::npos);

    // status says which are in trouble, and --check is critical.
    ProcResult st = run_pgqadm({ini.string(), "status"});
    EXPECT_NE(st.out.find("error"), std::string::npos) << st.out;
    EXPECT_EQ(run_pgqadm({ini.string(), "status", "--check"}).exit_code, 2);

    // One of two servers stops: the other keeps ticking; back, it is served again.
    other.stop();
    for (int round = 0; round < 3; ++round)
        ASSERT_TRUE(all_tick({dsn()}, 5s)) << read_file(log_);
    other.start();
    EXPECT_TRUE(all_tick({other.conninfo("postgres")}, 90s)) << read_file(log_);

    // The lock goes: the locked database is ticked.
    holder.exec("rollback");
    EXPECT_TRUE(all_tick({Cluster::get().conninfo(locked)}, 20s)) << read_file(log_);
    EXPECT_TRUE(all_tick({dsn()}, 5s));
    EXPECT_TRUE(daemon->running());
    daemon->signal(SIGINT);
    // The hung connection attempt may hold its thread until connect_timeout.
    EXPECT_EQ(daemon->wait(90s), 0) << read_file(log_);
}

// A whole server hangs (every process stopped: connections open, nothing
// answers) while its databases outnumber the daemon's ticker threads: they
// hold the threads they have, the pool grows, and the database on the other
// server goes on ticking. The server wakes up: all of them tick again.
TEST_F(FleetTest, HungServerHoldsOnlyItsOwnThreads)
{
    constexpr int hung_count = 6; // more than Supervisor::ticker_workers
    OwnCluster other(dir_.path());
    install_with_queue(dir_, other.conninfo("postgres"), "template");
    std::string list = "good = " + dsn() + "\n";
    std::vector<std::string> hung = other.copies("postgres", "hung", hung_count, list);
    install_with_queue(dir_, dsn(), "good");
    auto ini = write_config("loop_delay = 0.2\nmaint_delay = 1\nticker_log_delay = 2\n"
                            "logfile = " +
                            log_.string() + "\n[databases]\n" + list);
    auto daemon = start_daemon(ini);
    std::vector<std::string> all = hung;
    all.push_back(dsn());
    ASSERT_TRUE(all_tick(all, 30s)) << read_file(log_);

    {
        FrozenProcesses frozen(cluster_processes(other.pgdata()));
        ASSERT_GT(frozen.size(), 1u);
        for (int round = 0; round < 5; ++round)
            EXPECT_TRUE(all_tick({dsn()}, 5s)) << round << "\n" << read_file(log_);
        EXPECT_NE(read_file(log_).find("held by slow databases; one more started"),
                  std::string::npos)
            << read_file(log_);
    }
    EXPECT_TRUE(all_tick(all, 60s)) << read_file(log_);
    EXPECT_LE(thread_count(daemon->pid()), 24);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// A fleet database is probed only as often as its queues need: one whose
// queue allows 2 s of lag is looked at about every 2 s, one whose queue
// allows none every loop_delay; an event in the idle one is still ticked.
TEST_F(FleetTest, IdleDatabasesAreProbedAsOftenAsTheirQueuesNeed)
{
    std::string eager = extra_db("eager");
    install_with_queue(dir_, dsn(), "idle");
    install_with_queue(dir_, Cluster::get().conninfo(eager), "eager");
    {
        auto conn = db::Connection::open(dsn(), "pgqadm-test");
        conn.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '2 seconds'),"
                  "       pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')");
        auto other = db::Connection::open(Cluster::get().conninfo(eager), "pgqadm-test");
        other.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '0')");
    }
    auto ini =
        write_config("loop_delay = 0.2\nmetrics_listen = 127.0.0.1:0\nlogfile = " + log_.string() +
                     "\n[databases]\neager = " + Cluster::get().conninfo(eager) + "\n");
    auto daemon = start_daemon(ini);
    int port = 0;
    ASSERT_TRUE(wait_until([&] { return (port = metrics_port(read_file(log_))) > 0; }, 20s));
    ASSERT_TRUE(wait_until([&] { return rounds_of(http_get(port, "/metrics"), dbname_) > 0; }, 20s))
        << read_file(log_);

    std::string first = http_get(port, "/metrics");
    auto started = std::chrono::steady_clock::now();
    long idle_before = rounds_of(first, dbname_);
    long eager_before = rounds_of(first, "eager");
    std::string last;
    ASSERT_TRUE(wait_until(
        [&] {
            last = http_get(port, "/metrics");
            return rounds_of(last, dbname_) >= idle_before + 5;
        },
        60s))
        << last;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    long idle_rounds = rounds_of(last, dbname_) - idle_before;
    long eager_rounds = rounds_of(last, "eager") - eager_before;
    // Rounds only come later than planned, never sooner: about every 2 s
    // (sooner for the idle ticks of the first seconds, 1, 2, 4 s apart), where
    // fixed rounds would come every 0.2 s.
    EXPECT_GE(seconds / static_cast<double>(idle_rounds), 1.0) << last;
    EXPECT_GE(eager_rounds, 3 * idle_rounds) << last;

    // An event in the idle database is ticked within its lag as ever.
    long long before = newest_tick(dsn());
    {
        auto conn = db::Connection::open(dsn(), "pgqadm-test");
        conn.exec("select pgq.insert_event('q', 'x', 'y')");
    }
    EXPECT_TRUE(wait_until([&] { return newest_tick(dsn()) > before; }, 20s)) << read_file(log_);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// Every queue_refresh_period a round's probe also reads a fingerprint of
// pgq.queue, and the queue list is read again only if it changed: a change
// made with plain SQL (no pgqadm command, so no NOTIFY) counts from the next
// check, and an unchanged list is not read again at all (at 500 databases
// that was a query every 60 ms).
TEST_F(FleetTest, QueueListIsReadAgainOnlyWhenPgqQueueChanged)
{
    install_with_queue(dir_, dsn(), "plainsql");
    auto conn = db::Connection::open(dsn(), "pgqadm-test");
    // An event waits up to an hour for its tick.
    conn.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '1 hour'),"
              "       pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')");
    auto ticks = [&] { return conn.exec("select count(*) from pgq.tick").as_int(0, 0); };
    // The first round ticks the queue once (it has only the tick of its
    // creation); then it is quiet.
    long long first = ticks();
    int port = 0;
    auto daemon = start_checking_daemon(port);
    ASSERT_TRUE(wait_until([&] { return ticks() > first; }, 20s)) << read_file(log_);
    EXPECT_EQ(list_reads_over_rounds(port, 3), 0u) << read_file(log_);

    conn.exec("select pgq.insert_event('q', 'x', 'waits')");
    long long quiet = ticks();
    conn.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '0')");
    EXPECT_TRUE(wait_until([&] { return ticks() > quiet; }, 15s)) << read_file(log_);
    // A queue made with plain SQL is ticked too.
    conn.exec("select pgq.create_queue('q2')");
    conn.exec("select pgq.set_queue_config('q2', 'ticker_max_lag', '0')");
    conn.exec("select pgq.insert_event('q2', 'x', 'new queue')");
    EXPECT_TRUE(wait_until([&] { return ticks_of(conn, "q2") >= 2; }, 15s)) << read_file(log_);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// Over probe_chunk (500) queues the probe takes more than one statement; only
// the first reads the state of pgq.queue. A queue in a later statement is
// ticked, and the unchanged list is not read again.
TEST_F(FleetTest, QueuesBeyondTheFirstProbeStatementAreTickedAndTheListKept)
{
    install_with_queue(dir_, dsn(), "q");
    auto conn = db::Connection::open(dsn(), "pgqadm-test");
    // Probed in name order: 'q' and z0001..z0499 fill the first statement.
    conn.exec("select count(pgq.create_queue('z' || lpad(i::text, 4, '0')))"
              "  from generate_series(1, 510) i");
    conn.exec("select pgq.set_queue_config(queue_name, 'ticker_max_lag', '1 hour'),"
              "       pgq.set_queue_config(queue_name, 'ticker_idle_period', '1 hour')"
              "  from pgq.queue");
    int port = 0;
    auto daemon = start_checking_daemon(port);
    ASSERT_TRUE(
        wait_until([&] { return rounds_of(http_get(port, "/metrics"), dbname_) >= 1; }, 30s))
        << read_file(log_);
    EXPECT_EQ(list_reads_over_rounds(port, 4), 0u) << read_file(log_);

    long long before = ticks_of(conn, "z0510");
    conn.exec("select pgq.insert_event('z0510', 'x', 'in the second statement')");
    conn.exec("select pgq.set_queue_config('z0510', 'ticker_max_lag', '0')");
    EXPECT_TRUE(wait_until([&] { return ticks_of(conn, "z0510") > before; }, 15s))
        << read_file(log_);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// Retry events come back into their queue over the ticker's own connection,
// not over one opened for the purpose every retry_delay: at 500 databases
// that would be a new backend every few milliseconds.
TEST_F(FleetTest, RetryEventsMoveOnTheTickerConnection)
{
    install_with_queue(dir_, dsn(), "retry");
    std::string no_pgq = extra_db("nopgq"); // a second database: the fleet daemon
    auto conn = db::Connection::open(dsn(), "pgqadm-test");
    conn.exec("select pgq.register_consumer('q', 'c')");
    conn.exec("select pgq.insert_event('q', 'again', 'payload')");
    // A tick now, however soon after the queue's first (ticker_max_lag).
    conn.exec("select pgq.force_tick('q')");
    conn.exec("select pgq.ticker('q')");
    long long batch = conn.exec("select pgq.next_batch('q', 'c')").as_int(0, 0);
    conn.exec("select pgq.event_retry($1, ev_id, 2) from pgq.get_batch_events($1)",
              {std::to_string(batch)});
    conn.exec("select pgq.finish_batch($1)", {std::to_string(batch)});
    ASSERT_EQ(conn.exec("select count(*) from pgq.retry_queue").as_int(0, 0), 1);
    // Who writes the event back into its queue's tables.
    create_writer_log(conn);
    db::Result tables = conn.exec("select q.queue_data_pfx || '_' || n from pgq.queue q,"
                                  " generate_series(0, q.queue_ntables - 1) n"
                                  " where q.queue_name = 'q'");
    for (int i = 0; i < tables.rows(); ++i)
        conn.exec("create trigger note_writer after insert on " + tables.get(i, 0) +
                  " for each row execute function public.note_writer()");

    auto ini = write_config(
        "loop_delay = 0.2\nretry_delay = 1\nmaint_delay = 3600\nlogfile = " + log_.string() +
        "\n[databases]\nnopgq = " + Cluster::get().conninfo(no_pgq) + "\n");
    auto daemon = start_daemon(ini);
    ASSERT_TRUE(wait_until(
        [&] { return conn.exec("select count(*) from pgq.retry_queue").as_int(0, 0) == 0; }, 30s))
        << read_file(log_);
    db::Result writers = conn.exec("select app from public.writers");
    ASSERT_EQ(writers.rows(), 1) << read_file(log_);
    EXPECT_TRUE(is_ticker_connection(writers.get(0, 0))) << writers.get(0, 0);
    EXPECT_TRUE(wait_until(
        [&] { return read_file(log_).find("Got 1 events for retry") != std::string::npos; }, 10s))
        << read_file(log_);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// A fleet database's maintenance runs on its ticker's connection: a new
// backend for each run would load the database's catalogs and compile the
// maintenance functions again, many times the cost of the work itself.
TEST_F(FleetTest, MaintenanceRunsOnTheTickerConnection)
{
    install_with_queue(dir_, dsn(), "maint");
    std::string no_pgq = extra_db("nopgq"); // a second database: the fleet daemon
    auto conn = db::Connection::open(dsn(), "pgqadm-test");
    conn.exec("select pgq.set_queue_config('q', 'rotation_period', '1 second')");
    // Who rotates the queue's tables.
    create_writer_log(conn);
    conn.exec("create trigger note_writer after update on pgq.queue for each row"
              " when (old.queue_cur_table is distinct from new.queue_cur_table)"
              " execute function public.note_writer()");

    auto ini = write_config("loop_delay = 0.2\nmaint_delay = 1\nlogfile = " + log_.string() +
                            "\n[databases]\nnopgq = " + Cluster::get().conninfo(no_pgq) + "\n");
    auto daemon = start_daemon(ini);
    ASSERT_TRUE(wait_until(
        [&] { return conn.exec("select count(*) from public.writers").as_int(0, 0) >= 2; }, 30s))
        << read_file(log_);
    db::Result rotators = conn.exec("select distinct app from public.writers");
    ASSERT_EQ(rotators.rows(), 1) << read_file(log_);
    EXPECT_TRUE(is_ticker_connection(rotators.get(0, 0))) << rotators.get(0, 0);
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(60s), 0) << read_file(log_);
}

// The smallest pgqd.ini there is: every database of the server, found
// through template1; one without pgq is logged once, templates are left alone.
TEST_F(FleetTest, MinimalPgqdIniDiscoversAddsAndRetires)
{
    OwnCluster own(dir_.path());
    install_with_queue(dir_, own.conninfo("postgres"), "postgres");
    {
        auto admin = own.connect("template1");
        admin.exec("create database nopgq");
    }
    own.export_env(); // pgqd's empty base_connstr: libpq's environment
    auto minimal = dir_ / "minimal.ini";
    write_file(minimal, "[pgqd]\nlogfile = " + log_.string() + "\nsyslog = 0\n");
    {
        auto daemon = start_daemon(minimal);
        EXPECT_TRUE(all_tick({own.conninfo("postgres")}, 20s)) << read_file(log_);
        EXPECT_TRUE(wait_until(
            [&] {
                return read_file(log_).find("nopgq: pgq is not installed") != std::string::npos;
            },
            20s));
        EXPECT_EQ(read_file(log_).find("serving database template"), std::string::npos);
        daemon->signal(SIGINT);
        EXPECT_EQ(daemon->wait(30s), 0);
    }

    // Add and drop databases while it runs (check_period 1).
    auto quick = dir_ / "quick.ini";
    write_file(quick, "[pgqd]\nlogfile = " + log_.string() +
                          "\nsyslog = 0\ncheck_period = 1\nticker_period = 0.2\n");
    write_file(log_, "");
    auto daemon = start_daemon(quick);
    EXPECT_TRUE(all_tick({own.conninfo("postgres")}, 20s));
    {
        auto admin = own.connect("template1");
        admin.exec("create database added");
    }
    install_with_queue(dir_, own.conninfo("added"), "added");
    // Ticked within check_period (+ the recheck of a database without pgq).
    EXPECT_TRUE(all_tick({own.conninfo("added")}, 10s)) << read_file(log_);
    EXPECT_TRUE(all_tick({own.conninfo("postgres")}, 5s));
    {
        auto admin = own.connect("template1");
        admin.exec("drop database added with (force)");
    }
    EXPECT_TRUE(wait_until(
        [&] { return read_file(log_).find("added is gone from the list") != std::string::npos; },
        20s))
        << read_file(log_);
    EXPECT_TRUE(all_tick({own.conninfo("postgres")}, 5s));
    // nopgq is re-checked every second but logged once.
    std::string log = read_file(log_);
    std::size_t first = log.find("nopgq: pgq is not installed");
    ASSERT_NE(first, std::string::npos);
    EXPECT_EQ(log.find("nopgq: pgq is not installed", first + 1), std::string::npos) << log;
    daemon->signal(SIGINT);
    EXPECT_EQ(daemon->wait(30s), 0);
}

// 50 databases served by two daemons given the same list ([databases] in a
// file of its own, through %include); one is killed with SIGKILL: every
// database keeps ticking, and no database is ever ticked by both at once.
TEST_F(FleetTest, FiftyDatabasesTwoDaemonsOneKilled)
{
    constexpr int count = 50;
    OwnCluster own(dir_.path());
    install_with_queue(dir_, own.conninfo("postgres"), "template");
    {
        auto admin = own.connect("template1");
        admin.exec("create database fleet_template template postgres");
        admin.exec("alter database fleet_template is_template true");
    }
    std::string list;
    std::vector<std::string> conninfos = own.copies("fleet_template", "fleet", count, list);
    write_file(dir_ / "fleet-databases.ini", list);
    auto ini_for = [&](const std::string& job) {
        auto path = dir_ / (job + ".ini");
        write_file(path, "[pgqadm]\njob_name = " + job +
                             "\nloop_delay = 0.2\nmaint_delay = 5\nticker_log_delay = 5\n"
                             "logfile = " +
                             (dir_ / (job + ".log")).string() +
                             "\n[databases]\n%include fleet-databases.ini\n");
        return path;
    };
    OverlapMonitor monitor(own.conninfo("postgres"));
    auto a = start_daemon(ini_for("fleet_a"), "a.out");
    auto b = start_daemon(ini_for("fleet_b"), "b.out");
    ASSERT_TRUE(all_tick(conninfos, 60s)) << read_file(dir_ / "fleet_a.log");

    // A few threads, not one per database, and at most one ticker
    // connection per database and daemon (the standby's stays open).
    for (const auto* d : {a.get(), b.get()})
        EXPECT_LE(thread_count(d->pid()), 24) << "threads of a daemon serving 50 databases";
    {
        auto admin = own.connect("postgres");
        db::Result held =
            admin.exec("select application_name, count(*) from pg_stat_activity"
                       " where application_name in ('fleet_a ticker', 'fleet_b ticker')"
                       " group by 1");
        for (int i = 0; i < held.rows(); ++i)
            EXPECT_LE(held.as_int(i, 1), count) << held.get(i, 0);
    }

    // Who leads what: status names a live leader for every database.
    ProcResult st = run_pgqadm({ini_for("fleet_a").string(), "status", "--json"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    std::size_t led = 0;
    for (std::size_t at = st.out.find("\"state\":\"led\""); at != std::string::npos;
         at = st.out.find("\"state\":\"led\"", at + 1))
        ++led;
    EXPECT_EQ(led, static_cast<std::size_t>(count)) << st.out;

    a->signal(SIGKILL);
    a->wait(10s);
    // The survivor takes over every database the dead one led.
    EXPECT_TRUE(all_tick(conninfos, 60s)) << read_file(dir_ / "fleet_b.log");
    EXPECT_TRUE(all_tick(conninfos, 20s));
    ProcResult after = run_pgqadm({ini_for("fleet_b").string(), "status", "--json"});
    std::size_t by_b = 0;
    for (std::size_t at = after.out.find("fleet_b on "); at != std::string::npos;
         at = after.out.find("fleet_b on ", at + 1))
        ++by_b;
    EXPECT_EQ(by_b, static_cast<std::size_t>(count)) << after.out;
    EXPECT_TRUE(b->running());
    b->signal(SIGINT);
    EXPECT_EQ(b->wait(60s), 0);

    EXPECT_GT(monitor.samples(), 10);
    for (const auto& v : monitor.violations())
        ADD_FAILURE() << v;
}

// syslog = 1 goes through syslog(3): with ident and facility as configured.
// Needs to stand in for the system logger at /dev/log: skipped where one
// runs (or without root).
TEST_F(FleetTest, SyslogCarriesIdentAndFacility)
{
    if (geteuid() != 0 || std::filesystem::exists("/dev/log"))
        GTEST_SKIP() << "needs root and no system logger at /dev/log";
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, "/dev/log");
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string received;
    {
        install_with_queue(dir_, dsn(), "a");
        auto ini = dir_ / "syslog.ini";
        write_file(ini, "[pgqd]\nbase_connstr = " + shared_base() + "\ndatabase_list = " + dbname_ +
                            "\nsyslog_ident = pgqd_syslog_test\nsyslog_facility = local3\n"
                            "stats_period = 0.5\nticker_period = 0.2\n");
        auto daemon = start_daemon(ini);
        timeval tv{0, 200000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        wait_until(
            [&] {
                char buf[4096];
                ssize_t n = recv(fd, buf, sizeof buf, 0);
                if (n > 0)
                    received.append(buf, static_cast<std::size_t>(n)).append("\n");
                return received.find("pgqd_syslog_test[") != std::string::npos &&
                       received.find(dbname_ + ": {ticks: ") != std::string::npos;
            },
            30s, 1ms);
        daemon->signal(SIGINT);
        daemon->wait(30s);
    }
    close(fd);
    unlink("/dev/log");
    // <158>: facility local3 (19 * 8) + info (6); the message alone, no newline.
    EXPECT_NE(received.find("<158>"), std::string::npos) << received;
    EXPECT_NE(received.find("pgqd_syslog_test["), std::string::npos) << received;
    EXPECT_NE(received.find(": " + dbname_ + ": {ticks: "), std::string::npos) << received;
    EXPECT_EQ(received.find("\n\n"), std::string::npos) << received;
}
