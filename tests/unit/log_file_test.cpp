#include "pgqadm/log/log.hpp"
#include "pgqadm/log/reopenable_file_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace pgqadm;

namespace {

std::string slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class LogFileTest : public ::testing::Test {
  protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("pgqadm-log-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override
    {
        log::setup({}); // detach the file before it is removed
        std::filesystem::remove_all(dir_);
    }
    std::filesystem::path dir_;
};

} // namespace

TEST_F(LogFileTest, RotatesBySizeKeepingLogCountFiles)
{
    auto path = (dir_ / "x.log").string();
    log::ReopenableFileSink sink(path, 200, 2);
    sink.set_pattern("%v");
    for (int i = 0; i < 20; ++i) {
        std::string text = "line " + std::to_string(i) + std::string(40, '.');
        sink.log(spdlog::details::log_msg("t", spdlog::level::info, text));
    }
    sink.flush();
    EXPECT_TRUE(std::filesystem::exists(path + ".1"));
    EXPECT_TRUE(std::filesystem::exists(path + ".2"));
    EXPECT_FALSE(std::filesystem::exists(path + ".3"));
    EXPECT_LE(std::filesystem::file_size(path), 200u);
    EXPECT_NE(slurp(path).find("line 19"), std::string::npos);
}

TEST_F(LogFileTest, ReopenFollowsLogrotate)
{
    auto path = dir_ / "ticker.log";
    log::setup({log::Verbosity::normal, path.string(), 1 << 20, 3});
    spdlog::info("before rotation");
    std::filesystem::rename(path, dir_ / "ticker.log.old"); // what logrotate does
    spdlog::info("still into the moved file");
    log::reopen();
    spdlog::info("after reopen");
    EXPECT_NE(slurp(dir_ / "ticker.log.old").find("still into the moved file"), std::string::npos);
    std::string fresh = slurp(path);
    EXPECT_NE(fresh.find("INFO after reopen"), std::string::npos) << fresh;
    EXPECT_EQ(fresh.find("before rotation"), std::string::npos);
}

// pgqd's -q silences the terminal only: the log file keeps its info lines
// (the stats line among them).
TEST_F(LogFileTest, PgqdQuietKeepsTheLogFile)
{
    auto path = dir_ / "pgqd.log";
    log::Settings settings;
    settings.verbosity = log::Verbosity::quiet;
    settings.logfile = path.string();
    settings.quiet_terminal_only = true;
    log::setup(settings);
    testing::internal::CaptureStderr();
    spdlog::info("{ticks: 1, maint: 0, retry: 0}");
    spdlog::warn("shown everywhere");
    std::string terminal = testing::internal::GetCapturedStderr();
    log::setup({log::Verbosity::normal, path.string(), 1 << 20, 3});
    std::string text = slurp(path);
    EXPECT_NE(text.find("INFO {ticks: 1, maint: 0, retry: 0}"), std::string::npos) << text;
    EXPECT_EQ(terminal.find("ticks"), std::string::npos) << terminal;
    EXPECT_NE(terminal.find("shown everywhere"), std::string::npos) << terminal;
}

TEST_F(LogFileTest, QuietAndVerboseLevels)
{
    auto path = dir_ / "levels.log";
    log::setup({log::Verbosity::quiet, path.string(), 1 << 20, 3});
    spdlog::info("hidden info");
    spdlog::warn("shown warning");
    log::setup({log::Verbosity::verbose, path.string(), 1 << 20, 3});
    spdlog::debug("shown debug");
    std::string text = slurp(path);
    EXPECT_EQ(text.find("hidden info"), std::string::npos);
    EXPECT_NE(text.find("WARNING shown warning"), std::string::npos);
    EXPECT_NE(text.find("DEBUG shown debug"), std::string::npos);
}
