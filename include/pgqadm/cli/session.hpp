// What every database command starts with.
#pragma once
#include "pgqadm/config/config.hpp"
#include "pgqadm/db/connection.hpp"

#include <string>

namespace pgqadm::cli {

/// Connects to the config's `db` (logged with the password masked).
db::Connection open_db(const config::Config& cfg);

/// Wakes a running ticker so it re-reads pgq.queue now instead of at the next
/// queue_refresh_period (it LISTENs on this channel). Sent inside the caller's
/// transaction, so it is delivered only if the change commits.
void notify_queue_change(db::Connection& conn, const std::string& queue);

inline constexpr const char* queue_change_channel = "pgqadm_queue_change";

} // namespace pgqadm::cli
