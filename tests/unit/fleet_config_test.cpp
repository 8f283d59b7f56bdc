// pgqd 3.5 configs and the database lists of the fleet daemon (issue 17).
#include "pgqadm/config/config.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/fleet/databases.hpp"

#include <gtest/gtest.h>

#include <syslog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace pgqadm;
using namespace pgqadm::config;

namespace {

class FleetConfig : public ::testing::Test {
  protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("pgqadm-fleet-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path write(const std::string& name, const std::string& text)
    {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }
    Config load(const std::string& text) { return load_config(write("test.ini", text)); }
    std::string error_of(const std::string& text)
    {
        try {
            load(text);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(no error)";
    }
    std::filesystem::path dir_;
};

} // namespace

TEST_F(FleetConfig, PgqdDefaultsAreThoseOfPgqd35)
{
    Config cfg = load("[pgqd]\n");
    EXPECT_TRUE(cfg.pgqd_format);
    EXPECT_EQ(cfg.job_name, "pgqd");
    EXPECT_EQ(cfg.logfile, "");
    EXPECT_EQ(cfg.pidfile, "");
    EXPECT_EQ(cfg.base_connstr, "");
    EXPECT_EQ(cfg.initial_database, "template1");
    EXPECT_EQ(cfg.database_list, "");
    EXPECT_EQ(cfg.syslog, 1);
    EXPECT_EQ(cfg.syslog_ident, "pgqd");
    EXPECT_EQ(cfg.syslog_facility, "daemon");
    EXPECT_DOUBLE_EQ(cfg.check_period, 60);
    EXPECT_DOUBLE_EQ(cfg.maint_delay, 120);     // maint_period
    EXPECT_DOUBLE_EQ(cfg.retry_delay, 30);      // retry_period
    EXPECT_DOUBLE_EQ(cfg.loop_delay, 1);        // ticker_period
    EXPECT_DOUBLE_EQ(cfg.ticker_log_delay, 30); // stats_period
    EXPECT_DOUBLE_EQ(cfg.connection_lifetime, 3600);
    EXPECT_TRUE(cfg.db.empty());
    EXPECT_TRUE(cfg.unknown_keys.empty());
    EXPECT_TRUE(fleet::is_fleet(cfg));
    EXPECT_TRUE(fleet::discovers_databases(cfg));
    EXPECT_EQ(fleet::discovery_connstr(cfg), "dbname='template1'");
}

TEST_F(FleetConfig, EveryPgqdKeyMapsOntoOurSettings)
{
    Config cfg = load("[pgqd]\n"
                      "logfile = ~/pgqd.log\n"
                      "pidfile = /tmp/pgqd.pid\n"
                      "base_connstr = host=db1 port=5433 user=ticker\n"
                      "initial_database = postgres\n"
                      "database_list = app1, app2 ,app3\n"
                      "syslog = 0\n"
                      "syslog_ident = mypgqd\n"
                      "syslog_facility = local3\n"
                      "check_period = 12.5\n"
                      "maint_period = 60.5\n"
                      "retry_period = 7.25\n"
                      "ticker_period = 0.5\n"
                      "stats_period = 15\n"
                      "connection_lifetime = 600\n");
    EXPECT_EQ(cfg.logfile.substr(0, 1), "/") << "~ is expanded";
    EXPECT_EQ(cfg.pidfile, "/tmp/pgqd.pid");
    EXPECT_EQ(cfg.base_connstr, "host=db1 port=5433 user=ticker");
    EXPECT_EQ(cfg.initial_database, "postgres");
    EXPECT_EQ(cfg.syslog, 0);
    EXPECT_EQ(cfg.syslog_ident, "mypgqd");
    EXPECT_EQ(syslog_facility_code(cfg.syslog_facility), LOG_LOCAL3);
    EXPECT_DOUBLE_EQ(cfg.check_period, 12.5);
    EXPECT_DOUBLE_EQ(cfg.maint_delay, 60.5);
    EXPECT_DOUBLE_EQ(cfg.retry_delay, 7.25);
    EXPECT_DOUBLE_EQ(cfg.loop_delay, 0.5);
    EXPECT_DOUBLE_EQ(cfg.ticker_log_delay, 15);
    EXPECT_DOUBLE_EQ(cfg.connection_lifetime, 600);
    EXPECT_TRUE(cfg.unknown_keys.empty());
    EXPECT_FALSE(fleet::discovers_databases(cfg));
    auto list = fleet::listed_databases(cfg);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "app1");
    EXPECT_EQ(list[0].connstr, "host=db1 port=5433 user=ticker dbname='app1'");
    EXPECT_EQ(list[1].name, "app2");
    EXPECT_EQ(list[2].name, "app3");
}

TEST_F(FleetConfig, PgqdValuesAreLiteralAndOurNamesAreNotPgqds)
{
    // pgqd knows no %(name)s; our spellings of its keys are unknown there.
    Config cfg = load("[pgqd]\nbase_connstr = password=a%b\nloop_delay = 5\ndb = x\n");
    EXPECT_EQ(cfg.base_connstr, "password=a%b");
    EXPECT_DOUBLE_EQ(cfg.loop_delay, 1);
    EXPECT_EQ(cfg.unknown_keys, (std::vector<std::string>{"db", "loop_delay"}));
    // Errors name the key as the file spells it.
    EXPECT_NE(error_of("[pgqd]\nticker_period = 0\n").find("key ticker_period"), std::string::npos);
    EXPECT_NE(error_of("[pgqd]\nsyslog = maybe\n").find("key syslog"), std::string::npos);
    EXPECT_NE(error_of("[pgqd]\nsyslog_facility = nope\n").find("syslog facility"),
              std::string::npos);
    // A file with neither section is still refused as before.
    EXPECT_NE(error_of("[pgq]\ndb = x\n").find("no [pgqadm] section"), std::string::npos);
}

TEST_F(FleetConfig, PgqadmSectionKeepsItsDefaultsAndSingleDb)
{
    Config cfg = load("[pgqadm]\ndb = dbname=x\n");
    EXPECT_FALSE(cfg.pgqd_format);
    EXPECT_EQ(cfg.syslog, 0);
    EXPECT_EQ(cfg.syslog_ident, "pgqadm");
    EXPECT_DOUBLE_EQ(cfg.check_period, 60);
    EXPECT_FALSE(fleet::is_fleet(cfg));
    ASSERT_EQ(fleet::listed_databases(cfg).size(), 1u);
    EXPECT_EQ(fleet::listed_databases(cfg)[0].name, "x");
    // db stays required unless the file names databases another way.
    EXPECT_NE(error_of("[pgqadm]\nloop_delay = 2\n").find("key db: Config value not set"),
              std::string::npos);
    EXPECT_EQ(error_of("[pgqadm]\nbase_connstr = host=h\n"), "(no error)");
    EXPECT_EQ(error_of("[pgqadm]\ndatabase_list = a\n"), "(no error)");
}

TEST_F(FleetConfig, DatabasesSectionAndIncludes)
{
    write("more.ini", "db3 = host=h3 dbname=c\n%include deeper.ini\n");
    write("deeper.ini", "db4 = host=h4 dbname='d d'\n");
    Config cfg = load("[pgqadm]\njob_name = fleet\nloop_delay = 0.5\n"
                      "[databases]\n"
                      "db1 = host=h1 dbname=a\n"
                      "db2 = host=%(job_name)s dbname=b\n"
                      "%include more.ini\n");
    EXPECT_TRUE(fleet::is_fleet(cfg));
    auto list = fleet::listed_databases(cfg);
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list[0], (NamedDatabase{"db1", "host=h1 dbname=a"}));
    EXPECT_EQ(list[1].connstr,
              "host=fleet dbname=b"); // ConfigParser interpolation in [pgqadm] files
    EXPECT_EQ(list[2], (NamedDatabase{"db3", "host=h3 dbname=c"}));
    EXPECT_EQ(list[3], (NamedDatabase{"db4", "host=h4 dbname='d d'"}));
    // An include that loops, or a missing file, is one clean error.
    write("loop.ini", "%include loop.ini\n");
    EXPECT_NE(error_of("[pgqd]\n%include loop.ini\n").find("nested too deeply"), std::string::npos);
    EXPECT_NE(error_of("[pgqd]\n%include nothere.ini\n").find("not found"), std::string::npos);
}

TEST_F(FleetConfig, ListAndConnectionStrings)
{
    EXPECT_EQ(fleet::split_database_list(" a, b,,c ,\t"),
              (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(fleet::split_database_list("").empty());
    EXPECT_EQ(fleet::connstr_for("", "x"), "dbname='x'");
    EXPECT_EQ(fleet::connstr_for("host=h ", "it's\\"), "host=h dbname='it\\'s\\\\'");
    // db, [databases] and database_list together; the first of a name wins.
    Config cfg = load("[pgqadm]\ndb = dbname=a\ndatabase_list = a, b\n"
                      "[databases]\nc = dbname=c\n");
    auto list = fleet::listed_databases(cfg);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].connstr, "dbname=a");
    EXPECT_EQ(list[1].name, "c");
    EXPECT_EQ(list[2].connstr, "dbname='b'");
}
