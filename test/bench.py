"""test/bench.py — `make bench`: loop-sync against generated portals in the fake HubSpot.

For each size (contacts; deals = contacts / 5) it creates a fresh database
and runs a first sync (every row inserted) and a second one (nothing
changed). For each run it reports wall time, loop-sync's CPU time (user +
system) per 1,000 records, the publish (merge) transaction's time from
loop.sync_run.merge_ms, and loop-sync's peak RSS — CPU and RSS from GNU
time (/usr/bin/time) around that one process. The fake runs without rate limits and loop-sync
with a budget that never throttles, so the numbers are loop's own.

Usage: python3 test/bench.py [--sizes 10000,50000,100000,200000]
Needs PGHOST/PGPORT/PGUSER for a running cluster with the extension installed
(test/bench.sh provides one).
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
from harness import LOOP_SYNC, TOKEN, FakeHubSpot, create_database, psql  # noqa: E402

TARGETS = {"peak_rss_mb": 64.0, "cpu_ms_per_1000": 20.0, "merge_s_per_100k": 3.0}


def timed_sync(db, fake):
    """Run loop-sync once under GNU time; return (wall s, cpu s, peak RSS MiB) of that process.

    GNU time measures the exec'd program alone (a Python child's own rusage
    would count the forked interpreter's pages before exec).
    """
    env = dict(os.environ, HUBSPOT_ACCESS_TOKEN=TOKEN, HUBSPOT_API_BASE=fake.base)
    with tempfile.NamedTemporaryFile("r") as stats, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats.name,
                               LOOP_SYNC, "--quiet", "--search-rate", "100000", "--burst-limit", "100000",
                               "--dbname", "dbname=" + db, "once"],
                              env=env, stdout=subprocess.DEVNULL, stderr=err)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit("bench: loop-sync failed:\n" + err.read())
        wall, user, system, rss_kb = stats.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss_kb) / 1024.0


def run_size(contacts, fake):
    deals = contacts // 5
    fake.control("POST", "/__fake/scenario",
                 {"name": "bench", "contacts": contacts, "deals": deals, "partners": 100})
    db = "loop_bench"
    create_database(db)
    rows = []
    for run in ("first", "second"):
        wall, cpu, rss = timed_sync(db, fake)
        merge_ms, records = psql(db, "SELECT merge_ms || ' ' || (contacts_fetched + deals_fetched) "
                                     "FROM loop.sync_run ORDER BY id DESC LIMIT 1").split()
        records = int(records)
        merge_s = float(merge_ms) / 1000
        rows.append({"contacts": contacts, "deals": deals, "run": run, "records": records,
                     "wall_s": wall, "cpu_ms_per_1000": cpu * 1000 / records * 1000,
                     "merge_s": merge_s, "merge_s_per_100k": merge_s * 100000 / records,
                     "peak_rss_mb": rss})
    return rows


def table(rows):
    lines = ["| contacts | deals | sync | wall (s) | loop-sync CPU (ms / 1,000 records) | merge (s) "
             "| merge (s / 100k records) | peak RSS (MB) |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| {contacts:,} | {deals:,} | {run} | {wall_s:.1f} | {cpu_ms_per_1000:.1f} | {merge_s:.2f} "
                     "| {merge_s_per_100k:.2f} | {peak_rss_mb:.1f} |".format(**r))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="Benchmark loop-sync against generated portals.")
    ap.add_argument("--sizes", default="10000,50000,100000,200000",
                    help="contact counts, comma-separated; deals = contacts / 5 (default %(default)s)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fake = FakeHubSpot("empty", "--no-rate-limit")
    rows = []
    try:
        for n in sizes:
            print("bench: %s contacts, %s deals" % (format(n, ","), format(n // 5, ",")), file=sys.stderr,
                  flush=True)
            rows.extend(run_size(n, fake))
    finally:
        fake.stop()
    print(table(rows))
    misses = ["%s %s = %.2f > %.2f" % (r["contacts"], k, r[k], v)
              for r in rows for k, v in TARGETS.items() if r[k] > v]
    print("\ntargets: peak RSS < %(peak_rss_mb).0f MB, CPU <= %(cpu_ms_per_1000).0f ms / 1,000 records, "
          "merge <= %(merge_s_per_100k).0f s / 100k records: " % TARGETS
          + ("all met" if not misses else "MISSED: " + "; ".join(misses)))


if __name__ == "__main__":
    main()
