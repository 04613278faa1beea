-- test/sql/admin_actions.sql — the partner actions of Verwaltung and their audit log (issue 4
-- "Actions as functions"; seed 001 "Partner actions", "Level override", "Letzte Aktionen";
-- seed 003 "Manual Override").
--
-- Each action is a PostgREST request (POST /rpc/<fn>, JSON body) in its own
-- transaction, as admin M or admin N. Each prints one line:
--   state|result|hint
-- state 00000 with the response body (without audit_id; "+audit" when the
-- body names an audit row), or the SQLSTATE, message and hint of the error.
-- (The main query runs inside pg_temp.outcome, a plpgsql wrapper that catches
-- the error so that the message and hint print without line numbers.)
-- Afterwards the audit log must hold exactly one row per "+audit" response,
-- in order, with the right before/after; no-ops, refusals and rolled-back
-- requests leave none.

\set VERBOSITY terse
SET TIME ZONE 'UTC';

SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.audit_log) AS audit_rows;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, registered_at) VALUES
	('AP-20260402-AAAAAA', 'Alfa Agentur', 'alfa@example.com', 'active', false, '2026-04-02 09:00:00+00'),
	('AP-20260402-BBBBBB', 'Bravo Beratung', 'bravo@example.com', 'pending', false, '2026-04-02 10:00:00+00'),
	('AP-20260402-MMMMMM', 'Mike Admin', 'mike@example.com', 'active', true, '2026-04-02 11:00:00+00'),
	('AP-20260402-NNNNNN', 'Nina Admin', 'nina@example.com', 'active', true, '2026-04-02 12:00:00+00');
-- A has credentials (token version 1); B has none
INSERT INTO loop.partner_auth (partner_id) VALUES ('AP-20260402-AAAAAA');

CREATE TEMP TABLE who (who text PRIMARY KEY, role text, claims text);
INSERT INTO who VALUES
	('M', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260402-MMMMMM"}'),
	('N', 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260402-NNNNNN"}');

-- The statements of one PostgREST request (see test/sql/admin_access.sql); tx_end ROLLBACK
-- emulates Prefer: tx=rollback
CREATE FUNCTION pg_temp.request(who text, method text, path text, main text, tx_end text DEFAULT 'COMMIT')
RETURNS TABLE (k integer, stmt text) LANGUAGE sql AS $$
	SELECT v.k, v.stmt FROM who w CROSS JOIN LATERAL (VALUES
		(1, 'BEGIN ISOLATION LEVEL READ COMMITTED '
			|| CASE WHEN method IN ('GET', 'HEAD') THEN 'READ ONLY' ELSE 'READ WRITE' END),
		(2, format('SELECT %L AS request FROM (SELECT set_config(''search_path'', ''"api", "public"'', true), '
				   'set_config(''role'', %L, true), set_config(''request.jwt.claims'', %L, true), '
				   'set_config(''request.method'', %L, true), set_config(''request.path'', %L, true), '
				   'set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)) s',
				   format('%s %s as %s%s', method, path, w.who,
						  CASE WHEN tx_end = 'ROLLBACK' THEN ' (Prefer: tx=rollback)' ELSE '' END),
				   w.role, w.claims, method, path)),
		(3, main),
		(4, tx_end)) AS v(k, stmt)
	 WHERE w.who = request.who $$;
-- PostgREST's call for POST /rpc/<fn> with a JSON object body; argument types from the catalog
CREATE FUNCTION pg_temp.rpc_sql(fn text, args jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM '
				  '(SELECT %L::json AS json_data) pgrst_payload, '
				  'LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body, '
				  'LATERAL (SELECT "api".%I(%s) pgrst_scalar) pgrst_call) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, ''null'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  args::text,
				  string_agg(quote_ident(u.name), ', ' ORDER BY u.i),
				  string_agg(quote_ident(u.name) || ' ' || format_type(u.t, NULL), ', ' ORDER BY u.i),
				  fn,
				  string_agg(format('%I := pgrst_body.%I', u.name, u.name), ', ' ORDER BY u.i))
	  FROM pg_proc p CROSS JOIN LATERAL unnest(p.proargnames, p.proargtypes::oid[]) WITH ORDINALITY AS u(name, t, i)
	 WHERE p.pronamespace = 'api'::regnamespace AND p.proname = fn
	 GROUP BY p.oid $$;
-- Runs a main query, returns state|result|hint
CREATE FUNCTION pg_temp.outcome(main text) RETURNS TABLE (state text, result text, hint text)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_state text;
	v_message text;
	v_hint text;
BEGIN
	EXECUTE main INTO r;
	RETURN QUERY SELECT '00000'::text,
		((r.body::jsonb - 'audit_id')::text
		 || CASE WHEN r.body::jsonb ->> 'audit_id' IS NOT NULL THEN ' +audit' ELSE '' END),
		NULL::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
	RETURN QUERY SELECT v_state, v_message, nullif(v_hint, '');
END $$;
-- One action: who, function, JSON arguments (tx_end: COMMIT or ROLLBACK)
CREATE FUNCTION pg_temp.act(n integer, who text, fn text, args jsonb, tx_end text DEFAULT 'COMMIT')
RETURNS TABLE (s integer, k integer, stmt text) LANGUAGE sql AS $$
	SELECT n, r.k, r.stmt
	  FROM pg_temp.request(who, 'POST', '/rpc/' || fn,
						   format('SELECT * FROM pg_temp.outcome(%L)', pg_temp.rpc_sql(fn, args)), tx_end) r $$;

\set M '"AP-20260402-MMMMMM"'
\set N '"AP-20260402-NNNNNN"'
\set A '"AP-20260402-AAAAAA"'
\set B '"AP-20260402-BBBBBB"'

\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT a.s, a.k, a.stmt FROM (
	-- status: deactivate A (audit; A's token version bumped), again (no-op), activate with
	-- another spelling (audit), activate pending B (audit); invalid values, unknown partner,
	-- deactivating oneself (22023); activating oneself is a no-op
	SELECT * FROM pg_temp.act(1, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"deactivated"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(2, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"deactivated"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(3, 'M', 'admin_set_status', format('{"partner_id":%s,"status":" Active "}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(4, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"active"}', :'B')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(5, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"pending"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(6, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"paused"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(7, 'M', 'admin_set_status', format('{"partner_id":%s,"status":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(8, 'M', 'admin_set_status', '{"partner_id":"AP-20990101-ZZZZZZ","status":"active"}')
	UNION ALL SELECT * FROM pg_temp.act(9, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"deactivated"}', :'M')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(10, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"active"}', :'M')::jsonb)
	-- a rolled-back request (Prefer: tx=rollback) changes nothing and leaves no audit row
	UNION ALL SELECT * FROM pg_temp.act(11, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"deactivated"}', :'B')::jsonb, 'ROLLBACK')
	-- admin flag: grant A (audit), again (no-op), revoke A (audit); NULL, unknown partner,
	-- revoking oneself (22023)
	UNION ALL SELECT * FROM pg_temp.act(12, 'M', 'admin_set_admin', format('{"partner_id":%s,"is_admin":true}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(13, 'M', 'admin_set_admin', format('{"partner_id":%s,"is_admin":true}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(14, 'M', 'admin_set_admin', format('{"partner_id":%s,"is_admin":false}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(15, 'M', 'admin_set_admin', format('{"partner_id":%s,"is_admin":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(16, 'M', 'admin_set_admin', '{"partner_id":"AP-20990101-ZZZZZZ","is_admin":true}')
	UNION ALL SELECT * FROM pg_temp.act(17, 'M', 'admin_set_admin', format('{"partner_id":%s,"is_admin":false}', :'M')::jsonb)
	-- another admin may: N revokes M (audit, actor N); M's admin claims are worthless at once
	-- (42501, even for a harmless call); N grants M again (audit)
	UNION ALL SELECT * FROM pg_temp.act(18, 'N', 'admin_set_admin', format('{"partner_id":%s,"is_admin":false}', :'M')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(19, 'M', 'admin_set_status', format('{"partner_id":%s,"status":"active"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(20, 'N', 'admin_set_admin', format('{"partner_id":%s,"is_admin":true}', :'M')::jsonb)
	-- N deactivates M: M's claims no longer count (42501); N activates M again
	UNION ALL SELECT * FROM pg_temp.act(21, 'N', 'admin_set_status', format('{"partner_id":%s,"status":"deactivated"}', :'M')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(22, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"pro","until":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(23, 'N', 'admin_set_status', format('{"partner_id":%s,"status":"active"}', :'M')::jsonb)
	-- level override: Pro until 2099 (audit), the same again (no-op), Pro without expiry
	-- (audit: the expiry changed), invalid level, until without level, until in the past,
	-- unknown partner (22023), clear (audit), clear again (no-op)
	UNION ALL SELECT * FROM pg_temp.act(24, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"Pro","until":"2099-01-01T00:00:00Z"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(25, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"pro","until":"2099-01-01T01:00:00+01:00"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(26, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"pro","until":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(27, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"gold","until":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(28, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"","until":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(29, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":null,"until":"2099-01-01T00:00:00Z"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(30, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":"starter","until":"2020-01-01T00:00:00Z"}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(31, 'M', 'admin_set_level_override', '{"partner_id":"AP-20990101-ZZZZZZ","level":"pro","until":null}')
	UNION ALL SELECT * FROM pg_temp.act(32, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":null,"until":null}', :'A')::jsonb)
	UNION ALL SELECT * FROM pg_temp.act(33, 'M', 'admin_set_level_override', format('{"partner_id":%s,"level":null,"until":null}', :'A')::jsonb)
	-- N gives B level starter for a limited time (audit)
	UNION ALL SELECT * FROM pg_temp.act(34, 'N', 'admin_set_level_override', format('{"partner_id":%s,"level":"starter","until":"2099-06-30T22:00:00Z"}', :'B')::jsonb)
	) a
	UNION ALL
	SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set ECHO all

-- The partners now: A active (its token version bumped once, by the deactivation),
-- B active with starter until 2099-06-30, M and N active admins
SELECT p.partner_id, p.status, p.is_admin, p.level_override, p.level_override_until, a.token_version
  FROM loop.partner p LEFT JOIN loop.partner_auth a ON a.partner_id = p.partner_id
 ORDER BY p.partner_id;

-- Exactly one audit row per "+audit" response above that committed (14 responses, one
-- rolled back: 13 rows), in order, with before/after of the changed fields
SELECT count(*) AS audit_rows FROM loop.audit_log;
SELECT row_number() OVER (ORDER BY id) AS n, actor, action, partner_id, before, after, run_id
  FROM loop.audit_log ORDER BY id;

-- "Letzte Aktionen" as admin M reads it (GET /admin_audit?limit=5): newest first, German labels, names
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"api", "public"', true) IS NOT NULL AS path_set,
	   set_config('role', 'loop_admin', true) AS role,
	   set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"AP-20260402-MMMMMM"}', true) IS NOT NULL AS claims_set;
SELECT e ->> 'actor' AS actor, e ->> 'actor_name' AS actor_name, e ->> 'action' AS action, e ->> 'action_label' AS action_label,
	   e ->> 'partner_name' AS partner_name, e -> 'before' AS before, e -> 'after' AS after
  FROM (WITH pgrst_source AS (SELECT "api"."admin_audit".* FROM "api"."admin_audit" LIMIT 5 OFFSET 0)
		SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
			   coalesce(json_agg(_postgrest_t), '[]') AS body
		  FROM (SELECT * FROM pgrst_source) _postgrest_t) r
 CROSS JOIN LATERAL json_array_elements(r.body) WITH ORDINALITY AS x(e, i)
 ORDER BY x.i;
-- at is the time of the change's transaction, never in the future
SELECT count(*) FILTER (WHERE at <= now()) AS at_not_future, count(*) AS rows FROM api.admin_audit;
-- GET /rpc/admin_set_status runs READ ONLY: the write fails (25006, HTTP 405)
SELECT api.admin_set_status('AP-20260402-AAAAAA', 'deactivated');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The audit log is append-only: loop_admin has no write privilege at all ...
BEGIN;
SELECT set_config('role', 'loop_admin', true) AS role,
	   set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"AP-20260402-MMMMMM"}', true) IS NOT NULL AS claims_set;
INSERT INTO loop.audit_log (actor, action, partner_id, before, after)
VALUES ('AP-20260402-MMMMMM', 'admin_granted', 'AP-20260402-MMMMMM', '{}', '{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SELECT set_config('role', 'loop_admin', true) AS role;
UPDATE loop.audit_log SET after = '{}';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;
-- ... and the trigger refuses UPDATE, DELETE and TRUNCATE to the superuser too (42501),
-- also for statements that match no row and with session_replication_role = replica
UPDATE loop.audit_log SET after = '{}' WHERE id = (SELECT min(id) FROM loop.audit_log);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM loop.audit_log;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM loop.audit_log WHERE false;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE loop.audit_log;
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
DELETE FROM loop.audit_log;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE loop.audit_log;
\echo :LAST_ERROR_SQLSTATE
RESET session_replication_role;
SELECT count(*) AS audit_rows_still FROM loop.audit_log;

-- Clean up (only the owner can lift the trigger, explicitly)
ALTER TABLE loop.audit_log DISABLE TRIGGER audit_log_append_only;
TRUNCATE loop.audit_log RESTART IDENTITY;
ALTER TABLE loop.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260402-%';
SELECT (SELECT count(*) FROM loop.partner_auth) AS partner_auth_rows,
	   (SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_log_append_only') AS trigger_enabled;
