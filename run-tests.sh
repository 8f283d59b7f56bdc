#!/usr/bin/env bash
# Builds pgqadm (warnings are errors) and runs every test tier: unit tests,
# the SQL regression suite and the integration tests, each against a
# throwaway PostgreSQL 15 cluster that the test run starts and stops itself.
#   BUILD_DIR=build  CTEST_ARGS="-L unit"  ./run-tests.sh
set -euo pipefail
cd "$(dirname "$0")"
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGQADM_WERROR=ON
cmake --build "$build" -j"$(nproc)"
cd "$build"
# shellcheck disable=SC2086
ctest --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
