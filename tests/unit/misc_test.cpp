#include "pgqadm/daemon/pidfile.hpp"
#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/log/log.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/file.h>
#include <unistd.h>

using namespace pgqadm;

TEST(LogFormat, MatchesSkyToolsLines)
{
    std::string line = log::format_line("WARNING", "No pidfile in config, nothing todo");
    std::regex re(
        R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ WARNING No pidfile in config, nothing todo\n$)");
    EXPECT_TRUE(std::regex_match(line, re)) << line;
    EXPECT_NE(log::format_line("DEBUG", "x").find(" DEBUG x"), std::string::npos);
    EXPECT_NE(log::format_line("CRITICAL", "x").find(" CRITICAL x"), std::string::npos);
    EXPECT_NE(log::format_line("INFO", "x").find(" " + std::to_string(getpid()) + " INFO x"),
              std::string::npos);
}

TEST(ConnInfo, PasswordsAreMasked)
{
    EXPECT_EQ(db::mask_password("dbname=x password=s3cret").find("s3cret"), std::string::npos);
    EXPECT_NE(db::mask_password("dbname=x password=s3cret").find("password='***'"),
              std::string::npos);
    EXPECT_EQ(db::mask_password("postgresql://u:s3cret@h/db").find("s3cret"), std::string::npos);
    EXPECT_EQ(db::mask_password("dbname=x password='s3 cret").find("s3"), std::string::npos);
    EXPECT_EQ(db::scrub_secret("failed for s3cret here", "password=s3cret"), "failed for *** here");
}

TEST(ConnInfo, ConnectTimeoutDefaultComesBeforeTheUsersString)
{
    auto p = db::make_conn_params("dbname=x connect_timeout=3", "job");
    ASSERT_EQ(p.keywords.size(), 3u);
    EXPECT_EQ(p.keywords[0], "connect_timeout");
    EXPECT_EQ(p.values[0], "15");
    EXPECT_EQ(p.keywords.back(), "dbname"); // expanded last: the user's values win
    EXPECT_EQ(p.values.back(), "dbname=x connect_timeout=3");
}

class PidFileTest : public ::testing::Test {
  protected:
    std::string path = "/tmp/pgqadm-unit-" + std::to_string(getpid()) + ".pid";
    void TearDown() override { std::filesystem::remove(path); }
    void write(const std::string& text) { std::ofstream(path) << text; }
};

TEST_F(PidFileTest, WritesOurPidWithoutNewlineAndRemovesIt)
{
    {
        auto pf = daemon::PidFile::acquire(path);
        std::ifstream in(path);
        std::string content((std::istreambuf_iterator<char>(in)), {});
        EXPECT_EQ(content, std::to_string(getpid()));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PidFileTest, StalePidfileIsTakenOver)
{
    write("999999"); // above any pid this machine hands out
    auto pf = daemon::PidFile::acquire(path);
    EXPECT_EQ(daemon::read_pidfile(path), getpid());
}

TEST_F(PidFileTest, LivePidIsRefused)
{
    write(std::to_string(getppid()));
    EXPECT_THROW(daemon::PidFile::acquire(path), Error);
    EXPECT_TRUE(std::filesystem::exists(path)); // not ours: left alone
}

TEST_F(PidFileTest, LockedFileIsRefused)
{
    write("");
    int fd = open(path.c_str(), O_RDWR);
    ASSERT_EQ(flock(fd, LOCK_EX), 0);
    // flock locks belong to the open file description: a second open conflicts.
    try {
        daemon::PidFile::acquire(path);
        ADD_FAILURE() << "acquired a locked pidfile";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "Pidfile exists, another process running?");
    }
    close(fd);
}

TEST_F(PidFileTest, CorruptPidfileIsAnError)
{
    write("not a pid");
    try {
        daemon::read_pidfile(path);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "Corrupt pidfile: " + path);
    }
    EXPECT_THROW(daemon::PidFile::acquire(path), Error);
}

TEST_F(PidFileTest, SignalOutcomes)
{
    EXPECT_EQ(daemon::signal_pidfile("", SIGHUP), daemon::SignalOutcome::no_pidfile_key);
    EXPECT_EQ(daemon::signal_pidfile(path, SIGHUP), daemon::SignalOutcome::no_pidfile);
    write("999999");
    EXPECT_EQ(daemon::signal_pidfile(path, SIGHUP), daemon::SignalOutcome::not_running);
}

TEST(ConnInfo, ApplicationNameIsCutToWhatTheServerKeeps)
{
    auto p = db::make_conn_params("dbname=x", std::string(70, 'a'));
    EXPECT_EQ(p.values[1].size(), 63u);
    // Never in the middle of a multibyte character.
    auto u = db::make_conn_params("dbname=x", std::string(62, 'a') + "\xc3\xa9xyz");
    EXPECT_EQ(u.values[1], std::string(62, 'a'));
}
