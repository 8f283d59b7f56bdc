// The ticking half of the daemon for one database: every loop_delay one
// round trip reads the event-sequence position of every queue (the "sequence
// probe") and the queues whose thresholds say so get pgq.ticker(queue).
// Between those rounds it waits on its connection: producers of queues with
// queue_ticker_notify send NOTIFY pgq_ticker_wakeup at commit, and such a
// queue is ticked as soon as its ticker_max_lag allows, in one round trip
// (wakeups.hpp).
#pragma once
#include "pgqadm/db/connection.hpp"
#include "pgqadm/ticker/clock.hpp"
#include "pgqadm/ticker/job_control.hpp"
#include "pgqadm/ticker/need_tick.hpp"
#include "pgqadm/ticker/wakeups.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pgqadm::ticker {

class TickerLoop {
  public:
    /// `fleet`: one of many databases of the fleet daemon, with pgqd's
    /// rules: a pgq older than 3 is not served, and a database without a
    /// usable pgq is logged once and checked again every check_period
    /// (rather than retried with back-off as a failure).
    explicit TickerLoop(JobControl& control, bool fleet = false) : control_(control), fleet_(fleet)
    {
    }
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

    JobControl& control_;
    bool fleet_ = false;
    std::string identity_; ///< this daemon in the leadership row
    bool lease_ = false;   ///< leading through pgq.ticker_lead (else the advisory lock)
    std::map<std::string, Queue, std::less<>> queues_;
    std::vector<Queue*> probe_order_;       ///< queues in the order the probe returns them
    std::vector<std::string> probe_chunks_; ///< oid[] literals, one per probe statement
    Wakeups wakeups_;        ///< queues whose producers committed since their last tick
    WakeTicker wake_ticker_; ///< makes their ticks
    bool refresh_needed_ = true;
    long long newest_queue_id_ = -1;    ///< highest pgq.queue.queue_id at the last refresh
    bool queue_change_pending_ = false; ///< pgqadm_queue_change seen since the last refresh
    double last_refresh_ = 0;
    double next_refresh_ = 0;
};

} // namespace pgqadm::ticker
