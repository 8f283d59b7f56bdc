// The /metrics page: the daemon's own counters and state (from JobControl)
// and a database snapshot read on a connection of the metrics' own, cached
// for metrics_cache_seconds, so that scrapes never load the database or
// touch the ticker's connection however often they come.
#pragma once
#include "pgqadm/db/connection.hpp"
#include "pgqadm/observe/exposition.hpp"
#include "pgqadm/observe/snapshot.hpp"
#include "pgqadm/ticker/job_control.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::observe {

/// What the daemon knows of one database's ticker, without asking it.
struct LoopFacts {
    std::string database; ///< the `database` label
    ticker::LoopStatus loop;
    ticker::Stats::Counts totals;
};

/// Everything one page shows, gathered at one moment.
struct PageFacts {
    std::string database;               ///< the `database` label
    std::optional<DbSnapshot> snapshot; ///< none when the database could not be read
    double snapshot_age = 0;            ///< seconds since it was read
    double scrape_seconds = 0;          ///< how long reading it took
    ticker::LoopStatus loop;
    ticker::Stats::Counts totals;
};

/// The page in `format`; pure, for tests.
std::string render_metrics(const PageFacts& facts, Format format);
/// The page of a daemon of many databases: each database's ticker, from
/// what the daemon knows (queues and consumers are a single-database
/// daemon's page: a scrape must not open hundreds of connections).
std::string render_fleet_metrics(const std::vector<LoopFacts>& databases, Format format);

class MetricsSource {
  public:
    explicit MetricsSource(ticker::JobControl& control) : control_(control) {}
    /// The page; thread-safe. Concurrent callers wait for one snapshot.
    std::string page(Format format);

  private:
    void refresh_snapshot(const config::Config& cfg);
    /// The kept connection, opened first if there is none.
    db::Connection& connection(const config::Config& cfg);

    ticker::JobControl& control_;
    std::mutex mutex_;
    std::optional<db::Connection> conn_;
    std::optional<DbSnapshot> snapshot_;
    std::string database_; ///< from the last snapshot that succeeded
    double read_at_ = -1;  ///< monotonic time of the last attempt
    double scrape_seconds_ = 0;
};

} // namespace pgqadm::observe
