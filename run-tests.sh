#!/usr/bin/env bash
# Builds pgqadm (warnings are errors) and runs every test tier: unit tests,
# the SQL regression suite, the integration and interop tests and a 60 s
# fault-injection run, each against a throwaway PostgreSQL 15 cluster that the
# test run starts and stops itself.
#   BUILD_DIR=build  CTEST_ARGS="-L unit"  SANITIZE=1  ./run-tests.sh
set -euo pipefail
cd "$(dirname "$0")"
build=${BUILD_DIR:-build}
if [ "${SANITIZE:-0}" = 1 ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPGQADM_WERROR=ON -DPGQADM_SANITIZE=ON
else
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGQADM_WERROR=ON
fi
cmake --build "$build" -j"$(nproc)"
cd "$build"
# shellcheck disable=SC2086
ctest --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
