// A failure reported by libpq or the server, with its SQLSTATE.
#pragma once
#include "pgqadm/error.hpp"

#include <string>

namespace pgqadm::db {

class DbError : public Error {
  public:
    /// `message` is the server's primary message (or libpq's text) and is
    /// never empty; `sqlstate` is empty when libpq did not provide one.
    DbError(std::string message, std::string sqlstate = {}, std::string detail = {},
            std::string hint = {});

    const std::string& sqlstate() const { return sqlstate_; }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }
    /// "message (SQLSTATE 42P01)" for logs that must never be bare.
    std::string describe() const;
    /// True for connection-level trouble (class 08, 57P0x, or libpq failing
    /// without a SQLSTATE): reconnect and retry.
    bool is_connection_problem() const;

  private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

/// A result value that is not what the caller expected (NULL, not a
/// number, no such column). It carries a class 22/42 SQLSTATE like the
/// server's own conversion errors, so it never passes for a lost connection.
class ResultError : public DbError {
  public:
    ResultError(std::string message, std::string sqlstate)
        : DbError(std::move(message), std::move(sqlstate))
    {
    }
};

} // namespace pgqadm::db
