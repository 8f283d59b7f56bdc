// pgqadm_fault_driver: a randomized fault suite for exactly-once delivery.
//
// Runs producers, fan-out consumers and two pgqadm ticker daemons against one
// database for --seconds, while injecting faults (ticker SIGKILL / SIGINT /
// SIGHUP, consumers dying between next_batch and finish_batch, PostgreSQL fast
// restarts). Then drains with the faults off and checks, per queue and
// consumer, that every committed event was processed exactly once (plus one
// extra delivery per retry tag), that nothing uncommitted or foreign was seen,
// that batches chain without overlap, and that ticks never came from two
// tickers at once. Prints one summary line; exit 0 = no violation, exit 1 =
// violations (the seed is printed), exit 2 = the harness itself broke.
//
//   pgqadm_fault_driver --seconds 60 --seed 42 --pgqadm build/pgqadm
//       --workdir /tmp/fw --cluster-env build/testpg.env [--dsn DSN] [--keep-db]
//
// Without --dsn a fresh database is created on the cluster of the env file
// (PGHOST/PGPORT/PGUSER; PGDATA/PGBIN enable PostgreSQL restarts).
#include "pgqadm/db/connection.hpp"
#include "pgqadm/pgq/names.hpp"
#include "support/harness.hpp"

#include <spdlog/spdlog.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------------------
// Options and shared state

struct Options {
    int seconds = 60;
    std::uint64_t seed = 0;
    std::string dsn;
    std::string pgqadm;
    fs::path workdir;
    std::string cluster_env;
    bool keep_db = false;
    bool inject = false; // corrupt the records before checking: the checks must fire
    int queues = 3;
    int producers = 3; // plus one that holds transactions open across ticks
};

struct Counters {
    std::atomic<long> events_committed{0}, events_copy{0}, txs_committed{0}, txs_rolled_back{0},
        txs_lost{0}, txs_ambiguous{0}, txs_held{0}, txs_multi_queue{0};
    std::atomic<long> batches{0}, deliveries{0}, retry_tags{0}, consumer_deaths{0}, empty_polls{0},
        cursor_batches{0};
    std::atomic<long> producer_errors{0}, consumer_errors{0}, monitor_errors{0};
    std::atomic<long> ticker_kills{0}, ticker_sigints{0}, ticker_sighups{0}, ticker_starts{0},
        pg_restarts{0}, takeovers{0}, concurrency_samples{0};
};

struct Shared {
    Options opt;
    std::atomic<bool> stop_producers{false}, stop_consumers{false}, stop_monitor{false};
    std::atomic<bool> tagging{true}, dying{true};
    Counters n;
    std::mutex mu;
    std::vector<std::string> violations;
    std::vector<std::string> lost_tags; // ev_data of events that never committed
    std::vector<std::string> queue_names;

    void violation(const std::string& what)
    {
        std::lock_guard g(mu);
        violations.push_back(what);
        std::cerr << "VIOLATION: " << what << std::endl;
    }
    std::size_t violation_count()
    {
        std::lock_guard g(mu);
        return violations.size();
    }
};

Shared* g = nullptr;

std::string now_stamp()
{
    using namespace std::chrono;
    auto t = system_clock::now();
    auto secs = system_clock::to_time_t(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&secs));
    auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03d", buf, static_cast<int>(ms));
    return out;
}

void note(const std::string& msg)
{
    std::lock_guard lock(g->mu);
    std::cout << now_stamp() << " " << msg << std::endl;
}

/// Sleeps up to `d`, in slices, returning early once `stop` is set.
void nap(std::chrono::milliseconds d, const std::atomic<bool>* stop = nullptr)
{
    auto end = Clock::now() + d;
    while (Clock::now() < end) {
        if (stop && stop->load())
            return;
        std::this_thread::sleep_for(std::min<Clock::duration>(end - Clock::now(), 50ms));
    }
}

// ---------------------------------------------------------------------------
// Database access: the project's own wrapper (pgqadm/db)

using pgqadm::db::Connection;
using pgqadm::db::DbError;
using Res = pgqadm::db::Result;
using pgqadm::pgq::text_array_literal;
using pgqadm::test::Cluster;
using pgqadm::test::count_of;
using pgqadm::test::Process;
using pgqadm::test::read_file;
using pgqadm::test::wait_until;

/// A connection with a statement timeout, so a stuck query cannot hang the
/// suite (search_path is pinned: every name below is schema-qualified or a
/// catalog's).
Connection open_db(const std::string& dsn, const std::string& app)
{
    Connection conn = Connection::open(dsn, app);
    conn.exec("set statement_timeout = 60000");
    return conn;
}

/// Connects, retrying until `deadline` (the server may be restarting).
std::unique_ptr<Connection> connect_retry(const std::string& dsn, const std::string& app,
                                          Clock::time_point deadline)
{
    while (true) {
        try {
            return std::make_unique<Connection>(open_db(dsn, app));
        } catch (const DbError&) {
            if (Clock::now() >= deadline)
                throw;
            std::this_thread::sleep_for(200ms);
        }
    }
}

template <typename T> std::string num_array(const std::vector<T>& items)
{
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? "," : "") + std::to_string(items[i]);
    return out + "}";
}

// ---------------------------------------------------------------------------
// Producers

struct Producer {
    int idx;
    bool holder; // holds transactions open across many ticks
    std::mt19937_64 rng;
    std::unique_ptr<Connection> conn;
    long txno = 0;

    double uni() { return std::uniform_real_distribution<double>(0, 1)(rng); }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

    void run()
    {
        while (!g->stop_producers) {
            try {
                if (!conn)
                    conn = connect_retry(g->opt.dsn, "fault-producer-" + std::to_string(idx),
                                         Clock::now() + 120s);
                one_tx();
                nap(std::chrono::milliseconds(pick(5, 60)));
            } catch (const std::exception& e) {
                ++g->n.producer_errors;
                conn.reset();
                nap(std::chrono::milliseconds(pick(50, 250)));
            }
        }
    }

    /// Inserts `count` events into `queue`, each with a ledger row in the same
    /// transaction. Returns the ev_data tags used.
    std::vector<std::string> step(const std::string& queue, int count, bool copy, bool rollback)
    {
        std::vector<std::string> tags;
        for (int i = 0; i < count; ++i)
            tags.push_back(queue + "|p" + std::to_string(idx) + "|t" + std::to_string(txno) + "|" +
                           std::to_string(tags.size()) + "|" + std::to_string(pick(0, 1e6)));
        std::string type = rollback ? "rb" : copy ? "copy" : "ins";
        if (!copy) {
            Res r = conn->exec("insert into fault.ledger(queue, ev_id, ev_data, producer, via)"
                               " select $1, pgq.insert_event($1, $3, d), d, $2, $3"
                               "   from unnest($4::text[]) with ordinality u(d, o) order by o",
                               {queue, std::to_string(idx), type, text_array_literal(tags)});
            if (r.affected_rows() != count)
                g->violation("producer: ledger got " + std::to_string(r.affected_rows()) +
                             " rows for " + std::to_string(count) + " inserted events");
        } else {
            Res t = conn->exec("select pgq.current_event_table($1), now()", {queue});
            std::string table = t.get(0, 0), ts = t.get(0, 1);
            std::string fq = pgqadm::pgq::quote_fqname(*conn, table);
            std::string data;
            for (const auto& tag : tags)
                data += ts + "\t" + type + "\t" + tag + "\n";
            {
                pgqadm::db::CopyIn rows =
                    conn->copy_in("copy " + fq + " (ev_time, ev_type, ev_data) from stdin");
                rows.write(data);
                rows.finish();
            }
            Res r =
                conn->exec("insert into fault.ledger(queue, ev_id, ev_data, producer, via)"
                           " select $1, ev_id, ev_data, $2, $3 from " +
                               fq + " where ev_txid = txid_current() and ev_data = any($4::text[])",
                           {queue, std::to_string(idx), type, text_array_literal(tags)});
            if (r.affected_rows() != count)
                g->violation("producer: COPY of " + std::to_string(count) + " events into " +
                             table + " shows " + std::to_string(r.affected_rows()) +
                             " rows in the same transaction");
        }
        return tags;
    }

    void one_tx()
    {
        ++txno;
        bool rollback = uni() < 0.12;
        bool hold = holder ? uni() < 0.7 : uni() < 0.03;
        int nsteps = uni() < 0.25 ? pick(2, 3) : 1;
        std::vector<std::string> tags;
        long committed_events = 0, copy_events = 0;
        bool sent_commit = false;
        std::vector<std::string> queues_touched;
        try {
            conn->exec("begin");
            for (int s = 0; s < nsteps; ++s) {
                const std::string& q = g->queue_names[static_cast<std::size_t>(
                    pick(0, static_cast<int>(g->queue_names.size()) - 1))];
                if (std::find(queues_touched.begin(), queues_touched.end(), q) ==
                    queues_touched.end())
                    queues_touched.push_back(q);
                int count = uni() < 0.1 ? pick(50, 200) : pick(1, 20);
                bool copy = uni() < 0.3;
                auto t = step(q, count, copy, rollback);
                tags.insert(tags.end(), t.begin(), t.end());
                committed_events += count;
                copy_events += copy ? count : 0;
                if (hold && s == 0) {
                    // Held open across many ticks (and possibly a rotation).
                    nap(std::chrono::milliseconds(holder ? pick(1500, 6000) : pick(300, 1200)),
                        &g->stop_producers);
                }
            }
            if (rollback) {
                conn->exec("rollback");
                ++g->n.txs_rolled_back;
                std::lock_guard lock(g->mu);
                g->lost_tags.insert(g->lost_tags.end(), tags.begin(), tags.end());
                return;
            }
            sent_commit = true;
            conn->exec("commit");
        } catch (const DbError&) {
            if (sent_commit) {
                ++g->n.txs_ambiguous; // the ledger decides
            } else {
                ++g->n.txs_lost; // never committed: these events must never show up
                std::lock_guard lock(g->mu);
                g->lost_tags.insert(g->lost_tags.end(), tags.begin(), tags.end());
            }
            throw;
        }
        ++g->n.txs_committed;
        g->n.events_committed += committed_events;
        g->n.events_copy += copy_events;
        if (hold)
            ++g->n.txs_held;
        if (queues_touched.size() > 1)
            ++g->n.txs_multi_queue;
    }
};

// ---------------------------------------------------------------------------
// Consumers

struct Consumer {
    std::string queue, name;
    std::mt19937_64 rng;
    std::unique_ptr<Connection> conn;
    std::atomic<long> iterations{0};
    std::optional<long long> expect_batch; // after a clean death, the batch must come back

    double uni() { return std::uniform_real_distribution<double>(0, 1)(rng); }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

    void die()
    {
        conn.reset(); // the connection is dropped, the open transaction is lost
        ++g->n.consumer_deaths;
    }

    void run()
    {
        while (!g->stop_consumers) {
            ++iterations;
            try {
                if (!conn)
                    conn = connect_retry(g->opt.dsn, "fault-consumer-" + queue + "-" + name,
                                         Clock::now() + 120s);
                if (!one_batch())
                    nap(std::chrono::milliseconds(pick(20, 120)));
            } catch (const std::exception& e) {
                ++g->n.consumer_errors;
                expect_batch.reset(); // we don't know how far it got
                conn.reset();
                nap(std::chrono::milliseconds(pick(50, 250)));
            }
        }
    }

    bool one_batch()
    {
        bool tagging = g->tagging, dying = g->dying;
        Res b = conn->exec("select batch_id, cur_tick_id, prev_tick_id"
                           "  from pgq.next_batch_info($1, $2)",
                           {queue, name});
        if (b.is_null(0, 0)) {
            ++g->n.empty_polls;
            if (expect_batch) {
                g->violation(queue + "/" + name + ": batch " + std::to_string(*expect_batch) +
                             " was open when the consumer died, next_batch returned none");
                expect_batch.reset();
            }
            return false;
        }
        long long batch = b.as_int(0, 0), cur_tick = b.as_int(0, 1), prev_tick = b.as_int(0, 2);
        if (expect_batch && *expect_batch != batch)
            g->violation(queue + "/" + name + ": batch " + std::to_string(*expect_batch) +
                         " was open when the consumer died, next_batch returned " +
                         std::to_string(batch));
        expect_batch.reset();
        if (dying && uni() < 0.04) {
            expect_batch = batch;
            die();
            return true;
        }
        conn->exec("begin");
        std::vector<long long> ids, retries;
        std::vector<std::string> datas, types;
        auto collect = [&](const Res& r) {
            for (int i = 0; i < r.rows(); ++i) {
                ids.push_back(r.as_int(i, 0));
                retries.push_back(r.is_null(i, 1) ? 0 : r.as_int(i, 1));
                types.push_back(r.get(i, 2));
                datas.push_back(r.get(i, 3));
            }
        };
        if (uni() < 0.3) {
            ++g->n.cursor_batches;
            collect(conn->exec("select ev_id, ev_retry, ev_type, ev_data"
                               "  from pgq.get_batch_cursor($1, 'fault_cur', $2)",
                               {std::to_string(batch), std::to_string(pick(0, 10))}));
            while (true) {
                Res r = conn->exec("fetch 37 from fault_cur");
                if (r.rows() == 0)
                    break;
                // FETCH returns all event columns: ev_id, ev_time, ev_txid, ev_retry, ev_type,
                // ev_data
                for (int i = 0; i < r.rows(); ++i) {
                    ids.push_back(r.as_int(i, 0));
                    retries.push_back(r.is_null(i, 3) ? 0 : r.as_int(i, 3));
                    types.push_back(r.get(i, 4));
                    datas.push_back(r.get(i, 5));
                }
            }
            conn->exec("close fault_cur");
        } else {
            collect(conn->exec("select ev_id, ev_retry, ev_type, ev_data"
                               "  from pgq.get_batch_events($1)",
                               {std::to_string(batch)}));
        }
        std::vector<long long> tagged_ids;
        std::vector<std::string> tagged_flags;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            bool tag = tagging && retries[i] < 2 && uni() < 0.03;
            tagged_flags.push_back(tag ? "t" : "f");
            if (tag)
                tagged_ids.push_back(ids[i]);
        }
        if (!ids.empty()) {
            conn->exec("insert into fault.processed"
                       "  (queue, consumer, batch_id, ev_id, ev_retry, ev_type, ev_data, tagged)"
                       " select $1, $2, $3, i, nullif(r, 0), t, d, f"
                       "   from unnest($4::int8[], $5::int4[], $6::text[], $7::text[], $8::bool[])"
                       "        u(i, r, t, d, f)",
                       {queue, name, std::to_string(batch), num_array(ids), num_array(retries),
                        text_array_literal(types), text_array_literal(datas),
                        text_array_literal(tagged_flags)});
        }
        if (!tagged_ids.empty()) {
            Res r = conn->exec("select count(*) filter (where pgq.event_retry($1, i, 1) = 1)"
                               "  from unnest($2::int8[]) i",
                               {std::to_string(batch), num_array(tagged_ids)});
            if (r.as_int(0, 0) != static_cast<long long>(tagged_ids.size()))
                g->violation(queue + "/" + name + ": event_retry accepted " + r.get(0, 0) + " of " +
                             std::to_string(tagged_ids.size()) + " events in batch " +
                             std::to_string(batch));
        }
        conn->exec("insert into fault.batches(queue, consumer, batch_id, prev_tick, cur_tick, nev)"
                   " values ($1, $2, $3, $4, $5, $6)",
                   {queue, name, std::to_string(batch), std::to_string(prev_tick),
                    std::to_string(cur_tick), std::to_string(ids.size())});
        if (dying && uni() < 0.04) {
            expect_batch = batch;
            die();
            return true;
        }
        Res f = conn->exec("select pgq.finish_batch($1)", {std::to_string(batch)});
        if (f.as_int(0, 0) != 1)
            g->violation(queue + "/" + name + ": finish_batch(" + std::to_string(batch) +
                         ") returned " + f.get(0, 0));
        conn->exec("commit");
        ++g->n.batches;
        g->n.deliveries += static_cast<long>(ids.size());
        g->n.retry_tags += static_cast<long>(tagged_ids.size());
        return !ids.empty();
    }
};

// ---------------------------------------------------------------------------
// Monitor: keeps the tick history (rotation deletes ticks), samples who ticks,
// the event tables' size and rotations.

struct Monitor {
    std::unique_ptr<Connection> conn;
    long long max_event_bytes = 0, max_event_rows = 0;
    std::map<std::string, std::string> cur_table;
    std::map<std::string, long> rotations;
    std::string last_holder;
    std::mutex mu;

    void sample()
    {
        conn->exec("insert into fault.tick_log(queue_id, tick_id, tick_time, tick_event_seq,"
                   "                           snap_xmin)"
                   " select tick_queue, tick_id, tick_time, tick_event_seq,"
                   "        txid_snapshot_xmin(tick_snapshot) from pgq.tick"
                   " on conflict do nothing");
        // Whoever ticks (pgq.ticker, or a wake-up tick's insert into
        // pgq.tick) must be the backend that holds the ticker lead.
        const char* leaderless_tickers =
            "select a.application_name, a.pid, a.query_start::text"
            "  from pg_stat_activity a"
            " where a.datname = current_database() and a.pid <> pg_backend_pid()"
            "   and a.state = 'active'"
            "   and (a.query like '%pgq.ticker(%' or a.query like '%insert into pgq.tick %')"
            "   and a.pid is distinct from (select leader_pid from pgq.ticker_leader)";
        Res r = conn->exec(leaderless_tickers);
        ++g->n.concurrency_samples;
        if (r.rows() > 0) {
            // A leader that resigned on its way out may still show its last
            // statement as active for a moment. Only a backend that is still
            // in the same statement a little later ticks without the lead.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            Res again = conn->exec(leaderless_tickers);
            for (int i = 0; i < r.rows(); ++i)
                for (int j = 0; j < again.rows(); ++j)
                    if (again.get(j, 1) == r.get(i, 1) && again.get(j, 2) == r.get(i, 2))
                        g->violation("backend " + r.get(i, 1) + " (" + r.get(i, 0) +
                                     ") ticks without holding the ticker lead");
        }
        Res h = conn->exec("select leader_name from pgq.ticker_leader_info() where leader_alive");
        if (h.rows() == 1) {
            // "<job> on <host> pid <pid>": a new pid is a takeover.
            std::string holder = h.get(0, 0);
            if (!last_holder.empty() && holder != last_holder)
                ++g->n.takeovers;
            last_holder = holder;
        }
        Res s = conn->exec("select coalesce(sum(pg_total_relation_size(c.oid)), 0),"
                           "       (select count(*) from pgq.event_template)"
                           "  from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                           " where n.nspname = 'pgq' and c.relname ~ '^event_[0-9]+(_[0-9]+)?$'");
        Res q = conn->exec("select queue_name, queue_cur_table from pgq.queue");
        std::lock_guard lock(mu);
        max_event_bytes = std::max(max_event_bytes, s.as_int(0, 0));
        max_event_rows = std::max(max_event_rows, s.as_int(0, 1));
        for (int i = 0; i < q.rows(); ++i) {
            auto& known = cur_table[q.get(i, 0)];
            if (!known.empty() && known != q.get(i, 1))
                ++rotations[q.get(i, 0)];
            known = q.get(i, 1);
        }
    }

    void run()
    {
        while (!g->stop_monitor) {
            try {
                if (!conn)
                    conn = connect_retry(g->opt.dsn, "fault-monitor", Clock::now() + 120s);
                sample();
            } catch (const std::exception&) {
                ++g->n.monitor_errors;
                conn.reset();
            }
            nap(250ms, &g->stop_monitor);
        }
    }
};

// ---------------------------------------------------------------------------
// The two ticker daemons and PostgreSQL restarts

struct Ticker {
    int idx;
    fs::path ini, out;
    std::unique_ptr<Process> proc;

    void write_config(double loop_delay)
    {
        std::ofstream f(ini);
        f << "[pgqadm]\n"
          << "job_name = fault_ticker" << idx << "\n"
          << "db = " << g->opt.dsn << "\n"
          << "loop_delay = " << loop_delay << "\n"
          << "maint_delay = 1\n"
          << "retry_delay = 1\n"
          << "queue_refresh_period = 5\n"
          << "connection_lifetime = 15\n"
          << "ticker_log_delay = 10\n"
          << "pidfile = " << (g->opt.workdir / ("ticker" + std::to_string(idx) + ".pid")).string()
          << "\n";
    }
    void start()
    {
        {
            std::ofstream o(out, std::ios::app);
            o << "==== " << now_stamp() << " driver: starting ticker" << idx << "\n";
        }
        proc = std::make_unique<Process>(
            std::vector<std::string>{g->opt.pgqadm, ini.string(), "ticker", "-v"}, out);
        ++g->n.ticker_starts;
    }
    bool running() { return proc && proc->running(); }
    void mark(const std::string& what)
    {
        std::ofstream o(out, std::ios::app);
        o << "==== " << now_stamp() << " driver: " << what << "\n";
    }
};

class Faults {
  public:
    explicit Faults(const std::optional<Cluster>& cluster) : cluster_(cluster) {}

    bool can_restart_pg() const { return cluster_ && !cluster_->pgdata.empty(); }

    /// pg_ctl restart -m fast; the error, or nothing when it worked.
    std::optional<std::string> restart_pg()
    {
        ++g->n.pg_restarts;
        try {
            cluster_->restart();
            return std::nullopt;
        } catch (const std::exception& e) {
            return e.what();
        }
    }

  private:
    std::optional<Cluster> cluster_;
};

// ---------------------------------------------------------------------------
// Setup and final checks

void check_sql(Connection& db, const std::string& what, const std::string& sql,
               const pgqadm::db::Params& params = {})
{
    Res r = db.exec(sql, params);
    if (r.rows() == 0)
        return;
    std::string sample;
    for (int i = 0; i < std::min(r.rows(), 5); ++i) {
        sample += (i ? "; " : "") + r.get(i, 0);
    }
    g->violation(what + ": " + std::to_string(r.rows()) + " rows, e.g. " + sample);
}

void final_checks(Connection& db, const std::vector<std::pair<std::string, std::string>>& consumers)
{
    for (const auto& [q, c] : consumers) {
        std::string who = q + "/" + c;
        // Every committed event has exactly one final (untagged) delivery.
        check_sql(db, who + ": committed events never processed",
                  "select 'ev_id=' || l.ev_id || ' data=' || l.ev_data from fault.ledger l"
                  " where l.queue = $1 and not exists (select 1 from fault.processed p"
                  "   where p.queue = $1 and p.consumer = $2 and p.ev_id = l.ev_id"
                  "     and not p.tagged) order by l.ev_id",
                  {q, c});
        // Deliveries of one event: ev_retry 0..k, the first k tagged, the last not.
        check_sql(db, who + ": events delivered more than once / bad retry chain",
                  "select 'ev_id=' || ev_id || ' deliveries=' || count(*) || ' retries=' ||"
                  "       string_agg(coalesce(ev_retry, 0)::text || case when tagged then 't'"
                  "                  else '' end, ',' order by batch_id)"
                  "  from fault.processed where queue = $1 and consumer = $2"
                  " group by ev_id"
                  " having count(*) <> max(coalesce(ev_retry, 0)) + 1"
                  "     or count(distinct coalesce(ev_retry, 0)) <> count(*)"
                  "     or count(*) filter (where tagged) <> max(coalesce(ev_retry, 0))"
                  "     or count(*) filter (where not tagged) <> 1"
                  "     or max(coalesce(ev_retry, 0)) filter (where not tagged)"
                  "        <> max(coalesce(ev_retry, 0))",
                  {q, c});
        check_sql(db, who + ": retried delivery not in a later batch",
                  "select 'ev_id=' || a.ev_id from fault.processed a join fault.processed b"
                  "    on b.queue = a.queue and b.consumer = a.consumer and b.ev_id = a.ev_id"
                  "   and coalesce(b.ev_retry, 0) = coalesce(a.ev_retry, 0) + 1"
                  " where a.queue = $1 and a.consumer = $2 and b.batch_id <= a.batch_id",
                  {q, c});
        // Nothing uncommitted, rolled back or from another queue.
        check_sql(db, who + ": processed events that were never committed to this queue",
                  "select 'ev_id=' || p.ev_id || ' type=' || coalesce(p.ev_type, '-') ||"
                  "       ' data=' || coalesce(p.ev_data, '-') from fault.processed p"
                  " where p.queue = $1 and p.consumer = $2 and not exists"
                  "   (select 1 from fault.ledger l where l.queue = $1 and l.ev_id = p.ev_id"
                  "       and l.ev_data = p.ev_data)",
                  {q, c});
        check_sql(db, who + ": rolled-back or lost events seen",
                  "select 'ev_id=' || p.ev_id || ' data=' || p.ev_data from fault.processed p"
                  "  join fault.lost x on x.ev_data = p.ev_data"
                  " where p.queue = $1 and p.consumer = $2",
                  {q, c});
        check_sql(db, who + ": events of another queue seen",
                  "select 'ev_id=' || ev_id || ' data=' || ev_data from fault.processed"
                  " where queue = $1 and consumer = $2 and (ev_type = 'rb'"
                  "    or split_part(ev_data, '|', 1) <> $1)",
                  {q, c});
        // Batches chain tick to tick without gaps or overlap.
        check_sql(db, who + ": batches overlap or leave gaps",
                  "select 'batch ' || batch_id || ' prev_tick=' || prev_tick || ' cur_tick=' ||"
                  "       cur_tick || ' previous batch ended at ' || coalesce(last_cur::text, '-')"
                  "  from (select *, lag(cur_tick) over (order by cur_tick, batch_id) last_cur,"
                  "               row_number() over (order by cur_tick, batch_id) rn"
                  "          from fault.batches where queue = $1 and consumer = $2) b"
                  " where cur_tick <= prev_tick or (rn > 1 and prev_tick <> last_cur)",
                  {q, c});
        check_sql(db, who + ": delivery counts differ from batch sizes",
                  "select 'batch ' || b.batch_id || ' nev=' || b.nev || ' rows=' ||"
                  "       (select count(*) from fault.processed p where p.batch_id = b.batch_id)"
                  "  from fault.batches b where b.queue = $1 and b.consumer = $2"
                  "   and b.nev <> (select count(*) from fault.processed p"
                  "                  where p.batch_id = b.batch_id)",
                  {q, c});
        check_sql(
            db, who + ": registration tick is not the first batch's start",
            "select 'first batch starts at tick ' || min(prev_tick) || ', registered at ' ||"
            "       (select reg_tick from fault.registered where queue = $1 and consumer = $2)"
            "  from fault.batches where queue = $1 and consumer = $2"
            " having min(prev_tick) <> (select reg_tick from fault.registered"
            "                            where queue = $1 and consumer = $2)",
            {q, c});
    }
    check_sql(db, "batch ids shared between consumers",
              "select 'batch ' || batch_id from fault.batches group by batch_id"
              " having count(distinct (queue, consumer)) > 1");
    // Ticks: per queue, ids strictly increase with time, event seq and xmin never go back.
    check_sql(db, "ticks out of order (concurrent tickers?)",
              "select 'queue ' || queue_id || ' tick ' || tick_id || ' at ' || tick_time ||"
              "       ' after tick at ' || pt from"
              " (select *, lag(tick_time) over w pt, lag(tick_event_seq) over w ps,"
              "         lag(snap_xmin) over w px"
              "    from fault.tick_log window w as (partition by queue_id order by tick_id)) t"
              " where tick_time <= pt or tick_event_seq < ps or snap_xmin < px");
}

/// Runs a pgqadm command to completion; throws with its stderr if it fails.
void pgqadm_cmd(const std::vector<std::string>& args)
{
    std::vector<std::string> argv{g->opt.pgqadm};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = pgqadm::test::run(argv);
    if (r.exit_code != 0)
        throw std::runtime_error("pgqadm " + args.at(1) + " failed (exit " +
                                 std::to_string(r.exit_code) + "): " + r.err);
}

int usage(const char* msg)
{
    std::cerr << "pgqadm_fault_driver: " << msg
              << "\nusage: pgqadm_fault_driver --seconds N [--seed S] --pgqadm PATH"
                 " --workdir DIR (--cluster-env FILE | --dsn DSN) [--dsn DSN] [--keep-db]\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    signal(SIGPIPE, SIG_IGN);
    // The db wrapper logs server WARNINGs; the driver prints one summary line.
    spdlog::set_level(spdlog::level::err);
    Shared shared;
    g = &shared;
    Options& opt = shared.opt;
    opt.seed = std::random_device{}();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error("missing value for " + a);
            return argv[++i];
        };
        try {
            if (a == "--seconds")
                opt.seconds = std::stoi(value());
            else if (a == "--seed")
                opt.seed = std::stoull(value());
            else if (a == "--dsn")
                opt.dsn = value();
            else if (a == "--pgqadm")
                opt.pgqadm = value();
            else if (a == "--workdir")
                opt.workdir = value();
            else if (a == "--cluster-env")
                opt.cluster_env = value();
            else if (a == "--keep-db")
                opt.keep_db = true;
            else if (a == "--inject-violations")
                opt.inject = true;
            else
                return usage(("unknown argument " + a).c_str());
        } catch (const std::exception& e) {
            return usage(e.what());
        }
    }
    if (opt.cluster_env.empty())
        if (const char* e = std::getenv("PGQADM_TEST_ENV"))
            opt.cluster_env = e;
    if (opt.pgqadm.empty() || opt.workdir.empty() || opt.seconds < 1)
        return usage("--pgqadm, --workdir and --seconds are required");
    if (opt.dsn.empty() && opt.cluster_env.empty())
        return usage("need --cluster-env (or PGQADM_TEST_ENV) or --dsn");

    std::cout << "fault driver: seed=" << opt.seed << " seconds=" << opt.seconds << std::endl;
    std::mt19937_64 rng(opt.seed);
    auto uni = [&] { return std::uniform_real_distribution<double>(0, 1)(rng); };
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

    std::optional<Cluster> cluster;
    std::string created_db, admin_dsn;
    try {
        fs::create_directories(opt.workdir);
        fs::permissions(opt.workdir, fs::perms::all);
        if (!opt.cluster_env.empty()) {
            cluster = Cluster::from_env_file(opt.cluster_env);
            admin_dsn = cluster->conninfo("postgres");
        }
        if (opt.dsn.empty()) {
            created_db = "pgqadm_fault_" + std::to_string(getpid()) + "_" +
                         std::to_string(opt.seed % 100000);
            Connection admin = open_db(admin_dsn, "fault-setup");
            admin.exec("drop database if exists " + admin.quote_ident(created_db));
            admin.exec("create database " + admin.quote_ident(created_db));
            opt.dsn = cluster->conninfo(created_db);
        }
    } catch (const std::exception& e) {
        std::cerr << "fault driver: setup failed: " << e.what() << "\n";
        return 2;
    }

    // --- schema, queues, consumers -------------------------------------------
    std::vector<Ticker> tickers(2);
    for (int i = 0; i < 2; ++i) {
        tickers[static_cast<std::size_t>(i)].idx = i;
        tickers[static_cast<std::size_t>(i)].ini =
            opt.workdir / ("ticker" + std::to_string(i) + ".ini");
        tickers[static_cast<std::size_t>(i)].out =
            opt.workdir / ("ticker" + std::to_string(i) + ".log");
        std::error_code ec;
        fs::remove(tickers[static_cast<std::size_t>(i)].out, ec);
        fs::remove(opt.workdir / ("ticker" + std::to_string(i) + ".pid"), ec);
        tickers[static_cast<std::size_t>(i)].write_config(0.2);
    }
    std::vector<std::pair<std::string, std::string>> consumers;
    for (int i = 0; i < opt.queues; ++i)
        shared.queue_names.push_back(std::string("fault_q") + static_cast<char>('a' + i));
    std::unique_ptr<Connection> db;
    try {
        auto ini = tickers[0].ini.string();
        pgqadm_cmd({ini, "install"});
        db = std::make_unique<Connection>(open_db(opt.dsn, "fault-driver"));
        db->exec(R"(
            drop schema if exists fault cascade;
            create schema fault;
            create table fault.ledger (queue text, ev_id bigint, ev_data text, producer int,
                                       via text, primary key (queue, ev_id));
            create table fault.processed (queue text, consumer text, batch_id bigint,
                                          ev_id bigint, ev_retry int, ev_type text,
                                          ev_data text, tagged bool);
            create index on fault.processed (queue, consumer, ev_id);
            create index on fault.processed (batch_id);
            create table fault.batches (queue text, consumer text, batch_id bigint, prev_tick bigint,
                                        cur_tick bigint, nev int);
            create table fault.tick_log (queue_id int, tick_id bigint, tick_time timestamptz,
                                         tick_event_seq bigint, snap_xmin bigint,
                                         primary key (queue_id, tick_id));
            create table fault.lost (ev_data text);
            create table fault.registered (queue text, consumer text, reg_tick bigint);
        )");
        for (const auto& q : shared.queue_names) {
            pgqadm_cmd({ini, "create", q});
            for (const char* c : {"c1", "c2"}) {
                pgqadm_cmd({ini, "register", q, c});
                consumers.emplace_back(q, c);
            }
            db->exec("select pgq.set_queue_config($1, 'rotation_period', '3 seconds'),"
                     "       pgq.set_queue_config($1, 'ticker_max_lag', '0.5 seconds'),"
                     "       pgq.set_queue_config($1, 'ticker_idle_period', '2 seconds'),"
                     "       pgq.set_queue_config($1, 'ticker_max_count', '200')",
                     {q});
            // The first queue's producers wake the ticker at commit, so the
            // faults also hit the wake-up path.
            if (q == shared.queue_names.front())
                db->exec("select pgq.set_queue_config($1, 'ticker_notify', 'on')", {q});
        }
        db->exec("insert into fault.registered"
                 " select q.queue_name, c.co_name, s.sub_last_tick from pgq.subscription s"
                 "   join pgq.queue q on q.queue_id = s.sub_queue"
                 "   join pgq.consumer c on c.co_id = s.sub_consumer");
    } catch (const std::exception& e) {
        std::cerr << "fault driver: setup failed: " << e.what() << "\n";
        return 2;
    }

    // --- start everything ----------------------------------------------------
    Faults faults(cluster);
    Monitor monitor;
    std::thread monitor_thread([&] { monitor.run(); });
    tickers[0].start();
    bool ticking = wait_until(
        [&] {
            try {
                return db->exec("select count(*) from pgq.tick").as_int(0, 0) >
                       static_cast<long long>(shared.queue_names.size());
            } catch (const DbError&) {
                return false;
            }
        },
        30s);
    if (!ticking)
        shared.violation("the first ticker produced no tick within 30 s");
    tickers[1].start();
    if (!wait_until(
            [&] { return read_file(tickers[1].out).find("standing by") != std::string::npos; },
            30s))
        shared.violation("the second ticker did not report standing by within 30 s");

    std::vector<std::unique_ptr<Producer>> producers;
    for (int i = 0; i <= opt.producers; ++i) {
        auto p = std::make_unique<Producer>();
        p->idx = i;
        p->holder = i == opt.producers;
        p->rng.seed(opt.seed * 1000003 + static_cast<std::uint64_t>(i));
        producers.push_back(std::move(p));
    }
    std::vector<std::unique_ptr<Consumer>> cons;
    for (std::size_t i = 0; i < consumers.size(); ++i) {
        auto c = std::make_unique<Consumer>();
        c->queue = consumers[i].first;
        c->name = consumers[i].second;
        c->rng.seed(opt.seed * 7919 + 17 * i);
        cons.push_back(std::move(c));
    }
    note("setup done, running with faults for " + std::to_string(opt.seconds) + " s");
    std::vector<std::thread> producer_threads, consumer_threads;
    for (auto& p : producers)
        producer_threads.emplace_back([&p] { p->run(); });
    for (auto& c : cons)
        consumer_threads.emplace_back([&c] { c->run(); });

    // --- the fault loop ------------------------------------------------------
    auto end = Clock::now() + std::chrono::seconds(opt.seconds);
    auto last_pg_restart = Clock::now();
    auto check_tickers = [&](const char* phase) {
        for (auto& t : tickers) {
            if (t.proc && !t.running()) {
                shared.violation(std::string("ticker") + std::to_string(t.idx) +
                                 " exited on its own with code " +
                                 std::to_string(t.proc->exit_code().value_or(-1)) + " (" + phase +
                                 "), see " + t.out.string());
                t.start();
            }
        }
    };
    if (!faults.can_restart_pg())
        note("no PGDATA/PGBIN in the env file: PostgreSQL restarts disabled");
    while (Clock::now() < end) {
        nap(std::chrono::milliseconds(pick(400, 2500)));
        check_tickers("fault loop");
        if (Clock::now() >= end)
            break;
        double r = uni();
        Ticker& t = tickers[static_cast<std::size_t>(pick(0, 1))];
        bool pg_due = faults.can_restart_pg() && Clock::now() - last_pg_restart > 10s;
        if (r < 0.35 && pg_due) {
            note("fault: pg_ctl restart -m fast");
            if (auto error = faults.restart_pg()) {
                shared.violation(*error);
                break;
            }
            last_pg_restart = Clock::now();
        } else if (r < 0.45) {
            t.mark("SIGKILL");
            t.proc->signal(SIGKILL);
            if (t.proc->wait(10s) != 128 + SIGKILL)
                shared.violation("ticker did not die from SIGKILL");
            ++shared.n.ticker_kills;
            nap(std::chrono::milliseconds(pick(0, 1500)));
            t.start();
        } else if (r < 0.7) {
            t.mark("SIGINT");
            t.proc->signal(SIGINT);
            ++shared.n.ticker_sigints;
            auto st = t.proc->wait(30s);
            if (!st) {
                shared.violation("ticker" + std::to_string(t.idx) +
                                 " did not stop within 30 s of SIGINT");
                t.proc->signal(SIGKILL);
                t.proc->wait(10s);
            } else if (*st != 0) {
                shared.violation("ticker" + std::to_string(t.idx) + " exited with " +
                                 std::to_string(*st) + " after SIGINT");
            }
            nap(std::chrono::milliseconds(pick(0, 1000)));
            t.start();
        } else {
            double delays[] = {0.1, 0.2, 0.3, 0.5};
            t.write_config(delays[pick(0, 3)]);
            t.mark("SIGHUP");
            t.proc->signal(SIGHUP);
            ++shared.n.ticker_sighups;
        }
    }

    // --- drain with the faults off -------------------------------------------
    note("drain: faults off, stopping producers");
    shared.dying = false;
    shared.tagging = false;
    bool drained = true;
    auto drain_fail = [&](const std::string& what) {
        shared.violation("drain: " + what);
        drained = false;
    };
    shared.stop_producers = true;
    for (auto& t : producer_threads)
        t.join();
    check_tickers("drain");
    // Every consumer starts a fresh iteration, so no batch still tags events.
    std::vector<long> seen;
    for (auto& c : cons)
        seen.push_back(c->iterations.load());
    if (!wait_until(
            [&] {
                for (std::size_t i = 0; i < cons.size(); ++i)
                    if (cons[i]->iterations.load() < seen[i] + 2)
                        return false;
                return true;
            },
            60s))
        drain_fail("consumers stopped iterating");
    std::string drain_txid;
    std::map<std::string, long long> target;
    try {
        db = connect_retry(opt.dsn, "fault-driver", Clock::now() + 60s);
        if (!wait_until(
                [&] { return db->exec("select count(*) from pgq.retry_queue").as_int(0, 0) == 0; },
                60s))
            drain_fail("the retry queue was never emptied by the ticker's maintenance");
        drain_txid = db->exec("select txid_current()").get(0, 0);
        note("drain: retry queue empty, waiting for ticks past txid " + drain_txid);
        for (const auto& q : shared.queue_names) {
            auto find_tick = [&] {
                Res r = db->exec("select min(t.tick_id) from pgq.tick t join pgq.queue q"
                                 "    on q.queue_id = t.tick_queue"
                                 " where q.queue_name = $1"
                                 "   and txid_snapshot_xmin(t.tick_snapshot) > $2::int8",
                                 {q, drain_txid});
                if (r.is_null(0, 0))
                    return false;
                target[q] = r.as_int(0, 0);
                return true;
            };
            if (!wait_until(find_tick, 10s)) {
                db->exec("select pgq.force_tick($1)", {q});
                if (!wait_until(find_tick, 30s))
                    drain_fail("queue " + q + " got no tick after the producers stopped");
            }
        }
        note("drain: waiting for the consumers to reach the final ticks");
        for (const auto& [q, c] : consumers) {
            if (!target.count(q))
                continue;
            bool ok = wait_until(
                [&, q = q, c = c] {
                    Res r = db->exec(
                        "select s.sub_last_tick >= $3::int8 and s.sub_batch is null"
                        "  from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue"
                        "  join pgq.consumer c on c.co_id = s.sub_consumer"
                        " where q.queue_name = $1 and c.co_name = $2",
                        {q, c, std::to_string(target[q])});
                    return r.rows() == 1 && r.get(0, 0) == "t";
                },
                90s);
            if (!ok)
                drain_fail(q + "/" + c + " did not catch up with tick " +
                           std::to_string(target[q]));
        }
    } catch (const std::exception& e) {
        drain_fail(std::string("error: ") + e.what());
    }
    note("drain: done, stopping consumers and tickers");
    shared.stop_consumers = true;
    for (auto& t : consumer_threads)
        t.join();
    shared.stop_monitor = true;
    monitor_thread.join();
    try {
        monitor.conn = connect_retry(opt.dsn, "fault-monitor", Clock::now() + 30s);
        monitor.sample();
    } catch (const std::exception& e) {
        shared.violation(std::string("final monitor sample failed: ") + e.what());
    }
    for (auto& t : tickers) {
        if (!t.running()) {
            shared.violation("ticker" + std::to_string(t.idx) + " was not running at the end");
            continue;
        }
        t.mark("final SIGINT");
        t.proc->signal(SIGINT);
        auto st = t.proc->wait(30s);
        if (st != 0)
            shared.violation("ticker" + std::to_string(t.idx) + " final SIGINT: exit " +
                             (st ? std::to_string(*st) : std::string("timeout")));
    }

    note("checking");
    // --- checks --------------------------------------------------------------
    long standby_lines = 0, takeover_lines = 0, crit_lines = 0;
    for (auto& t : tickers) {
        std::string log = read_file(t.out);
        standby_lines += count_of(log, "standing by");
        takeover_lines += count_of(log, "Took over the ticker lock");
        crit_lines += count_of(log, "crashed");
    }
    if (standby_lines == 0)
        shared.violation("no ticker ever logged that it was standing by");
    if (crit_lines)
        shared.violation("ticker logs contain " + std::to_string(crit_lines) + " 'crashed' lines");
    long long ledger = 0, processed = 0, final_bytes = 0, final_rows = 0, ticks = 0, tick_gaps = 0;
    try {
        std::lock_guard lock(shared.mu);
        std::string lost = text_array_literal(shared.lost_tags);
        db->exec("insert into fault.lost select unnest($1::text[])", {lost});
    } catch (const std::exception& e) {
        shared.violation(std::string("could not store lost events: ") + e.what());
    }
    try {
        if (opt.inject) {
            // Self-test of the checks: lose one delivery, duplicate another,
            // deliver a rolled-back event and break the batch chain.
            db->exec("delete from fault.processed where ctid = (select ctid from fault.processed"
                     " where not tagged order by batch_id, ev_id limit 1)");
            db->exec("insert into fault.processed select * from fault.processed"
                     " where not tagged order by batch_id desc, ev_id limit 1");
            db->exec("insert into fault.processed (queue, consumer, batch_id, ev_id, ev_type,"
                     "   ev_data, tagged) select p.queue, p.consumer, p.batch_id, -1, 'rb',"
                     "   x.ev_data, false from fault.processed p, fault.lost x limit 1");
            db->exec("update fault.batches set prev_tick = prev_tick - 1"
                     " where batch_id = (select max(batch_id) from fault.batches)");
        }
        final_checks(*db, consumers);
        ledger = db->exec("select count(*) from fault.ledger").as_int(0, 0);
        processed = db->exec("select count(*) from fault.processed").as_int(0, 0);
        Res s = db->exec("select coalesce(sum(pg_total_relation_size(c.oid)), 0),"
                         "       (select count(*) from pgq.event_template)"
                         "  from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                         " where n.nspname = 'pgq' and c.relname ~ '^event_[0-9]+(_[0-9]+)?$'");
        final_bytes = s.as_int(0, 0);
        final_rows = s.as_int(0, 1);
        Res t = db->exec("select count(*), coalesce(sum(gap), 0) from"
                         " (select tick_id - lag(tick_id) over (partition by queue_id"
                         "                                      order by tick_id) - 1 gap"
                         "    from fault.tick_log) x");
        ticks = t.as_int(0, 0);
        tick_gaps = t.as_int(0, 1);
    } catch (const std::exception& e) {
        shared.violation(std::string("final checks failed to run: ") + e.what());
    }
    long rotations = 0;
    for (const auto& q : shared.queue_names) {
        rotations += monitor.rotations[q];
        if (opt.seconds >= 30 && monitor.rotations[q] == 0)
            shared.violation("queue " + q + " never rotated its event tables");
    }
    if (ledger == 0)
        shared.violation("no event was committed at all");
    if (!drained)
        note("drain incomplete: the exactly-once counts above include the undrained tail");

    std::ostringstream sum;
    sum << "fault summary: seed=" << opt.seed << " seconds=" << opt.seconds
        << " queues=" << shared.queue_names.size() << " consumers=" << consumers.size()
        << " events=" << ledger << " (copy " << shared.n.events_copy << ")"
        << " txs=" << shared.n.txs_committed << " rolled_back=" << shared.n.txs_rolled_back
        << " lost_in_faults=" << shared.n.txs_lost
        << " ambiguous_commits=" << shared.n.txs_ambiguous << " held_open=" << shared.n.txs_held
        << " multi_queue=" << shared.n.txs_multi_queue << " deliveries=" << processed
        << " batches=" << shared.n.batches << " cursor_batches=" << shared.n.cursor_batches
        << " retries=" << shared.n.retry_tags << " consumer_deaths=" << shared.n.consumer_deaths
        << " ticker_kills=" << shared.n.ticker_kills << " sigint=" << shared.n.ticker_sigints
        << " sighup=" << shared.n.ticker_sighups << " ticker_starts=" << shared.n.ticker_starts
        << " pg_restarts=" << shared.n.pg_restarts << " takeovers=" << shared.n.takeovers
        << " standby_lines=" << standby_lines << " takeover_lines=" << takeover_lines
        << " ticks=" << ticks << " tick_id_gaps=" << tick_gaps << " rotations=" << rotations
        << " event_tables_max=" << monitor.max_event_bytes / 1024 << "kB/" << monitor.max_event_rows
        << "rows final=" << final_bytes / 1024 << "kB/" << final_rows
        << "rows errors(p/c/m)=" << shared.n.producer_errors << "/" << shared.n.consumer_errors
        << "/" << shared.n.monitor_errors << " violations=" << shared.violation_count();
    std::cout << sum.str() << std::endl;
    if (shared.violation_count() > 0) {
        std::cout << "FAILED: " << shared.violation_count()
                  << " violation(s); reproduce with --seed " << opt.seed << "; database "
                  << (created_db.empty() ? opt.dsn : created_db) << " kept, logs in "
                  << opt.workdir.string() << std::endl;
        for (const auto& v : shared.violations)
            std::cout << "  " << v << std::endl;
        return 1;
    }
    if (!created_db.empty() && !opt.keep_db) {
        try {
            db.reset();
            Connection admin = open_db(admin_dsn, "fault-setup");
            admin.exec("drop database if exists " + admin.quote_ident(created_db) +
                       " with (force)");
        } catch (const std::exception& e) {
            std::cerr << "could not drop " << created_db << ": " << e.what() << "\n";
        }
    }
    std::cout << "PASSED seed=" << opt.seed << std::endl;
    return 0;
}
