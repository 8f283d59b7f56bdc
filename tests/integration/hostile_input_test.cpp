// Hostile-input sweep: every command with junk names (quotes, backslashes,
// semicolons, '%', fmt braces, NUL-free binary junk, 10,000 characters,
// unicode) and junk config files (empty, binary, huge, recursive
// interpolation). Each run must end cleanly — exit 0 with an exact result, or
// exit 1 with exactly one log record on stderr — never a crash, a hang or a
// sanitizer report; a canary table proves that no SQL got injected.
// (tests/integration/admin_*_test.cpp cover the ordinary admin behaviour.)
#include "pgqadm/log/printable.hpp"
#include "support/test_support.hpp"

#include <signal.h>

#include <algorithm>
#include <random>
#include <regex>

using namespace pgqadm::test;
namespace fs = std::filesystem;

namespace {

/// Printable form of a junk string for failure messages.
std::string shown(const std::string& s)
{
    std::string out;
    for (unsigned char c : s.substr(0, 60)) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return s.size() > 60 ? out + "...(" + std::to_string(s.size()) + " bytes)" : out;
}

bool valid_utf8(const std::string& s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > s.size())
            return false;
        for (int k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) >> 6) != 2)
                return false;
        i += static_cast<std::size_t>(len);
    }
    return true;
}

std::vector<std::string> junk_names()
{
    std::vector<std::string> names{
        "q'uote",
        "it''s",
        "d\"quote",
        "\"; drop table public.canary; --",
        "x'); drop table public.canary; --",
        "x', 'y'); delete from public.canary; --",
        "back\\slash",
        "\\'",
        "trail\\",
        "\\\\\"\\",
        "semi;colon",
        "; select pg_sleep(30); --",
        "100%",
        "%s%d%n%x%p",
        "%(job_name)s",
        "%%",
        "{}",
        "{:>100000000}",
        "{0}{1}{2}",
        "$1",
        "$$dollar$$",
        "E'\\x41'",
        "pgq.event_1",
        "public.canary",
        "tab\there",
        "new\nline 2026-01-01 00:00:00,000 1 CRITICAL forged",
        "cr\rret",
        "\x1b[31mred\x1b[0m",
        "ünïcödé",
        "очередь",
        "队列",
        "😀🎉",
        "a\u200db",
        "\u202eRTL",
        "e\u0301",
        std::string(10000, 'x'),
        [] {
            std::string s;
            for (int i = 0; i < 2500; ++i)
                s += "é😀";
            return s.substr(0, 10000);
        }(),
        "-dash",
        "--force",
        " leading space",
        "",
    };
    std::mt19937 rng(20261125);
    for (int n = 0; n < 4; ++n) {
        std::string s;
        for (int i = 0; i < 64; ++i)
            s += static_cast<char>(std::uniform_int_distribution<int>(1, 255)(rng));
        names.push_back(s);
    }
    return names;
}

std::string comment_lines(std::size_t bytes)
{
    std::string out;
    out.reserve(bytes + 200);
    while (out.size() < bytes)
        out += "; " + std::string(150, 'c') + "\n";
    return out;
}

const std::regex record_start(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ [A-Z]+ )");

class HostileInput : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
        auto conn = connect();
        conn.exec("create table public.canary (id int primary key, v text);"
                  "insert into public.canary values (1, 'alive')");
        relations_ = count_relations();
        cfg_ = write_config("", "hostile.ini");
    }

    long long count_relations()
    {
        return std::stoll(scalar("select count(*) from pg_class c join pg_namespace n"
                                 " on n.oid = c.relnamespace where n.nspname not like 'pg_%'"
                                 " and n.nspname <> 'information_schema'")
                              .value_or("-1"));
    }

    void expect_canary_alive()
    {
        EXPECT_EQ(scalar("select string_agg(id || ':' || v, ',') from public.canary"), "1:alive");
        EXPECT_EQ(count_relations(), relations_) << "tables appeared or disappeared";
        EXPECT_EQ(scalar("select count(*) from pg_namespace where nspname not like 'pg_%'"
                         " and nspname not in ('information_schema', 'public', 'pgq')"),
                  "0");
    }

    /// Runs pgqadm -q and checks the run ended cleanly; returns the result.
    ProcResult pgqadm(std::vector<std::string> args, const fs::path& config = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30))
    {
        args.insert(args.begin(), (config.empty() ? cfg_ : config).string());
        args.insert(args.begin(), "-q");
        auto started = std::chrono::steady_clock::now();
        ProcResult r = run_pgqadm(args, timeout);
        auto took = std::chrono::steady_clock::now() - started;
        std::string what = "pgqadm";
        for (const auto& a : args)
            what += " [" + shown(a) + "]";
        SCOPED_TRACE(what);
        EXPECT_LT(took, timeout) << "killed after the timeout";
        EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1)
            << "exit " << r.exit_code << "\nstderr: " << shown(r.err);
        EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << r.err;
        if (r.exit_code == 1) {
            // One record: one line, or one timestamped record whose message
            // echoes a name that itself contains line breaks.
            std::string err = r.err;
            while (!err.empty() && err.back() == '\n')
                err.pop_back();
            EXPECT_FALSE(err.empty()) << "failed without a message";
            std::size_t records = 0, lines = 0;
            std::size_t pos = 0;
            while (pos <= err.size()) {
                auto nl = err.find('\n', pos);
                std::string line = err.substr(pos, nl == std::string::npos ? nl : nl - pos);
                ++lines;
                if (std::regex_search(line, record_start))
                    ++records;
                if (nl == std::string::npos)
                    break;
                pos = nl + 1;
            }
            bool multiline_arg = std::any_of(args.begin(), args.end(), [](const std::string& a) {
                return a.find('\n') != std::string::npos;
            });
            if (multiline_arg)
                EXPECT_LE(records, 1u) << shown(r.err);
            else
                EXPECT_EQ(lines, 1u) << shown(r.err);
        }
        return r;
    }

    long long queue_count(const std::string& name)
    {
        return std::stoll(
            scalar("select count(*) from pgq.queue where queue_name = $1", {name}).value_or("-1"));
    }
    long long subscription_count(const std::string& queue, const std::string& consumer)
    {
        return std::stoll(scalar("select count(*) from pgq.subscription s"
                                 "  join pgq.queue q on q.queue_id = s.sub_queue"
                                 "  join pgq.consumer c on c.co_id = s.sub_consumer"
                                 " where q.queue_name = $1 and c.co_name = $2",
                                 {queue, consumer})
                              .value_or("-1"));
    }

    fs::path cfg_;
    long long relations_ = 0;
};

} // namespace

TEST_F(HostileInput, EveryQueueCommandWithJunkNamesEndsCleanlyOrExactly)
{
    for (const std::string& name : junk_names()) {
        SCOPED_TRACE("name: " + shown(name));
        bool utf8 = valid_utf8(name);
        bool dashed = !name.empty() && name[0] == '-';

        ProcResult created = pgqadm({"create", name});
        if (!utf8 || dashed) {
            EXPECT_EQ(created.exit_code, 1);
            if (utf8) {
                EXPECT_EQ(queue_count(name), 0);
            }
            continue;
        }
        bool exists = queue_count(name) == 1;
        EXPECT_EQ(exists, created.exit_code == 0);
        ProcResult again = pgqadm({"create", name});
        EXPECT_EQ(again.exit_code, created.exit_code);
        EXPECT_EQ(queue_count(name), exists ? 1 : 0);

        ProcResult reg = pgqadm({"register", name, name});
        EXPECT_EQ(reg.exit_code, exists ? 0 : 1);
        EXPECT_EQ(subscription_count(name, name), exists ? 1 : 0);

        ProcResult shown_cfg = pgqadm({"config", name});
        EXPECT_EQ(shown_cfg.exit_code, exists ? 0 : 1);

        ProcResult set = pgqadm({"config", name, "ticker_max_count=" + std::to_string(777)});
        EXPECT_EQ(set.exit_code, exists ? 0 : 1);
        if (exists) {
            EXPECT_EQ(scalar("select queue_ticker_max_count from pgq.queue where queue_name = $1",
                             {name}),
                      "777");
        }

        ProcResult unreg = pgqadm({"unregister", name, name});
        EXPECT_EQ(unreg.exit_code, exists ? 0 : 1);
        EXPECT_EQ(subscription_count(name, name), 0);

        ProcResult dropped = pgqadm({"drop", name});
        EXPECT_EQ(dropped.exit_code, exists ? 0 : 1);
        EXPECT_EQ(queue_count(name), 0);
        ProcResult dropped_again = pgqadm({"drop", name});
        EXPECT_EQ(dropped_again.exit_code, 1);
    }
    expect_canary_alive();
}

TEST_F(HostileInput, JunkConsumerNamesOnARealQueue)
{
    ASSERT_EQ(pgqadm({"create", "okq"}).exit_code, 0);
    for (const std::string& name : junk_names()) {
        SCOPED_TRACE("consumer: " + shown(name));
        bool ok_name = valid_utf8(name) && !(name.size() && name[0] == '-');
        ProcResult reg = pgqadm({"register", "okq", name});
        if (!ok_name) {
            EXPECT_EQ(reg.exit_code, 1);
            continue;
        }
        bool registered = subscription_count("okq", name) == 1;
        EXPECT_EQ(registered, reg.exit_code == 0);
        ProcResult unreg = pgqadm({"unregister", "okq", name});
        EXPECT_EQ(unreg.exit_code, registered ? 0 : 1);
        EXPECT_EQ(subscription_count("okq", name), 0);
    }
    // Junk where a queue name is expected, with a real consumer name.
    for (const std::string& name : junk_names()) {
        SCOPED_TRACE("queue: " + shown(name));
        ProcResult reg = pgqadm({"register", name, "c1"});
        EXPECT_EQ(reg.exit_code, 1);
        ProcResult unreg = pgqadm({"unregister", name, "c1"});
        EXPECT_EQ(unreg.exit_code, 1);
    }
    EXPECT_EQ(scalar("select count(*) from pgq.subscription"), "0");
    expect_canary_alive();
}

TEST_F(HostileInput, JunkConfigSettingsAndCommandNames)
{
    ASSERT_EQ(pgqadm({"create", "okq"}).exit_code, 0);
    auto before = scalar("select row(q.*)::text from pgq.queue q where queue_name = 'okq'");
    std::vector<std::string> values{"1; drop table public.canary",
                                    "'",
                                    "1' or '1'='1",
                                    "\\",
                                    "%s",
                                    "{}",
                                    "1e9999",
                                    "99999999999999999999",
                                    std::string(10000, '9'),
                                    "١٢٣",
                                    "",
                                    "1 day'; drop table public.canary; --",
                                    "-1 year",
                                    "\xff\xfe"};
    for (const char* key : {"ticker_max_count", "ticker_max_lag", "ticker_paused", "per_tx_limit",
                            "rotation_period"}) {
        for (const std::string& v : values) {
            ProcResult r = pgqadm({"config", "okq", std::string(key) + "=" + v});
            (void)r; // a clean refusal or an exact change: checked below for a few
        }
    }
    for (const std::string& name : junk_names()) {
        if (!valid_utf8(name) || (name.size() && name[0] == '-'))
            continue;
        EXPECT_EQ(pgqadm({"config", "okq", name + "=1"}).exit_code, 1) << shown(name);
        EXPECT_EQ(pgqadm({"config", "okq", "ticker_max_count=" + name}).exit_code, 1)
            << shown(name);
        EXPECT_EQ(pgqadm({name}).exit_code, 1) << "as a command: " << shown(name);
    }
    for (const std::string& arg : {std::string("="), std::string("a=b=c"),
                                   std::string("ticker_max_count"), std::string("=1")})
        EXPECT_EQ(pgqadm({"config", "okq", arg}).exit_code, 1) << arg;
    // The queue row may have changed through accepted values, but nothing else did:
    // put the settings back and compare the whole row.
    auto conn = connect();
    conn.exec("update pgq.queue set queue_ticker_max_count = 500,"
              " queue_ticker_max_lag = '3 seconds', queue_ticker_paused = false,"
              " queue_per_tx_limit = null, queue_rotation_period = '2 hours'"
              " where queue_name = 'okq'");
    EXPECT_EQ(scalar("select row(q.*)::text from pgq.queue q where queue_name = 'okq'"), before);
    expect_canary_alive();
}

TEST_F(HostileInput, TickerAndStatusWorkWithJunkQueueNames)
{
    std::vector<std::string> created;
    for (const std::string& name : junk_names()) {
        if (!valid_utf8(name) || (name.size() && name[0] == '-'))
            continue;
        if (pgqadm({"create", name}).exit_code == 0)
            created.push_back(name);
    }
    ASSERT_GT(created.size(), 20u);
    auto conn = connect();
    bool notify = false;
    for (const auto& q : created) {
        conn.exec("select pgq.set_queue_config($1, 'ticker_max_lag', '0.2 seconds')", {q});
        // Every other queue wakes the ticker: junk names as NOTIFY payloads.
        if ((notify = !notify))
            conn.exec("select pgq.set_queue_config($1, 'ticker_notify', 'on')", {q});
        conn.exec("select pgq.insert_event($1, 'junk', $1)", {q});
    }
    auto cfg = write_config("loop_delay = 0.1\nmaint_delay = 1\n", "ticker.ini");
    Process ticker({pgqadm_binary(), cfg.string(), "ticker"}, dir_ / "ticker.log");
    // Every queue gets its second tick (create_queue made the first one).
    bool ticked = wait_until(
        [&] {
            return scalar("select count(*) from pgq.queue q where (select count(*) from pgq.tick"
                          " where tick_queue = q.queue_id) < 2") == "0";
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(ticked) << read_file(dir_ / "ticker.log");
    ProcResult status = pgqadm({"status"});
    EXPECT_EQ(status.exit_code, 0);
    ProcResult json = pgqadm({"status", "--json"});
    EXPECT_EQ(json.exit_code, 0);
    ProcResult all = pgqadm({"config"});
    EXPECT_EQ(all.exit_code, 0);
    for (const auto& q : created)
        EXPECT_NE(all.out.find(pgqadm::log::printable(q).substr(0, 100)), std::string::npos)
            << shown(q);
    ticker.signal(SIGINT);
    EXPECT_EQ(ticker.wait(std::chrono::seconds(30)), 0) << read_file(dir_ / "ticker.log");
    for (const auto& q : created)
        EXPECT_EQ(pgqadm({"drop", q}).exit_code, 0) << shown(q);
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "0");
    expect_canary_alive();
}

TEST_F(HostileInput, JunkConfigFilesEndInOneCleanError)
{
    std::mt19937 rng(4711);
    auto random_bytes = [&](std::size_t n, bool with_nul) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i)
            s += static_cast<char>(std::uniform_int_distribution<int>(with_nul ? 0 : 1, 255)(rng));
        return s;
    };
    std::string db = "db = " + dsn() + "\n";
    std::vector<std::pair<std::string, std::string>> files{
        {"empty", ""},
        {"only-newlines", std::string(1000, '\n')},
        {"binary", random_bytes(4096, true)},
        {"binary-nul-free", random_bytes(4096, false)},
        {"bom-and-junk", "\xef\xbb\xbf[pgqadm]\n\xff\xfe = \x80\n"},
        {"no-section", db},
        {"wrong-section", "[pgq]\n" + db},
        {"section-junk", "[pgqadm\n" + db},
        {"self-recursive", "[pgqadm]\ndb = %(db)s\n"},
        {"mutual-recursive", "[pgqadm]\ndb = %(a)s\na = %(b)s\nb = %(db)s\n"},
        {"default-recursive", "[DEFAULT]\nx = %(y)s\ny = %(x)s\n[pgqadm]\ndb = %(x)s\n"},
        {"unterminated", "[pgqadm]\n" + db + "job_name = %(db\n"},
        {"bad-percent", "[pgqadm]\n" + db + "job_name = 100%\n"},
        {"missing-ref", "[pgqadm]\n" + db + "job_name = %(nope)s\n"},
        {"bad-number", "[pgqadm]\n" + db + "loop_delay = 1; drop table public.canary\n"},
        {"nan-number", "[pgqadm]\n" + db + "loop_delay = nan\n"},
        {"huge-number", "[pgqadm]\n" + db + "log_size = 99999999999999999999999\n"},
        {"long-line", "[pgqadm]\n" + db + "job_name = " + std::string(100000, 'j') + "\n"},
        {"no-db", "[pgqadm]\njob_name = x\n"},
        {"db-junk", "[pgqadm]\ndb = host=' dbname=\"; drop table public.canary\n"},
    };
    // Huge: 5 MB of comments before a broken section (30 MB: see HugeConfigFiles below).
    files.emplace_back("huge",
                       comment_lines(5u << 20) + "[pgqadm]\njob_name = %(job_name)s\n" + db);
    for (const auto& [label, text] : files) {
        SCOPED_TRACE("config: " + label);
        auto path = dir_ / (label + ".ini");
        write_file(path, text);
        for (const char* cmd : {"status", "create", "ticker"}) {
            // A loadable config with a broken db: the ticker rightly keeps retrying.
            if (label == "db-junk" && std::string(cmd) == "ticker")
                continue;
            std::vector<std::string> args{cmd};
            if (std::string(cmd) == "create")
                args.push_back("q_from_" + label);
            ProcResult r = pgqadm(args, path, std::chrono::seconds(60));
            EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.out << r.err;
        }
    }
    EXPECT_EQ(scalar("select count(*) from pgq.queue"), "0");
    expect_canary_alive();
}

TEST_F(HostileInput, HugeValidConfigAndJunkPathsWork)
{
    std::string huge = "[pgqadm]\njob_name = huge_%(x)s\nx = %(y)s%(y)s%(y)s\ny = yy\n";
    for (int i = 0; i < 40000; ++i)
        huge += "# comment line " + std::to_string(i) + " ;'\"\\%(x)s\n";
    huge += "db = " + dsn() + "\n";
    auto big = dir_ / "huge-valid.ini";
    write_file(big, huge);
    EXPECT_EQ(pgqadm({"create", "q_huge"}, big).exit_code, 0);
    EXPECT_EQ(queue_count("q_huge"), 1);

    // Config paths with junk characters; a directory and a missing file.
    for (const std::string& dirname :
         {std::string("it's; \"dir\" %s {} \\"), std::string("дир 😀")}) {
        fs::create_directories(dir_ / dirname);
        auto path = dir_ / dirname / "p'q;%s.ini";
        write_file(path, "[pgqadm]\ndb = " + dsn() + "\n");
        EXPECT_EQ(pgqadm({"config", "q_huge"}, path).exit_code, 0) << dirname;
    }
    EXPECT_EQ(pgqadm({"status"}, dir_.path()).exit_code, 1);
    EXPECT_EQ(pgqadm({"status"}, dir_ / "missing'; drop table canary.ini").exit_code, 1);
    expect_canary_alive();
}

// Exponential interpolation ("billion laughs"): 8 levels of 10 references
// would expand to a 100 MB value within ConfigParser's depth limit of 10;
// the parser caps the expanded length and refuses quickly.
TEST_F(HostileInput, ExponentialInterpolationIsBounded)
{
    std::string text = "[pgqadm]\ndb = %(k0)s\n";
    for (int i = 0; i < 8; ++i) {
        text += "k" + std::to_string(i) + " = ";
        for (int r = 0; r < 10; ++r)
            text += "%(k" + std::to_string(i + 1) + ")s";
        text += "\n";
    }
    text += "k8 = x\n";
    auto path = dir_ / "laughs.ini";
    write_file(path, text);
    ProcResult r = pgqadm({"status"}, path, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 1);
    expect_canary_alive();
}

// Config files of tens of MB parse in linear time (the line check once was
// quadratic: 200,000 lines took more than 20 s, and 30 MB would take hours).
// The limit is far above the linear time (under a second) so that a loaded
// machine does not fail it.
TEST_F(HostileInput, HugeConfigFilesParseQuickly)
{
    constexpr auto limit = std::chrono::seconds(60);
    auto broken = dir_ / "huge-broken.ini";
    write_file(broken, comment_lines(30u << 20) + "[pgqadm]\njob_name = %(job_name)s\n");
    EXPECT_EQ(pgqadm({"status"}, broken, limit).exit_code, 1);
    auto valid = dir_ / "huge-valid.ini";
    write_file(valid, comment_lines(30u << 20) + "[pgqadm]\ndb = " + dsn() + "\n");
    EXPECT_EQ(pgqadm({"create", "q_huge"}, valid, limit).exit_code, 0);
    expect_canary_alive();
}
