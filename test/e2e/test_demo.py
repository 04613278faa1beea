"""test/e2e/test_demo.py — the demo portal against an independent model of the rules.

The fake's own records (GET /__fake/records, /crm/v3/pipelines/deals) are
run through a small Python re-implementation of DESIGN.md's rules, written
from the design text and independent of loop's SQL and C, and compared with
loop.partner_summary_at(as_of) partner by partner.
"""

import datetime as dt
import json
import re
import unittest
import urllib.request
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from harness import TOKEN, SyncTestCase, psql

AS_OF = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
LEVELS = [("pro", 11, 30), ("partner", 6, 25), ("starter", 1, 20)]
CENT = Decimal("0.01")


def lead_status(lifecycle, lead_status_):
    stage = (lifecycle or "").strip().lower()
    if stage in ("customer", "evangelist"):
        return "won"
    if stage == "opportunity":
        return "deal"
    tokens = set(re.split(r"[^a-z0-9]+", (lead_status_ or "").lower()))
    if stage in ("marketingqualifiedlead", "salesqualifiedlead") or (
            "qualified" in tokens and not tokens & {"not", "non", "unqualified", "disqualified"}):
        return "qualified"
    return "new"


def parse_time(text):
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+", text):
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.timezone.utc)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def money(text):
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value.quantize(CENT, ROUND_HALF_UP) if value.is_finite() else None


def stage_kinds(fake):
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


def expected_summary(fake):
    partners = {p["partner_id"]: p for p in fake.partners()}
    kinds = stage_kinds(fake)
    out = {pid: dict(leads_total=0, leads_new=0, leads_qualified=0, leads_deal=0, leads_won=0,
                     deals_open=0, deals_won=0, deals_lost=0, active_deals=0, won_90d=0, won_ever=0,
                     deals=[]) for pid in partners}
    for c in fake.records("contacts"):
        p = c["properties"]
        if c["archived"] or p.get("affiliate_partner_id") not in out:
            continue
        row = out[p["affiliate_partner_id"]]
        row["leads_total"] += 1
        row["leads_" + lead_status(p.get("lifecyclestage"), p.get("hs_lead_status"))] += 1
    for d in fake.records("deals"):
        p = d["properties"]
        if d["archived"] or p.get("affiliate_partner_id") not in out:
            continue
        row = out[p["affiliate_partner_id"]]
        kind = kinds.get((p.get("pipeline"), p.get("dealstage")), "open")
        mrr = money(p.get("affiliate_mrr"))
        status = (p.get("affiliate_subscription_status") or "").strip().lower()
        valid = kind == "won" and mrr is not None and mrr > 0 and status in ("active", "paused", "cancelled")
        if valid:
            row["deals_won"] += 1
            row["active_deals"] += status == "active"
            closed = parse_time(p.get("closedate"))
            row["won_ever"] += closed is None or closed <= AS_OF
            row["won_90d"] += closed is not None and AS_OF - dt.timedelta(days=90) <= closed <= AS_OF
            row["deals"].append((mrr, status))
        elif kind in ("open", "lost"):
            row["deals_" + kind] += 1
    for row in out.values():
        level, share = "beginner", 0
        for name, minimum, pct in LEVELS:
            if row["won_90d"] >= minimum:
                level, share = name, pct
                break
        else:
            if row["won_ever"] > 0:
                level, share = "starter", 20
        row["level"] = level
        cuts = [((mrr * share / 100).quantize(CENT, ROUND_HALF_UP), st) for mrr, st in row["deals"]]
        row["mrr_total"] = sum((c for c, _ in cuts), Decimal("0.00"))
        for st in ("active", "paused", "cancelled"):
            row["mrr_" + st] = sum((c for c, s in cuts if s == st), Decimal("0.00"))
    return out


class Demo(SyncTestCase):
    scenario = "demo"

    def test_summary_matches_independent_model(self):
        self.sync_ok()
        expected = expected_summary(self.fake)
        rows = psql(self.db, "SELECT json_agg(s) FROM loop.partner_summary_at('%s') s" % AS_OF.isoformat())
        got = {r["partner_id"]: r for r in json.loads(rows)}
        self.assertEqual(set(got), set(expected))
        self.assertGreaterEqual(len(got), 15)
        self.assertGreater(sum(e["deals_lost"] for e in expected.values()), 0)
        levels = {e["level"] for e in expected.values()}
        self.assertGreaterEqual(len(levels), 3, levels)            # the portal exercises several levels
        for pid, e in expected.items():
            g = got[pid]
            with self.subTest(partner=pid):
                for key in ("leads_total", "leads_new", "leads_qualified", "leads_deal", "leads_won",
                            "deals_open", "deals_won", "deals_lost", "active_deals", "level"):
                    self.assertEqual(g[key], e[key], key)
                self.assertEqual(g["won_deals_90d"], e["won_90d"])
                for key in ("mrr_total", "mrr_active", "mrr_paused", "mrr_cancelled"):
                    self.assertEqual(Decimal(str(g[key])).quantize(CENT), e[key], key)

    def test_unparsable_values_are_warnings(self):
        self.sync_ok()
        bad = [d for d in self.fake.records("deals")
               if (d["properties"].get("affiliate_partner_id") or "") and not d["archived"]
               and (d["properties"].get("affiliate_mrr") or "").strip()
               and money(d["properties"]["affiliate_mrr"]) is None]
        self.assertGreater(len(bad), 0)
        run = self.last_run()
        self.assertEqual(run["warnings"], len(bad))
        for d in bad:
            raw = psql(self.db, "SELECT properties->>'affiliate_mrr' FROM loop.hubspot_deal WHERE deal_id = %s"
                       % d["id"])
            self.assertEqual(raw, d["properties"]["affiliate_mrr"])


if __name__ == "__main__":
    unittest.main()
