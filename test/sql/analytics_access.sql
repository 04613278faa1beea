-- test/sql/analytics_access.sql — who may read Programm-Analyse and history (issue 4;
-- sql/82_history.sql, sql/83_analytics.sql; SECURITY.md §1.4, §7 items 1 and 4).
--
-- Every request is emulated as PostgREST sends it (SECURITY.md §1.4): the session
-- is loop_authenticator, each request one transaction
--   BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
--   SELECT set_config('search_path', …), set_config('role', …), set_config('request.jwt.claims', …),
--          set_config('request.method', …), set_config('request.path', …), …;
--   WITH pgrst_source AS (…) SELECT total_result_set, page_total, body, … ;
--   COMMIT;
-- pg_temp.request() writes those statements and \gexec runs them. Each request
-- prints role|claims|path, then rows|seen|shown (seen: whose markers the body
-- contains, X1 = the partner, XA = the admin) or the SQLSTATE of its error.
--
-- Expected: anon gets 42501 on every object below; a partner gets 42501 on
-- every admin object (program_kpis, program_history, program_funnel,
-- program_trend, program_range, admin_leaderboard_monthly) and only own rows
-- of mrr_trend and an anonymised leaderboard_monthly; the admin gets the data.
-- Broken claims fail closed: with role loop_partner 42501 on the admin objects
-- and no rows elsewhere; with role loop_admin but claims that are no valid admin
-- (role and claims disagree, empty claims, or a partner without is_admin) 42501
-- from the admin functions and no rows from the views; leaderboard_monthly then
-- answers as for the partner the claims name (the own name only) or not at all.

\set VERBOSITY terse
SET TIME ZONE 'UTC';
SET datestyle = 'ISO, YMD';

SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;

-- X1 (partner): 2 leads referred 2026-02-02 and 2026-02-10 (Neu, Gewonnen), one valid won deal
-- closed 2026-02-10 (100 EUR active → 20.00 at starter); XA (admin): one lead 2026-02-20 (Neu).
-- One snapshot of both, taken 2026-02-15 12:00 UTC (run 990101).
INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260201-ACCES1', 'Xaver Partner', 'xaver@access.example', 'active', false),
	('AP-20260201-ACCESA', 'Xenia Admin', 'xenia@access.example', 'active', true);
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('actest', 'Zugriff', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('actest', 'won', 'Gewonnen', 0, true, 1.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lifecyclestage, created_at) VALUES
	(7101, 'AP-20260201-ACCES1', 'Xaver-Lead-1', 'lead', '2026-02-02 10:00:00+00'),
	(7102, 'AP-20260201-ACCES1', 'Xaver-Lead-2', 'customer', '2026-02-10 10:00:00+00'),
	(7103, 'AP-20260201-ACCESA', 'Xenia-Lead-1', 'lead', '2026-02-20 10:00:00+00');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(8101, 'AP-20260201-ACCES1', 'Xaver-Deal', 'actest', 'won', '2026-02-10 12:00:00+00', 100, 'active');
INSERT INTO loop.sync_run (id, status, finished_at) OVERRIDING SYSTEM VALUE
VALUES (990101, 'succeeded', '2026-02-15 12:00:00+00');
SELECT loop.snapshot_partners_at(990101, '2026-02-15 12:00:00+00') AS snapshot_rows;

-- The statements of one emulated request (SECURITY.md §1.4); claims NULL = not set at all
CREATE FUNCTION pg_temp.request(role text, claims text, path text, main text) RETURNS TABLE (k integer, stmt text)
LANGUAGE sql AS $$
	VALUES (1, 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY'),
		   (2, format('SELECT s.role, s.claims, s.path FROM (SELECT set_config(''search_path'', %L, true) AS search_path, '
					  'set_config(''role'', %L, true) AS role, %s AS claims, '
					  'set_config(''request.method'', ''GET'', true) AS method, set_config(''request.path'', %L, true) AS path, '
					  'set_config(''request.headers'', %L, true) AS headers, set_config(''request.cookies'', ''{}'', true) AS cookies) s',
					  '"api", "public"', role,
					  CASE WHEN claims IS NULL THEN '''(no claims)''' ELSE format('set_config(''request.jwt.claims'', %L, true)', claims) END,
					  path, '{"prefer":"count=exact"}')),
		   (3, main),
		   (4, 'COMMIT') $$;

-- PostgREST's read of GET /<view> with Prefer: count=exact
CREATE FUNCTION pg_temp.read_sql(obj text) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT %1$s.* FROM %1$s), pgrst_source_count AS (SELECT 1 FROM %1$s) '
				  'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
				  'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t', '"api".' || quote_ident(obj)) $$;

-- PostgREST's call of a set-returning function for GET /rpc/<fn>?<args> (arguments from the
-- query string through json_to_record, passed by name; grain and preset are text, the rest dates)
CREATE FUNCTION pg_temp.rpc_sql(fn text, args jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT pgrst_call.* FROM (SELECT %L::json AS json_data) pgrst_payload, '
				  'LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body, '
				  'LATERAL "api".%I(%s) pgrst_call) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  args::text, string_agg(quote_ident(k), ', ' ORDER BY k),
				  string_agg(quote_ident(k) || CASE WHEN k IN ('grain', 'preset') THEN ' text' ELSE ' date' END, ', ' ORDER BY k),
				  fn, string_agg(format('%I := pgrst_body.%I', k, k), ', ' ORDER BY k))
	  FROM jsonb_object_keys(args) AS k $$;

-- rows | whose markers the body contains | what the body says (shown: an expression over r.body)
CREATE FUNCTION pg_temp.checked(main text, shown text) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT coalesce(r.total_result_set, r.page_total) AS rows, '
				  '(SELECT coalesce(string_agg(m.k, '','' ORDER BY m.k), ''-'') FROM (VALUES '
				  '(''X1'', ''AP-20260201-ACCES1|Xaver''), (''XA'', ''AP-20260201-ACCESA|Xenia'')) AS m(k, re) '
				  'WHERE r.body::text ~ m.re) AS seen, %s AS shown FROM (%s) r', shown, main) $$;

\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
WITH scenario(n, role, claims) AS (VALUES
	(1, 'loop_anon', '{"role":"loop_anon"}'),
	(2, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260201-ACCES1"}'),
	(3, 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260201-ACCESA"}'),
	(4, 'loop_partner', '{"role":"loop_admin","partner_id":"AP-20260201-ACCESA"}'),
	(5, 'loop_admin', '{"role":"loop_partner","partner_id":"AP-20260201-ACCESA"}'),
	(6, 'loop_admin', '{}'),
	(7, 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260201-ACCES1"}')),
object(n, path, main, shown) AS (VALUES
	(1, '/program_kpis', pg_temp.read_sql('program_kpis'),
	 $s$coalesce((r.body->0->>'partners_total') || ' partners, ' || (r.body->0->>'leads_total') || ' leads, ' || (r.body->0->>'deals_won') || ' won, ' || (r.body->0->>'mrr_total') || ' EUR', '-')$s$),
	(2, '/program_history', pg_temp.read_sql('program_history'), 'r.body::text'),
	(3, '/rpc/program_funnel', pg_temp.rpc_sql('program_funnel', '{"from_date":"2026-02-01","to_date":"2026-02-28"}'), 'r.body::text'),
	(4, '/rpc/program_trend', pg_temp.rpc_sql('program_trend', '{"from_date":"2026-02-01","to_date":"2026-02-28","grain":"month"}'), 'r.body::text'),
	(5, '/rpc/program_range', pg_temp.rpc_sql('program_range', '{"preset":"last_30_days"}'), $s$json_array_length(r.body)::text || ' range'$s$),
	(6, '/rpc/admin_leaderboard_monthly', pg_temp.rpc_sql('admin_leaderboard_monthly', '{"month":"2026-02-01"}'), 'r.body::text'),
	(7, '/mrr_trend', pg_temp.read_sql('mrr_trend'), 'r.body::text'),
	(8, '/rpc/leaderboard_monthly', pg_temp.rpc_sql('leaderboard_monthly', '{"month":"2026-02-01"}'), 'r.body::text'))
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

-- The grants behind it: EXECUTE / SELECT for loop_admin only on the admin objects,
-- for loop_partner and loop_admin on mrr_trend and leaderboard_monthly, never for PUBLIC or anon
SELECT o.obj, o.kind,
	   CASE o.kind WHEN 'view' THEN has_table_privilege('loop_anon', o.obj, 'SELECT')
				   ELSE has_function_privilege('loop_anon', o.obj, 'EXECUTE') END AS anon,
	   CASE o.kind WHEN 'view' THEN has_table_privilege('loop_partner', o.obj, 'SELECT')
				   ELSE has_function_privilege('loop_partner', o.obj, 'EXECUTE') END AS partner,
	   CASE o.kind WHEN 'view' THEN has_table_privilege('loop_admin', o.obj, 'SELECT')
				   ELSE has_function_privilege('loop_admin', o.obj, 'EXECUTE') END AS admin,
	   CASE o.kind WHEN 'view' THEN has_table_privilege('public', o.obj, 'SELECT')
				   ELSE has_function_privilege('public', o.obj, 'EXECUTE') END AS public,
	   CASE o.kind WHEN 'view' THEN obj_description(o.obj::regclass, 'pg_class')
				   ELSE obj_description(o.obj::regprocedure, 'pg_proc') END IS NOT NULL AS commented
  FROM (VALUES ('api.program_kpis', 'view'), ('api.program_history', 'view'), ('api.mrr_trend', 'view'),
			   ('api.program_funnel(date, date)', 'function'), ('api.program_trend(date, date, text)', 'function'),
			   ('api.program_range(text)', 'function'), ('api.admin_leaderboard_monthly(date)', 'function'),
			   ('api.leaderboard_monthly(date)', 'function'),
			   ('loop.program_range_at(text, date)', 'function'), ('loop.leaderboard_monthly_at(date)', 'function'),
			   ('loop.partner_leaderboard_monthly_at(date)', 'function'), ('loop.analytics_require_admin()', 'function'),
			   ('loop.snapshot_partners(bigint)', 'function'),
			   ('loop.snapshot_partners_at(bigint, timestamptz)', 'function')) AS o(obj, kind)
 ORDER BY 1;
-- The snapshot table: row-level security forced, SELECT for partner and admin only, kept by pg_dump,
-- table and columns commented
\x on
SELECT c.oid::regclass AS snapshot_table, c.relrowsecurity AND c.relforcerowsecurity AS rls_forced,
	   (SELECT string_agg(pol.polname || ':' || pol.polcmd::text || ':' ||
						  (SELECT string_agg(r.rolname, ',' ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY (pol.polroles)),
						  ' ' ORDER BY pol.polname) FROM pg_policy pol WHERE pol.polrelid = c.oid) AS policies,
	   has_table_privilege('loop_anon', c.oid, 'SELECT') AS anon_select,
	   has_table_privilege('loop_partner', c.oid, 'SELECT') AS partner_select,
	   has_table_privilege('loop_partner', c.oid, 'INSERT, UPDATE, DELETE') AS partner_write,
	   has_table_privilege('loop_admin', c.oid, 'INSERT, UPDATE, DELETE') AS admin_write,
	   c.oid = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'loop')::oid[]) AS dumped,
	   obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
	   (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		   AND col_description(c.oid, a.attnum) IS NULL) AS uncommented_columns
  FROM pg_class c WHERE c.oid = 'loop.partner_snapshot'::regclass;
\x off

-- Clean up
DELETE FROM loop.hubspot_deal WHERE deal_id = 8101;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 7101 AND 7103;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'actest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'actest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260201-ACCES_';
DELETE FROM loop.sync_run WHERE id = 990101;
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals, (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;
