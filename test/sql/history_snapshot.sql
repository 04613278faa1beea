-- test/sql/history_snapshot.sql — daily partner snapshots, MRR trend and the monthly
-- leaderboard (issue 4 "History"; sql/82_history.sql).
--
-- 1. loop.snapshot_partners twice on one day: one row per partner, the last wins, and
--    every value equals loop.partner_summary_at(taken_at).
-- 2. Invalid calls and who may write.
-- 3. History at fixed times (loop.snapshot_partners_at) in a Europe/Berlin session: the
--    snapshot date is the UTC date; an earlier time of the same day never replaces a later one.
-- 4. The monthly leaderboard ranks each partner by the last snapshot of the month.
-- 5. Emulated PostgREST requests (SECURITY.md §1.4): a partner's mrr_trend shows own rows
--    only, the partners' monthly leaderboard never shows another partner's id or name.
-- 6. Renaming, deleting and truncating partners carry over to their history.
--
-- Partners: H1 Hanna, H2 Hugo, H3 Heike (deactivated between the January and February
-- snapshots), H4 Henri (no deals), HA Hilde (admin, no deals). Deals closed 2026-01-05
-- (won stage): E1 H1 100 EUR active, E2 H2 300 active, E3 H3 500 paused, and E4 H1 open.
-- Each of H1-H3 has one valid won deal: starter (20 %) at every time below (in the 90-day
-- window in January-March 2026, and "won before" later); partner MRR = 20 % of affiliate_mrr.

\set VERBOSITY terse
SET TIME ZONE 'UTC';
SET datestyle = 'ISO, YMD';

SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260201-HISTO1', 'Hanna Historie', 'hanna@histo.example', 'active', false),
	('AP-20260201-HISTO2', 'Hugo Historie', 'hugo@histo.example', 'active', false),
	('AP-20260201-HISTO3', 'Heike Historie', 'heike@histo.example', 'active', false),
	('AP-20260201-HISTO4', 'Henri Ohne', 'henri@histo.example', 'active', false),
	('AP-20260201-HISTOA', 'Hilde Admin', 'hilde@histo.example', 'active', true);
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('hitest', 'Historie', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('hitest', 'open', 'Angebot', 0, false, 0.4),
	('hitest', 'won', 'Gewonnen', 1, true, 1.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lifecyclestage, created_at) VALUES
	(7201, 'AP-20260201-HISTO1', 'Hanna-Lead-1', 'lead', '2026-01-10 09:00:00+00'),
	(7202, 'AP-20260201-HISTO1', 'Hanna-Lead-2', 'customer', '2026-01-10 09:00:00+00'),
	(7203, 'AP-20260201-HISTO2', 'Hugo-Lead-1', 'marketingqualifiedlead', '2026-01-10 09:00:00+00'),
	(7204, 'AP-20260201-HISTO3', 'Heike-Lead-1', 'opportunity', '2026-01-10 09:00:00+00');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(8201, 'AP-20260201-HISTO1', 'Hanna-Deal-1', 'hitest', 'won', '2026-01-05 12:00:00+00', 100, 'active'),
	(8202, 'AP-20260201-HISTO2', 'Hugo-Deal-1', 'hitest', 'won', '2026-01-05 12:00:00+00', 300, 'active'),
	(8203, 'AP-20260201-HISTO3', 'Heike-Deal-1', 'hitest', 'won', '2026-01-05 12:00:00+00', 500, 'paused'),
	(8204, 'AP-20260201-HISTO1', 'Hanna-Deal-2', 'hitest', 'open', NULL, 50, NULL);
-- The sync runs the snapshots are attributed to (loop.sync_publish passes its own run)
INSERT INTO loop.sync_run (id, status, finished_at) OVERRIDING SYSTEM VALUE
SELECT g, 'succeeded', '2026-01-01 00:00:00+00' FROM generate_series(990201, 990209) AS g;

-- 1. Today, twice --------------------------------------------------------------------
-- First sync of the day: 5 rows (every partner, whatever the status or data)
SELECT loop.snapshot_partners(990201) AS rows_written;
CREATE TEMP TABLE first_snapshot AS SELECT * FROM loop.partner_snapshot;
-- HubSpot changes (E1: 100 → 400 EUR), a second sync the same UTC day replaces the rows
UPDATE loop.hubspot_deal SET affiliate_mrr = 400 WHERE deal_id = 8201;
SELECT loop.snapshot_partners(990202) AS rows_written;
-- One row per partner, all from run 990202, dated today (UTC), H1 now 80.00 (was 20.00):
--   H1 starter 80.00 active, 2 leads, 1 won, 2 linked, 1 open; H2 60.00 active, 1 lead;
--   H3 100.00 paused, 1 lead; H4, HA beginner 0.00
SELECT x.partner_id, x.run_id, x.status, x.level, x.level_source, x.mrr_share_percent, x.mrr_total, x.mrr_active,
	   x.mrr_paused, x.leads_total, x.deals_won, x.deals_linked, x.deals_open, f.mrr_total AS first_mrr_total,
	   f.run_id AS first_run, x.taken_at >= f.taken_at AS later,
	   x.snapshot_date = (now() AT TIME ZONE 'UTC')::date AS today_utc
  FROM loop.partner_snapshot x JOIN first_snapshot f USING (partner_id)
 ORDER BY x.partner_id;
-- Every column equals loop.partner_summary_at(taken_at)
SELECT count(*) AS snapshots,
	   count(*) FILTER (WHERE (x.status, x.level, x.level_source, x.mrr_share_percent, x.won_deals_90d, x.leads_total,
							   x.leads_new, x.leads_qualified, x.leads_deal, x.leads_won, x.deals_linked, x.deals_open,
							   x.deals_won, x.deals_lost, x.active_deals, x.mrr_total, x.mrr_active, x.mrr_paused,
							   x.mrr_cancelled)
						  IS NOT DISTINCT FROM
						  (s.status, s.level, s.level_source, s.mrr_share_percent, s.won_deals_90d, s.leads_total,
						   s.leads_new, s.leads_qualified, s.leads_deal, s.leads_won, s.deals_linked, s.deals_open,
						   s.deals_won, s.deals_lost, s.active_deals, s.mrr_total, s.mrr_active, s.mrr_paused,
						   s.mrr_cancelled)) AS equal_to_summary_at_taken_at
  FROM loop.partner_snapshot x
 CROSS JOIN LATERAL (SELECT * FROM loop.partner_summary_at(x.taken_at) s WHERE s.partner_id = x.partner_id) s;
-- Two syncs in one transaction (same now()): the later call still wins (E1 420 → H1 84.00)
BEGIN;
SELECT loop.snapshot_partners(990203) AS rows_written;
UPDATE loop.hubspot_deal SET affiliate_mrr = 420 WHERE deal_id = 8201;
SELECT loop.snapshot_partners(990204) AS rows_written;
COMMIT;
SELECT count(*) AS snapshots, min(run_id) AS run, max(mrr_total) FILTER (WHERE partner_id = 'AP-20260201-HISTO1') AS h1_mrr
  FROM loop.partner_snapshot;

-- 2. Invalid calls, and who may write ---------------------------------------------
-- Each call with the SQLSTATE and message it raises: a NULL run 22004, a run that does
-- not exist 22023, an infinite time 22023; as loop_admin or loop_partner, taking a
-- snapshot or writing the table is 42501 (only superusers write history); a snapshot date
-- other than the UTC date of taken_at violates the check constraint (23514).
CREATE FUNCTION pg_temp.outcome(stmt text, as_role text DEFAULT NULL) RETURNS TABLE (sqlstate text, message text)
LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text;
BEGIN
	IF as_role IS NOT NULL THEN
		PERFORM set_config('role', as_role, true);
	END IF;
	EXECUTE stmt;
	RAISE EXCEPTION 'no error' USING ERRCODE = 'XX999';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN QUERY SELECT CASE st WHEN 'XX999' THEN 'ok' ELSE st END, CASE st WHEN 'XX999' THEN NULL ELSE msg END;
END $$;
\set snapshot_row '(''2026-01-01'', ''AP-20260201-HISTO1'', 1, ''2026-01-01 12:00+00'', ''active'', ''pro'', ''calculated'', 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9999, 9999, 0, 0)'
\x on
SELECT c.as_role, c.call, o.*
  FROM (VALUES (1, NULL, 'SELECT loop.snapshot_partners(NULL)'),
			   (2, NULL, 'SELECT loop.snapshot_partners(123456789)'),
			   (3, NULL, $c$SELECT loop.snapshot_partners_at(990201, 'infinity')$c$),
			   (4, NULL, $c$SELECT loop.snapshot_partners_at(NULL, '2026-01-01')$c$),
			   (5, 'loop_admin', 'SELECT loop.snapshot_partners(990201)'),
			   (6, 'loop_admin', 'SELECT loop.snapshot_partners_at(990201, now())'),
			   (7, 'loop_admin', 'INSERT INTO loop.partner_snapshot VALUES ' || :'snapshot_row'),
			   (8, 'loop_admin', 'DELETE FROM loop.partner_snapshot'),
			   (9, 'loop_partner', 'UPDATE loop.partner_snapshot SET mrr_total = 9999'),
			   (10, 'loop_partner', 'SELECT loop.snapshot_partners(990201)'),
			   (11, NULL, 'INSERT INTO loop.partner_snapshot VALUES ' || replace(:'snapshot_row', '2026-01-01''', '2026-01-02'''))) AS c(n, as_role, call)
 CROSS JOIN LATERAL pg_temp.outcome(c.call, c.as_role) o
 ORDER BY c.n;
\x off
SELECT count(*) AS snapshots, max(mrr_total) AS max_mrr FROM loop.partner_snapshot;

-- 3. History at fixed times, from a Europe/Berlin session -------------------------------
-- E1 back to 100 (H1 20.00). 2026-01-31 23:59:59 UTC is 2026-02-01 00:59:59 in Berlin:
-- the snapshot is dated 2026-01-31.
UPDATE loop.hubspot_deal SET affiliate_mrr = 100 WHERE deal_id = 8201;
SET TIME ZONE 'Europe/Berlin';
SELECT loop.snapshot_partners_at(990205, '2026-01-31 23:59:59+00') AS rows_written;
-- H3 is deactivated before February
UPDATE loop.partner SET status = 'deactivated' WHERE partner_id = 'AP-20260201-HISTO3';
SELECT loop.snapshot_partners_at(990206, '2026-02-10 12:00:00+00') AS rows_written;
-- E1 400 (H1 80.00), E2 200 (H2 40.00)
UPDATE loop.hubspot_deal SET affiliate_mrr = 400 WHERE deal_id = 8201;
UPDATE loop.hubspot_deal SET affiliate_mrr = 200 WHERE deal_id = 8202;
SELECT loop.snapshot_partners_at(990207, '2026-02-27 08:00:00+00') AS rows_written;
-- An earlier time of the same day replaces nothing: 0 rows written, run 990207 stays
SELECT loop.snapshot_partners_at(990208, '2026-02-27 06:00:00+00') AS rows_written;
-- E1 250, E2 250 (both 50.00): a tie on 2026-03-01 00:00:00 UTC
UPDATE loop.hubspot_deal SET affiliate_mrr = 250 WHERE deal_id IN (8201, 8202);
SELECT loop.snapshot_partners_at(990209, '2026-03-01 00:00:00+00') AS rows_written;
SET TIME ZONE 'UTC';
-- H2's snapshot of 2026-02-27 is missing (say its sync failed that day): H2's last
-- February snapshot is then the one of 2026-02-10
DELETE FROM loop.partner_snapshot WHERE partner_id = 'AP-20260201-HISTO2' AND snapshot_date = '2026-02-27';
SELECT snapshot_date, partner_id, run_id, taken_at, status, level, mrr_total, mrr_active, mrr_paused
  FROM loop.partner_snapshot WHERE snapshot_date < '2026-06-01' AND mrr_total > 0
 ORDER BY snapshot_date, partner_id;
SELECT snapshot_date, count(*) AS partners FROM loop.partner_snapshot WHERE snapshot_date < '2026-06-01'
 GROUP BY 1 ORDER BY 1;

-- Program-wide history (api.program_history, superuser: every row):
--   2026-01-31: 5 partners, 5 active, 3 with MRR, 20 + 60 + 100 = 180.00 (active 80.00, paused 100.00), 4 leads
--   2026-02-10: 5 partners, 4 active (H3 deactivated), 180.00
--   2026-02-27: 4 partners (H2 missing), 3 active, H1 80 + H3 100 = 180.00 (active 80.00)
--   2026-03-01: 5 partners, 4 active, 50 + 50 + 100 = 200.00 (active 100.00)
SELECT snapshot_date, partners, partners_active, partners_with_mrr, leads_total, leads_new, leads_qualified, leads_deal,
	   leads_won, deals_linked, deals_open, deals_won, mrr_total, mrr_active, mrr_paused, last_taken_at
  FROM api.program_history WHERE snapshot_date < '2026-06-01';
SELECT count(*) AS days, bool_and(partners = 5) AS all_partners_today
  FROM api.program_history WHERE snapshot_date = (now() AT TIME ZONE 'UTC')::date;

-- 4. Monthly leaderboard --------------------------------------------------------------
-- February 2026 (any day of it; Berlin session): last February snapshot per partner:
-- H1 02-27 80.00 (rank 1), H2 02-10 60.00 (rank 2); H3 deactivated in its February
-- snapshots, H4 and HA without MRR. (The 02-10 snapshots alone would give H2 before H1,
-- March's H2 50.00 before H1 … tied.)
SET TIME ZONE 'Europe/Berlin';
SELECT * FROM api.admin_leaderboard_monthly('2026-02-15');
SELECT * FROM api.admin_leaderboard_monthly('2026-02-01');
-- January 2026: H3 100.00 (active then), H2 60.00, H1 20.00
SELECT title, "position", rank, partner_id, name, status, snapshot_date, mrr_total
  FROM api.admin_leaderboard_monthly('2026-01-31');
-- March 2026: H1 and H2 tie at 50.00: both rank 1, position by partner id
SELECT title, "position", rank, partner_id, name, snapshot_date, mrr_total
  FROM api.admin_leaderboard_monthly('2026-03-31');
-- April 2026: no snapshots, no rows
SELECT count(*) AS april FROM api.admin_leaderboard_monthly('2026-04-01');
-- NULL = the current UTC month: today's snapshots (H3 100.00, H1 84.00, H2 60.00)
SELECT title = 'Top Partner (' || loop.month_label_de(now()) || ')' AS current_month_title,
	   string_agg(partner_id || '=' || mrr_total, ' ' ORDER BY "position") AS ranking
  FROM api.admin_leaderboard_monthly(NULL) GROUP BY title;
-- Without claims (superuser in psql) the partners' version is empty
SELECT count(*) AS no_claims_rows FROM api.leaderboard_monthly('2026-02-01');
SET TIME ZONE 'UTC';

-- 5. Emulated PostgREST requests -------------------------------------------------------
CREATE FUNCTION pg_temp.request(role text, claims text, path text, main text) RETURNS TABLE (k integer, stmt text)
LANGUAGE sql AS $$
	VALUES (1, 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY'),
		   (2, format('SELECT s.role, s.claims, s.path FROM (SELECT set_config(''search_path'', %L, true) AS search_path, '
					  'set_config(''role'', %L, true) AS role, set_config(''request.jwt.claims'', %L, true) AS claims, '
					  'set_config(''request.method'', ''GET'', true) AS method, set_config(''request.path'', %L, true) AS path, '
					  'set_config(''request.headers'', %L, true) AS headers, set_config(''request.cookies'', ''{}'', true) AS cookies) s',
					  '"api", "public"', role, claims, path, '{"prefer":"count=exact"}')),
		   (3, main),
		   (4, 'COMMIT') $$;
CREATE FUNCTION pg_temp.read_sql(obj text) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT %1$s.* FROM %1$s), pgrst_source_count AS (SELECT 1 FROM %1$s) '
				  'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
				  'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t', '"api".' || quote_ident(obj)) $$;
CREATE FUNCTION pg_temp.rpc_sql(fn text, month text) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT pgrst_call.* FROM (SELECT %L::json AS json_data) pgrst_payload, '
				  'LATERAL (SELECT "month" FROM json_to_record(pgrst_payload.json_data) AS _("month" date) LIMIT 1) pgrst_body, '
				  'LATERAL "api".%I("month" := pgrst_body."month") pgrst_call) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  json_build_object('month', month)::text, fn) $$;
-- rows | whose markers the body contains (H1 H2 H3 H4 HA: id or name) | what it shows
CREATE FUNCTION pg_temp.checked(main text, shown text) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT coalesce(r.total_result_set, r.page_total) AS rows, '
				  '(SELECT coalesce(string_agg(m.k, '','' ORDER BY m.k), ''-'') FROM (VALUES '
				  '(''H1'', ''HISTO1|Hanna''), (''H2'', ''HISTO2|Hugo''), (''H3'', ''HISTO3|Heike''), '
				  '(''H4'', ''HISTO4|Henri''), (''HA'', ''HISTOA|Hilde'')) AS m(k, re) '
				  'WHERE r.body::text ~ m.re) AS seen, %s AS shown FROM (%s) r', shown, main) $$;
-- shown for mrr_trend: partner:date=mrr of the past (fixed) days; for the leaderboards:
-- position:display_name:mrr:is_me
\set trend_shown '(SELECT coalesce(string_agg(right(e->>''partner_id'', 1) || '':'' || (e->>''snapshot_date'') || ''='' || (e->>''mrr_total''), '' '' ORDER BY e->>''partner_id'', e->>''snapshot_date''), ''-'') FROM json_array_elements(r.body) e WHERE e->>''snapshot_date'' < ''2026-06-01'')'
\set board_shown '(SELECT coalesce(string_agg(concat_ws('':'', e->>''position'', e->>''rank'', coalesce(e->>''display_name'', e->>''name''), e->>''mrr_total'', e->>''is_me''), '' '' ORDER BY (e->>''position'')::int), ''-'') || '' | '' || coalesce(min(e->>''title''), ''-'') FROM json_array_elements(r.body) e)'

-- Expected: H1 sees its 5 days (4 past + today) only, H2 its 4 (02-27 missing), H3 its 5,
-- the admin all 24 rows (5 + 5 + 4 + 5 past, 5 today). The partners' February board as
-- H1: "Hanna Historie" first (is_me), "Partner #2"; as H2: "Partner #1", "Hugo Historie";
-- as H3 (not ranked) and HA: "Partner #1", "Partner #2". Never another partner's id or
-- name (seen shows only the caller's own marker). March as H1: tie, both rank 1. The admin
-- board shows ids and names; a partner gets 42501 on it.
\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
WITH scenario(n, role, claims) AS (VALUES
	(1, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260201-HISTO1"}'),
	(2, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260201-HISTO2"}'),
	(3, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260201-HISTO3"}'),
	(4, 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260201-HISTOA"}')),
object(n, path, main, shown) AS (VALUES
	(1, '/mrr_trend', pg_temp.read_sql('mrr_trend'), :'trend_shown'),
	(2, '/rpc/leaderboard_monthly?month=2026-02-01', pg_temp.rpc_sql('leaderboard_monthly', '2026-02-01'), :'board_shown'),
	(3, '/rpc/leaderboard_monthly?month=2026-03-01', pg_temp.rpc_sql('leaderboard_monthly', '2026-03-01'), :'board_shown'),
	(4, '/rpc/admin_leaderboard_monthly?month=2026-02-01', pg_temp.rpc_sql('admin_leaderboard_monthly', '2026-02-01'), :'board_shown'))
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS o, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT sc.n, ob.n, r.k, r.stmt
	  FROM scenario sc CROSS JOIN object ob
	 CROSS JOIN LATERAL pg_temp.request(sc.role, sc.claims, ob.path, pg_temp.checked(ob.main, ob.shown)) r
	UNION ALL
	SELECT 99, 0, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.o, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set VERBOSITY terse
\set ECHO all

-- 6. Partners take their history with them -------------------------------------------------
-- Renaming H4's id renames its 5 snapshots; deleting it deletes them
UPDATE loop.partner SET partner_id = 'AP-20260201-HISTO5' WHERE partner_id = 'AP-20260201-HISTO4';
SELECT partner_id, count(*) AS snapshots FROM loop.partner_snapshot
 WHERE partner_id IN ('AP-20260201-HISTO4', 'AP-20260201-HISTO5') GROUP BY 1;
DELETE FROM loop.partner WHERE partner_id = 'AP-20260201-HISTO5';
SELECT count(*) AS h5_snapshots FROM loop.partner_snapshot WHERE partner_id = 'AP-20260201-HISTO5';
-- TRUNCATE loop.partner empties the history too (rolled back)
BEGIN;
TRUNCATE loop.partner CASCADE;
SELECT count(*) AS snapshots_after_truncate FROM loop.partner_snapshot;
ROLLBACK;

-- Clean up
DELETE FROM loop.hubspot_deal WHERE deal_id BETWEEN 8201 AND 8204;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 7201 AND 7204;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'hitest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'hitest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260201-HISTO_';
DELETE FROM loop.sync_run WHERE id BETWEEN 990201 AND 990209;
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;
