-- test/sql/admin_list.sql — Verwaltung → partner list, api.admin_partners (issue 4 "Partner list";
-- seed 001 "Admin", seed 002 glossary "deals_count (Admin)" vs "Abschlüsse", seed 003 "Admin panel").
--
-- A small scenario with hand-computed figures, read by admin M through
-- PostgREST-shaped GET requests: the full list, default order, search
-- (?or=(name.ilike.*x*,email.ilike.*x*)), filters by status and level,
-- paging with Prefer: count=exact, and the text/csv body.
--
-- Scenario (level window: closedates relative to now(); MRR share by effective level):
--   A Alfa Agentur, active: 4 leads; deals: won 100 active, won 50 cancelled, won 60 paused
--     (3 valid won → starter, 20 %: 20.00 + 10.00 + 12.00 = 42.00, active 20.00), a won deal
--     without affiliate_mrr (not counted), one open, one lost → deals_linked 6, deals_won 3;
--     last_active_at NULL, last_login_at 2026-04-05 10:00 → last activity = the login.
--   B Bravo Beratung, active, override pro until 2099: 2 leads; won 89 active (30 %: 26.70),
--     a won deal without subscription status, one open → linked 3, won 1; "Pro manuell";
--     last_active_at 04-06 12:00 older than last_login_at 04-08 07:00 → the login.
--   C Charlie Consulting, pending, nothing → Beginner, no activity.
--   D Delta Digital, deactivated, override partner expired 2020 (not yet cleared by a sync):
--     1 lead, won 200 active closed 200 days ago (outside 90 days; won before → starter, 40.00):
--     level_source calculated, label "Starter", the stored override still visible.
--   M Mike Admin, active admin, nothing; last_active_at 04-12 09:00 newer than the login.
--   Contacts and deals of AP-20990101-ZZZZZZ (no partner) appear nowhere.

\set VERBOSITY terse
SET TIME ZONE 'UTC';
SET datestyle = 'ISO, YMD';

SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, level_override, level_override_until,
						  registered_at, last_login_at, last_active_at) VALUES
	('AP-20260403-AAAAAA', 'Alfa Agentur', 'kontakt@alfa-agentur.example', 'active', false, NULL, NULL,
	 '2026-04-03 09:00:00+00', '2026-04-05 10:00:00+00', NULL),
	('AP-20260403-BBBBBB', 'Bravo Beratung', 'info@bravo.example', 'active', false, 'pro', '2099-01-01 00:00:00+00',
	 '2026-04-03 10:00:00+00', '2026-04-08 07:00:00+00', '2026-04-06 12:00:00+00'),
	('AP-20260403-CCCCCC', 'Charlie Consulting', 'charlie@consulting.example', 'pending', false, NULL, NULL,
	 '2026-04-03 12:00:00+00', NULL, NULL),
	('AP-20260403-DDDDDD', 'Delta Digital', 'hallo@delta.example', 'deactivated', false, 'partner', '2020-01-01 00:00:00+00',
	 '2026-04-03 13:00:00+00', NULL, '2026-04-04 15:30:00+00'),
	('AP-20260403-MMMMMM', 'Mike Admin', 'mike@ordio.example', 'active', true, NULL, NULL,
	 '2026-04-03 11:00:00+00', '2026-04-10 08:00:00+00', '2026-04-12 09:00:00+00');
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('admtest', 'Admin-Test', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('admtest', 'open', 'Angebot', 0, false, 0.5),
	('admtest', 'won', 'Gewonnen', 1, true, 1.0),
	('admtest', 'lost', 'Verloren', 2, true, 0.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, lastname, lifecyclestage) VALUES
	(8101, 'AP-20260403-AAAAAA', 'Alfa-1', 'lead'),
	(8102, 'AP-20260403-AAAAAA', 'Alfa-2', 'marketingqualifiedlead'),
	(8103, 'AP-20260403-AAAAAA', 'Alfa-3', 'opportunity'),
	(8104, 'AP-20260403-AAAAAA', 'Alfa-4', 'customer'),
	(8201, 'AP-20260403-BBBBBB', 'Bravo-1', 'lead'),
	(8202, 'AP-20260403-BBBBBB', 'Bravo-2', 'customer'),
	(8401, 'AP-20260403-DDDDDD', 'Delta-1', 'customer'),
	(8901, 'AP-20990101-ZZZZZZ', 'Zulu-1', 'customer');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status)
SELECT v.id, v.pid, v.name, 'admtest', v.stage, now() - v.age * interval '1 day', v.mrr, v.status
  FROM (VALUES
	(8111, 'AP-20260403-AAAAAA', 'Alfa won active', 'won', 100, 'active', 10),
	(8112, 'AP-20260403-AAAAAA', 'Alfa won cancelled', 'won', 50, 'cancelled', 20),
	(8113, 'AP-20260403-AAAAAA', 'Alfa won paused', 'won', 60, 'paused', 30),
	(8114, 'AP-20260403-AAAAAA', 'Alfa won ohne MRR', 'won', NULL, 'active', 5),
	(8115, 'AP-20260403-AAAAAA', 'Alfa open', 'open', 70, NULL, -10),
	(8116, 'AP-20260403-AAAAAA', 'Alfa lost', 'lost', 90, NULL, 40),
	(8211, 'AP-20260403-BBBBBB', 'Bravo won active', 'won', 89, 'active', 15),
	(8212, 'AP-20260403-BBBBBB', 'Bravo won ohne Status', 'won', 150, NULL, 16),
	(8213, 'AP-20260403-BBBBBB', 'Bravo open', 'open', NULL, NULL, -5),
	(8411, 'AP-20260403-DDDDDD', 'Delta won active', 'won', 200, 'active', 200),
	(8911, 'AP-20990101-ZZZZZZ', 'Zulu won', 'won', 500, 'active', 3))
	AS v(id, pid, name, stage, mrr, status, age);

-- PostgREST's read query: GET /admin_partners?select=<cols>&<filters>&order=…&limit=…&offset=…
-- with Prefer: count=exact, printed as "total <n>, page <n>", then one JSON line per row
CREATE FUNCTION pg_temp.read_sql(cols text, where_ text DEFAULT '', tail text DEFAULT '')
RETURNS TABLE (outer_query text, main_query text) LANGUAGE sql AS $$
	SELECT 'SELECT x.line FROM ('
		   'SELECT 0 AS i, format(''total %s, page %s'', r.total_result_set, r.page_total) AS line FROM r '
		   'UNION ALL SELECT e.i, e.row::text FROM r CROSS JOIN LATERAL json_array_elements(r.body) WITH ORDINALITY AS e(row, i)) x '
		   'ORDER BY x.i',
		   format('WITH pgrst_source AS (SELECT %1$s FROM "api"."admin_partners" %2$s %3$s), '
				  'pgrst_source_count AS (SELECT 1 FROM "api"."admin_partners" %2$s) '
				  'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
				  'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  (SELECT string_agg(format('"api"."admin_partners".%I', c), ', ' ORDER BY i)
					 FROM unnest(string_to_array(cols, ',')) WITH ORDINALITY AS u(c, i)),
				  CASE WHEN where_ <> '' THEN 'WHERE ' || where_ ELSE '' END, tail) AS main_query $$;
-- The statements of one request as admin M; main is PostgREST's query, shown line by line
CREATE FUNCTION pg_temp.get(n integer, label text, cols text, where_ text DEFAULT '', tail text DEFAULT '')
RETURNS TABLE (s integer, k integer, stmt text) LANGUAGE sql AS $$
	SELECT n, v.k, v.stmt FROM pg_temp.read_sql(cols, where_, tail) q CROSS JOIN LATERAL (VALUES
		(1, 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY'),
		(2, format('SELECT %L AS request FROM (SELECT set_config(''search_path'', ''"api", "public"'', true), '
				   'set_config(''role'', ''loop_admin'', true), '
				   'set_config(''request.jwt.claims'', ''{"role":"loop_admin","partner_id":"AP-20260403-MMMMMM"}'', true), '
				   'set_config(''request.method'', ''GET'', true), set_config(''request.path'', ''/admin_partners'', true), '
				   'set_config(''request.headers'', ''{"prefer":"count=exact"}'', true), '
				   'set_config(''request.cookies'', ''{}'', true)) s', 'GET /admin_partners?' || label)),
		(3, format('WITH r AS (%s) %s', q.main_query, q.outer_query)),
		(4, 'COMMIT')) AS v(k, stmt) $$;

\set cols 'partner_id,name,email,status,status_label,is_admin,level,level_source,level_label,level_override,level_override_until,registered_at,last_activity_at,leads_total,deals_linked,deals_won,mrr_total,mrr_active'
\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT g.* FROM (
		-- every column of the contract, by partner id
		SELECT * FROM pg_temp.get(1, 'select=<contract columns>&order=partner_id.asc', :'cols', '',
								  'ORDER BY "api"."admin_partners"."partner_id" ASC')
		-- the view's own order: newest registration first
		UNION ALL SELECT * FROM pg_temp.get(2, 'select=partner_id,registered_at', 'partner_id,registered_at')
		-- search in name and email, case-insensitive (PostgREST turns * into %)
		UNION ALL SELECT * FROM pg_temp.get(3, 'select=partner_id,name&or=(name.ilike.*bravo*,email.ilike.*bravo*)',
			'partner_id,name', '("api"."admin_partners"."name" ILIKE ''%bravo%'' OR "api"."admin_partners"."email" ILIKE ''%bravo%'')')
		UNION ALL SELECT * FROM pg_temp.get(4, 'select=partner_id,name&or=(name.ilike.*DIGITAL*,email.ilike.*DIGITAL*)',
			'partner_id,name', '("api"."admin_partners"."name" ILIKE ''%DIGITAL%'' OR "api"."admin_partners"."email" ILIKE ''%DIGITAL%'')')
		UNION ALL SELECT * FROM pg_temp.get(5, 'select=partner_id,email&or=(name.ilike.*consulting*,email.ilike.*consulting*,partner_id.ilike.*consulting*)&order=partner_id',
			'partner_id,email', '("api"."admin_partners"."name" ILIKE ''%consulting%'' OR "api"."admin_partners"."email" ILIKE ''%consulting%'' OR "api"."admin_partners"."partner_id" ILIKE ''%consulting%'')',
			'ORDER BY "api"."admin_partners"."partner_id" ASC')
		UNION ALL SELECT * FROM pg_temp.get(6, 'select=partner_id&partner_id=ilike.*mmmm*', 'partner_id',
			'"api"."admin_partners"."partner_id" ILIKE ''%mmmm%''')
		-- filters: status (Aktiv), status and level, level, the "manuell" label, status in (…)
		UNION ALL SELECT * FROM pg_temp.get(7, 'select=partner_id,status_label&status=eq.active&order=partner_id', 'partner_id,status_label',
			'"api"."admin_partners"."status" = ''active''', 'ORDER BY "api"."admin_partners"."partner_id" ASC')
		UNION ALL SELECT * FROM pg_temp.get(8, 'select=partner_id,level_label&status=eq.active&level=eq.starter', 'partner_id,level_label',
			'"api"."admin_partners"."status" = ''active'' AND "api"."admin_partners"."level" = ''starter''')
		UNION ALL SELECT * FROM pg_temp.get(9, 'select=partner_id,level_label&level=eq.pro', 'partner_id,level_label',
			'"api"."admin_partners"."level" = ''pro''')
		UNION ALL SELECT * FROM pg_temp.get(10, 'select=partner_id&level_source=eq.override', 'partner_id',
			'"api"."admin_partners"."level_source" = ''override''')
		UNION ALL SELECT * FROM pg_temp.get(11, 'select=partner_id,status_label&status=in.(pending,deactivated)&order=partner_id', 'partner_id,status_label',
			'"api"."admin_partners"."status" = ANY (''{pending,deactivated}''::text[])', 'ORDER BY "api"."admin_partners"."partner_id" ASC')
		UNION ALL SELECT * FROM pg_temp.get(12, 'select=partner_id,is_admin&is_admin=is.true', 'partner_id,is_admin',
			'"api"."admin_partners"."is_admin" IS TRUE')
		-- paging by name, 2 per page, with the exact total
		UNION ALL SELECT * FROM pg_temp.get(13, 'select=name&order=name.asc&limit=2&offset=0', 'name', '',
			'ORDER BY "api"."admin_partners"."name" ASC LIMIT 2 OFFSET 0')
		UNION ALL SELECT * FROM pg_temp.get(14, 'select=name&order=name.asc&limit=2&offset=2', 'name', '',
			'ORDER BY "api"."admin_partners"."name" ASC LIMIT 2 OFFSET 2')
		UNION ALL SELECT * FROM pg_temp.get(15, 'select=name&order=name.asc&limit=2&offset=4', 'name', '',
			'ORDER BY "api"."admin_partners"."name" ASC LIMIT 2 OFFSET 4')
		-- a filtered page: active partners by MRR, highest first, 1 per page
		UNION ALL SELECT * FROM pg_temp.get(16, 'select=partner_id,mrr_total&status=eq.active&order=mrr_total.desc&limit=1&offset=1', 'partner_id,mrr_total',
			'"api"."admin_partners"."status" = ''active''', 'ORDER BY "api"."admin_partners"."mrr_total" DESC LIMIT 1 OFFSET 1')
	) g
	UNION ALL
	SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec

-- CSV export: GET /admin_partners?select=…&order=partner_id with Accept: text/csv; PostgREST
-- builds the body in SQL (header from the first row's keys, then one line per row)
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT 'GET /admin_partners (Accept: text/csv)' AS request
  FROM (SELECT set_config('search_path', '"api", "public"', true), set_config('role', 'loop_admin', true),
			   set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"AP-20260403-MMMMMM"}', true),
			   set_config('request.method', 'GET', true), set_config('request.path', '/admin_partners', true),
			   set_config('request.headers', '{"accept":"text/csv"}', true), set_config('request.cookies', '{}', true)) s;
WITH pgrst_source AS (
	SELECT "api"."admin_partners"."partner_id", "api"."admin_partners"."name", "api"."admin_partners"."status_label",
		   "api"."admin_partners"."level_label", "api"."admin_partners"."last_activity_at",
		   "api"."admin_partners"."leads_total", "api"."admin_partners"."deals_linked",
		   "api"."admin_partners"."deals_won", "api"."admin_partners"."mrr_total"
	  FROM "api"."admin_partners" ORDER BY "api"."admin_partners"."partner_id" ASC)
SELECT (SELECT coalesce(string_agg(a.k, ','), '')
		  FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a)
	   || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '') AS body
  FROM (SELECT * FROM pgrst_source) _postgrest_t;
COMMIT;
RESET SESSION AUTHORIZATION;
\pset tuples_only off
\pset format aligned
\set ECHO all

-- Cross-check against the base tables (superuser, no views): leads, linked and valid won
-- deals per partner, and MRR equal to loop.partner_summary
SELECT a.partner_id,
	   a.leads_total = (SELECT count(*) FROM loop.hubspot_contact c WHERE c.affiliate_partner_id = a.partner_id) AS leads_ok,
	   a.deals_linked = (SELECT count(*) FROM loop.hubspot_deal d WHERE d.affiliate_partner_id = a.partner_id) AS linked_ok,
	   a.deals_won = (SELECT count(*) FROM loop.hubspot_deal d
					   JOIN loop.hubspot_deal_stage st ON (st.pipeline_id, st.stage_id) = (d.pipeline, d.dealstage)
					  WHERE d.affiliate_partner_id = a.partner_id AND st.is_closed AND st.probability = 1
						AND d.affiliate_mrr > 0 AND d.affiliate_subscription_status IS NOT NULL) AS won_ok,
	   (a.mrr_total, a.mrr_active, a.level) = (s.mrr_total, s.mrr_active, s.level) AS summary_ok
  FROM api.admin_partners a JOIN loop.partner_summary s ON s.partner_id = a.partner_id
 ORDER BY a.partner_id;

-- \copy recipe of the README (as an operator in psql, no claims needed)
\copy (SELECT partner_id, name, email, status_label, level_label, registered_at, last_activity_at, leads_total, deals_linked, deals_won, mrr_total, mrr_active FROM api.admin_partners ORDER BY name) TO STDOUT CSV HEADER

DELETE FROM loop.hubspot_deal WHERE deal_id BETWEEN 8100 AND 8999;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 8100 AND 8999;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'admtest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'admtest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260403-%';
