"""test/e2e/test_paging.py — paging, the 10,000-result search cap, deletes and idempotence.

Expected counts come from the fake's own record dump (GET /__fake/records),
not from loop's tables.
"""

import json
import unittest

from harness import SyncTestCase, live_md5, psql


def attributed(records):
    return {r["id"] for r in records
            if not r["archived"] and (r["properties"].get("affiliate_partner_id") or "") != ""}


class Paging(SyncTestCase):
    """10,500 contacts (53 pages of 200, across two search queries) and 650 deals (4 pages)."""

    scenario = "bench"
    fake_args = ("--contacts", "10500", "--deals", "650", "--partners", "7", "--no-rate-limit")

    def test_1_full_sync_pages_past_the_cap(self):
        self.fake.control("DELETE", "/__fake/requests")
        self.sync_ok("--search-rate", "1000")
        contacts = attributed(self.fake.records("contacts"))
        deals = attributed(self.fake.records("deals"))
        self.assertEqual(len(contacts), 10500)
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact"), str(len(contacts)))
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_deal"), str(len(deals)))
        loaded = set(psql(self.db, "SELECT contact_id FROM loop.hubspot_contact").split())
        self.assertEqual(loaded, contacts)

        searches = [r for r in self.fake.requests() if r["path"].endswith("/contacts/search")]
        self.assertEqual(len(searches), 53)               # ceil(10500 / 200)
        self.assertTrue(all(r["status"] == 200 for r in searches))
        self.assertTrue(all(r["body"]["limit"] == 200 for r in searches))
        # a second query started from the last id once 10,000 results were read
        windows = [f["value"] for r in searches for f in r["body"]["filterGroups"][0]["filters"]
                   if f["propertyName"] == "hs_object_id"]
        self.assertEqual(len(set(windows)), 2)
        # cursors went back exactly as the fake issued them (str(offset + 200)), starting
        # again in the second query; no page past the cap was asked for
        afters = [r["body"].get("after") for r in searches]
        self.assertEqual(afters, [None] + [str(200 * k) for k in range(1, 50)] + [None, "200", "400"])
        deal_pages = [r for r in self.fake.requests() if r["path"].endswith("/deals/search")]
        self.assertEqual(len(deal_pages), 4)              # ceil(650 / 200)

    def test_2_identical_syncs_identical_tables(self):
        before = live_md5(self.db)
        self.sync_ok("--search-rate", "1000")
        self.assertEqual(live_md5(self.db), before)
        run = self.last_run()
        self.assertEqual((run["contacts_inserted"], run["contacts_updated"], run["contacts_deleted"]), (0, 0, 0))
        self.assertEqual((run["deals_inserted"], run["deals_updated"], run["deals_deleted"]), (0, 0, 0))

    def test_3_archived_deleted_and_unattributed_records_go(self):
        contacts = sorted(attributed(self.fake.records("contacts")), key=int)
        deals = sorted(attributed(self.fake.records("deals")), key=int)
        archived, cleared, deleted_deal = contacts[10], contacts[20], deals[5]
        self.fake.mutate("archive", "contacts", archived)
        self.fake.mutate("update", "contacts", cleared, {"affiliate_partner_id": None})
        self.fake.mutate("delete", "deals", deleted_deal)
        self.sync_ok("--search-rate", "1000")
        gone = psql(self.db, "SELECT count(*) FROM loop.hubspot_contact WHERE contact_id IN (%s, %s)"
                    % (archived, cleared))
        self.assertEqual(gone, "0")
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_deal WHERE deal_id = %s" % deleted_deal),
                         "0")
        self.assertEqual(psql(self.db, "SELECT count(*) FROM loop.hubspot_contact"), "10498")
        run = self.last_run()
        self.assertEqual((run["contacts_deleted"], run["deals_deleted"]), (2, 1))


if __name__ == "__main__":
    unittest.main()
