// pgqbench: small consumer/producer client used by bench/run.sh, on the
// project's database wrapper (db::Connection).
//
//   pgqbench consume DSN QUEUE CONSUMER events|cursor
//       Read every batch that is ready (next_batch .. finish_batch) until
//       next_batch returns NULL.  Prints: "<events> <seconds> <batches>".
//   pgqbench latency DSN QUEUE CONSUMER SECONDS RATE POLL_MS
//       A producer thread inserts RATE events/s (ev_data = clock_timestamp()
//       at insert, server clock); the main thread polls next_batch every
//       POLL_MS when there is no batch and computes, on the server,
//       clock_timestamp() - ev_data at receive.  Prints:
//       "<n> <p50_ms> <p95_ms> <p99_ms> <max_ms> <sent>".
//       POLL_MS "listen": LISTEN on the queue's tick channel
//       (pgq.tick_channel(), our schema) and wait for a tick instead.
//   pgqbench follow DSN QUEUE CONSUMER SECONDS POLL_MS
//       Consume continuously for SECONDS (bloat test).  Prints "<events>".
//
// Build: the CMake target pgqbench (bench/run.sh builds it).
#include "pgqadm/db/connection.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <poll.h>
#include <string>
#include <thread>
#include <vector>

namespace {

using pgqadm::db::Connection;
using pgqadm::db::Result;
using pgqadm::db::Transaction;
using Clock = std::chrono::steady_clock;

struct Usage {
    std::string text;
};

Connection connect(const std::string& dsn)
{
    // application_name=pgqbench: run.sh leaves these backends out of the
    // daemon's CPU figures.
    return Connection::open(dsn, "pgqbench");
}

/// The batch id, or nothing when no batch is ready.
std::optional<std::string> next_batch(Connection& c, const std::string& q, const std::string& cons)
{
    Result r = c.exec("select pgq.next_batch($1, $2)", {q, cons});
    if (r.rows() != 1 || r.is_null(0, 0))
        return std::nullopt;
    return r.get(0, 0);
}

void finish_batch(Connection& c, const std::string& batch)
{
    c.exec("select pgq.finish_batch($1)", {batch});
}

/// Reads every value, as a consumer would.
long touch(const Result& r)
{
    long bytes = 0;
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.columns(); ++j)
            bytes += static_cast<long>(r.text(i, j).size());
    return bytes;
}

int cmd_consume(const std::vector<std::string>& args)
{
    if (args.size() < 6)
        throw Usage{"consume DSN QUEUE CONSUMER events|cursor"};
    Connection c = connect(args[2]);
    const std::string& q = args[3];
    const std::string& cons = args[4];
    bool cursor = args[5] == "cursor";
    long events = 0, batches = 0, bytes = 0;
    auto t0 = Clock::now();
    while (auto b = next_batch(c, q, cons)) {
        ++batches;
        if (!cursor) {
            Result r = c.exec("select * from pgq.get_batch_events($1)", {*b});
            events += r.rows();
            bytes += touch(r);
        } else {
            Transaction tx(c);
            {
                Result r = c.exec("select * from pgq.get_batch_cursor($1, 'bench_cur', 300)", {*b});
                events += r.rows();
                bytes += touch(r);
            }
            while (true) {
                Result r = c.exec("fetch 300 from bench_cur");
                if (r.rows() == 0)
                    break;
                events += r.rows();
                bytes += touch(r);
            }
            c.exec("close bench_cur");
            tx.commit();
        }
        finish_batch(c, *b);
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("%ld %.6f %ld\n", events, secs, batches);
    if (bytes < 0)
        std::printf("?\n");
    return 0;
}

double pct(std::vector<double>& v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    // nearest-rank
    std::size_t k = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * v.size())));
    return v[std::min(k, v.size()) - 1];
}

int cmd_latency(const std::vector<std::string>& args)
{
    if (args.size() < 8)
        throw Usage{"latency DSN QUEUE CONSUMER SECONDS RATE POLL_MS"};
    const std::string& dsn = args[2];
    const std::string& q = args[3];
    const std::string& cons = args[4];
    double seconds = std::atof(args[5].c_str());
    double rate = std::atof(args[6].c_str());
    bool listen = args[7] == "listen";
    double poll_ms = listen ? 0 : std::atof(args[7].c_str());
    Connection c = connect(dsn);
    if (listen) {
        Result ch = c.exec("select pgq.tick_channel($1)", {q});
        c.exec("listen " + c.quote_ident(ch.get(0, 0)));
    }
    // drain whatever is ready so only this run's events count
    while (auto b = next_batch(c, q, cons))
        finish_batch(c, *b);

    std::atomic<long> sent{0};
    std::atomic<bool> producer_done{false};
    std::exception_ptr producer_error;
    std::thread producer([&] {
        try {
            Connection p = connect(dsn);
            auto start = Clock::now();
            auto period = std::chrono::duration<double>(1.0 / rate);
            long i = 0;
            while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
                p.exec("select pgq.insert_event($1, 'lat', clock_timestamp()::text)", {q});
                ++sent;
                ++i;
                std::this_thread::sleep_until(
                    start + std::chrono::duration_cast<Clock::duration>(period * i));
            }
        } catch (...) {
            producer_error = std::current_exception();
        }
        producer_done = true;
    });

    std::vector<double> lat;
    auto deadline_after_done = Clock::time_point::max();
    try {
        while (true) {
            if (producer_done && deadline_after_done == Clock::time_point::max())
                deadline_after_done = Clock::now() + std::chrono::seconds(15);
            if (producer_done &&
                (static_cast<long>(lat.size()) >= sent || Clock::now() > deadline_after_done))
                break;
            auto b = next_batch(c, q, cons);
            if (!b && listen) {
                // a tick since next_batch, or 100 ms (to notice the end)
                if (c.notifications().empty()) {
                    pollfd fd{c.socket(), POLLIN, 0};
                    ::poll(&fd, 1, 100);
                    c.notifications();
                }
                continue;
            }
            if (!b) {
                std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(poll_ms));
                continue;
            }
            Result r = c.exec("select extract(epoch from clock_timestamp() - ev_data::timestamptz)"
                              "  from pgq.get_batch_events($1) where ev_type = 'lat'",
                              {*b});
            for (int i = 0; i < r.rows(); ++i)
                lat.push_back(r.as_double(i, 0) * 1000.0);
            finish_batch(c, *b);
        }
    } catch (...) {
        producer.join();
        throw;
    }
    producer.join();
    if (producer_error)
        std::rethrow_exception(producer_error);
    double mx = lat.empty() ? -1 : *std::max_element(lat.begin(), lat.end());
    double p50 = pct(lat, 50), p95 = pct(lat, 95), p99 = pct(lat, 99);
    std::printf("%zu %.3f %.3f %.3f %.3f %ld\n", lat.size(), p50, p95, p99, mx, sent.load());
    return 0;
}

int cmd_follow(const std::vector<std::string>& args)
{
    if (args.size() < 7)
        throw Usage{"follow DSN QUEUE CONSUMER SECONDS POLL_MS"};
    Connection c = connect(args[2]);
    const std::string& q = args[3];
    const std::string& cons = args[4];
    double seconds = std::atof(args[5].c_str());
    double poll_ms = std::atof(args[6].c_str());
    long events = 0;
    auto t0 = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
        auto b = next_batch(c, q, cons);
        if (!b) {
            std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(poll_ms));
            continue;
        }
        Result r = c.exec("select * from pgq.get_batch_events($1)", {*b});
        events += r.rows();
        finish_batch(c, *b);
    }
    std::printf("%ld\n", events);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv, argv + argc);
    try {
        std::string cmd = args.size() > 1 ? args[1] : "";
        if (cmd == "consume")
            return cmd_consume(args);
        if (cmd == "latency")
            return cmd_latency(args);
        if (cmd == "follow")
            return cmd_follow(args);
        if (!cmd.empty())
            std::fprintf(stderr, "pgqbench: unknown command %s\n", cmd.c_str());
        throw Usage{"consume|latency|follow ..."};
    } catch (const Usage& u) {
        std::fprintf(stderr, "pgqbench: usage: pgqbench %s\n", u.text.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pgqbench: %s\n", e.what());
    }
    return 1;
}
