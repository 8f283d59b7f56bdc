#include "pgqadm/log/printable.hpp"

#include <cstdio>

namespace pgqadm::log {
namespace {

bool is_continuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

/// Decodes the UTF-8 sequence at text[at]; returns its length (0 if it is
/// not valid UTF-8: bad lead byte, truncated, overlong or a surrogate).
std::size_t decode_utf8(std::string_view text, std::size_t at, char32_t& code_point)
{
    auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || at + length > text.size())
        return 0;
    char32_t value = lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
        auto byte = static_cast<unsigned char>(text[at + k]);
        if (!is_continuation(byte))
            return 0;
        value = (value << 6) | (byte & 0x3F);
    }
    constexpr char32_t shortest_form[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < shortest_form[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    code_point = value;
    return length;
}

/// Code points beyond ASCII that end a line or reorder what follows.
bool steers_output(char32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F)         // C1 controls (NEL, CSI, OSC ...)
           || cp == 0x2028 || cp == 0x2029    // line / paragraph separator
           || (cp >= 0x202A && cp <= 0x202E)  // bidi embeddings and overrides
           || (cp >= 0x2066 && cp <= 0x2069); // bidi isolates
}

void append_escape(std::string& out, const char* format, unsigned value)
{
    char buf[16]; // "\\u" and up to 8 hex digits as far as the compiler knows
    std::snprintf(buf, sizeof buf, format, value);
    out += buf;
}

} // namespace

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        auto byte = static_cast<unsigned char>(text[at]);
        if (byte >= 0x20 && byte < 0x7F) {
            out += static_cast<char>(byte);
            ++at;
            continue;
        }
        if (byte < 0x80) { // C0 controls and DEL
            switch (byte) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                append_escape(out, "\\x%02x", byte);
            }
            ++at;
            continue;
        }
        char32_t cp = 0;
        if (std::size_t length = decode_utf8(text, at, cp); length > 0) {
            if (steers_output(cp))
                append_escape(out, "\\u%04x", static_cast<unsigned>(cp));
            else
                out.append(text.substr(at, length));
            at += length;
            continue;
        }
        // Not UTF-8 (e.g. a LATIN1 database): printable bytes pass, but
        // 0x80-0x9F are the C1 controls of 8-bit terminals.
        if (byte <= 0x9F)
            append_escape(out, "\\x%02x", byte);
        else
            out += static_cast<char>(byte);
        ++at;
    }
    return out;
}

} // namespace pgqadm::log
