"""test/e2e/test_checks.py — the data checks (issue 4 "Data checks") after real syncs.

loop-sync runs against the fake HubSpot; then loop.check() and
loop.attribution_problems are compared with what an independent model
expects. The model reads the fake's own records (GET /__fake/records and the
pipelines endpoint) and applies the rules as DESIGN.md and seed 001
"Troubleshooting" state them, re-implemented here from the text, not from
loop's SQL:

  unknown_partner     a contact or deal names an affiliate_partner_id no partner has;
  mrr_invalid         a deal's affiliate_mrr is not a number loop-sync accepts;
  mrr_not_positive    it rounds (to cents) to 0 or less;
  won_mrr_missing     it is empty on a deal in a won stage (mrr_missing: an open stage);
  status_invalid      affiliate_subscription_status is not Active/Paused/Cancelled (any case);
  won_status_missing  it is empty on a deal in a won stage (status_missing: an open stage).

Closed Lost deals need no MRR. The clean scenario (seed000) must pass every
check; the `problems` scenario (seed000 plus one record per problem) and
`demo` (dirty data) must show exactly the modelled problems and nothing in
the other checks.
"""

import json
import re
import unittest
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

from harness import TOKEN, SyncTestCase, psql

CHECKS = ["funnel_sum", "deal_pipeline", "summary_consistency", "duplicate_partners", "attribution_problems"]
CODES = {"unknown_partner", "mrr_invalid", "mrr_not_positive", "mrr_missing", "won_mrr_missing",
         "status_invalid", "status_missing", "won_status_missing"}
SEED_PARTNER = "AP-20260129-AD2F73"
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
CENT = Decimal("0.01")


def stage_kinds(fake):
    """(pipeline id, stage id) -> open|won|lost from the stage metadata (DESIGN.md "Deal kind")."""
    req = urllib.request.Request(fake.base + "/crm/v3/pipelines/deals",
                                 headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req) as resp:
        pipelines = json.load(resp)["results"]
    kinds = {}
    for p in pipelines:
        for s in p["stages"]:
            closed = str(s["metadata"].get("isClosed")).lower() == "true"
            prob = Decimal(str(s["metadata"].get("probability")))
            kinds[(p["id"], s["id"])] = "won" if closed and prob == 1 else "lost" if closed and prob == 0 else "open"
    return kinds


def mrr_state(raw):
    """'missing', 'invalid', 'not_positive' or 'ok' for a raw affiliate_mrr string."""
    text = (raw or "").strip()
    if not text:
        return "missing"
    if not NUMBER.fullmatch(text) or abs(Decimal(text)) >= Decimal("1e10"):
        return "invalid"
    return "ok" if Decimal(text).quantize(CENT, ROUND_HALF_UP) > 0 else "not_positive"


def status_state(raw):
    text = (raw or "").strip()
    if not text:
        return "missing"
    return "ok" if text.lower() in ("active", "paused", "cancelled") else "invalid"


def expected_problems(fake):
    """{(object, hubspot id, problem)} for every non-archived attributed record of the fake."""
    partners = {p["partner_id"] for p in fake.partners()}
    kinds = stage_kinds(fake)
    out = set()
    for c in fake.records("contacts"):
        pid = c["properties"].get("affiliate_partner_id")
        if not c["archived"] and pid and pid not in partners:
            out.add(("contact", int(c["id"]), "unknown_partner"))
    for d in fake.records("deals"):
        p = d["properties"]
        pid = p.get("affiliate_partner_id")
        if d["archived"] or not pid:
            continue
        key = ("deal", int(d["id"]))
        if pid not in partners:
            out.add(key + ("unknown_partner",))
        kind = kinds.get((p.get("pipeline"), p.get("dealstage")), "open")
        mrr = mrr_state(p.get("affiliate_mrr"))
        if mrr in ("invalid", "not_positive"):
            out.add(key + ("mrr_" + mrr,))
        elif mrr == "missing" and kind != "lost":
            out.add(key + (("won_" if kind == "won" else "") + "mrr_missing",))
        status = status_state(p.get("affiliate_subscription_status"))
        if status == "invalid":
            out.add(key + ("status_invalid",))
        elif status == "missing" and kind != "lost":
            out.add(key + (("won_" if kind == "won" else "") + "status_missing",))
    return out


class ChecksTestCase(SyncTestCase):

    def check(self):
        rows = json.loads(psql(self.db, "SELECT json_agg(c) FROM loop.check() c"))
        self.assertEqual([r["check_name"] for r in rows], CHECKS)
        return {r["check_name"]: r for r in rows}

    def problems(self):
        rows = psql(self.db, "SELECT coalesce(json_agg(p), '[]') FROM loop.attribution_problems p")
        return json.loads(rows)

    def assert_only_attribution_problems(self):
        """The other checks are clean; attribution_problems is exactly the model's set."""
        expected = expected_problems(self.fake)
        got = self.problems()
        self.assertEqual({(r["object"], r["hubspot_id"], r["problem"]) for r in got}, expected)
        self.assertEqual(len(got), len(expected))                   # one row per (record, problem)
        summary = self.check()
        for name in CHECKS[:-1]:
            self.assertEqual((summary[name]["problem_count"], summary[name]["detail"]), (0, []), name)
        self.assertEqual(summary["attribution_problems"]["problem_count"], len(expected))
        self.assertEqual(len(summary["attribution_problems"]["detail"]), min(10, len(expected)))
        return expected, got


class CleanSeed000(ChecksTestCase):
    """Seed 000 is clean: every check is empty, also across an admin override and a second sync."""

    def test_every_check_passes(self):
        self.sync_ok()
        for name, row in self.check().items():
            self.assertEqual((row["problem_count"], row["detail"]), (0, []), name)
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.partner_snapshot"), "1")

    def test_override_after_the_snapshot_is_not_a_problem(self):
        # The snapshot keeps the level of its time; an override set (or cleared)
        # after it changes today's summary, not the history, and is no error.
        self.sync_ok()
        try:
            psql(self.db, "UPDATE loop.partner SET level_override = 'pro' WHERE partner_id = '%s'" % SEED_PARTNER)
            self.assertEqual(psql(self.db, "SELECT level || '/' || mrr_total FROM loop.partner_summary"),
                             "pro/131.70")
            self.assertEqual(psql(self.db, "SELECT level || '/' || mrr_total FROM loop.partner_snapshot"),
                             "starter/87.80")
            for name, row in self.check().items():
                self.assertEqual(row["problem_count"], 0, name)
            self.sync_ok()
            self.assertEqual(psql(self.db, "SELECT level || '/' || mrr_total FROM loop.partner_snapshot"),
                             "pro/131.70")
            for name, row in self.check().items():
                self.assertEqual(row["problem_count"], 0, name)
        finally:
            psql(self.db, "UPDATE loop.partner SET level_override = NULL WHERE partner_id = '%s'" % SEED_PARTNER)

    def test_a_wrong_snapshot_is_reported(self):
        self.sync_ok()
        psql(self.db, "UPDATE loop.partner_snapshot SET leads_total = leads_total + 1, mrr_active = mrr_active - 1")
        try:
            summary = self.check()["summary_consistency"]
            self.assertEqual(summary["problem_count"], 2)
            self.assertEqual(sorted((d["source"], d["field"], d["expected"], d["actual"]) for d in summary["detail"]),
                             [("snapshot", "leads_total", 3, 4), ("snapshot", "mrr_active", 47.8, 46.8)])
        finally:
            self.sync_ok()                                           # the next sync rewrites today's snapshot
        self.assertEqual(self.check()["summary_consistency"]["problem_count"], 0)


class ProblemsScenario(ChecksTestCase):
    """scenarios.py `problems`: seed000 plus one record for each attribution problem."""
    scenario = "problems"

    def test_every_problem_is_found(self):
        self.sync_ok()
        expected, got = self.assert_only_attribution_problems()
        self.assertEqual({p for _, _, p in expected}, CODES)         # the scenario covers every code
        self.assertEqual(len(expected), 15)

    def test_rows_say_what_to_fix(self):
        self.sync_ok()
        raw = {int(d["id"]): d["properties"] for d in self.fake.records("deals")}
        for r in self.problems():
            with self.subTest(row=(r["object"], r["hubspot_id"], r["problem"])):
                self.assertIn(r["property"], r["fix"])
                self.assertRegex(r["fix"], r"^[A-Z].*\.$")
                self.assertEqual(r["fix"].endswith("does not count toward the partner's MRR."),
                                 r["deal_kind"] == "won" and r["problem"] != "unknown_partner")
                if r["problem"] in ("mrr_invalid", "status_invalid"):
                    self.assertEqual(r["value"], raw[r["hubspot_id"]][r["property"]])
                    self.assertIn('"%s"' % r["value"], r["fix"])
                if r["problem"] == "unknown_partner" and r["affiliate_partner_id"].strip().upper() == SEED_PARTNER:
                    self.assertIn("to %s:" % SEED_PARTNER, r["fix"])   # near miss: names the real id
        self.assertEqual(psql(self.db, "SELECT fix FROM loop.attribution_problems WHERE hubspot_id = 9100000005"),
                         'Replace affiliate_mrr "n/a" with the customer\'s monthly amount in EUR as a plain '
                         'positive number (e.g. 89 or 89.50: digits and a decimal point, no currency sign). '
                         'Until then this Closed Won deal does not count toward the partner\'s MRR.')

    def test_fixing_it_in_hubspot_clears_the_problem(self):
        self.sync_ok()
        before = expected_problems(self.fake)
        deal = 9100000005                                            # "Problem – MRR n/a", won
        contact = 51000000007                                        # names the partner in lower case
        self.assertIn(("deal", deal, "mrr_invalid"), before)
        self.assertIn(("contact", contact, "unknown_partner"), before)
        won_before = psql(self.db, "SELECT deals_won FROM loop.partner_summary")
        leads_before = psql(self.db, "SELECT leads_total FROM loop.partner_summary")
        self.fake.mutate("update", "deals", str(deal), {"affiliate_mrr": "89"})
        self.fake.mutate("update", "contacts", str(contact), {"affiliate_partner_id": SEED_PARTNER})
        try:
            self.sync_ok()
            after, _ = self.assert_only_attribution_problems()
            self.assertEqual(before - after, {("deal", deal, "mrr_invalid"), ("contact", contact, "unknown_partner")})
            self.assertEqual(after - before, set())
            self.assertEqual(int(psql(self.db, "SELECT deals_won FROM loop.partner_summary")), int(won_before) + 1)
            self.assertEqual(int(psql(self.db, "SELECT leads_total FROM loop.partner_summary")), int(leads_before) + 1)
        finally:                                                     # the other tests see the scenario as built
            self.fake.mutate("update", "deals", str(deal), {"affiliate_mrr": "n/a"})
            self.fake.mutate("update", "contacts", str(contact), {"affiliate_partner_id": SEED_PARTNER.lower()})
            self.sync_ok()
        self.assertEqual(expected_problems(self.fake), before)


class DemoScenario(ChecksTestCase):
    """The demo portal: dirty HubSpot data shows up as attribution problems only."""
    scenario = "demo"

    def test_dirty_data_is_reported(self):
        self.sync_ok()
        expected, _ = self.assert_only_attribution_problems()
        codes = {}
        for _, _, p in expected:
            codes[p] = codes.get(p, 0) + 1
        for code in ("unknown_partner", "mrr_invalid", "won_mrr_missing"):
            self.assertGreater(codes.get(code, 0), 0, codes)
        self.assertEqual(codes["unknown_partner"],
                         sum(1 for c in self.fake.records("contacts")
                             if c["properties"].get("affiliate_partner_id")
                             and c["properties"]["affiliate_partner_id"]
                             not in {p["partner_id"] for p in self.fake.partners()}))


if __name__ == "__main__":
    unittest.main()
