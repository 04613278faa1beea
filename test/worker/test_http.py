"""HTTP-level tests of worker/http.c.

Runs worker/http-probe (build it with `make -C worker http-probe`) against a
stdlib http.server stub on 127.0.0.1 (port 0) that plays a scripted list of
answers and records every request: arrival time, client address and port,
method, path, headers and body.

Run: python3 -m unittest test/worker/test_http.py -v
"""

import gzip
import http.server
import json
import os
import signal
import subprocess
import threading
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "worker" / "http-probe"
CANARY = "pat-na1-CANARY-7f3e9c2a-do-not-print-4b1d"
# The client stamps a request when it sends it; the stub stamps it when the
# handler thread has parsed it. Thread scheduling can shift one stamp against
# another by a few milliseconds, so spacing checks allow this much slack.
SLACK = 0.05


class Stub(http.server.ThreadingHTTPServer):
    """Scripted HubSpot stand-in: answers pop from `script` (the last repeats)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script = [{"status": 200}]
        self.requests = []
        self.lock = threading.Lock()
        self.release = threading.Event()

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def next_answer(self):
        with self.lock:
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.requests.append({
                "t": arrived, "client": self.client_address,
                "method": self.command, "path": self.path,
                "headers": dict(self.headers.items()), "body": body})
        answer = self.server.next_answer()
        if answer.get("stall"):
            # accept and never answer; the test's tearDown releases us
            self.server.release.wait(30)
            self.close_connection = True
            return
        payload = answer.get("body", {"results": []})
        if not isinstance(payload, (bytes, str)):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        headers = {"Content-Type": "application/json;charset=utf-8",
                   "X-HubSpot-Correlation-Id": answer.get("cid", "cid-%d" % len(self.server.requests))}
        headers.update(answer.get("headers", {}))
        if "gzip" in self.headers.get("Accept-Encoding", "") and answer.get("gzip", True):
            payload = gzip.compress(payload)
            headers["Content-Encoding"] = "gzip"
        self.send_response(answer.get("status", 200))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any


def parse(stdout):
    """Probe output: 'key: value' lines; repeated keys collect into lists."""
    out = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(": ")
        out.setdefault(key, []).append(value)
    stats = dict(kv.split("=") for kv in out.get("stats", [""])[0].split())
    out["stats"] = {k: int(v) for k, v in stats.items()}
    return out


def setUpModule():
    if not os.access(PROBE, os.X_OK):
        raise RuntimeError("%s is missing: run `make -C worker http-probe` first" % PROBE)


class HttpTest(unittest.TestCase):
    def setUp(self):
        self.stub = Stub()
        self.thread = threading.Thread(target=self.stub.serve_forever, daemon=True)
        self.thread.start()
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.env.update(HUBSPOT_API_BASE=self.stub.base, HUBSPOT_ACCESS_TOKEN=CANARY,
                        NO_PROXY="*")

    def tearDown(self):
        self.stub.release.set()
        self.stub.shutdown()
        self.stub.server_close()

    def probe(self, *args, script=None, expect_rc=0, timeout=60):
        """Run the probe once; returns (parsed stdout, stderr, seconds taken)."""
        if script is not None:
            self.stub.script = script
        argv = [str(PROBE), "--backoff-base-ms", "100", "--backoff-cap-ms", "400", *args]
        if not any(a in ("GET", "POST") for a in args):
            argv += ["GET", "/crm/v3/objects/contacts?limit=100"]
        start = time.monotonic()
        proc = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout)
        took = time.monotonic() - start
        self.assertNotIn(CANARY, proc.stdout + proc.stderr, "token leaked")
        self.assertEqual(proc.returncode, expect_rc, proc.stdout + proc.stderr)
        return parse(proc.stdout), proc.stderr, took

    def gaps(self):
        t = [r["t"] for r in self.stub.requests]
        return [b - a for a, b in zip(t, t[1:])]

    def assert_window(self, limit, window):
        """No `window` seconds of stub arrivals hold more than `limit` requests."""
        t = [r["t"] for r in self.stub.requests]
        for i in range(len(t) - limit):
            self.assertGreaterEqual(t[i + limit] - t[i], window - SLACK,
                                    "more than %d requests in %.1f s at #%d" % (limit, window, i))

    # --- success paths ---------------------------------------------------

    def test_200_gzip_and_request_headers(self):
        doc = {"results": [{"id": str(i), "properties": {"email": "x%d@example.com" % i}}
                           for i in range(300)]}
        raw = json.dumps(doc)
        out, _, _ = self.probe("--print-body", script=[{"body": raw, "cid": "cid-gzip"}])
        self.assertEqual(out["status"], ["200"])
        self.assertEqual(out["correlation_id"], ["cid-gzip"])
        self.assertEqual(out["body_len"], [str(len(raw))])
        self.assertEqual(json.loads(out["body"][0]), doc)
        self.assertEqual(out["stats"]["bytes"], len(raw))
        h = {k.lower(): v for k, v in self.stub.requests[0]["headers"].items()}
        self.assertIn("gzip", h["accept-encoding"])
        self.assertEqual(h["user-agent"], "loop-sync/1.0")
        self.assertEqual(h["authorization"], "Bearer " + CANARY)
        self.assertEqual(h["accept"], "application/json")
        self.assertEqual(self.stub.requests[0]["path"], "/crm/v3/objects/contacts?limit=100")

    def test_post_json_body(self):
        body = '{"limit":200,"after":"0"}'
        out, _, _ = self.probe("--search", "POST", "/crm/v3/objects/deals/search", body)
        self.assertEqual(out["status"], ["200"])
        req = self.stub.requests[0]
        self.assertEqual((req["method"], req["body"].decode()), ("POST", body))
        self.assertEqual(req["headers"]["Content-Type"], "application/json")

    def test_keep_alive_one_connection(self):
        out, _, _ = self.probe("--count", "3")
        self.assertEqual(out["status"], ["200"] * 3)
        clients = {r["client"] for r in self.stub.requests}
        self.assertEqual(len(self.stub.requests), 3)
        self.assertEqual(len(clients), 1, "expected one TCP connection, saw %s" % clients)

    # --- retries ---------------------------------------------------------

    def test_503_then_200(self):
        out, err, _ = self.probe(script=[{"status": 503, "body": "<html>busy</html>"}, {}])
        self.assertEqual(out["status"], ["200"])
        self.assertEqual((out["stats"]["requests"], out["stats"]["retries"]), (2, 1))
        self.assertGreater(out["stats"]["backoff_ms"], 0)
        self.assertIn("WARNING: GET /crm/v3/objects/contacts?limit=100: HTTP 503", err)
        self.assertRegex(err, r"correlationId cid-1\), retry 1/5 in \d+\.\d s")

    def test_429_retry_after_is_honoured(self):
        out, _, _ = self.probe(script=[{"status": 429, "headers": {"Retry-After": "2"},
                                        "body": {"status": "error", "message": "slow down",
                                                 "policyName": "TEN_SECONDLY_ROLLING"}}, {}])
        self.assertEqual(out["status"], ["200"])
        self.assertEqual(out["stats"]["retries"], 1)
        self.assertGreaterEqual(self.gaps()[0], 2.0)

    def test_429_ten_secondly_without_retry_after(self):
        body = {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "correlationId": "c033cdaa",
                "policyName": "TEN_SECONDLY_ROLLING"}
        out, err, _ = self.probe("--window-ms", "1500", script=[{"status": 429, "body": body}, {}])
        self.assertEqual(out["status"], ["200"])
        self.assertEqual(out["stats"]["retries"], 1)
        # waits until the first request leaves the 1.5 s window
        self.assertGreaterEqual(self.gaps()[0], 1.5 - SLACK)
        self.assertIn("HTTP 429 RATE_LIMIT TEN_SECONDLY_ROLLING: You have reached", err)

    def test_429_secondly_waits_a_second(self):
        body = {"status": "error", "message": "You have reached your secondly limit."}
        out, _, _ = self.probe("--search", script=[{"status": 429, "body": body}, {}])
        self.assertEqual(out["status"], ["200"])
        self.assertGreaterEqual(self.gaps()[0], 1.0)

    def test_423_waits_two_seconds(self):
        out, _, _ = self.probe(script=[{"status": 423, "body": ""}, {}])
        self.assertEqual(out["status"], ["200"])
        self.assertGreaterEqual(self.gaps()[0], 2.0)

    def test_gives_up_after_max_attempts(self):
        out, _, _ = self.probe("--max-attempts", "3", script=[{"status": 502, "body": "Bad Gateway"}],
                               expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 3)
        self.assertEqual(out["retryable"], ["1"])
        self.assertIn("HTTP 502: Bad Gateway (correlationId cid-3); gave up after 3 attempts",
                      out["error"][0])

    # --- failures without retry --------------------------------------------

    def test_401_no_retry_message_and_no_token(self):
        body = {"status": "error", "category": "INVALID_AUTHENTICATION",
                "message": "Authentication credentials not found. This API supports OAuth 2.0 "
                           "authentication and you can find more details at https://developers.hubspot.com",
                "correlationId": "3f2c9b1e-0000-4000-8000-1234567890ab"}
        out, _, _ = self.probe("--debug", "POST", "/crm/v3/objects/contacts/search", "{}",
                               script=[{"status": 401, "body": body}], expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 1)
        self.assertEqual((out["error_status"], out["retryable"]), (["401"], ["0"]))
        self.assertEqual(out["error"][0],
                         "POST /crm/v3/objects/contacts/search: HTTP 401 INVALID_AUTHENTICATION: "
                         + body["message"] + " (correlationId " + body["correlationId"] + ")")

    def test_400_no_retry_with_error_detail(self):
        body = {"category": "VALIDATION_ERROR", "message": "An error occurred",
                "errors": [{"message": "Invalid limit value.", "in": "query"}]}
        out, _, _ = self.probe(script=[{"status": 400, "body": body, "cid": "hdr-cid"}], expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 1)
        self.assertIn("HTTP 400 VALIDATION_ERROR: An error occurred (Invalid limit value.) "
                      "(correlationId hdr-cid)", out["error"][0])

    def test_token_echoed_by_server_is_scrubbed(self):
        body = {"message": "bad token %s\nsecond line" % CANARY, "category": "INVALID_AUTHENTICATION"}
        out, _, _ = self.probe(script=[{"status": 403, "body": body}], expect_rc=1)
        self.assertIn("bad token ***", out["error"][0])
        self.assertIn("second line", out["error"][0])  # still one line
        # a token cut by the 300-character field limit leaks no part of it either
        body = {"message": "x" * 280 + CANARY}
        out, _, _ = self.probe(script=[{"status": 403, "body": body}], expect_rc=1)
        self.assertNotIn(CANARY[:12], out["error"][0])
        self.assertIn("x" * 10 + "*" * 20 + "... (correlationId", out["error"][0])

    def test_non_json_error_body_snippet(self):
        page = "<html>\n<body>" + "x" * 500 + "</body></html>"
        out, _, _ = self.probe(script=[{"status": 404, "body": page, "cid": ""}], expect_rc=1)
        msg = out["error"][0]
        self.assertTrue(msg.startswith("GET /crm/v3/objects/contacts?limit=100: HTTP 404: <html> <body>xxx"))
        self.assertTrue(msg.endswith("x..."), msg)
        self.assertLess(len(msg), 300)

    def test_429_daily_fails_at_once(self):
        body = {"status": "error", "message": "You have reached your daily limit.",
                "errorType": "RATE_LIMIT", "policyName": "DAILY"}
        out, _, _ = self.probe(script=[{"status": 429, "body": body}], expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 1)
        self.assertIn("daily limit reached", out["error"][0])

    def test_retry_after_over_cap_fails(self):
        out, _, _ = self.probe("--retry-after-cap-ms", "5000",
                               script=[{"status": 503, "headers": {"Retry-After": "3600"}}], expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 1)
        self.assertIn("Retry-After of 3600 s exceeds the limit of 5 s", out["error"][0])

    def test_stall_times_out_and_retries(self):
        out, _, took = self.probe("--timeout-ms", "1000", "--max-attempts", "2",
                                  script=[{"stall": True}], expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 2)
        self.assertIn("timed out after 1000 ms; gave up after 2 attempts", out["error"][0])
        self.assertEqual(len(self.stub.requests), 2)
        self.assertLess(took, 5)

    def test_body_cap(self):
        out, _, _ = self.probe("--max-body", "1000", script=[{"body": "y" * 5000, "gzip": False}],
                               expect_rc=1)
        self.assertEqual(out["stats"]["requests"], 1)
        self.assertIn("response larger than 1000 bytes", out["error"][0])

    def test_body_cap_counts_decompressed_bytes(self):
        out, _, _ = self.probe("--max-body", "1000", script=[{"body": "z" * 5000}], expect_rc=1)
        self.assertIn("response larger than 1000 bytes", out["error"][0])

    # --- budgets -----------------------------------------------------------

    def test_search_budget_4_per_second(self):
        out, _, took = self.probe("--search", "--count", "10", "--search-per-second", "4",
                                  "POST", "/crm/v3/objects/deals/search", "{}")
        self.assertEqual(len(out["status"]), 10)
        t = [r["t"] for r in self.stub.requests]
        self.assertGreaterEqual(t[-1] - t[0], 2.0 - SLACK)
        self.assertGreaterEqual(took, 2.0)
        self.assert_window(4, 1.0)
        self.assertGreater(out["stats"]["throttle_ms"], 1000)  # the rest is request time

    def test_general_budget_5_per_second(self):
        out, _, _ = self.probe("--count", "12", "--burst", "5", "--window-ms", "1000")
        self.assertEqual(len(out["status"]), 12)
        self.assert_window(5, 1.0)
        t = [r["t"] for r in self.stub.requests]
        self.assertGreaterEqual(t[-1] - t[0], 2.0 - SLACK)

    def test_advertised_lower_burst_limit_is_adopted(self):
        hdrs = {"X-HubSpot-RateLimit-Max": "2", "X-HubSpot-RateLimit-Remaining": "1",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "1000"}
        out, err, _ = self.probe("--debug", "--count", "5", "--burst", "10", "--window-ms", "1000",
                                 script=[{"headers": hdrs}])
        self.assertEqual(len(out["status"]), 5)
        self.assertIn("client budget lowered from 10 to 2", err)
        self.assert_window(2, 1.0)

    # --- stop signal and deadline ----------------------------------------------

    def test_sigterm_during_backoff_sleep(self):
        self.stub.script = [{"status": 503}]
        argv = [str(PROBE), "--backoff-base-ms", "20000", "--backoff-cap-ms", "20000",
                "GET", "/crm/v3/pipelines/deals"]
        proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 10
            while not self.stub.requests and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.3)  # now in the 10-20 s backoff sleep
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=5)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertLess(took, 0.5)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("GET /crm/v3/pipelines/deals: interrupted by signal", stdout)
        self.assertIn("retry 1/5 in", stderr)
        self.assertNotIn(CANARY, stdout + stderr)

    def test_deadline_stops_retrying(self):
        out, _, took = self.probe("--deadline-ms", "300", "--backoff-base-ms", "1000",
                                  script=[{"status": 503}], expect_rc=1)
        self.assertIn("sync deadline reached", out["error"][0])
        self.assertLess(took, 2)

    def test_connection_refused(self):
        self.env["HUBSPOT_API_BASE"] = "http://127.0.0.1:1"
        out, _, _ = self.probe("--max-attempts", "2", expect_rc=1)
        self.assertIn("Connection refused", out["error"][0])
        self.assertIn("gave up after 2 attempts", out["error"][0])


if __name__ == "__main__":
    unittest.main()
