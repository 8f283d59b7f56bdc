// What the metrics endpoint reads from a database: one statement per scrape
// (and at most one per metrics_cache_seconds), on a connection of its own.
#pragma once
#include "pgqadm/db/connection.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pgqadm::observe {

struct ConsumerFacts {
    std::string name;
    std::optional<double> lag;       ///< seconds; none before its first batch
    std::optional<double> last_seen; ///< seconds
    std::optional<double> pending_events;
};

struct QueueFacts {
    std::string name;
    std::optional<double> tick_age; ///< seconds since the last tick
    std::optional<double> last_tick_id;
    double event_seq = 0; ///< position of the event sequence
    std::optional<double> events_per_second;
    double retry_events = 0;               ///< rows in pgq.retry_queue
    std::optional<double> rotation_period; ///< seconds
    std::optional<double> since_rotation;  ///< seconds since the last table switch
    bool ticked_elsewhere = false;         ///< paused or external ticker
    std::vector<ConsumerFacts> consumers;
};

struct DbSnapshot {
    std::string database;
    double notification_queue_usage = 0; ///< 0..1, cluster-wide
    std::vector<QueueFacts> queues;      ///< in name order
};

/// Reads the snapshot in one round trip (one statement, one snapshot).
DbSnapshot read_snapshot(db::Connection& conn);

/// True when maintenance cannot rotate `queue` because of `consumer`: the
/// rotation is overdue and the consumer still reads from before the last
/// switch. Shared by status and the metrics.
bool blocks_rotation(std::optional<double> rotation_period, std::optional<double> since_rotation,
                     std::optional<double> consumer_lag);

} // namespace pgqadm::observe
