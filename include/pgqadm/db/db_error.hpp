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
    /// True for connection-level trouble (class 08, 57P0x): reconnect and retry.
    bool is_connection_problem() const;

  private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

} // namespace pgqadm::db
