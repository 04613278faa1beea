-- test/sql/history_sync.sql — every successful sync stores today's snapshot of every
-- partner (issue 4 "History"): loop.sync_publish (sql/30_sync.sql) calls
-- loop.snapshot_partners(run) in its publish transaction, after the merge and after
-- expired overrides are cleared; a failed sync stores nothing; a second successful
-- sync the same UTC day replaces the rows. Seed 000's partner and records: 3 deals
-- (89 + 150 active, 200 paused) at starter (20 %) = 87.80 EUR (active 47.80).
-- The protocol commits; the live tables are emptied again at the end.

\set VERBOSITY terse
SET TIME ZONE 'UTC';
SET datestyle = 'ISO, YMD';

SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;

INSERT INTO loop.partner (partner_id, name, email, status) VALUES
	('AP-20260129-SNAP00', 'Seed 000 Snapshot', 'seed000-snapshot@example.com', 'active'),
	('AP-20260129-SNAP01', 'Ohne Daten', 'ohne-daten@example.com', 'pending');

-- What loop-sync stages (it would COPY the same rows)
CREATE FUNCTION pg_temp.stage(mrr_fischer numeric) RETURNS void LANGUAGE sql AS $$
	INSERT INTO loop.stage_deal_stage VALUES
		('snaptest', 'Sales Pipeline', 0, false, 'closedwon', 'Abgeschlossen und gewonnen', 0, true, 1.0, false);
	INSERT INTO loop.stage_contact (contact_id, affiliate_partner_id, firstname, lastname, lifecyclestage, created_at)
	VALUES (7301, 'AP-20260129-SNAP00', 'Markus', 'Weber', 'lead', '2026-02-10 09:00:00+00'),
		   (7302, 'AP-20260129-SNAP00', 'Anna', 'Schmidt', 'marketingqualifiedlead', '2026-02-10 09:05:00+00'),
		   (7303, 'AP-20260129-SNAP00', 'Thomas', 'Fischer', 'opportunity', '2026-02-10 09:10:00+00');
	INSERT INTO loop.stage_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
								 affiliate_mrr, affiliate_subscription_status)
	VALUES (8301, 'AP-20260129-SNAP00', 'Weber', 'snaptest', 'closedwon', '2026-02-10 10:00:00+00', 89, 'active'),
		   (8302, 'AP-20260129-SNAP00', 'Sonnenhof', 'snaptest', 'closedwon', '2026-02-10 10:05:00+00', 150, 'active'),
		   (8303, 'AP-20260129-SNAP00', 'Fischer', 'snaptest', 'closedwon', '2026-02-10 10:10:00+00', mrr_fischer, 'paused');
$$;

-- 0. The order inside the publish: a pro override that expired yesterday is cleared
-- first, so the snapshot shows the calculated level (starter, 87.80), not pro (131.70).
-- Rolled back (sync run, audit row and all; the session-level sync lock is taken and
-- released by the calls themselves).
BEGIN;
UPDATE loop.partner SET level_override = 'pro', level_override_until = now() - interval '1 day'
 WHERE partner_id = 'AP-20260129-SNAP00';
SELECT loop.sync_begin() AS run0 \gset
SELECT pg_temp.stage(200);
SELECT status FROM loop.sync_publish(:run0);
SELECT partner_id, run_id = :run0 AS this_run, level, level_source, mrr_total
  FROM loop.partner_snapshot ORDER BY partner_id;
SELECT level_override, level_override_until FROM loop.partner WHERE partner_id = 'AP-20260129-SNAP00';
ROLLBACK;
SELECT count(*) AS snapshots, loop.sync_lock_held() AS lock_held FROM loop.partner_snapshot;

-- 1. A successful sync: one snapshot row per partner, attributed to the run, dated today (UTC)
SELECT loop.sync_begin() AS run1 \gset
SELECT pg_temp.stage(200);
SELECT status FROM loop.sync_publish(:run1);
SELECT partner_id, run_id = :run1 AS this_run, snapshot_date = (now() AT TIME ZONE 'UTC')::date AS today_utc,
	   status, level, level_source, mrr_share_percent, leads_total, leads_new, leads_qualified, leads_deal,
	   deals_linked, deals_won, active_deals, mrr_total, mrr_active, mrr_paused
  FROM loop.partner_snapshot ORDER BY partner_id;

-- 2. A failed sync stores nothing: the rows stay those of run 1
SELECT loop.sync_begin() AS run2 \gset
SELECT pg_temp.stage(999);
SELECT status FROM loop.sync_fail(:run2, 'HubSpot returned 503');
SELECT count(*) AS snapshots, bool_and(run_id = :run1) AS still_run1, max(mrr_total) AS mrr_total
  FROM loop.partner_snapshot;

-- 3. The next successful sync of the day replaces them (Fischer 200 → 300 EUR: 40.00 → 60.00;
-- 17.80 + 30.00 + 60.00 = 107.80)
SELECT loop.sync_begin() AS run3 \gset
SELECT pg_temp.stage(300);
SELECT status FROM loop.sync_publish(:run3);
SELECT partner_id, run_id = :run3 AS this_run, snapshot_date = (now() AT TIME ZONE 'UTC')::date AS today_utc,
	   mrr_total, mrr_paused
  FROM loop.partner_snapshot ORDER BY partner_id;
-- ... and matches the partner summary of that moment
SELECT count(*) AS snapshots,
	   count(*) FILTER (WHERE (x.level, x.leads_total, x.deals_won, x.mrr_total, x.mrr_active, x.mrr_paused)
						  = (s.level, s.leads_total, s.deals_won, s.mrr_total, s.mrr_active, s.mrr_paused)) AS equal
  FROM loop.partner_snapshot x
 CROSS JOIN LATERAL (SELECT * FROM loop.partner_summary_at(x.taken_at) s WHERE s.partner_id = x.partner_id) s;

-- Clean up: an empty sync removes the mirrored contacts and deals
SELECT loop.sync_begin() AS run4 \gset
SELECT status FROM loop.sync_publish(:run4);
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'snaptest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'snaptest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260129-SNAP0_';
DELETE FROM loop.sync_run WHERE id IN (:run1, :run2, :run3, :run4);
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;
