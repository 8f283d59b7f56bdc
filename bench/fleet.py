#!/usr/bin/python3
"""Helper of bench/fleet.sh: samples, producer, tick look-ups, failover timing
and the report. Everything it opens is a psycopg2 connection with
application_name 'fleetbench', which the samples leave out.

  fleet.py sample   --dsn B --pid P --postmaster P --seconds S   -> key=value lines
  fleet.py conns    --dsn B [--count N --timeout S]              -> daemon connection count (waits)
  fleet.py leaders  --dsn B --count N --timeout S                -> waits until N databases have a lead
  fleet.py load     --dsn B --dbs a,b --seconds S                -> producer (runs S seconds)
  fleet.py ticks    --dsn B --dbs a,b --since T0 [--until T1]    -> db first_tick_after_T0 ticks_T0_to_T1
  fleet.py idle-period --dsn B --dbs a,b --value V               -> ticker_idle_period of every queue
  fleet.py firsttick --dsn B --db D --since EPOCH --timeout S    -> epoch of the first tick after
  fleet.py failover --dsn B --count N --kill PID --timeout S     -> kill the leader, time the take-over
  fleet.py report   --raw R --out RESULTS.md ...                 -> table, section in RESULTS.md
"""
import argparse
import os
import signal
import statistics
import sys
import time
from collections import defaultdict

APP = "fleetbench"
CLK = os.sysconf("SC_CLK_TCK")


def connect(dsn, db):
    import psycopg2

    c = psycopg2.connect(f"{dsn} dbname={db} application_name={APP}")
    c.autocommit = True
    return c


def proc_ticks(pid, children=False):
    """utime+stime (+ cutime+cstime) of a process, all threads, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2 :].split()
    t = int(fields[11]) + int(fields[12])
    if children:
        t += int(fields[13]) + int(fields[14])
    return t


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "Threads"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def children_of(ppid):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        if int(s[s.rindex(")") + 2 :].split()[1]) == ppid:
            pids.append(int(d))
    return pids


DAEMON_BACKENDS = (
    "select pid from pg_catalog.pg_stat_activity where backend_type = 'client backend'"
    " and application_name <> %s"
)


def daemon_backends(cur):
    cur.execute(DAEMON_BACKENDS, (APP,))
    return [r[0] for r in cur.fetchall()]


def cmd_sample(a):
    """One window: daemon CPU/RSS/threads, its backends' CPU and count, whole server CPU."""
    conn = connect(a.dsn, "postgres")
    cur = conn.cursor()
    d0 = proc_ticks(a.pid)
    # whole server: postmaster incl. reaped children + live children
    srv0 = {p: proc_ticks(p) for p in children_of(a.postmaster)}
    pm0 = proc_ticks(a.postmaster, children=True)
    first = {}  # backend pid -> ticks when first seen (0 when born inside the window)
    last = {}
    counts, rss, threads = [], [], []
    t0 = time.time()
    start = True
    while True:
        for p in daemon_backends(cur):
            t = proc_ticks(p)
            if t is None:
                continue
            if p not in first:
                first[p] = t if start else 0
            last[p] = t
        counts.append(len(daemon_backends(cur)))
        st = proc_status(a.pid)
        rss.append(st.get("VmRSS", 0))
        threads.append(st.get("Threads", 0))
        start = False
        if time.time() - t0 >= a.seconds:
            break
        time.sleep(max(0.0, min(1.0, t0 + a.seconds - time.time())))
    el = time.time() - t0
    d1 = proc_ticks(a.pid)
    pm1 = proc_ticks(a.postmaster, children=True)
    srv1 = {p: proc_ticks(p) for p in children_of(a.postmaster)}
    srv = pm1 - pm0
    for p, t in srv1.items():
        if t is not None:
            srv += t - (srv0.get(p) or 0)
    for p, t in srv0.items():  # exited: their ticks went into the postmaster's cutime
        if p not in srv1 and t is not None:
            srv -= t
    per_min = 60.0 / el / CLK
    b = sum(last[p] - first[p] for p in last)
    print(f"daemon_cpu={(d1 - d0) * per_min if d0 is not None and d1 is not None else ''}")
    print(f"backend_cpu={b * per_min}")
    print(f"total_cpu={((d1 or 0) - (d0 or 0) + b) * per_min}")
    print(f"server_cpu={srv * per_min}")
    print(f"conns_max={max(counts)}")
    print(f"conns_mean={statistics.mean(counts)}")
    print(f"rss_max_mib={max(rss) / 1024}")
    print(f"threads_max={max(threads)}")


def cmd_conns(a):
    conn = connect(a.dsn, "postgres")
    cur = conn.cursor()
    end = time.time() + a.timeout
    while True:
        n = len(daemon_backends(cur))
        if n >= a.count or time.time() >= end:
            print(n)
            return
        time.sleep(0.2)


LEADS = (
    "select count(distinct l.database) from pg_catalog.pg_locks l"
    " where l.locktype = 'advisory' and l.granted"
)


def cmd_leaders(a):
    conn = connect(a.dsn, "postgres")
    cur = conn.cursor()
    end = time.time() + a.timeout
    while True:
        cur.execute(LEADS)
        n = cur.fetchone()[0]
        if n >= a.count or time.time() >= end:
            print(n)
            return
        time.sleep(0.2)


def cmd_failover(a):
    """SIGKILL the leader; time until every database is led again by another
    backend than the killed daemon's (their locks pass straight to a waiting
    standby, so the count of led databases need not ever drop).
    Prints kill epoch, take-over seconds (all databases) and the lead count seen."""
    conn = connect(a.dsn, "postgres")
    cur = conn.cursor()
    cur.execute("select coalesce(array_agg(l.pid), '{}') from pg_catalog.pg_locks l"
                " where l.locktype = 'advisory' and l.granted")
    old_pids = cur.fetchone()[0]
    t_kill = time.time()
    os.kill(a.kill, signal.SIGKILL)
    n = 0
    while time.time() < t_kill + a.timeout:
        cur.execute(LEADS + " and l.pid <> all (%s::int[])", (old_pids,))
        n = cur.fetchone()[0]
        if n >= a.count:
            break
        time.sleep(0.02)
    took = time.time() - t_kill if n >= a.count else ""
    print(f"kill_epoch={t_kill}")
    print(f"takeover_s={took}")
    print(f"leads_at_end={n}")


def cmd_load(a):
    """Each second, one transaction per database inserting 5 events into each of q1..q3."""
    conns = []
    for d in a.dbs.split(","):
        c = connect(a.dsn, d)
        c.cursor().execute("set synchronous_commit = off")
        conns.append(c)
    end = time.time() + a.seconds
    nxt = time.time()
    while time.time() < end:
        for c in conns:
            c.cursor().execute(
                "select count(pgq.insert_event(q, 'fleet', 'payload ' || g))"
                " from unnest(array['q1', 'q2', 'q3']) q, generate_series(1, 5) g"
            )
        nxt += 1.0
        time.sleep(max(0.0, nxt - time.time()))


# first tick after SINCE, and the ticks made from SINCE to UNTIL (epochs)
FIRST_TICK = (
    "select extract(epoch from min(tick_time))::float8,"
    " count(*) filter (where tick_time <= to_timestamp(%s)) from pgq.tick"
    " where tick_time > to_timestamp(%s)"
)


def cmd_ticks(a):
    for d in a.dbs.split(","):
        c = connect(a.dsn, d)
        cur = c.cursor()
        cur.execute(FIRST_TICK, (a.until or time.time(), a.since))
        ft, n = cur.fetchone()
        c.close()
        print(d, "" if ft is None else ft, n)


def cmd_idle_period(a):
    for d in a.dbs.split(","):
        c = connect(a.dsn, d)
        c.cursor().execute(
            "select pgq.set_queue_config(queue_name, 'ticker_idle_period', %s) from pgq.queue", (a.value,)
        )
        c.close()


def cmd_firsttick(a):
    end = time.time() + a.timeout
    c = None
    while time.time() < end:
        try:
            if c is None:
                c = connect(a.dsn, a.db)
            cur = c.cursor()
            cur.execute(FIRST_TICK, (time.time(), a.since))
            ft, _ = cur.fetchone()
            if ft is not None:
                print(ft)
                return
        except Exception:
            c = None
        time.sleep(0.1)
    print("")


# ---------------------------------------------------------------- report
def load_raw(path):
    data = defaultdict(dict)  # (fig) -> side -> [values]
    for line in open(path):
        p = line.rstrip("\n").split("\t")
        if len(p) != 4 or p[3] == "":
            continue
        try:
            data[p[0]].setdefault(p[1], []).append(float(p[3]))
        except ValueError:
            pass
    return data


def fmt(v, d=2):
    if v is None:
        return "–"
    if v == int(v) and abs(v) < 1e6:
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.{d}f}"


ROWS = [
    # (suffix, label, aggregate)
    ("daemon_cpu", "daemon CPU, s/min", "med"),
    ("backend_cpu", "its backends' CPU, s/min", "med"),
    ("total_cpu", "daemon + backends CPU, s/min", "med"),
    ("server_cpu", "whole server CPU, s/min (context)", "med"),
    ("conns_max", "connections held, max", "max"),
    ("conns_mean", "connections held, mean", "med"),
    ("rss_max_mib", "daemon RSS, MiB (max)", "max"),
    ("threads_max", "daemon threads (max)", "max"),
    ("ticks", "ticks in the window (all databases)", "med"),
]


def agg(vals, how):
    if not vals:
        return None
    return max(vals) if how == "max" else statistics.median(vals)


def cmd_report(a):
    data = load_raw(a.raw)
    ns = [int(n) for n in a.ns.split()]
    out = []
    w = out.append
    w("## Fleet (issue 17, bench/fleet.sh)")
    w("")
    w(f"- Date: {a.date}; run took {int(a.elapsed) // 60} min {int(a.elapsed) % 60} s")
    w(f"- Commit: {a.commit} (our fleet daemon: one ticker connection per database, stepped by a"
      " dispatcher and 4 ticker workers; maintenance and retry by 4 workers that connect for the work)")
    w(f"- Machine: {a.machine}")
    w(f"- PostgreSQL: {a.pg}; pgq {a.ext} (C extension) in every database; pgqd: {a.pgqd}")
    w(f"- Command: `{a.cmd}`")
    w(f"- Server settings other than initdb's defaults: {a.settings}")
    w(f"- {a.setup}")
    w("")
    w("Ratio = ours ÷ pgqd (lower is better everywhere). One daemon runs at a time, on the same databases.")
    w("")
    for phase, title in (("idle", "idle"), ("load", "under load")):
        w(f"### {title}")
        w("")
        w("| figure | " + " | ".join(f"{n} DBs ours | pgqd | ratio" for n in ns) + " |")
        w("|---|" + "---:|---:|---:|" * len(ns))
        for suf, lab, how in ROWS:
            cells = []
            for n in ns:
                fig = f"n{n}_{phase}_{suf}"
                o = agg(data.get(fig, {}).get("ours", []), how)
                r = agg(data.get(fig, {}).get("pgqd", []), how)
                ratio = o / r if o is not None and r else None
                cells += [fmt(o), fmt(r), fmt(ratio)]
            w(f"| {lab} | " + " | ".join(cells) + " |")
        w("")
    w("### New database and failover")
    w("")
    w("| figure | " + " | ".join(f"{n} DBs ours | pgqd" for n in ns) + " |")
    w("|---|" + "---:|---:|" * len(ns))
    for fig, lab, how in (
        ("startup_s", "daemon started → holds a connection to every database, s", "max"),
        ("pickup_s", "createdb → first tick, s (max of reps)", "max"),
        ("pickup_s", "createdb → first tick, s (median)", "med"),
        ("takeover_s", "SIGKILL of the leader → every database led again, s", "max"),
        ("failover_tick_max_s", "SIGKILL → every database ticked again, s (max over DBs)", "max"),
        ("failover_tick_med_s", "SIGKILL → database ticked again, s (median over DBs)", "med"),
        ("failover_ticked_dbs", "databases ticked again after the kill", "med"),
        ("standby_daemon_cpu", "A leads, B stands by: B's CPU, s/min", "med"),
        ("standby_server_cpu", "A leads, B stands by: whole server CPU, s/min", "med"),
        ("idle_server_cpu", "(ours alone, idle: whole server CPU, s/min)", "med"),
        ("standby_conns_mean", "A leads, B stands by: connections, mean", "med"),
    ):
        cells = []
        for n in ns:
            d = data.get(f"n{n}_{fig}", {})
            cells += [fmt(agg(d.get("ours", []), how)), fmt(agg(d.get("pgqd", []), how))]
        w(f"| {lab} | " + " | ".join(cells) + " |")
    w("")
    # targets
    n_big = max(ns)
    w(f"### Targets (issue 17) at {n_big} databases")
    w("")
    verdicts = []
    for phase in ("idle", "load"):
        for suf, what in (("total_cpu", "CPU (daemon + backends)"), ("conns_max", "connections held (max)")):
            fig = f"n{n_big}_{phase}_{suf}"
            o = agg(data.get(fig, {}).get("ours", []), "med")
            r = agg(data.get(fig, {}).get("pgqd", []), "med")
            if o is None or not r:
                verdicts.append(f"- {what}, {phase}: not measured")
                continue
            ok = o / r <= 0.5
            verdicts.append(f"- {what}, {phase}: ours {fmt(o)} vs pgqd {fmt(r)}, ratio {fmt(o / r)}"
                            f" (target ≤ 0.5): **{'met' if ok else 'not met'}**")
    cp = float(a.check_period)
    for n in ns:
        p = data.get(f"n{n}_pickup_s", {}).get("ours", [])
        if p:
            ok = max(p) <= cp + 1
            verdicts.append(f"- new database ticked within check_period + 1 s = {fmt(cp + 1)} s, {n} DBs:"
                            f" ours max {fmt(max(p))} s over {len(p)} tries: **{'met' if ok else 'not met'}**")
    # "reconnect": a standby holds no connection between its looks at the lead;
    # 1 s is allowed for that reconnect (a local connection takes ~10 ms).
    lim = 2 * float(a.loop_delay) + 1
    for n in ns:
        t = data.get(f"n{n}_takeover_s", {}).get("ours", [])
        ft = data.get(f"n{n}_failover_tick_max_s", {}).get("ours", [])
        if not t:
            verdicts.append(f"- failover, {n} DBs: not measured")
        elif t[0] is not None:
            verdicts.append(f"- failover, {n} DBs: every database led again {fmt(max(t))} s after the SIGKILL"
                            f" (target 2 × loop_delay + reconnect, read as {fmt(lim)} s with 1 s for the"
                            f" reconnect): **{'met' if max(t) <= lim else 'not met'}**"
                            + (f"; ticked again after at most {fmt(max(ft))} s" if ft else ""))
        else:
            verdicts.append(f"- failover, {n} DBs: not every database was led again in time: **not met**")
    out += verdicts
    w("")
    if a.notes and os.path.exists(a.notes):
        w(open(a.notes).read().rstrip())
        w("")
    text = "\n".join(out) + "\n"
    print(text)
    # replace our section (up to the next '## ') or insert it before the soaks
    old = open(a.out).read().split("\n") if os.path.exists(a.out) else ["# Benchmark results"]
    begin = next((i for i, l in enumerate(old) if l.startswith("## Fleet (issue 17")), None)
    if begin is not None:
        end = next((i for i in range(begin + 1, len(old)) if old[i].startswith("## ")), len(old))
        old[begin:end] = text.rstrip("\n").split("\n") + [""]
    else:
        at = next((i for i, l in enumerate(old) if l.startswith("## Fault-injection soaks")), len(old))
        old[at:at] = text.rstrip("\n").split("\n") + [""]
    open(a.out, "w").write("\n".join(old).rstrip("\n") + "\n")


# sub-command -> its options (name, type; every one required, but conns's)
SUBCOMMANDS = {
    "sample": (("dsn", str), ("pid", int), ("postmaster", int), ("seconds", float)),
    "conns": (("dsn", str), ("count", int), ("timeout", float)),
    "leaders": (("dsn", str), ("count", int), ("timeout", float)),
    "failover": (("dsn", str), ("count", int), ("kill", int), ("timeout", float)),
    "load": (("dsn", str), ("dbs", str), ("seconds", float)),
    "ticks": (("dsn", str), ("dbs", str), ("since", float), ("until", float)),
    "idle-period": (("dsn", str), ("dbs", str), ("value", str)),
    "firsttick": (("dsn", str), ("db", str), ("since", float), ("timeout", float)),
}
REPORT_OPTIONS = ("raw", "out", "ns", "date", "elapsed", "commit", "machine", "pg", "ext", "pgqd", "cmd",
                  "settings", "setup", "check_period", "loop_delay", "notes")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="sub", required=True)
    for name, opts in SUBCOMMANDS.items():
        s = sub.add_parser(name)
        for k, t in opts:
            if (name, k) in (("conns", "count"), ("conns", "timeout"), ("ticks", "until")):
                s.add_argument("--" + k, type=t, default=0)
            else:
                s.add_argument("--" + k, type=t, required=True)
    s = sub.add_parser("report")
    for k in REPORT_OPTIONS:
        s.add_argument("--" + k.replace("_", "-"), dest=k, default="")
    a = ap.parse_args()
    globals()["cmd_" + a.sub.replace("-", "_")](a)


if __name__ == "__main__":
    sys.exit(main())
