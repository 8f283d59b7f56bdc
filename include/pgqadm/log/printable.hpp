// Text for people: names of queues, consumers and databases and the server's
// error texts come from whoever may create those, so before they reach a
// terminal or a log file every character that could end the line or steer
// the terminal is written as an escape instead.
#pragma once
#include <string>
#include <string_view>

namespace pgqadm::log {

/// `text` with control characters escaped: \n \r \t, other C0 controls and
/// DEL as \xHH, C1 controls, the Unicode line/paragraph separators and the
/// bidirectional embedding/override/isolate controls as \uHHHH, and stray
/// bytes 0x80-0x9F that are not part of UTF-8 (C1 controls to an 8-bit
/// terminal) as \xHH. Everything else, including other non-UTF-8 bytes,
/// passes unchanged. The log formatter applies it to every message.
std::string printable(std::string_view text);

} // namespace pgqadm::log
