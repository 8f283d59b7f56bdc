#!/usr/bin/env bash
# bench/fleet-cpu.sh — what an idle fleet costs the server, our daemon against
# pgqd, on one throwaway PostgreSQL 15 cluster (issue 17).
#
#   PGQADM=build/pgqadm bench/fleet-cpu.sh      (as root: it reads /proc of the server)
#
# Settings by environment (defaults in brackets):
#   FLEET_N       databases [500]
#   FLEET_WARM    seconds each daemon runs before its window [180]: longer than
#                 maint_period (120 s), so the window sees maintenance at its steady rate
#   FLEET_WINDOW  seconds per window [60]
#   FLEET_SIDES   what runs, in order ["ours pgqd none"]; none = no daemon: the server's
#                 own floor, measured last because autovacuum visits only the
#                 databases that have statistics, i.e. that someone connected to
#
# bench/fleet.sh samples the client backends once a second, so a backend that
# lives less than a second (a maintenance or retry run on a connection of its
# own) is not in its "backends" figure. This one counts every postmaster
# child, exited ones included (the postmaster's cutime + cstime), and the
# daemon's persistent backends apart. Databases: copies of one template with
# the C extension pgq and queues q1..q3; both daemons run the same pgqd-style
# config (discovery through initial_database, pgqd's default periods). The
# server keeps initdb's defaults (fsync, synchronous_commit on). Prints a
# Markdown table; asserts nothing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
N=${FLEET_N:-500}
WARM=${FLEET_WARM:-180}
WINDOW=${FLEET_WINDOW:-60}
SIDES=${FLEET_SIDES:-"ours pgqd none"}
PGQADM=${PGQADM:?set PGQADM to the pgqadm binary}
PY=/usr/bin/python3

[ "$(id -u)" = 0 ] || { echo "run as root (reads /proc of the server)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/fleet-cpu.XXXXXX)
chmod 755 "$WORK"
ENVF=$WORK/cluster.env
PGQADM_TEST_MAX_CONNECTIONS=$((N + 60)) "$ROOT/tests/support/pgcluster.sh" start "$ENVF" >/dev/null
set -a
. "$ENVF"
set +a
trap '"$ROOT/tests/support/pgcluster.sh" stop "$ENVF" >/dev/null 2>&1 || true' EXIT
# initdb's defaults, not the test cluster's speed-ups
printf 'fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n' >>"$PGDATA/postgresql.conf"
"$ROOT/tests/support/pgcluster.sh" restart "$ENVF" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "create database fleet_tpl"
q -d fleet_tpl -c "create extension pgq" \
    -c "select pgq.create_queue('q' || i) from generate_series(1, 3) i" >/dev/null
for i in $(seq 1 "$N"); do createdb -T fleet_tpl "$(printf 'f%04d' "$i")"; done
PM=$(head -1 "$PGDATA/postmaster.pid")

cat >"$WORK/fleet.ini" <<INI
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER
initial_database = postgres
logfile = $WORK/daemon.log
pidfile = $WORK/daemon.pid
syslog = 0
INI

# CPU seconds of the server (every postmaster child, exited ones included), of
# the daemon, and of the client backends alive at both ends; then new sessions.
measure() { # side daemon-pid
    "$PY" - "$PM" "$2" "$WINDOW" "$1" <<'PY'
import os, subprocess, sys, time
pm, daemon, window, side = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
tck = os.sysconf("SC_CLK_TCK")
def stat(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(f[11]) + int(f[12]), int(f[13]) + int(f[14])
def children():
    out = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]
def sql(q):
    return subprocess.run(["psql", "-XAtq", "-d", "postgres", "-c", q],
                          capture_output=True, text=True, check=True).stdout.split()
def server():
    own, reaped = stat(pm)
    return own + reaped + sum((stat(p) or (0, 0))[0] for p in children())
clients = [int(p) for p in sql("select pid from pg_stat_activity where backend_type = 'client backend'"
                                " and pid <> pg_backend_pid()")]
sessions0 = int(sql("select sum(sessions) from pg_stat_database")[0])
b0 = {p: s[0] for p in clients if (s := stat(p))}
d0 = stat(daemon)[0] if daemon else 0
s0, t0 = server(), time.monotonic()
time.sleep(window)
s1, t1 = server(), time.monotonic()
d1 = stat(daemon)[0] if daemon else 0
b1 = {p: s[0] for p in b0 if (s := stat(p))}
sessions1 = int(sql("select sum(sessions) from pg_stat_database")[0])
per_min = 60 / tck / (t1 - t0)
backends = sum(b1[p] - b0[p] for p in b1)
print(f"{side}\t{(s1 - s0) * per_min:.1f}\t{(d1 - d0) * per_min:.2f}\t{len(b1)}\t"
      f"{backends * per_min:.1f}\t{(d1 - d0 + backends) * per_min:.1f}\t"
      f"{(sessions1 - sessions0) / (t1 - t0):.1f}")
PY
}

RESULTS=$WORK/results.tsv
for side in $SIDES; do
    rm -f "$WORK/daemon.pid"
    case $side in
        none) sleep 30 ;;
        ours) "$PGQADM" "$WORK/fleet.ini" ticker -d ;;
        pgqd) pgqd -q -d "$WORK/fleet.ini" ;;
        *) echo "unknown side $side" >&2; exit 2 ;;
    esac
    pid=0
    if [ "$side" != none ]; then
        for _ in $(seq 100); do [ -s "$WORK/daemon.pid" ] && break; sleep 0.1; done
        pid=$(cat "$WORK/daemon.pid")
        sleep "$WARM"
    fi
    measure "$side" "$pid" | tee -a "$RESULTS" >&2
    if [ "$pid" != 0 ]; then
        kill -INT "$pid"
        for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
done

echo "## Idle fleet, server CPU: $N databases (bench/fleet-cpu.sh, $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
echo "Ours: $("$PGQADM" --version 2>/dev/null | head -1) ($(git -C "$ROOT" rev-parse --short HEAD)); $(pgqd -V 2>&1 | head -1)."
echo "$(nproc) CPUs; server: initdb's defaults (fsync, synchronous_commit on), shared_buffers $(q -d postgres -c 'show shared_buffers');"
echo "warm-up ${WARM} s, window ${WINDOW} s; CPU in CPU seconds per minute."
echo
echo "| side | whole server | daemon | persistent backends | daemon + persistent backends | new sessions/s |"
echo "|---|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r side srv d n b db s; do
    echo "| $side | $srv | $d | $b ($n) | $db | $s |"
done <"$RESULTS"
