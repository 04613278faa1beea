-- sql/55_api.sql — loop extension install script, part 5b: the api schema and program settings
--
-- Schema api is what PostgREST serves (db-schemas = api): views and
-- functions only, never tables (SECURITY.md §1.6). Views are
-- security_invoker, so the row-level security of the loop tables applies
-- to the caller; every function has EXECUTE revoked from PUBLIC and granted
-- to the roles that need it.

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS
	'loop: what PostgREST exposes to partners and admins (views and functions only; tables stay in schema loop).';
GRANT USAGE ON SCHEMA api TO loop_anon, loop_partner, loop_admin;

-- Program settings read by the api (terms version, site URL, token lifetime).
CREATE TABLE loop.setting (
	key text PRIMARY KEY,
	value text NOT NULL,
	description text NOT NULL
);
COMMENT ON TABLE loop.setting IS
	'Program settings (key, value, description), changed by the operator with UPDATE. Not readable by API roles. '
	'Not in pg_dump output (the install script seeds it): re-apply changed values after a restore.';
INSERT INTO loop.setting (key, value, description) VALUES
	('terms_version', '2026-01', 'Version of Partner-Vereinbarung and Datenschutzerklärung a registration accepts.'),
	('site_url', 'https://www.ordio.com', 'Base URL of the site that referral links point to (no trailing slash).'),
	('jwt_ttl_seconds', '28800', 'Lifetime of a login token (JWT exp - iat), in seconds.');
ALTER TABLE loop.setting ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE FUNCTION loop.setting_value(p_key text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT s.value FROM loop.setting s WHERE s.key = p_key;
END;
COMMENT ON FUNCTION loop.setting_value(text) IS
	'The value of a loop.setting key, or NULL. SECURITY DEFINER so that api functions can read settings the API roles '
	'cannot select; it exposes no secrets (the JWT secret is not a setting).';
REVOKE ALL ON FUNCTION loop.setting_value(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.setting_value(text) TO loop_anon, loop_partner, loop_admin;
