#include "pgqadm/ticker/maintenance.hpp"

#include "pgqadm/pgq/names.hpp"
#include "pgqadm/pgq/session.hpp"
#include "pgqadm/ticker/clock.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>

namespace pgqadm::ticker {
namespace {

// A maintenance function returning non-zero forever would hang the round.
constexpr int max_repeats = 10000;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

long first_int(const db::Result& r)
{
    if (r.rows() == 0 || r.columns() == 0 || r.is_null(0, 0))
        return 0;
    try {
        return static_cast<long>(r.as_int(0, 0));
    } catch (const db::ResultError&) {
        return 0; // not a number: treat as "done"
    }
}

} // namespace

void Maintenance::run()
{
    Backoff backoff;
    while (!control_.stopping()) {
        if (!control_.active) {
            // Standby, or the ticker is reconnecting: nothing to maintain.
            control_.sleep_for(std::chrono::duration<double>(0.5));
            continue;
        }
        try {
            const auto cfg = control_.settings();
            db::Connection conn = pgq::open_session(*cfg, "maintenance");
            backoff.reset();
            session(conn, cfg->db);
            continue; // a clean end: reconnect at once
        } catch (const db::DbError& e) {
            spdlog::error("maintenance: {}", e.describe());
        } catch (const std::exception& e) {
            spdlog::error("maintenance: {}", e.what());
        }
        if (!control_.stopping())
            control_.sleep_for(std::chrono::duration<double>(backoff.next()));
    }
}

void Maintenance::session(db::Connection& conn, const std::string& db)
{
    while (!control_.stopping() && control_.active) {
        const auto cfg = control_.settings();
        if (cfg->db != db) {
            spdlog::info("maintenance: db changed by reload, reconnecting");
            return;
        }
        if (cfg->connection_lifetime > 0 &&
            std::chrono::steady_clock::now() - conn.opened_at() >
                std::chrono::duration<double>(cfg->connection_lifetime))
            return;
        run_due(conn);
        double wake = std::min(next_maint_, next_retry_) - monotonic_now();
        control_.sleep_for(std::chrono::duration<double>(std::clamp(wake, 0.01, 5.0)));
    }
}

void Maintenance::run_due(db::Connection& conn)
{
    const auto cfg = control_.settings();
    double now = monotonic_now();
    if (now >= next_maint_) {
        double started = monotonic_now();
        maintain(conn);
        ++control_.stats.maint;
        spdlog::debug("maintenance: round took {:.3f} s", monotonic_now() - started);
        next_maint_ = monotonic_now() + cfg->maint_delay;
    }
    if (now >= next_retry_) {
        long moved = move_retry_events(conn);
        control_.stats.retry += moved;
        next_retry_ = monotonic_now() + cfg->retry_delay;
    }
}

void Maintenance::postpone(double seconds)
{
    double until = monotonic_now() + seconds;
    next_maint_ = std::max(next_maint_, until);
    next_retry_ = std::max(next_retry_, until);
}

void Maintenance::spread_first(double seconds)
{
    if (next_maint_ != 0 || seconds <= 0)
        return;
    thread_local std::mt19937 random{std::random_device{}()};
    next_maint_ = monotonic_now() + std::uniform_real_distribution<double>(0, seconds)(random);
}

long Maintenance::move_retry_events(db::Connection& conn)
{
    long total = 0;
    for (int i = 0; i < max_repeats; ++i) {
        long moved = first_int(conn.exec("select pgq.maint_retry_events()"));
        if (moved == 0)
            break;
        total += moved;
    }
    if (total > 0)
        spdlog::info("Got {} events for retry", total);
    return total;
}

void Maintenance::maintain(db::Connection& conn)
{
    db::Result has_ops = conn.exec("select to_regprocedure('pgq.maint_operations()') is not null");
    if (!has_ops.as_bool(0, 0)) {
        legacy_maintain(conn);
        return;
    }
    db::Result ops = conn.exec("select func_name, func_arg from pgq.maint_operations()");
    for (int i = 0; i < ops.rows() && !control_.stopping(); ++i) {
        std::string func = ops.get(i, 0);
        std::optional<std::string> arg = ops.opt(i, 1);
        try {
            std::string kind = lower(func);
            if (kind == "vacuum" || kind == "vacuum analyze") {
                if (arg)
                    vacuum(conn, kind, *arg);
            } else if (kind == "pgq.maint_rotate_tables_step1" && arg) {
                rotate_step1(conn, func, *arg);
            } else {
                repeat_op(conn, func, arg);
            }
        } catch (const db::DbError& e) {
            if (!conn.ok())
                throw;
            // One broken operation (e.g. a queue_extra_maint function) must
            // not stop the others; pgqd gives up the whole round here.
            spdlog::error("maintenance: {}({}): {}", func, arg.value_or(""), e.describe());
        }
    }
}

void Maintenance::legacy_maintain(db::Connection& conn)
{
    db::Result queues = conn.exec("select queue_name from pgq.get_queue_info()");
    for (int i = 0; i < queues.rows(); ++i)
        rotate_step1(conn, "pgq.maint_rotate_tables_step1", queues.get(i, 0));
    conn.exec("select pgq.maint_rotate_tables_step2()");
    db::Result tables = conn.exec("select * from pgq.maint_tables_to_vacuum()");
    for (int i = 0; i < tables.rows(); ++i)
        vacuum(conn, "vacuum", tables.get(i, 0));
}

long Maintenance::repeat_op(db::Connection& conn, const std::string& func,
                            const std::optional<std::string>& arg)
{
    std::string sql = "select " + pgq::quote_fqname(conn, func) + (arg ? "($1)" : "()");
    db::Params params;
    if (arg)
        params.push_back(arg);
    long calls = 0;
    while (calls < max_repeats && !control_.stopping()) {
        ++calls;
        if (first_int(conn.exec(sql, params)) == 0)
            break;
    }
    return calls;
}

void Maintenance::rotate_step1(db::Connection& conn, const std::string& func,
                               const std::string& queue)
{
    // PgQ 3's step1 returns 0 even when it rotated; compare the table number.
    const char* cur = "select queue_cur_table from pgq.queue where queue_name = $1";
    db::Result before = conn.exec(cur, {queue});
    repeat_op(conn, func, queue);
    db::Result after = conn.exec(cur, {queue});
    if (before.rows() == 1 && after.rows() == 1 && before.get(0, 0) != after.get(0, 0))
        spdlog::info("Rotating {}", queue);
}

void Maintenance::vacuum(db::Connection& conn, const std::string& command, const std::string& table)
{
    double started = monotonic_now();
    conn.exec(command + " " + pgq::quote_fqname(conn, table));
    spdlog::debug("maintenance: {} {} took {:.3f} s", command, table, monotonic_now() - started);
}

} // namespace pgqadm::ticker
