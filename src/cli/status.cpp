// status: overview of queues and consumers (text and --json).
//
// The text layout is SkyTools 2's pgq/status.py exactly (78-dash rules,
// "%-45s %9s %13s %6s" queue rows, "  %-54s %9s %9s" consumer rows, whole
// seconds with "s", NULL where there is none, queues in name order), followed
// by a warnings block when something looks wrong. --json prints the same
// facts as one JSON document. Works on our schema, the PgQ 3 extension and
// PgQ 2 (columns an older pgq lacks come out as NULL / null).
//
// Names come from whoever may create queues or register consumers: the text
// report prints them through log::printable, so a name cannot forge lines or
// send terminal escapes. JSON carries them exactly (its escapes are inert).
#include "pgqadm/cli/status.hpp"

#include "pgqadm/cli/commands.hpp"
#include "pgqadm/cli/format.hpp"
#include "pgqadm/log/printable.hpp"
#include "pgqadm/observe/snapshot.hpp"
#include "pgqadm/pgq/session.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::cli {
namespace {

/// A consumer batch open for longer than this is reported.
constexpr double long_batch_seconds = 300;
/// Share of PostgreSQL's NOTIFY queue in use above which status warns.
constexpr double notification_queue_warn_usage = 0.5;

using Opt = std::optional<std::string>;

struct ConsumerRow {
    std::string name;
    Opt lag, last_seen; ///< seconds (numeric text)
    Opt last_tick, current_batch, next_tick, pending_events;
};

struct QueueRow {
    std::string name;
    std::string ntables, max_count;
    Opt rotation_period, max_lag, idle_period, ticker_lag, since_switch; ///< seconds
    Opt paused, external_ticker;                                         ///< "true"/"false"
    Opt last_tick_id, ev_per_sec, ev_new;
    std::vector<ConsumerRow> consumers;
};

struct Status {
    std::string server_version;
    Opt pgq_version;
    Opt notification_queue_usage; ///< 0..1, cluster-wide
    std::vector<QueueRow> queues;
    std::optional<bool> leader_alive;          ///< our schema: does a live ticker lead?
    Opt leader_name, leader_pid, leader_since; ///< the lease row, alive or not
    std::vector<std::string> warnings;
    /// Which of the warnings are critical (status --check exits 2).
    std::vector<bool> critical;

    void warn(std::string text, bool is_critical = false)
    {
        warnings.push_back(std::move(text));
        critical.push_back(is_critical);
    }
    /// 0 ok, 1 warning, 2 critical: the exit code of status --check.
    int level() const
    {
        if (warnings.empty())
            return 0;
        for (bool c : critical)
            if (c)
                return 2;
        return 1;
    }
};

double secs(const Opt& v)
{
    return v ? std::stod(*v) : 0.0;
}

/// Whole seconds + "s" (rounded, as to_char(..., 'FM9999999') did), or NULL.
std::string whole_seconds(const Opt& v)
{
    if (!v)
        return "NULL";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0fs", std::round(std::stod(*v)));
    return buf;
}

Status collect(db::Connection& conn)
{
    Status st;
    st.server_version = conn.exec("show server_version").get(0, 0);
    st.pgq_version = conn.exec("select pgq.version()").opt(0, 0);
    st.notification_queue_usage =
        conn.exec("select pg_catalog.pg_notification_queue_usage()::text").opt(0, 0);
    // Only our schema records who leads (a foreign pgq's tickers lead by lock).
    bool has_leader_info =
        conn.exec("select pg_catalog.to_regprocedure('pgq.ticker_leader_info()') is not null")
            .as_bool(0, 0);
    if (has_leader_info) {
        db::Result l = conn.exec("select coalesce(leader_alive, false), leader_name,"
                                 "       leader_pid::text, leader_since::text"
                                 "  from pgq.ticker_leader_info()");
        st.leader_alive = l.as_bool(0, 0);
        st.leader_name = l.opt(0, 1);
        st.leader_pid = l.opt(0, 2);
        st.leader_since = l.opt(0, 3);
    }

    // to_jsonb(i) makes columns that only newer pgq versions have come out as NULL.
    db::Result q =
        conn.exec("select i.queue_name, i.queue_ntables::text, i.queue_ticker_max_count::text,"
                  "       extract(epoch from i.queue_rotation_period)::text,"
                  "       extract(epoch from i.queue_ticker_max_lag)::text,"
                  "       extract(epoch from i.queue_ticker_idle_period)::text,"
                  "       extract(epoch from i.ticker_lag)::text,"
                  "       extract(epoch from now() - i.queue_switch_time)::text,"
                  "       to_jsonb(i)->>'queue_ticker_paused',"
                  "       to_jsonb(i)->>'queue_external_ticker',"
                  "       to_jsonb(i)->>'last_tick_id',"
                  "       to_jsonb(i)->>'ev_per_sec',"
                  "       to_jsonb(i)->>'ev_new'"
                  "  from pgq.get_queue_info() i"
                  " order by i.queue_name");
    for (int r = 0; r < q.rows(); ++r) {
        QueueRow row;
        row.name = q.get(r, 0);
        row.ntables = q.get(r, 1);
        row.max_count = q.get(r, 2);
        row.rotation_period = q.opt(r, 3);
        row.max_lag = q.opt(r, 4);
        row.idle_period = q.opt(r, 5);
        row.ticker_lag = q.opt(r, 6);
        row.since_switch = q.opt(r, 7);
        row.paused = q.opt(r, 8);
        row.external_ticker = q.opt(r, 9);
        row.last_tick_id = q.opt(r, 10);
        row.ev_per_sec = q.opt(r, 11);
        row.ev_new = q.opt(r, 12);
        st.queues.push_back(std::move(row));
    }

    db::Result c = conn.exec("select c.queue_name, c.consumer_name,"
                             "       extract(epoch from c.lag)::text,"
                             "       extract(epoch from c.last_seen)::text,"
                             "       c.last_tick::text, c.current_batch::text, c.next_tick::text,"
                             "       to_jsonb(c)->>'pending_events'"
                             "  from pgq.get_consumer_info() c"
                             " order by c.queue_name, c.consumer_name");
    for (int r = 0; r < c.rows(); ++r) {
        std::string queue = c.get(r, 0);
        for (QueueRow& row : st.queues) {
            if (row.name != queue)
                continue;
            row.consumers.push_back({c.get(r, 1), c.opt(r, 2), c.opt(r, 3), c.opt(r, 4),
                                     c.opt(r, 5), c.opt(r, 6), c.opt(r, 7)});
            break;
        }
    }
    return st;
}

/// Over `limit` (0: not checked)?
bool over(const Opt& seconds, double limit)
{
    return limit > 0 && seconds && secs(seconds) > limit;
}

void add_warnings(Status& st, const config::Config& cfg)
{
    bool no_leader_reported = false;
    if (st.notification_queue_usage) {
        if (auto warning = notification_queue_warning(secs(st.notification_queue_usage)))
            st.warn(*warning);
    }
    for (const QueueRow& q : st.queues) {
        bool ticked_elsewhere = q.paused == "true" || q.external_ticker == "true";
        bool overdue =
            !ticked_elsewhere && q.idle_period &&
            (!q.ticker_lag || secs(q.ticker_lag) > secs(q.idle_period) + cfg.warn_tick_delay);
        // Nobody leads and ticks are missing: critical, said once. (Ticks
        // that keep coming, e.g. from pgqd, which takes no lead, are fine.)
        if (overdue && st.leader_alive == false && !no_leader_reported) {
            st.warn("no active ticker: no live pgqadm leads this database "
                    "(pgq.ticker_leader_info()) and queues miss ticks",
                    true);
            no_leader_reported = true;
        }
        if (overdue)
            st.warn(
                "queue " + q.name + ": " +
                (q.ticker_lag ? "no tick for " + whole_seconds(q.ticker_lag) : "no tick at all") +
                " (idle period " + whole_seconds(q.idle_period) + "): is the ticker running?");
        for (const ConsumerRow& c : q.consumers) {
            std::string who = "consumer " + c.name + " on queue " + q.name;
            if (c.current_batch && secs(c.last_seen) > long_batch_seconds)
                st.warn(who + ": batch " + *c.current_batch + " open for " +
                        whole_seconds(c.last_seen));
            bool lag_critical = over(c.lag, cfg.crit_consumer_lag);
            if (lag_critical || over(c.lag, cfg.warn_consumer_lag))
                st.warn(who + ": lag " + whole_seconds(c.lag), lag_critical);
            bool gone_critical = over(c.last_seen, cfg.crit_consumer_last_seen);
            if (gone_critical || over(c.last_seen, cfg.warn_consumer_last_seen))
                st.warn(who + ": last seen " + whole_seconds(c.last_seen) + " ago", gone_critical);
            // Maintenance cannot rotate until that consumer moves on.
            auto number = [](const Opt& v) { return v ? std::optional(secs(v)) : std::nullopt; };
            if (observe::blocks_rotation(number(q.rotation_period), number(q.since_switch),
                                         number(c.lag)))
                st.warn("queue " + q.name + ": rotation blocked by consumer " + c.name + " (lag " +
                        whole_seconds(c.lag) + ", last rotation " + whole_seconds(q.since_switch) +
                        " ago, rotation period " + whole_seconds(q.rotation_period) + ")");
        }
    }
}

std::string row4(const std::string& a, const std::string& b, const std::string& c,
                 const std::string& d)
{
    return pad_right(a, 45) + " " + pad_left(b, 9) + " " + pad_left(c, 13) + " " + pad_left(d, 6) +
           "\n";
}

/// Who ticks this database (our schema only; a foreign pgq's tickers lead
/// by an advisory lock that names nobody).
std::string leader_line(const Status& st)
{
    if (!st.leader_alive)
        return "";
    if (!*st.leader_alive)
        return "Ticker leader: none" +
               (st.leader_name ? " (last: " + log::printable(*st.leader_name) + ", gone)"
                               : std::string()) +
               "\n";
    return "Ticker leader: " + log::printable(st.leader_name.value_or("?")) + " (backend pid " +
           st.leader_pid.value_or("?") + ") since " + st.leader_since.value_or("?") + "\n";
}

std::string text_report(const Status& st)
{
    const std::string rule(78, '-');
    std::string out = "Postgres version: " + log::printable(st.server_version) +
                      "   PgQ version: " + log::printable(st.pgq_version.value_or("NULL")) + "\n";
    out += "\n" + row4("Event queue", "Rotation", "Ticker", "TLag");
    out += rule + "\n";
    for (const QueueRow& q : st.queues)
        out +=
            row4(log::printable(q.name), q.ntables + "/" + whole_seconds(q.rotation_period),
                 q.max_count + "/" + whole_seconds(q.max_lag) + "/" + whole_seconds(q.idle_period),
                 whole_seconds(q.ticker_lag));
    out += rule + "\n";
    out += "\n" + pad_right("Consumer", 56) + " " + pad_left("Lag", 9) + " " +
           pad_left("LastSeen", 9) + "\n";
    out += rule + "\n";
    for (const QueueRow& q : st.queues) {
        out += log::printable(q.name) + ":\n";
        for (const ConsumerRow& c : q.consumers)
            out += "  " + pad_right(log::printable(c.name), 54) + " " +
                   pad_left(whole_seconds(c.lag), 9) + " " +
                   pad_left(whole_seconds(c.last_seen), 9) + "\n";
    }
    out += rule + "\n";
    if (std::string leader = leader_line(st); !leader.empty())
        out += "\n" + leader;
    if (!st.warnings.empty()) {
        out += "\nWarnings\n" + rule + "\n";
        for (const std::string& w : st.warnings)
            out += "  " + log::printable(w) + "\n";
        out += rule + "\n";
    }
    return out;
}

// ---- JSON -------------------------------------------------------------------

std::string json_string(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char ch : s) {
        switch (ch) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                out += buf;
            } else {
                out += static_cast<char>(ch); // UTF-8 passes through unchanged
            }
        }
    }
    return out + "\"";
}

std::string json_string(const Opt& s)
{
    return s ? json_string(*s) : "null";
}

/// A numeric text from PostgreSQL as a JSON number (NaN/Infinity -> null).
std::string json_number(const Opt& s)
{
    if (!s || s->empty() || *s == "NaN" || s->find("Infinity") != std::string::npos)
        return "null";
    return trim_number(*s);
}

std::string json_bool(const Opt& s)
{
    return s == "true" ? "true" : s == "false" ? "false" : "null";
}

std::string json_report(const Status& st)
{
    std::string out = "{\"server_version\":" + json_string(st.server_version) +
                      ",\"pgq_version\":" + json_string(st.pgq_version) +
                      ",\"notification_queue_usage\":" + json_number(st.notification_queue_usage);
    if (st.leader_alive)
        out += ",\"ticker_leader\":{\"alive\":" + std::string(*st.leader_alive ? "true" : "false") +
               ",\"name\":" + json_string(st.leader_name) +
               ",\"backend_pid\":" + json_number(st.leader_pid) +
               ",\"since\":" + json_string(st.leader_since) + "}";
    else
        out += ",\"ticker_leader\":null";
    out += ",\"queues\":[";
    for (std::size_t i = 0; i < st.queues.size(); ++i) {
        const QueueRow& q = st.queues[i];
        out += std::string(i ? "," : "") + "{\"name\":" + json_string(q.name) +
               ",\"ntables\":" + json_number(q.ntables) +
               ",\"rotation_period\":" + json_number(q.rotation_period) +
               ",\"ticker_max_count\":" + json_number(q.max_count) +
               ",\"ticker_max_lag\":" + json_number(q.max_lag) +
               ",\"ticker_idle_period\":" + json_number(q.idle_period) +
               ",\"ticker_lag\":" + json_number(q.ticker_lag) +
               ",\"ticker_paused\":" + json_bool(q.paused) +
               ",\"external_ticker\":" + json_bool(q.external_ticker) +
               ",\"last_tick_id\":" + json_number(q.last_tick_id) +
               ",\"ev_per_sec\":" + json_number(q.ev_per_sec) +
               ",\"ev_new\":" + json_number(q.ev_new) + ",\"consumers\":[";
        for (std::size_t j = 0; j < q.consumers.size(); ++j) {
            const ConsumerRow& c = q.consumers[j];
            out += std::string(j ? "," : "") + "{\"name\":" + json_string(c.name) +
                   ",\"lag\":" + json_number(c.lag) + ",\"last_seen\":" + json_number(c.last_seen) +
                   ",\"last_tick\":" + json_number(c.last_tick) +
                   ",\"current_batch\":" + json_number(c.current_batch) +
                   ",\"next_tick\":" + json_number(c.next_tick) +
                   ",\"pending_events\":" + json_number(c.pending_events) + "}";
        }
        out += "]}";
    }
    out += "],\"warnings\":[";
    for (std::size_t i = 0; i < st.warnings.size(); ++i)
        out += std::string(i ? "," : "") + json_string(st.warnings[i]);
    out += "],\"critical\":[";
    bool first = true;
    for (std::size_t i = 0; i < st.warnings.size(); ++i) {
        if (!st.critical[i])
            continue;
        out += std::string(first ? "" : ",") + json_string(st.warnings[i]);
        first = false;
    }
    static const char* const level_names[] = {"ok", "warning", "critical"};
    return out + "],\"check\":\"" + level_names[st.level()] + "\"}\n";
}

} // namespace

std::optional<std::string> notification_queue_warning(double usage)
{
    if (!(usage > notification_queue_warn_usage))
        return std::nullopt;
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.0f%%", usage * 100);
    return std::string("PostgreSQL's notification queue is ") + percent +
           " full: a session that LISTENs and stays in one transaction keeps it from being "
           "freed; when it is full, every commit that sends NOTIFY fails, including "
           "inserts into ticker_notify queues";
}

/// status --check: one line for a monitoring plugin (Nagios style) and
/// the exit code 0 ok, 1 warning, 2 critical.
int check_report(const Status& st)
{
    static const char* const level_names[] = {"OK", "WARNING", "CRITICAL"};
    int level = st.level();
    std::string line = std::string("PGQADM ") + level_names[level] + " - ";
    if (level == 0) {
        std::size_t consumers = 0;
        for (const QueueRow& q : st.queues)
            consumers += q.consumers.size();
        line += std::to_string(st.queues.size()) + " queues, " + std::to_string(consumers) +
                " consumers";
    } else {
        // The worst first: a critical warning if there is one.
        std::size_t shown = 0;
        for (std::size_t i = 0; i < st.warnings.size(); ++i)
            if (st.critical[i] == (level == 2)) {
                shown = i;
                break;
            }
        line += log::printable(st.warnings[shown]);
        if (st.warnings.size() > 1)
            line += " (+" + std::to_string(st.warnings.size() - 1) + " more)";
    }
    std::cout << line << "\n" << std::flush;
    return level;
}

int cmd_status(CommandContext& ctx)
{
    Status st;
    try {
        db::Connection conn = pgq::open_session(ctx.config);
        // One snapshot for all queries, so queues and consumers agree.
        db::Transaction snapshot(conn,
                                 "begin transaction isolation level repeatable read read only");
        st = collect(conn);
        snapshot.commit();
    } catch (const std::exception& e) {
        if (!ctx.options.check)
            throw;
        // A monitoring plugin must say something, and "cannot look" is critical.
        std::cout << "PGQADM CRITICAL - " << log::printable(e.what()) << "\n" << std::flush;
        return 2;
    }
    add_warnings(st, ctx.config);
    if (ctx.options.check && !ctx.options.json)
        return check_report(st);
    std::cout << (ctx.options.json ? json_report(st) : text_report(st)) << std::flush;
    return ctx.options.check ? st.level() : 0;
}

} // namespace pgqadm::cli
