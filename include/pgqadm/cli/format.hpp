// Text formatting for the admin commands' human-readable output.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace pgqadm::cli {

/// A numeric text from PostgreSQL ("3.000000", "-0.5", "12") as a short
/// number: trailing fractional zeros and a bare dot removed ("3", "-0.5").
inline std::string trim_number(std::string_view text)
{
    std::string out(text);
    if (out.find('.') == std::string::npos)
        return out;
    while (!out.empty() && out.back() == '0')
        out.pop_back();
    if (!out.empty() && out.back() == '.')
        out.pop_back();
    if (out == "-0" || out.empty())
        out = "0";
    return out;
}

/// Display width of a UTF-8 string in code points (for column padding).
inline std::size_t display_width(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

/// Python's "%-Ns" / "%Ns" on a UTF-8 string, padding by code points.
inline std::string pad_right(std::string_view s, std::size_t width)
{
    std::string out(s);
    std::size_t w = display_width(s);
    if (w < width)
        out.append(width - w, ' ');
    return out;
}

inline std::string pad_left(std::string_view s, std::size_t width)
{
    std::size_t w = display_width(s);
    std::string out;
    if (w < width)
        out.append(width - w, ' ');
    out.append(s);
    return out;
}

/// `s` as a JSON string literal (UTF-8 passes through; controls escaped).
inline std::string json_quote(std::string_view s)
{
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += static_cast<char>(ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            out += "\\u00";
            out += hex[ch >> 4];
            out += hex[ch & 15];
        } else {
            out += static_cast<char>(ch);
        }
    }
    return out + "\"";
}

} // namespace pgqadm::cli
