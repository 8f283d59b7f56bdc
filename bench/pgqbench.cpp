// pgqbench: small libpq client used by bench/run.sh.
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
//   pgqbench follow DSN QUEUE CONSUMER SECONDS POLL_MS
//       Consume continuously for SECONDS (bloat test).  Prints "<events>".
//
// Build: g++ -O2 -std=c++20 -I$(pg_config --includedir) pgqbench.cpp -lpq -lpthread
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& msg)
{
    std::fprintf(stderr, "pgqbench: %s\n", msg.c_str());
    std::exit(1);
}

PGconn* connect(const char* dsn)
{
    std::string full = std::string(dsn) + " application_name=pgqbench";
    PGconn* c = PQconnectdb(full.c_str());
    if (PQstatus(c) != CONNECTION_OK)
        die(std::string("connect: ") + PQerrorMessage(c));
    return c;
}

struct Res {
    PGresult* r;
    explicit Res(PGresult* p) : r(p) {}
    ~Res() { PQclear(r); }
    Res(const Res&) = delete;
    Res& operator=(const Res&) = delete;
};

PGresult* run(PGconn* c, const char* sql, std::vector<const char*> params = {})
{
    PGresult* r = PQexecParams(c, sql, static_cast<int>(params.size()), nullptr, params.data(),
                               nullptr, nullptr, 0);
    auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        die(std::string(sql) + ": " + PQerrorMessage(c));
    return r;
}

// Returns the batch id or "" when there is none.
std::string next_batch(PGconn* c, const char* q, const char* cons)
{
    Res r(run(c, "select pgq.next_batch($1, $2)", {q, cons}));
    if (PQntuples(r.r) != 1 || PQgetisnull(r.r, 0, 0))
        return "";
    return PQgetvalue(r.r, 0, 0);
}

void finish_batch(PGconn* c, const std::string& batch)
{
    Res r(run(c, "select pgq.finish_batch($1)", {batch.c_str()}));
}

long touch(PGresult* r)
{
    long bytes = 0;
    int n = PQntuples(r), f = PQnfields(r);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < f; ++j)
            bytes += PQgetlength(r, i, j);
    return bytes;
}

int cmd_consume(int argc, char** argv)
{
    if (argc < 6)
        die("usage: consume DSN QUEUE CONSUMER events|cursor");
    PGconn* c = connect(argv[2]);
    const char* q = argv[3];
    const char* cons = argv[4];
    bool cursor = std::strcmp(argv[5], "cursor") == 0;
    long events = 0, batches = 0, bytes = 0;
    auto t0 = Clock::now();
    while (true) {
        std::string b = next_batch(c, q, cons);
        if (b.empty())
            break;
        ++batches;
        if (!cursor) {
            Res r(run(c, "select * from pgq.get_batch_events($1)", {b.c_str()}));
            events += PQntuples(r.r);
            bytes += touch(r.r);
        } else {
            Res(run(c, "begin"));
            {
                Res r(run(c, "select * from pgq.get_batch_cursor($1, 'bench_cur', 300)",
                          {b.c_str()}));
                events += PQntuples(r.r);
                bytes += touch(r.r);
            }
            while (true) {
                Res r(run(c, "fetch 300 from bench_cur"));
                if (PQntuples(r.r) == 0)
                    break;
                events += PQntuples(r.r);
                bytes += touch(r.r);
            }
            Res(run(c, "close bench_cur"));
            Res(run(c, "commit"));
        }
        finish_batch(c, b);
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("%ld %.6f %ld\n", events, secs, batches);
    if (bytes < 0)
        std::printf("?\n");
    PQfinish(c);
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

int cmd_latency(int argc, char** argv)
{
    if (argc < 8)
        die("usage: latency DSN QUEUE CONSUMER SECONDS RATE POLL_MS");
    const char* dsn = argv[2];
    const char* q = argv[3];
    const char* cons = argv[4];
    double seconds = std::atof(argv[5]);
    double rate = std::atof(argv[6]);
    double poll_ms = std::atof(argv[7]);
    PGconn* c = connect(dsn);
    // drain whatever is ready so only this run's events count
    for (std::string b; !(b = next_batch(c, q, cons)).empty();)
        finish_batch(c, b);

    std::atomic<long> sent{0};
    std::atomic<bool> producer_done{false};
    std::thread producer([&] {
        PGconn* p = connect(dsn);
        auto start = Clock::now();
        auto period = std::chrono::duration<double>(1.0 / rate);
        long i = 0;
        while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
            Res r(run(p, "select pgq.insert_event($1, 'lat', clock_timestamp()::text)", {q}));
            ++sent;
            ++i;
            std::this_thread::sleep_until(start +
                                          std::chrono::duration_cast<Clock::duration>(period * i));
        }
        PQfinish(p);
        producer_done = true;
    });

    std::vector<double> lat;
    auto deadline_after_done = Clock::time_point::max();
    while (true) {
        if (producer_done && deadline_after_done == Clock::time_point::max())
            deadline_after_done = Clock::now() + std::chrono::seconds(15);
        if (producer_done &&
            (static_cast<long>(lat.size()) >= sent || Clock::now() > deadline_after_done))
            break;
        std::string b = next_batch(c, q, cons);
        if (b.empty()) {
            std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(poll_ms));
            continue;
        }
        Res r(run(c,
                  "select extract(epoch from clock_timestamp() - ev_data::timestamptz)"
                  "  from pgq.get_batch_events($1) where ev_type = 'lat'",
                  {b.c_str()}));
        for (int i = 0; i < PQntuples(r.r); ++i)
            lat.push_back(std::atof(PQgetvalue(r.r, i, 0)) * 1000.0);
        finish_batch(c, b);
    }
    producer.join();
    double mx = lat.empty() ? -1 : *std::max_element(lat.begin(), lat.end());
    double p50 = pct(lat, 50), p95 = pct(lat, 95), p99 = pct(lat, 99);
    std::printf("%zu %.3f %.3f %.3f %.3f %ld\n", lat.size(), p50, p95, p99, mx, sent.load());
    PQfinish(c);
    return 0;
}

int cmd_follow(int argc, char** argv)
{
    if (argc < 7)
        die("usage: follow DSN QUEUE CONSUMER SECONDS POLL_MS");
    PGconn* c = connect(argv[2]);
    const char* q = argv[3];
    const char* cons = argv[4];
    double seconds = std::atof(argv[5]);
    double poll_ms = std::atof(argv[6]);
    long events = 0;
    auto t0 = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
        std::string b = next_batch(c, q, cons);
        if (b.empty()) {
            std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(poll_ms));
            continue;
        }
        Res r(run(c, "select * from pgq.get_batch_events($1)", {b.c_str()}));
        events += PQntuples(r.r);
        finish_batch(c, b);
    }
    std::printf("%ld\n", events);
    PQfinish(c);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        die("usage: pgqbench consume|latency|follow ...");
    std::string cmd = argv[1];
    if (cmd == "consume")
        return cmd_consume(argc, argv);
    if (cmd == "latency")
        return cmd_latency(argc, argv);
    if (cmd == "follow")
        return cmd_follow(argc, argv);
    die("unknown command " + cmd);
}
