#include "pgqadm/db/result.hpp"

#include "pgqadm/db/db_error.hpp"

#include <charconv>

namespace pgqadm::db {

int Result::column(std::string_view name) const
{
    int idx = PQfnumber(res_.get(), std::string(name).c_str());
    if (idx < 0)
        throw DbError("result has no column " + std::string(name));
    return idx;
}

long long Result::as_int(int row, int col) const
{
    if (is_null(row, col))
        throw DbError("unexpected NULL in column " + column_name(col));
    auto s = text(row, col);
    long long v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size())
        throw DbError("not an integer in column " + column_name(col) + ": " + std::string(s));
    return v;
}

double Result::as_double(int row, int col) const
{
    if (is_null(row, col))
        throw DbError("unexpected NULL in column " + column_name(col));
    return std::stod(get(row, col));
}

} // namespace pgqadm::db
