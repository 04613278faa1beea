"""test/e2e/test_daemon.py — `loop-sync daemon`: a sync on request ("Sync mit HubSpot") and a clean stop.

An admin's api.request_sync() (emulated PostgREST request) NOTIFYs the
daemon, which must run a sync within seconds and attach the request to it;
a request made while no daemon listens is picked up when one starts;
SIGTERM ends the daemon promptly with exit status 0.
"""

import os
import signal
import subprocess
import time

from harness import LOOP_SYNC, TOKEN, SyncTestCase, psql

ADMIN = "AP-20260101-ADMIN1"


def request_sync(db):
    """api.request_sync() as the admin, in PostgREST's per-request transaction (SECURITY.md §1.4)."""
    script = """
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', '"api", "public"', true), set_config('role', 'loop_admin', true),
       set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"%s"}', true) \\gset
SELECT api.request_sync();
COMMIT;
""" % ADMIN
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db], input=script,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("request_sync failed: " + out.stderr)
    return out.stdout.strip().splitlines()[-1]


class Daemon(SyncTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        psql(cls.db, "INSERT INTO loop.partner (partner_id, name, email, status, is_admin) "
                     "VALUES ('%s', 'Admin', 'admin@example.com', 'active', true)" % ADMIN)

    def start_daemon(self):
        env = dict(os.environ, HUBSPOT_ACCESS_TOKEN=TOKEN, HUBSPOT_API_BASE=self.fake.base)
        return subprocess.Popen([LOOP_SYNC, "--quiet", "--dbname", "dbname=" + self.db, "daemon"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for_run(self, request_id, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = psql(self.db, "SELECT r.status FROM loop.sync_request q JOIN loop.sync_run r ON r.id = q.run_id "
                                   "WHERE q.id = %s AND r.status <> 'running'" % request_id)
            if status:
                return status, time.time()
            time.sleep(0.2)
        self.fail("request %s was not synced within %d s" % (request_id, timeout))

    def stop(self, proc):
        t0 = time.time()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        return proc.returncode, time.time() - t0, err

    def test_1_request_runs_a_sync_within_seconds(self):
        proc = self.start_daemon()
        try:
            time.sleep(1.0)                                   # the daemon is listening
            t0 = time.time()
            request_id = request_sync(self.db)
            status, t1 = self.wait_for_run(request_id)
            self.assertEqual(status, "succeeded")
            self.assertLess(t1 - t0, 10)
            self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_deal"), "3")
        finally:
            code, took, err = self.stop(proc)
        self.assertEqual(code, 0, err)
        self.assertLess(took, 3)
        self.assertIn("daemon: stopped", err)

    def test_2_request_without_daemon_is_picked_up_at_start(self):
        psql(self.db, "UPDATE loop.sync_request SET requested_at = requested_at - interval '10 minutes'")
        request_id = request_sync(self.db)
        proc = self.start_daemon()
        try:
            status, _ = self.wait_for_run(request_id)
            self.assertEqual(status, "succeeded")
        finally:
            code, _, err = self.stop(proc)
        self.assertEqual(code, 0, err)
