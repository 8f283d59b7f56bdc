#!/usr/bin/env python3
"""Turns bench/run.sh raw samples (figure, side, rep, value) into RESULTS.md."""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
from collections import defaultdict

ap = argparse.ArgumentParser()
ap.add_argument("--raw", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--cmd", default="bench/run.sh")
ap.add_argument("--quick", default="0")
ap.add_argument("--reps", default="3")
ap.add_argument("--pg", default="?")
ap.add_argument("--ext", default="?")
ap.add_argument("--ours", default="?")
ap.add_argument("--pgqd", default="?")
ap.add_argument("--triggers", default="")
ap.add_argument("--samples", default="")
ap.add_argument("--elapsed", default="?")
ap.add_argument("--notes", default=os.path.join(os.path.dirname(__file__), "NOTES.md"))
a = ap.parse_args()

data = defaultdict(lambda: defaultdict(dict))  # fig -> side -> rep -> value
order = []
for line in open(a.raw):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 4 or parts[3] == "":
        continue
    fig, side, rep, val = parts
    try:
        v = float(val)
    except ValueError:
        continue
    if fig not in order:
        order.append(fig)
    data[fig][side][rep] = v

# (prefix, label, unit, higher_is_better)
LABELS = [
    ("producer_c1_x1", "insert_event, 1 client, 1 ev/tx", "ev/s", True),
    ("producer_c1_x1000", "insert_event, 1 client, 1,000 ev/tx", "ev/s", True),
    ("producer_c2_x1", "insert_event, 2 clients, 1 ev/tx", "ev/s", True),
    ("producer_c2_x1000", "insert_event, 2 clients, 1,000 ev/tx", "ev/s", True),
    ("producer_copy", "COPY into current_event_table()", "ev/s", True),
    ("consumer_events", "next_batch + get_batch_events + finish_batch", "ev/s", True),
    ("consumer_cursor", "get_batch_cursor(…, 300) + FETCH 300", "ev/s", True),
]


def label(fig):
    for p, l, u, h in LABELS:
        if fig == p:
            return l, u, h
    f = fig
    hib = not any(s in f for s in ("_ms", "cpu", "kB", "_s", "over_1st"))
    if f.startswith("latency_"):
        parts = f.split("_")
        tag, pct = parts[1], parts[2]
        if pct in ("p50", "p95", "p99") and tag.startswith("durable"):
            consumer = ("ours: consumer LISTENs on the tick channel; pgqd: consumer polls every 10 ms"
                        if tag == "durablelisten" else "consumer polls every 10 ms")
            return (f"latency {tag} {pct} (durable server; {consumer}; ours: ticker_notify on; "
                    f"pgqd: ticker_period 0.01) + ticker_max_lag 0", "ms", False)
        if pct in ("p50", "p95", "p99"):
            return f"latency {tag} {pct} (ours: {'ticker_notify on' if tag == 'fast' else 'defaults'}; pgqd: {'ticker_period 0.01' if tag == 'fast' else 'defaults'}){' + ticker_max_lag 0' if tag == 'fast' else ''}", "ms", False
        rest = "_".join(parts[2:])
        return f"latency {tag}: {rest.replace('_', ' ')}", "CPU s/min" if "cpu" in rest else "ticks/s", rest.endswith("ticks_per_s")
    if f.startswith(("ticker_idle_", "ticker_load_")):
        parts = f.split("_")
        what = "idle queues" if parts[1] == "idle" else "queues under load"
        rest = "_".join(parts[3:])
        unit = "CPU s/min" if "cpu" in rest else "ticks/s"
        return f"{int(parts[2]):,} {what}: {rest.replace('_', ' ')}", unit, False
    if f.startswith("create_drop_one_queue_at_"):
        n = f.split("_")[5]
        return f"create_queue + drop_queue with {int(n):,} queues", "s", False
    if f.startswith("bloat_"):
        return f.replace("bloat_", "bloat: ").replace("_", " "), "", hib
    return f, "", hib


def fmt(v):
    if v is None:
        return "–"
    av = abs(v)
    if av >= 1000:
        return f"{v:,.0f}"
    if av >= 100:
        return f"{v:.0f}"
    if av >= 10:
        return f"{v:.1f}"
    if av >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def med(fig, side):
    vals = list(data[fig].get(side, {}).values())
    return statistics.median(vals) if vals else None


def rng(fig, side):
    vals = list(data[fig].get(side, {}).values())
    if len(vals) < 2:
        return ""
    return f"{fmt(min(vals))}–{fmt(max(vals))}"


def ratio(fig):
    o, r = med(fig, "ours"), med(fig, "real")
    if o is None or r is None or r == 0:
        return None
    return o / r


def ratio_range(fig):
    o, r = data[fig].get("ours", {}), data[fig].get("real", {})
    rs = [o[k] / r[k] for k in o if k in r and r[k]]
    if len(rs) < 2:
        return ""
    return f"{fmt(min(rs))}–{fmt(max(rs))}"


lines = []
w = lines.append
now = datetime.datetime.now().astimezone()
cpu = "?"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip()
            break
except OSError:
    pass
mem = "?"
try:
    for l in open("/proc/meminfo"):
        if l.startswith("MemTotal"):
            mem = f"{int(l.split()[1]) / 1024 / 1024:.1f} GiB"
except OSError:
    pass
load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else "?"

w("# Benchmark results: our pgq + pgqadm ticker vs PgQ 3 (C extension + pgqd)")
w("")
w(f"- Date: {now:%Y-%m-%d %H:%M %Z}; run took {int(float(a.elapsed)) // 60} min {int(float(a.elapsed)) % 60} s"
  + (" (`--quick`)" if a.quick == "1" else ""))
w(f"- Machine: {os.cpu_count()} CPUs ({cpu}), {mem} RAM, {platform.system()} {platform.release()}; "
  f"load average at the end {' '.join(load)}")
w(f"- PostgreSQL: {a.pg}")
w(f"- Real PgQ: extension pgq {a.ext} (Debian postgresql-15-pgq3), {a.pgqd}")
w(f"- Ours: {a.ours}")
w(f"- Command: `{a.cmd}` (median of {a.reps} repetitions, interleaved: in each repetition ours and real "
  "run back to back, alternating which goes first)")
w("- Cluster: throwaway PG15 from tests/support/pgcluster.sh (fsync=off, synchronous_commit=off, "
  "full_page_writes=off); one database `ours` (`pgqadm install`), one `real` (`create extension pgq`).")
w("- **Noise**: 2 shared cores; other engineers' builds and test suites ran at the same time. "
  "The ratios (same run, interleaved) are the meaningful numbers; the absolute figures are not.")
w("")
w("Ratio = median(ours) ÷ median(real). For throughput higher is better; for latency, CPU and sizes lower is better. "
  "Ranges are min–max over the repetitions; the ratio range is over per-repetition pairs.")
w("")
w("| Figure | unit | ours (median) | ours range | real (median) | real range | ours ÷ real | ratio range |")
w("|---|---|---:|---:|---:|---:|---:|---:|")
known = [p for p, *_ in LABELS]
figs = [f for f in known if f in data] + [f for f in order if f not in known]
for fig in figs:
    l, u, _ = label(fig)
    r = ratio(fig)
    w(f"| {l} | {u} | {fmt(med(fig, 'ours'))} | {rng(fig, 'ours')} | {fmt(med(fig, 'real'))} | "
      f"{rng(fig, 'real')} | {fmt(r) if r is not None else '–'} | {ratio_range(fig)} |")
w("")

# ---- targets
w("## Targets of issue 9 (ratios ours ÷ real, this run)")
w("")


def verdict(ok):
    return "**met**" if ok else "**not met**"


prod = [f for f in figs if f.startswith("producer_")]
if prod:
    rs = {f: ratio(f) for f in prod}
    ok = all(v is not None and v >= 1.0 for v in rs.values())
    w(f"- Producer ≥ 1.0: {verdict(ok)} — " + ", ".join(f"{label(f)[0]} {fmt(v)}" for f, v in rs.items() if v is not None))
cons = [f for f in figs if f.startswith("consumer_")]
if cons:
    rs = {f: ratio(f) for f in cons}
    ok = all(v is not None and v >= 1.0 for v in rs.values())
    w(f"- Consumer ≥ 1.0: {verdict(ok)} — " + ", ".join(f"{label(f)[0]} {fmt(v)}" for f, v in rs.items() if v is not None))
if "ticker_idle_1000_total_cpu" in data:
    r = ratio("ticker_idle_1000_total_cpu")
    w(f"- Ticker CPU (daemon + backends) ≤ 0.5 at 1,000 idle queues: {verdict(r is not None and r <= 0.5)} — ratio {fmt(r)}"
      f" (ours {fmt(med('ticker_idle_1000_total_cpu', 'ours'))}, pgqd {fmt(med('ticker_idle_1000_total_cpu', 'real'))} CPU s/min)")
def latency_target(tag, title):
    """p50 and p99 at most half of pgqd's, at no more CPU, for latency_<tag>_*."""
    if f"latency_{tag}_p50_ms" not in data:
        return
    o50, r50 = med(f"latency_{tag}_p50_ms", "ours"), med(f"latency_{tag}_p50_ms", "real")
    o99, r99 = med(f"latency_{tag}_p99_ms", "ours"), med(f"latency_{tag}_p99_ms", "real")
    oc, rc = med(f"latency_{tag}_total_cpu", "ours"), med(f"latency_{tag}_total_cpu", "real")
    ok = None not in (o50, r50, o99, r99, oc, rc) and o50 <= 0.5 * r50 and o99 <= 0.5 * r99 and oc <= rc
    w(f"- {title}: {verdict(ok)} — "
      f"p50 {fmt(o50)} vs {fmt(r50)} ms (ratio {fmt(o50 / r50 if r50 else None)}), "
      f"p99 {fmt(o99)} vs {fmt(r99)} ms (ratio {fmt(o99 / r99 if r99 else None)}), "
      f"CPU {fmt(oc)} vs {fmt(rc)} CPU s/min")


latency_target("fast", "Low-latency p50 and p99 ≤ 0.5 × pgqd fastest, at no more ticker CPU")
latency_target("durablelisten", "Durable server, p50 and p99 ≤ 0.5 × pgqd at ticker_period 0.01, at no more CPU "
               "(ours with a LISTENing consumer, pgqd's polling every 10 ms)")
if "bloat_event_tables_2nd_half_over_1st" in data:
    g = med("bloat_event_tables_2nd_half_over_1st", "ours")
    t_o, t_r = med("bloat_tick_max_kB", "ours"), med("bloat_tick_max_kB", "real")
    s_o, s_r = med("bloat_subscription_max_kB", "ours"), med("bloat_subscription_max_kB", "real")
    ok = g is not None and g <= 1.25 and t_o is not None and t_r is not None and t_o <= max(2 * t_r, 256) \
        and s_o <= max(2 * s_r, 64)
    w(f"- Bloat bounded by rotation, metadata kept in check: {verdict(ok)} — event tables max in the 2nd half ÷ "
      f"max in the 1st half {fmt(g)} (real {fmt(med('bloat_event_tables_2nd_half_over_1st', 'real'))}); "
      f"pgq.tick max {fmt(t_o)} kB vs {fmt(t_r)} kB; pgq.subscription max {fmt(s_o)} kB vs {fmt(s_r)} kB")
w("")

if a.triggers and os.path.exists(a.triggers) and os.path.getsize(a.triggers) > 0:
    w("## Triggers (bench/triggers.sh)")
    w("")
    w(open(a.triggers).read().rstrip())
    w("")

if os.path.exists(a.notes):
    w(open(a.notes).read().rstrip())
    w("")

# bench/fleet.sh writes its own section, bench/soak.sh appends "### Fault soak"
# entries to the same file: keep them.
if os.path.exists(a.out):
    old = open(a.out).read().split("\n")
    fleet = [i for i, l in enumerate(old) if l.startswith("## Fleet (issue 17")]
    if fleet:
        end = next((i for i in range(fleet[0] + 1, len(old)) if old[i].startswith("## ")), len(old))
        w("\n".join(old[fleet[0]:end]).rstrip())
        w("")
    starts = [i for i, l in enumerate(old) if l.startswith("### Fault soak")]
    if starts:
        w("## Fault-injection soaks (bench/soak.sh)")
        w("")
        w("\n".join(old[starts[0]:]).rstrip())
        w("")

open(a.out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
