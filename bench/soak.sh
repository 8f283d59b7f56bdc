#!/usr/bin/env bash
# Long fault soak: runs pgqadm_fault_driver (tests/fault/fault_driver.cpp) for
# a long time on a throwaway cluster of its own, then appends the summary line
# to bench/RESULTS.md.
#
#   bench/soak.sh [MINUTES=30] [SEED=random] [BUILD_DIR=build]
#
# SOAK_SECONDS overrides MINUTES (short trial runs); SOAK_RESULTS overrides
# the results file.
#
# The driver restarts PostgreSQL several times a minute, SIGKILLs / SIGINTs /
# SIGHUPs the two ticker daemons and kills consumers mid-batch; at the end it
# checks exactly-once delivery per consumer. Exit status is the driver's
# (0 = no violation, 1 = violations: the seed is printed, the database and the
# logs are kept under the work directory).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
minutes=${1:-30}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
build=${3:-$here/build}
seconds=${SOAK_SECONDS:-$((minutes * 60))}
results=${SOAK_RESULTS:-$here/bench/RESULTS.md}
driver=$build/tests/pgqadm_fault_driver
pgqadm=$build/pgqadm
[ -x "$driver" ] && [ -x "$pgqadm" ] || {
    echo "build first: cmake --build $build (needs $driver and $pgqadm)" >&2
    exit 2
}

work=$(mktemp -d /tmp/pgqadm-soak.XXXXXX)
chmod 755 "$work"
envfile=$work/cluster.env
cleanup() {
    "$here/tests/support/pgcluster.sh" stop "$envfile" || true
}
trap cleanup EXIT
"$here/tests/support/pgcluster.sh" start "$envfile"

echo "soak: ${seconds} s, seed $seed, work dir $work"
set +e
"$driver" --seconds "$seconds" --seed "$seed" --pgqadm "$pgqadm" \
    --workdir "$work/driver" --cluster-env "$envfile" 2>&1 | tee "$work/driver.out"
rc=${PIPESTATUS[0]}
set -e

summary=$(grep '^fault summary:' "$work/driver.out" || echo "fault summary: (none, driver exit $rc)")
result=$([ "$rc" = 0 ] && echo PASS || echo "FAIL (exit $rc)")
{
    [ -f "$results" ] || printf '# Benchmark and soak results\n'
    printf '\n### Fault soak %s, %s s, %s\n\n    %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
        "$seconds" "$result" "$summary"
} >>"$results"
if [ "$rc" != 0 ]; then
    # shellcheck disable=SC1090
    (. "$envfile" && cp "$PGHOST/server.log" "$work/server.log") || true
    echo "soak FAILED (seed $seed); driver output, ticker logs and server.log in $work" >&2
fi
exit "$rc"
