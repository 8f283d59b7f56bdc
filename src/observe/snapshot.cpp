#include "pgqadm/observe/snapshot.hpp"

namespace pgqadm::observe {
namespace {

// One statement, so every figure comes from the same snapshot: a row for
// the database (kind 0), then one per queue (kind 1) and per consumer
// (kind 2). The info functions are PgQ's API, so this works on the pgq
// extension too; to_jsonb() reads columns older versions may lack as NULL.
// The retry queue is small unless consumers keep failing, so counting its
// rows per queue is cheap. The event sequence is found by the queue's id,
// as create_queue names it, not through queue_event_seq, which pgq_admin
// may point at any sequence.
//
//  kind | queue | consumer | v1         | v2           | v3         | v4         | v5    | v6 | v7
//  | v8 0    |       |          | notify use |              |            |            |       | | |
//  1    | name  |          | tick age   | last tick id | event seq  | events/s   | retry | rotation
//  | since switch| paused/external 2    | queue | name     | lag        | last seen    | pending |
//  |       |          |             |
constexpr const char* snapshot_sql =
    "select 0, null::text, null::text, pg_catalog.pg_notification_queue_usage(),"
    "       null::float8, null::float8, null::float8, null::float8, null::float8,"
    "       null::float8, null::bool, pg_catalog.current_database()::text"
    " union all "
    "select 1, i.queue_name, null,"
    "       extract(epoch from i.ticker_lag)::float8,"
    "       (to_jsonb(i) ->> 'last_tick_id')::float8,"
    "       coalesce(pg_catalog.pg_sequence_last_value("
    "                  pg_catalog.to_regclass('pgq.event_' || q.queue_id || '_id_seq')), "
    "0)::float8,"
    "       (to_jsonb(i) ->> 'ev_per_sec')::float8,"
    "       coalesce(r.events, 0)::float8,"
    "       extract(epoch from i.queue_rotation_period)::float8,"
    "       extract(epoch from pg_catalog.now() - i.queue_switch_time)::float8,"
    "       coalesce((to_jsonb(i) ->> 'queue_ticker_paused')::bool, false)"
    "         or coalesce((to_jsonb(i) ->> 'queue_external_ticker')::bool, false),"
    "       null"
    "  from pgq.get_queue_info() i"
    "  join pgq.queue q on q.queue_name = i.queue_name"
    "  left join (select ev_queue, pg_catalog.count(*) as events"
    "               from pgq.retry_queue group by ev_queue) r on r.ev_queue = q.queue_id"
    " union all "
    "select 2, c.queue_name, c.consumer_name,"
    "       extract(epoch from c.lag)::float8,"
    "       extract(epoch from c.last_seen)::float8,"
    "       (to_jsonb(c) ->> 'pending_events')::float8,"
    "       null, null, null, null, null, null"
    "  from pgq.get_consumer_info() c"
    " order by 1, 2, 3";

std::optional<double> number(const db::Result& r, int row, int col)
{
    if (r.is_null(row, col))
        return std::nullopt;
    return r.as_double(row, col);
}

} // namespace

DbSnapshot read_snapshot(db::Connection& conn)
{
    db::Result r = conn.exec(snapshot_sql);
    DbSnapshot snap;
    for (int row = 0; row < r.rows(); ++row) {
        switch (r.as_int(row, 0)) {
        case 0:
            snap.notification_queue_usage = number(r, row, 3).value_or(0);
            snap.database = r.get(row, 11);
            break;
        case 1: {
            QueueFacts q;
            q.name = r.get(row, 1);
            q.tick_age = number(r, row, 3);
            q.last_tick_id = number(r, row, 4);
            q.event_seq = number(r, row, 5).value_or(0);
            q.events_per_second = number(r, row, 6);
            q.retry_events = number(r, row, 7).value_or(0);
            q.rotation_period = number(r, row, 8);
            q.since_rotation = number(r, row, 9);
            q.ticked_elsewhere = r.as_bool(row, 10);
            snap.queues.push_back(std::move(q));
            break;
        }
        default: {
            // Queue rows come first and in name order, as the consumers do.
            std::string queue = r.get(row, 1);
            for (QueueFacts& q : snap.queues) {
                if (q.name == queue) {
                    q.consumers.push_back(
                        {r.get(row, 2), number(r, row, 3), number(r, row, 4), number(r, row, 5)});
                    break;
                }
            }
        }
        }
    }
    return snap;
}

bool blocks_rotation(std::optional<double> rotation_period, std::optional<double> since_rotation,
                     std::optional<double> consumer_lag)
{
    return rotation_period && since_rotation && consumer_lag &&
           *since_rotation > *rotation_period && *consumer_lag > *since_rotation;
}

} // namespace pgqadm::observe
