// Parts of the status command that are worth testing without a database.
#pragma once
#include <optional>
#include <string>

namespace pgqadm::cli {

/// The status warning for PostgreSQL's NOTIFY queue at `usage` (0..1, from
/// pg_notification_queue_usage()), or nothing while it is at most half full.
std::optional<std::string> notification_queue_warning(double usage);

} // namespace pgqadm::cli
