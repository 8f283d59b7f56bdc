#!/usr/bin/env bash
# The main job, end to end, on a throwaway local PostgreSQL 15:
# install PgQ, create a queue, run the ticker as a daemon, produce events,
# show status, consume a batch, stop everything.
# Run as root on Debian 12 (installs missing packages): ./demo.sh
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

if [ "$(id -u)" = 0 ] && [ "${SKIP_APT:-0}" != 1 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends build-essential cmake pkg-config \
        libpq-dev libinih-dev libspdlog-dev libcli11-dev libgtest-dev \
        libcpp-httplib-dev libsystemd-dev \
        postgresql-15 postgresql-client-15 >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target pgqadm >/dev/null
pgqadm=$top/build/pgqadm

work=$(mktemp -d /tmp/pgqadm-demo.XXXXXX)
chmod 755 "$work"
env_file=$work/pg.env
cleanup() {
    "$pgqadm" "$work/ticker.ini" -s >/dev/null 2>&1 || true
    tests/support/pgcluster.sh stop "$env_file" || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting a throwaway PostgreSQL 15"
tests/support/pgcluster.sh start "$env_file"
# shellcheck disable=SC1090
. "$env_file"
export PGHOST PGPORT PGUSER
psql -X -q -d postgres -c "create database demo"

cat >"$work/ticker.ini" <<INI
[pgqadm]
job_name = pgqadm_demo
db = host=$PGHOST port=$PGPORT dbname=demo
loop_delay = 0.2
maint_delay = 60
logfile = $work/%(job_name)s.log
pidfile = $work/%(job_name)s.pid
INI
run() { echo "\$ pgqadm $*"; "$pgqadm" "$@"; }

step "install PgQ (our pure SQL schema) and create a queue"
run "$work/ticker.ini" install
run "$work/ticker.ini" create demo_queue
run "$work/ticker.ini" register demo_queue demo_consumer
run "$work/ticker.ini" config demo_queue ticker_max_lag=1

step "start the ticker as a daemon"
run "$work/ticker.ini" ticker -d
for _ in $(seq 1 50); do [ -s "$work/pgqadm_demo.pid" ] && break; sleep 0.1; done
echo "ticker running as pid $(cat "$work/pgqadm_demo.pid")"

step "produce 1000 events in 10 transactions"
for i in $(seq 1 10); do
    psql -X -q -d demo -c "select pgq.insert_event('demo_queue', 'order', 'order #' || g)
                           from generate_series($(( (i-1)*100+1 )), $(( i*100 ))) g" >/dev/null
done

step "wait for the ticker to cut a batch"
for _ in $(seq 1 100); do
    seq=$(psql -X -A -t -d demo -c "select coalesce(max(tick_event_seq), 0) from pgq.tick")
    [ "$seq" -ge 1000 ] && break
    sleep 0.1
done
run "$work/ticker.ini" status

step "consume: next_batch, get_batch_events, finish_batch"
psql -X -d demo <<'SQL'
\set ON_ERROR_STOP 1
select pgq.next_batch('demo_queue', 'demo_consumer') as batch_id \gset
select count(*) as events, min(ev_data) as first, max(ev_id) as last_id
  from pgq.get_batch_events(:batch_id);
select pgq.finish_batch(:batch_id);
SQL

step "low latency: a queue whose producers wake the ticker when they commit"
run "$work/ticker.ini" create fast_queue
run "$work/ticker.ini" register fast_queue demo_consumer
run "$work/ticker.ini" config fast_queue ticker_notify=on ticker_max_lag=0
psql -X -q -d demo <<'SQL'
\set ON_ERROR_STOP 1
do $$
declare
    b bigint;
    waited interval;
begin
    for n in 1 .. 3 loop
        perform pgq.insert_event('fast_queue', 'ping', clock_timestamp()::text);
        commit;  -- the wake-up is sent now
        -- poll like a consumer would (each statement sees what has committed
        -- since); a batch without the ping (the queue's first ticks) is
        -- finished and the polling goes on
        waited := null;
        for i in 1 .. 5000 loop
            b := pgq.next_batch('fast_queue', 'demo_consumer');
            if b is not null then
                select clock_timestamp() - max(ev_data::timestamptz) into waited
                  from pgq.get_batch_events(b);
                perform pgq.finish_batch(b);
            end if;
            commit;
            exit when waited is not null;
            perform pg_sleep(0.001);
        end loop;
        raise notice 'event committed -> in a consumer batch after % ms (loop_delay is 0.2 s)',
            round(extract(epoch from waited) * 1000, 1);
    end loop;
end $$;
SQL

step "stop the ticker (-s: safe stop) and show its log"
run "$work/ticker.ini" -s
for _ in $(seq 1 100); do [ -e "$work/pgqadm_demo.pid" ] || break; sleep 0.1; done
cat "$work/pgqadm_demo.log"
step "done"
