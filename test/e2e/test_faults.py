"""test/e2e/test_faults.py — failures, retries, the sync lock and secrets.

A failed sync must exit non-zero with a one-line reason, leave a 'failed'
run with that reason, and leave every live table exactly as it was.
"""

import contextlib
import os
import signal
import subprocess
import time
import unittest

from harness import TOKEN, SyncTestCase, live_md5, psql, run_sync


@contextlib.contextmanager
def failing_trigger(db, table, event, message):
    """A trigger on table that raises message on event, for the duration of the block."""
    psql(db, "CREATE FUNCTION public.simulated_failure() RETURNS trigger LANGUAGE plpgsql AS "
             "$$BEGIN RAISE EXCEPTION '%s'; END$$; "
             "CREATE TRIGGER simulated_failure BEFORE %s ON %s "
             "FOR EACH ROW EXECUTE FUNCTION public.simulated_failure()" % (message, event, table))
    try:
        yield
    finally:
        psql(db, "DROP TRIGGER simulated_failure ON %s; DROP FUNCTION public.simulated_failure()" % table)


class Faults(SyncTestCase):
    """Demo portal (2,000 contacts: 10 search pages) with HubSpot's rate limits on."""

    scenario = "demo"

    def setUp(self):
        self.fake.control("DELETE", "/__fake/faults")
        self.fake.control("DELETE", "/__fake/requests")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = run_sync(cls.db, cls.fake, "--quiet")
        if r.returncode != 0:
            raise AssertionError("initial sync failed: " + r.stderr)

    def assert_failed_cleanly(self, result, *phrases):
        """Exit 1, the reason on stderr and in loop.sync_run, live tables untouched."""
        self.assertEqual(result.returncode, 1, result.stderr)
        run = self.last_run()
        self.assertEqual(run["status"], "failed")
        for phrase in phrases:
            self.assertIn(phrase, result.stderr)
            self.assertIn(phrase, run["error"])
        self.assertEqual(live_md5(self.db), self.md5_before)
        self.assertNotIn(TOKEN, result.stderr + result.stdout)

    def sync_expecting_failure(self, *args):
        self.md5_before = live_md5(self.db)
        return run_sync(self.db, self.fake, "--quiet", *args)

    def test_429_without_retry_after_and_503_are_survived(self):
        self.fake.fault(match="POST /crm/v3/objects/contacts/search", action="status", status=429,
                        skip=2, times=1)
        self.fake.fault(match="POST /crm/v3/objects/deals/search", action="status", status=503, times=1)
        self.fake.fault(match="GET /crm/v3/pipelines", action="status", status=429, retry_after=1, times=1)
        r = run_sync(self.db, self.fake, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        run = self.last_run()
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual(run["http_retries"], 3)
        self.assertIn("HTTP 429", r.stderr)
        self.assertIn("HTTP 503", r.stderr)
        log = self.fake.requests()
        pipelines = [e["t"] for e in log if e["path"].startswith("/crm/v3/pipelines")]
        self.assertEqual(len(pipelines), 2)
        self.assertGreaterEqual(pipelines[1] - pipelines[0], 1.0)    # Retry-After: 1 honoured

    def test_search_budget_respected(self):
        # default budget: 4 searches per second; HubSpot's limit (5/s) never answers 429
        r = run_sync(self.db, self.fake, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        times = sorted(e["t"] for e in self.fake.requests() if e["path"].endswith("/search"))
        self.assertGreaterEqual(len(times), 12)
        worst = max(sum(1 for u in times if t <= u < t + 1.0) for t in times)
        self.assertLessEqual(worst, 4)
        self.assertFalse([e for e in self.fake.requests() if e["status"] == 429])

    def test_401_fails_without_retry(self):
        self.md5_before = live_md5(self.db)
        r = run_sync(self.db, self.fake, "--quiet", "--verbose", token="canary-token-0123456789abcdef")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("HTTP 401", r.stderr)
        self.assertIn("Authentication credentials not found", r.stderr)
        self.assertIn("correlationId", r.stderr)
        self.assertNotIn("canary-token-0123456789abcdef", r.stderr + r.stdout)
        self.assertEqual(len(self.fake.requests()), 1)                 # no retry
        self.assertEqual(live_md5(self.db), self.md5_before)
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.sync_run "
                                       "WHERE row_to_json(sync_run)::text LIKE '%canary-token%'"), "0")

    def test_truncated_page_fails(self):
        self.fake.fault(match="POST /crm/v3/objects/contacts/search", action="truncate", skip=3, times=1)
        r = self.sync_expecting_failure()
        self.assert_failed_cleanly(r, "invalid JSON in the response", "POST /crm/v3/objects/contacts/search")

    def test_invalid_json_fails(self):
        self.fake.fault(match="POST /crm/v3/objects/deals/search", action="invalid_json", times=1)
        r = self.sync_expecting_failure()
        self.assert_failed_cleanly(r, "invalid JSON in the response", "POST /crm/v3/objects/deals/search")

    def test_persistent_5xx_gives_up(self):
        self.fake.fault(match="GET /crm/v3/pipelines", action="status", status=502, times=-1)
        r = self.sync_expecting_failure("--max-attempts", "3")
        self.assert_failed_cleanly(r, "HTTP 502", "gave up after 3 attempts")
        self.assertEqual(len(self.fake.requests()), 3)

    def test_stall_times_out(self):
        self.fake.fault(match="POST /crm/v3/objects/contacts/search", action="stall", seconds=3, times=-1)
        r = self.sync_expecting_failure("--request-timeout", "1", "--max-attempts", "2")
        self.assert_failed_cleanly(r, "timed out")

    def test_database_error_while_staging_fails_cleanly(self):
        with failing_trigger(self.db, "loop.stage_deal", "INSERT", "simulated database failure"):
            r = self.sync_expecting_failure()
        self.assert_failed_cleanly(r, "loading staging: simulated database failure")

    def test_database_error_while_publishing_rolls_back(self):
        # change something in HubSpot so that the publish has work to do, then make it fail half-way
        contact = sorted(r["id"] for r in self.fake.records("contacts")
                         if (r["properties"].get("affiliate_partner_id") or ""))[0]
        self.fake.mutate("update", "contacts", contact, {"firstname": "Geändert"})
        deal = sorted(r["id"] for r in self.fake.records("deals")
                      if (r["properties"].get("affiliate_partner_id") or "") and not r["archived"])[0]
        self.fake.mutate("delete", "deals", deal)
        with failing_trigger(self.db, "loop.hubspot_deal", "DELETE", "simulated failure during publish"):
            r = self.sync_expecting_failure()
        # the contact update that came before the failing delete was rolled back as well
        self.assert_failed_cleanly(r, "publishing: simulated failure during publish")
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact WHERE firstname = 'Geändert'"),
                         "0")
        self.sync_ok()                                   # the lock was released: the next run publishes
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact WHERE firstname = 'Geändert'"),
                         "1")

    def test_concurrent_run_is_refused(self):
        self.fake.fault(match="POST /crm/v3/objects/contacts/search", action="stall", seconds=0.1, times=1)
        self.fake.control("POST", "/__fake/faults", {"faults": [
            {"match": "POST /crm/v3/objects/deals/search", "action": "status", "status": 503, "times": 1,
             "retry_after": 3}]})
        first = run_sync(self.db, self.fake, "--quiet", wait=False)
        time.sleep(1.0)                                  # first holds the lock, waiting on Retry-After
        t0 = time.time()
        second = run_sync(self.db, self.fake, "--quiet")
        elapsed = time.time() - t0
        self.assertEqual(second.returncode, 3, second.stderr)
        self.assertIn("another loop sync is running", second.stderr)
        self.assertLess(elapsed, 2.0)
        out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)

    def test_killed_worker_leaves_data_and_next_run_recovers(self):
        before = live_md5(self.db)
        self.fake.fault(match="POST /crm/v3/objects/deals/search", action="stall", seconds=30, times=1)
        proc = run_sync(self.db, self.fake, "--quiet", wait=False)
        deadline = time.time() + 20
        while psql(self.db, "SELECT count(*) FROM loop.stage_contact") != "2000" and time.time() < deadline:
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        self.assertEqual(live_md5(self.db), before)
        self.fake.control("DELETE", "/__fake/faults")
        r = run_sync(self.db, self.fake, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(psql(self.db, "SELECT status || ': ' || error FROM loop.sync_run ORDER BY id DESC "
                                       "OFFSET 1 LIMIT 1"),
                         "failed: abandoned: the worker stopped before finishing (crash, kill or lost connection)")
        self.assertEqual(live_md5(self.db), before)

    def test_sigterm_records_interrupted_run(self):
        self.fake.fault(match="POST /crm/v3/objects/deals/search", action="stall", seconds=30, times=1)
        self.md5_before = live_md5(self.db)
        proc = run_sync(self.db, self.fake, "--quiet", wait=False)
        deadline = time.time() + 20
        while psql(self.db, "SELECT count(*) FROM loop.stage_contact") != "2000" and time.time() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 5, err)
        run = self.last_run()
        self.assertEqual(run["status"], "failed")
        self.assertIn("interrupted", run["error"])
        self.assertEqual(live_md5(self.db), self.md5_before)


class Usage(unittest.TestCase):

    def run_cli(self, *args, env=None):
        e = {k: v for k, v in os.environ.items() if k != "HUBSPOT_ACCESS_TOKEN"}
        e.update(env or {})
        from harness import LOOP_SYNC
        return subprocess.run([LOOP_SYNC, *args], env=e, capture_output=True, text=True)

    def test_help_documents_options_and_environment(self):
        r = self.run_cli("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("once", "--dbname", "--api-base", "--search-rate", "--burst-limit", "--max-attempts",
                     "--deadline", "HUBSPOT_ACCESS_TOKEN", "HUBSPOT_API_BASE", "PGHOST", "Exit status"):
            self.assertIn(word, r.stdout)

    def test_missing_token(self):
        r = self.run_cli("once")
        self.assertEqual(r.returncode, 2)
        self.assertIn("HUBSPOT_ACCESS_TOKEN is not set", r.stderr)

    def test_bad_arguments(self):
        self.assertEqual(self.run_cli("twice", env={"HUBSPOT_ACCESS_TOKEN": "x"}).returncode, 2)
        self.assertEqual(self.run_cli("--search-rate", "0", "once").returncode, 2)
        self.assertEqual(self.run_cli("--contact-property", "Bad Name", "once").returncode, 2)

    def test_plain_http_only_to_loopback(self):
        r = self.run_cli("--api-base", "http://api.example.com", "once", env={"HUBSPOT_ACCESS_TOKEN": "x"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("must start with https://", r.stderr)

    def test_database_unreachable(self):
        r = self.run_cli("--dbname", "host=/nonexistent port=1", "once", env={"HUBSPOT_ACCESS_TOKEN": "x"})
        self.assertEqual(r.returncode, 4)
        self.assertIn("cannot connect to the database", r.stderr)


if __name__ == "__main__":
    unittest.main()
