#!/usr/bin/env bash
# Cost per row of the PgQ table triggers (pgq.logutriga, pgq.sqltriga,
# pgq.jsontriga) against a plain INSERT into the same table: our PL/pgSQL
# triggers vs the C triggers of the pgq extension, in two databases of the
# same cluster.
#
#   PGHOST=... PGPORT=... [PGUSER=...] bench/triggers.sh [INSTALL_SQL]
#
# INSTALL_SQL defaults to the concatenation of sql/install.list.  The C side
# needs the pgq extension installed in the server (CREATE EXTENSION pgq); it
# is skipped when that fails.  Two measurements, each the median of 3 runs:
#   single  pgbench, one single-row INSERT per transaction (OLTP shape),
#           BENCH_TX transactions; cost = avg latency - plain latency
#   bulk    one INSERT ... SELECT of BENCH_ROWS rows; cost = (time - plain) / rows
# Environment: BENCH_TX (default 2000), BENCH_ROWS (default 10000),
# BENCH_KEEP=1 keeps the two databases.
#
# BENCH_CLOCK=cpu measures the backend's CPU time instead of wall time
# (Linux, superuser: it reads /proc/self/schedstat through pg_read_file),
# which other load on the machine disturbs far less; the two sides run
# interleaved, table by table, and each figure is the minimum of BENCH_RUNS
# (default 3) runs of: a BENCH_ROWS-row INSERT, UPDATE and DELETE, and BENCH_TX one-row
# INSERT transactions (COMMIT in a DO block), each minus the same on the
# table without trigger.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
install_sql=${1:-}
tx=${BENCH_TX:-2000}
rows=${BENCH_ROWS:-10000}
db_pl=pgq_bench_pl
db_c=pgq_bench_c
export PGOPTIONS="-c client_min_messages=warning"

if [ -z "$install_sql" ]; then
    install_sql=$(mktemp /tmp/pgq_bench_install.XXXXXX.sql)
    trap 'rm -f "$install_sql"' EXIT
    grep -v '^#' "$here/sql/install.list" | grep -v '^$' | sed "s|^|$here/sql/|" | xargs cat > "$install_sql"
fi

q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

setup_db() {  # db kind
    local db=$1 kind=$2
    q -d postgres -c "drop database if exists $db" -c "create database $db"
    if [ "$kind" = c ]; then
        q -d "$db" -c "create extension pgq" >/dev/null 2>&1 || return 1
    else
        q -d "$db" -f "$install_sql" >/dev/null
    fi
    q -d "$db" >/dev/null <<'SQL'
select pgq.create_queue('bench');
create sequence bench_id;
create table t_plain (id bigint primary key, a text, b int, c timestamptz, d numeric, e bool);
create table t_log  (like t_plain including all);
create table t_sql  (like t_plain including all);
create table t_json (like t_plain including all);
create trigger trg after insert or update or delete on t_log  for each row execute procedure pgq.logutriga('bench');
create trigger trg after insert or update or delete on t_sql  for each row execute procedure pgq.sqltriga('bench');
create trigger trg after insert or update or delete on t_json for each row execute procedure pgq.jsontriga('bench');
SQL
    if [ "$kind" = pl ]; then
        # ours only: the statement-level triggers pgq.create_trigger() makes
        q -d "$db" >/dev/null <<'SQL'
create table t_log_st  (like t_plain including all);
create table t_sql_st  (like t_plain including all);
create table t_json_st (like t_plain including all);
select pgq.create_trigger('t_log_st', 'bench', 'logutriga');
select pgq.create_trigger('t_sql_st', 'bench', 'sqltriga');
select pgq.create_trigger('t_json_st', 'bench', 'jsontriga');
SQL
        # and, when this schema has them, the generated row-level triggers
        q -d "$db" >/dev/null <<'SQL'
do $$ begin
  if to_regprocedure('pgq._trg_gen_create(regclass, text, text)') is not null then
    create table t_log_gen  (like t_plain including all);
    create table t_sql_gen  (like t_plain including all);
    create table t_json_gen (like t_plain including all);
    perform pgq.create_trigger('t_log_gen', 'bench', 'logutriga', i_generated => true);
    perform pgq.create_trigger('t_sql_gen', 'bench', 'sqltriga', i_generated => true);
    perform pgq.create_trigger('t_json_gen', 'bench', 'jsontriga', i_generated => true);
  end if;
  if to_regprocedure('pgq._trg_stmt_trigger_sql(text, text, text)') is not null then
    create table t_log_gst  (like t_plain including all);
    create table t_sql_gst  (like t_plain including all);
    create table t_json_gst (like t_plain including all);
    perform pgq.create_trigger('t_log_gst', 'bench', 'logutriga', i_generated => true, i_statement => true);
    perform pgq.create_trigger('t_sql_gst', 'bench', 'sqltriga', i_generated => true, i_statement => true);
    perform pgq.create_trigger('t_json_gst', 'bench', 'jsontriga', i_generated => true, i_statement => true);
  end if;
end $$;
SQL
    fi
}

# the generated-trigger tables (row-level _gen, statement-level _gst), where the schema has them
gen_tables() {
    q -d "$1" -c "select string_agg(relname, ' ' order by relname like '%gst', relname)
                    from pg_class where relname like 't\_%\_gen' or relname like 't\_%\_gst'"
}

median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# single-row INSERT transactions through pgbench; prints avg latency in ms
single_run() {  # db table
    local f
    f=$(mktemp /tmp/pgq_bench.XXXXXX.sql)
    echo "insert into $2 values (nextval('bench_id'), 'some text ' || random(), 42, now(), 1234.5678, true);" > "$f"
    pgbench -n -c 1 -t "$tx" -f "$f" "$1" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
    rm -f "$f"
}

# one multi-row INSERT ... SELECT; prints elapsed ms (server side)
bulk_run() {  # db table
    q -d "$1" <<SQL
do \$\$ declare t0 timestamptz := clock_timestamp(); begin
  insert into $2 select nextval('bench_id'), 'some text ' || i, i, now(), i / 3.0, i % 2 = 0
    from generate_series(1, $rows) i;
  raise warning 'ms=%', extract(epoch from clock_timestamp() - t0) * 1000;
end \$\$;
SQL
}
bulk_ms() { bulk_run "$@" 2>&1 | sed -n 's/.*ms=\([0-9.]*\).*/\1/p'; }

# CPU time per row, in us, of the bulk INSERT/UPDATE/DELETE and of one-row
# INSERT transactions: prints "ins upd del tx"
cpu_run() {  # db table
    q -d "$1" <<SQL 2>&1 | sed -n 's/.*cpu=//p'
create function pg_temp.cpu_ns() returns bigint language sql
    as \$\$ select split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint \$\$;
do \$\$ declare c0 bigint; c1 bigint; c2 bigint; c3 bigint; c4 bigint; begin
  c0 := pg_temp.cpu_ns();
  insert into $2 select nextval('bench_id'), 'some text ' || i, i, now(), i / 3.0, i % 2 = 0
    from generate_series(1, $rows) i;
  c1 := pg_temp.cpu_ns();
  update $2 set b = b + 1, a = a || 'x';
  c2 := pg_temp.cpu_ns();
  delete from $2;
  c3 := pg_temp.cpu_ns();
  for i in 1 .. $tx loop
    insert into $2 values (nextval('bench_id'), 'some text ' || random(), 42, now(), 1234.5678, true);
    commit;
  end loop;
  c4 := pg_temp.cpu_ns();
  delete from $2;
  raise warning 'cpu=% % % %', (c1 - c0) / 1000.0 / $rows, (c2 - c1) / 1000.0 / $rows,
                               (c3 - c2) / 1000.0 / $rows, (c4 - c3) / 1000.0 / $tx;
end \$\$;
SQL
}

# CPU mode: the two sides interleaved, table by table and run by run (pl,
# then C, for each table), so that a change in the machine's other load
# hits both alike; the minimum of BENCH_RUNS (default 3) runs per side and
# table, minus the same on t_plain of that side.
measure_cpu_both() {  # with_c(0/1)
    local with_c=$1 t run runs=${BENCH_RUNS:-3}
    local pl_tables="t_plain t_log t_sql t_json t_log_st t_sql_st t_json_st $(gen_tables "$db_pl")"
    for run in $(seq 1 "$runs"); do
        for t in $pl_tables; do
            echo "pl $t $(cpu_run "$db_pl" $t)"
            if [ "$with_c" = 1 ] && [[ " t_plain t_log t_sql t_json " == *" $t "* ]]; then
                echo "C $t $(cpu_run "$db_c" $t)"
            fi
        done
    done | awk '
        { k = $1 SUBSEP $2; for (i = 3; i <= 6; i++) if (!((k, i) in m) || $i < m[k, i]) m[k, i] = $i; seen[k] = 1 }
        END { n = split("t_plain t_log t_sql t_json t_log_st t_sql_st t_json_st t_log_gen t_sql_gen t_json_gen t_log_gst t_sql_gst t_json_gst", ts, " ")
              split("pl C", ls, " ")
              for (j = 1; j <= 2; j++) { l = ls[j]; p = l SUBSEP "t_plain"
                  for (x = 1; x <= n; x++) { k = l SUBSEP ts[x]; if (!(k in seen)) continue
                      printf "%-4s %-10s cpu us/row  insert %7.1f  update %7.1f  delete %7.1f  1-row tx %7.1f\n", l, ts[x],
                             m[k, 3] - m[p, 3], m[k, 4] - m[p, 4], m[k, 5] - m[p, 5], m[k, 6] - m[p, 6] } } }'
}

measure() {  # db label
    local db=$1 label=$2 t a b c plain_s plain_b s bk tables="t_plain t_log t_sql t_json"
    [ "$label" = pl ] && tables="$tables t_log_st t_sql_st t_json_st $(gen_tables "$db")"
    # warm up plans and caches
    for t in $tables; do tx=100 single_run "$db" "$t" >/dev/null; done
    for t in $tables; do
        a=$(single_run "$db" $t); b=$(single_run "$db" $t); c=$(single_run "$db" $t)
        s=$(median3 "$a" "$b" "$c")
        a=$(bulk_ms "$db" $t); b=$(bulk_ms "$db" $t); c=$(bulk_ms "$db" $t)
        bk=$(median3 "$a" "$b" "$c")
        if [ $t = t_plain ]; then plain_s=$s; plain_b=$bk; fi
        awk -v l="$label" -v t="$t" -v s="$s" -v ps="$plain_s" -v bk="$bk" -v pb="$plain_b" -v n="$rows" 'BEGIN {
            printf "%-4s %-9s single: %8.1f us/tx (+%7.1f us/row)   bulk: %8.1f us/row (+%7.1f us/row)\n",
                   l, t, s * 1000, (s - ps) * 1000, bk * 1000 / n, (bk - pb) * 1000 / n }'
    done
}

echo "# server: $(q -d postgres -c 'show server_version')"
if [ "${BENCH_CLOCK:-wall}" = cpu ]; then
    echo "# PgQ trigger CPU cost per row (backend CPU time, minimum of ${BENCH_RUNS:-3} interleaved runs, minus the table without trigger);"
    echo "# $rows-row INSERT, UPDATE, DELETE; $tx one-row INSERT transactions"
    setup_db "$db_pl" pl
    if setup_db "$db_c" c; then
        measure_cpu_both 1
    else
        echo "# C extension not available: CREATE EXTENSION pgq failed, C side skipped"
        measure_cpu_both 0
    fi
else
    echo "# PgQ trigger cost per row; median of 3; single = $tx single-row transactions, bulk = $rows-row INSERT"
    setup_db "$db_pl" pl
    measure "$db_pl" pl
    if setup_db "$db_c" c; then
        measure "$db_c" C
    else
        echo "# C extension not available: CREATE EXTENSION pgq failed, C side skipped"
    fi
fi
if [ "${BENCH_KEEP:-0}" != 1 ]; then
    q -d postgres -c "drop database if exists $db_pl" -c "drop database if exists $db_c"
fi
