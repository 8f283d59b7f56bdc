#include "pgqadm/db/connection.hpp"

#include "pgqadm/db/conninfo.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <poll.h>

namespace pgqadm::db {
namespace {

std::string one_line(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    for (auto& c : text)
        if (c == '\n' || c == '\t')
            c = ' ';
    return text;
}

std::string field(const PGresult* res, int code)
{
    const char* v = PQresultErrorField(res, code);
    return v ? v : "";
}

// Server WARNINGs (e.g. finish_batch's) become log lines; chatter stays at DEBUG.
void on_notice(void*, const PGresult* res)
{
    std::string severity = field(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (severity == "WARNING")
        spdlog::warn("{}", message);
    else
        spdlog::debug("{}: {}", severity, message);
}

} // namespace

Connection::Connection(PGconn* conn, std::string conninfo)
    : conn_(conn, &PQfinish), conninfo_(std::move(conninfo)),
      opened_at_(std::chrono::steady_clock::now())
{
    PQsetNoticeReceiver(conn, on_notice, nullptr);
}

Connection Connection::open(const std::string& conninfo, const std::string& application_name)
{
    ConnParams params = make_conn_params(conninfo, application_name);
    std::vector<const char*> keys, values;
    for (std::size_t i = 0; i < params.keywords.size(); ++i) {
        keys.push_back(params.keywords[i].c_str());
        values.push_back(params.values[i].c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
    if (!conn)
        throw DbError("out of memory while connecting", "08001");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string msg = scrub_secret(one_line(PQerrorMessage(conn)), conninfo);
        PQfinish(conn);
        throw DbError(msg, "08001");
    }
    Connection connection(conn, conninfo);
    // pg_temp last: otherwise it is searched first for tables, and anyone
    // could shadow a catalog table with a temporary one.
    connection.exec("set search_path = pg_catalog, pg_temp");
    return connection;
}

Result Connection::check(PGresult* raw, std::string_view sql)
{
    if (!raw)
        throw DbError(scrub_secret(one_line(PQerrorMessage(conn_.get())), conninfo_), "08006");
    Result res(raw);
    auto status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN ||
        status == PGRES_EMPTY_QUERY)
        return res;
    std::string message = field(raw, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty())
        message = one_line(PQresultErrorMessage(raw));
    if (message.empty())
        message = one_line(PQerrorMessage(conn_.get()));
    std::string sqlstate = field(raw, PG_DIAG_SQLSTATE);
    if (sqlstate.empty() && PQstatus(conn_.get()) != CONNECTION_OK)
        sqlstate = "08006";
    spdlog::debug("query failed: {}", sql.substr(0, 200));
    throw DbError(scrub_secret(message, conninfo_), sqlstate, field(raw, PG_DIAG_MESSAGE_DETAIL),
                  field(raw, PG_DIAG_MESSAGE_HINT));
}

Result Connection::exec(std::string_view sql)
{
    std::string text(sql);
    if (!sink_)
        return check(PQexec(conn_.get(), text.c_str()), sql);
    if (!PQsendQuery(conn_.get(), text.c_str()))
        return check(nullptr, sql);
    return check(finish_sent_query(), sql);
}

namespace {
struct ParamArrays {
    std::vector<const char*> values;
    explicit ParamArrays(const Params& params)
    {
        for (const auto& p : params)
            values.push_back(p ? p->c_str() : nullptr);
    }
};
} // namespace

void Connection::send_query(std::string_view sql)
{
    if (query_pending())
        throw DbError("a query is already in progress on this connection", "55000");
    std::string text(sql);
    if (!PQsendQuery(conn_.get(), text.c_str()))
        check(nullptr, sql);
    pending_sql_ = std::move(text);
}

std::optional<Result> Connection::poll_result()
{
    PGconn* conn = conn_.get();
    if (!PQconsumeInput(conn)) {
        pending_sql_.clear();
        check(nullptr, "");
    }
    pass_notifications();
    if (PQisBusy(conn))
        return std::nullopt;
    std::string sql = std::move(pending_sql_);
    pending_sql_.clear();
    return check(finish_sent_query(), sql);
}

Result Connection::exec(std::string_view sql, const Params& params)
{
    std::string text(sql);
    ParamArrays arrays(params);
    auto count = static_cast<int>(params.size());
    if (!sink_)
        return check(PQexecParams(conn_.get(), text.c_str(), count, nullptr, arrays.values.data(),
                                  nullptr, nullptr, 0),
                     sql);
    if (!PQsendQueryParams(conn_.get(), text.c_str(), count, nullptr, arrays.values.data(), nullptr,
                           nullptr, 0))
        return check(nullptr, sql);
    return check(finish_sent_query(), sql);
}

void Connection::prepare(const std::string& name, std::string_view sql, int nparams)
{
    std::string text(sql);
    if (!sink_) {
        check(PQprepare(conn_.get(), name.c_str(), text.c_str(), nparams, nullptr), sql);
        return;
    }
    if (!PQsendPrepare(conn_.get(), name.c_str(), text.c_str(), nparams, nullptr))
        check(nullptr, sql);
    check(finish_sent_query(), sql);
}

Result Connection::exec_prepared(const std::string& name, const Params& params)
{
    ParamArrays arrays(params);
    auto count = static_cast<int>(params.size());
    if (!sink_)
        return check(PQexecPrepared(conn_.get(), name.c_str(), count, arrays.values.data(), nullptr,
                                    nullptr, 0),
                     name);
    if (!PQsendQueryPrepared(conn_.get(), name.c_str(), count, arrays.values.data(), nullptr,
                             nullptr, 0))
        return check(nullptr, name);
    return check(finish_sent_query(), name);
}

PGresult* Connection::finish_sent_query()
{
    PGconn* conn = conn_.get();
    PGresult* last = nullptr;
    while (true) {
        while (PQisBusy(conn)) {
            pass_notifications();
            pollfd wait{PQsocket(conn), POLLIN, 0};
            if (wait.fd < 0 || (poll(&wait, 1, -1) < 0 && errno != EINTR) ||
                !PQconsumeInput(conn)) {
                PQclear(last);
                return nullptr;
            }
        }
        pass_notifications();
        PGresult* res = PQgetResult(conn);
        if (!res)
            return last;
        PQclear(last);
        last = res;
        // As PQexec: stop at COPY (the caller goes on) or a lost connection.
        auto status = PQresultStatus(res);
        if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH ||
            PQstatus(conn) == CONNECTION_BAD)
            return last;
    }
}

DbError Connection::connection_error() const
{
    return DbError(scrub_secret(one_line(PQerrorMessage(conn_.get())), conninfo_), "08006");
}

CopyIn Connection::copy_in(std::string_view copy_sql)
{
    Result started = exec(copy_sql);
    if (PQresultStatus(started.raw()) != PGRES_COPY_IN)
        throw DbError("not a COPY ... FROM STDIN: " + std::string(copy_sql.substr(0, 200)),
                      "42601");
    return CopyIn(*this);
}

CopyIn::CopyIn(CopyIn&& other) noexcept : conn_(other.conn_)
{
    other.conn_ = nullptr;
}

void CopyIn::write(std::string_view data)
{
    if (!conn_)
        throw DbError("COPY already finished", "55000");
    // libpq buffers; 1 means queued (0 only in nonblocking mode).
    if (PQputCopyData(conn_->conn_.get(), data.data(), static_cast<int>(data.size())) != 1)
        throw conn_->connection_error();
}

Result CopyIn::finish()
{
    if (!conn_)
        throw DbError("COPY already finished", "55000");
    Connection& conn = *conn_;
    conn_ = nullptr;
    if (PQputCopyEnd(conn.conn_.get(), nullptr) != 1)
        throw conn.connection_error();
    return conn.check(conn.finish_sent_query(), "COPY ... FROM STDIN");
}

CopyIn::~CopyIn()
{
    if (!conn_)
        return;
    // Abandoned (an exception while writing): the server fails the COPY;
    // read its results so the connection can go on.
    PGconn* raw = conn_->conn_.get();
    if (PQputCopyEnd(raw, "COPY abandoned by the client") == 1)
        while (PGresult* res = PQgetResult(raw))
            PQclear(res);
}

std::string Connection::quote_ident(std::string_view ident) const
{
    char* q = PQescapeIdentifier(conn_.get(), ident.data(), ident.size());
    if (!q)
        throw DbError(one_line(PQerrorMessage(conn_.get())));
    std::string out(q);
    PQfreemem(q);
    return out;
}

std::vector<Notification> Connection::notifications()
{
    std::vector<Notification> out;
    if (!PQconsumeInput(conn_.get()))
        throw DbError(scrub_secret(one_line(PQerrorMessage(conn_.get())), conninfo_), "08006");
    while (PGnotify* n = PQnotifies(conn_.get())) {
        out.push_back({n->relname, n->extra ? n->extra : ""});
        PQfreemem(n);
    }
    return out;
}

void Connection::set_notification_sink(NotificationSink sink)
{
    sink_ = std::move(sink);
}

std::size_t Connection::pass_notifications()
{
    std::size_t passed = 0;
    if (!sink_) // they wait in libpq for notifications()
        return passed;
    while (PGnotify* n = PQnotifies(conn_.get())) {
        std::unique_ptr<PGnotify, decltype(&PQfreemem)> owned(n, &PQfreemem);
        sink_(n->relname, n->extra ? n->extra : "");
        ++passed;
    }
    return passed;
}

std::size_t Connection::drain_notifications(std::size_t limit)
{
    std::size_t passed = 0;
    while (passed < limit) {
        // One read of what the socket holds: at most libpq's input buffer.
        if (!PQconsumeInput(conn_.get()))
            throw DbError(scrub_secret(one_line(PQerrorMessage(conn_.get())), conninfo_), "08006");
        std::size_t got = pass_notifications();
        if (got == 0)
            break;
        passed += got;
    }
    return passed;
}

Transaction::Transaction(Connection& conn, std::string_view begin) : conn_(conn)
{
    conn_.exec(begin);
}

Transaction::~Transaction()
{
    if (done_)
        return;
    try {
        conn_.exec("rollback");
    } catch (const std::exception&) {
        // the connection is broken; the server rolls back on its own
    }
}

void Transaction::commit()
{
    conn_.exec("commit");
    done_ = true;
}

} // namespace pgqadm::db
