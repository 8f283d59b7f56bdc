#include "pgqadm/db/result.hpp"

#include "pgqadm/db/db_error.hpp"

#include <charconv>
#include <cstdlib>

namespace pgqadm::db {

int Result::column(std::string_view name) const
{
    int idx = PQfnumber(res_.get(), std::string(name).c_str());
    if (idx < 0)
        throw ResultError("result has no column " + std::string(name), "42703");
    return idx;
}

namespace {

// The whole text must be the number: "12abc" is as wrong as "abc".
template <typename Number>
Number parse_number(const Result& result, int row, int col, const char* what)
{
    if (result.is_null(row, col))
        throw ResultError("unexpected NULL in column " + result.column_name(col),
                          "22004"); // null_value_not_allowed
    std::string_view s = result.text(row, col);
    Number v{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size())
        throw ResultError(std::string("not ") + what + " in column " + result.column_name(col) +
                              ": " + std::string(s),
                          "22P02"); // invalid_text_representation
    return v;
}

} // namespace

long long Result::as_int(int row, int col) const
{
    return parse_number<long long>(*this, row, col, "an integer");
}

double Result::as_double(int row, int col) const
{
    return parse_number<double>(*this, row, col, "a number");
}

long long Result::affected_rows() const
{
    const char* count = PQcmdTuples(res_.get());
    return *count ? std::strtoll(count, nullptr, 10) : 0;
}

} // namespace pgqadm::db
