// Small helpers shared by the read-mostly admin commands (config, status):
// checking that the database has a pgq schema at all, and number formatting.
#pragma once
#include "pgqadm/db/connection.hpp"
#include "pgqadm/error.hpp"

#include <string>
#include <string_view>

namespace pgqadm::cli {

/// Throws a one-line Error when the database has no usable pgq (neither our
/// schema nor the extension), instead of "relation pgq.queue does not exist".
inline void require_pgq(db::Connection& conn)
{
    db::Result r = conn.exec("select to_regclass('pgq.queue') is not null");
    if (!r.as_bool(0, 0))
        throw Error("pgq is not installed in this database "
                    "(run `pgqadm <config> install`, or CREATE EXTENSION pgq)");
}

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

} // namespace pgqadm::cli
