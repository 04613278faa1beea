"""Self-test of the fake HubSpot (stdlib unittest).

Run from the repository root with any of:
    python3 -m unittest test/fake_hubspot/test_server.py -v
    python3 -m unittest discover -s test/fake_hubspot -v
    python3 test/fake_hubspot/test_server.py -v
The fault, transport and CLI tests live in selftest_faults.py and are imported
here; selftest_base.py holds the in-process server and the helpers.
"""

import json
import os
import re
import sys
import time
import http.client
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import model  # noqa: E402
import scenarios  # noqa: E402
from selftest_base import (HAS_PARTNER, PARTNER, TODAY, TOKEN, FakeHubSpotCase,  # noqa: E402
                           with_filters)
from selftest_faults import CliTest, FaultTest, TransportTest  # noqa: E402,F401

class EnvelopeTest(FakeHubSpotCase):
    def test_pipelines(self):
        status, headers, body = self.api("GET", "/crm/v3/pipelines/deals")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json;charset=utf-8")
        uuid.UUID(headers["x-hubspot-correlation-id"])
        self.assertEqual(headers["x-hubspot-ratelimit-interval-milliseconds"], "10000")
        for h in ("max", "remaining", "daily", "daily-remaining"):
            self.assertIn("x-hubspot-ratelimit-" + h, headers)
        self.assertEqual(set(body), {"results"})
        (pipe,) = body["results"]
        self.assertEqual(pipe["id"], "default")
        self.assertEqual(pipe["createdAt"], "1970-01-01T00:00:00Z")
        self.assertFalse(pipe["archived"])
        stages = {s["id"]: s for s in pipe["stages"]}
        self.assertEqual(list(stages), ["appointmentscheduled", "qualifiedtobuy",
                                        "presentationscheduled", "decisionmakerboughtin",
                                        "contractsent", "closedwon", "closedlost"])
        self.assertEqual(stages["closedwon"]["metadata"], {"isClosed": "true", "probability": "1.0"})
        self.assertEqual(stages["closedlost"]["metadata"], {"isClosed": "true", "probability": "0.0"})
        self.assertEqual(stages["qualifiedtobuy"]["metadata"]["probability"], "0.4")
        for s in pipe["stages"]:
            self.assertEqual(s["createdAt"], "1970-01-01T00:00:00Z")
            self.assertTrue(all(isinstance(v, str) for v in s["metadata"].values()))
            self.assertEqual(set(s), {"id", "label", "displayOrder", "metadata", "createdAt",
                                      "updatedAt", "archived"})

    def test_demo_pipelines(self):
        self.scenario("demo")
        _, _, body = self.api("GET", "/crm/v3/pipelines/deals")
        pipes = {p["id"]: p for p in body["results"]}
        self.assertEqual(set(pipes), {"default", "75849302"})
        abo = pipes["75849302"]
        self.assertEqual(abo["label"], "Partner-Abos")
        self.assertTrue(all(s["id"].isdigit() for s in abo["stages"]))
        metas = [(s["metadata"]["isClosed"], s["metadata"]["probability"]) for s in abo["stages"]]
        self.assertIn(("false", "0.0"), metas)  # an early open stage with probability 0
        self.assertIn(("true", "1.0"), metas)
        self.assertIn(("true", "0.0"), metas)

    def test_search_envelope_and_properties(self):
        status, headers, body = self.search("contacts", dict(
            HAS_PARTNER, properties=["firstname", "hs_lead_status", "content__c", "no_such_prop"]))
        self.assertEqual(status, 200)
        self.assertFalse([h for h in headers if h.startswith("x-hubspot-ratelimit")])
        self.assertEqual(body["total"], 3)
        self.assertNotIn("paging", body)
        ids = [r["id"] for r in body["results"]]
        self.assertEqual(ids, sorted(ids, key=int))
        for r in body["results"]:
            self.assertEqual(set(r), {"id", "properties", "createdAt", "updatedAt", "archived"})
            self.assertTrue(r["id"].isdigit() and int(r["id"]) > 2 ** 32)
            self.assertFalse(r["archived"])
            p = r["properties"]
            self.assertEqual(set(p), {"firstname", "hs_lead_status", "content__c", "hs_object_id",
                                      "createdate", "lastmodifieddate"})
            self.assertEqual(p["hs_object_id"], r["id"])
            self.assertEqual(p["createdate"], r["createdAt"])
            self.assertEqual(p["lastmodifieddate"], r["updatedAt"])
            self.assertIsNone(p["content__c"])
            self.assertTrue(all(v is None or isinstance(v, str) for v in p.values()))
        by_name = {r["properties"]["firstname"]: r["properties"] for r in body["results"]}
        self.assertEqual(set(by_name), {"Markus", "Anna", "Thomas"})
        self.assertIsNone(by_name["Anna"]["hs_lead_status"])
        self.assertEqual(by_name["Markus"]["hs_lead_status"], "NEW")

    def test_default_properties(self):
        _, _, body = self.search("contacts", {})
        self.assertEqual(body["total"], 5)
        self.assertEqual(len(body["results"]), 5)
        self.assertEqual(set(body["results"][0]["properties"]),
                         {"firstname", "lastname", "email", "hs_object_id", "createdate",
                          "lastmodifieddate"})
        _, _, body = self.search("deals", {"properties": ["dealname", "affiliate_mrr"]})
        self.assertEqual(set(body["results"][0]["properties"]),
                         {"dealname", "affiliate_mrr", "hs_object_id", "createdate",
                          "hs_lastmodifieddate"})

    def test_seed000_values(self):
        names = list(model.CONTACT_PROPERTIES)
        _, _, body = self.search("contacts", dict(HAS_PARTNER, properties=names))
        people = {r["properties"]["lastname"]: r["properties"] for r in body["results"]}
        self.assertEqual(set(people), {"Weber", "Schmidt", "Fischer"})
        w, s, f = people["Weber"], people["Schmidt"], people["Fischer"]
        self.assertEqual((w["company"], w["lifecyclestage"], w["hs_lead_status"], w["source__c"],
                          w["utm_medium__c"], w["utm_campaign__c"]),
                         ("Gastro-Betrieb Weber GmbH", "lead", "NEW", "linkedin", "social",
                          "partner-q1-2026"))
        self.assertEqual((s["company"], s["lifecyclestage"], s["hs_lead_status"], s["source__c"],
                          s["utm_medium__c"], s["utm_campaign__c"]),
                         ("Hotel Sonnenhof GmbH", "marketingqualifiedlead", None, "affiliate",
                          "newsletter", "partner-newsletter-feb"))
        self.assertEqual((f["company"], f["lifecyclestage"], f["hs_lead_status"], f["source__c"],
                          f["utm_medium__c"], f["utm_campaign__c"]),
                         ("Bäckerei Fischer GmbH", "opportunity", "IN_PROGRESS", "partner", "email",
                          "demo-kampagne"))
        forms = sorted(p["affiliate_referral_date"] for p in people.values())
        self.assertTrue(any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in forms))
        self.assertTrue(any(re.fullmatch(r"\d{13}", v) for v in forms))
        self.assertTrue(any(v.endswith("T00:00:00.000Z") for v in forms))
        for p in people.values():
            self.assertEqual(p["affiliate_partner_id"], PARTNER)
            self.assertIsNone(p["content__c"])
            self.assertIsNone(p["utm_term__c"])
            self.assertTrue(p["email"] and p["phone"])

        _, _, body = self.search("deals", dict(HAS_PARTNER, properties=list(model.DEAL_PROPERTIES)))
        deals = {r["properties"]["dealname"]: r["properties"] for r in body["results"]}
        self.assertEqual(len(deals), 3)
        got = sorted((d["affiliate_mrr"], d["affiliate_subscription_status"], d["closedate"],
                      d["pipeline"], d["dealstage"]) for d in deals.values())
        self.assertEqual(got, [
            ("150", "Active", "2026-01-23T12:00:00.000Z", "default", "closedwon"),
            ("200", "Paused", "2026-01-13T12:00:00.000Z", "default", "closedwon"),
            ("89", "Active", "2026-02-02T12:00:00.000Z", "default", "closedwon")])
        self.assertIn("Bäckerei Fischer – Ordio Starter", deals)
        _, _, body = self.search("deals", {})
        self.assertEqual(body["total"], 4)
        partners = self.control("GET", "/__fake/partners")["partners"]
        self.assertEqual(partners, [{"partner_id": PARTNER, "name": "Loop Testpartner",
                                     "email": "testpartner@example.com"}])

    def test_unknown_path_and_object(self):
        status, headers, body = self.api("GET", "/crm/v3/objects/contacts/42/nothing")
        self.assertEqual(status, 404)
        self.assert_error_body(body, headers, "OBJECT_NOT_FOUND")
        status, headers, body = self.search("tickets", {})
        self.assertEqual(status, 404)

    def test_list_endpoint(self):
        status, _, body = self.api("GET", "/crm/v3/objects/contacts?limit=2&properties=firstname")
        self.assertEqual(status, 200)
        self.assertEqual(len(body["results"]), 2)
        seen = [r["id"] for r in body["results"]]
        while "paging" in body:
            _, _, body = self.api("GET", "/crm/v3/objects/contacts?limit=2&after="
                                  + body["paging"]["next"]["after"])
            seen += [r["id"] for r in body["results"]]
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)
        status, headers, body = self.api("GET", "/crm/v3/objects/contacts?limit=101")
        self.assertEqual(status, 400)

    def test_fast_encoder_matches_render(self):
        store = self.srv.app.store.objects["contacts"]
        self.control("POST", "/__fake/mutate", {"op": "archive", "object": "contacts",
                                                "id": "51000000002"})
        for props in (store.resolve_props(None), store.resolve_props(list(model.CONTACT_PROPERTIES)),
                      store.resolve_props([])):
            recs = [store.records[i] for i in store.ids]
            fast = json.loads("[%s]" % store.encode(recs, props))
            self.assertEqual(fast, [store.render(r, props) for r in recs])


class PagingAndFilterTest(FakeHubSpotCase):
    def test_paging_after(self):
        self.scenario("demo")
        expected = sorted(int(r["id"]) for r in self.records("contacts")
                          if r["properties"]["affiliate_partner_id"] and not r["archived"])
        after, got, afters = None, [], []
        while True:
            body = dict(HAS_PARTNER, limit=200)
            if after is not None:
                body["after"] = after
            status, _, resp = self.search("contacts", body)
            self.assertEqual(status, 200)
            self.assertEqual(resp["total"], len(expected))
            got += [int(r["id"]) for r in resp["results"]]
            if "paging" not in resp:
                break
            after = resp["paging"]["next"]["after"]
            afters.append(after)
        self.assertEqual(got, expected)
        self.assertEqual(afters, [str(200 * k) for k in range(1, len(afters) + 1)])
        self.assertEqual(len(expected), 2000)
        # an offset past the end gives an empty page with the same total
        _, _, resp = self.search("contacts", dict(HAS_PARTNER, limit=10, after="5000"))
        self.assertEqual((resp["total"], resp["results"]), (2000, []))

    def test_filters(self):
        self.scenario("demo")
        contacts = {r["id"]: r["properties"] for r in self.records("contacts")}
        deals = {r["id"]: r["properties"] for r in self.records("deals")}

        def ids(obj, body):
            results, total = self.search_all(obj, body)
            self.assertEqual(total, len(results))
            return {r["id"] for r in results}

        def flt(prop, op, **kw):
            return dict({"propertyName": prop, "operator": op}, **kw)

        self.assertEqual(ids("contacts", with_filters(flt("lifecyclestage", "EQ", value="customer"))),
                         {i for i, p in contacts.items() if p["lifecyclestage"] == "customer"})
        self.assertEqual(
            ids("contacts", with_filters(flt("lifecyclestage", "IN", values=["opportunity", "lead"]))),
            {i for i, p in contacts.items() if p["lifecyclestage"] in ("opportunity", "lead")})
        self.assertEqual(ids("contacts", with_filters(flt("hs_lead_status", "NOT_HAS_PROPERTY"))),
                         {i for i, p in contacts.items() if p["hs_lead_status"] is None})
        self.assertEqual(ids("contacts", with_filters(flt("lifecyclestage", "NEQ", value="lead"))),
                         {i for i, p in contacts.items() if p["lifecyclestage"] != "lead"})
        # case-insensitive string EQ matches "Active", "active" and "ACTIVE"
        active = ids("deals", with_filters(flt("affiliate_subscription_status", "EQ", value="active")))
        self.assertEqual(active, {i for i, p in deals.items()
                                  if (p["affiliate_subscription_status"] or "").lower() == "active"})
        self.assertGreater(len({deals[i]["affiliate_subscription_status"] for i in active}), 1)
        # datetime BETWEEN with epoch ms, whatever form the closedate is stored in
        lo, hi = model.day_ms(model._dt.date(2025, 9, 1)), model.day_ms(model._dt.date(2025, 12, 1))
        self.assertEqual(
            ids("deals", with_filters(flt("closedate", "BETWEEN", value=str(lo), highValue=str(hi)))),
            {i for i, p in deals.items() if lo <= model.to_epoch_ms(p["closedate"]) <= hi})
        # numeric GT on hs_object_id, ANDed with HAS_PROPERTY
        pivot = sorted(contacts, key=int)[1234]
        self.assertEqual(
            ids("contacts", with_filters(flt("affiliate_partner_id", "HAS_PROPERTY"),
                                         flt("hs_object_id", "GT", value=pivot))),
            {i for i, p in contacts.items() if int(i) > int(pivot) and p["affiliate_partner_id"]})
        # groups are ORed
        got = ids("contacts", {"filterGroups": [
            {"filters": [flt("lifecyclestage", "EQ", value="evangelist")]},
            {"filters": [flt("lifecyclestage", "EQ", value="other")]}]})
        self.assertEqual(got, {i for i, p in contacts.items()
                               if p["lifecyclestage"] in ("evangelist", "other")})
        # numeric comparison of a number property stored as text
        got = ids("deals", with_filters(flt("affiliate_mrr", "GTE", value="400")))
        self.assertEqual(got, {i for i, p in deals.items()
                               if model.to_number(p["affiliate_mrr"]) is not None
                               and model.to_number(p["affiliate_mrr"]) >= 400})

    def test_sorting(self):
        self.scenario("demo")
        _, _, body = self.search("contacts", dict(HAS_PARTNER, limit=50,
                                                  sorts=[{"propertyName": "createdate",
                                                          "direction": "DESCENDING"}]))
        created = [r["createdAt"] for r in body["results"]]
        self.assertEqual(created, sorted(created, reverse=True))
        _, _, body = self.search("contacts", dict(HAS_PARTNER, limit=50, sorts=["-hs_object_id"]))
        ids = [int(r["id"]) for r in body["results"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        _, _, body = self.search("deals", {"limit": 200, "properties": ["affiliate_mrr"],
                                           "sorts": [{"propertyName": "affiliate_mrr"}]})
        nums = [model.to_number(r["properties"]["affiliate_mrr"]) for r in body["results"]]
        numeric = [n for n in nums if n is not None]
        self.assertEqual(numeric, sorted(numeric))
        # hs_object_id sorts numerically, not as text
        self.control("POST", "/__fake/mutate", {"op": "create", "object": "deals",
                                                "properties": {"dealname": "x"}})
        store = self.srv.app.store.objects["deals"]
        with self.srv.app.store.lock:
            rec = store.records.pop(store.ids.pop())
            rec.id, rec.sid = 99, "99"
            store.records[99] = rec
            store.ids.insert(0, 99)
            store.invalidate()
        _, _, body = self.search("deals", {"limit": 3, "sorts": ["hs_object_id"]})
        self.assertEqual(body["results"][0]["id"], "99")

    def test_validation_errors(self):
        status, headers, body = self.search("contacts", dict(HAS_PARTNER, limit=201))
        self.assertEqual(status, 400)
        self.assert_error_body(body, headers, "VALIDATION_ERROR")
        err = body["errors"][0]
        self.assertTrue({"message", "in", "code", "subCategory", "context"} <= set(err))
        self.assertEqual(err["in"], "limit")
        self.assertIn("links", body)
        big = dict(HAS_PARTNER, properties=["firstname"] * 400)
        self.assertGreater(len(json.dumps(big)), 3000)
        self.assertEqual(self.search("contacts", big)[0], 400)
        f = {"propertyName": "firstname", "operator": "HAS_PROPERTY"}
        six_groups = {"filterGroups": [{"filters": [f]}] * 6}
        self.assertEqual(self.search("contacts", six_groups)[0], 400)
        self.assertEqual(self.search("contacts", with_filters(*[f] * 7))[0], 400)
        self.assertEqual(self.search("contacts", {"filterGroups": [{"filters": [f] * 5}] * 4})[0], 400)
        self.assertEqual(self.search("contacts", {"filterGroups": [{"filters": [f] * 6}] * 3})[0], 200)
        bad_op = with_filters({"propertyName": "firstname", "operator": "LIKE", "value": "x"})
        self.assertEqual(self.search("contacts", bad_op)[0], 400)
        status, headers, data = self.raw("POST", "/crm/v3/objects/contacts/search", "{not json")
        self.assertEqual(status, 400)
        self.assertEqual(self.search("contacts", {"after": "abc"})[0], 400)

    def test_ten_thousand_cap(self):
        self.scenario("bench", contacts=10500, deals=10, partners=5)
        expected = {r["id"] for r in self.records("contacts") if r["properties"]["affiliate_partner_id"]}
        self.assertEqual(len(expected), 10500)
        query = dict(HAS_PARTNER, sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                     properties=["affiliate_partner_id"], limit=200)
        seen, after = [], "0"
        for page in range(50):
            status, _, body = self.search("contacts", dict(query, after=after))
            self.assertEqual(status, 200, body)
            self.assertEqual(body["total"], 10500)
            seen += [r["id"] for r in body["results"]]
            after = body["paging"]["next"]["after"]
        self.assertEqual((len(seen), after), (10000, "10000"))
        status, headers, body = self.search("contacts", dict(query, after=after))
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "There was a problem with the request.")
        self.assert_error_body(body, headers, "VALIDATION_ERROR")
        self.assertEqual(self.search("contacts", dict(query, after="9900"))[0], 400)
        # a new window keyed on the last id continues
        window = dict(query, filterGroups=[{"filters": [
            {"propertyName": "affiliate_partner_id", "operator": "HAS_PROPERTY"},
            {"propertyName": "hs_object_id", "operator": "GT", "value": seen[-1]}]}])
        after, pages = "0", 0
        while after is not None:
            status, _, body = self.search("contacts", dict(window, after=after))
            self.assertEqual((status, body["total"]), (200, 500))
            seen += [r["id"] for r in body["results"]]
            after = body.get("paging", {}).get("next", {}).get("after")
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), expected)


class AuthAndLimitsTest(FakeHubSpotCase):
    def test_401(self):
        for token, headers in ((None, {}), ("wrong", {}), (None, {"Authorization": "Basic " + TOKEN})):
            status, h, body = self.api("GET", "/crm/v3/pipelines/deals", token=token, headers=headers)
            self.assertEqual(status, 401)
            self.assertEqual(set(body), {"status", "message", "correlationId", "category"})
            self.assertEqual(body["message"], model.AUTH_MESSAGE)
            self.assert_error_body(body, h, "INVALID_AUTHENTICATION")
        status, _, _ = self.search("contacts", HAS_PARTNER, token="nope")
        self.assertEqual(status, 401)
        log = self.control("GET", "/__fake/requests")["requests"]
        self.assertEqual([e["authorization_ok"] for e in log], [False] * 4)

    def test_search_rate_limit(self):
        self.control("POST", "/__fake/limits", {"enabled": True, "search_rate": 5})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        results = []
        for _ in range(8):
            status, headers, data = self.raw("POST", "/crm/v3/objects/contacts/search",
                                             HAS_PARTNER, conn=conn)
            results.append((status, headers, json.loads(data)))
        conn.close()
        statuses = [r[0] for r in results]
        self.assertEqual(statuses[:5], [200] * 5)
        self.assertIn(429, statuses[5:])
        for status, headers, body in results:
            self.assertFalse([h for h in headers if h.startswith("x-hubspot-ratelimit")])
            if status == 429:
                self.assertNotIn("retry-after", headers)
                self.assertEqual(body["message"], "You have reached your secondly limit.")
                self.assertEqual((body["errorType"], body["policyName"]), ("RATE_LIMIT", "SECONDLY"))
                self.assertEqual(body["correlationId"], headers["x-hubspot-correlation-id"])
                uuid.UUID(body["requestId"])
        time.sleep(1.05)
        self.assertEqual(self.search("contacts", HAS_PARTNER)[0], 200)
        log = [e["status"] for e in self.control("GET", "/__fake/requests")["requests"]]
        self.assertEqual(log.count(429), statuses.count(429))

    def test_burst_limit(self):
        self.control("POST", "/__fake/limits", {"enabled": True, "burst": 3})
        remaining = []
        for _ in range(3):
            status, headers, _ = self.api("GET", "/crm/v3/pipelines/deals")
            self.assertEqual(status, 200)
            self.assertEqual(headers["x-hubspot-ratelimit-max"], "3")
            remaining.append(headers["x-hubspot-ratelimit-remaining"])
        self.assertEqual(remaining, ["2", "1", "0"])
        status, headers, body = self.api("GET", "/crm/v3/pipelines/deals")
        self.assertEqual(status, 429)
        self.assertNotIn("retry-after", headers)
        self.assertEqual(body["policyName"], "TEN_SECONDLY_ROLLING")
        self.assertEqual(body["message"], "You have reached your ten_secondly_rolling limit.")
        self.assertEqual(self.search("contacts", HAS_PARTNER)[0], 200)  # search is exempt
        self.control("POST", "/__fake/limits", {"enabled": False})
        self.assertEqual(self.api("GET", "/crm/v3/pipelines/deals")[0], 200)

class MutationTest(FakeHubSpotCase):
    def partner_contacts(self):
        _, _, body = self.search("contacts", dict(HAS_PARTNER, properties=["lastname"]))
        return {r["properties"]["lastname"]: r for r in body["results"]}

    def mutate(self, expect=200, **payload):
        return self.control("POST", "/__fake/mutate", payload, expect=expect)

    def test_archive_update_delete(self):
        before = self.partner_contacts()
        self.assertEqual(set(before), {"Weber", "Schmidt", "Fischer"})
        self.mutate(op="archive", object="contacts", id=before["Weber"]["id"])
        self.assertEqual(set(self.partner_contacts()), {"Schmidt", "Fischer"})
        rec = [r for r in self.records("contacts") if r["id"] == before["Weber"]["id"]][0]
        self.assertTrue(rec["archived"])
        self.assertTrue(rec["archivedAt"].endswith("Z"))
        self.assertEqual(rec["updatedAt"], before["Weber"]["updatedAt"])  # archiving keeps it
        _, _, listed = self.api("GET", "/crm/v3/objects/contacts?archived=true")
        self.assertEqual([r["id"] for r in listed["results"]], [before["Weber"]["id"]])

        self.mutate(op="update", object="contacts", id=before["Schmidt"]["id"],
                    properties={"affiliate_partner_id": None})
        after = self.partner_contacts()
        self.assertEqual(set(after), {"Fischer"})
        rec = [r for r in self.records("contacts") if r["id"] == before["Schmidt"]["id"]][0]
        self.assertIsNone(rec["properties"]["affiliate_partner_id"])
        self.assertGreater(rec["updatedAt"], before["Schmidt"]["updatedAt"])
        self.assertEqual(rec["properties"]["lastmodifieddate"], rec["updatedAt"])

        self.mutate(op="delete", object="contacts", id=before["Fischer"]["id"])
        self.assertEqual(self.partner_contacts(), {})
        self.assertNotIn(before["Fischer"]["id"], {r["id"] for r in self.records("contacts")})

    def test_update_empty_string_clears(self):
        _, _, body = self.search("deals", dict(HAS_PARTNER, properties=["affiliate_mrr"]))
        deal = body["results"][0]
        self.mutate(op="update", object="deals", id=deal["id"],
                    properties={"affiliate_partner_id": "", "affiliate_mrr": 99})
        _, _, body = self.search("deals", dict(HAS_PARTNER))
        self.assertEqual(body["total"], 2)
        rec = [r for r in self.records("deals") if r["id"] == deal["id"]][0]
        self.assertEqual(rec["properties"]["affiliate_mrr"], "99")
        self.assertGreater(rec["properties"]["hs_lastmodifieddate"],
                           deal["properties"]["hs_lastmodifieddate"])

    def test_create(self):
        out = self.mutate(op="create", object="contacts",
                          properties={"firstname": "Neu", "affiliate_partner_id": PARTNER,
                                      "lifecyclestage": "lead"})
        self.assertTrue(out["ok"])
        self.assertGreater(int(out["id"]), 51000000005)
        contacts = self.partner_contacts()
        self.assertEqual(len(contacts), 4)
        _, _, body = self.search("contacts", with_filters(
            {"propertyName": "hs_object_id", "operator": "EQ", "value": out["id"]},
            properties=["firstname", "lifecyclestage"]))
        self.assertEqual(body["results"][0]["properties"]["firstname"], "Neu")

    def test_errors(self):
        self.mutate(expect=404, op="archive", object="contacts", id="1")
        self.mutate(expect=404, op="update", object="companies", id="1")
        self.mutate(expect=400, op="explode", object="contacts", id="51000000001")
        self.mutate(expect=400, op="update", object="contacts", id="51000000001",
                    properties={"not_a_property": "x"})


class ScenarioTest(unittest.TestCase):
    def test_determinism(self):
        def snapshot(ds):
            return ([(r.sid, r.created, r.updated, sorted(r.props.items())) for r in ds.contacts],
                    [(r.sid, r.created, r.updated, sorted(r.props.items())) for r in ds.deals],
                    ds.partners, ds.pipelines)
        for name, kw in (("seed000", {}), ("demo", {}),
                         ("bench", {"contacts": 3000, "deals": 500, "partners": 7})):
            a = snapshot(scenarios.build(name, seed=7, today=TODAY, **kw))
            b = snapshot(scenarios.build(name, seed=7, today=TODAY, **kw))
            self.assertEqual(a, b, name)
            if name != "seed000":
                self.assertNotEqual(a, snapshot(scenarios.build(name, seed=8, today=TODAY, **kw)))

    def test_demo_shape(self):
        ds = scenarios.build("demo", seed=42, today=TODAY)
        pids = {p["partner_id"] for p in ds.partners}
        self.assertEqual(len(pids), 20)
        for p in pids:
            self.assertRegex(p, r"^AP-202[56]\d{4}-[A-Z0-9]{6}$")
        attributed = [r for r in ds.contacts if "affiliate_partner_id" in r.props]
        self.assertEqual((len(ds.contacts), len(attributed)), (2400, 2000))
        unknown = [r for r in attributed if r.props["affiliate_partner_id"] not in pids]
        self.assertTrue(5 <= len(unknown) <= 60, len(unknown))
        per = {p: 0 for p in pids}
        for r in attributed:
            if r.props["affiliate_partner_id"] in per:
                per[r.props["affiliate_partner_id"]] += 1
        counts = sorted(per.values())
        self.assertEqual(counts[:3], [0, 0, 0])
        self.assertGreater(counts[-1], 5 * counts[len(counts) // 2])
        deals = [r for r in ds.deals if "affiliate_partner_id" in r.props]
        self.assertEqual((len(ds.deals), len(deals)), (330, 300))
        statuses = {r.props.get("affiliate_subscription_status") for r in deals}
        self.assertTrue({"Active", "Paused", "Cancelled", None} <= statuses)
        self.assertTrue(statuses - {"Active", "Paused", "Cancelled", None})  # odd cases too
        mrrs = [r.props.get("affiliate_mrr") for r in deals]
        self.assertIn(None, mrrs)
        self.assertTrue(any(m is not None and model.to_number(m) is None for m in mrrs))
        self.assertTrue(any(m and "." in m for m in mrrs))
        closes = [r.props["closedate"] for r in ds.deals]
        self.assertTrue(any(re.fullmatch(r"\d{13}", c) for c in closes))
        self.assertTrue(any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c) for c in closes))
        ids = [r.id for r in ds.contacts]
        self.assertEqual(ids, sorted(set(ids)))

    def test_bench_shape(self):
        ds = scenarios.build("bench", seed=1, today=TODAY, contacts=2000, deals=300, partners=9)
        attributed = [r for r in ds.contacts if "affiliate_partner_id" in r.props]
        self.assertEqual((len(attributed), len(ds.contacts) - len(attributed)), (2000, 100))
        self.assertEqual((len(ds.deals), len(ds.partners)), (300, 9))
        self.assertTrue(all(isinstance(v, str) for r in ds.contacts for v in r.props.values()))

if __name__ == "__main__":
    unittest.main()
