#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the test suite.
#
#   pgcluster.sh start ENVFILE   initdb + start; writes PGHOST/PGPORT/PGUSER to ENVFILE
#   pgcluster.sh stop  ENVFILE   stop the cluster and remove its directory
#   pgcluster.sh restart ENVFILE fast restart (used by fault tests)
#
# The cluster lives under /tmp (the repo may not be readable by `postgres`),
# listens on a unix socket in its own directory and on a free loopback port.
# When run as root the server runs as the `postgres` OS user (it refuses root).
# PGQADM_TEST_MAX_CONNECTIONS raises max_connections (default 200; the fleet
# tests start a cluster of their own with more).
# If PGQADM_TEST_DSN_HOST is set, nothing is started: ENVFILE points at that
# existing server instead (PGQADM_TEST_DSN_HOST/PORT/USER).
set -euo pipefail

cmd=${1:?usage: pgcluster.sh start|stop|restart ENVFILE}
envfile=${2:?usage: pgcluster.sh start|stop|restart ENVFILE}
pgbin=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
    done
    echo "no free port found" >&2; exit 1
}

case "$cmd" in
start)
    if [ -n "${PGQADM_TEST_DSN_HOST:-}" ]; then
        printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=%s\nPGDATA=\n' "$PGQADM_TEST_DSN_HOST" \
            "${PGQADM_TEST_DSN_PORT:-5432}" "${PGQADM_TEST_DSN_USER:-postgres}" > "$envfile"
        exit 0
    fi
    dir=$(mktemp -d /tmp/pgqadm-test.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(free_port)
    user=$(if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi)
    as_pg "$pgbin/initdb" -D "$dir/data" -A trust -U "$user" -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = ${PGQADM_TEST_MAX_CONNECTIONS:-200}
max_prepared_transactions = 10
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
shared_preload_libraries = 'pg_stat_statements'
CONF
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    # The pgq roles are cluster-wide. Installers create them when missing, and
    # two installs (ours or CREATE EXTENSION pgq) in parallel tests can race
    # on that; create them once up front.
    "$pgbin/psql" -X -q -h "$dir" -p "$port" -U "$user" -d postgres -v ON_ERROR_STOP=1 \
        -c "create role pgq_reader" -c "create role pgq_writer" \
        -c "create role pgq_admin in role pgq_reader, pgq_writer" >/dev/null
    printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=%s\nPGDATA=%s\nPGBIN=%s\n' "$dir" "$port" "$user" "$dir/data" "$pgbin" > "$envfile"
    ;;
stop)
    [ -f "$envfile" ] || exit 0
    # shellcheck disable=SC1090
    . "$envfile"
    if [ -n "${PGDATA:-}" ] && [ -d "$PGDATA" ]; then
        as_pg "$pgbin/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$(dirname "$PGDATA")"
    fi
    rm -f "$envfile"
    ;;
restart)
    # shellcheck disable=SC1090
    . "$envfile"
    as_pg "$pgbin/pg_ctl" -D "$PGDATA" -l "$PGHOST/server.log" -m fast -w -t 60 restart >/dev/null
    ;;
*)
    echo "unknown command: $cmd" >&2; exit 2 ;;
esac
