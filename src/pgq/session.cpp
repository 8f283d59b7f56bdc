#include "pgqadm/pgq/session.hpp"

#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pgqadm::pgq {

db::Connection open_db(const config::Config& cfg, std::string_view role)
{
    spdlog::debug("connecting to {}", db::mask_password(cfg.db));
    std::string application_name = cfg.job_name;
    if (!role.empty())
        application_name.append(" ").append(role);
    return db::Connection::open(cfg.db, application_name);
}

void require_pgq(db::Connection& conn)
{
    // pgq.ticker(text) as well: every PgQ 3 has it, and the daemon calls it.
    db::Result r = conn.exec("select to_regclass('pgq.queue') is not null"
                             "       and to_regprocedure('pgq.ticker(text)') is not null");
    if (!r.as_bool(0, 0))
        throw NoPgq("pgq is not installed in this database "
                    "(run `pgqadm <config> install`, or CREATE EXTENSION pgq)");
}

void require_pgq3(db::Connection& conn)
{
    require_pgq(conn);
    if (!conn.exec("select to_regprocedure('pgq.version()') is not null").as_bool(0, 0))
        throw NoPgq("pgq in this database has no pgq.version(); PgQ 3 or later is needed");
    std::string version = conn.exec("select pgq.version()").opt(0, 0).value_or("");
    int major = 0;
    for (char c : version) {
        if (c < '0' || c > '9')
            break;
        major = std::min(major * 10 + (c - '0'), 1000);
    }
    if (major < 3)
        throw NoPgq("pgq in this database is version '" + version + "'; PgQ 3 or later is needed");
}

db::Connection open_session(const config::Config& cfg, std::string_view role)
{
    db::Connection conn = open_db(cfg, role);
    require_pgq(conn);
    return conn;
}

void notify_queue_change(db::Connection& conn, const std::string& queue)
{
    conn.exec("select pg_notify($1, $2)", {queue_change_channel, queue});
}

} // namespace pgqadm::pgq
