// The ticking half of the daemon for one database: every loop_delay one
// round trip reads the event-sequence position of every queue (the "sequence
// probe") and the queues whose thresholds say so get pgq.ticker(queue).
// Between those rounds it waits on its connection: producers of queues with
// queue_ticker_notify send NOTIFY pgq_ticker_wakeup at commit, and such a
// queue is ticked as soon as its ticker_max_lag allows, in one round trip.
#pragma once
#include "pgqadm/db/connection.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/need_tick.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pgqadm::ticker {

/// Channel the producer functions of queue_ticker_notify queues NOTIFY at
/// commit; the payload is the queue name.
inline constexpr const char* wakeup_channel = "pgq_ticker_wakeup";

class TickerLoop {
  public:
    explicit TickerLoop(JobControl& control) : control_(control) {}
    /// Thread body: connect, tick, reconnect with back-off, until stopped.
    void run();

  private:
    struct Queue {
        std::string name;
        std::string seq_oid; ///< OID of the event sequence, as text
        QueueSettings settings;
        QueueState state;
    };

    /// Ticks over `conn` (opened with connection string `db`) until
    /// stopped, or until it should reconnect; throws on failure.
    void session(db::Connection& conn, const std::string& db);
    void confirm_lead(db::Connection& conn);
    void refresh(db::Connection& conn);
    void round(db::Connection& conn);
    /// Asks pgq.ticker() of each queue; returns those that got a tick.
    std::set<std::string> tick(db::Connection& conn, const std::vector<std::string>& names);
    /// The connection's notification sink: wake-ups and queue changes.
    void on_notification(std::string_view channel, std::string_view payload);
    /// Ticks the woken queues whose max_lag has passed; returns when the
    /// next still-waiting one is due (infinity if none).
    double tick_woken(db::Connection& conn);
    long wake_ticks_direct(db::Connection& conn, const std::vector<std::string>& names,
                           const std::vector<std::string>& seqs);
    long wake_ticks_via_api(db::Connection& conn, const std::vector<std::string>& names,
                            const std::vector<std::string>& seqs);

    JobControl& control_;
    std::string identity_; ///< this daemon in the leadership row
    bool lease_ = false;   ///< leading through pgq.ticker_lead (else the advisory lock)
    std::map<std::string, Queue, std::less<>> queues_;
    std::vector<Queue*> probe_order_;       ///< queues in the order the probe returns them
    std::vector<std::string> probe_chunks_; ///< oid[] literals, one per probe statement
    // Any role may NOTIFY our channels, so what notifications leave behind
    // is bounded: woken_ holds only queues we tick, woken_unknown_ at most
    // max_unknown_wakeups names, and only while a refresh is due.
    // Queues whose producers committed since their last tick.
    std::set<std::string, std::less<>> woken_;
    // Wake-ups naming no queue on the list, which may be one just created.
    std::set<std::string, std::less<>> woken_unknown_;
    bool refresh_needed_ = true;
    long long newest_queue_id_ = -1;    ///< highest pgq.queue.queue_id at the last refresh
    bool queue_change_pending_ = false; ///< pgqadm_queue_change seen since the last refresh
    double last_refresh_ = 0;
    bool direct_wake_ticks_ = true; ///< false once inserting into pgq.tick was refused
    bool direct_prepared_ = false;
    double next_refresh_ = 0;
};

/// Seconds on the monotonic clock.
double monotonic_now();

/// Opens a connection for a daemon job and checks that pgq is there.
db::Connection open_job_connection(const config::Config& cfg, const char* role);

} // namespace pgqadm::ticker
