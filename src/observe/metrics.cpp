#include "pgqadm/observe/metrics.hpp"

#include "pgqadm/db/db_error.hpp"
#include "pgqadm/ticker/ticker_loop.hpp"

#include <spdlog/spdlog.h>

namespace pgqadm::observe {
namespace {

/// Samples of one queue or consumer carry these labels.
Labels with(const std::string& database, const std::string& queue,
            const std::string* consumer = nullptr)
{
    Labels labels{{"database", database}, {"queue", queue}};
    if (consumer)
        labels.emplace_back("consumer", *consumer);
    return labels;
}

void snapshot_status_families(Exposition& page, const PageFacts& f)
{
    const Labels db{{"database", f.database}};
    page.family("pgqadm_up", Type::gauge,
                "1 when the last metrics snapshot of the database succeeded");
    page.sample(db, f.snapshot ? 1 : 0);
    page.family("pgqadm_scrape_duration_seconds", Type::gauge,
                "Seconds the last database snapshot took");
    page.sample(db, f.scrape_seconds);
    page.family("pgqadm_snapshot_age_seconds", Type::gauge,
                "Age of the database snapshot shown (metrics_cache_seconds)");
    page.sample(db, f.snapshot_age);
}

/// One family with one sample per database, of what `value` reads from its loop.
template <typename Value>
void per_database(Exposition& page, const std::vector<LoopFacts>& dbs, const std::string& name,
                  Type type, const std::string& help, Value value)
{
    page.family(name, type, help);
    for (const LoopFacts& f : dbs)
        page.sample({{"database", f.database}}, value(f));
}

void loop_families(Exposition& page, const std::vector<LoopFacts>& dbs)
{
    per_database(page, dbs, "pgqadm_leader", Type::gauge,
                 "1 while this daemon leads the database's ticking, 0 as standby",
                 [](const LoopFacts& f) { return f.loop.leading ? 1 : 0; });
    per_database(page, dbs, "pgqadm_connected", Type::gauge,
                 "1 while the ticker reaches the database",
                 [](const LoopFacts& f) { return f.loop.connected ? 1 : 0; });
    per_database(
        page, dbs, "pgqadm_consecutive_failures", Type::gauge,
        "Failed ticker attempts in a row (0 when the last one worked)",
        [](const LoopFacts& f) { return static_cast<double>(f.loop.consecutive_failures); });
    per_database(
        page, dbs, "pgqadm_connection_failures_total", Type::counter,
        "Failed ticker attempts (connection or query) since start",
        [](const LoopFacts& f) { return static_cast<double>(f.loop.connection_failures); });
    per_database(page, dbs, "pgqadm_seconds_since_last_round", Type::gauge,
                 "Seconds since the ticker's last round (leader) or check of the lead (standby); "
                 "-1 before the first",
                 [](const LoopFacts& f) { return f.loop.since_round; });

    per_database(page, dbs, "pgqadm_ticks_total", Type::counter,
                 "Ticks this daemon made since start",
                 [](const LoopFacts& f) { return static_cast<double>(f.totals.ticks); });
    per_database(page, dbs, "pgqadm_maintenance_operations_total", Type::counter,
                 "Maintenance operations (rotation steps, vacuum, extra maintenance) since start",
                 [](const LoopFacts& f) { return static_cast<double>(f.totals.maint); });
    per_database(page, dbs, "pgqadm_retry_events_moved_total", Type::counter,
                 "Retry events moved back into their queue since start",
                 [](const LoopFacts& f) { return static_cast<double>(f.totals.retry); });

    page.family("pgqadm_loop_duration_seconds", Type::histogram,
                "Duration of the ticker's rounds (sequence probe and ticks)");
    for (const LoopFacts& f : dbs) {
        const Labels db{{"database", f.database}};
        long cumulative = 0;
        for (std::size_t i = 0; i < ticker::round_bucket_count; ++i) {
            cumulative += f.loop.round_counts[i];
            Labels bucket = db;
            bucket.emplace_back("le", format_value(ticker::round_buckets[i]));
            page.sample(bucket, static_cast<double>(cumulative), "_bucket");
        }
        Labels inf = db;
        inf.emplace_back("le", "+Inf");
        page.sample(inf, static_cast<double>(f.loop.rounds), "_bucket");
        page.sample(db, static_cast<double>(f.loop.rounds), "_count");
        page.sample(db, f.loop.round_seconds_sum, "_sum");
    }
}

void snapshot_families(Exposition& page, const PageFacts& f)
{
    const DbSnapshot& snap = *f.snapshot;
    const std::string& d = f.database;

    page.family("pgqadm_notification_queue_usage_ratio", Type::gauge,
                "Share of PostgreSQL's NOTIFY queue in use (pg_notification_queue_usage())");
    page.sample({{"database", d}}, snap.notification_queue_usage);
    page.family("pgqadm_queues", Type::gauge, "Queues in the database");
    page.sample({{"database", d}}, static_cast<double>(snap.queues.size()));

    // A queue without a tick has no age: the sample is left out.
    page.family("pgqadm_queue_seconds_since_last_tick", Type::gauge,
                "Seconds since the queue's last tick");
    for (const QueueFacts& q : snap.queues)
        if (q.tick_age)
            page.sample(with(d, q.name), *q.tick_age);
    page.family("pgqadm_queue_last_tick_id", Type::gauge, "Id of the queue's last tick");
    for (const QueueFacts& q : snap.queues)
        if (q.last_tick_id)
            page.sample(with(d, q.name), *q.last_tick_id);
    page.family("pgqadm_queue_event_sequence", Type::gauge,
                "Position of the queue's event id sequence (events handed out so far)");
    for (const QueueFacts& q : snap.queues)
        page.sample(with(d, q.name), q.event_seq);
    page.family("pgqadm_queue_events_per_second", Type::gauge,
                "Event rate over the queue's recent ticks (pgq.get_queue_info().ev_per_sec)");
    for (const QueueFacts& q : snap.queues)
        if (q.events_per_second)
            page.sample(with(d, q.name), *q.events_per_second);
    page.family("pgqadm_queue_retry_events", Type::gauge,
                "Events of the queue waiting in pgq.retry_queue");
    for (const QueueFacts& q : snap.queues)
        page.sample(with(d, q.name), q.retry_events);
    page.family("pgqadm_queue_seconds_since_rotation", Type::gauge,
                "Seconds since the queue last switched event tables");
    for (const QueueFacts& q : snap.queues)
        if (q.since_rotation)
            page.sample(with(d, q.name), *q.since_rotation);
    page.family("pgqadm_queue_ticked_elsewhere", Type::gauge,
                "1 when the queue is paused or has an external ticker (not ticked by pgqadm)");
    for (const QueueFacts& q : snap.queues)
        page.sample(with(d, q.name), q.ticked_elsewhere ? 1 : 0);

    page.family("pgqadm_consumer_lag_seconds", Type::gauge,
                "Age of the newest tick the consumer has finished (absent before its first batch)");
    for (const QueueFacts& q : snap.queues)
        for (const ConsumerFacts& c : q.consumers)
            if (c.lag)
                page.sample(with(d, q.name, &c.name), *c.lag);
    page.family("pgqadm_consumer_seconds_since_last_seen", Type::gauge,
                "Seconds since the consumer last asked for or finished a batch");
    for (const QueueFacts& q : snap.queues)
        for (const ConsumerFacts& c : q.consumers)
            if (c.last_seen)
                page.sample(with(d, q.name, &c.name), *c.last_seen);
    page.family("pgqadm_consumer_pending_events", Type::gauge,
                "Events after the consumer's position (pgq.get_consumer_info().pending_events)");
    for (const QueueFacts& q : snap.queues)
        for (const ConsumerFacts& c : q.consumers)
            if (c.pending_events)
                page.sample(with(d, q.name, &c.name), *c.pending_events);
    page.family("pgqadm_consumer_blocks_rotation", Type::gauge,
                "1 when the queue's rotation is overdue because this consumer lags behind it");
    for (const QueueFacts& q : snap.queues)
        for (const ConsumerFacts& c : q.consumers)
            page.sample(with(d, q.name, &c.name),
                        blocks_rotation(q.rotation_period, q.since_rotation, c.lag) ? 1 : 0);
}

} // namespace

std::string render_metrics(const PageFacts& facts, Format format)
{
    Exposition page(format);
    snapshot_status_families(page, facts);
    loop_families(page, {{facts.database, facts.loop, facts.totals}});
    if (facts.snapshot)
        snapshot_families(page, facts);
    return page.finish();
}

std::string render_fleet_metrics(const std::vector<LoopFacts>& databases, Format format)
{
    Exposition page(format);
    page.family("pgqadm_databases", Type::gauge, "Databases this daemon serves");
    page.sample({}, static_cast<double>(databases.size()));
    loop_families(page, databases);
    return page.finish();
}

db::Connection& MetricsSource::connection(const config::Config& cfg)
{
    if (!conn_) {
        conn_.emplace(db::Connection::open(cfg.db, cfg.job_name + " metrics"));
        // A scrape waits for this; a locked catalog must not hold it long.
        conn_->exec("set statement_timeout = '5s'");
    }
    return *conn_;
}

void MetricsSource::refresh_snapshot(const config::Config& cfg)
{
    double started = ticker::monotonic_now();
    read_at_ = started;
    try {
        bool too_old = conn_ && cfg.connection_lifetime > 0 &&
                       std::chrono::steady_clock::now() - conn_->opened_at() >
                           std::chrono::duration<double>(cfg.connection_lifetime);
        if (too_old)
            conn_.reset();
        bool kept = conn_.has_value();
        try {
            snapshot_ = read_snapshot(connection(cfg));
        } catch (const db::DbError& e) {
            // The server may have dropped a kept connection since the last
            // scrape (a restart, pg_terminate_backend): that says nothing
            // about the database now, so ask once more on a new one.
            if (!kept || !e.is_connection_problem())
                throw;
            conn_.reset();
            snapshot_ = read_snapshot(connection(cfg));
        }
        database_ = snapshot_->database;
    } catch (const std::exception& e) {
        spdlog::debug("metrics: database snapshot failed: {}", e.what());
        snapshot_.reset();
        conn_.reset(); // a fresh connection next time
    }
    scrape_seconds_ = ticker::monotonic_now() - started;
}

std::string MetricsSource::page(Format format)
{
    const auto settings = control_.settings();
    const config::Config& cfg = *settings;
    std::lock_guard guard(mutex_);
    // A failure is cached as long as a success: a storm of scrapes against a
    // database that is down makes one connection attempt per period.
    if (read_at_ < 0 || ticker::monotonic_now() - read_at_ >= cfg.metrics_cache_seconds)
        refresh_snapshot(cfg);
    PageFacts facts;
    facts.database = database_;
    facts.snapshot = snapshot_;
    facts.snapshot_age = ticker::monotonic_now() - read_at_;
    facts.scrape_seconds = scrape_seconds_;
    facts.loop = control_.loop_status();
    facts.totals = control_.stats.totals();
    return render_metrics(facts, format);
}

} // namespace pgqadm::observe
