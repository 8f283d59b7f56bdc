// create, drop, register, unregister: thin wrappers around the pgq API.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/pgq/session.hpp"

#include <spdlog/spdlog.h>

namespace pgqadm::cli {
namespace {

/// Runs one pgq call in a transaction that also wakes the ticker.
long long call_and_notify(const config::Config& cfg, const std::string& sql,
                          const db::Params& params, const std::string& queue)
{
    db::Connection conn = pgq::open_session(cfg);
    db::Transaction tx(conn);
    db::Result res = conn.exec(sql, params);
    long long value = res.is_null(0, 0) ? 0 : res.as_int(0, 0);
    pgq::notify_queue_change(conn, queue);
    tx.commit();
    return value;
}

} // namespace

int cmd_create(CommandContext& ctx)
{
    const std::string& queue = ctx.args[0];
    spdlog::info("Creating queue: {}", queue);
    if (call_and_notify(ctx.config, "select pgq.create_queue($1)", {queue}, queue) == 0)
        spdlog::info("Queue already exists: {}", queue);
    return 0;
}

int cmd_drop(CommandContext& ctx)
{
    const std::string& queue = ctx.args[0];
    spdlog::info("Dropping queue: {}", queue);
    if (ctx.options.force)
        call_and_notify(ctx.config, "select pgq.drop_queue($1, true)", {queue}, queue);
    else
        call_and_notify(ctx.config, "select pgq.drop_queue($1)", {queue}, queue);
    return 0;
}

int cmd_register(CommandContext& ctx)
{
    const std::string& queue = ctx.args[0];
    const std::string& consumer = ctx.args[1];
    spdlog::info("Registering consumer {} on queue {}", consumer, queue);
    if (call_and_notify(ctx.config, "select pgq.register_consumer($1, $2)", {queue, consumer},
                        queue) == 0)
        spdlog::info("Consumer {} was already registered on queue {}", consumer, queue);
    return 0;
}

int cmd_unregister(CommandContext& ctx)
{
    const std::string& queue = ctx.args[0];
    const std::string& consumer = ctx.args[1];
    spdlog::info("Unregistering consumer {} from queue {}", consumer, queue);
    // PgQ 3 returns 0 instead of raising; keep 2.x's error for the user.
    if (call_and_notify(ctx.config, "select pgq.unregister_consumer($1, $2)", {queue, consumer},
                        queue) == 0)
        throw Error("consumer not registered on queue");
    return 0;
}

} // namespace pgqadm::cli
