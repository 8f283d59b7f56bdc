#!/usr/bin/env bash
# bench/fleet.sh — our daemon for many databases (pgqadm pgqd.ini ticker)
# side by side with pgqd on one throwaway PostgreSQL 15 cluster (issue 17).
#
#   bench/fleet.sh            (as root: it reads /proc/<pid>/stat of the server's backends)
#
# Settings by environment (defaults in brackets):
#   FLEET_NS        database counts, ascending ["10 100 500"]
#   FLEET_WINDOW    seconds per measurement window [60]: not less than the queues'
#                   ticker_idle_period (60 s), or a window may miss a round of idle ticks
#   FLEET_DAEMONS   which daemons: "ours pgqd", "ours", "pgqd" or "" (failover only) ["ours pgqd"]
#   FLEET_FAILOVER  1 = also time the failover of two of our daemons [1]
#   FLEET_CHECK     check_period of both daemons, seconds [10]
#   FLEET_PICKUPS   new databases created per daemon and count [2]
#   FLEET_LOAD_PCT  share of the databases that get the producer's load, % [10]
#   FLEET_OUT       results file (our section is replaced) [bench/RESULTS.md]
#   FLEET_REV       build this git revision (git archive into the work directory)
#                   instead of the working tree, e.g. HEAD while others edit src/ []
#   FLEET_BUILD     build directory of pgqadm from the working tree [build-bench];
#                   PGQADM overrides the binary (then say which code it is)
#
# Every database is a copy (createdb -T) of a template with the C extension
# pgq and queues q1..q3, so both daemons serve exactly the same databases; one
# daemon runs at a time, both from the same pgqd-style config (discovery
# through initial_database, check_period FLEET_CHECK). For each count and
# daemon: a window idle and a window under load (the load: every second one
# transaction of 15 events in each of FLEET_LOAD_PCT % of the databases), then
# the time from createdb of a new database to its first tick. Then two of our
# daemons on the same databases: SIGKILL the one that leads every database,
# time until each is led and ticked again (queues' ticker_idle_period 2 s
# for that phase, so idle ones tick soon); before the kill, a window with
# one daemon leading and the other standing by. The server keeps initdb's
# defaults (fsync, synchronous_commit, full_page_writes on); the producer
# alone sets synchronous_commit = off for its own transactions.
# Raw samples (figure, side, rep, value) and logs stay in the work directory
# (the samples also in bench/fleet-raw-latest.tsv);
# bench/fleet.py turns them into the section "Fleet (issue 17, bench/fleet.sh)".
# Nothing here asserts anything: not a test.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NS=${FLEET_NS:-"10 100 500"}
WINDOW=${FLEET_WINDOW:-60}
DAEMONS=${FLEET_DAEMONS-"ours pgqd"}
FAILOVER=${FLEET_FAILOVER:-1}
CHECK=${FLEET_CHECK:-10}
PICKUPS=${FLEET_PICKUPS:-2}
LOAD_PCT=${FLEET_LOAD_PCT:-10}
OUT=${FLEET_OUT:-$HERE/RESULTS.md}
BUILD=${FLEET_BUILD:-$ROOT/build-bench}
LOOP_DELAY=1   # ticker_period of both daemons (pgqd's default)
PY=/usr/bin/python3
HELPER="$HERE/fleet.py"
CMDLINE="$(env | grep -E '^FLEET_' | sort | tr '\n' ' ')bench/fleet.sh"

[ "$(id -u)" = 0 ] || { echo "run as root (reads /proc of the server's backends)" >&2; exit 2; }
NMAX=0
for n in $NS; do [ "$n" -gt "$NMAX" ] && NMAX=$n; done

WORK=$(mktemp -d /tmp/pgqfleet.XXXXXX)
chmod 755 "$WORK"
RAW="$WORK/raw.tsv"
: > "$RAW"
LOG="$WORK/run.log"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RAW"; }   # figure side rep value
now() { date +%s.%N; }

# ---------------------------------------------------------------- build
SRC=$ROOT
CODE="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src sql include || echo ' + uncommitted changes in src/sql/include')"
if [ -n "${FLEET_REV:-}" ] && [ -n "${PGQADM:-}" ]; then
    CODE="$(git -C "$ROOT" rev-parse --short "$FLEET_REV") (binary given: $PGQADM)"
elif [ -n "${FLEET_REV:-}" ]; then
    SRC=$WORK/src
    BUILD=$WORK/build
    CODE=$(git -C "$ROOT" rev-parse --short "$FLEET_REV")
    mkdir -p "$SRC"
    git -C "$ROOT" archive "$FLEET_REV" | tar -x -C "$SRC"
fi
if [ -z "${PGQADM:-}" ]; then
    log "building pgqadm $CODE (Release, $BUILD)"
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" --target pgqadm -j2 >/dev/null
    PGQADM=$BUILD/pgqadm
elif [ -z "${FLEET_REV:-}" ]; then
    CODE="$PGQADM (given)"
fi
PGQD=$(command -v pgqd)

# ---------------------------------------------------------------- cluster
# Two of our daemons hold a connection per database in the failover phase.
ENVF="$WORK/cluster.env"
PGQADM_TEST_MAX_CONNECTIONS=$((2 * NMAX + 50)) "$ROOT/tests/support/pgcluster.sh" start "$ENVF"
set -a; . "$ENVF"; set +a
export PGAPPNAME=fleetbench   # our own sessions; the samples leave them out
BASE="host=$PGHOST port=$PGPORT user=$PGUSER"
sql() { local db=$1; shift; psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# pgcluster.sh's test settings (fsync, synchronous_commit, full_page_writes
# off; pg_stat_statements preloaded) back to initdb's defaults.
printf "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\nshared_preload_libraries = ''\n" \
    >> "$PGDATA/postgresql.conf"
"$ROOT/tests/support/pgcluster.sh" restart "$ENVF"
POSTMASTER=$(head -1 "$PGDATA/postmaster.pid")
SETTINGS=$(sql postgres -c "select string_agg(name || ' = ' || setting || coalesce(' ' || unit, ''), ', ' order by name)
                              from pg_settings where source not in ('default', 'override', 'client', 'session')")
log "server settings not at their defaults: $SETTINGS"

cleanup() {
    set +e
    for p in "$WORK"/*.pid; do [ -s "$p" ] && kill -INT "$(cat "$p")" 2>/dev/null; done
    jobs -p | xargs -r kill 2>/dev/null
    sleep 1
    "$ROOT/tests/support/pgcluster.sh" stop "$ENVF"
    echo "raw samples and logs: $WORK" >&2
}
trap cleanup EXIT

# ---------------------------------------------------------------- databases
log "templates: fleet_tpl (create extension pgq, queues q1..q3), fleet_newtpl (same, q1 with an event due)"
sql postgres -c "create database fleet_tpl"
sql fleet_tpl -c "create extension pgq" -c "select pgq.create_queue('q' || i) from generate_series(1, 3) i" >/dev/null
sql postgres -c "create database fleet_newtpl template fleet_tpl"
sql fleet_newtpl -c "select pgq.set_queue_config('q1', 'ticker_max_lag', '0')" \
    -c "select pgq.insert_event('q1', 'fleet', 'first')" >/dev/null
sql postgres -c "alter database fleet_tpl is_template true" -c "alter database fleet_newtpl is_template true"
IDLE_PERIOD=$(sql fleet_tpl -c "select queue_ticker_idle_period from pgq.queue where queue_name = 'q1'")
dbname() { printf 'f%04d' "$1"; }
HAVE=0
ensure_dbs() { # N: databases f0001..fN exist
    local t0; t0=$(now)
    while [ "$HAVE" -lt "$1" ]; do
        HAVE=$((HAVE + 1))
        createdb -T fleet_tpl "$(dbname "$HAVE")"
    done
    log "databases: $HAVE ($(printf '%.0f' "$(echo "$(now) - $t0" | bc)") s to create the new ones)"
}
db_list() { # N [COUNT]: comma list of the first COUNT (default N) databases
    seq -f 'f%04g' -s , 1 "${2:-$1}"
}

# ---------------------------------------------------------------- daemons
write_ini() { # FILE TAG
    cat > "$1" <<INI
[pgqd]
base_connstr = $BASE
initial_database = postgres
logfile = $WORK/$2.log
pidfile = $WORK/$2.pid
syslog = 0
check_period = $CHECK
ticker_period = $LOOP_DELAY
stats_period = 30
INI
}
daemon_start() { # SIDE TAG
    local ini="$WORK/$2.ini"
    write_ini "$ini" "$2"
    if [ "$1" = ours ]; then
        env -u PGAPPNAME "$PGQADM" "$ini" ticker -d >>"$LOG" 2>&1
    else
        env -u PGAPPNAME "$PGQD" -q -d "$ini" >>"$LOG" 2>&1
    fi
    for _ in $(seq 200); do [ -s "$WORK/$2.pid" ] && break; sleep 0.05; done
    [ -s "$WORK/$2.pid" ] || { log "$1 ($2) did not start"; exit 1; }
}
daemon_stop() { # TAG
    local pidf="$WORK/$1.pid" pid
    [ -s "$pidf" ] || return 0
    pid=$(cat "$pidf")
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && { log "WARNING: $1 did not stop on SIGINT; SIGKILL"; kill -KILL "$pid"; }
    rm -f "$pidf"
}
conns() { $PY "$HELPER" conns --dsn "$BASE" --count "${1:-0}" --timeout "${2:-0}"; }
# ticks_sum T0 T1 N: ticks made in f0001..fN from T0 to T1 (epochs)
ticks_sum() {
    $PY "$HELPER" ticks --dsn "$BASE" --dbs "$(db_list "$3")" --since "$1" --until "$2" \
        | awk '{s += $3} END {print s + 0}'
}
window() { # N TAG PHASE: sample the daemon of pidfile TAG.pid (side ours for fo_*)
    local n=$1 side=$2 phase=$3 t0 out
    t0=$(now)
    out=$($PY "$HELPER" sample --dsn "$BASE" --pid "$(cat "$WORK/$side.pid")" --postmaster "$POSTMASTER" \
          --seconds "$WINDOW")
    [[ $side == fo_* ]] && side=ours
    echo "$out" | while IFS='=' read -r k v; do rec "n${n}_${phase}_$k" "$side" 1 "$v"; done
    rec "n${n}_${phase}_ticks" "$side" 1 "$(ticks_sum "$t0" "$(now)" "$n")"
    log "  $side $phase: $(echo "$out" | tr '\n' ' ')"
}

measure_side() { # N SIDE
    local n=$1 side=$2 t0 c nload lpid
    log "N=$n $side: start"
    t0=$(now)
    daemon_start "$side" "$side"
    c=$(conns "$n" 300)
    rec "n${n}_startup_s" "$side" 1 "$(echo "$(now) - $t0" | bc -l)"
    log "  $side holds $c connections after $(printf '%.1f' "$(echo "$(now) - $t0" | bc -l)") s"
    sleep 5
    window "$n" "$side" idle
    nload=$((n * LOAD_PCT / 100)); [ "$nload" -ge 1 ] || nload=1
    $PY "$HELPER" load --dsn "$BASE" --dbs "$(db_list "$n" "$nload")" --seconds $((WINDOW + 8)) >>"$LOG" 2>&1 &
    lpid=$!
    sleep 3
    window "$n" "$side" load
    wait "$lpid" || log "WARNING: the producer failed (see $LOG)"
    local r db ft
    for r in $(seq 1 "$PICKUPS"); do
        db="new_${side}_${n}_$r"
        t0=$(now)
        createdb -T fleet_newtpl "$db"
        ft=$($PY "$HELPER" firsttick --dsn "$BASE" --db "$db" --since "$t0" --timeout $((CHECK + 60)))
        if [ -n "$ft" ]; then
            rec "n${n}_pickup_s" "$side" "$r" "$(echo "$ft - $t0" | bc -l)"
            log "  $side: $db ticked $(printf '%.2f' "$(echo "$ft - $t0" | bc -l)") s after createdb"
        else
            log "  WARNING: $side did not tick $db within $((CHECK + 60)) s"
        fi
        sleep "0.$((RANDOM % 10))"   # not in step with the discovery period
    done
    daemon_stop "$side"
    for r in $(seq 1 "$PICKUPS"); do dropdb --force --if-exists "new_${side}_${n}_$r"; done
}

set_idle_period() { # N VALUE: ticker_idle_period of every queue in f0001..fN
    $PY "$HELPER" idle-period --dsn "$BASE" --dbs "$(db_list "$1")" --value "$2"
}

failover() { # N
    local n=$1 c lpid out kill_epoch took nload
    log "N=$n failover: two of our daemons, queues' ticker_idle_period 2 s"
    set_idle_period "$n" "2 seconds"
    daemon_start ours fo_a
    c=$($PY "$HELPER" leaders --dsn "$BASE" --count "$n" --timeout 300)
    log "  daemon A leads $c databases"
    daemon_start ours fo_b
    # a standby holds no connection between its looks at the lead: wait for its log lines
    for _ in $(seq 1200); do
        c=$(grep -c 'standing by' "$WORK/fo_b.log" || true)
        [ "$c" -ge "$n" ] && break
        sleep 0.25
    done
    log "  daemon B stands by for $c databases; connections held by both: $(conns)"
    # what a standby costs: B's CPU, and the whole server's, with A leading and idle
    window "$n" fo_b standby
    nload=$((n * LOAD_PCT / 100)); [ "$nload" -ge 1 ] || nload=1
    $PY "$HELPER" load --dsn "$BASE" --dbs "$(db_list "$n" "$nload")" --seconds 40 >>"$LOG" 2>&1 &
    lpid=$!
    sleep 5
    out=$($PY "$HELPER" failover --dsn "$BASE" --count "$n" --kill "$(cat "$WORK/fo_a.pid")" --timeout 120)
    rm -f "$WORK/fo_a.pid"
    kill_epoch=$(echo "$out" | sed -n 's/^kill_epoch=//p')
    took=$(echo "$out" | sed -n 's/^takeover_s=//p')
    rec "n${n}_takeover_s" ours 1 "$took"
    log "  SIGKILL of A: $(echo "$out" | tr '\n' ' ')"
    # every database ticked again: its first tick after the kill (tick_time is the server's clock)
    local tries=0 missing
    sleep 10
    while :; do
        $PY "$HELPER" ticks --dsn "$BASE" --dbs "$(db_list "$n")" --since "$kill_epoch" > "$WORK/fo_ticks_$n.txt"
        missing=$(awk '$2 == ""' "$WORK/fo_ticks_$n.txt" | wc -l)
        tries=$((tries + 1))
        [ "$missing" = 0 ] || [ "$tries" -ge 6 ] && break
        sleep 10
    done
    read -r tmax tmed ticked < <(awk -v k="$kill_epoch" '$2 != "" {print $2 - k}' "$WORK/fo_ticks_$n.txt" \
        | sort -g | awk '{a[NR] = $1} END {if (NR) print a[NR], a[int((NR + 1) / 2)], NR; else print "", "", 0}')
    rec "n${n}_failover_tick_max_s" ours 1 "$tmax"
    rec "n${n}_failover_tick_med_s" ours 1 "$tmed"
    rec "n${n}_failover_ticked_dbs" ours 1 "$ticked"
    log "  ticked again: $ticked of $n databases; max $tmax s, median $tmed s after the kill"
    wait "$lpid" || true
    daemon_stop fo_b
    set_idle_period "$n" "$IDLE_PERIOD"
}

# ---------------------------------------------------------------- report
# report DONE: the section for the counts done so far (rewritten after each count)
report() {
$PY "$HELPER" report --raw "$RAW" --out "$OUT" --ns "$1" \
    --date "$(date -u '+%Y-%m-%d %H:%M UTC')" --elapsed "$SECONDS" \
    --commit "$CODE" \
    --machine "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, a VM on a shared host; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
    --pg "$(sql postgres -c 'show server_version')" \
    --ext "$(sql fleet_tpl -c "select extversion from pg_extension where extname = 'pgq'")" \
    --pgqd "$("$PGQD" -V 2>&1 | head -1)" --cmd "$CMDLINE" --settings "$SETTINGS" \
    --setup "Per count N: databases f0001..fN, copies of one template with \`create extension pgq\` and queues q1..q3 (no consumers); both daemons run the same pgqd-style config (discovery through initial_database = postgres, check_period = $CHECK, ticker_period = $LOOP_DELAY, maint/retry periods at pgqd's defaults) as root over the Unix socket. Window $WINDOW s per figure, 5 s after the daemon holds a connection to every database. Load: $LOAD_PCT % of the databases, each one transaction per second of 15 events (5 in each queue; synchronous_commit off for the producer). CPU = utime+stime from /proc in CPU seconds per minute; backends = client backends other than the bench's, sampled every second (one born in the window counts from 0); whole server = every postmaster child, exited ones included. New database: \`createdb -T\` of a template whose q1 has an event due (ticker_max_lag 0), time to its first pgq.tick row, $PICKUPS per daemon and count. Failover: two of our daemons; daemon A leads every database, B stands by; SIGKILL A; led again = every database has a granted advisory lock again (pg_locks, polled every 20 ms); ticked again = the first pgq.tick row after the kill per database (ticker_idle_period 2 s in that phase)." \
    --check-period "$CHECK" --loop-delay "$LOOP_DELAY" --notes "$WORK/notes.md" > "$WORK/report.md"
}

# ---------------------------------------------------------------- run
idx=0
for n in $NS; do
    ensure_dbs "$n"
    sql postgres -c "checkpoint" >/dev/null
    sides=$DAEMONS
    # alternate which daemon goes first
    [ $((idx % 2)) = 1 ] && sides=$(echo "$DAEMONS" | tr ' ' '\n' | tac | tr '\n' ' ')
    for side in $sides; do measure_side "$n" "$side"; done
    [ "$FAILOVER" = 1 ] && failover "$n"
    idx=$((idx + 1))
    DONE="${DONE:-}${DONE:+ }$n"
    report "$DONE"
    log "section for N = $DONE written into $OUT"
done
cat "$WORK/report.md"
cp "$RAW" "$HERE/fleet-raw-latest.tsv"
for f in "$WORK"/*.log; do
    grep -qE ' (ERROR|CRITICAL|FATAL) ' "$f" && log "$(basename "$f"): $(grep -cE ' (ERROR|CRITICAL|FATAL) ' "$f") error lines"
done
log "done in $SECONDS s"

