// log::printable: names and server texts in human-readable output can end a
// line or steer the terminal only through the characters it escapes.
#include "pgqadm/log/log.hpp"
#include "pgqadm/log/printable.hpp"

#include <gtest/gtest.h>

using pgqadm::log::printable;

TEST(Printable, OrdinaryTextIsUnchanged)
{
    for (const char* text : {"", "queue_1", "q'uote \"dq\" back\\slash 100% {}",
                             "ünïcödé очередь 队列 😀🎉", "a\u200db e\u0301", "\xe9t\xe9"})
        EXPECT_EQ(printable(text), text);
}

TEST(Printable, ControlCharactersBecomeEscapes)
{
    EXPECT_EQ(printable("a\nb"), "a\\nb");
    EXPECT_EQ(printable("a\r\tb"), "a\\r\\tb");
    EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
    EXPECT_EQ(printable("del\x7f"), "del\\x7f");
    EXPECT_EQ(printable("bel\x07"), "bel\\x07");
}

TEST(Printable, C1ControlsLineSeparatorsAndBidiOverridesBecomeEscapes)
{
    EXPECT_EQ(printable("nel\xc2\x85x"), "nel\\u0085x");
    EXPECT_EQ(printable("csi\xc2\x9b"
                        "31m"),
              "csi\\u009b31m");
    EXPECT_EQ(printable("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
    EXPECT_EQ(printable("\u202eRTL\u2066x\u2069"), "\\u202eRTL\\u2066x\\u2069");
    // A lone C1 byte (not UTF-8) is what an 8-bit terminal takes as a control.
    EXPECT_EQ(printable("csi\x9b"
                        "31m"),
              "csi\\x9b31m");
    // Truncated or overlong sequences do not hide a control byte after them.
    EXPECT_EQ(printable("\xe2\x80\nx"), "\xe2\\x80\\nx");
    EXPECT_EQ(printable("\xc0\x8a"), "\xc0\\x8a");
}

TEST(Printable, ForgedLogLineStaysOneLine)
{
    std::string line = pgqadm::log::format_line(
        "INFO", "Creating queue: q\n2026-01-01 00:00:00,000 1 CRITICAL forged\x1b[2J");
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_NE(line.find("q\\n2026-01-01"), std::string::npos) << line;
}
