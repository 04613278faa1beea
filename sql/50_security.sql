-- sql/50_security.sql — loop extension install script, part 5: roles, claims, row-level security
--
-- PostgREST logs in as loop_authenticator and, per request, switches to the
-- role named by the JWT's "role" claim (SECURITY.md §1): loop_anon without a
-- token, loop_partner or loop_admin with one. The claims it passes in
-- request.jwt.claims are the only source of "who is calling"; everything
-- here fails closed when they are missing, malformed, or disagree with the
-- current role.
--
-- Roles are cluster-wide: they are created once, and CREATE EXTENSION in a
-- second database of the cluster reuses them. DROP EXTENSION leaves them.

DO $$
DECLARE
	r text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'loop_authenticator') THEN
		CREATE ROLE loop_authenticator LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
	END IF;
	FOREACH r IN ARRAY ARRAY['loop_anon', 'loop_partner', 'loop_admin'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', r);
		END IF;
		IF NOT pg_catalog.pg_has_role('loop_authenticator', r, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO loop_authenticator', r);
		END IF;
	END LOOP;
END;
$$;

-- PostgREST's requests are short; the planner's cost estimates of the
-- partner views grow with the data and would start JIT compilation, which
-- costs far more than the queries themselves (seconds against milliseconds
-- at 100,000 contacts). Sessions of the authenticator run without JIT.
ALTER ROLE loop_authenticator SET jit = off;

COMMENT ON ROLE loop_authenticator IS
	'loop: the role PostgREST logs in as (LOGIN NOINHERIT, no rights of its own); it may only switch to loop_anon, loop_partner or loop_admin.';
COMMENT ON ROLE loop_anon IS 'loop: requests without a JWT (registration, login, password reset).';
COMMENT ON ROLE loop_partner IS 'loop: a signed-in partner; sees only rows of the partner_id in the JWT.';
COMMENT ON ROLE loop_admin IS 'loop: a signed-in program admin (partner.is_admin); sees every partner.';

-- The claims of the current request, or NULL when absent or not a JSON object.
-- PARALLEL UNSAFE: the EXCEPTION block opens a subtransaction, which a
-- parallel query cannot start (even in the leader); so are its callers.
CREATE FUNCTION loop.jwt_claims() RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	raw text := nullif(current_setting('request.jwt.claims', true), '');
	claims jsonb;
BEGIN
	IF raw IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		claims := raw::jsonb;
	EXCEPTION WHEN others THEN
		RETURN NULL;			-- malformed claims: nobody
	END;
	RETURN CASE WHEN jsonb_typeof(claims) = 'object' THEN claims END;
END;
$$;
COMMENT ON FUNCTION loop.jwt_claims() IS
	'The JWT claims PostgREST set for this request (request.jwt.claims, SECURITY.md §1.3) as jsonb; NULL when unset, '
	'empty, malformed or not an object.';

CREATE FUNCTION loop.claims_role() RETURNS text
LANGUAGE sql STABLE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT CASE WHEN c.claims ->> 'role' = pg_catalog.current_setting('role') THEN c.claims ->> 'role' END
	  FROM (SELECT loop.jwt_claims() AS claims) c;
END;
COMMENT ON FUNCTION loop.claims_role() IS
	'The claims'' role when it is the role the request switched to, else NULL: claims that disagree with the session '
	'are treated as absent. The role is read from the setting "role" (PostgREST''s set_config(''role'', …, true) is '
	'SET LOCAL ROLE, which only members of that role may do): unlike current_user it still names the caller inside '
	'SECURITY DEFINER functions.';

CREATE FUNCTION loop.current_partner_id() RETURNS text
LANGUAGE sql STABLE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT CASE WHEN loop.claims_role() IN ('loop_partner', 'loop_admin')
				 AND c.claims ->> 'partner_id' ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$'
			THEN c.claims ->> 'partner_id' END
	  FROM (SELECT loop.jwt_claims() AS claims) c;
END;
COMMENT ON FUNCTION loop.current_partner_id() IS
	'The calling partner''s id from the JWT claims (claim partner_id), or NULL unless the claims are well-formed, name '
	'loop_partner or loop_admin, and agree with the current role. Row-level security is built on it.';

-- Row-level security on every table of schema loop, FORCEd so that it holds
-- for the tables' owner too (superusers, such as loop-sync's connection,
-- bypass it). A table without a policy for a role shows that role nothing.
-- Policies compare with the claims through scalar subqueries, evaluated once
-- per query.
ALTER TABLE loop.partner ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.hubspot_contact ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.hubspot_deal ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.hubspot_pipeline ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.hubspot_deal_stage ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.sync_run ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.stage_deal_stage ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.stage_contact ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.stage_deal ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY partner_own ON loop.partner FOR SELECT TO loop_partner
	USING (partner_id = (SELECT loop.current_partner_id()));
CREATE POLICY partner_own_update ON loop.partner FOR UPDATE TO loop_partner
	USING (partner_id = (SELECT loop.current_partner_id()))
	WITH CHECK (partner_id = (SELECT loop.current_partner_id()));
CREATE POLICY partner_admin ON loop.partner FOR ALL TO loop_admin
	USING ((SELECT loop.claims_role()) = 'loop_admin')
	WITH CHECK ((SELECT loop.claims_role()) = 'loop_admin');
CREATE POLICY contact_own ON loop.hubspot_contact FOR SELECT TO loop_partner
	USING (affiliate_partner_id = (SELECT loop.current_partner_id()));
CREATE POLICY contact_admin ON loop.hubspot_contact FOR SELECT TO loop_admin
	USING ((SELECT loop.claims_role()) = 'loop_admin');
CREATE POLICY deal_own ON loop.hubspot_deal FOR SELECT TO loop_partner
	USING (affiliate_partner_id = (SELECT loop.current_partner_id()));
CREATE POLICY deal_admin ON loop.hubspot_deal FOR SELECT TO loop_admin
	USING ((SELECT loop.claims_role()) = 'loop_admin');
-- Pipelines and stages hold no partner data: every signed-in role reads them.
CREATE POLICY pipeline_read ON loop.hubspot_pipeline FOR SELECT TO loop_partner, loop_admin
	USING ((SELECT loop.current_partner_id()) IS NOT NULL);
CREATE POLICY deal_stage_read ON loop.hubspot_deal_stage FOR SELECT TO loop_partner, loop_admin
	USING ((SELECT loop.current_partner_id()) IS NOT NULL);
CREATE POLICY sync_run_admin ON loop.sync_run FOR SELECT TO loop_admin
	USING ((SELECT loop.claims_role()) = 'loop_admin');

-- What the API roles may touch in schema loop (never exposed by PostgREST):
-- the tables and views behind the api views, read through RLS, and the
-- partner's own name. Everything else (staging, sync, credentials) has no
-- grant at all.
GRANT USAGE ON SCHEMA loop TO loop_anon, loop_partner, loop_admin;
GRANT SELECT ON loop.partner, loop.hubspot_contact, loop.hubspot_deal, loop.hubspot_pipeline,
	loop.hubspot_deal_stage, loop.deal_detail, loop.partner_summary, loop.partner_lead,
	loop.partner_lead_source, loop.partner_deal TO loop_partner, loop_admin;
GRANT UPDATE (name) ON loop.partner TO loop_partner;
GRANT SELECT ON loop.sync_run, loop.leaderboard TO loop_admin;
