// The commands' view of a pgq session (pgqadm/pgq/session.hpp).
#pragma once
#include "pgqadm/pgq/session.hpp"

namespace pgqadm::cli {

using pgq::notify_queue_change;
using pgq::open_db;
using pgq::open_session;
using pgq::require_pgq;

} // namespace pgqadm::cli
