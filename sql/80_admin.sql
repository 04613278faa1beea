-- sql/80_admin.sql — loop extension install script, part 8: Verwaltung (admin)
--
-- The admin tab of the partner app (seed 001 "Admin (Verwaltung)", seed 003
-- "Admin panel (Verwaltung)" and "Manual Override"; issue 4 "Admin"):
--   - api.admin_partners: the partner list (search, filter, paging and CSV
--     through PostgREST's query parameters and Accept: text/csv);
--   - api.admin_set_status, api.admin_set_admin, api.admin_set_level_override:
--     the partner actions, each writing one row of loop.audit_log in the same
--     transaction; api.admin_audit ("Letzte Aktionen") reads it;
--   - api.request_sync ("Sync mit HubSpot"): at most one request per 5 minutes,
--     recorded in loop.sync_request and announced with NOTIFY loop_sync_request;
--     loop.sync_claim_requests attaches pending requests to a run (called by
--     loop.sync_begin); api.sync_history and api.sync_status show runs and requests;
--   - loop.clear_expired_overrides: the sync ends overrides whose expiry has
--     passed (called by loop.sync_publish) and audits each as actor 'loop-sync'.
--
-- Who is an admin. Every admin object requires a *valid admin*: the request
-- runs as loop_admin with claims naming that role (loop.claims_role()), and
-- the claims' partner_id (loop.current_partner_id()) is an existing, active
-- partner with is_admin — loop.current_admin_id(). Both helpers read the
-- role from the setting "role", so they work inside SECURITY DEFINER
-- functions too. The views show no rows to any other API request
-- (loop.admin_view_allowed; an operator in psql reads them with their own
-- rights), the functions raise 42501. Partners and anonymous requests have no
-- grant on any of it (42501 from PostgreSQL itself). Token expiry and
-- revocation stay the job of loop.pre_request (PostgREST's db-pre-request).
--
-- Actions. A change writes exactly one audit row with before/after of the
-- changed fields; a no-op (the value is already set) changes nothing, writes
-- no audit row and answers "changed": false. An admin cannot deactivate
-- themselves or revoke their own admin flag (22023: no lock-out).
-- Deactivation also bumps the partner's token version (loop.partner_auth),
-- revoking every JWT even across a later reactivation.
--
-- Serialization. Admin actions take the transaction-level advisory lock
-- (1819242352, 3) before checking the caller, so two admins cannot, for
-- example, revoke each other's admin flag at the same moment and leave the
-- program without an admin: the second sees the first's change and is
-- refused. Sync requests take (1819242352, 2) so that the 5-minute window
-- holds for concurrent callers. 1819242352 is 'loop' as a big-endian int4;
-- (1819242352, 1) is the sync lock of sql/30_sync.sql.
--
-- SQLSTATEs of this part (PostgREST → HTTP): 42501 not a valid admin (401
-- anonymous / 403 signed in); 22023 invalid argument, unknown partner, or an
-- admin acting on their own status or admin flag (400); P0001 sync requested
-- within 5 minutes of the last request (400); 42501 any UPDATE, DELETE or
-- TRUNCATE of loop.audit_log, superusers included (403).

-- ---------------------------------------------------------------- who is an admin

CREATE FUNCTION loop.current_admin_id() RETURNS text
LANGUAGE sql STABLE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT p.partner_id FROM loop.partner p
	 WHERE loop.claims_role() = 'loop_admin'
	   AND p.partner_id = loop.current_partner_id()
	   AND p.is_admin AND p.status = 'active';
END;
COMMENT ON FUNCTION loop.current_admin_id() IS
	'The calling admin''s partner id, or NULL unless the request runs as loop_admin with claims naming that role '
	'(loop.claims_role) and the claims'' partner_id (loop.current_partner_id) is an existing active partner with '
	'is_admin. The policies of loop.audit_log and loop.sync_request and loop.admin_view_allowed build on it; '
	'loop.require_admin raises on NULL. Like loop.current_partner_id it reveals nothing and is executable by every role.';

CREATE FUNCTION loop.admin_view_allowed() RETURNS boolean
LANGUAGE sql STABLE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT CASE WHEN current_user IN ('loop_anon', 'loop_partner', 'loop_admin')
				THEN loop.current_admin_id() IS NOT NULL
				ELSE true END;
END;
COMMENT ON FUNCTION loop.admin_view_allowed() IS
	'The row filter of the admin views (api.admin_partners, api.admin_audit, api.sync_history, api.sync_status): for '
	'the API roles true only for a valid admin (loop.current_admin_id), so a loop_admin request with claims of a '
	'missing, inactive or non-admin partner sees no rows; for any other role (a superuser or operator in psql, e.g. '
	'for a \\copy export) true, leaving the decision to its privileges and row-level security.';

CREATE FUNCTION loop.require_admin() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_admin text := loop.current_admin_id();
BEGIN
	IF v_admin IS NULL THEN
		RAISE EXCEPTION 'only a signed-in admin may do this'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Sign in as an active partner with admin access (JWT role loop_admin).';
	END IF;
	RETURN v_admin;
END;
$$;
COMMENT ON FUNCTION loop.require_admin() IS
	'loop.current_admin_id(), or SQLSTATE 42501 (insufficient_privilege) when the caller is not a valid admin. '
	'Internal: called by the SECURITY DEFINER admin functions (as their owner); granted to nobody.';
REVOKE ALL ON FUNCTION loop.require_admin() FROM PUBLIC;

-- ---------------------------------------------------------------- labels

CREATE FUNCTION loop.partner_status_label(status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status WHEN 'active' THEN 'Aktiv' WHEN 'deactivated' THEN 'Deaktiviert' WHEN 'pending' THEN 'Ausstehend' END;
COMMENT ON FUNCTION loop.partner_status_label(text) IS
	'German label of a partner status as Verwaltung shows it (seed 001 "Admin"): active→Aktiv, '
	'deactivated→Deaktiviert, pending→Ausstehend; NULL otherwise.';

CREATE FUNCTION loop.audit_action_label(action text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE action
	WHEN 'partner_activated' THEN 'Partner aktiviert'
	WHEN 'partner_deactivated' THEN 'Partner deaktiviert'
	WHEN 'admin_granted' THEN 'Admin-Rechte vergeben'
	WHEN 'admin_revoked' THEN 'Admin-Rechte entzogen'
	WHEN 'level_override_set' THEN 'Level manuell gesetzt'
	WHEN 'level_override_cleared' THEN 'Manuelles Level aufgehoben'
	WHEN 'level_override_expired' THEN 'Manuelles Level abgelaufen'
END;
COMMENT ON FUNCTION loop.audit_action_label(text) IS
	'German label of a loop.audit_log action for "Letzte Aktionen": partner_activated→Partner aktiviert, '
	'partner_deactivated→Partner deaktiviert, admin_granted→Admin-Rechte vergeben, admin_revoked→Admin-Rechte '
	'entzogen, level_override_set→Level manuell gesetzt, level_override_cleared→Manuelles Level aufgehoben, '
	'level_override_expired→Manuelles Level abgelaufen; NULL otherwise.';

CREATE FUNCTION loop.sync_status_label(status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status WHEN 'running' THEN 'Läuft' WHEN 'succeeded' THEN 'Erfolgreich' WHEN 'failed' THEN 'Fehlgeschlagen' END;
COMMENT ON FUNCTION loop.sync_status_label(text) IS
	'German label of a loop.sync_run status: running→Läuft, succeeded→Erfolgreich, failed→Fehlgeschlagen; NULL otherwise.';

REVOKE ALL ON FUNCTION loop.partner_status_label(text), loop.audit_action_label(text),
	loop.sync_status_label(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.partner_status_label(text), loop.audit_action_label(text),
	loop.sync_status_label(text) TO loop_admin;

-- ---------------------------------------------------------------- audit log

CREATE TABLE loop.audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL
		CONSTRAINT audit_log_actor_valid CHECK (actor ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$' OR actor = 'loop-sync'),
	action text NOT NULL
		CONSTRAINT audit_log_action_valid CHECK (action IN ('partner_activated', 'partner_deactivated',
			'admin_granted', 'admin_revoked', 'level_override_set', 'level_override_cleared',
			'level_override_expired')),
	partner_id text NOT NULL,
	before jsonb NOT NULL CONSTRAINT audit_log_before_object CHECK (jsonb_typeof(before) = 'object'),
	after jsonb NOT NULL CONSTRAINT audit_log_after_object CHECK (jsonb_typeof(after) = 'object'),
	run_id bigint,
	CONSTRAINT audit_log_run_of_sync CHECK ((actor = 'loop-sync') = (run_id IS NOT NULL))
);
CREATE INDEX audit_log_at_idx ON loop.audit_log (at DESC, id DESC);
CREATE INDEX audit_log_partner_idx ON loop.audit_log (partner_id, at DESC);
COMMENT ON TABLE loop.audit_log IS
	'Audit log of admin actions (seed 001 "Letzte Aktionen"; seed 003 affiliate_admin_audit.json): one row per change, '
	'written in the transaction of the change by api.admin_set_status, api.admin_set_admin, '
	'api.admin_set_level_override (actor = the admin''s partner id) and loop.clear_expired_overrides (actor '
	'''loop-sync''). Append-only for everyone: no role has UPDATE, DELETE or TRUNCATE, and the trigger '
	'audit_log_append_only (ENABLE ALWAYS, so session_replication_role does not skip it) raises 42501 for them, '
	'superusers included. No foreign keys: rows outlive the partners and sync runs they name. Read by admins '
	'through api.admin_audit.';
COMMENT ON COLUMN loop.audit_log.at IS 'When (timestamptz): the time of the transaction that made the change.';
COMMENT ON COLUMN loop.audit_log.actor IS 'Who: the admin''s partner id (AP-YYYYMMDD-XXXXXX), or ''loop-sync'' for changes made by a sync.';
COMMENT ON COLUMN loop.audit_log.action IS
	'What: partner_activated, partner_deactivated, admin_granted, admin_revoked, level_override_set, '
	'level_override_cleared, level_override_expired (German labels: loop.audit_action_label).';
COMMENT ON COLUMN loop.audit_log.partner_id IS 'The partner acted upon (no foreign key: the row outlives the partner).';
COMMENT ON COLUMN loop.audit_log.before IS
	'The changed fields of loop.partner before the change, as a JSON object: {"status"}, {"is_admin"} or '
	'{"level_override", "level_override_until"} (timestamps as JSON strings, ISO 8601).';
COMMENT ON COLUMN loop.audit_log.after IS 'The same fields after the change.';
COMMENT ON COLUMN loop.audit_log.run_id IS 'For actor loop-sync: the loop.sync_run that made the change; NULL for admins.';

CREATE FUNCTION loop.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'loop.audit_log is append-only: % is not allowed', TG_OP
		USING ERRCODE = 'insufficient_privilege',
			  HINT = 'Audit rows are only ever added (by the admin functions and loop-sync), never changed or removed.';
END;
$$;
COMMENT ON FUNCTION loop.audit_log_append_only() IS
	'Trigger function of loop.audit_log: raises 42501 (insufficient_privilege) "loop.audit_log is append-only" for '
	'UPDATE, DELETE and TRUNCATE, whoever runs them.';
REVOKE ALL ON FUNCTION loop.audit_log_append_only() FROM PUBLIC;
-- Statement level, so that it also fires for statements that match no row.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON loop.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION loop.audit_log_append_only();
ALTER TABLE loop.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
COMMENT ON TRIGGER audit_log_append_only ON loop.audit_log IS
	'Makes the audit log append-only for everyone, superusers included (ENABLE ALWAYS). Only an explicit ALTER TABLE '
	'... DISABLE TRIGGER by the owner can lift it, which is itself a logged DDL statement.';

ALTER TABLE loop.audit_log ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_admin_read ON loop.audit_log FOR SELECT TO loop_admin
	USING ((SELECT loop.current_admin_id()) IS NOT NULL);
COMMENT ON POLICY audit_log_admin_read ON loop.audit_log IS
	'loop_admin reads every audit row, but only as a valid admin (loop.current_admin_id); other roles see nothing.';
-- Read only, and only through the api views in practice (PostgREST never
-- exposes schema loop); nobody is granted INSERT: the SECURITY DEFINER
-- functions write as their owner.
GRANT SELECT ON loop.audit_log TO loop_admin;

-- ---------------------------------------------------------------- sync requests

CREATE TABLE loop.sync_request (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	requested_by text NOT NULL
		CONSTRAINT sync_request_requested_by_format CHECK (requested_by ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$'),
	run_id bigint
);
CREATE INDEX sync_request_requested_at_idx ON loop.sync_request (requested_at DESC);
CREATE INDEX sync_request_pending_idx ON loop.sync_request (id) WHERE run_id IS NULL;
CREATE INDEX sync_request_run_idx ON loop.sync_request (run_id);
COMMENT ON TABLE loop.sync_request IS
	'"Sync mit HubSpot" requests of admins (seed 001 "Admin", seed 003 "How sync is triggered"): written by '
	'api.request_sync (at most one per 5 minutes program-wide), announced with NOTIFY loop_sync_request; run_id is NULL '
	'while pending and set by loop.sync_claim_requests when a sync run starts (loop.sync_begin). No foreign key to '
	'loop.sync_run, so that TRUNCATE loop.sync_run keeps working.';
COMMENT ON COLUMN loop.sync_request.requested_at IS 'When the request was made (timestamptz, clock time after the request lock).';
COMMENT ON COLUMN loop.sync_request.requested_by IS 'The requesting admin''s partner id.';
COMMENT ON COLUMN loop.sync_request.run_id IS 'The loop.sync_run that picked the request up; NULL while pending.';

ALTER TABLE loop.sync_request ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_request_admin_read ON loop.sync_request FOR SELECT TO loop_admin
	USING ((SELECT loop.current_admin_id()) IS NOT NULL);
COMMENT ON POLICY sync_request_admin_read ON loop.sync_request IS
	'loop_admin reads every sync request, but only as a valid admin (loop.current_admin_id); other roles see nothing.';
GRANT SELECT ON loop.sync_request TO loop_admin;

-- The audit log and the requests cannot be re-fetched from HubSpot: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('loop.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('loop.sync_request', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('loop.audit_log', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('loop.sync_request', 'id')::pg_catalog.regclass, '');

-- ---------------------------------------------------------------- partner actions

CREATE FUNCTION api.admin_set_status(partner_id text, status text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_admin text;
	v_status text := lower(btrim(admin_set_status.status));
	v_old text;
	v_audit bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1819242352, 3);
	v_admin := loop.require_admin();
	IF v_status IS NULL OR v_status NOT IN ('active', 'deactivated') THEN
		RAISE EXCEPTION 'invalid status: %', coalesce(quote_literal(admin_set_status.status), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid values: active (Aktiv), deactivated (Deaktiviert). pending (Ausstehend) is set by registration only.';
	END IF;
	SELECT p.status INTO v_old FROM loop.partner p WHERE p.partner_id = admin_set_status.partner_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown partner: %', coalesce(quote_literal(admin_set_status.partner_id), 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a partner_id of api.admin_partners.';
	END IF;
	IF v_status = 'deactivated' AND admin_set_status.partner_id = v_admin THEN
		RAISE EXCEPTION 'an admin cannot deactivate their own account'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Another admin can do it.';
	END IF;
	IF v_old = v_status THEN
		RETURN json_build_object('partner_id', admin_set_status.partner_id, 'status', v_status,
								 'changed', false, 'audit_id', NULL);
	END IF;
	UPDATE loop.partner p SET status = v_status WHERE p.partner_id = admin_set_status.partner_id;
	IF v_status = 'deactivated' THEN
		-- every JWT of the partner is refused from now on (loop.pre_request
		-- refuses deactivated partners anyway; this survives a reactivation)
		UPDATE loop.partner_auth a SET token_version = a.token_version + 1
		 WHERE a.partner_id = admin_set_status.partner_id;
	END IF;
	INSERT INTO loop.audit_log (actor, action, partner_id, before, after)
	VALUES (v_admin, CASE v_status WHEN 'active' THEN 'partner_activated' ELSE 'partner_deactivated' END,
			admin_set_status.partner_id, jsonb_build_object('status', v_old), jsonb_build_object('status', v_status))
	RETURNING id INTO v_audit;
	RETURN json_build_object('partner_id', admin_set_status.partner_id, 'status', v_status,
							 'changed', true, 'audit_id', v_audit);
END;
$$;
COMMENT ON FUNCTION api.admin_set_status(text, text) IS
	'Verwaltung: activate or deactivate a partner (seed 001 "Partner actions"). status: active or deactivated (case '
	'and surrounding spaces ignored). Writes loop.partner.status and one loop.audit_log row (partner_activated / '
	'partner_deactivated, before/after {"status"}) in the same transaction; deactivating also bumps the partner''s '
	'token version, so every JWT of the partner stays revoked even after a later reactivation. Activating a pending '
	'partner does not mark the email verified. A no-op (status unchanged) changes nothing and writes no audit row. '
	'Returns {"partner_id", "status", "changed", "audit_id"}. Errors: 42501 unless the caller is a valid admin '
	'(loop.current_admin_id); 22023 for an invalid status (hint lists the valid values), an unknown partner, or an '
	'admin deactivating themselves (lock-out protection). Role: loop_admin. POST /rpc/admin_set_status.';

CREATE FUNCTION api.admin_set_admin(partner_id text, is_admin boolean) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_admin text;
	v_old boolean;
	v_audit bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1819242352, 3);
	v_admin := loop.require_admin();
	IF admin_set_admin.is_admin IS NULL THEN
		RAISE EXCEPTION 'invalid is_admin: NULL'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid values: true (grant admin access), false (revoke it).';
	END IF;
	SELECT p.is_admin INTO v_old FROM loop.partner p WHERE p.partner_id = admin_set_admin.partner_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown partner: %', coalesce(quote_literal(admin_set_admin.partner_id), 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a partner_id of api.admin_partners.';
	END IF;
	IF NOT admin_set_admin.is_admin AND admin_set_admin.partner_id = v_admin THEN
		RAISE EXCEPTION 'an admin cannot revoke their own admin access'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Another admin can do it.';
	END IF;
	IF v_old = admin_set_admin.is_admin THEN
		RETURN json_build_object('partner_id', admin_set_admin.partner_id, 'is_admin', v_old,
								 'changed', false, 'audit_id', NULL);
	END IF;
	UPDATE loop.partner p SET is_admin = admin_set_admin.is_admin WHERE p.partner_id = admin_set_admin.partner_id;
	INSERT INTO loop.audit_log (actor, action, partner_id, before, after)
	VALUES (v_admin, CASE WHEN admin_set_admin.is_admin THEN 'admin_granted' ELSE 'admin_revoked' END,
			admin_set_admin.partner_id, jsonb_build_object('is_admin', v_old),
			jsonb_build_object('is_admin', admin_set_admin.is_admin))
	RETURNING id INTO v_audit;
	RETURN json_build_object('partner_id', admin_set_admin.partner_id, 'is_admin', admin_set_admin.is_admin,
							 'changed', true, 'audit_id', v_audit);
END;
$$;
COMMENT ON FUNCTION api.admin_set_admin(text, boolean) IS
	'Verwaltung: grant (true) or revoke (false) admin access (seed 001 "Admins"). Writes loop.partner.is_admin and one '
	'loop.audit_log row (admin_granted / admin_revoked, before/after {"is_admin"}) in the same transaction; a no-op '
	'writes nothing. The JWT role follows at the next login (loop.issue_token); a revoked admin''s loop_admin token is '
	'refused at once by loop.pre_request and by every admin object. Returns {"partner_id", "is_admin", "changed", '
	'"audit_id"}. Errors: 42501 unless the caller is a valid admin; 22023 for is_admin NULL, an unknown partner, or '
	'an admin revoking their own access (lock-out protection). Role: loop_admin. POST /rpc/admin_set_admin.';

CREATE FUNCTION api.admin_set_level_override(partner_id text, level text, until timestamptz) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_admin text;
	v_level text := lower(btrim(admin_set_level_override.level));
	v_old record;
	v_audit bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1819242352, 3);
	v_admin := loop.require_admin();
	IF v_level IS NOT NULL AND v_level NOT IN ('beginner', 'starter', 'partner', 'pro') THEN
		RAISE EXCEPTION 'invalid level: %', quote_literal(admin_set_level_override.level)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid values: beginner, starter, partner, pro; NULL clears the override.';
	ELSIF v_level IS NULL AND admin_set_level_override.until IS NOT NULL THEN
		RAISE EXCEPTION 'until needs a level: a NULL level clears the override and its expiry'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass until NULL to clear the override.';
	ELSIF admin_set_level_override.until <= now() THEN
		RAISE EXCEPTION 'until must be in the future'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass until NULL for an override without expiry.';
	END IF;
	SELECT p.level_override, p.level_override_until INTO v_old
	  FROM loop.partner p WHERE p.partner_id = admin_set_level_override.partner_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown partner: %', coalesce(quote_literal(admin_set_level_override.partner_id), 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a partner_id of api.admin_partners.';
	END IF;
	IF (v_old.level_override, v_old.level_override_until)
	   IS NOT DISTINCT FROM (v_level, admin_set_level_override.until) THEN
		RETURN json_build_object('partner_id', admin_set_level_override.partner_id, 'level_override', v_level,
								 'level_override_until', admin_set_level_override.until,
								 'changed', false, 'audit_id', NULL);
	END IF;
	UPDATE loop.partner p SET level_override = v_level, level_override_until = admin_set_level_override.until
	 WHERE p.partner_id = admin_set_level_override.partner_id;
	INSERT INTO loop.audit_log (actor, action, partner_id, before, after)
	VALUES (v_admin, CASE WHEN v_level IS NULL THEN 'level_override_cleared' ELSE 'level_override_set' END,
			admin_set_level_override.partner_id,
			jsonb_build_object('level_override', v_old.level_override,
							   'level_override_until', v_old.level_override_until),
			jsonb_build_object('level_override', v_level, 'level_override_until', admin_set_level_override.until))
	RETURNING id INTO v_audit;
	RETURN json_build_object('partner_id', admin_set_level_override.partner_id, 'level_override', v_level,
							 'level_override_until', admin_set_level_override.until,
							 'changed', true, 'audit_id', v_audit);
END;
$$;
COMMENT ON FUNCTION api.admin_set_level_override(text, text, timestamptz) IS
	'Verwaltung: set or clear a manual level (seed 001 "Level override", seed 003 "Manual Override"). level: beginner, '
	'starter, partner or pro (case and surrounding spaces ignored) replaces the calculated level while unexpired '
	'(the partner shows e.g. "Pro manuell"); until: its expiry (timestamptz, must be in the future), NULL = no expiry; '
	'the next sync after until clears it (loop.clear_expired_overrides). level NULL clears the override and its '
	'expiry (until must then be NULL). Writes loop.partner.level_override/_until and one loop.audit_log row '
	'(level_override_set / level_override_cleared, before/after {"level_override", "level_override_until"}) in the '
	'same transaction; a no-op (same level and expiry) writes nothing. Returns {"partner_id", "level_override", '
	'"level_override_until", "changed", "audit_id"}. Errors: 42501 unless the caller is a valid admin; 22023 for an '
	'invalid level (hint lists the valid values), until without a level, until not in the future, or an unknown '
	'partner. Role: loop_admin. POST /rpc/admin_set_level_override.';

-- ---------------------------------------------------------------- sync control

CREATE FUNCTION api.request_sync() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_admin text;
	v_now timestamptz;
	v_last record;
	v_next timestamptz;
	v_id bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1819242352, 2);
	v_admin := loop.require_admin();
	v_now := clock_timestamp();
	SELECT r.requested_at, r.requested_by INTO v_last
	  FROM loop.sync_request r ORDER BY r.requested_at DESC LIMIT 1;
	v_next := v_last.requested_at + interval '5 minutes';
	IF v_next > v_now THEN
		RAISE EXCEPTION 'Sync mit HubSpot can be requested at most once per 5 minutes: the next request is possible at % UTC (in % seconds)',
			to_char(v_next AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
			ceil(extract(epoch FROM v_next - v_now))::integer
			USING ERRCODE = 'raise_exception',
				  DETAIL = format('The last request was made at %s UTC by %s.',
								  to_char(v_last.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
								  v_last.requested_by),
				  HINT = 'That request starts a sync already (or has started one); the hourly sync runs as well.';
	END IF;
	INSERT INTO loop.sync_request (requested_at, requested_by) VALUES (v_now, v_admin) RETURNING id INTO v_id;
	PERFORM pg_notify('loop_sync_request', v_id::text);
	RETURN v_id;
END;
$$;
COMMENT ON FUNCTION api.request_sync() IS
	'"Sync mit HubSpot" (seed 001 Admin; seed 003: rate-limited, same runner as the hourly sync): records a request in '
	'loop.sync_request with the requesting admin and returns its id (bigint); on commit NOTIFY loop_sync_request with '
	'the id as payload wakes loop-sync daemon, whose next loop.sync_begin attaches the request to its run. At most '
	'one request per 5 minutes program-wide (any admin; concurrent callers serialized by advisory lock 1819242352, 2): '
	'inside the window SQLSTATE P0001 (HTTP 400) "Sync mit HubSpot can be requested at most once per 5 minutes: the '
	'next request is possible at YYYY-MM-DD HH24:MI:SS UTC (in N seconds)", detail naming the last request. '
	'42501 unless the caller is a valid admin. Role: loop_admin. POST /rpc/request_sync.';

CREATE FUNCTION loop.sync_claim_requests(run bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	UPDATE loop.sync_request r SET run_id = sync_claim_requests.run WHERE r.run_id IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION loop.sync_claim_requests(bigint) IS
	'Attaches every pending sync request (run_id NULL) to sync run "run" and returns how many. Called by '
	'loop.sync_begin in the transaction that opens the run, so a request made while a run is already going stays '
	'pending for the next one. Internal (loop-sync''s connection); not granted to any role.';

CREATE FUNCTION loop.sync_requests_pending() RETURNS integer
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT count(*)::integer FROM loop.sync_request r WHERE r.run_id IS NULL;
END;
COMMENT ON FUNCTION loop.sync_requests_pending() IS
	'Number of sync requests no run has picked up yet: loop-sync daemon checks it after LISTEN loop_sync_request '
	'(a request made while it was not listening) and after each run. Internal; not granted to any role.';

CREATE FUNCTION loop.clear_expired_overrides(run bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	WITH expired AS (
		SELECT p.partner_id, p.level_override, p.level_override_until
		  FROM loop.partner p
		 WHERE p.level_override IS NOT NULL AND p.level_override_until <= now()
		   FOR UPDATE),
	cleared AS (
		UPDATE loop.partner p SET level_override = NULL, level_override_until = NULL
		  FROM expired e WHERE p.partner_id = e.partner_id
		RETURNING e.partner_id, e.level_override, e.level_override_until)
	INSERT INTO loop.audit_log (actor, action, partner_id, before, after, run_id)
	SELECT 'loop-sync', 'level_override_expired', c.partner_id,
		   jsonb_build_object('level_override', c.level_override, 'level_override_until', c.level_override_until),
		   jsonb_build_object('level_override', NULL, 'level_override_until', NULL),
		   clear_expired_overrides.run
	  FROM cleared c;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION loop.clear_expired_overrides(bigint) IS
	'Ends every level override whose level_override_until <= now() (seed 003 "Manual Override": "If '
	'level_override_until is in the past, sync clears override and reverts to calculated"), writing one loop.audit_log '
	'row per partner (actor loop-sync, action level_override_expired, run_id = run, before {"level_override", '
	'"level_override_until"}, after both NULL); returns how many. Overrides without expiry stay. Called by '
	'loop.sync_publish in the publish transaction. Internal; not granted to any role.';

REVOKE ALL ON FUNCTION api.admin_set_status(text, text), api.admin_set_admin(text, boolean),
	api.admin_set_level_override(text, text, timestamptz), api.request_sync(),
	loop.sync_claim_requests(bigint), loop.sync_requests_pending(), loop.clear_expired_overrides(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.admin_set_status(text, text), api.admin_set_admin(text, boolean),
	api.admin_set_level_override(text, text, timestamptz), api.request_sync() TO loop_admin;

-- ---------------------------------------------------------------- the admin views

CREATE VIEW api.admin_partners WITH (security_invoker = true) AS
SELECT p.partner_id, p.name, p.email, p.status, loop.partner_status_label(p.status) AS status_label,
	   p.is_admin, s.level, s.level_source, loop.level_label(s.level, s.level_source) AS level_label,
	   p.level_override, p.level_override_until, p.registered_at,
	   greatest(p.last_active_at, p.last_login_at) AS last_activity_at,
	   s.leads_total, s.deals_linked, s.deals_won, s.mrr_total, s.mrr_active,
	   s.deals_open, s.deals_lost, s.mrr_share_percent, p.email_verified_at, p.last_login_at, p.last_active_at
  FROM loop.partner p
  JOIN loop.partner_summary s ON s.partner_id = p.partner_id
 WHERE (SELECT loop.admin_view_allowed())
 ORDER BY p.registered_at DESC, p.partner_id;
COMMENT ON VIEW api.admin_partners IS
	'Verwaltung → partner list (seed 001 "Admin", seed 003 "Admin panel"), one row per partner, newest registration '
	'first: partner_id, name, email, status pending|active|deactivated with status_label Ausstehend / Aktiv / '
	'Deaktiviert, is_admin, effective level (beginner|starter|partner|pro), level_source calculated|override, '
	'level_label ("Pro manuell" for an override), the stored level_override and level_override_until (an expired one '
	'is cleared by the next sync), registered_at, last_activity_at = the later of last_active_at and last_login_at '
	'(UTC; login does not touch last_active_at), leads_total, deals_linked (every linked deal: glossary deals_count / '
	'"Deals (HubSpot)"), deals_won (valid closed-won deals: "Abschlüsse" / Deals KPI), mrr_total and mrr_active (EUR), '
	'plus deals_open, deals_lost, mrr_share_percent (percent), email_verified_at, last_login_at, last_active_at. '
	'PostgREST: ?or=(name.ilike.*x*,email.ilike.*x*,partner_id.ilike.*x*)&status=eq.active&level=eq.pro&order=name'
	'&limit=20&offset=0 (Prefer: count=exact for the total); Accept: text/csv exports it. Rows only for a valid admin '
	'(loop.admin_view_allowed); loop_admin only.';

CREATE VIEW api.admin_audit WITH (security_invoker = true) AS
SELECT a.at, a.actor, a.action, a.partner_id, a.before, a.after,
	   a.id, loop.audit_action_label(a.action) AS action_label,
	   coalesce(ac.name, a.actor) AS actor_name, pt.name AS partner_name, a.run_id
  FROM loop.audit_log a
  LEFT JOIN loop.partner ac ON ac.partner_id = a.actor
  LEFT JOIN loop.partner pt ON pt.partner_id = a.partner_id
 WHERE (SELECT loop.admin_view_allowed())
 ORDER BY a.at DESC, a.id DESC;
COMMENT ON VIEW api.admin_audit IS
	'Verwaltung → "Letzte Aktionen" (seed 001 "Admins"), newest first: at (timestamptz), actor (admin partner id or '
	'loop-sync), action (partner_activated, partner_deactivated, admin_granted, admin_revoked, level_override_set, '
	'level_override_cleared, level_override_expired), partner_id, before and after (jsonb objects of the changed '
	'fields), plus id (order within one transaction), action_label (German, loop.audit_action_label), actor_name, '
	'partner_name (NULL once the partner is deleted) and run_id (for loop-sync). Source: loop.audit_log, append-only. '
	'PostgREST: ?partner_id=eq.AP-…&limit=20. Rows only for a valid admin; loop_admin only.';

CREATE VIEW api.sync_history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.started_at, r.finished_at, r.status, loop.sync_status_label(r.status) AS status_label,
	   r.finished_at - r.started_at AS duration,
	   r.stages_fetched, r.contacts_fetched, r.deals_fetched,
	   r.contacts_inserted, r.contacts_updated, r.contacts_deleted,
	   r.deals_inserted, r.deals_updated, r.deals_deleted,
	   r.warnings, r.warning_samples, r.error, r.http_requests, r.http_retries, r.merge_ms,
	   q.requested_by, q.requested_at, q.requests
  FROM loop.sync_run r
 CROSS JOIN LATERAL (
	SELECT (array_agg(s.requested_by ORDER BY s.requested_at, s.id))[1] AS requested_by,
		   min(s.requested_at) AS requested_at, count(*)::integer AS requests
	  FROM loop.sync_request s WHERE s.run_id = r.id) q
 WHERE (SELECT loop.admin_view_allowed())
 ORDER BY r.id DESC;
COMMENT ON VIEW api.sync_history IS
	'Verwaltung → sync history, newest first: run_id, started_at, finished_at (NULL while running), status '
	'running|succeeded|failed with status_label Läuft / Erfolgreich / Fehlgeschlagen, duration (interval, NULL while '
	'running), fetched counts (stages, contacts, deals), contacts and deals inserted/updated/deleted, warnings with '
	'up to 20 warning_samples, error (reason of a failure), http_requests, http_retries, merge_ms (publish time, ms), '
	'and the "Sync mit HubSpot" request(s) the run served: requested_by (first requesting admin; NULL for a scheduled '
	'run), requested_at, requests (count). Source: loop.sync_run, loop.sync_request. Rows only for a valid admin; '
	'loop_admin only.';

CREATE VIEW api.sync_status WITH (security_invoker = true) AS
SELECT lq.requested_at AS last_request_at, lq.requested_by AS last_requested_by,
	   lq.requested_at + interval '5 minutes' AS next_request_at,
	   lq.requested_at IS NULL OR lq.requested_at + interval '5 minutes' <= now() AS can_request,
	   (SELECT count(*)::integer FROM loop.sync_request s WHERE s.run_id IS NULL) AS pending_requests,
	   lr.id AS last_run_id, lr.status AS last_run_status, loop.sync_status_label(lr.status) AS last_run_status_label,
	   lr.started_at AS last_run_started_at, lr.finished_at AS last_run_finished_at,
	   (SELECT max(r.finished_at) FROM loop.sync_run r WHERE r.status = 'succeeded') AS last_success_at
  FROM (SELECT 1) AS one(x)
  LEFT JOIN LATERAL (SELECT s.requested_at, s.requested_by FROM loop.sync_request s
					  ORDER BY s.requested_at DESC, s.id DESC LIMIT 1) lq ON true
  LEFT JOIN LATERAL (SELECT r.id, r.status, r.started_at, r.finished_at FROM loop.sync_run r
					  ORDER BY r.id DESC LIMIT 1) lr ON true
 WHERE (SELECT loop.admin_view_allowed());
COMMENT ON VIEW api.sync_status IS
	'Verwaltung → "Sync mit HubSpot" button state, one row: last_request_at / last_requested_by, next_request_at '
	'(last request + 5 minutes; api.request_sync raises P0001 before it), can_request, pending_requests (not yet '
	'picked up by a run), the latest run (last_run_id, last_run_status with German label, started/finished) and '
	'last_success_at. Times timestamptz. Rows only for a valid admin; loop_admin only.';

GRANT SELECT ON api.admin_partners, api.admin_audit, api.sync_history, api.sync_status TO loop_admin;
