// Which daemon ticks a database. On our schema the lead is a row that only
// pgq_admin can claim (pgq.ticker_lead, sql/functions/pgq_leader.sql) and
// that lasts as long as the claiming backend; on a PgQ without it (the C
// extension) a session advisory lock stands in, as pgqadm always did.
#pragma once
#include "pgqadm/db/connection.hpp"

#include <string>

namespace pgqadm::ticker {

/// Session advisory lock used where pgq.ticker_lead() does not exist.
inline constexpr long long ticker_lock_key = 0x7067716164'6d0001LL;

struct Leadership {
    bool leading = false;
    /// Who leads, for the log and status: "name (pid N) since T", or a
    /// description of the advisory lock's holder; empty when unknown.
    std::string holder;
};

/// How the lead of a database is held: our schema's lease row, or the
/// advisory lock on a PgQ without it. Looked up once per connection (it
/// changes only with a new install, and a new connection comes at the latest
/// after connection_lifetime).
enum class LeadKind { lease, advisory_lock };
LeadKind lead_kind(db::Connection& conn);

/// This daemon's name in the leadership row: job name, host and pid.
std::string leader_identity(const std::string& job_name);

/// Claims or confirms the lead of the connected database. Naming the
/// holder of the advisory lock reads pg_locks and pg_stat_activity, which
/// costs milliseconds on a busy server: a standby that asks every round
/// passes false most of the time (the holder is then empty).
Leadership claim_leadership(db::Connection& conn, LeadKind kind, const std::string& identity,
                            bool name_advisory_holder = true);

/// Starts waiting on the server for the advisory lock (a PgQ without the
/// lease), so that a standby learns the moment its leader's backend ends
/// instead of asking every loop_delay. The wait ends with the lock held, or
/// after `seconds` with nothing held (claim_leadership() then says which);
/// the connection's socket turns readable then. Call
/// watch_client_while_waiting() once on the connection first.
void send_advisory_lock_wait(db::Connection& conn, double seconds);

/// Has the connection's backend check every second, while it runs a
/// statement, that its client is still there (PostgreSQL 14+), so a standby
/// that goes away leaves no backend waiting for the lock for long.
void watch_client_while_waiting(db::Connection& conn);

/// Undoes watch_client_while_waiting() (back to the session's default) once
/// the lead is won: the check's timer outlives each statement, so a leader
/// left watching would be woken a second after every round for nothing.
void stop_watching_client(db::Connection& conn);

/// Whether the wait that send_advisory_lock_wait() started has ended. Never
/// blocks; throws DbError as a query does.
bool advisory_lock_wait_over(db::Connection& conn);

/// Who holds the advisory lock of a pgq without the lease ("" if nobody).
std::string advisory_lock_holder(db::Connection& conn);

/// Hands the lead back on a clean stop so a standby need not wait for this
/// backend to exit. Never throws: the process is stopping anyway.
void resign_leadership(db::Connection& conn, LeadKind kind) noexcept;

} // namespace pgqadm::ticker
