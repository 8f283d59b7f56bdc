#include "pgqadm/cli/session.hpp"

#include "pgqadm/db/conninfo.hpp"

#include <spdlog/spdlog.h>

namespace pgqadm::cli {

db::Connection open_db(const config::Config& cfg)
{
    spdlog::debug("connecting to {}", db::mask_password(cfg.db));
    return db::Connection::open(cfg.db, cfg.job_name);
}

void notify_queue_change(db::Connection& conn, const std::string& queue)
{
    conn.exec("select pg_notify($1, $2)", {queue_change_channel, queue});
}

} // namespace pgqadm::cli
