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
#include "pgqadm/ticker/leadership.hpp"
#include "pgqadm/ticker/maintenance.hpp"
#include "pgqadm/ticker/need_tick.hpp"
#include "pgqadm/ticker/wakeups.hpp"

#include <map>
#include <optional>
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
    /// (rather than retried with back-off as a failure). And rounds come
    /// only as often as the queues need (next_check()), at least every
    /// loop_delay and at most 3 s apart: idle databases cost a third.
    /// Retry events are moved on the ticker's connection between rounds,
    /// every retry_delay, and so is the database's `maintenance` (if given),
    /// every maint_delay, rather than on connections opened for the work:
    /// a new backend must load its catalogs and compile the maintenance
    /// functions again, which costs the server some thirty times the work.
    explicit TickerLoop(JobControl& control, bool fleet = false, Maintenance* maintenance = nullptr)
        : control_(control), fleet_(fleet), maintenance_(maintenance)
    {
    }
    /// What the loop waits for before its next step: its connection's
    /// socket to become readable (a notification; -1: no connection) or
    /// the monotonic time `until`, whichever comes first.
    struct Wait {
        int fd = -1;
        double until = 0;
    };

    /// Thread body for a database of its own: steps and waits until stopped.
    void run();
    /// Does what is due now, waiting only for the server: connect and claim the lead,
    /// or one turn of ticking, or, once stopping, hand the lead back and
    /// disconnect. Returns what to wait for before the next step. The fleet
    /// daemon's pool steps many of these on a few threads.
    Wait step();
    /// Stopped: the lead handed back, the connection closed.
    bool done() const { return done_; }

  private:
    struct Queue {
        std::string name;
        std::string seq_oid; ///< OID of the event sequence, as text
        QueueSettings settings;
        QueueState state;
    };

    db::Connection open_connection(const config::Config& cfg);
    /// Connects and tries to lead.
    Wait connect(const config::Config& cfg);
    /// A new connection in place of the open one (settings changed, or
    /// connection_lifetime): it takes the lead over from the old one.
    Wait reconnect(const config::Config& cfg);
    /// Claims the lead on the open connection: leads, or stands by
    /// connected and looks again a round later.
    Wait try_lead(const config::Config& cfg);
    /// A standby waiting on the server for the advisory lock: whether the
    /// wait is over (also when it failed, which turns such waits off).
    bool lock_wait_over();
    /// The settings or the connection's age call for a new connection.
    bool must_reconnect(const config::Config& cfg) const;
    /// Listens on a connection that has just taken the lead.
    void start_session(db::Connection& conn);
    /// Prepares the statements of a session on a new connection, leader or
    /// standby: a standby that takes over has only to listen and go.
    void prepare_statements(db::Connection& conn);
    /// One turn of ticking on the open connection; throws on failure.
    Wait session_step(const config::Config& cfg);
    void finish();
    void confirm_lead(db::Connection& conn);
    void refresh(db::Connection& conn);
    /// Probes every queue and ticks those due; returns when the queues want
    /// the next probe (next_check(); infinity with no queues).
    double round(db::Connection& conn);
    /// Asks pgq.ticker() of each queue; returns those that got a tick.
    std::set<std::string> tick(db::Connection& conn, const std::vector<std::string>& names);
    /// The connection's notification sink: wake-ups and queue changes.
    void on_notification(std::string_view channel, std::string_view payload);
    /// Fleet: one pgq.maint_retry_events() call (it moves a few events at a
    /// time); returns when the next is due: at once while events come back.
    double move_retry_events(db::Connection& conn, const config::Config& cfg);
    /// Fleet: the database's maintenance that is due, between rounds, with
    /// a short lock_timeout (its ticks wait meanwhile); a failure is logged
    /// and the next attempt postponed.
    void run_maintenance(db::Connection& conn);
    /// Ticks the woken queues whose max_lag has passed; returns when the
    /// next still-waiting one is due (infinity if none).
    double tick_woken(db::Connection& conn);

    JobControl& control_;
    bool fleet_ = false;
    Maintenance* maintenance_ = nullptr; ///< fleet: run between rounds; not owned
    std::optional<db::Connection> conn_; ///< open while leading or standing by
    bool done_ = false;
    Backoff backoff_;
    long failures_ = 0;             ///< failed attempts in a row
    bool standing_by_ = false;      ///< the last look found another leader
    std::string standby_holder_;    ///< who led then, as logged
    double next_holder_lookup_ = 0; ///< when a standby names the lock's holder again
    bool wait_on_server_ = true;    ///< a standby on the advisory lock waits for it on the server
    double lock_wait_until_ = 0;    ///< when that wait is over at the latest
    bool watching_client_ = false;  ///< the open connection's backend checks on us every second
    std::string no_pgq_;            ///< why this database is not served, as last logged
    std::string session_db_;        ///< connection string of the open connection
    unsigned generation_ = 0;       ///< settings generation the session started on
    double next_round_ = 0;
    double next_retry_ = 0;                ///< fleet: when retry events are moved next
    long retry_moved_ = 0;                 ///< events moved by the calls of this retry run so far
    std::string identity_;                 ///< this daemon in the leadership row
    LeadKind lead_kind_ = LeadKind::lease; ///< of the open connection
    std::map<std::string, Queue, std::less<>> queues_;
    std::vector<Queue*> probe_order_;       ///< queues in the order the probe returns them
    std::vector<std::string> probe_chunks_; ///< oid[] literals, one per probe statement
    Wakeups wakeups_;        ///< queues whose producers committed since their last tick
    WakeTicker wake_ticker_; ///< makes their ticks
    bool refresh_needed_ = true;
    long long newest_queue_id_ = -1;    ///< highest pgq.queue.queue_id at the last refresh
    std::string queue_fingerprint_;     ///< of pgq.queue at the last refresh (see probe_sql)
    bool queue_change_pending_ = false; ///< pgqadm_queue_change seen since the last refresh
    double last_refresh_ = 0;
    double next_change_check_ = 0; ///< when a probe next reads pgq.queue's fingerprint
};

} // namespace pgqadm::ticker
