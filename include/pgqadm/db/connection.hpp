// The only code that talks to libpq: a connection, its queries, transactions.
#pragma once
#include "pgqadm/db/db_error.hpp"
#include "pgqadm/db/result.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgqadm::db {

using Param = std::optional<std::string>; ///< nullopt is SQL NULL
using Params = std::vector<Param>;

struct Notification {
    std::string channel;
    std::string payload;
};

class Connection;

/// A COPY ... FROM STDIN in progress (Connection::copy_in). Data goes in as
/// COPY text; finish() ends it. Destroyed unfinished, it aborts the COPY,
/// and the statement fails as if the data had been bad.
class CopyIn {
  public:
    CopyIn(CopyIn&& other) noexcept;
    CopyIn& operator=(CopyIn&&) = delete;
    CopyIn(const CopyIn&) = delete;
    ~CopyIn();

    /// Sends rows (any chunking; COPY text format unless the statement said
    /// otherwise). Throws DbError if the connection fails.
    void write(std::string_view data);
    /// Ends the COPY; its result tells how many rows went in
    /// (affected_rows()). Throws DbError with the server's error.
    Result finish();

  private:
    friend class Connection;
    explicit CopyIn(Connection& conn) : conn_(&conn) {}
    Connection* conn_; ///< nullptr once finished or moved from
};

class Connection {
  public:
    /// Connects (blocking) and pins search_path to pg_catalog, pg_temp: our
    /// queries name pgq objects with their schema, and builtins must come
    /// from pg_catalog, never from an overload someone planted in a schema
    /// on the role's search_path. Throws DbError with libpq's message,
    /// password scrubbed.
    static Connection open(const std::string& conninfo,
                           const std::string& application_name = "pgqadm");

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;
    ~Connection() = default;

    /// Simple-protocol query; may hold several statements (the last result is returned).
    Result exec(std::string_view sql);
    /// Extended-protocol query with text parameters.
    Result exec(std::string_view sql, const Params& params);
    /// Prepares a named statement once; exec_prepared runs it.
    void prepare(const std::string& name, std::string_view sql, int nparams);
    Result exec_prepared(const std::string& name, const Params& params);

    /// Sends a simple-protocol query and returns at once; poll_result()
    /// collects its result when the socket says it is there. Nothing else
    /// may run on the connection meanwhile.
    void send_query(std::string_view sql);
    /// The sent query's last result once it has arrived (throws DbError as
    /// exec() does), or nullopt while the server still works on it. Never
    /// blocks for a single statement; of several, it waits for the rest once
    /// the first is in.
    std::optional<Result> poll_result();
    bool query_pending() const { return !pending_sql_.empty(); }

    /// Starts `copy_sql` (a COPY ... FROM STDIN); the rows go through the
    /// returned CopyIn. Throws DbError if the statement fails or is no COPY
    /// FROM STDIN.
    CopyIn copy_in(std::string_view copy_sql);

    std::string quote_ident(std::string_view ident) const;

    bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }

    /// Notifications received so far (after LISTEN); reads pending input.
    /// Throws DbError (SQLSTATE 08006) if the connection is gone.
    /// Unbounded: for connections nobody else can flood (tests, tools).
    std::vector<Notification> notifications();

    /// Called for each notification as soon as it is read off the socket.
    /// Must not use the connection.
    using NotificationSink =
        std::function<void(std::string_view channel, std::string_view payload)>;
    /// From now on every notification goes to `sink` as it arrives, also
    /// while a query waits for its result. (Any role may NOTIFY our channels;
    /// libpq would otherwise keep everything that arrived during a query in
    /// memory at once, and the server sends its whole backlog then.)
    void set_notification_sink(NotificationSink sink);
    /// Reads what the socket holds without blocking and passes notifications
    /// to the sink until about `limit` have passed or none are left. Returns
    /// how many passed. Throws DbError (08006) if the connection is gone.
    std::size_t drain_notifications(std::size_t limit);
    /// The socket, to wait for notifications with poll().
    int socket() const { return PQsocket(conn_.get()); }

  private:
    friend class CopyIn;
    explicit Connection(PGconn* conn, std::string conninfo);
    /// The error libpq reports for the connection itself, as a DbError.
    DbError connection_error() const;
    Result check(PGresult* res, std::string_view sql);
    /// PQexec's wait for the results of a sent query, passing notifications
    /// to the sink meanwhile; the last result, or nullptr (see PQerrorMessage).
    PGresult* finish_sent_query();
    std::size_t pass_notifications();

    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::string conninfo_;
    std::chrono::steady_clock::time_point opened_at_;
    NotificationSink sink_;   ///< empty: plain PQexec, notifications wait in libpq
    std::string pending_sql_; ///< the query send_query() sent, until poll_result() has it
};

/// BEGIN on construction, ROLLBACK on destruction unless commit() was called.
class Transaction {
  public:
    /// `begin` may carry a mode, e.g. "begin transaction isolation level
    /// repeatable read read only".
    explicit Transaction(Connection& conn, std::string_view begin = "begin");
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Connection& conn_;
    bool done_ = false;
};

} // namespace pgqadm::db
