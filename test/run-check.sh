#!/usr/bin/env bash
# test/run-check.sh — every test of loop against a throwaway cluster (called by `make check`,
# after the build and `make install`).
#
#   1. worker unit tests (make -C worker unit)
#   2. pg_regress suites test/sql/*.sql (make installcheck)
#   3. the fake HubSpot's self-test, the HTTP layer's tests
#   4. end-to-end tests: loop-sync against the fake HubSpot (test/e2e)
#
# Every suite runs even if an earlier one failed; the exit status is non-zero
# if any failed. The cluster is stopped on exit.
set -uo pipefail
cd "$(dirname "$0")/.."

workdir=$(mktemp -d /tmp/loop-check.XXXXXX)
chmod 755 "$workdir"
cleanup() { scripts/cluster.sh stop "$workdir/pg"; }
trap cleanup EXIT

scripts/cluster.sh start "$workdir/pg" || exit 1
eval "$(scripts/cluster.sh env "$workdir/pg")"

failed=()
run() {
    local name=$1; shift
    echo "=== $name"
    if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}

run "worker unit tests" make -s -C worker unit
run "pg_regress" make -s installcheck
[ -f regression.diffs ] && [ ${#failed[@]} -gt 0 ] && cat regression.diffs
run "fake HubSpot self-test" python3 -m unittest discover -s test/fake_hubspot -p 'test_*.py'
run "HTTP probe build" make -s -C worker http-probe
run "HTTP layer" python3 -m unittest discover -s test/worker -p 'test_*.py'
run "end-to-end" python3 -m unittest discover -s test/e2e -p 'test_*.py'

if [ ${#failed[@]} -gt 0 ]; then
    echo "make check: FAILED: ${failed[*]}"
    exit 1
fi
echo "make check: all suites passed"
