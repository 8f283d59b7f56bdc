// Shared by the tests of issue 14 (security_*_test.cpp): a fresh database
// with our schema, a ticker daemon writing a log file, and helpers to look
// at what the daemon and the commands print.
#pragma once
#include "support/test_support.hpp"

#include <fstream>
#include <string>
#include <vector>

namespace pgqadm::test {

/// Resident memory of a process in kB (VmRSS in /proc/<pid>/status), 0 if gone.
inline long rss_kb(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return 0;
}

/// Bytes that let a name forge output: C0 controls and DEL, C1 controls in
/// UTF-8 (U+0080..U+009F) and the Unicode line and paragraph separators.
inline bool has_control_bytes(const std::string& text, bool allow_newline)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n' && allow_newline)
            continue;
        if (c < 0x20 || c == 0x7f)
            return true;
        auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (c == 0xc2 && next >= 0x80 && next <= 0x9f)
            return true;
        if (c == 0xe2 && next == 0x80 && i + 2 < text.size() &&
            (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
             static_cast<unsigned char>(text[i + 2]) == 0xa9))
            return true;
    }
    return false;
}

class SecurityTest : public DbTest {
  protected:
    void SetUp() override
    {
        DbTest::SetUp();
        install_pgq();
        log_ = dir_ / "ticker.log";
    }

    std::filesystem::path config(const std::string& loop_delay, const std::string& extra = "")
    {
        return write_config("loop_delay = " + loop_delay +
                            "\nmaint_delay = 600\nretry_delay = 600\nticker_log_delay = 600\n"
                            "pidfile = " +
                            (dir_ / "ticker.pid").string() + "\nlogfile = " + log_.string() + "\n" +
                            extra);
    }

    std::unique_ptr<Process> start_ticker(const std::filesystem::path& cfg)
    {
        return std::make_unique<Process>(
            std::vector<std::string>{pgqadm_binary(), cfg.string(), "ticker", "-v"},
            dir_ / "ticker.out");
    }

    void sql(const std::string& statement, const pgqadm::db::Params& params = {})
    {
        auto conn = connect();
        conn.exec(statement, params);
    }

    long long count(const std::string& query, const pgqadm::db::Params& params = {})
    {
        return std::stoll(scalar(query, params).value_or("0"));
    }

    std::string log() { return read_file(log_); }

    /// A queue that only wake-ups can tick once the daemon's first round is over.
    void make_wakeup_queue(const std::filesystem::path& cfg, const std::string& queue)
    {
        ASSERT_EQ(run_pgqadm({cfg.string(), "create", queue}).exit_code, 0);
        ASSERT_EQ(run_pgqadm({cfg.string(), "config", queue, "ticker_notify=on", "ticker_max_lag=0",
                              "ticker_idle_period=3600"})
                      .exit_code,
                  0);
        sql("select pgq.insert_event($1, 't', 'warm-up')", {queue});
    }

    /// Inserts an event and waits until a tick covers it.
    bool insert_and_wait_for_tick(const std::string& queue, std::chrono::milliseconds timeout)
    {
        auto seq = scalar("select ev_id from pgq.insert_event($1, 't', 'x') ev_id", {queue});
        return wait_until(
            [&] {
                return count("select count(*) from pgq.tick t join pgq.queue q"
                             "  on q.queue_id = t.tick_queue"
                             " where q.queue_name = $1 and t.tick_event_seq >= $2",
                             {queue, *seq}) > 0;
            },
            timeout);
    }

    std::filesystem::path log_;
};

} // namespace pgqadm::test
