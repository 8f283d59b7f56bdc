#include "pgqadm/config/config.hpp"
#include "pgqadm/config/ini_file.hpp"
#include "pgqadm/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace pgqadm;
using namespace pgqadm::config;

namespace {

class ConfigFile : public ::testing::Test {
  protected:
    std::filesystem::path write(const std::string& text)
    {
        path_ = std::filesystem::temp_directory_path() /
                ("pgqadm-unit-" + std::to_string(getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".ini");
        std::ofstream(path_, std::ios::binary) << text;
        return path_;
    }
    void TearDown() override { std::filesystem::remove(path_); }
    std::string error_of(const std::string& text)
    {
        try {
            load_config(write(text));
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(no error)";
    }
    std::filesystem::path path_;
};

} // namespace

TEST_F(ConfigFile, DefaultsMatchTheOriginal)
{
    Config cfg = load_config(write("[pgqadm]\ndb = dbname=x\n"));
    EXPECT_EQ(cfg.job_name, "pgqadm");
    EXPECT_EQ(cfg.db, "dbname=x");
    EXPECT_DOUBLE_EQ(cfg.loop_delay, 1.0);
    EXPECT_DOUBLE_EQ(cfg.maint_delay, 300);
    EXPECT_DOUBLE_EQ(cfg.retry_delay, 30);
    EXPECT_DOUBLE_EQ(cfg.queue_refresh_period, 30);
    EXPECT_DOUBLE_EQ(cfg.ticker_log_delay, 300);
    EXPECT_DOUBLE_EQ(cfg.connection_lifetime, 1200);
    EXPECT_EQ(cfg.log_size, 10485760);
    EXPECT_EQ(cfg.log_count, 3);
    EXPECT_EQ(cfg.max_failures, 0);
    EXPECT_TRUE(cfg.pidfile.empty());
    EXPECT_TRUE(cfg.unknown_keys.empty());
}

TEST_F(ConfigFile, InterpolatesFromSectionDefaultsAndBuiltins)
{
    Config cfg = load_config(write("[DEFAULT]\nbase = /var/tmp\n\n"
                                   "[pgqadm]\njob_name = pgqadm_somedb\n"
                                   "db = dbname=somedb\n"
                                   "logfile = %(base)s/%(job_name)s.log\n"
                                   "pidfile = %(base)s/%(service_name)s-%%.pid\n"));
    EXPECT_EQ(cfg.logfile, "/var/tmp/pgqadm_somedb.log");
    EXPECT_EQ(cfg.pidfile, "/var/tmp/pgqadm-%.pid");
}

TEST_F(ConfigFile, BuiltinJobNameIsServiceNameUnlessSet)
{
    Config cfg = load_config(write("[pgqadm]\ndb = dbname=x\nlogfile = /tmp/%(job_name)s.log\n"));
    EXPECT_EQ(cfg.logfile, "/tmp/pgqadm.log");
}

TEST_F(ConfigFile, KeysAreCaseInsensitive)
{
    Config cfg = load_config(write("[pgqadm]\nDB = dbname=x\nLoop_Delay = 0.25\n"));
    EXPECT_EQ(cfg.db, "dbname=x");
    EXPECT_DOUBLE_EQ(cfg.loop_delay, 0.25);
}

TEST_F(ConfigFile, TildeIsExpandedInPaths)
{
    setenv("HOME", "/home/tester", 1);
    Config cfg =
        load_config(write("[pgqadm]\ndb = x\nlogfile = ~/log/a.log\npidfile = ~/pid/a.pid\n"));
    EXPECT_EQ(cfg.logfile, "/home/tester/log/a.log");
    EXPECT_EQ(cfg.pidfile, "/home/tester/pid/a.pid");
}

TEST_F(ConfigFile, LegacyMaintDelayMinIsMinutes)
{
    EXPECT_DOUBLE_EQ(load_config(write("[pgqadm]\ndb=x\nmaint_delay_min = 5\n")).maint_delay, 300);
    EXPECT_DOUBLE_EQ(load_config(write("[pgqadm]\ndb=x\nmaint_delay_min = 2\n")).maint_delay, 120);
    EXPECT_DOUBLE_EQ(
        load_config(write("[pgqadm]\ndb=x\nmaint_delay_min = 5\nmaint_delay = 7\n")).maint_delay,
        7);
}

TEST_F(ConfigFile, UnknownKeysAreCollectedNotFatal)
{
    Config cfg = load_config(write("[pgqadm]\ndb = x\nmax_lag = 3\n"));
    ASSERT_EQ(cfg.unknown_keys.size(), 1u);
    EXPECT_EQ(cfg.unknown_keys[0], "max_lag");
}

TEST_F(ConfigFile, ErrorsNameFileKeyAndValue)
{
    std::string e = error_of("[pgqadm]\ndb = x\nloop_delay = fast\n");
    EXPECT_NE(e.find(path_.string()), std::string::npos) << e;
    EXPECT_NE(e.find("loop_delay"), std::string::npos) << e;
    EXPECT_NE(e.find("'fast'"), std::string::npos) << e;

    e = error_of("[pgqadm]\ndb = x\nmaint_delay = -5\n");
    EXPECT_NE(e.find("maint_delay: bad value '-5'"), std::string::npos) << e;
    e = error_of("[pgqadm]\ndb = x\nlog_count = 2.5\n");
    EXPECT_NE(e.find("log_count"), std::string::npos) << e;
    e = error_of("[pgqadm]\ndb = x\nloop_delay = 0\n");
    EXPECT_NE(e.find("loop_delay"), std::string::npos) << e;
}

TEST_F(ConfigFile, MissingPiecesAreReported)
{
    EXPECT_NE(error_of("[other]\ndb = x\n").find("no [pgqadm] section"), std::string::npos);
    EXPECT_NE(error_of("").find("no [pgqadm] section"), std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\njob_name = j\n").find("key db"), std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nthis line is wrong\n").find("syntax error on line 3"),
              std::string::npos);
    EXPECT_NE(error_of(std::string("[pgqadm]\ndb = x\0y\n", 17)).find("NUL"), std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = " + std::string(300, 'x') + "\n").find("longer than"),
              std::string::npos);
}

TEST_F(ConfigFile, BadInterpolationIsReported)
{
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nlogfile = %(logfile)s\n").find("too deeply recursive"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nlogfile = %(a\n").find("unterminated"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nlogfile = %(nope)s\n").find("not set"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nlogfile = 50%\n").find("'%' must be followed"),
              std::string::npos);
}

TEST_F(ConfigFile, MissingFile)
{
    try {
        load_config("/nonexistent/pgqadm.ini");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "Config file not found: /nonexistent/pgqadm.ini");
    }
}

TEST_F(ConfigFile, SkylogIsRefused)
{
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nuse_skylog = 1\n").find("use_skylog"), std::string::npos);
}

TEST(IniFile, ContinuationLinesJoinWithNewline)
{
    auto ini = IniFile::parse("[s]\nkey = first\n  second\n", "mem");
    EXPECT_EQ(ini.get("s", "key", {}).value(), "first\nsecond");
}

TEST(Reload, NonReloadableKeysAreNamed)
{
    Config a, b;
    b.pidfile = "/tmp/x.pid";
    b.loop_delay = 3;
    auto changed = non_reloadable_changes(a, b);
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0], "pidfile");
}

TEST(Reload, KeysThatNeedARestartKeepTheirRunningValue)
{
    Config running = defaults();
    running.db = "dbname=a";
    Config fresh = running;
    fresh.db = "dbname=b";
    fresh.job_name = "other";
    fresh.pidfile = "/tmp/other.pid";
    fresh.loop_delay = 5;
    Config applied = reloaded(running, fresh);
    EXPECT_EQ(applied.db, "dbname=b");
    EXPECT_DOUBLE_EQ(applied.loop_delay, 5);
    EXPECT_EQ(applied.job_name, running.job_name);
    EXPECT_EQ(applied.pidfile, running.pidfile);
}

TEST_F(ConfigFile, ValueRulesComeFromTheKeyTable)
{
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nloop_delay = 0\n").find("key loop_delay: bad value '0'"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nlog_count = 0\n").find("must be at least 1"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\nloop_delay = 2\n").find("key db: Config value not set"),
              std::string::npos);
    EXPECT_NE(error_of("[pgqadm]\ndb = x\nmaint_delay_min = -1\n").find("key maint_delay_min"),
              std::string::npos);
}

TEST_F(ConfigFile, ExponentialInterpolationIsCapped)
{
    std::string text = "[pgqadm]\ndb = %(k0)s\n";
    for (int i = 0; i < 8; ++i) {
        text += "k" + std::to_string(i) + " = ";
        for (int r = 0; r < 10; ++r)
            text += "%(k" + std::to_string(i + 1) + ")s";
        text += "\n";
    }
    text += "k8 = x\n";
    EXPECT_NE(error_of(text).find("after interpolation"), std::string::npos);
}
