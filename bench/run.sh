#!/usr/bin/env bash
# bench/run.sh — our pgq schema + pgqadm ticker vs PgQ 3 (C extension + pgqd),
# interleaved on one throwaway PostgreSQL 15 cluster.  See bench/README.md.
#
#   bench/run.sh [--quick] [--reps N] [--out FILE] [--only LIST] [--keep]
#
#   --quick     shorter windows / fewer events (a few minutes in total)
#   --reps N    repetitions per figure (default 3; median and range reported)
#   --out FILE  results markdown (default bench/RESULTS.md)
#   --only LIST comma list of phases: producer,consumer,latency,durable,bloat,ticker,triggers
#   --keep      leave the cluster running (prints its env file)
#   --queues L  idle queue counts for the ticker-cost phase (default "1 100 1000";
#               "1 100 1000 10000" works but creating 10,000 queues takes long)
#
# Raw samples go to $WORK/raw.tsv (figure, side, rep, value); bench/report.py
# turns them into the table.  Nothing here asserts anything: not a test.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
QUICK=0
REPS=3
OUT="$HERE/RESULTS.md"
ONLY="producer,consumer,latency,durable,bloat,ticker,triggers"
KEEP=0
CMDLINE="bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --reps) REPS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --keep) KEEP=1 ;;
    --queues) QUEUES_OPT=$2; shift ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "${QUEUES_OPT:-}" ] && QCOUNTS_OVERRIDE=$QUEUES_OPT
want() { [[ ",$ONLY," == *",$1,"* ]]; }

if [ "$QUICK" = 1 ]; then
    PGB_T=4            # pgbench seconds per run
    COPY_N=100000      # rows per COPY
    CONS_N=100000      # events read per consumer run
    LAT_T=8            # seconds per latency run
    BLOAT_T=60         # seconds of sustained insert+consume
    CPU_T=8            # seconds per ticker-cost window
    QCOUNTS="1 100 1000"
else
    PGB_T=6
    COPY_N=300000
    CONS_N=300000
    LAT_T=12
    BLOAT_T=150
    CPU_T=12
    QCOUNTS="1 100 1000"
fi

QCOUNTS=${QCOUNTS_OVERRIDE:-$QCOUNTS}
WORK=$(mktemp -d /tmp/pgqbench.XXXXXX)
chmod 755 "$WORK"
RAW="$WORK/raw.tsv"
: > "$RAW"
LOG="$WORK/run.log"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RAW"; }   # figure side rep value

# ---------------------------------------------------------------- build
log "building pgqadm and pgqbench (Release, $ROOT/build-bench)"
cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$ROOT/build-bench" --target pgqadm pgqbench -j2 >/dev/null
PGQADM=${PGQADM:-$ROOT/build-bench/pgqadm}
PGQBENCH="$ROOT/build-bench/pgqbench"   # connects as application_name=pgqbench

# ---------------------------------------------------------------- cluster
ENVF="$WORK/cluster.env"
"$ROOT/tests/support/pgcluster.sh" start "$ENVF"
set -a; . "$ENVF"; set +a
export PGOPTIONS="-c synchronous_commit=off"
BASE="host=$PGHOST port=$PGPORT user=$PGUSER"
OURS_INI="$WORK/ours.ini"
PGQD_INI="$WORK/pgqd.ini"
OURS_PID="$WORK/ours.pid"
PGQD_PID="$WORK/pgqd.pid"

cleanup() {
    set +e
    ours_stop 2>/dev/null
    pgqd_stop 2>/dev/null
    jobs -p | xargs -r kill 2>/dev/null
    if [ "$KEEP" = 1 ]; then
        echo "cluster kept: . $ENVF ; stop with tests/support/pgcluster.sh stop $ENVF" >&2
    else
        "$ROOT/tests/support/pgcluster.sh" stop "$ENVF"
    fi
    echo "raw samples and logs: $WORK" >&2
}
trap cleanup EXIT

sql() { local db=$1; shift; psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$db" "$@"; }

log "creating databases ours (pgqadm install) and real (create extension pgq)"
sql postgres -c "create database ours" -c "create database real"
sql real -c "create extension pgq"
printf '[pgqadm]\ndb = %s dbname=ours\n' "$BASE" > "$WORK/install.ini"
"$PGQADM" "$WORK/install.ini" install >>"$LOG" 2>&1
for d in ours real; do
    sql "$d" -c "select pgq.create_queue('q')" -c "select pgq.register_consumer('q','c')" >/dev/null
    sql "$d" -c "create extension if not exists pg_stat_statements" >/dev/null
done

# ---------------------------------------------------------------- daemons
ours_start() {   # extra ini lines as arguments
    {
        echo "[pgqadm]"
        echo "db = $BASE dbname=ours"
        echo "logfile = $WORK/ours.log"
        echo "pidfile = $OURS_PID"
        echo "ticker_log_delay = 30"
        for l in "$@"; do echo "$l"; done
    } > "$OURS_INI"
    "$PGQADM" -q "$OURS_INI" ticker -d >>"$LOG" 2>&1
    for _ in $(seq 100); do [ -s "$OURS_PID" ] && break; sleep 0.05; done
    [ -s "$OURS_PID" ] || { echo "pgqadm ticker did not start" >&2; exit 1; }
}
ours_stop() {
    [ -s "$OURS_PID" ] || return 0
    local pid; pid=$(cat "$OURS_PID")
    "$PGQADM" -q "$OURS_INI" -s >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$OURS_PID"
}
pgqd_start() {
    {
        echo "[pgqd]"
        echo "base_connstr = $BASE"
        echo "database_list = real"
        echo "logfile = $WORK/pgqd.log"
        echo "pidfile = $PGQD_PID"
        echo "syslog = 0"
        for l in "$@"; do echo "$l"; done
    } > "$PGQD_INI"
    pgqd -q -d "$PGQD_INI" >>"$LOG" 2>&1
    for _ in $(seq 100); do [ -s "$PGQD_PID" ] && break; sleep 0.05; done
    [ -s "$PGQD_PID" ] || { echo "pgqd did not start" >&2; exit 1; }
}
pgqd_stop() {
    [ -s "$PGQD_PID" ] || return 0
    local pid; pid=$(cat "$PGQD_PID")
    pgqd -s "$PGQD_INI" >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$PGQD_PID"
}
daemon_start() { if [ "$1" = ours ]; then shift; ours_start "$@"; else shift; pgqd_start "$@"; fi; }
daemon_stop() { if [ "$1" = ours ]; then ours_stop; else pgqd_stop; fi; }
daemon_pid() { if [ "$1" = ours ]; then cat "$OURS_PID"; else cat "$PGQD_PID"; fi; }

CLK=$(getconf CLK_TCK)
cpu_ticks() { # pid -> utime+stime (all threads) in clock ticks, or empty
    [ -r "/proc/$1/stat" ] || return 0
    sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
backend_pids() { # db -> pids of client backends of that db except ours
    sql postgres -c "select pid from pg_stat_activity where datname = '$1'
                     and backend_type = 'client backend' and pid <> pg_backend_pid()
                     and application_name not in ('pgqbench', 'pgbench', 'psql')"
}
# measure_cpu DB SIDE TAGPREFIX REP SECONDS: daemon + backend CPU s/min, ticks/s
measure_cpu() {
    local db=$1 side=$2 tag=$3 rep=$4 secs=$5
    local dpid; dpid=$(daemon_pid "$side")
    declare -A b0=()
    local p t
    for p in $(backend_pids "$db"); do t=$(cpu_ticks "$p"); [ -n "$t" ] && b0[$p]=$t; done
    local d0; d0=$(cpu_ticks "$dpid")
    local ts0; ts0=$(sql "$db" -c "select clock_timestamp()")
    local w0; w0=$(date +%s.%N)
    sleep "$secs"
    local d1; d1=$(cpu_ticks "$dpid")
    local bsum=0
    for p in $(backend_pids "$db"); do
        t=$(cpu_ticks "$p"); [ -n "$t" ] || continue
        bsum=$((bsum + t - ${b0[$p]:-0}))
    done
    local w1; w1=$(date +%s.%N)
    local ticks; ticks=$(sql "$db" -c "select count(*) from pgq.tick where tick_time >= '$ts0'")
    local el; el=$(echo "$w1 - $w0" | bc -l)
    rec "${tag}_daemon_cpu" "$side" "$rep" "$(echo "($d1 - $d0) / $CLK * 60 / $el" | bc -l)"
    rec "${tag}_backend_cpu" "$side" "$rep" "$(echo "$bsum / $CLK * 60 / $el" | bc -l)"
    rec "${tag}_total_cpu" "$side" "$rep" "$(echo "(($d1 - $d0) + $bsum) / $CLK * 60 / $el" | bc -l)"
    rec "${tag}_ticks_per_s" "$side" "$rep" "$(echo "$ticks / $el" | bc -l)"
}

# Sides alternate which goes first in each repetition.
order() { if [ $(($1 % 2)) = 1 ]; then echo "ours real"; else echo "real ours"; fi; }
sidedb() { echo "$1"; }   # side name == database name

# Empty the queue's tables between runs so table size is the same for both.
reset_queue() { # db
    sql "$1" -c "select pgq.unregister_consumer('q','c')" >/dev/null
    sql "$1" -c "select pgq.drop_queue('q')" -c "select pgq.create_queue('q')" \
             -c "select pgq.register_consumer('q','c')" >/dev/null
}

# ================================================================ 1. producer
if want producer; then
    log "producer: pgbench -T $PGB_T, reps $REPS"
    echo "select pgq.insert_event('q','t','data');" > "$WORK/ins1.sql"
    echo "select count(pgq.insert_event('q','t','data')) from generate_series(1,1000);" > "$WORK/ins1000.sql"
    python3 - "$COPY_N" > "$WORK/copy.dat" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
line = "2024-01-01 00:00:00+00\tt\tdata\n"
out.write(line * n)
PY
    chmod 644 "$WORK/copy.dat"
    for rep in $(seq 1 "$REPS"); do
        for side in $(order "$rep"); do
            for c in 1 2; do
                for k in 1 1000; do
                    tps=$(pgbench -n -c "$c" -j "$c" -T "$PGB_T" -f "$WORK/ins$k.sql" "$side" 2>>"$LOG" \
                          | awk '/^tps = .*without initial/ {print $3}')
                    rec "producer_c${c}_x${k}" "$side" "$rep" "$(echo "$tps * $k" | bc -l)"
                done
            done
            # COPY into current_event_table (server-side file, one transaction),
            # on both sides into an emptied queue after a checkpoint: the
            # pgbench runs above leave tables of different sizes and WAL behind
            reset_queue "$side"
            sql "$side" -c "checkpoint" >/dev/null
            t0=$(date +%s.%N)
            sql "$side" -c "do \$\$ begin execute format('copy %s (ev_time, ev_type, ev_data) from %L',
                              pgq.current_event_table('q'), '$WORK/copy.dat'); end \$\$"
            t1=$(date +%s.%N)
            rec "producer_copy" "$side" "$rep" "$(echo "$COPY_N / ($t1 - $t0)" | bc -l)"
            reset_queue "$side"
        done
    done
fi

# ================================================================ 2. consumer
# fill DB N: N events in ticks of 1,000 (ticker_max_lag 0 so pgq.ticker('q') ticks)
fill_ticked() {
    local db=$1 n=$2
    sql "$db" -c "select pgq.set_queue_config('q','ticker_max_lag','0')" >/dev/null
    sql "$db" -c "do \$\$ begin
        for i in 1..($n / 1000) loop
            perform count(pgq.insert_event('q', 'bench', 'payload ' || g || ' ' || repeat('x', 40)))
               from generate_series(1, 1000) g;
            commit;
            perform pgq.ticker('q');
            commit;
        end loop; end \$\$"
    sql "$db" -c "select pgq.set_queue_config('q','ticker_max_lag','3 seconds')" >/dev/null
}
if want consumer; then
    log "consumer: $CONS_N events in 1,000-event batches, reps $REPS"
    for rep in $(seq 1 "$REPS"); do
        for mode in events cursor; do
            for side in $(order "$rep"); do
                reset_queue "$side"
                sql "$side" -c "select pgq.ticker('q')" >/dev/null
                fill_ticked "$side" "$CONS_N"
                sql "$side" -c "vacuum analyze" >/dev/null 2>&1 || true
                read -r n secs nb < <("$PGQBENCH" consume "$BASE dbname=$side" q c "$mode")
                [ "$n" -eq "$CONS_N" ] || log "WARNING consumer $side $mode read $n of $CONS_N"
                rec "consumer_$mode" "$side" "$rep" "$(echo "$n / $secs" | bc -l)"
            done
        done
    done
    for side in ours real; do reset_queue "$side"; done
fi

# ================================================================ 3. latency
# latency SIDE CONFIG-TAG MAXLAG NOTIFY REP daemon-args...
# NOTIFY on: queue_ticker_notify (ours only: producers wake the ticker at commit)
run_latency() {
    local side=$1 tag=$2 maxlag=$3 notify=$4 rep=$5; shift 5
    sql "$side" -c "select pgq.set_queue_config('q','ticker_max_lag','$maxlag')" >/dev/null
    [ "$notify" = on ] && sql "$side" -c "select pgq.set_queue_config('q','ticker_notify','on')" >/dev/null
    daemon_start "$side" "$@"
    sleep 2
    "$PGQBENCH" latency "$BASE dbname=$side" q c "$LAT_T" 100 "${LAT_POLL:-2}" > "$WORK/lat.out" &
    local lpid=$!
    sleep 1
    measure_cpu "$side" "$side" "latency_$tag" "$rep" "$(echo "$LAT_T - 2" | bc)"
    wait "$lpid"
    daemon_stop "$side"
    read -r n p50 p95 p99 mx sent < "$WORK/lat.out"
    [ "$n" -ge $((sent * 95 / 100)) ] || log "WARNING latency $side $tag: received $n of $sent"
    rec "latency_${tag}_p50_ms" "$side" "$rep" "$p50"
    rec "latency_${tag}_p95_ms" "$side" "$rep" "$p95"
    rec "latency_${tag}_p99_ms" "$side" "$rep" "$p99"
    sql "$side" -c "select pgq.set_queue_config('q','ticker_max_lag','3 seconds')" >/dev/null
    [ "$notify" = on ] && sql "$side" -c "select pgq.set_queue_config('q','ticker_notify','off')" >/dev/null
    return 0
}
if want latency; then
    log "latency: 100 ev/s for $LAT_T s, consumer polls every 2 ms, reps $REPS"
    for rep in $(seq 1 "$REPS"); do
        for side in $(order "$rep"); do
            run_latency "$side" default "3 seconds" off "$rep"
            if [ "$side" = ours ]; then
                # event-driven: producers wake the ticker; loop_delay stays 1 s
                run_latency ours fast 0 on "$rep"
            else
                run_latency real fast 0 off "$rep" "ticker_period = 0.01"
            fi
        done
    done
fi

# ================================================================ 4. latency, durable
# The cluster's defaults (fsync, synchronous_commit, full_page_writes off)
# flattered every commit; here they are on for the server and all clients,
# and the consumer is a realistic one: polling every 10 ms, or (ours)
# LISTENing on the queue's tick channel.
if want durable; then
    log "durable latency: fsync, synchronous_commit, full_page_writes on; 100 ev/s for $LAT_T s, reps $REPS"
    sql postgres -c "alter system set fsync = on" -c "alter system set synchronous_commit = on" \
        -c "alter system set full_page_writes = on" -c "select pg_reload_conf()" >/dev/null
    saved_pgoptions=$PGOPTIONS
    export PGOPTIONS="-c synchronous_commit=on"
    for rep in $(seq 1 "$REPS"); do
        for side in $(order "$rep"); do
            if [ "$side" = ours ]; then
                LAT_POLL=10 run_latency ours durable10ms 0 on "$rep"
                LAT_POLL=listen run_latency ours durablelisten 0 on "$rep"
            else
                LAT_POLL=10 run_latency real durable10ms 0 off "$rep" "ticker_period = 0.01"
                LAT_POLL=10 run_latency real durablelisten 0 off "$rep" "ticker_period = 0.01"
            fi
        done
    done
    export PGOPTIONS=$saved_pgoptions
    sql postgres -c "alter system reset fsync" -c "alter system reset synchronous_commit" \
        -c "alter system reset full_page_writes" -c "select pg_reload_conf()" >/dev/null
fi

# ================================================================ 5. bloat
size_sql="select coalesce((select sum(pg_total_relation_size(c.oid)) from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'pgq' and c.relkind = 'r' and c.relname like 'event\\_%'), 0),
          pg_total_relation_size('pgq.tick'), pg_total_relation_size('pgq.subscription')"
if want bloat; then
    log "bloat: ${BLOAT_T}s of 2,000 ev/s insert + consume, rotation_period 10 s, both sides concurrently"
    for side in ours real; do
        reset_queue "$side"
        sql "$side" -c "select pgq.set_queue_config('q','rotation_period','10 seconds')" >/dev/null
    done
    ours_start "maint_delay = 5" "retry_delay = 5"
    pgqd_start "maint_period = 5" "retry_period = 5"
    echo "select count(pgq.insert_event('q','t','bloat ' || g)) from generate_series(1,10) g;" > "$WORK/ins10.sql"
    for side in ours real; do
        pgbench -n -c1 -R 200 -T "$BLOAT_T" -f "$WORK/ins10.sql" "$side" > "$WORK/bloat_pgb_$side.out" 2>&1 &
        "$PGQBENCH" follow "$BASE dbname=$side" q c "$BLOAT_T" 50 > "$WORK/bloat_cons_$side.out" &
    done
    declare -A bmax_ev=() bmax_tick=() bmax_sub=()
    t_end=$(( $(date +%s) + BLOAT_T ))
    : > "$WORK/bloat_samples.tsv"
    while [ "$(date +%s)" -lt "$t_end" ]; do
        for side in ours real; do
            IFS='|' read -r ev tk sb < <(sql "$side" -c "$size_sql")
            printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" "$side" "$ev" "$tk" "$sb" >> "$WORK/bloat_samples.tsv"
            [ "$ev" -gt "${bmax_ev[$side]:-0}" ] && bmax_ev[$side]=$ev
            [ "$tk" -gt "${bmax_tick[$side]:-0}" ] && bmax_tick[$side]=$tk
            [ "$sb" -gt "${bmax_sub[$side]:-0}" ] && bmax_sub[$side]=$sb
        done
        sleep 5
    done
    wait
    ours_stop; pgqd_stop
    for side in ours real; do
        IFS='|' read -r ev tk sb < <(sql "$side" -c "$size_sql")
        rec bloat_event_tables_max_kB "$side" 1 "$(( bmax_ev[$side] / 1024 ))"
        rec bloat_tick_max_kB "$side" 1 "$(( bmax_tick[$side] / 1024 ))"
        rec bloat_subscription_max_kB "$side" 1 "$(( bmax_sub[$side] / 1024 ))"
        rec bloat_event_tables_end_kB "$side" 1 "$(( ev / 1024 ))"
        rec bloat_events_consumed "$side" 1 "$(cat "$WORK/bloat_cons_$side.out")"
        # boundedness: max over the 2nd half vs max over the 1st half
        python3 - "$WORK/bloat_samples.tsv" "$side" >> "$RAW" <<'PY'
import sys
rows = [l.split('\t') for l in open(sys.argv[1]) if l.split('\t')[1] == sys.argv[2]]
h = len(rows) // 2
a = max(int(r[2]) for r in rows[:h]) if h else 0
b = max(int(r[2]) for r in rows[h:]) if rows else 0
print(f"bloat_event_tables_2nd_half_over_1st\t{sys.argv[2]}\t1\t{b / a if a else 0}")
PY
        sql "$side" -c "select pgq.set_queue_config('q','rotation_period','2 hours')" >/dev/null
        reset_queue "$side"
    done
fi

# ================================================================ 4. ticker cost
# Our create_queue regenerates the insert_event dispatcher (O(queues) each
# time, see RESULTS.md), so for the big counts we create the idle queues with
# the regeneration stubbed out inside one transaction and regenerate once.
add_idle_queues() { # db from to
    local db=$1 from=$2 to=$3
    [ "$to" -ge "$from" ] || return 0
    if [ "$db" = ours ]; then
        local def; def=$(sql ours -c "select pg_get_functiondef('pgq._regen_insert_dispatch()'::regprocedure)")
        local t0; t0=$(date +%s.%N)
        sql ours <<SQL >/dev/null
begin;
create or replace function pgq._regen_insert_dispatch() returns integer as 'select 0' language sql;
select count(pgq.create_queue('iq_' || lpad(i::text, 5, '0'))) from generate_series($from, $to) i;
$def;
select pgq._regen_insert_dispatch();
commit;
SQL
        local t1; t1=$(date +%s.%N)
        log "ours: created idle queues $from..$to (stubbed regen + one regen) in $(echo "$t1 - $t0" | bc) s"
        t0=$(date +%s.%N)
        sql ours -c "select pgq.create_queue('probe_create')" -c "select pgq.drop_queue('probe_create')" >/dev/null
        t1=$(date +%s.%N)
        rec "create_drop_one_queue_at_${to}_s" ours 1 "$(echo "$t1 - $t0" | bc -l)"
    else
        local t0; t0=$(date +%s.%N)
        sql real -c "select count(pgq.create_queue('iq_' || lpad(i::text, 5, '0'))) from generate_series($from, $to) i" >/dev/null
        local t1; t1=$(date +%s.%N)
        log "real: created idle queues $from..$to in $(echo "$t1 - $t0" | bc) s"
        t0=$(date +%s.%N)
        sql real -c "select pgq.create_queue('probe_create')" -c "select pgq.drop_queue('probe_create')" >/dev/null
        t1=$(date +%s.%N)
        rec "create_drop_one_queue_at_${to}_s" real 1 "$(echo "$t1 - $t0" | bc -l)"
    fi
}
if want ticker; then
    log "ticker cost: idle queues $QCOUNTS, ${CPU_T}s windows, reps $REPS"
    have=1   # queue q
    for nq in $QCOUNTS; do
        for side in ours real; do add_idle_queues "$side" $((have)) $((nq - 1)); done
        have=$nq
        for side in ours real; do sql "$side" -c "vacuum analyze pgq.queue" >/dev/null; done
        for rep in $(seq 1 "$REPS"); do
            for side in $(order "$rep"); do
                daemon_start "$side"
                sleep 3   # first round: initial ticks, queue list load
                measure_cpu "$side" "$side" "ticker_idle_$nq" "$rep" "$CPU_T"
                daemon_stop "$side"
            done
        done
    done
    # The same queues under load: LOAD_RATE single-event transactions per
    # second, each into a random one of them (defaults: ticker_max_lag 3 s,
    # ticker_max_count 500, so every busy queue ticks about every 3 s).
    LOAD_RATE=500
    log "ticker cost: $have queues under load ($LOAD_RATE ev/s over all of them), reps $REPS"
    cat > "$WORK/load.sql" <<SQL
\set n random(1, $((have - 1)))
select pgq.insert_event('iq_' || lpad(:n::text, 5, '0'), 't', 'd');
SQL
    for rep in $(seq 1 "$REPS"); do
        for side in $(order "$rep"); do
            daemon_start "$side"
            sleep 3
            pgbench -n -R "$LOAD_RATE" -T $((CPU_T + 3)) -f "$WORK/load.sql" "$side" >>"$LOG" 2>&1 &
            lpid=$!
            sleep 1
            measure_cpu "$side" "$side" "ticker_load_$have" "$rep" "$CPU_T"
            wait "$lpid" || log "WARNING: load pgbench on $side failed"
            daemon_stop "$side"
        done
    done
fi

# ================================================================ 6. triggers
if want triggers && [ -x "$HERE/triggers.sh" ]; then
    log "triggers: bench/triggers.sh"
    # its interface: PGHOST/PGPORT/PGUSER from the environment (exported above)
    { echo '```'; PGOPTIONS= "$HERE/triggers.sh" 2>>"$LOG" || echo "(bench/triggers.sh failed, see $LOG)"; echo '```'; } \
        > "$WORK/triggers.md"
fi

# ================================================================ report
VERS_PG=$(sql postgres -c "select version()")
VERS_EXT=$(sql real -c "select extversion from pg_extension where extname = 'pgq'")
VERS_OURS=$("$PGQADM" --version 2>&1 | head -1)
VERS_PGQD=$(pgqd -V 2>&1 | head -1)
python3 "$HERE/report.py" --raw "$RAW" --out "$OUT" --cmd "$CMDLINE" --quick "$QUICK" --reps "$REPS" \
    --pg "$VERS_PG" --ext "$VERS_EXT" --ours "$VERS_OURS ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet -- sql src || echo '+dirty'))" \
    --pgqd "$VERS_PGQD" --triggers "$WORK/triggers.md" --samples "$WORK/bloat_samples.tsv" \
    --elapsed "$SECONDS"
cp "$RAW" "$HERE/raw-latest.tsv"
log "done in $SECONDS s; wrote $OUT"
