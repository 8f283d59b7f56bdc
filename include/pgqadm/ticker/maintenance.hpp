// The maintenance of one database: table rotation and the other operations
// of pgq.maint_operations() every maint_delay, retry events every
// retry_delay. The single-database daemon runs it on a connection of its own
// (run()), so that it never delays ticking; the fleet daemon's ticker runs it
// between rounds on the ticker's connection (run_due()).
#pragma once
#include "pgqadm/db/connection.hpp"
#include "pgqadm/ticker/job_control.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace pgqadm::ticker {

class Maintenance {
  public:
    /// `moves_retry_events` false: only pgq.maint_operations(); the fleet
    /// daemon's ticker moves retry events on its own connection.
    explicit Maintenance(JobControl& control, bool moves_retry_events = true)
        : control_(control),
          next_retry_(moves_retry_events ? 0 : std::numeric_limits<double>::infinity())
    {
    }
    /// Thread body: runs while the ticker of this process is the active one.
    void run();

    // For a caller that runs it on a connection of its own choosing:
    /// When this database next has work (monotonic seconds; 0 = now).
    double next_due() const { return std::min(next_maint_, next_retry_); }
    /// Does the work that is due (maintenance, retry events) over `conn`.
    void run_due(db::Connection& conn);
    /// After a failure: nothing is due for `seconds`.
    void postpone(double seconds);
    /// If it has never run: the first maintenance comes at a random moment
    /// within `seconds` from now, so that many databases that start (or are
    /// taken over) together do not all want it at once.
    void spread_first(double seconds);

  private:
    /// Works over `conn` (opened with connection string `db`) until stopped,
    /// no longer active, or it should reconnect; throws on failure.
    void session(db::Connection& conn, const std::string& db);
    void maintain(db::Connection& conn);
    void legacy_maintain(db::Connection& conn);
    /// Runs `func(arg)` (each call its own transaction) until it returns 0.
    long repeat_op(db::Connection& conn, const std::string& func,
                   const std::optional<std::string>& arg);
    void vacuum(db::Connection& conn, const std::string& command, const std::string& table);
    void rotate_step1(db::Connection& conn, const std::string& func, const std::string& queue);
    long move_retry_events(db::Connection& conn);

    JobControl& control_;
    double next_maint_ = 0;
    double next_retry_ = 0;
};

} // namespace pgqadm::ticker
