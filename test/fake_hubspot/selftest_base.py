"""Shared plumbing of the fake HubSpot self-test: an in-process server on
port 0 and request helpers. The tests themselves are in test_server.py and
selftest_faults.py."""

import gzip
import http.client
import json
import os
import sys
import threading
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import server  # noqa: E402

TOKEN = "test-token"
TODAY = "2026-02-12"
PARTNER = "AP-20260129-AD2F73"
HAS_PARTNER = {"filterGroups": [{"filters": [
    {"propertyName": "affiliate_partner_id", "operator": "HAS_PROPERTY"}]}]}
SERVER_PY = os.path.join(HERE, "server.py")


def with_filters(*filters, **extra):
    body = {"filterGroups": [{"filters": list(filters)}]}
    body.update(extra)
    return body


class FakeHubSpotCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = server.create_server(port=0, token=TOKEN, today=TODAY, rate_limit=False,
                                       quiet=True)
        cls.thread = threading.Thread(target=cls.srv.serve_forever,
                                      kwargs={"poll_interval": 0.05}, daemon=True)
        cls.thread.start()
        cls.port = cls.srv.port

    @classmethod
    def tearDownClass(cls):
        cls.srv.app.stop.set()
        cls.srv.shutdown()
        cls.srv.server_close()

    def setUp(self):
        self.scenario("seed000")
        self.control("POST", "/__fake/limits", {"enabled": False, "search_rate": 5, "burst": 100})

    # -- helpers -------------------------------------------------------------

    def raw(self, method, path, body=None, token=TOKEN, headers=None, conn=None):
        """(status, lower-cased headers, body bytes) of one request."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = {"Content-Type": "application/json"}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
        finally:
            if own:
                conn.close()

    def api(self, method, path, body=None, **kw):
        status, headers, data = self.raw(method, path, body, **kw)
        if headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return status, headers, json.loads(data)

    def search(self, obj, body, **kw):
        return self.api("POST", "/crm/v3/objects/%s/search" % obj, body, **kw)

    def search_all(self, obj, body):
        """All results of a query by following paging.next.after."""
        out, after = [], None
        while True:
            b = dict(body, limit=200)
            if after is not None:
                b["after"] = after
            status, _, resp = self.search(obj, b)
            self.assertEqual(status, 200, resp)
            out.extend(resp["results"])
            if "paging" not in resp:
                return out, resp["total"]
            after = resp["paging"]["next"]["after"]

    def control(self, method, path, body=None, expect=200):
        status, _, data = self.raw(method, path, body, token=None)
        self.assertEqual(status, expect, data)
        return json.loads(data)

    def scenario(self, name, **params):
        params.setdefault("today", TODAY)
        return self.control("POST", "/__fake/scenario", dict(params, name=name))

    def records(self, obj):
        return self.control("GET", "/__fake/records?object=" + obj)["results"]

    def assert_error_body(self, body, headers, category):
        self.assertEqual(body["status"], "error")
        self.assertEqual(body["category"], category)
        self.assertIsInstance(body["message"], str)
        self.assertEqual(body["correlationId"], headers["x-hubspot-correlation-id"])
        uuid.UUID(body["correlationId"])
