#!/usr/bin/env bash
# test/bench.sh — `make bench`: a throwaway cluster, then test/bench.py (sizes from
# $LOOP_BENCH_SIZES, default 10000,50000,100000,200000 contacts; deals = contacts / 5).
set -euo pipefail
cd "$(dirname "$0")/.."
workdir=$(mktemp -d /tmp/loop-bench.XXXXXX)
chmod 755 "$workdir"
trap 'scripts/cluster.sh stop "$workdir/pg"' EXIT
scripts/cluster.sh start "$workdir/pg"
eval "$(scripts/cluster.sh env "$workdir/pg")"
python3 test/bench.py --sizes "${LOOP_BENCH_SIZES:-10000,50000,100000,200000}"
