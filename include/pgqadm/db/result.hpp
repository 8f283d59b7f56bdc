// RAII owner of a PGresult with typed accessors.
#pragma once
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pgqadm::db {

class Result {
  public:
    explicit Result(PGresult* res) : res_(res, &PQclear) {}

    int rows() const { return PQntuples(res_.get()); }
    int columns() const { return PQnfields(res_.get()); }
    std::string column_name(int col) const { return PQfname(res_.get(), col); }
    /// Column index by name; throws if the result has no such column.
    int column(std::string_view name) const;

    bool is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const
    {
        return {PQgetvalue(res_.get(), row, col),
                static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
    }
    std::string get(int row, int col) const { return std::string(text(row, col)); }
    std::optional<std::string> opt(int row, int col) const
    {
        if (is_null(row, col))
            return std::nullopt;
        return get(row, col);
    }
    /// The value as a number; throws ResultError if it is NULL or not
    /// entirely a number.
    long long as_int(int row, int col) const;
    double as_double(int row, int col) const;
    /// Rows an INSERT/UPDATE/DELETE/COPY... touched (0 for other commands).
    long long affected_rows() const;
    bool as_bool(int row, int col) const { return text(row, col) == "t"; }

    PGresult* raw() const { return res_.get(); }

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

} // namespace pgqadm::db
