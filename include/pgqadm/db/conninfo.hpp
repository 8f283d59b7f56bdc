// Connection-string helpers: the original's connect_timeout default and
// keeping passwords out of every log line and error message.
#pragma once
#include <string>
#include <vector>

namespace pgqadm::db {

/// Keyword/value arrays for PQconnectdbParams: our defaults first, then the
/// user's string expanded as "dbname", so anything the user set wins.
struct ConnParams {
    std::vector<std::string> keywords;
    std::vector<std::string> values;
};
ConnParams make_conn_params(const std::string& conninfo, const std::string& application_name);

/// The connection string with any password replaced by "***" (key=value and
/// URI forms). Unparseable strings are masked conservatively.
std::string mask_password(const std::string& conninfo);

/// `text` with every occurrence of the password found in `conninfo` replaced.
std::string scrub_secret(const std::string& text, const std::string& conninfo);

/// The dbname a connection string names ("" when it names none or does
/// not parse); the name under which the fleet daemon logs a `db`.
std::string conninfo_dbname(const std::string& conninfo);

} // namespace pgqadm::db
