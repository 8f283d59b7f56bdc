// config: show or change per-queue settings.
//
//   config                      every queue, in name order
//   config QNAME                that queue
//   config QNAME VAR=VAL ...    change settings (all or nothing, one transaction)
//
// Settable (with or without the queue_ prefix) — the whitelist below:
//   through pgq.set_queue_config() when the schema has it (PgQ 3 / ours):
//     ticker_max_count, ticker_max_lag, ticker_idle_period, rotation_period,
//     ticker_paused, external_ticker, ticker_notify (ours only)
//   through a parameterised UPDATE of pgq.queue (set_queue_config refuses them):
//     disable_insert, per_tx_limit
// Deliberately not settable: queue_ntables (rotation bookkeeping depends on
// it), queue_extra_maint (names of functions the maintenance job executes),
// and the internal columns (data prefix, sequences, switch state).
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/cli/format.hpp"
#include "pgqadm/db/db_error.hpp"
#include "pgqadm/error.hpp"
#include "pgqadm/log/printable.hpp"
#include "pgqadm/pgq/session.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pgqadm::cli {
namespace {

enum class Kind { Integer, NullableInteger, Interval, Boolean };

struct Setting {
    const char* short_name; ///< without the queue_ prefix
    Kind kind;
    bool via_set_queue_config;
};

const std::array<Setting, 9> settings{{
    {"ticker_max_lag", Kind::Interval, true},
    {"ticker_max_count", Kind::Integer, true},
    {"ticker_idle_period", Kind::Interval, true},
    {"rotation_period", Kind::Interval, true},
    {"ticker_paused", Kind::Boolean, true},
    {"external_ticker", Kind::Boolean, true},
    {"ticker_notify", Kind::Boolean, true},
    {"disable_insert", Kind::Boolean, false},
    {"per_tx_limit", Kind::NullableInteger, false},
}};

std::string known_names()
{
    std::string out;
    for (const Setting& s : settings)
        out += (out.empty() ? "" : ", ") + std::string("queue_") + s.short_name;
    return out;
}

const Setting* find_setting(std::string name)
{
    if (name.rfind("queue_", 0) == 0)
        name = name.substr(6);
    for (const Setting& s : settings)
        if (name == s.short_name)
            return &s;
    return nullptr;
}

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool all_digits(const std::string& s)
{
    return !s.empty() && s.size() <= 10 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

struct Change {
    const Setting* setting;
    std::string typed;     ///< the value as given on the command line
    db::Param value;       ///< what goes to the database (nullopt = NULL)
    std::string full_name; ///< queue_<short_name>
};

[[noreturn]] void bad_value(const std::string& name, const std::string& value, const char* what)
{
    throw Error("config: bad value for " + name + ": '" + value + "' is not " + what);
}

/// Client-side validation of one VAR=VAL argument (no database needed).
Change parse_change(const std::string& arg)
{
    auto eq = arg.find('=');
    if (eq == std::string::npos)
        throw Error("config: expected VAR=VALUE, got '" + arg + "'");
    std::string name = arg.substr(0, eq);
    std::string value = arg.substr(eq + 1);
    const Setting* s = find_setting(name);
    if (!s)
        throw Error("unknown config var: " + name + " (known: " + known_names() + ")");
    Change c{s, value, value, std::string("queue_") + s->short_name};
    switch (s->kind) {
    case Kind::NullableInteger:
        if (lower(value) == "null") {
            c.value = std::nullopt;
            break;
        }
        [[fallthrough]];
    case Kind::Integer:
        if (!all_digits(value) || std::stoll(value) > INT_MAX)
            bad_value(c.full_name, value,
                      s->kind == Kind::Integer ? "a non-negative integer"
                                               : "a non-negative integer or NULL");
        break;
    case Kind::Boolean: {
        static const std::set<std::string> yes{"true", "t", "yes", "y", "on", "1"};
        static const std::set<std::string> no{"false", "f", "no", "n", "off", "0"};
        std::string v = lower(value);
        if (yes.count(v))
            c.value = "true";
        else if (no.count(v))
            c.value = "false";
        else
            bad_value(c.full_name, value, "a boolean (true/false)");
        break;
    }
    case Kind::Interval:
        // Digits, units, colons, a sign: anything else cannot be an interval
        // and never reaches the server. The server checks the rest.
        if (value.empty() || value.size() > 64 ||
            !std::all_of(value.begin(), value.end(), [](unsigned char ch) {
                return std::isalnum(ch) || ch == ' ' || ch == '.' || ch == ':' || ch == '-' ||
                       ch == '+';
            }))
            bad_value(c.full_name, value, "an interval (seconds, or e.g. '2 hours')");
        break;
    }
    return c;
}

/// Server-side check of interval values, before the transaction starts.
void check_interval(db::Connection& conn, const Change& c)
{
    try {
        db::Result r = conn.exec("select $1::interval < interval '0'", {c.value});
        if (r.as_bool(0, 0))
            bad_value(c.full_name, c.typed, "a non-negative interval");
    } catch (const db::DbError&) {
        bad_value(c.full_name, c.typed, "an interval (seconds, or e.g. '2 hours')");
    }
}

std::set<std::string> queue_columns(db::Connection& conn)
{
    db::Result r = conn.exec("select attname from pg_catalog.pg_attribute "
                             "where attrelid = 'pgq.queue'::regclass and attnum > 0 "
                             "and not attisdropped");
    std::set<std::string> out;
    for (int i = 0; i < r.rows(); ++i)
        out.insert(r.get(i, 0));
    return out;
}

std::string sql_quoted(const std::string& v)
{
    std::string out = "'";
    for (char ch : v)
        out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
}

int change_config(CommandContext& ctx, const std::string& queue)
{
    std::vector<Change> changes;
    for (std::size_t i = 1; i < ctx.args.size(); ++i)
        changes.push_back(parse_change(ctx.args[i]));

    db::Connection conn = pgq::open_session(ctx.config);
    std::set<std::string> columns = queue_columns(conn);
    for (const Change& c : changes) {
        if (!columns.count(c.full_name))
            throw Error("config: " + c.full_name + " is not supported by this pgq schema");
        if (c.setting->kind == Kind::Interval)
            check_interval(conn, c);
    }
    bool have_set_queue_config =
        conn.exec("select to_regprocedure('pgq.set_queue_config(text,text,text)') is not null")
            .as_bool(0, 0);

    db::Transaction tx(conn);
    if (conn.exec("select 1 from pgq.queue where queue_name = $1 for update", {queue}).rows() == 0)
        throw Error("no such queue: " + queue);
    for (const Change& c : changes) {
        if (have_set_queue_config && c.setting->via_set_queue_config) {
            conn.exec("select pgq.set_queue_config($1, $2, $3)",
                      {queue, std::string(c.setting->short_name), c.value});
        } else {
            // The column name comes from the whitelist above, never from the user.
            const char* type = c.setting->kind == Kind::Interval  ? "interval"
                               : c.setting->kind == Kind::Boolean ? "boolean"
                                                                  : "integer";
            conn.exec("update pgq.queue set " + conn.quote_ident(c.full_name) + " = $1::" + type +
                          " where queue_name = $2",
                      {c.value, queue});
        }
    }
    pgq::notify_queue_change(conn, queue);
    tx.commit();

    std::string line = "Change queue " + queue + " config to: ";
    for (std::size_t i = 0; i < changes.size(); ++i)
        line += (i ? ", " : "") + changes[i].full_name + "=" + sql_quoted(changes[i].typed);
    std::cout << log::printable(line) << "\n"; // the queue name may hold control characters
    return 0;
}

/// One line of the show block: "    %-28s= %6s" — 4-space indent, name
/// padded to 28, '=', value right-aligned in 6 (wider values push out).
std::string show_line(const std::string& name, const std::string& value)
{
    return "    " + pad_right(name, 28) + "=" + pad_left(value, 6) + "\n";
}

std::string bool_text(const std::string& json_bool)
{
    return json_bool == "true" ? "true" : json_bool == "false" ? "false" : json_bool;
}

int show_config(CommandContext& ctx, const std::optional<std::string>& queue)
{
    db::Connection conn = pgq::open_session(ctx.config);
    // to_jsonb(q) yields NULL for columns an older schema lacks (PgQ 2 has no
    // queue_ticker_paused), so one query fits our schema and every PgQ.
    db::Result r = conn.exec("select q.queue_name,"
                             "       extract(epoch from q.queue_ticker_max_lag)::text,"
                             "       q.queue_ticker_max_count::text,"
                             "       extract(epoch from q.queue_ticker_idle_period)::text,"
                             "       extract(epoch from q.queue_rotation_period)::text,"
                             "       to_jsonb(q)->>'queue_ticker_paused',"
                             "       to_jsonb(q)->>'queue_external_ticker',"
                             "       to_jsonb(q)->>'queue_disable_insert',"
                             "       to_jsonb(q) ? 'queue_per_tx_limit',"
                             "       to_jsonb(q)->>'queue_per_tx_limit',"
                             "       to_jsonb(q)->>'queue_ticker_notify'"
                             "  from pgq.queue q"
                             " where $1::text is null or q.queue_name = $1"
                             " order by q.queue_name",
                             {queue});
    if (queue && r.rows() == 0)
        throw Error("no such queue: " + *queue);
    std::string out;
    for (int i = 0; i < r.rows(); ++i) {
        out += log::printable(r.get(i, 0)) + "\n";
        out += show_line("queue_ticker_max_lag", trim_number(r.text(i, 1)));
        out += show_line("queue_ticker_max_count", r.get(i, 2));
        out += show_line("queue_ticker_idle_period", trim_number(r.text(i, 3)));
        out += show_line("queue_rotation_period", trim_number(r.text(i, 4)));
        if (!r.is_null(i, 5))
            out += show_line("queue_ticker_paused", bool_text(r.get(i, 5)));
        if (!r.is_null(i, 6))
            out += show_line("queue_external_ticker", bool_text(r.get(i, 6)));
        if (!r.is_null(i, 7))
            out += show_line("queue_disable_insert", bool_text(r.get(i, 7)));
        if (r.as_bool(i, 8))
            out += show_line("queue_per_tx_limit", r.is_null(i, 9) ? "NULL" : r.get(i, 9));
        if (!r.is_null(i, 10))
            out += show_line("queue_ticker_notify", bool_text(r.get(i, 10)));
    }
    std::cout << out << std::flush;
    return 0;
}

} // namespace

int cmd_config(CommandContext& ctx)
{
    if (ctx.args.empty())
        return show_config(ctx, std::nullopt);
    if (ctx.args.size() == 1)
        return show_config(ctx, ctx.args[0]);
    return change_config(ctx, ctx.args[0]);
}

} // namespace pgqadm::cli
