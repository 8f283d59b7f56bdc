#!/usr/bin/env bash
# pg_regress-style runner for one schema test.
#
#   run_sql_test.sh ENVFILE INSTALL_SQL tests/sql/NAME.sql tests/expected/NAME.out
#
# Creates a fresh database, installs the schema from INSTALL_SQL (the
# concatenated file the build generates), runs the test through psql with
# echo on (as pg_regress does) and diffs the output against the expected file.
# PGQADM_BLESS=1 writes the actual output over the expected file instead.
# The test sees PGQADM_INSTALL_SQL and PGQADM_UNINSTALL_SQL (sql/uninstall.sql)
# in its environment (psql: \set x `echo "$PGQADM_INSTALL_SQL"`).
set -euo pipefail
envfile=$1 install_sql=$2 test_sql=$3 expected=$4
# shellcheck disable=SC1090
. "$envfile"
export PGHOST PGPORT PGUSER
# The throwaway cluster's own client; on an external server, psql from PATH.
psql() { "${PGBIN:+$PGBIN/}psql" "$@"; }
name=$(basename "$test_sql" .sql)
db="regress_${name}"
outdir=${PGQADM_TEST_OUTDIR:-$(dirname "$envfile")/sql-results}
mkdir -p "$outdir"
actual="$outdir/$name.out"

psql -X -q -d postgres -c "drop database if exists \"$db\"" -c "create database \"$db\"" >/dev/null
# Stable output: fixed time zone, date and interval styles, English messages.
export PGOPTIONS="-c intervalstyle=postgres_verbose -c datestyle=ISO,MDY -c timezone=UTC -c lc_messages=C -c extra_float_digits=0"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$install_sql" >"$outdir/$name.install.log" 2>&1 \
    || { echo "schema install failed:"; cat "$outdir/$name.install.log"; exit 1; }
export PGQADM_INSTALL_SQL="$install_sql"
export PGQADM_UNINSTALL_SQL="$(cd "$(dirname "$test_sql")/../.." && pwd)/sql/uninstall.sql"
psql -X -a -q -d "$db" <"$test_sql" >"$actual" 2>&1 || true
psql -X -q -d postgres -c "drop database if exists \"$db\"" >/dev/null 2>&1 || true

if [ "${PGQADM_BLESS:-0}" = 1 ]; then
    cp "$actual" "$expected"
    echo "blessed $expected"
    exit 0
fi
if ! diff -u "$expected" "$actual" >"$outdir/$name.diff"; then
    cat "$outdir/$name.diff"
    if [ -n "${PGDATA:-}" ] && [ -f "$PGHOST/server.log" ]; then
        echo "---- server log (tail) ----"
        tail -n 40 "$PGHOST/server.log"
    fi
    exit 1
fi
