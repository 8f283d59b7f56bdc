#include "pgqadm/ticker/ticker_loop.hpp"

#include "pgqadm/pgq/names.hpp"
#include "pgqadm/pgq/session.hpp"
#include "pgqadm/ticker/leadership.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>

namespace pgqadm::ticker {
namespace {

// One prepared statement reads the position of many sequences; each sequence
// stays locked until the statement's transaction ends, so thousands of
// queues are probed in chunks to stay clear of the shared lock table.
constexpr std::size_t probe_chunk = 500;

// Notifications handled per loop iteration: a flood cannot keep the loop
// from its rounds, and only about this many are in memory at a time.
constexpr std::size_t notification_chunk = 256;

// A standby looks for a free lead every loop_delay, but not more often than this.
constexpr double min_standby_wait = 0.2;

// How often a standby on the C extension looks up who holds the lock.
constexpr double holder_lookup_seconds = 60;

// A standby on the C extension waits on the server for the advisory lock
// this long at a time, then looks around (settings, connection age, the
// holder's name) and waits again.
constexpr double lock_wait_seconds = 30;

// How long a fleet ticker statement waits for a lock.
constexpr const char* fleet_lock_timeout = "10s";

// How long a fleet database's maintenance statement waits for a lock: it runs
// on the ticker's connection, so the database's ticks wait with it. A
// rotation held up by a long reader (pg_dump) is tried again next time.
constexpr const char* maintenance_lock_timeout = "1s";

// After a failed maintenance attempt the database's next one waits this long
// (pgqd: 20 s after an SQL error).
constexpr double maintenance_retry_seconds = 20;

// The longest a fleet database goes without a round however idle its queues:
// a queue made by another tool (londiste, a migration) is seen by the round
// after, well within the default ticker_max_lag (3 s) it was made with.
constexpr double max_round_gap = 3.0;

// Queue changes are announced by NOTIFY, which anyone can send: they make
// the queue list be re-read at most this often.
constexpr double min_seconds_between_change_refreshes = 1.0;

// The newest queue id reveals queues created by any tool (londiste, an
// application's migration) since the last refresh: ids only grow, and unlike
// the id sequence it counts only committed queues. The fingerprint reveals any
// other change to pgq.queue (a queue dropped, or reconfigured with plain SQL):
// every UPDATE gives its row a new xmin. Cheap as it is, it is read only every
// queue_refresh_period, and the queue list is re-read only if it changed.
constexpr std::string_view newest_queue_sql =
    "(select coalesce(pg_catalog.max(queue_id), 0) from pgq.queue)";
constexpr std::string_view queue_fingerprint_sql =
    "(select pg_catalog.count(*) || '/' ||"
    "        coalesce(pg_catalog.sum(xmin::text::pg_catalog.int8), 0) from pgq.queue)";

// A never-used sequence reads as 0 (its last_value would say 1 both before and
// after the first nextval(), hiding a queue's first event). The sequences are
// opened by oid, with no catalog lookup: at hundreds of databases an index
// lookup per sequence costs more than the rest of the probe. One dropped since
// the last refresh fails the probe, and the list is read again.
// `state_columns`: what the probe reads of pgq.queue besides, in the first
// of its statements only (a database with over probe_chunk queues has more).
std::string probe_sql(std::string_view state_columns)
{
    return "select coalesce(pg_catalog.pg_sequence_last_value(u.seq::pg_catalog.regclass), 0), " +
           std::string(state_columns) +
           "  from unnest($1::pg_catalog.oid[]) with ordinality u(seq, n)"
           " order by u.n";
}

// The queue list. to_jsonb() tolerates schemas without queue_ticker_paused / tick_event_seq.
// The event sequence is found by queue id, as create_queue names it:
// pgq_admin may point queue_event_seq at any sequence.
const std::string queue_list_sql =
    "select q.queue_name, 'pgq.event_' || q.queue_id || '_id_seq',"
    "       extract(epoch from q.queue_ticker_max_lag)::float8,"
    "       extract(epoch from q.queue_ticker_idle_period)::float8,"
    "       q.queue_ticker_max_count,"
    "       coalesce((to_jsonb(q) ->> 'queue_ticker_paused')::bool, false),"
    "       extract(epoch from now() - t.tick_time)::float8,"
    "       (to_jsonb(t) ->> 'tick_event_seq')::int8,"
    "       to_regclass('pgq.event_' || q.queue_id || '_id_seq')::oid,"
    "       extract(epoch from t.tick_time - (select p.tick_time from pgq.tick p"
    "                 where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
    "                 order by p.tick_queue desc, p.tick_id desc limit 1))::float8"
    "  from pgq.queue q"
    "  left join lateral (select * from pgq.tick"
    "                      where tick_queue = q.queue_id"
    "                      order by tick_queue desc, tick_id desc limit 1) t on true"
    " where not q.queue_external_ticker"
    " order by q.queue_name";

} // namespace

using pgq::text_array_literal;

void TickerLoop::run()
{
    while (true) {
        Wait wait = step();
        if (done_)
            break;
        auto left = std::chrono::duration<double>(wait.until - monotonic_now());
        if (wait.fd >= 0)
            control_.wait_readable(wait.fd, left);
        else
            control_.sleep_for(left);
    }
}

TickerLoop::Wait TickerLoop::step()
{
    if (done_)
        return {};
    if (control_.stopping()) {
        finish();
        return {};
    }
    const auto settings = control_.settings();
    const config::Config& cfg = *settings;
    try {
        Wait wait = !conn_ ? connect(cfg) : !control_.active ? try_lead(cfg) : session_step(cfg);
        // the other waits report themselves (standby, failure)
        if (wait.fd >= 0 && control_.active)
            control_.report_beat(std::max(wait.until - monotonic_now(), 0.0));
        return wait;
    } catch (const pgq::NoPgq& e) {
        conn_.reset();
        if (fleet_) {
            // pgqd's rule: look again every check_period, say so once.
            control_.active = false;
            if (no_pgq_ != e.what())
                spdlog::info("{}; not served, checking again every {} s", e.what(),
                             cfg.check_period);
            no_pgq_ = e.what();
            failures_ = 0;
            backoff_.reset();
            control_.report_standby(cfg.check_period);
            return {-1, monotonic_now() + cfg.check_period};
        }
        spdlog::error("ticker: {}", e.what());
    } catch (const db::DbError& e) {
        spdlog::error("ticker: {}", e.describe());
    } catch (const std::exception& e) {
        spdlog::error("ticker: {}", e.what());
    }
    conn_.reset();
    control_.active = false;
    if (control_.stopping()) {
        finish();
        return {};
    }
    ++failures_;
    if (cfg.max_failures > 0 && failures_ >= cfg.max_failures) {
        spdlog::critical("giving up after {} failed attempts in a row (max_failures)", failures_);
        control_.fail(1);
        finish();
        return {};
    }
    double delay = backoff_.next();
    control_.report_failure(delay);
    spdlog::info("ticker: retrying in {} s", delay);
    return {-1, monotonic_now() + delay};
}

void TickerLoop::finish()
{
    if (conn_ && control_.active)
        resign_leadership(*conn_, lead_kind_);
    conn_.reset();
    control_.active = false;
    done_ = true;
}

db::Connection TickerLoop::open_connection(const config::Config& cfg)
{
    if (identity_.empty())
        identity_ = leader_identity(cfg.job_name);
    db::Connection conn = pgq::open_db(cfg, "ticker");
    if (fleet_) {
        // A statement stuck behind a lock holds one of the fleet's few
        // ticker threads: it fails instead and is tried again later.
        conn.exec(std::string("set lock_timeout = '") + fleet_lock_timeout + "'");
        pgq::require_pgq3(conn);
    } else {
        pgq::require_pgq(conn);
    }
    if (!no_pgq_.empty())
        spdlog::info("pgq found; serving this database");
    no_pgq_.clear();
    return conn;
}

TickerLoop::Wait TickerLoop::connect(const config::Config& cfg)
{
    conn_.emplace(open_connection(cfg));
    lead_kind_ = lead_kind(*conn_);
    prepare_statements(*conn_);
    watching_client_ = false;
    session_db_ = cfg.db;
    return try_lead(cfg);
}

TickerLoop::Wait TickerLoop::reconnect(const config::Config& cfg)
{
    // The new connection first, so the lead passes from the old backend to
    // the new one between two statements, with no round missed.
    db::Connection fresh = open_connection(cfg);
    LeadKind fresh_kind = lead_kind(fresh);
    prepare_statements(fresh);
    if (control_.active)
        resign_leadership(*conn_, lead_kind_);
    control_.active = false;
    conn_.emplace(std::move(fresh));
    watching_client_ = false;
    lead_kind_ = fresh_kind;
    session_db_ = cfg.db;
    return try_lead(cfg);
}

bool TickerLoop::must_reconnect(const config::Config& cfg) const
{
    if (cfg.db != session_db_) {
        spdlog::info("ticker: db changed by reload, reconnecting");
        return true;
    }
    if (cfg.connection_lifetime > 0 && std::chrono::steady_clock::now() - conn_->opened_at() >
                                           std::chrono::duration<double>(cfg.connection_lifetime)) {
        spdlog::debug("ticker: connection older than connection_lifetime, reconnecting");
        return true;
    }
    return false;
}

TickerLoop::Wait TickerLoop::try_lead(const config::Config& cfg)
{
    if (must_reconnect(cfg))
        return reconnect(cfg);
    if (conn_->query_pending() && !lock_wait_over())
        return {conn_->socket(), lock_wait_until_};
    bool name_holder = !standing_by_ || monotonic_now() >= next_holder_lookup_;
    Leadership lead = claim_leadership(*conn_, lead_kind_, identity_, name_holder);
    failures_ = 0;
    backoff_.reset();
    if (!lead.leading) {
        // Say who leads once, and again when that changes: a standby that
        // waits on a stranger must be visible in the log. (With the C
        // extension's advisory lock, who holds it is looked up only now
        // and then.)
        if (name_holder || lead_kind_ == LeadKind::lease) {
            if (!standing_by_ || lead.holder != standby_holder_)
                spdlog::info("Another ticker leads this database: {}; standing by",
                             lead.holder.empty() ? "holder unknown" : lead.holder);
            standby_holder_ = lead.holder;
        }
        if (name_holder)
            next_holder_lookup_ = monotonic_now() + holder_lookup_seconds;
        standing_by_ = true;
        if (lead_kind_ == LeadKind::advisory_lock && wait_on_server_) {
            // The lock comes to the first in line the moment its holder's
            // backend ends: no look every loop_delay, no delay.
            if (!watching_client_)
                watch_client_while_waiting(*conn_);
            watching_client_ = true;
            send_advisory_lock_wait(*conn_, lock_wait_seconds);
            lock_wait_until_ = monotonic_now() + lock_wait_seconds + 5;
            control_.report_standby(lock_wait_until_ - monotonic_now());
            return {conn_->socket(), lock_wait_until_};
        }
        // Connected and healthy, just not in charge: not a failure. The
        // connection stays, so looking again costs a query, not a new
        // backend, and can be as frequent as a round: a dead leader's
        // backend ends with it and frees the lead at once.
        double standby_wait = std::max(cfg.loop_delay, min_standby_wait);
        control_.report_standby(standby_wait);
        return {-1, monotonic_now() + standby_wait};
    }
    if (watching_client_)
        stop_watching_client(*conn_);
    watching_client_ = false;
    if (standing_by_)
        spdlog::info("Took over the lead of this database; ticking");
    standing_by_ = false;
    start_session(*conn_);
    return {conn_->socket(), monotonic_now()};
}

bool TickerLoop::lock_wait_over()
{
    try {
        return advisory_lock_wait_over(*conn_);
    } catch (const db::DbError& e) {
        if (e.sqlstate().rfind("08", 0) == 0)
            throw;
        // Not for want of a connection (no PL/pgSQL in this database, say):
        // look every loop_delay instead, as on our schema.
        spdlog::warn(
            "ticker: cannot wait on the server for the lead ({}); looking every loop_delay",
            e.describe());
        wait_on_server_ = false;
        return true;
    }
}

void TickerLoop::prepare_statements(db::Connection& conn)
{
    const std::string state =
        std::string(newest_queue_sql) + ", " + std::string(queue_fingerprint_sql);
    conn.prepare("probe", probe_sql(std::string(newest_queue_sql) + ", null::text"), 1);
    conn.prepare("probe_checked", probe_sql(state), 1);
    conn.prepare("probe_more", probe_sql("null::int8, null::text"), 1);
    conn.prepare("tick", "select q, pgq.ticker(q) from unnest($1::text[]) q", 1);
    conn.prepare("queue_list", queue_list_sql, 0);
    conn.prepare("queue_state", "select " + state, 0);
    wake_ticker_.prepare(conn);
}

void TickerLoop::start_session(db::Connection& conn)
{
    conn.exec(std::string("listen ") + pgq::queue_change_channel + "; listen " +
              pgq::wakeup_channel);
    conn.set_notification_sink([this](std::string_view channel, std::string_view payload) {
        on_notification(channel, payload);
    });
    control_.active = true;
    refresh_needed_ = true;
    queue_change_pending_ = false;
    wakeups_.clear();
    generation_ = control_.generation();
    next_round_ = 0;
    next_retry_ = monotonic_now();
    retry_moved_ = 0;
    if (maintenance_)
        maintenance_->spread_first(control_.settings()->maint_delay);
}

TickerLoop::Wait TickerLoop::session_step(const config::Config& cfg)
{
    db::Connection& conn = *conn_;
    if (control_.generation() != generation_) {
        generation_ = control_.generation();
        refresh_needed_ = true; // a reload may change what we tick
        next_round_ = 0;
    }
    if (must_reconnect(cfg))
        return reconnect(cfg);
    // Queries pass on notifications as they read them; this takes what
    // else the socket holds, a bounded chunk at a time.
    conn.drain_notifications(notification_chunk);
    double change_refresh_at = last_refresh_ + min_seconds_between_change_refreshes;
    if (queue_change_pending_ && monotonic_now() >= change_refresh_at)
        refresh_needed_ = true;
    double next_wake = tick_woken(conn);
    bool round_done = false;
    if (monotonic_now() >= next_round_) {
        // Woken queues stay pending: pgq.ticker() turns a wake-up for
        // events this round already ticked into a no-op.
        double round_start = monotonic_now();
        double wanted = round(conn);
        double now = monotonic_now();
        control_.report_round(now - round_start);
        next_round_ = now + cfg.loop_delay;
        if (fleet_) // many databases: each is probed only as often as its queues need
            next_round_ =
                std::clamp(wanted, next_round_, now + std::max(cfg.loop_delay, max_round_gap));
        // Wake-ups that came in during the round.
        conn.drain_notifications(notification_chunk);
        next_wake = tick_woken(conn);
        change_refresh_at = last_refresh_ + min_seconds_between_change_refreshes;
        round_done = true;
    }
    // A fleet's retry events and maintenance that are due wait for the next
    // round and follow it: its backend, busy with the round, is then not woken
    // for them on their own. (Waking a backend costs more than the probe; at
    // 500 databases that was one in ten of their wake-ups.) Retry events that
    // keep coming back are moved in the steps after, without waiting.
    if (fleet_ && (round_done || retry_moved_ > 0) && monotonic_now() >= next_retry_)
        next_retry_ = move_retry_events(conn, cfg);
    if (maintenance_ && round_done && monotonic_now() >= maintenance_->next_due())
        run_maintenance(conn);
    double until = std::min(next_round_, next_wake);
    if (fleet_ && retry_moved_ > 0)
        until = std::min(until, next_retry_);
    if (wakeups_.waiting_for_refresh() && !refresh_needed_) // may be for a new queue
        until = std::min(until, change_refresh_at);
    return {conn.socket(), until};
}

double TickerLoop::move_retry_events(db::Connection& conn, const config::Config& cfg)
{
    long moved = 0;
    try {
        db::Result r = conn.exec("select pgq.maint_retry_events()");
        moved = r.is_null(0, 0) ? 0 : static_cast<long>(r.as_int(0, 0));
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        spdlog::warn("retry: {}", e.describe());
        retry_moved_ = 0;
        return monotonic_now() + cfg.retry_delay;
    }
    control_.stats.retry += moved;
    retry_moved_ += moved;
    if (moved > 0)
        return monotonic_now(); // more may be due: the next call in the next step
    if (retry_moved_ > 0)
        spdlog::info("Got {} events for retry", retry_moved_);
    retry_moved_ = 0;
    return monotonic_now() + cfg.retry_delay;
}

void TickerLoop::run_maintenance(db::Connection& conn)
{
    conn.exec(std::string("set lock_timeout = '") + maintenance_lock_timeout + "'");
    try {
        maintenance_->run_due(conn);
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        spdlog::error("maintenance: {}", e.describe());
        maintenance_->postpone(maintenance_retry_seconds);
    }
    conn.exec(std::string("set lock_timeout = '") + fleet_lock_timeout + "'");
}

void TickerLoop::on_notification(std::string_view channel, std::string_view payload)
{
    if (channel != pgq::wakeup_channel) {
        queue_change_pending_ = true; // pgqadm's create/drop/config changed a queue
        return;
    }
    wakeups_.on_wakeup(payload, queues_.find(payload) != queues_.end(),
                       queue_change_pending_ || refresh_needed_);
}

double TickerLoop::tick_woken(db::Connection& conn)
{
    if (wakeups_.empty())
        return std::numeric_limits<double>::infinity();
    if (refresh_needed_)
        refresh(conn);
    double now = monotonic_now();
    Wakeups::Due due = wakeups_.take_due(now, [this](const std::string& name) {
        auto q = queues_.find(name);
        return q == queues_.end()
                   ? std::nullopt
                   : std::optional<double>(q->second.state.last_tick + q->second.settings.max_lag);
    });
    if (due.queues.empty())
        return due.next_due;

    std::vector<std::string> seqs;
    for (const auto& name : due.queues)
        seqs.push_back(queues_.find(name)->second.seq_oid);
    WakeTicker::Ticks ticks;
    try {
        ticks = wake_ticker_.tick(conn, due.queues, seqs);
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        if (wake_ticker_.fall_back(e)) {
            wakeups_.wake_again(due.queues); // at once, through pgq.ticker()
            return now;
        }
        // e.g. paused or dropped a moment ago: the next round sorts it out.
        spdlog::debug("ticker: wake-up tick failed ({}), refreshing queue list", e.describe());
        refresh_needed_ = true;
        return due.next_due;
    }
    now = monotonic_now();
    for (const auto& [name, seq] : ticks) {
        auto q = queues_.find(name);
        if (q != queues_.end())
            observe_tick(q->second.state, seq, now);
    }
    spdlog::debug("ticker: woken for {} queues, {} ticks", due.queues.size(), ticks.size());
    control_.stats.ticks += static_cast<long>(ticks.size());
    return due.next_due;
}

void TickerLoop::confirm_lead(db::Connection& conn)
{
    // Only a pgq_admin can take the lease from a live backend (by hand);
    // should one do so, stop ticking rather than tick beside the new leader.
    if (lead_kind_ != LeadKind::lease)
        return;
    Leadership lead = claim_leadership(conn, lead_kind_, identity_);
    if (!lead.leading)
        throw Error("lost the lead of this database to " + lead.holder);
}

void TickerLoop::refresh(db::Connection& conn)
{
    // Changes announced while the query runs need another refresh.
    queue_change_pending_ = false;
    // What the list is read from first: a change in between shows at the next check.
    db::Result state = conn.exec_prepared("queue_state", {});
    db::Result r = conn.exec_prepared("queue_list", {});
    double now = monotonic_now();
    std::map<std::string, Queue, std::less<>> fresh;
    for (int i = 0; i < r.rows(); ++i) {
        if (r.as_bool(i, 5))
            continue; // paused: never ticked
        Queue q;
        q.name = r.get(i, 0);
        if (r.is_null(i, 8)) {
            spdlog::warn("ticker: queue {}: event sequence {} not found, skipped", q.name,
                         r.get(i, 1));
            continue;
        }
        q.seq_oid = r.get(i, 8);
        q.settings = {r.as_double(i, 2), r.as_double(i, 3), r.as_int(i, 4)};
        auto known = queues_.find(q.name);
        if (known != queues_.end()) {
            q.state = known->second.state;
        } else {
            q.state.last_tick = r.is_null(i, 6) ? 0 : now - r.as_double(i, 6);
            q.state.last_seq = r.is_null(i, 7) ? -1 : r.as_int(i, 7);
            // The idle back-off goes on from the last two ticks in the
            // database, so a restart gives idle queues no extra ticks.
            q.state.last_gap = r.is_null(i, 9) ? -1 : r.as_double(i, 9);
        }
        fresh.emplace(q.name, std::move(q));
    }
    queues_ = std::move(fresh);
    newest_queue_id_ = state.as_int(0, 0);
    queue_fingerprint_ = state.get(0, 1);

    probe_order_.clear();
    probe_chunks_.clear();
    std::vector<std::string> oids;
    for (auto& [name, q] : queues_) {
        probe_order_.push_back(&q);
        oids.push_back(q.seq_oid);
        if (oids.size() == probe_chunk) {
            probe_chunks_.push_back(text_array_literal(oids));
            oids.clear();
        }
    }
    if (!oids.empty())
        probe_chunks_.push_back(text_array_literal(oids));
    // Wake-ups that came before their queue was on the list.
    wakeups_.after_refresh([this](const std::string& name) { return queues_.count(name) > 0; },
                           queue_change_pending_);
    refresh_needed_ = false;
    last_refresh_ = now;
    next_change_check_ = now + control_.settings()->queue_refresh_period;
    spdlog::debug("ticker: {} queues to tick", queues_.size());
}

double TickerLoop::round(db::Connection& conn)
{
    if (refresh_needed_) {
        confirm_lead(conn);
        refresh(conn);
    }
    std::vector<long long> seqs;
    seqs.reserve(probe_order_.size());
    bool check = monotonic_now() >= next_change_check_;
    long long newest_queue_id = -1;
    std::string fingerprint;
    try {
        for (std::size_t i = 0; i < probe_chunks_.size(); ++i) {
            const char* statement = i > 0 ? "probe_more" : check ? "probe_checked" : "probe";
            db::Result r = conn.exec_prepared(statement, {probe_chunks_[i]});
            for (int row = 0; row < r.rows(); ++row)
                seqs.push_back(r.as_int(row, 0));
            if (i == 0 && r.rows() > 0) {
                newest_queue_id = r.as_int(0, 1);
                fingerprint = check ? r.get(0, 2) : queue_fingerprint_;
            }
        }
        if (probe_chunks_.empty()) {
            db::Result r = conn.exec_prepared("queue_state", {});
            newest_queue_id = r.as_int(0, 0);
            fingerprint = check ? r.get(0, 1) : queue_fingerprint_;
        }
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        // e.g. a queue dropped since the list was read: read it again.
        spdlog::debug("ticker: probe failed ({}), refreshing queue list", e.describe());
        refresh_needed_ = true;
        return monotonic_now();
    }
    if (seqs.size() != probe_order_.size())
        throw Error("ticker: sequence probe returned " + std::to_string(seqs.size()) +
                    " values for " + std::to_string(probe_order_.size()) + " queues");
    if (check)
        next_change_check_ = monotonic_now() + control_.settings()->queue_refresh_period;
    if (newest_queue_id != newest_queue_id_ || fingerprint != queue_fingerprint_) {
        // A new queue is ticked from the next round on, well within its ticker_max_lag.
        spdlog::debug("ticker: pgq.queue changed, re-reading the queue list");
        refresh_needed_ = true;
    }

    double now = monotonic_now();
    std::vector<std::string> due;
    std::vector<std::pair<Queue*, TickReason>> decisions;
    for (std::size_t i = 0; i < probe_order_.size(); ++i) {
        Queue& q = *probe_order_[i];
        long long seq = seqs[i];
        if (q.state.last_seq < 0) // schema without tick_event_seq: start from here
            q.state.last_seq = seq;
        TickReason reason = need_tick(q.settings, q.state, seq, now);
        decisions.emplace_back(&q, reason);
        if (reason != TickReason::none)
            due.push_back(q.name);
    }
    if (!due.empty()) {
        std::set<std::string> ticked = tick(conn, due);
        now = monotonic_now();
        for (std::size_t i = 0; i < decisions.size(); ++i) {
            auto [q, reason] = decisions[i];
            if (reason != TickReason::none && ticked.count(q->name))
                observe_tick(q->state, seqs[i], now);
        }
        control_.stats.ticks += static_cast<long>(ticked.size());
    }
    if (refresh_needed_)
        return now;
    double wanted = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < decisions.size(); ++i)
        wanted = std::min(wanted, next_check(decisions[i].first->settings,
                                             decisions[i].first->state, seqs[i], now));
    return wanted;
}

std::set<std::string> TickerLoop::tick(db::Connection& conn, const std::vector<std::string>& names)
{
    // One statement (one short transaction) for all due queues; pgq.ticker(q)
    // itself may still decide a tick is not needed yet and return NULL, and
    // then the queue is asked again next round, as pgqd would.
    std::set<std::string> ticked;
    try {
        db::Result r = conn.exec_prepared("tick", {text_array_literal(names)});
        for (int row = 0; row < r.rows(); ++row)
            if (!r.is_null(row, 1))
                ticked.insert(r.get(row, 0));
        spdlog::debug("ticker: asked {} queues, {} ticks", names.size(), ticked.size());
        return ticked;
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        spdlog::warn("ticker: batch tick failed ({}); ticking queues one by one", e.describe());
    }
    for (const auto& name : names) {
        try {
            db::Result r = conn.exec("select pgq.ticker($1)", {name});
            if (!r.is_null(0, 0))
                ticked.insert(name);
        } catch (const db::DbError& e) {
            if (e.is_connection_problem())
                throw;
            spdlog::error("ticker: queue {}: {}", name, e.describe());
        }
    }
    refresh_needed_ = true;
    return ticked;
}

} // namespace pgqadm::ticker
