#include "pgqadm/db/db_error.hpp"

namespace pgqadm::db {
namespace {
std::string non_empty(std::string message)
{
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    // pgqd#1: a bare "ERROR" with no text helps nobody.
    return message.empty() ? "unknown database error (libpq gave no message)" : message;
}
} // namespace

DbError::DbError(std::string message, std::string sqlstate, std::string detail, std::string hint)
    : Error(non_empty(std::move(message))), sqlstate_(std::move(sqlstate)),
      detail_(std::move(detail)), hint_(std::move(hint))
{
}

std::string DbError::describe() const
{
    std::string out = what();
    if (!detail_.empty())
        out += " DETAIL: " + detail_;
    if (!sqlstate_.empty())
        out += " (SQLSTATE " + sqlstate_ + ")";
    return out;
}

bool DbError::is_connection_problem() const
{
    return sqlstate_.empty() || sqlstate_.rfind("08", 0) == 0 || sqlstate_.rfind("57P", 0) == 0;
}

} // namespace pgqadm::db
