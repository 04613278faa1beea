#!/usr/bin/env bash
# test/demo.sh — `make demo`: a throwaway cluster and the fake HubSpot with the demo
# portal, one loop-sync run, and a partner's dashboard in psql.
#
#   test/demo.sh start   (re)start everything under $LOOP_DEMO_DIR (default /tmp/loop-demo)
#   test/demo.sh stop    stop the fake HubSpot and the cluster
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${LOOP_DEMO_DIR:-/tmp/loop-demo}
db=loop_demo
token=demo-token-not-a-secret

stop() {
    if [ -f "$dir/fake.pid" ]; then
        kill "$(cat "$dir/fake.pid")" 2>/dev/null || true
        rm -f "$dir/fake.pid" "$dir/fake.port"
    fi
    scripts/cluster.sh stop "$dir/pg" 2>/dev/null || true
}

case "${1:-start}" in
stop)
    stop
    echo "demo stopped (data left in $dir; remove it with: rm -rf $dir)"
    exit 0 ;;
start) ;;
*) echo "usage: demo.sh start|stop" >&2; exit 2 ;;
esac

stop
mkdir -p "$dir"; chmod 755 "$dir"
echo "demo: starting PostgreSQL in $dir/pg"
scripts/cluster.sh start "$dir/pg"
eval "$(scripts/cluster.sh env "$dir/pg")"
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
psql -X -q -d "$db" -c "CREATE EXTENSION loop CASCADE" 2>&1 | grep -v '^NOTICE' || true

echo "demo: starting the fake HubSpot (demo portal: ~20 partners, 2,000 leads, 300 deals)"
rm -f "$dir/fake.port"
setsid python3 test/fake_hubspot/server.py --scenario demo --token "$token" --quiet \
    --port-file "$dir/fake.port" >"$dir/fake.log" 2>&1 < /dev/null &
echo $! > "$dir/fake.pid"
for _ in $(seq 100); do [ -f "$dir/fake.port" ] && break; sleep 0.1; done
[ -f "$dir/fake.port" ] || { echo "demo: the fake HubSpot did not start:" >&2; cat "$dir/fake.log" >&2; exit 1; }
api="http://127.0.0.1:$(cat "$dir/fake.port")"

python3 test/fake_hubspot/server.py --scenario demo --emit-partners-sql | psql -X -q -d "$db"

echo "demo: loop-sync once"
HUBSPOT_ACCESS_TOKEN=$token HUBSPOT_API_BASE=$api loop-sync --dbname "dbname=$db" once

psql -X -d "$db" -v partner= -f test/demo.sql

cat <<MSG

The demo keeps running. Connect with:
    psql "host=$PGHOST port=$PGPORT user=postgres dbname=$db"
Sync again (the fake HubSpot answers on $api):
    HUBSPOT_ACCESS_TOKEN=$token HUBSPOT_API_BASE=$api loop-sync --dbname "host=$PGHOST port=$PGPORT user=postgres dbname=$db" once
Stop it with:
    make demo-stop
MSG
