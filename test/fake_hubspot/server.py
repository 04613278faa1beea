#!/usr/bin/env python3
"""Fake HubSpot CRM API for loop's tests, demo and benchmark (stdlib only).

Serves GET /crm/v3/pipelines/deals, POST /crm/v3/objects/{contacts|deals}/search
and GET /crm/v3/objects/{contacts|deals} with HubSpot's shapes, paging, limits
and errors, plus a control API under /__fake/ (faults, request log, mutations,
scenarios, limits). See README.md next to this file.
"""

import argparse
import datetime as dt
import gzip
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import scenarios  # noqa: E402
import search  # noqa: E402
from faults import Faults  # noqa: E402
from model import (ApiError, default_error_body, auth_error, error_body, new_id,  # noqa: E402
                   not_found, rate_limit_body, validation_error)
from ratelimit import RateLimiter  # noqa: E402
from store import LIST_MAX_LIMIT, Store  # noqa: E402

SEARCH_RE = re.compile(r"^/crm/v3/objects/([^/]+)/search/?$")
LIST_RE = re.compile(r"^/crm/v3/objects/([^/]+)/?$")
PIPELINES_RE = re.compile(r"^/crm/v3/pipelines/deals/?$")
JSON_CT = "application/json;charset=utf-8"
INVALID_JSON_BODY = b'{"results": [ this is not json'
LOG_MAX = 500000
DEFAULT_TOKEN = "fake-hubspot-token"


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class App:
    """State shared by all request threads."""

    def __init__(self, token=DEFAULT_TOKEN, scenario="seed000", seed=42, today=None,
                 contacts=100000, deals=20000, partners=100, search_rate=5, burst=100,
                 rate_limit=True, quiet=False):
        self.token = token
        self.quiet = quiet
        self.defaults = {"name": scenario, "seed": seed, "today": today, "contacts": contacts,
                         "deals": deals, "partners": partners}
        self.store = Store(self._build({}))
        self.faults = Faults()
        self.limiter = RateLimiter(search_rate, burst, rate_limit)
        self.log_lock = threading.Lock()
        self.requests = []
        self.stop = threading.Event()

    def _build(self, params):
        p = dict(self.defaults)
        p.update({k: v for k, v in params.items() if v is not None})
        return scenarios.build(p["name"], seed=int(p["seed"]), today=p["today"],
                               contacts=int(p["contacts"]), deals=int(p["deals"]),
                               partners=int(p["partners"]))

    def load_scenario(self, params):
        dataset = self._build(params)
        with self.store.lock:
            self.store.load(dataset)
        self.faults.clear()
        self.limiter.reset()
        with self.log_lock:
            self.requests = []
        return self.store.summary()

    def record(self, entry):
        with self.log_lock:
            self.requests.append(entry)
            if len(self.requests) > LOG_MAX:
                del self.requests[:len(self.requests) - LOG_MAX]

    def say(self, line):
        if not self.quiet:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-hubspot/1.0"
    disable_nagle_algorithm = True
    wbufsize = -1  # buffered: headers and small bodies leave in one write

    # -- plumbing ----------------------------------------------------------

    def handle_expect_100(self):
        """Send '100 Continue' at once (libcurl asks for it on bodies over 1 KiB);
        the base class leaves it in our buffered wfile, stalling curl for 1 s."""
        ok = super().handle_expect_100()
        self.wfile.flush()
        return ok

    def log_request(self, code="-", size="-"):
        pass  # one line per request is written by _handle

    def log_message(self, fmt, *args):
        self.server.app.say("%s %s" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise ValueError("chunked request bodies are not supported; send Content-Length")
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    @staticmethod
    def _encode(body, cid):
        """Response body -> bytes; a None correlationId becomes `cid`."""
        if isinstance(body, dict) and "correlationId" in body and body["correlationId"] is None:
            body = dict(body, correlationId=cid)
        if isinstance(body, (dict, list)):
            return _dumps(body)
        if isinstance(body, str):
            return body.encode("utf-8")
        return body or b""

    def _send(self, status, body, headers, cid, partial=False):
        """Send one complete response (or, with partial, headers and half the body)."""
        data = self._encode(body, cid)
        if "gzip" in self.headers.get("Accept-Encoding", "").lower():
            data = gzip.compress(data, compresslevel=1)
            headers = dict(headers, **{"Content-Encoding": "gzip"})
        self.send_response(status)
        self.send_header("Content-Type", JSON_CT)
        self.send_header("X-HubSpot-Correlation-Id", cid)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if partial:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(data)

    # -- dispatch ----------------------------------------------------------

    def _handle(self):
        app = self.server.app
        t0 = time.monotonic()
        cid = new_id()
        url = urlsplit(self.path)
        try:
            raw = self._read_body()
        except ValueError as e:
            self.close_connection = True
            self._send(411, error_body(str(e), "VALIDATION_ERROR"), {}, cid)
            return
        if url.path.startswith("/__fake/"):
            status = self._control(app, url, raw, cid)
            app.say("%s %s %s -> %s %.1fms [control]" % (
                self.address_string(), self.command, self.path, status,
                (time.monotonic() - t0) * 1000))
            return
        status, fault = self._api_request(app, url, raw, cid)
        app.say("%s %s %s -> %s %.1fms%s" % (
            self.address_string(), self.command, self.path, status,
            (time.monotonic() - t0) * 1000, " fault=" + fault if fault else ""))

    def _api_request(self, app, url, raw, cid):
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        auth_ok = scheme.lower() == "bearer" and token.strip() == app.token
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        is_search = self.command == "POST" and SEARCH_RE.match(url.path) is not None
        entry = {"t": time.time(), "method": self.command, "path": url.path,
                 "query": url.query or None, "status": None, "fault": None,
                 "search_after": (parsed.get("after") if is_search and isinstance(parsed, dict)
                                  else None),
                 "body": parsed, "accept_encoding": self.headers.get("Accept-Encoding", ""),
                 "authorization_ok": auth_ok}
        rule = app.faults.pick("%s %s" % (self.command, self.path))
        partial = False
        if rule is None:
            status, body, headers = self._api(app, url, text, auth_ok)
        else:
            entry["fault"] = rule.action
            if rule.action == "status":
                status = rule.status
                body = rule.body if rule.body is not None else default_error_body(status)
                headers = {}
                if rule.retry_after is not None:
                    headers["Retry-After"] = str(rule.retry_after)
            elif rule.action == "stall":
                app.record(entry)
                app.stop.wait(rule.seconds)
                self.close_connection = True  # close without any response
                return "stall", rule.action
            elif rule.action == "invalid_json":
                status, body, headers = 200, INVALID_JSON_BODY, {}
            else:  # truncate, close: the real response, mangled
                status, body, headers = self._api(app, url, text, auth_ok)
                if rule.action == "truncate":
                    data = self._encode(body, cid)
                    body = data[:len(data) // 2]
                else:
                    partial = True
        entry["status"] = status
        app.record(entry)
        self._send(status, body, headers, cid, partial)
        return status, rule.action if rule else None

    def _api(self, app, url, text, auth_ok):
        """The real answer to an API request: (status, body, headers)."""
        headers = {}
        try:
            if not auth_ok:
                raise auth_error()
            m = SEARCH_RE.match(url.path)
            if m and self.command == "POST":
                if not app.limiter.check_search():
                    return 429, rate_limit_body("SECONDLY"), {}
                if text is None:
                    raise validation_error("Request body is not valid UTF-8", "body")
                query = search.parse_search(text)
                with app.store.lock:
                    return 200, app.store.object_store(m.group(1)).search(query), {}
            allowed, headers = app.limiter.check_burst()
            if not allowed:
                return 429, rate_limit_body("TEN_SECONDLY_ROLLING"), headers
            if self.command == "GET" and PIPELINES_RE.match(url.path):
                with app.store.lock:
                    return 200, {"results": app.store.pipelines}, headers
            m = LIST_RE.match(url.path)
            if self.command == "GET" and m:
                return 200, self._list(app, m.group(1), url), headers
            raise not_found("Unable to route %s %s" % (self.command, url.path))
        except ApiError as e:
            return e.status, e.body, dict(headers, **e.headers)
        except Exception:  # a bug in the fake: answer like HubSpot would, log it
            traceback.print_exc()
            return 500, default_error_body(500), headers

    def _list(self, app, object_name, url):
        q = parse_qs(url.query)
        first = lambda k, d=None: q.get(k, [d])[0]
        try:
            limit = int(first("limit", "10"))
            after = int(first("after", "0") or 0)
        except ValueError:
            raise validation_error("limit and after must be integers", "limit")
        if limit > LIST_MAX_LIMIT or limit < 1:
            raise validation_error("Must be between 1 and %d" % LIST_MAX_LIMIT, "limit")
        props = first("properties")
        props = [p for p in props.split(",") if p] if props is not None else None
        archived = first("archived", "false").lower() == "true"
        base = "http://%s:%d%s" % (self.server.server_address[0], self.server.server_address[1],
                                   url.path)
        with app.store.lock:
            return app.store.object_store(object_name).list_page(limit, after, props, archived,
                                                                 base)

    # -- control API ---------------------------------------------------------

    def _control(self, app, url, raw, cid):
        route = (self.command, url.path.rstrip("/"))
        try:
            payload = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            if not isinstance(payload, dict):
                raise ValueError("body must be a JSON object")
            status, body = 200, self._control_route(app, route, url, payload)
        except ApiError as e:
            status, body = e.status, {"ok": False, "error": e.body.get("message")}
        except (ValueError, TypeError, KeyError) as e:
            status, body = 400, {"ok": False, "error": str(e)}
        self._send(status, body, {}, cid)
        return status

    def _control_route(self, app, route, url, payload):
        method, path = route
        store = app.store
        if route == ("GET", "/__fake/health"):
            with store.lock:
                return {"ok": True, "data": store.summary(), "limits": app.limiter.settings()}
        if path == "/__fake/faults":
            if method == "POST":
                added = app.faults.add(payload.get("faults"))
                return {"ok": True, "added": added, "faults": app.faults.describe()}
            if method == "DELETE":
                app.faults.clear()
                return {"ok": True}
            if method == "GET":
                return {"faults": app.faults.describe()}
        if path == "/__fake/requests":
            if method == "GET":
                with app.log_lock:
                    return {"requests": list(app.requests)}
            if method == "DELETE":
                with app.log_lock:
                    app.requests = []
                return {"ok": True}
        if route == ("POST", "/__fake/mutate"):
            with store.lock:
                rid = store.object_store(payload.get("object")).mutate(
                    payload.get("op"), payload.get("id"), payload.get("properties"))
            return {"ok": True, "id": rid}
        if route == ("POST", "/__fake/scenario"):
            name = payload.get("name", app.defaults["name"])
            if name not in scenarios.NAMES:
                raise ValueError("unknown scenario %r" % (name,))
            params = {k: payload.get(k) for k in ("seed", "today", "contacts", "deals", "partners")}
            params["name"] = name
            return {"ok": True, "data": app.load_scenario(params)}
        if route == ("GET", "/__fake/records"):
            obj = parse_qs(url.query).get("object", ["contacts"])[0]
            with store.lock:
                return {"results": store.object_store(obj).dump()}
        if route == ("GET", "/__fake/partners"):
            with store.lock:
                return {"partners": list(store.partners)}
        if path == "/__fake/limits" and method in ("GET", "POST"):
            if method == "POST":
                app.limiter.configure(payload.get("search_rate"), payload.get("burst"),
                                      payload.get("enabled"))
                app.limiter.reset()
            return dict(app.limiter.settings(), ok=True)
        raise not_found("unknown control endpoint %s %s" % (method, path))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app):
        super().__init__(address, Handler)
        self.app = app

    @property
    def port(self):
        return self.server_address[1]


def create_server(host="127.0.0.1", port=0, **app_options):
    """A bound, listening Server (call serve_forever() to run it)."""
    return Server((host, port), App(**app_options))


# ---------------------------------------------------------------------------
# CLI

def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Fake HubSpot CRM API (pipelines, search, list) with a control API "
                    "under /__fake/. Stops on SIGTERM/SIGINT.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    p.add_argument("--port-file", metavar="PATH",
                   help="write the bound port here once listening (atomically: tmp + rename)")
    p.add_argument("--token", default=DEFAULT_TOKEN,
                   help="the only accepted bearer token (default %s)" % DEFAULT_TOKEN)
    p.add_argument("--scenario", choices=scenarios.NAMES, default="seed000",
                   help="data set to serve (default seed000)")
    p.add_argument("--contacts", type=int, default=100000, metavar="N",
                   help="bench: attributed contacts (default 100000; +5%% unattributed)")
    p.add_argument("--deals", type=int, default=20000, metavar="M",
                   help="bench: attributed deals (default 20000)")
    p.add_argument("--partners", type=int, default=100, metavar="P",
                   help="bench: partners (default 100)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--today", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="reference date for generated dates (default: today, UTC)")
    p.add_argument("--no-rate-limit", action="store_true",
                   help="disable the search and burst limits (headers are still sent)")
    p.add_argument("--search-rate", type=int, default=5, metavar="N",
                   help="search requests per rolling second (default 5)")
    p.add_argument("--burst", type=int, default=100, metavar="N",
                   help="non-search requests per rolling 10 s (default 100)")
    p.add_argument("--quiet", action="store_true", help="no per-request log on stderr")
    p.add_argument("--emit-partners-sql", action="store_true",
                   help="print INSERT INTO loop.partner ... for the scenario's partners and exit")
    return p.parse_args(argv)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    if args.emit_partners_sql:
        ds = scenarios.build(args.scenario, seed=args.seed, today=args.today,
                             contacts=args.contacts, deals=args.deals, partners=args.partners)
        sys.stdout.write(scenarios.partners_sql(ds.partners))
        return 0
    t0 = time.monotonic()
    server = create_server(args.host, args.port, token=args.token, scenario=args.scenario,
                           seed=args.seed, today=args.today, contacts=args.contacts,
                           deals=args.deals, partners=args.partners,
                           search_rate=args.search_rate, burst=args.burst,
                           rate_limit=not args.no_rate_limit, quiet=args.quiet)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        write_port_file(args.port_file, server.port)
    summary = server.app.store.summary()
    sys.stderr.write("fake-hubspot: listening on http://%s:%d scenario=%s contacts=%d deals=%d "
                     "(loaded in %.2fs)\n" % (args.host, server.port, summary["scenario"],
                                              summary["contacts"], summary["deals"],
                                              time.monotonic() - t0))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.app.stop.set()
        server.server_close()
    sys.stderr.write("fake-hubspot: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
