#include "pgqadm/ticker/ticker_loop.hpp"

#include "pgqadm/cli/session.hpp"
#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/ticker/leadership.hpp"
#include "pgqadm/ticker/sql_text.hpp"

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

// Wake-ups for queues missing from our list are kept (this many at most)
// only while a refresh is due, e.g. after pgqadm announced a queue change:
// they are likely for the queue just created. Any other name is dropped; a
// queue created without pgqadm is found by the periodic refresh.
constexpr std::size_t max_unknown_wakeups = 64;

// Queue changes are announced by NOTIFY, which anyone can send: they make
// the queue list be re-read at most this often.
constexpr double min_seconds_between_change_refreshes = 1.0;

// A never-used sequence reads as 0 (its last_value would say 1 both before and
// after the first nextval(), hiding a queue's first event); a sequence dropped
// since the last refresh reads as NULL.
//
// The second column, the newest queue id, reveals queues created by any tool
// (londiste, an application's migration) since the last refresh: ids only
// grow, and unlike the id sequence it counts only committed queues.
constexpr const char* probe_sql =
    "select case when c.oid is not null"
    "            then coalesce(pg_catalog.pg_sequence_last_value(c.oid), 0) end,"
    "       (select coalesce(pg_catalog.max(queue_id), 0) from pgq.queue)"
    "  from unnest($1::pg_catalog.oid[]) with ordinality u(seq, n)"
    "  left join pg_catalog.pg_class c on c.oid = u.seq"
    " order by u.n";

// Wake-up ticks, one round trip for all woken queues. The daemon inserts the
// tick rows itself: the same columns and defaults as pgq.ticker(queue), and a
// tick only when the event sequence moved past the last tick. It skips the
// PL/pgSQL call, whose pinned search_path and separate lookups cost about a
// fifth of the ticker backend's CPU per tick. Only our schema sends wake-ups;
// a role that may not insert into pgq.tick falls back to wake_tick_api_sql.
constexpr const char* wake_tick_direct_sql =
    "insert into pgq.tick (tick_queue, tick_id, tick_event_seq)"
    " select q.queue_id,"
    "        pg_catalog.nextval(pgq.quote_fqname(q.queue_tick_seq)::pg_catalog.regclass),"
    "        coalesce(pg_catalog.pg_sequence_last_value(u.seq), 0)"
    "   from unnest($1::text[], $2::pg_catalog.oid[]) u(name, seq)"
    "   join pgq.queue q on q.queue_name = u.name"
    "  where not q.queue_external_ticker and not q.queue_ticker_paused"
    "    and coalesce(pg_catalog.pg_sequence_last_value(u.seq), 0)"
    "        > coalesce((select t.tick_event_seq from pgq.tick t"
    "                     where t.tick_queue = q.queue_id"
    "                     order by t.tick_queue desc, t.tick_id desc limit 1), -1)"
    " returning (select queue_name from pgq.queue where queue_id = tick_queue), tick_event_seq";

// The same through the API: the sequence position (read first, so it is
// never past what the tick records) and pgq.ticker(), which decides itself.
constexpr const char* wake_tick_api_sql =
    "select u.name, coalesce(pg_catalog.pg_sequence_last_value(u.seq), 0), pgq.ticker(u.name)"
    "  from unnest($1::text[], $2::pg_catalog.oid[]) u(name, seq)";

} // namespace

double monotonic_now()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

db::Connection open_job_connection(const config::Config& cfg, const char* role)
{
    db::Connection conn = db::Connection::open(cfg.db, cfg.job_name + " " + role);
    db::Result r = conn.exec("select to_regclass('pgq.queue') is not null,"
                             "       to_regprocedure('pgq.ticker(text)') is not null");
    if (!r.as_bool(0, 0) || !r.as_bool(0, 1))
        throw Error("pgq is not installed in this database (or too old: no pgq.ticker(text)); "
                    "run 'pgqadm <config> install'");
    return conn;
}

void TickerLoop::run()
{
    Backoff backoff;
    long failures = 0;
    std::string standby_holder; // who led when we last said so; empty while leading
    bool standing_by = false;
    identity_ = leader_identity(control_.settings().job_name);
    while (!control_.stopping()) {
        config::Config cfg = control_.settings();
        try {
            db::Connection conn = open_job_connection(cfg, "ticker");
            Leadership lead = claim_leadership(conn, identity_);
            if (!lead.leading) {
                // Say who leads once, and again when that changes: a standby
                // that waits on a stranger must be visible in the log.
                if (!standing_by || lead.holder != standby_holder)
                    spdlog::info("Another ticker leads this database: {}; standing by",
                                 lead.holder.empty() ? "holder unknown" : lead.holder);
                standing_by = true;
                standby_holder = lead.holder;
                // Connected and healthy, just not in charge: not a failure.
                failures = 0;
                backoff.reset();
                double standby_wait = std::max(cfg.loop_delay, 2.0);
                control_.report_standby(standby_wait);
                control_.sleep_for(std::chrono::duration<double>(standby_wait));
                continue;
            }
            if (standing_by)
                spdlog::info("Took over the lead of this database; ticking");
            standing_by = false;
            failures = 0;
            backoff.reset();
            lease_ = lead.lease;
            session(conn, cfg.db);
            // A clean end (stop, connection_lifetime, a new db): hand the
            // lead on now rather than when this backend is gone, and
            // reconnect at once: nothing failed.
            resign_leadership(conn);
            control_.active = false;
            continue;
        } catch (const db::DbError& e) {
            spdlog::error("ticker: {}", e.describe());
        } catch (const std::exception& e) {
            spdlog::error("ticker: {}", e.what());
        }
        control_.active = false;
        if (control_.stopping())
            break;
        ++failures;
        if (cfg.max_failures > 0 && failures >= cfg.max_failures) {
            spdlog::critical("giving up after {} failed attempts in a row (max_failures)",
                             failures);
            control_.fail(1);
            break;
        }
        double delay = backoff.next();
        control_.report_failure(delay);
        spdlog::info("ticker: retrying in {} s", delay);
        control_.sleep_for(std::chrono::duration<double>(delay));
    }
    control_.active = false;
}

void TickerLoop::session(db::Connection& conn, const std::string& db)
{
    conn.exec(std::string("listen ") + cli::queue_change_channel);
    conn.exec(std::string("listen ") + wakeup_channel);
    conn.prepare("probe", probe_sql, 1);
    conn.prepare("tick", "select q, pgq.ticker(q) from unnest($1::text[]) q", 1);
    conn.prepare("newest_queue", "select coalesce(pg_catalog.max(queue_id), 0) from pgq.queue", 0);
    conn.prepare("wake_tick_api", wake_tick_api_sql, 2);
    direct_wake_ticks_ = true; // prepared on first use
    direct_prepared_ = false;
    conn.set_notification_sink([this](std::string_view channel, std::string_view payload) {
        on_notification(channel, payload);
    });
    control_.active = true;
    refresh_needed_ = true;
    queue_change_pending_ = false;
    woken_.clear();
    woken_unknown_.clear();
    unsigned generation = control_.generation();
    double next_round = 0;
    while (!control_.stopping()) {
        config::Config cfg = control_.settings();
        if (control_.generation() != generation) {
            generation = control_.generation();
            refresh_needed_ = true; // a reload may change what we tick
            next_round = 0;
            if (cfg.db != db) {
                spdlog::info("ticker: db changed by reload, reconnecting");
                return;
            }
        }
        if (cfg.connection_lifetime > 0 &&
            std::chrono::steady_clock::now() - conn.opened_at() >
                std::chrono::duration<double>(cfg.connection_lifetime)) {
            spdlog::debug("ticker: connection older than connection_lifetime, reconnecting");
            return;
        }
        // Queries pass on notifications as they read them; this takes what
        // else the socket holds, a bounded chunk at a time.
        conn.drain_notifications(notification_chunk);
        double change_refresh_at = last_refresh_ + min_seconds_between_change_refreshes;
        if (queue_change_pending_ && monotonic_now() >= change_refresh_at)
            refresh_needed_ = true;
        double next_wake = tick_woken(conn);
        if (monotonic_now() >= next_round) {
            // Woken queues stay pending: pgq.ticker() turns a wake-up for
            // events this round already ticked into a no-op.
            double round_start = monotonic_now();
            round(conn);
            control_.report_round(monotonic_now() - round_start);
            next_round = monotonic_now() + cfg.loop_delay;
            continue;
        }
        double until = std::min(next_round, next_wake);
        if (!woken_unknown_.empty() && !refresh_needed_) // may be for a new queue
            until = std::min(until, change_refresh_at);
        control_.wait_readable(conn.socket(),
                               std::chrono::duration<double>(until - monotonic_now()));
    }
}

void TickerLoop::on_notification(std::string_view channel, std::string_view payload)
{
    if (channel != wakeup_channel) {
        queue_change_pending_ = true; // pgqadm's create/drop/config changed a queue
        return;
    }
    if (queues_.find(payload) != queues_.end()) {
        if (woken_.find(payload) == woken_.end())
            woken_.emplace(payload);
    } else if ((queue_change_pending_ || refresh_needed_) &&
               woken_unknown_.size() < max_unknown_wakeups &&
               woken_unknown_.find(payload) == woken_unknown_.end()) {
        woken_unknown_.emplace(payload);
    }
}

double TickerLoop::tick_woken(db::Connection& conn)
{
    if (woken_.empty() && woken_unknown_.empty())
        return std::numeric_limits<double>::infinity();
    if (refresh_needed_)
        refresh(conn);
    double now = monotonic_now();
    double next_due = std::numeric_limits<double>::infinity();
    std::vector<std::string> names;
    std::vector<std::string> seqs;
    for (auto it = woken_.begin(); it != woken_.end();) {
        auto q = queues_.find(*it);
        if (q == queues_.end()) { // dropped or paused since it was woken
            it = woken_.erase(it);
            continue;
        }
        double due = q->second.state.last_tick + q->second.settings.max_lag;
        if (due > now) {
            next_due = std::min(next_due, due);
            ++it;
            continue;
        }
        names.push_back(q->first);
        seqs.push_back(q->second.seq_oid);
        it = woken_.erase(it);
    }
    if (names.empty())
        return next_due;

    long created = 0;
    try {
        created = direct_wake_ticks_ ? wake_ticks_direct(conn, names, seqs)
                                     : wake_ticks_via_api(conn, names, seqs);
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        // Class 42: no INSERT right on pgq.tick or its sequences, or a pgq
        // without these columns. Anything else may pass; the round retries.
        if (direct_wake_ticks_ && e.sqlstate().rfind("42", 0) == 0) {
            spdlog::info("ticker: wake-up ticks go through pgq.ticker() ({})", e.describe());
            direct_wake_ticks_ = false;
            for (const auto& name : names)
                woken_.insert(name); // again, through the API
            return now;
        }
        // e.g. paused or dropped a moment ago: the next round sorts it out.
        spdlog::debug("ticker: wake-up tick failed ({}), refreshing queue list", e.describe());
        refresh_needed_ = true;
        return next_due;
    }
    spdlog::debug("ticker: woken for {} queues, {} ticks", names.size(), created);
    control_.stats.ticks += created;
    return next_due;
}

long TickerLoop::wake_ticks_direct(db::Connection& conn, const std::vector<std::string>& names,
                                   const std::vector<std::string>& seqs)
{
    if (!direct_prepared_) {
        conn.prepare("wake_tick_direct", wake_tick_direct_sql, 2);
        direct_prepared_ = true;
    }
    db::Result r = conn.exec_prepared("wake_tick_direct",
                                      {text_array_literal(names), text_array_literal(seqs)});
    double now = monotonic_now();
    for (int row = 0; row < r.rows(); ++row) {
        auto q = queues_.find(r.get(row, 0));
        if (q != queues_.end())
            observe_tick(q->second.state, r.as_int(row, 1), now);
    }
    return r.rows();
}

long TickerLoop::wake_ticks_via_api(db::Connection& conn, const std::vector<std::string>& names,
                                    const std::vector<std::string>& seqs)
{
    db::Result r =
        conn.exec_prepared("wake_tick_api", {text_array_literal(names), text_array_literal(seqs)});
    double now = monotonic_now();
    long created = 0;
    for (int row = 0; row < r.rows(); ++row) {
        auto q = queues_.find(r.get(row, 0));
        if (q == queues_.end())
            continue;
        if (r.is_null(row, 2))
            continue; // pgq.ticker() saw no need
        ++created;
        observe_tick(q->second.state, r.as_int(row, 1), now);
    }
    return created;
}

void TickerLoop::confirm_lead(db::Connection& conn)
{
    // Only a pgq_admin can take the lease from a live backend (by hand);
    // should one do so, stop ticking rather than tick beside the new leader.
    if (!lease_)
        return;
    Leadership lead = claim_leadership(conn, identity_);
    if (!lead.leading)
        throw Error("lost the lead of this database to " + lead.holder);
}

void TickerLoop::refresh(db::Connection& conn)
{
    // Changes announced while the query runs need another refresh.
    queue_change_pending_ = false;
    // to_jsonb() tolerates schemas without queue_ticker_paused / tick_event_seq.
    db::Result r =
        conn.exec("select q.queue_name, q.queue_event_seq,"
                  "       extract(epoch from q.queue_ticker_max_lag)::float8,"
                  "       extract(epoch from q.queue_ticker_idle_period)::float8,"
                  "       q.queue_ticker_max_count,"
                  "       coalesce((to_jsonb(q) ->> 'queue_ticker_paused')::bool, false),"
                  "       extract(epoch from now() - t.tick_time)::float8,"
                  "       (to_jsonb(t) ->> 'tick_event_seq')::int8,"
                  "       to_regclass(q.queue_event_seq)::oid,"
                  "       extract(epoch from t.tick_time - (select p.tick_time from pgq.tick p"
                  "                 where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
                  "                 order by p.tick_queue desc, p.tick_id desc limit 1))::float8"
                  "  from pgq.queue q"
                  "  left join lateral (select * from pgq.tick"
                  "                      where tick_queue = q.queue_id"
                  "                      order by tick_queue desc, tick_id desc limit 1) t on true"
                  " where not q.queue_external_ticker"
                  " order by q.queue_name");
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
    newest_queue_id_ = conn.exec_prepared("newest_queue", {}).as_int(0, 0);

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
    for (auto it = woken_unknown_.begin(); it != woken_unknown_.end();) {
        if (queues_.count(*it)) {
            woken_.insert(*it);
            it = woken_unknown_.erase(it);
        } else {
            ++it;
        }
    }
    if (!queue_change_pending_)
        woken_unknown_.clear();
    refresh_needed_ = false;
    last_refresh_ = now;
    next_refresh_ = now + control_.settings().queue_refresh_period;
    spdlog::debug("ticker: {} queues to tick", queues_.size());
}

void TickerLoop::round(db::Connection& conn)
{
    if (refresh_needed_ || monotonic_now() >= next_refresh_) {
        confirm_lead(conn);
        refresh(conn);
    }
    std::vector<std::optional<long long>> seqs;
    seqs.reserve(probe_order_.size());
    long long newest_queue_id = -1;
    try {
        for (const auto& chunk : probe_chunks_) {
            db::Result r = conn.exec_prepared("probe", {chunk});
            for (int row = 0; row < r.rows(); ++row)
                seqs.push_back(r.is_null(row, 0) ? std::nullopt
                                                 : std::optional<long long>(r.as_int(row, 0)));
            if (r.rows() > 0)
                newest_queue_id = r.as_int(0, 1);
        }
        if (probe_chunks_.empty())
            newest_queue_id = conn.exec_prepared("newest_queue", {}).as_int(0, 0);
    } catch (const db::DbError& e) {
        if (e.is_connection_problem())
            throw;
        // e.g. a queue dropped between the join and the read: re-read the list.
        spdlog::debug("ticker: probe failed ({}), refreshing queue list", e.describe());
        refresh_needed_ = true;
        return;
    }
    if (seqs.size() != probe_order_.size())
        throw Error("ticker: sequence probe returned " + std::to_string(seqs.size()) +
                    " values for " + std::to_string(probe_order_.size()) + " queues");
    if (newest_queue_id != newest_queue_id_) {
        // Ticked from the next round on, well within its ticker_max_lag.
        spdlog::debug("ticker: queue list changed, re-reading it");
        refresh_needed_ = true;
    }

    double now = monotonic_now();
    std::vector<std::string> due;
    std::vector<std::pair<Queue*, TickReason>> decisions;
    for (std::size_t i = 0; i < probe_order_.size(); ++i) {
        Queue& q = *probe_order_[i];
        // NULL: dropped since the last refresh; nothing new there.
        long long seq = seqs[i].value_or(q.state.last_seq);
        if (q.state.last_seq < 0) // schema without tick_event_seq: start from here
            q.state.last_seq = seq;
        seqs[i] = seq;
        TickReason reason = need_tick(q.settings, q.state, seq, now);
        decisions.emplace_back(&q, reason);
        if (reason != TickReason::none)
            due.push_back(q.name);
    }
    if (due.empty())
        return;
    std::set<std::string> ticked = tick(conn, due);
    now = monotonic_now();
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        auto [q, reason] = decisions[i];
        if (reason != TickReason::none && ticked.count(q->name))
            observe_tick(q->state, *seqs[i], now);
    }
    control_.stats.ticks += static_cast<long>(ticked.size());
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
