#include "pgqadm/ticker/leadership.hpp"

#include <unistd.h>

#include <climits>

namespace pgqadm::ticker {

LeadKind lead_kind(db::Connection& conn)
{
    return conn.exec("select pg_catalog.to_regprocedure('pgq.ticker_lead(text)') is not null")
                   .as_bool(0, 0)
               ? LeadKind::lease
               : LeadKind::advisory_lock;
}

// An advisory lock on a bigint key shows in pg_locks as classid = high half,
// objid = low half, objsubid = 1.
std::string advisory_lock_holder(db::Connection& conn)
{
    auto key = static_cast<unsigned long long>(ticker_lock_key);
    db::Result r =
        conn.exec("select a.usename, a.application_name, a.pid, a.backend_start::text"
                  "  from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid"
                  " where l.locktype = 'advisory' and l.granted and l.objsubid = 1"
                  "   and l.classid = $1::pg_catalog.oid and l.objid = $2::pg_catalog.oid"
                  "   and l.database = (select oid from pg_catalog.pg_database"
                  "                      where datname = pg_catalog.current_database())",
                  {std::to_string(key >> 32), std::to_string(key & 0xffffffffULL)});
    if (r.rows() == 0)
        return "";
    return "role " + r.get(0, 0) + ", application '" + r.get(0, 1) + "' (pid " + r.get(0, 2) +
           ") since " + r.get(0, 3);
}

void watch_client_while_waiting(db::Connection& conn)
{
    // The check is armed as a statement starts, so it is set for the
    // session, not inside the waiting statement; PostgreSQL 14 and later.
    conn.exec("select pg_catalog.set_config('client_connection_check_interval', '1s', false)"
              " where pg_catalog.current_setting('server_version_num')::pg_catalog.int4 >= 140000");
}

void stop_watching_client(db::Connection& conn)
{
    conn.exec("select pg_catalog.set_config(name, reset_val, false) from pg_catalog.pg_settings"
              " where name = 'client_connection_check_interval'");
}

void send_advisory_lock_wait(db::Connection& conn, double seconds)
{
    // One statement, so that its result says when all of it is over; the
    // lock timeout is local to it and ends it with no error in the server's log.
    conn.send_query("do $pgqadm_lead$ begin"
                    " perform pg_catalog.set_config('lock_timeout', '" +
                    std::to_string(static_cast<long>(seconds * 1000)) +
                    "ms', true);"
                    " perform pg_catalog.pg_advisory_lock(" +
                    std::to_string(ticker_lock_key) +
                    ");"
                    " exception when lock_not_available then null;"
                    " end $pgqadm_lead$");
}

bool advisory_lock_wait_over(db::Connection& conn)
{
    return conn.poll_result().has_value();
}

std::string leader_identity(const std::string& job_name)
{
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    return job_name + " on " + (host[0] ? host : "?") + " pid " + std::to_string(getpid());
}

Leadership claim_leadership(db::Connection& conn, LeadKind kind, const std::string& identity,
                            bool name_advisory_holder)
{
    if (kind == LeadKind::advisory_lock) {
        db::Result r = conn.exec("select pg_catalog.pg_try_advisory_lock($1)",
                                 {std::to_string(ticker_lock_key)});
        if (r.as_bool(0, 0))
            return {true, ""};
        return {false, name_advisory_holder ? advisory_lock_holder(conn) : ""};
    }
    db::Result r = conn.exec("select is_leader, leader_name, leader_pid, leader_since::text"
                             "  from pgq.ticker_lead($1)",
                             {identity});
    Leadership lead;
    lead.leading = !r.is_null(0, 0) && r.as_bool(0, 0);
    if (!r.is_null(0, 2))
        lead.holder = r.get(0, 1) + " (pid " + r.get(0, 2) + ") since " + r.get(0, 3);
    return lead;
}

void resign_leadership(db::Connection& conn, LeadKind kind) noexcept
{
    try {
        if (kind == LeadKind::lease)
            conn.exec("select pgq.ticker_resign()");
    } catch (...) {
        // The backend ends with the connection; a standby takes over then.
    }
}

} // namespace pgqadm::ticker
