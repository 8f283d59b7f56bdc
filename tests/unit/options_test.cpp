#include "pgqadm/cli/commands.hpp"
#include "pgqadm/cli/options.hpp"
#include "pgqadm/error.hpp"

#include <gtest/gtest.h>

#include <csignal>

using namespace pgqadm;
using namespace pgqadm::cli;

namespace {
Options parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "pgqadm");
    return parse_options(static_cast<int>(args.size()), args.data());
}
} // namespace

TEST(Options, OptionsMayFollowPositionals)
{
    Options o = parse({"ticker.ini", "ticker", "-d"});
    EXPECT_TRUE(o.daemon);
    ASSERT_EQ(o.positionals.size(), 2u);
    EXPECT_EQ(o.positionals[0], "ticker.ini");
    EXPECT_EQ(o.positionals[1], "ticker");
}

TEST(Options, ShortAndLongFlags)
{
    Options o = parse({"-q", "--verbose", "x.ini", "status", "--json"});
    EXPECT_TRUE(o.quiet);
    EXPECT_TRUE(o.verbose);
    EXPECT_TRUE(o.json);
    EXPECT_TRUE(parse({"-V"}).version);
    EXPECT_TRUE(parse({"--help"}).help);
}

TEST(Options, ControlSignalLastOneWins)
{
    EXPECT_EQ(parse({"-r", "x.ini"}).control_signal, SIGHUP);
    EXPECT_EQ(parse({"x.ini", "-s"}).control_signal, SIGINT);
    EXPECT_EQ(parse({"-k", "x.ini", "-r"}).control_signal, SIGHUP);
    EXPECT_EQ(parse({"-r", "-k", "x.ini"}).control_signal, SIGTERM);
    EXPECT_FALSE(parse({"x.ini", "status"}).control_signal.has_value());
}

TEST(Options, ArgumentsAfterDoubleDashArePositional)
{
    Options o = parse({"x.ini", "create", "--", "-weird-queue"});
    ASSERT_EQ(o.positionals.size(), 3u);
    EXPECT_EQ(o.positionals[2], "-weird-queue");
}

TEST(Options, UnknownOptionIsAUsageError)
{
    EXPECT_THROW(parse({"--bogus", "x.ini"}), UsageError);
}

TEST(Options, HelpListsEveryCommandWithItsArguments)
{
    std::string help = help_text();
    for (const Command& cmd : command_table())
        EXPECT_NE(help.find("  " + cmd.name), std::string::npos) << cmd.name;
    EXPECT_NE(help.find("register QNAME CONS      register consumer on queue"), std::string::npos)
        << help;
    EXPECT_NE(help.find("unregister QNAME CONS    unregister consumer from queue"),
              std::string::npos);
    EXPECT_EQ(help.find("install code into db\n  unregister"), std::string::npos);
    EXPECT_NE(help.find("-k, --kill"), std::string::npos);
}

TEST(Commands, TableHasTheEightCommands)
{
    EXPECT_EQ(command_table().size(), 8u);
    ASSERT_NE(find_command("create"), nullptr);
    EXPECT_EQ(find_command("create")->min_args, 1);
    EXPECT_EQ(find_command("nonsense"), nullptr);
}
