// Which databases the fleet daemon serves: the ones a config names, or the
// ones discovery finds in pg_database, as pgqd 3.5 has it.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/db/connection.hpp"

#include <string>
#include <vector>

namespace pgqadm::fleet {

using config::NamedDatabase;

/// True when the config names more than the one `db` of a [pgqadm] file:
/// any [pgqd] file, a [databases] section, database_list or base_connstr.
/// The ticker then runs the fleet daemon (fleet_daemon.hpp).
bool is_fleet(const config::Config& cfg);

/// base_connstr plus dbname='name' (quotes and backslashes escaped), as
/// pgqd builds it.
std::string connstr_for(const std::string& base_connstr, const std::string& dbname);

/// database_list split at commas, whitespace trimmed, empty items dropped.
std::vector<std::string> split_database_list(const std::string& list);

/// The databases the config names, in this order, first one of a name
/// winning: `db` (named by its dbname), the [databases] section, and
/// database_list joined to base_connstr. Empty: discover them.
std::vector<NamedDatabase> listed_databases(const config::Config& cfg);

/// Nothing named: the daemon reads pg_database through initial_database.
bool discovers_databases(const config::Config& cfg);

/// Connection string of initial_database (discovery).
std::string discovery_connstr(const config::Config& cfg);

/// The databases of the server `conn` is connected to that allow
/// connections and are not templates, by name, as base_connstr + dbname.
std::vector<NamedDatabase> discover(db::Connection& conn, const std::string& base_connstr);

} // namespace pgqadm::fleet
