// status for a config of many databases (a [pgqd] file, database_list,
// [databases], discovery): one line per database saying who leads its
// ticking and since when, or why it is not served.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/cli/format.hpp"
#include "pgqadm/db/db_error.hpp"
#include "pgqadm/fleet/databases.hpp"
#include "pgqadm/log/printable.hpp"
#include "pgqadm/pgq/session.hpp"
#include "pgqadm/ticker/leadership.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace pgqadm::cli {
namespace {

/// Databases looked at in parallel: a down server costs its connect timeout
/// once per worker, not once per database.
constexpr std::size_t status_workers = 8;

struct DbStatus {
    std::string name;
    std::string state; ///< led, no leader, no pgq, error
    std::string leader, since, detail;
    int level = 0; ///< 0 ok, 1 warning, 2 critical (status --check)
};

DbStatus look_at(const fleet::NamedDatabase& d, const std::string& job_name)
{
    DbStatus st{d.name, "", "", "", "", 0};
    try {
        db::Connection conn = db::Connection::open(d.connstr, job_name + " status");
        pgq::require_pgq(conn);
        if (conn.exec("select to_regprocedure('pgq.ticker_leader_info()') is not null")
                .as_bool(0, 0)) {
            db::Result r = conn.exec("select leader_name, leader_since::text, leader_alive"
                                     "  from pgq.ticker_leader_info()");
            if (r.rows() == 1 && !r.is_null(0, 2) && r.as_bool(0, 2)) {
                st.state = "led";
                st.leader = r.opt(0, 0).value_or("");
                st.since = r.opt(0, 1).value_or("");
            } else {
                st.state = "no leader";
                st.level = 2;
            }
        } else {
            std::string holder = ticker::advisory_lock_holder(conn);
            st.state = holder.empty() ? "no leader" : "led";
            st.leader = holder;
            // pgqd ticks such a database without any lock: not an alarm.
            st.detail = "pgq without ticker_leader_info(): pgqadm's advisory lock";
        }
    } catch (const pgq::NoPgq& e) {
        st.state = "no pgq";
        st.detail = e.what();
    } catch (const db::DbError& e) {
        st.state = "error";
        st.detail = e.describe();
        st.level = 2;
    } catch (const std::exception& e) {
        st.state = "error";
        st.detail = e.what();
        st.level = 2;
    }
    return st;
}

std::vector<fleet::NamedDatabase> databases_of(const config::Config& cfg)
{
    std::vector<fleet::NamedDatabase> list = fleet::listed_databases(cfg);
    if (!list.empty())
        return list;
    db::Connection conn =
        db::Connection::open(fleet::discovery_connstr(cfg), cfg.job_name + " status");
    return fleet::discover(conn, cfg.base_connstr);
}

} // namespace

int cmd_fleet_status(CommandContext& ctx)
{
    const config::Config& cfg = ctx.config;
    std::vector<fleet::NamedDatabase> list;
    try {
        list = databases_of(cfg);
    } catch (const std::exception& e) {
        if (!ctx.options.check)
            throw;
        std::cout << "PGQADM CRITICAL - " << log::printable(e.what()) << "\n" << std::flush;
        return 2;
    }
    std::vector<DbStatus> rows(list.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < std::min(status_workers, list.size()); ++w)
        workers.emplace_back([&] {
            for (std::size_t i = next++; i < list.size(); i = next++)
                rows[i] = look_at(list[i], cfg.job_name);
        });
    for (auto& t : workers)
        t.join();

    int level = 0;
    std::size_t led = 0, trouble = 0;
    for (const DbStatus& r : rows) {
        level = std::max(level, r.level);
        led += r.state == "led";
        trouble += r.level > 0;
    }
    if (ctx.options.json) {
        std::string out = "{\"databases\":[";
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const DbStatus& r = rows[i];
            auto opt = [](const std::string& s) { return s.empty() ? "null" : json_quote(s); };
            out += std::string(i ? "," : "") + "{\"name\":" + json_quote(r.name) +
                   ",\"state\":" + json_quote(r.state) + ",\"leader\":" + opt(r.leader) +
                   ",\"since\":" + opt(r.since) + ",\"detail\":" + opt(r.detail) + "}";
        }
        out += "],\"critical\":" + std::string(level == 2 ? "true" : "false") + "}\n";
        std::cout << out << std::flush;
        return ctx.options.check ? level : 0;
    }
    if (ctx.options.check) {
        std::cout << "PGQADM "
                  << (level == 2 ? "CRITICAL"
                      : level    ? "WARNING"
                                 : "OK")
                  << " - " << rows.size() << " databases, " << led << " led, " << trouble
                  << " in trouble\n"
                  << std::flush;
        return level;
    }
    std::size_t width = 8;
    for (const DbStatus& r : rows)
        width = std::max(width, display_width(log::printable(r.name)));
    std::string rule(78, '-');
    std::string out = pad_right("Database", width) + "  " + pad_right("State", 9) +
                      "  Leader (since)\n" + rule + "\n";
    for (const DbStatus& r : rows) {
        std::string what = r.leader.empty() ? r.detail : r.leader;
        if (!r.since.empty())
            what += " (since " + r.since + ")";
        out += pad_right(log::printable(r.name), width) + "  " + pad_right(r.state, 9) + "  " +
               log::printable(what) + "\n";
    }
    out += rule + "\n";
    std::cout << out << std::flush;
    return 0;
}

} // namespace pgqadm::cli
