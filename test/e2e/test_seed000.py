"""test/e2e/test_seed000.py — seed 000's acceptance figures through loop-sync.

Expected values come from seeds/000 (the HubSpot integration test report):
3 leads (Neu, Qualifiziert, Deal), 3 closed-won deals of 89, 150 and 200 EUR
(active, active, paused) closed within 90 days -> Starter at 20 %:
17.80 + 30.00 + 40.00 = 87.80 EUR total, 47.80 EUR active, rank 1.
"""

import json
import unittest

from harness import SyncTestCase, psql, run_sync


class Seed000(SyncTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.sync_result = run_sync(cls.db, cls.fake)
        if r.returncode != 0:
            raise AssertionError("sync failed: " + r.stderr)

    def summary(self):
        return json.loads(psql(self.db, "SELECT row_to_json(s) FROM loop.partner_summary s "
                                        "WHERE partner_id = 'AP-20260129-AD2F73'"))

    def test_kpis(self):
        s = self.summary()
        self.assertEqual(s["leads_total"], 3)
        self.assertEqual(s["leads_qualified"], 1)
        self.assertEqual((s["leads_new"], s["leads_deal"], s["leads_won"]), (1, 1, 0))
        self.assertEqual(s["deals_won"], 3)
        self.assertEqual(s["active_deals"], 2)
        self.assertEqual(s["mrr_total"], 87.80)
        self.assertEqual(s["mrr_active"], 47.80)
        self.assertEqual(s["mrr_paused"], 40.00)
        self.assertEqual(s["mrr_cancelled"], 0)
        self.assertEqual((s["level"], s["level_source"], s["mrr_share_percent"]), ("starter", "calculated", 20.00))
        self.assertEqual(s["won_deals_90d"], 3)

    def test_deals(self):
        rows = psql(self.db, "SELECT dealname || '=' || kind || '/' || deal_mrr || '/' || subscription_status "
                             "|| '/' || partner_mrr FROM loop.partner_deal ORDER BY deal_mrr")
        self.assertEqual(rows.splitlines(), [
            "Gastro-Betrieb Weber – Ordio Schichtplanung=won/89.00/active/17.80",
            "Hotel Sonnenhof – Ordio Zeiterfassung=won/150.00/active/30.00",
            "Bäckerei Fischer – Ordio Starter=won/200.00/paused/40.00",
        ])

    def test_leads(self):
        rows = psql(self.db, "SELECT lastname || ':' || status_label || ':' || utm_source || ':' || utm_medium "
                             "|| ':' || utm_campaign FROM loop.partner_lead ORDER BY lastname")
        self.assertEqual(rows.splitlines(), [
            "Fischer:Deal:partner:email:demo-kampagne",
            "Schmidt:Qualifiziert:affiliate:newsletter:partner-newsletter-feb",
            "Weber:Neu:linkedin:social:partner-q1-2026",
        ])
        # the three affiliate_referral_date forms (YYYY-MM-DD, epoch ms, ISO) all parse
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact "
                                       "WHERE affiliate_referral_date IS NOT NULL"), "3")

    def test_lead_sources(self):
        rows = psql(self.db, "SELECT dimension || ':' || value || ':' || leads FROM loop.partner_lead_source "
                             "ORDER BY dimension, value")
        self.assertEqual(rows.splitlines(), [
            "campaign:demo-kampagne:1", "campaign:partner-newsletter-feb:1", "campaign:partner-q1-2026:1",
            "medium:email:1", "medium:newsletter:1", "medium:social:1",
            "source:affiliate:1", "source:linkedin:1", "source:partner:1",
        ])

    def test_leaderboard(self):
        self.assertEqual(psql(self.db, "SELECT rank || ':' || partner_id || ':' || mrr_total FROM loop.leaderboard"),
                         "1:AP-20260129-AD2F73:87.80")

    def test_unattributed_records_not_loaded(self):
        # the scenario has 2 contacts and 1 deal without affiliate_partner_id
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact"), "3")
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_deal"), "3")

    def test_run_recorded(self):
        run = self.last_run()
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual((run["contacts_fetched"], run["deals_fetched"], run["warnings"]), (3, 3, 0))
        self.assertEqual((run["contacts_inserted"], run["deals_inserted"]), (3, 3))
        self.assertIn("run %d succeeded" % run["id"], self.sync_result.stdout)


if __name__ == "__main__":
    unittest.main()
