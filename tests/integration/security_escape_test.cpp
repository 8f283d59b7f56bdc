// Issue 14.9: names with control characters must not forge lines or send
// terminal escapes in `status`, `config` or the logs.
#include "security_util.hpp"

#include <csignal>
#include <regex>

using namespace pgqadm::test;

namespace {

// A consumer name that, printed raw, ends its line and forges the next one,
// then colours the terminal; the C1 "next line" and U+2028 do the same in
// terminals and viewers that honour them.
const std::string evil_consumer =
    "evil\n  q1 FAKE-LINE lag=0\x1b[31m\r\xc2\x85 NEL \xe2\x80\xa8 LSEP \x7f DEL";
const std::string evil_queue =
    "q-evil\n2026-01-01 00:00:00,000 1 CRITICAL FAKE-QUEUE\x1b]0;title\x07";

} // namespace

TEST_F(SecurityTest, StatusTextAndLogsEscapeControlCharactersInNames)
{
    auto cfg = config("0.1");
    sql("select pgq.create_queue('q1')");
    sql("select pgq.register_consumer('q1', $1)", {evil_consumer});
    sql("select pgq.create_queue($1)", {evil_queue});
    sql("select pgq.register_consumer($1, 'c1')", {evil_queue});

    ProcResult status = run_pgqadm({cfg.string(), "status"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    EXPECT_FALSE(has_control_bytes(status.out, true)) << status.out;
    auto lines = lines_of(status.out);
    // version, blank, header, rule, 2 queues, rule, blank, header, rule,
    // 2 x (queue line + 1 consumer), rule, blank, ticker leader: no
    // warnings on fresh queues.
    EXPECT_EQ(lines.size(), 17u) << status.out;
    for (const auto& line : lines) {
        EXPECT_NE(line.rfind("  q1 FAKE-LINE", 0), 0u) << line;
        EXPECT_NE(line.rfind("2026-01-01", 0), 0u) << line;
    }
    EXPECT_NE(status.out.find("FAKE-LINE"), std::string::npos);
    EXPECT_NE(status.out.find("\\x1b[31m"), std::string::npos) << status.out;

    ProcResult shown = run_pgqadm({cfg.string(), "config"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_FALSE(has_control_bytes(shown.out, true)) << shown.out;
    EXPECT_EQ(lines_of(shown.out).size(), 2u * 10) << shown.out; // name + 9 settings per queue

    // JSON keeps the exact names (JSON escapes are not for terminals anyway).
    ProcResult json = run_pgqadm({cfg.string(), "status", "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_EQ(lines_of(json.out).size(), 1u);
    EXPECT_NE(json.out.find("\\u001b[31m"), std::string::npos) << json.out;

    // A command's log record naming the queue stays one line.
    ProcResult reg = run_pgqadm({cfg.string(), "register", evil_queue, evil_consumer});
    ASSERT_EQ(reg.exit_code, 0) << reg.err;
    EXPECT_EQ(lines_of(reg.err).size(), 1u) << reg.err;
    EXPECT_FALSE(has_control_bytes(reg.err, true)) << reg.err;

    // The daemon's warning about a queue whose event sequence is gone names
    // the queue: one line (the list is read again only when pgq.queue changes).
    sql("select pgq.create_queue($1)", {evil_queue + "2"});
    std::string id =
        scalar("select queue_id from pgq.queue where queue_name = $1", {evil_queue + "2"}).value();
    sql("drop sequence pgq.event_" + id + "_id_seq cascade");
    auto ticker = start_ticker(config("0.1", "queue_refresh_period = 0.2\n"));
    ASSERT_TRUE(wait_until([&] { return count_of(log(), "not found, skipped") >= 1; }, 20s))
        << log();
    ticker->signal(SIGINT);
    EXPECT_EQ(ticker->wait(30s), 0);
    std::string text = log();
    EXPECT_FALSE(has_control_bytes(text, true)) << text;
    const std::regex record_start(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ [A-Z]+ )");
    for (const auto& line : lines_of(text)) {
        EXPECT_TRUE(std::regex_search(line, record_start)) << "not a log record: " << line;
        if (line.find("not found, skipped") != std::string::npos) {
            EXPECT_NE(line.find("FAKE-QUEUE"), std::string::npos) << line;
        }
    }
}
