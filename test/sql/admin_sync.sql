-- test/sql/admin_sync.sql — sync control of Verwaltung: "Sync mit HubSpot" requests, the sync
-- history, and expired level overrides (issue 4 "Sync control", "Expired overrides are cleared
-- by the next sync"; seed 001 "Sync mit HubSpot", seed 003 "How sync is triggered", "Manual Override").
--
-- - api.request_sync() as admin M through PostgREST-shaped requests: returns the request id;
--   a second session (dblink, standing in for loop-sync daemon) LISTENs on loop_sync_request
--   and receives the id only after commit (not from a rolled-back or refused request);
--   within 5 minutes of the last request every admin gets P0001 with the time of the next
--   possible request; after backdating the last request by 6 minutes it works again; two
--   concurrent callers are serialized (the second sees the first and is refused).
--   (The notification is read in the second session because psql's "Asynchronous
--   notification ... received from server process with PID n" line names a PID.)
-- - loop.sync_claim_requests and loop.sync_begin attach pending requests to a run;
--   api.sync_history and api.sync_status show runs with their requester.
-- - loop.clear_expired_overrides (directly, and through loop.sync_publish) ends only
--   expired overrides and audits each as loop-sync.
-- Commits throughout (NOTIFY needs commits); ids restart at 1 (sync_request, sync_run).

\set VERBOSITY terse
SET TIME ZONE 'UTC';
CREATE EXTENSION dblink;
TRUNCATE loop.sync_request RESTART IDENTITY;
TRUNCATE loop.sync_run RESTART IDENTITY;
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.audit_log) AS audit_rows;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, level_override, level_override_until) VALUES
	('AP-20260404-MMMMMM', 'Mike Admin', 'mike@example.com', 'active', true, NULL, NULL),
	('AP-20260404-NNNNNN', 'Nina Admin', 'nina@example.com', 'active', true, NULL, NULL),
	('AP-20260404-AAAAAA', 'Alfa Agentur', 'alfa@example.com', 'active', false, 'partner', '2026-01-01 00:00:00+00'),
	('AP-20260404-BBBBBB', 'Bravo Beratung', 'bravo@example.com', 'active', false, 'pro', '2099-01-01 00:00:00+00'),
	('AP-20260404-CCCCCC', 'Charlie Consulting', 'charlie@example.com', 'active', false, 'starter', NULL),
	('AP-20260404-DDDDDD', 'Delta Digital', 'delta@example.com', 'active', false, NULL, NULL);

-- The "daemon": a second session listening on the channel
SELECT format('dbname=%s user=%s port=%s host=%s', current_database(), current_user, current_setting('port'),
			  coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), 'localhost'))
	   AS conninfo \gset
SELECT dblink_connect('daemon', :'conninfo');
SELECT dblink_exec('daemon', 'LISTEN loop_sync_request');
-- Notifications the daemon received, waiting (up to 10 s) until one with payload `until_payload`
-- arrives (delivery to a listener is asynchronous); with NULL, what has arrived within 0.2 s
CREATE FUNCTION pg_temp.daemon_heard(until_payload text) RETURNS TABLE (channel text, payload text)
LANGUAGE plpgsql AS $$
DECLARE
	n record;
	got text[] := '{}';
BEGIN
	FOR i IN 1 .. CASE WHEN until_payload IS NULL THEN 20 ELSE 1000 END LOOP
		FOR n IN SELECT * FROM dblink_get_notify('daemon') LOOP
			channel := n.notify_name;
			payload := n.extra;
			got := got || n.extra;
			RETURN NEXT;
		END LOOP;
		EXIT WHEN until_payload = ANY (got);
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;

-- The statements of one PostgREST request (see test/sql/admin_access.sql) as admin M or N;
-- tx_end ROLLBACK emulates Prefer: tx=rollback
CREATE TEMP TABLE who (who text PRIMARY KEY, claims text);
INSERT INTO who VALUES ('M', '{"role":"loop_admin","partner_id":"AP-20260404-MMMMMM"}'),
					   ('N', '{"role":"loop_admin","partner_id":"AP-20260404-NNNNNN"}');
CREATE FUNCTION pg_temp.request(n integer, who text, method text, path text, main text, tx_end text DEFAULT 'COMMIT')
RETURNS TABLE (s integer, k integer, stmt text) LANGUAGE sql AS $$
	SELECT n, v.k, v.stmt FROM who w CROSS JOIN LATERAL (VALUES
		(1, 'BEGIN ISOLATION LEVEL READ COMMITTED '
			|| CASE WHEN method IN ('GET', 'HEAD') THEN 'READ ONLY' ELSE 'READ WRITE' END),
		(2, format('SELECT %L AS request FROM (SELECT set_config(''search_path'', ''"api", "public"'', true), '
				   'set_config(''role'', ''loop_admin'', true), set_config(''request.jwt.claims'', %L, true), '
				   'set_config(''request.method'', %L, true), set_config(''request.path'', %L, true), '
				   'set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)) s',
				   format('%s %s as %s%s', method, path, w.who,
						  CASE WHEN tx_end = 'ROLLBACK' THEN ' (Prefer: tx=rollback)' ELSE '' END),
				   w.claims, method, path)),
		(3, main),
		(4, tx_end)) AS v(k, stmt)
	 WHERE w.who = request.who $$;
-- POST /rpc/request_sync as PostgREST calls it (no arguments): prints the body, the new id.
-- A refusal prints state|message (the time in it replaced by <next>, the seconds by <n>)|
-- whether <next> is the last request + 5 minutes|whether <n> is the seconds left until then|
-- detail (time replaced)|hint — via a wrapper that catches the error.
CREATE FUNCTION pg_temp.outcome(main text) RETURNS TABLE (state text, result text, next_ok boolean,
														 seconds_ok boolean, detail text, hint text)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_state text; v_message text; v_detail text; v_hint text;
	v_last timestamptz := (SELECT max(q.requested_at) FROM loop.sync_request q);
BEGIN
	EXECUTE main INTO r;
	RETURN QUERY SELECT '00000'::text, r.body::text, NULL::boolean, NULL::boolean, NULL::text, NULL::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
							v_hint = PG_EXCEPTION_HINT;
	RETURN QUERY SELECT v_state,
		regexp_replace(regexp_replace(v_message, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '<next>'), 'in \d+ seconds', 'in <n> seconds'),
		substring(v_message FROM '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d')
			= to_char((v_last + interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
		substring(v_message FROM 'in (\d+) seconds')::integer
			BETWEEN extract(epoch FROM v_last + interval '5 minutes' - clock_timestamp()) - 5
				AND extract(epoch FROM v_last + interval '5 minutes' - clock_timestamp()) + 1,
		regexp_replace(v_detail, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '<time>'),
		nullif(v_hint, '');
END $$;
\set rpc 'SELECT * FROM pg_temp.outcome($q$WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT ''{}''::json AS json_data) pgrst_payload, LATERAL (SELECT "api"."request_sync"() pgrst_scalar) pgrst_call) SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, ''null'') AS body, nullif(current_setting(''response.headers'', true), '''') AS response_headers, nullif(current_setting(''response.status'', true), '''') AS response_status FROM (SELECT * FROM pgrst_source) _postgrest_t$q$)'
\set status 'SELECT (r.body -> 0) - ''last_request_at'' - ''next_request_at'' - ''last_run_started_at'' - ''last_run_finished_at'' - ''last_success_at'' AS sync_status FROM (WITH pgrst_source AS (SELECT "api"."sync_status".* FROM "api"."sync_status") SELECT coalesce(json_agg(_postgrest_t), ''[]'')::jsonb AS body FROM (SELECT * FROM pgrst_source) _postgrest_t) r'

-- 1. No request yet: the button is enabled. A rolled-back request (id 1 is used up) notifies
--    nobody; the first real request returns id 2; a second one by M and one by N within
--    5 minutes are refused (P0001); the daemon heard exactly "2".
\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL SELECT * FROM pg_temp.request(1, 'M', 'GET', '/sync_status', :'status')
	UNION ALL SELECT * FROM pg_temp.request(2, 'M', 'POST', '/rpc/request_sync', :'rpc', 'ROLLBACK')
	UNION ALL SELECT * FROM pg_temp.request(3, 'M', 'POST', '/rpc/request_sync', :'rpc')
	UNION ALL SELECT * FROM pg_temp.request(4, 'M', 'POST', '/rpc/request_sync', :'rpc')
	UNION ALL SELECT * FROM pg_temp.request(5, 'N', 'POST', '/rpc/request_sync', :'rpc')
	UNION ALL SELECT * FROM pg_temp.request(6, 'M', 'GET', '/sync_status', :'status')
	UNION ALL SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set ECHO all
SELECT * FROM pg_temp.daemon_heard('2');
SELECT id, requested_by, run_id FROM loop.sync_request ORDER BY id;

-- 2. Backdated by 4 minutes the window is still closed (about 60 s left); by 6 minutes it
--    is open again: N's request (id 3) works. The daemon hears nothing before the commit.
UPDATE loop.sync_request SET requested_at = requested_at - interval '4 minutes';
\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL SELECT * FROM pg_temp.request(1, 'N', 'POST', '/rpc/request_sync', :'rpc')
	UNION ALL SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set ECHO all
UPDATE loop.sync_request SET requested_at = requested_at - interval '2 minutes';
BEGIN;
SET LOCAL ROLE loop_admin;
SELECT set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"AP-20260404-NNNNNN"}', true) IS NOT NULL AS claims_set;
SELECT api.request_sync() AS request_id;
RESET ROLE;
SELECT count(*) AS heard_before_commit FROM pg_temp.daemon_heard(NULL);
COMMIT;
SELECT * FROM pg_temp.daemon_heard('3');
SELECT id, requested_by, run_id FROM loop.sync_request ORDER BY id;

-- 3. Two admins at the same moment (after the window has passed): N's request is made in an
--    open transaction (session admin_n); M's, in session admin_m, waits for N's lock; when N
--    commits, M sees N's request and is refused (P0001) — one request, one notification.
UPDATE loop.sync_request SET requested_at = requested_at - interval '6 minutes';
SELECT dblink_connect('admin_n', :'conninfo'), dblink_connect('admin_m', :'conninfo');
SELECT dblink_exec('admin_m', $f$
	CREATE FUNCTION pg_temp.request_sync_as(claims text) RETURNS text LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM set_config('role', 'loop_admin', true);
		PERFORM set_config('request.jwt.claims', claims, true);
		RETURN api.request_sync()::text;
	EXCEPTION WHEN others THEN
		RETURN SQLSTATE;
	END $$ $f$);
SELECT dblink_exec('admin_n', 'BEGIN');
SELECT dblink_exec('admin_n', 'SET LOCAL ROLE loop_admin');
SELECT * FROM dblink('admin_n', $$SELECT set_config('request.jwt.claims', '{"role":"loop_admin","partner_id":"AP-20260404-NNNNNN"}', true) IS NOT NULL$$) AS t(claims_set boolean);
SELECT * FROM dblink('admin_n', 'SELECT api.request_sync()') AS t(request_id bigint);
SELECT * FROM dblink('admin_m', 'SELECT pg_backend_pid()') AS t(pid integer) \gset admin_m_
SELECT dblink_send_query('admin_m', $$SELECT pg_temp.request_sync_as('{"role":"loop_admin","partner_id":"AP-20260404-MMMMMM"}')$$);
CREATE FUNCTION pg_temp.wait_for_lock_wait(p integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1 .. 1000 LOOP		-- up to 10 s until backend p waits for an advisory lock
		EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = p AND l.locktype = 'advisory' AND NOT l.granted);
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
SELECT pg_temp.wait_for_lock_wait(:admin_m_pid);
SELECT l.classid, l.objid, l.objsubid, l.granted AS m_has_lock
  FROM pg_locks l WHERE l.pid = :admin_m_pid AND l.locktype = 'advisory';
SELECT dblink_exec('admin_n', 'COMMIT');
SELECT * FROM dblink_get_result('admin_m') AS t(m_result text);
SELECT * FROM pg_temp.daemon_heard('4');
SELECT dblink_disconnect('admin_n'), dblink_disconnect('admin_m');
SELECT id, requested_by, run_id FROM loop.sync_request ORDER BY id;

-- 4. A sync picks requests up: loop.sync_claim_requests attaches every pending one
--    (returns how many), a second call finds none; loop.sync_begin does it for its run.
SELECT loop.sync_requests_pending() AS pending;
SELECT loop.sync_claim_requests(1000) AS claimed;
SELECT loop.sync_claim_requests(1001) AS claimed_again;
SELECT id, requested_by, run_id FROM loop.sync_request ORDER BY id;
UPDATE loop.sync_request SET run_id = NULL WHERE id IN (3, 4);
SELECT loop.sync_begin() AS run \gset
SELECT :run AS run, loop.sync_requests_pending() AS pending;
SELECT id, requested_by, run_id FROM loop.sync_request ORDER BY id;
SELECT status, error FROM loop.sync_fail(:run, 'stopped by the admin test');

-- 5. Expired overrides: A's ended 2026-01-01 (expired), B's runs to 2099, C's has no expiry,
--    D has none. clear_expired_overrides clears A's only (one audit row, actor loop-sync),
--    then finds nothing; an override that expires exactly now() is expired.
SELECT loop.clear_expired_overrides(2000) AS cleared;
SELECT loop.clear_expired_overrides(2001) AS cleared_again;
SELECT partner_id, level_override, level_override_until FROM loop.partner WHERE partner_id LIKE 'AP-20260404-%' ORDER BY 1;
BEGIN;
UPDATE loop.partner SET level_override = 'partner', level_override_until = now() WHERE partner_id = 'AP-20260404-DDDDDD';
SELECT loop.clear_expired_overrides(2002) AS cleared_at_now;
COMMIT;
-- ... and a sync clears the rest: B's override backdated to yesterday, a full run
-- (sync_begin, nothing staged, sync_publish) ends it in the publish transaction
UPDATE loop.partner SET level_override_until = now() - interval '1 day' WHERE partner_id = 'AP-20260404-BBBBBB';
SELECT loop.sync_begin() AS run \gset
SELECT status FROM loop.sync_publish(:run);
SELECT partner_id, level_override, level_override_until FROM loop.partner WHERE partner_id LIKE 'AP-20260404-%' ORDER BY 1;
SELECT actor, action, partner_id, before - 'level_override_until' AS before, after, run_id,
	   (before ->> 'level_override_until') IS NOT NULL AS had_expiry
  FROM loop.audit_log ORDER BY id;
SELECT count(*) AS sync_audit_rows_with_run FROM loop.audit_log WHERE run_id = :run;

-- 6. The history and the status as admin M reads them (GET /sync_history, /sync_status;
--    /admin_audit shows the loop-sync rows with their German label)
\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL SELECT * FROM pg_temp.request(1, 'M', 'GET', '/sync_history',
		'SELECT e ->> ''run_id'' AS run, e ->> ''status'' AS status, e ->> ''status_label'' AS label, '
		'(e ->> ''duration'')::interval >= ''0'' AS has_duration, e ->> ''error'' AS error, '
		'e ->> ''requested_by'' AS requested_by, e ->> ''requests'' AS requests, e ->> ''contacts_inserted'' AS contacts_inserted '
		'FROM (WITH pgrst_source AS (SELECT "api"."sync_history".* FROM "api"."sync_history") '
		'SELECT coalesce(json_agg(_postgrest_t), ''[]'') AS body FROM (SELECT * FROM pgrst_source) _postgrest_t) r '
		'CROSS JOIN LATERAL json_array_elements(r.body) WITH ORDINALITY AS x(e, i) ORDER BY x.i')
	UNION ALL SELECT * FROM pg_temp.request(2, 'M', 'GET', '/sync_status', :'status')
	UNION ALL SELECT * FROM pg_temp.request(3, 'M', 'GET', '/admin_audit?actor=eq.loop-sync',
		'SELECT e ->> ''actor_name'' AS actor_name, e ->> ''action_label'' AS action_label, e ->> ''partner_name'' AS partner_name '
		'FROM (WITH pgrst_source AS (SELECT "api"."admin_audit".* FROM "api"."admin_audit" '
		'WHERE "api"."admin_audit"."actor" = ''loop-sync'') '
		'SELECT coalesce(json_agg(_postgrest_t), ''[]'') AS body FROM (SELECT * FROM pgrst_source) _postgrest_t) r '
		'CROSS JOIN LATERAL json_array_elements(r.body) WITH ORDINALITY AS x(e, i) ORDER BY x.i')
	UNION ALL SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set ECHO all

-- Clean up
SELECT dblink_disconnect('daemon');
DROP EXTENSION dblink;
ALTER TABLE loop.audit_log DISABLE TRIGGER audit_log_append_only;
TRUNCATE loop.audit_log RESTART IDENTITY;
ALTER TABLE loop.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
TRUNCATE loop.sync_request RESTART IDENTITY;
TRUNCATE loop.sync_run RESTART IDENTITY;
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260404-%';
