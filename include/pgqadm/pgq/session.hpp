// A pgq session: a connection to the config's database that has been
// checked to hold a usable pgq, and the notification channels our tools
// share. Used by the admin commands and the daemon alike.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/db/connection.hpp"
#include "pgqadm/error.hpp"

#include <string>
#include <string_view>

namespace pgqadm::pgq {

/// pgqadm's queue commands NOTIFY this at commit (payload: the queue name),
/// so a running ticker re-reads pgq.queue at once instead of at the next
/// queue_refresh_period.
inline constexpr const char* queue_change_channel = "pgqadm_queue_change";

/// The producer functions of queue_ticker_notify queues NOTIFY this at
/// commit (payload: the queue name); the ticker wakes up to tick the queue.
inline constexpr const char* wakeup_channel = "pgq_ticker_wakeup";

/// The database has no usable pgq: none installed, or one older than PgQ 3.
class NoPgq : public Error {
  public:
    using Error::Error;
};

/// Connects to the config's `db` (logged with the password masked). The
/// application_name is the job name, followed by `role` if given.
db::Connection open_db(const config::Config& cfg, std::string_view role = {});

/// Throws a one-line NoPgq when the database has no usable pgq (neither our
/// schema nor the extension), instead of
/// "relation pgq.queue does not exist".
void require_pgq(db::Connection& conn);

/// require_pgq(), and pgq.version() at least 3, as pgqd demands (the
/// fleet daemon); NoPgq otherwise.
void require_pgq3(db::Connection& conn);

/// open_db() and require_pgq(): what every command and daemon job that
/// works with queues starts with.
db::Connection open_session(const config::Config& cfg, std::string_view role = {});

/// Announces a change of `queue` on queue_change_channel, inside the
/// caller's transaction: delivered only if the change commits.
void notify_queue_change(db::Connection& conn, const std::string& queue);

} // namespace pgqadm::pgq
