#include "pgqadm/fleet/databases.hpp"

#include "pgqadm/db/conninfo.hpp"

#include <set>

namespace pgqadm::fleet {

bool is_fleet(const config::Config& cfg)
{
    // A valid [pgqadm] file without `db` names its databases otherwise.
    return cfg.pgqd_format || !cfg.databases.empty() || !cfg.database_list.empty() ||
           cfg.db.empty();
}

std::string connstr_for(const std::string& base_connstr, const std::string& dbname)
{
    std::string quoted = "'";
    for (char c : dbname) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    quoted += "'";
    std::string out = base_connstr;
    if (!out.empty() && out.back() != ' ')
        out += ' ';
    return out + "dbname=" + quoted;
}

std::vector<std::string> split_database_list(const std::string& list)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos)
            comma = list.size();
        std::string item = list.substr(start, comma - start);
        std::size_t b = item.find_first_not_of(" \t\r\n");
        std::size_t e = item.find_last_not_of(" \t\r\n");
        if (b != std::string::npos)
            out.push_back(item.substr(b, e - b + 1));
        start = comma + 1;
    }
    return out;
}

std::vector<NamedDatabase> listed_databases(const config::Config& cfg)
{
    std::vector<NamedDatabase> out;
    std::set<std::string> seen;
    auto add = [&](NamedDatabase d) {
        if (seen.insert(d.name).second)
            out.push_back(std::move(d));
    };
    if (!cfg.db.empty()) {
        std::string name = db::conninfo_dbname(cfg.db);
        add({name.empty() ? "db" : name, cfg.db});
    }
    for (const auto& d : cfg.databases)
        add(d);
    for (const auto& name : split_database_list(cfg.database_list))
        add({name, connstr_for(cfg.base_connstr, name)});
    return out;
}

bool discovers_databases(const config::Config& cfg)
{
    return listed_databases(cfg).empty();
}

std::string discovery_connstr(const config::Config& cfg)
{
    return connstr_for(cfg.base_connstr, cfg.initial_database);
}

std::vector<NamedDatabase> discover(db::Connection& conn, const std::string& base_connstr)
{
    db::Result r = conn.exec("select datname from pg_catalog.pg_database"
                             " where datallowconn and not datistemplate order by datname");
    std::vector<NamedDatabase> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.get(i, 0), connstr_for(base_connstr, r.get(i, 0))});
    return out;
}

} // namespace pgqadm::fleet
