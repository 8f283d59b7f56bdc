#include "pgqadm/ticker/wakeups.hpp"

#include "pgqadm/pgq/names.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace pgqadm::ticker {
namespace {

// pgq._wake_tick() ticks a queue only when its event sequence moved past
// the last tick, with the row pgq.ticker(queue) would write.
constexpr const char* wake_tick_function_sql =
    "select queue_name, tick_event_seq from pgq._wake_tick($1::text[], $2::pg_catalog.oid[])";

// The same through pgq.ticker(), which decides itself. The sequence
// position is read first, so it is never past what the tick records.
constexpr const char* wake_tick_api_sql =
    "select u.name, coalesce(pg_catalog.pg_sequence_last_value(u.seq), 0), pgq.ticker(u.name)"
    "  from unnest($1::text[], $2::pg_catalog.oid[]) u(name, seq)";

} // namespace

void Wakeups::on_wakeup(std::string_view queue, bool listed, bool list_stale)
{
    if (listed) {
        if (woken_.find(queue) == woken_.end())
            woken_.emplace(queue);
    } else if (list_stale && unknown_.size() < max_unknown &&
               unknown_.find(queue) == unknown_.end()) {
        unknown_.emplace(queue);
    }
}

Wakeups::Due Wakeups::take_due(double now, const DueAt& due_at)
{
    Due result{{}, std::numeric_limits<double>::infinity()};
    for (auto it = woken_.begin(); it != woken_.end();) {
        std::optional<double> due = due_at(*it);
        if (!due) { // dropped or paused since it was woken
            it = woken_.erase(it);
            continue;
        }
        if (*due > now) {
            result.next_due = std::min(result.next_due, *due);
            ++it;
            continue;
        }
        result.queues.push_back(*it);
        it = woken_.erase(it);
    }
    return result;
}

void Wakeups::wake_again(const std::vector<std::string>& queues)
{
    woken_.insert(queues.begin(), queues.end());
}

void Wakeups::after_refresh(const std::function<bool(const std::string&)>& listed,
                            bool keep_unknown)
{
    for (auto it = unknown_.begin(); it != unknown_.end();) {
        if (listed(*it)) {
            woken_.insert(*it);
            it = unknown_.erase(it);
        } else {
            ++it;
        }
    }
    if (!keep_unknown)
        unknown_.clear();
}

void Wakeups::clear()
{
    woken_.clear();
    unknown_.clear();
}

void WakeTicker::prepare(db::Connection& conn)
{
    db::Result r = conn.exec("select pg_catalog.to_regprocedure('pgq._wake_tick(text[], "
                             "pg_catalog.oid[])') is not null");
    via_function_ = r.as_bool(0, 0);
    conn.prepare("wake_tick_api", wake_tick_api_sql, 2);
    if (via_function_)
        conn.prepare("wake_tick_function", wake_tick_function_sql, 2);
    else
        spdlog::debug("ticker: no pgq._wake_tick(); wake-up ticks go through pgq.ticker()");
}

WakeTicker::Ticks WakeTicker::tick(db::Connection& conn, const std::vector<std::string>& queues,
                                   const std::vector<std::string>& event_seqs)
{
    db::Params params{pgq::text_array_literal(queues), pgq::text_array_literal(event_seqs)};
    Ticks ticks;
    if (via_function_) {
        db::Result r = conn.exec_prepared("wake_tick_function", params);
        for (int row = 0; row < r.rows(); ++row)
            ticks.emplace_back(r.get(row, 0), r.as_int(row, 1));
        return ticks;
    }
    db::Result r = conn.exec_prepared("wake_tick_api", params);
    for (int row = 0; row < r.rows(); ++row)
        if (!r.is_null(row, 2)) // else pgq.ticker() saw no need
            ticks.emplace_back(r.get(row, 0), r.as_int(row, 1));
    return ticks;
}

bool wake_tick_should_fall_back(bool via_function, const db::DbError& error)
{
    return via_function && error.sqlstate().rfind("42", 0) == 0;
}

bool WakeTicker::fall_back(const db::DbError& error)
{
    if (!wake_tick_should_fall_back(via_function_, error))
        return false;
    spdlog::info("ticker: wake-up ticks go through pgq.ticker() ({})", error.describe());
    via_function_ = false;
    return true;
}

} // namespace pgqadm::ticker
