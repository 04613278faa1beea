#!/usr/bin/env bash
# scripts/cluster.sh — a throwaway PostgreSQL 15 cluster for tests, the demo and the benchmark.
#
#   scripts/cluster.sh start DIR    initdb (if needed) and start; prints nothing but errors
#   scripts/cluster.sh stop DIR     stop it (fast shutdown)
#   scripts/cluster.sh env DIR      print PGHOST/PGPORT/PGUSER exports for it
#
# The server listens only on a Unix socket inside DIR (no TCP), trusts local
# connections, and runs as the 'postgres' OS user when invoked as root, because
# PostgreSQL refuses to run as root.
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop|env DIR}
dir=${2:?usage: cluster.sh start|stop|env DIR}
port=${LOOP_PGPORT:-5439}
bindir=$(pg_config --bindir)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off" \
        start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
env)
    printf 'export PGHOST=%q PGPORT=%q PGUSER=postgres\n' "$dir" "$port"
    ;;
*)
    echo "cluster.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
