"""test/e2e/harness.py — shared plumbing of the end-to-end tests.

The tests run the real loop-sync binary against the fake HubSpot server
(test/fake_hubspot/server.py) and a PostgreSQL cluster given by libpq's
environment (PGHOST, PGPORT, PGUSER; test/run-check.sh starts one). Each test
class gets its own database with the loop extension. Only the standard
library is used; SQL goes through psql.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FAKE = os.path.join(ROOT, "test", "fake_hubspot", "server.py")
LOOP_SYNC = os.environ.get("LOOP_SYNC", os.path.join(ROOT, "worker", "loop-sync"))
TOKEN = "e2e-fake-token-do-not-use"


class FakeHubSpot:
    """A fake HubSpot server in a subprocess, with its control API."""

    def __init__(self, scenario="seed000", *args):
        self.dir = tempfile.mkdtemp(prefix="loop-fake-")
        port_file = os.path.join(self.dir, "port")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, FAKE, "--quiet", "--token", TOKEN, "--scenario", scenario,
             "--port-file", port_file, *args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("fake HubSpot did not start; see " + self.log.name)
            time.sleep(0.05)
        with open(port_file) as f:
            self.base = "http://127.0.0.1:%s" % f.read().strip()

    def control(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def fault(self, **rule):
        self.control("POST", "/__fake/faults", {"faults": [rule]})

    def mutate(self, op, obj, record_id, properties=None):
        return self.control("POST", "/__fake/mutate",
                            {"op": op, "object": obj, "id": record_id, "properties": properties})

    def records(self, obj):
        return self.control("GET", "/__fake/records?object=" + obj)["results"]

    def partners(self):
        return self.control("GET", "/__fake/partners")["partners"]

    def requests(self):
        return self.control("GET", "/__fake/requests")["requests"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def psql(db, sql, check=True):
    """Run SQL in database db; return stdout (unaligned, tuples only)."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                         capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (sql, out.stderr))
    return out.stdout.strip()


def create_database(name):
    subprocess.run(["dropdb", "--if-exists", name], check=True, capture_output=True)
    subprocess.run(["createdb", name], check=True, capture_output=True)
    psql(name, "CREATE EXTENSION loop CASCADE")


def add_partners(db, partners):
    for p in partners:
        psql(db, "INSERT INTO loop.partner (partner_id, name, email, status) VALUES "
                 "(%s, %s, %s, 'active')" % (quote(p["partner_id"]), quote(p["name"]), quote(p["email"])))


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def run_sync(db, fake, *args, env=None, token=TOKEN, wait=True):
    """Run loop-sync once; returns CompletedProcess (or Popen if wait=False)."""
    e = dict(os.environ)
    e.update({"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_API_BASE": fake.base})
    e.update(env or {})
    cmd = [LOOP_SYNC, "--dbname", "dbname=" + db, *args, "once"]
    if not wait:
        return subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=600)


LIVE_TABLES = ("hubspot_contact", "hubspot_deal", "hubspot_deal_stage", "hubspot_pipeline")


def live_md5(db):
    """md5 of every live mirror table's rows in key order."""
    parts = []
    for t in LIVE_TABLES:
        parts.append(psql(db, "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                              "FROM loop.%s t" % t))
    return "/".join(parts)


class SyncTestCase(unittest.TestCase):
    """One database and one fake HubSpot per test class."""

    scenario = "seed000"
    fake_args = ()

    @classmethod
    def setUpClass(cls):
        cls.db = "e2e_" + cls.__name__.lower()
        create_database(cls.db)
        cls.fake = FakeHubSpot(cls.scenario, *cls.fake_args)
        add_partners(cls.db, cls.fake.partners())

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def sync_ok(self, *args):
        r = run_sync(self.db, self.fake, "--quiet", *args)
        self.assertEqual(r.returncode, 0, "loop-sync failed:\n" + r.stderr)
        return r

    def last_run(self):
        row = psql(self.db, "SELECT row_to_json(r) FROM loop.sync_run r ORDER BY id DESC LIMIT 1")
        return json.loads(row)
