-- test/sql/admin_access.sql — who may use the admin objects of sql/80_admin.sql (issue 4 "Admin
-- (Verwaltung), admin role only"; SECURITY.md §1.4, §1.6, §2.1).
--
-- Every admin view (GET) and function (POST /rpc) is requested as PostgREST
-- would send it (one transaction per request, role and claims by set_config,
-- the main query in PostgREST's shape; see test/sql/api_partner.sql) by:
--   anon, partner A, partner B                      → 42501 on every object;
--   admin M (valid)                                 → rows (reads only here;
--                                                     actions: admin_actions.sql);
--   loop_admin with broken or foreign claims        → no rows, 42501 from every function:
--     claims of partner A (not an admin), of D (an admin who is deactivated),
--     of P (an admin who is pending), of an unknown id, claims naming
--     loop_partner, empty claims, no claims.
-- Afterwards nothing has changed (no audit row, no sync request, every
-- status as before). Then a catalog check of the objects' options and grants.

\set VERBOSITY terse
SET TIME ZONE 'UTC';

-- Nothing of other suites is in the tables this file counts
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.audit_log) AS audit_rows,
	   (SELECT count(*) FROM loop.sync_request) AS sync_requests;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, registered_at) VALUES
	('AP-20260401-AAAAAA', 'Alfa Agentur', 'alfa@example.com', 'active', false, '2026-04-01 09:00:00+00'),
	('AP-20260401-BBBBBB', 'Bravo Beratung', 'bravo@example.com', 'active', false, '2026-04-01 10:00:00+00'),
	('AP-20260401-MMMMMM', 'Mike Admin', 'mike@example.com', 'active', true, '2026-04-01 11:00:00+00'),
	('AP-20260401-DDDDDD', 'Dora Ex-Admin', 'dora@example.com', 'deactivated', true, '2026-04-01 12:00:00+00'),
	('AP-20260401-PPPPPP', 'Paul Pending', 'paul@example.com', 'pending', true, '2026-04-01 13:00:00+00');
INSERT INTO loop.sync_run (status, finished_at) VALUES ('succeeded', now());

-- Who makes the requests: the role PostgREST switches to and the claims it sets
-- (claims NULL: request.jwt.claims is not set in that request)
CREATE TEMP TABLE who (n integer, who text PRIMARY KEY, role text, claims text, expect text);
INSERT INTO who VALUES
	(1, 'anon', 'loop_anon', '{"role":"loop_anon"}', 'denied'),
	(2, 'A', 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260401-AAAAAA"}', 'denied'),
	(3, 'B', 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260401-BBBBBB"}', 'denied'),
	(4, 'M as loop_partner', 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260401-MMMMMM"}', 'denied'),
	(5, 'admin role, no claims', 'loop_admin', NULL, 'nothing'),
	(6, 'admin role, claims {}', 'loop_admin', '{}', 'nothing'),
	(7, 'admin role, claims of A', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-AAAAAA"}', 'nothing'),
	(8, 'admin role, claims of D (deactivated)', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-DDDDDD"}', 'nothing'),
	(9, 'admin role, claims of P (pending)', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-PPPPPP"}', 'nothing'),
	(10, 'admin role, unknown id', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20990101-ZZZZZZ"}', 'nothing'),
	(11, 'admin role, claims say loop_partner', 'loop_admin', '{"role":"loop_partner","partner_id":"AP-20260401-MMMMMM"}', 'nothing'),
	(12, 'M', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-MMMMMM"}', 'admin');

-- The statements of one PostgREST request: BEGIN, the transaction-local settings
-- (printed as one label line), the main query, COMMIT
CREATE FUNCTION pg_temp.request(who text, method text, path text, main text) RETURNS TABLE (k integer, stmt text)
LANGUAGE sql AS $$
	SELECT v.k, v.stmt FROM who w CROSS JOIN LATERAL (VALUES
		(1, 'BEGIN ISOLATION LEVEL READ COMMITTED '
			|| CASE WHEN method IN ('GET', 'HEAD') THEN 'READ ONLY' ELSE 'READ WRITE' END),
		(2, format('SELECT %L AS request FROM (SELECT set_config(''search_path'', ''"api", "public"'', true), '
				   'set_config(''role'', %L, true), %sset_config(''request.method'', %L, true), '
				   'set_config(''request.path'', %L, true), '
				   'set_config(''request.headers'', ''{"prefer":"count=exact"}'', true), '
				   'set_config(''request.cookies'', ''{}'', true)) s',
				   format('%s %s as %s', method, path, w.who), w.role,
				   CASE WHEN w.claims IS NULL THEN ''
						ELSE format('set_config(''request.jwt.claims'', %L, true), ', w.claims) END,
				   method, path)),
		(3, main),
		(4, 'COMMIT')) AS v(k, stmt)
	 WHERE w.who = request.who $$;
-- PostgREST's read query for GET /<view> with Prefer: count=exact, printed as "total|page_total"
CREATE FUNCTION pg_temp.read_sql(obj text) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT r.total_result_set AS total, r.page_total FROM ('
				  'WITH pgrst_source AS (SELECT %1$s.* FROM %1$s), pgrst_source_count AS (SELECT 1 FROM %1$s) '
				  'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
				  'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t) r', '"api".' || quote_ident(obj)) $$;
-- PostgREST's call for POST /rpc/<fn> with a JSON object body; argument types from the catalog
CREATE FUNCTION pg_temp.rpc_sql(fn text, args jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT r.body FROM (WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM '
				  '(SELECT %L::json AS json_data) pgrst_payload%s, '
				  'LATERAL (SELECT "api".%I(%s) pgrst_scalar) pgrst_call) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, ''null'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t) r',
				  args::text,
				  CASE WHEN count(a.name) = 0 THEN ''
					   ELSE format(', LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body',
								   string_agg(quote_ident(a.name), ', ' ORDER BY a.i),
								   string_agg(quote_ident(a.name) || ' ' || a.type, ', ' ORDER BY a.i)) END,
				  fn,
				  coalesce(string_agg(format('%I := pgrst_body.%I', a.name, a.name), ', ' ORDER BY a.i)
							   FILTER (WHERE a.name IS NOT NULL), ''))
	  FROM pg_proc p
	  LEFT JOIN LATERAL unnest(p.proargnames, p.proargtypes::oid[]) WITH ORDINALITY AS u(name, t, i) ON true
	  LEFT JOIN LATERAL (SELECT u.name, u.i, format_type(u.t, NULL) AS type) a ON u.name IS NOT NULL
	 WHERE p.pronamespace = 'api'::regnamespace AND p.proname = fn
	 GROUP BY p.oid $$;

-- Each request prints its label line, then total|page_total of a read, the body of a call, or
-- the SQLSTATE of its error. The calls would change something if they were not refused: deactivate
-- B, make A an admin, give A level pro, request a sync.
\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
WITH object(n, method, path, main) AS (VALUES
	(1, 'GET', '/admin_partners', pg_temp.read_sql('admin_partners')),
	(2, 'GET', '/admin_audit', pg_temp.read_sql('admin_audit')),
	(3, 'GET', '/sync_history', pg_temp.read_sql('sync_history')),
	(4, 'GET', '/sync_status', pg_temp.read_sql('sync_status')),
	(5, 'POST', '/rpc/admin_set_status',
	 pg_temp.rpc_sql('admin_set_status', '{"partner_id":"AP-20260401-BBBBBB","status":"deactivated"}')),
	(6, 'POST', '/rpc/admin_set_admin', pg_temp.rpc_sql('admin_set_admin', '{"partner_id":"AP-20260401-AAAAAA","is_admin":true}')),
	(7, 'POST', '/rpc/admin_set_level_override',
	 pg_temp.rpc_sql('admin_set_level_override', '{"partner_id":"AP-20260401-AAAAAA","level":"pro","until":null}')),
	(8, 'POST', '/rpc/request_sync', pg_temp.rpc_sql('request_sync', '{}')))
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS o, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT w.n, o.n, r.k, r.stmt
	  FROM who w CROSS JOIN object o
	 CROSS JOIN LATERAL pg_temp.request(w.who, o.method, o.path, o.main) r
	 WHERE w.expect <> 'admin' OR o.method = 'GET'
	UNION ALL
	SELECT 99, 0, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.o, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set VERBOSITY terse
\set ECHO all

-- Nothing changed: no audit row, no sync request, statuses, admin flags and overrides as inserted
SELECT (SELECT count(*) FROM loop.audit_log) AS audit_rows, (SELECT count(*) FROM loop.sync_request) AS sync_requests;
SELECT partner_id, status, is_admin, level_override FROM loop.partner ORDER BY partner_id;

-- Outside PostgREST: a superuser (or any role that is not an API role) reads the
-- admin views with its own rights — the \copy export of the README
SELECT count(*) AS partners_seen_by_superuser FROM api.admin_partners;
SELECT count(*) AS runs_seen_by_superuser FROM api.sync_history;
-- ... and is refused by the functions like anyone without valid admin claims
SELECT api.admin_set_status('AP-20260401-BBBBBB', 'deactivated');
\echo :LAST_ERROR_SQLSTATE
SELECT api.request_sync();
\echo :LAST_ERROR_SQLSTATE

-- Catalog: the views are security_invoker, commented, and readable by loop_admin only
SELECT c.relname, coalesce(c.reloptions @> ARRAY['security_invoker=true'], false) AS security_invoker,
	   obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
	   has_table_privilege('public', c.oid, 'SELECT') AS public_select,
	   has_table_privilege('loop_anon', c.oid, 'SELECT') AS anon_select,
	   has_table_privilege('loop_partner', c.oid, 'SELECT') AS partner_select,
	   has_table_privilege('loop_admin', c.oid, 'SELECT') AS admin_select,
	   has_table_privilege('loop_admin', c.oid, 'INSERT, UPDATE, DELETE') AS admin_write
  FROM pg_class c
 WHERE c.relnamespace = 'api'::regnamespace
   AND c.relname IN ('admin_partners', 'admin_audit', 'sync_history', 'sync_status')
 ORDER BY c.relname;
-- ... the functions are commented, SECURITY DEFINER with a pinned search_path, executable by loop_admin only
SELECT p.oid::regprocedure AS function, p.prosecdef AS definer, p.proconfig, p.provolatile AS volatility,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
	   has_function_privilege('loop_anon', p.oid, 'EXECUTE') AS anon,
	   has_function_privilege('loop_partner', p.oid, 'EXECUTE') AS partner,
	   has_function_privilege('loop_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p
 WHERE p.pronamespace = 'api'::regnamespace
   AND p.proname IN ('admin_set_status', 'admin_set_admin', 'admin_set_level_override', 'request_sync')
 ORDER BY 1::text;
-- ... the internal functions are commented and executable by no API role, except the
-- row filters and labels the admin views need
SELECT p.oid::regprocedure AS function, p.prosecdef AS definer,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
	   has_function_privilege('loop_anon', p.oid, 'EXECUTE') AS anon,
	   has_function_privilege('loop_partner', p.oid, 'EXECUTE') AS partner,
	   has_function_privilege('loop_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p
 WHERE p.pronamespace = 'loop'::regnamespace
   AND p.proname IN ('current_admin_id', 'admin_view_allowed', 'require_admin', 'partner_status_label',
					 'audit_action_label', 'sync_status_label', 'audit_log_append_only', 'sync_claim_requests',
					 'sync_requests_pending', 'clear_expired_overrides')
 ORDER BY 1::text;
-- ... the tables: RLS forced, commented, loop_admin may only read, nobody else anything
SELECT c.oid::regclass AS table_name, c.relrowsecurity AND c.relforcerowsecurity AS rls_forced,
	   obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
	   (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		   AND col_description(c.oid, a.attnum) IS NULL AND a.attname <> 'id') AS uncommented_columns,
	   (SELECT string_agg(DISTINCT x.grantee::regrole::text || ':' || x.privilege_type, ', ')
		  FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner) AS grants,
	   (SELECT string_agg(pol.polname || ' ' || pol.polcmd::text || ' to ' || array_to_string(pol.polroles::regrole[], ','), '; ')
		  FROM pg_policy pol WHERE pol.polrelid = c.oid) AS policies
  FROM pg_class c
 WHERE c.oid IN ('loop.audit_log'::regclass, 'loop.sync_request'::regclass)
 ORDER BY 1::text;
-- ... the append-only trigger fires always (also under session_replication_role = replica)
SELECT tgname, tgenabled, tgtype, obj_description(oid, 'pg_trigger') IS NOT NULL AS commented
  FROM pg_trigger WHERE tgrelid = 'loop.audit_log'::regclass AND NOT tgisinternal;
-- ... and pg_dump keeps both tables and their identity sequences
SELECT c::regclass::text AS dumped
  FROM pg_extension e, unnest(e.extconfig) AS c
 WHERE e.extname = 'loop' AND c::regclass::text ~ '^loop\.(audit_log|sync_request)'
 ORDER BY 1;

-- Clean up
DELETE FROM loop.sync_run;
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260401-%';
