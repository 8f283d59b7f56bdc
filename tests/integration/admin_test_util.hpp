// Helpers shared by the admin command tests (admin_*_test.cpp).
#pragma once
#include "support/test_support.hpp"

#include <regex>
#include <string>
#include <vector>

namespace pgqadm::test::admin {

/// One parsed log line: "YYYY-MM-DD HH:MM:SS,mmm PID LEVEL message".
struct LogLine {
    std::string level;
    std::string message;
};

/// Parses stderr into log lines; a line not in the log format fails the test.
inline std::vector<LogLine> log_lines(const std::string& err)
{
    static const std::regex re(
        R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$)");
    std::vector<LogLine> out;
    for (const std::string& line : lines_of(err)) {
        std::smatch m;
        if (std::regex_match(line, m, re))
            out.push_back({m[1], m[2]});
        else
            ADD_FAILURE() << "not a log line: [" << line << "]";
    }
    return out;
}

/// The one error line of a failed command: exactly one ERROR/CRITICAL line,
/// nothing but INFO/DEBUG besides. Returns its message.
inline std::string the_error(const ProcResult& r)
{
    EXPECT_EQ(r.exit_code, 1) << "stdout: " << r.out << "\nstderr: " << r.err;
    std::string message;
    int errors = 0;
    for (const LogLine& l : log_lines(r.err)) {
        if (l.level == "ERROR" || l.level == "CRITICAL") {
            ++errors;
            message = l.message;
        } else {
            EXPECT_TRUE(l.level == "INFO" || l.level == "DEBUG") << l.level << " " << l.message;
        }
    }
    EXPECT_EQ(errors, 1) << r.err;
    return message;
}

/// "Job <job> crashed: <message>" for a failed command of this test's job.
inline std::string crash(const std::string& job, const std::string& message)
{
    return "Job " + job + " crashed: " + message;
}

/// Python's "%-Ns" and "%Ns" (ASCII test data only).
inline std::string ljust(const std::string& s, std::size_t n)
{
    return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
}
inline std::string rjust(const std::string& s, std::size_t n)
{
    return s.size() >= n ? s : std::string(n - s.size(), ' ') + s;
}

/// Replaces the seconds in `status` rows that change from run to run: TLag of
/// queue rows, Lag and LastSeen of consumer rows. "  123s" -> "    Ns" (same
/// width, so alignment is still checked).
inline std::string mask_status_seconds(const std::string& text)
{
    static const std::regex secs(R"(\d+s$)");
    std::string out;
    enum { other, queues, consumers } section = other;
    for (const std::string& line : lines_of(text)) {
        std::string l = line;
        if (l.rfind("Event queue", 0) == 0)
            section = queues;
        else if (l.rfind("Consumer", 0) == 0)
            section = consumers;
        else if (l.rfind("Warnings", 0) == 0)
            section = other;
        auto mask_last = [](std::string s) {
            std::size_t end = s.size();
            std::size_t start = s.find_last_of(' ', end - 1);
            start = start == std::string::npos ? 0 : start + 1;
            std::string token = s.substr(start);
            if (std::regex_match(token, secs))
                s = s.substr(0, start) + std::string(token.size() - 2, ' ') + "Ns";
            return s;
        };
        if (!l.empty() && l[0] != '-') {
            if (section == queues && l != "" && l.rfind("Event queue", 0) != 0)
                l = mask_last(l);
            if (section == consumers && l.rfind("  ", 0) == 0) {
                // last two columns: LastSeen, then Lag
                std::string head = l.substr(0, l.size() - 10);
                std::string tail = l.substr(l.size() - 10);
                l = mask_last(head) + mask_last(tail);
            }
        }
        out += l + "\n";
    }
    return out;
}

} // namespace pgqadm::test::admin
