"""Fault rules, transport (gzip, keep-alive, Expect, request log) and CLI
tests of the fake HubSpot. Loaded through test_server.py, which imports
these classes, so `unittest discover` runs them once."""

import gzip
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from selftest_base import HAS_PARTNER, SERVER_PY, TOKEN, TODAY, FakeHubSpotCase

class FaultTest(FakeHubSpotCase):
    def add_faults(self, *rules):
        return self.control("POST", "/__fake/faults", {"faults": list(rules)})

    def test_status_fault_with_skip_and_times(self):
        self.add_faults({"match": "GET /crm/v3/pipelines", "action": "status", "status": 503,
                         "retry_after": 2, "times": 2, "skip": 1})
        got = []
        for _ in range(4):
            status, headers, body = self.api("GET", "/crm/v3/pipelines/deals")
            got.append((status, headers.get("retry-after")))
        self.assertEqual(got, [(200, None), (503, "2"), (503, "2"), (200, None)])
        (rule,) = self.control("GET", "/__fake/faults")["faults"]
        self.assertEqual((rule["remaining"], rule["applied"], rule["times"]), (0, 2, 2))
        log = self.control("GET", "/__fake/requests")["requests"]
        self.assertEqual([e["fault"] for e in log], [None, "status", "status", None])

    def test_status_fault_bodies(self):
        self.add_faults({"match": "search", "action": "status", "status": 429},
                        {"match": "search", "action": "status", "status": 500},
                        {"match": "search", "action": "status", "status": 502,
                         "body": {"custom": True}})
        status, headers, body = self.search("contacts", HAS_PARTNER, token=None)  # before auth
        self.assertEqual(status, 429)
        self.assertEqual(body["policyName"], "TEN_SECONDLY_ROLLING")
        self.assertNotIn("retry-after", headers)
        status, headers, body = self.search("contacts", HAS_PARTNER)
        self.assertEqual(status, 500)
        self.assert_error_body(body, headers, "INTERNAL_ERROR")
        self.assertEqual(body["message"], "Internal error")
        status, _, body = self.search("contacts", HAS_PARTNER)
        self.assertEqual((status, body), (502, {"custom": True}))
        self.assertEqual(self.search("contacts", HAS_PARTNER)[0], 200)

    def test_forever_and_clear(self):
        self.add_faults({"match": "pipelines", "action": "status", "status": 504, "times": -1})
        for _ in range(3):
            self.assertEqual(self.api("GET", "/crm/v3/pipelines/deals")[0], 504)
        self.control("DELETE", "/__fake/faults")
        self.assertEqual(self.control("GET", "/__fake/faults")["faults"], [])
        self.assertEqual(self.api("GET", "/crm/v3/pipelines/deals")[0], 200)

    def test_bad_fault_rule(self):
        self.control("POST", "/__fake/faults", {"faults": [{"match": "(", "action": "close"}]},
                     expect=400)
        self.control("POST", "/__fake/faults", {"faults": [{"match": "x", "action": "explode"}]},
                     expect=400)

    def test_stall(self):
        self.add_faults({"match": "pipelines", "action": "stall", "seconds": 0.4})
        t0 = time.monotonic()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.raw("GET", "/crm/v3/pipelines/deals")
        self.assertGreaterEqual(time.monotonic() - t0, 0.35)
        self.assertEqual(self.api("GET", "/crm/v3/pipelines/deals")[0], 200)
        log = self.control("GET", "/__fake/requests")["requests"]
        self.assertEqual((log[0]["fault"], log[0]["status"]), ("stall", None))

    def test_truncate(self):
        body = dict(HAS_PARTNER, properties=["firstname"])
        _, _, full = self.raw("POST", "/crm/v3/objects/contacts/search", body)
        self.add_faults({"match": "POST .*/search", "action": "truncate"})
        status, headers, data = self.raw("POST", "/crm/v3/objects/contacts/search", body)
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), len(data))
        self.assertEqual(data, full[:len(full) // 2])
        with self.assertRaises(ValueError):
            json.loads(data)

    def test_invalid_json(self):
        self.add_faults({"match": "pipelines", "action": "invalid_json"})
        status, headers, data = self.raw("GET", "/crm/v3/pipelines/deals")
        self.assertEqual((status, data), (200, b'{"results": [ this is not json'))
        self.assertEqual(int(headers["content-length"]), len(data))

    def test_close_mid_body(self):
        self.add_faults({"match": "pipelines", "action": "close"})
        with self.assertRaises(http.client.IncompleteRead):
            self.raw("GET", "/crm/v3/pipelines/deals")
        # the same with a raw socket: full Content-Length announced, half sent, then EOF
        self.add_faults({"match": "pipelines", "action": "close"})
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"GET /crm/v3/pipelines/deals HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, payload = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        self.assertTrue(head.startswith(b"HTTP/1.1 200"))
        self.assertEqual(len(payload), length // 2)


class TransportTest(FakeHubSpotCase):
    def test_gzip(self):
        for method, path, body in (("GET", "/crm/v3/pipelines/deals", None),
                                   ("POST", "/crm/v3/objects/contacts/search", HAS_PARTNER)):
            _, plain_h, plain = self.raw(method, path, body)
            status, h, zipped = self.raw(method, path, body, headers={"Accept-Encoding": "gzip, deflate"})
            self.assertEqual(status, 200)
            self.assertNotIn("content-encoding", plain_h)
            self.assertEqual(h["content-encoding"], "gzip")
            self.assertEqual(int(h["content-length"]), len(zipped))
            self.assertEqual(gzip.decompress(zipped), plain)
        status, h, data = self.raw("GET", "/crm/v3/pipelines/deals", token=None,
                                   headers={"Accept-Encoding": "gzip"})
        self.assertEqual((status, h["content-encoding"]), (401, "gzip"))
        self.assertEqual(json.loads(gzip.decompress(data))["category"], "INVALID_AUTHENTICATION")

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.raw("GET", "/crm/v3/pipelines/deals", conn=conn)
        sock = conn.sock
        for body in (HAS_PARTNER, dict(HAS_PARTNER, limit=500), {}):
            status, _, _ = self.raw("POST", "/crm/v3/objects/deals/search", body, conn=conn)
            self.assertIn(status, (200, 400))
        self.raw("GET", "/crm/v3/pipelines/deals", token="bad", conn=conn)
        self.assertIs(conn.sock, sock)
        conn.close()

    def test_expect_100_continue(self):
        body = json.dumps(dict(HAS_PARTNER, properties=["firstname"] * 150)).encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.settimeout(0.5)  # the interim answer must come at once, not after a flush
            s.sendall(b"POST /crm/v3/objects/contacts/search HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                      b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                      b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            self.assertTrue(s.recv(1024).startswith(b"HTTP/1.1 100 Continue"))
            s.sendall(body)
            s.settimeout(5)
            self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200"))

    def test_request_log(self):
        self.search("contacts", dict(HAS_PARTNER, after="0", limit=2),
                    headers={"Accept-Encoding": "gzip"})
        self.api("GET", "/crm/v3/pipelines/deals")
        log = self.control("GET", "/__fake/requests")["requests"]
        self.assertEqual(len(log), 2)  # control calls are not logged
        first = log[0]
        self.assertEqual(set(first), {"t", "method", "path", "query", "status", "fault",
                                      "search_after", "body", "accept_encoding", "authorization_ok"})
        self.assertEqual((first["method"], first["path"], first["status"], first["search_after"]),
                         ("POST", "/crm/v3/objects/contacts/search", 200, "0"))
        self.assertEqual(first["body"]["limit"], 2)
        self.assertEqual(first["accept_encoding"], "gzip")
        self.assertTrue(first["authorization_ok"])
        self.assertIsNone(log[1]["search_after"])
        self.assertNotIn(TOKEN, json.dumps(log))
        self.control("DELETE", "/__fake/requests")
        self.assertEqual(self.control("GET", "/__fake/requests")["requests"], [])



class CliTest(unittest.TestCase):
    def run_cli(self, *args):
        return subprocess.run([sys.executable, SERVER_PY] + list(args), capture_output=True,
                              text=True, timeout=60)

    def test_emit_partners_sql(self):
        out = self.run_cli("--emit-partners-sql")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout,
                         "INSERT INTO loop.partner (partner_id, name, email, status) VALUES\n"
                         "  ('AP-20260129-AD2F73', 'Loop Testpartner', 'testpartner@example.com',"
                         " 'active');\n")
        out = self.run_cli("--emit-partners-sql", "--scenario", "demo", "--today", TODAY)
        self.assertEqual(out.stdout.count("'active')"), 20)
        self.assertIn("'D''Angelo Gastro Consulting'", out.stdout)
        self.assertTrue(out.stdout.rstrip().endswith(";"))
        self.assertTrue(self.run_cli("--emit-partners-sql", "--scenario", "empty")
                        .stdout.startswith("--"))

    def test_help(self):
        out = self.run_cli("--help")
        self.assertEqual(out.returncode, 0)
        for opt in ("--port-file", "--token", "--scenario", "--no-rate-limit", "--search-rate",
                    "--burst", "--emit-partners-sql", "--today", "--quiet"):
            self.assertIn(opt, out.stdout)

    def test_serve_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen([sys.executable, SERVER_PY, "--port", "0", "--port-file",
                                     port_file, "--token", "cli-token", "--scenario", "empty"],
                                    stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 20
                while not os.path.exists(port_file) and time.monotonic() < deadline:
                    time.sleep(0.05)
                with open(port_file) as f:
                    port = int(f.read())
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/crm/v3/objects/contacts/search", body="{}",
                             headers={"Authorization": "Bearer cli-token"})
                resp = conn.getresponse()
                self.assertEqual((resp.status, json.loads(resp.read())),
                                 (200, {"total": 0, "results": []}))
                conn.close()
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=10), 0)
                log = proc.stderr.read()
                self.assertIn("POST /crm/v3/objects/contacts/search -> 200", log)
                self.assertNotIn("cli-token", log)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stderr.close()
