-- test/sql/auth_session.sql — loop.pre_request: claims, revocation, last_active_at
-- Contract: issue 3 "Account lifecycle" (deactivated partners and revoked
-- tokens rejected; last_active_at at most every 15 minutes); SECURITY.md
-- §1.4-1.5, §7 item 4 (claims fail closed).
-- Requests are emulated as in test/sql/auth_register.sql (see its header).

\set VERBOSITY terse
\set request 'SELECT set_config(''search_path'', ''"api", "public"'', true), set_config(''role'', :''role'', true), set_config(''request.jwt.claims'', :''claims'', true), set_config(''request.method'', ''POST'', true), set_config(''request.path'', :''path'', true), set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)'
\set role loop_anon
\set claims '{"role":"loop_anon"}'
\set path /rpc/login
\set pw '''Session-Test-Passwort-1'''

-- Setup: a secret, a partner and an admin
SELECT loop.set_jwt_secret('auth-session-test-secret-0123456789abcdefghij');
DELETE FROM loop.partner WHERE email LIKE '%@session.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@session.example';
INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260104-LENA01', 'Lena Login', 'lena@session.example', 'active', false),
	('AP-20260104-ADAM01', 'Adam Admin', 'adam@session.example', 'active', true);
INSERT INTO loop.partner_auth (partner_id, password_hash)
SELECT partner_id, loop.hash_password(:pw) FROM loop.partner WHERE email LIKE '%@session.example';
-- part n of a JWT, base64url-decoded (no verification: test/e2e/test_auth.py verifies)
CREATE FUNCTION pg_temp.jwt_part(token text, n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT convert_from(decode(rpad(translate(split_part(token, '.', n), '-_', '+/'),
									(length(split_part(token, '.', n)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb
$$;

SET SESSION AUTHORIZATION loop_authenticator;

-- Lena (partner) and Adam (admin) log in; their tokens' claims are what
-- PostgREST would put into request.jwt.claims
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@session.example', :pw) ->> 'token' AS token_l \gset
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('adam@session.example', :pw) AS login_adm \gset
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT pg_temp.jwt_part(:'token_l', 2)::text AS claims_l \gset

-- pre_request with the claims of Lena's token: passes, RLS shows her own row,
-- and a read-write request records last_active_at
SET SESSION AUTHORIZATION loop_authenticator;
\set role loop_partner
\set claims :claims_l
\set path /summary
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT partner_id FROM loop.partner;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT last_active_at > now() - interval '1 minute' AS recorded FROM loop.partner WHERE partner_id = 'AP-20260104-LENA01';

-- last_active_at is written at most every 15 minutes, and not by READ ONLY requests (GET)
UPDATE loop.partner SET last_active_at = now() - interval '10 minutes' WHERE partner_id = 'AP-20260104-LENA01';
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT last_active_at < now() - interval '9 minutes' AS kept_within_15_min FROM loop.partner WHERE partner_id = 'AP-20260104-LENA01';
UPDATE loop.partner SET last_active_at = now() - interval '16 minutes' WHERE partner_id = 'AP-20260104-LENA01';
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT last_active_at < now() - interval '15 minutes' AS kept_by_read_only FROM loop.partner WHERE partner_id = 'AP-20260104-LENA01';
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT last_active_at > now() - interval '1 minute' AS refreshed FROM loop.partner WHERE partner_id = 'AP-20260104-LENA01';

-- Claims that fail closed (SECURITY.md §7 item 4): each request as loop_partner raises PT401
SELECT (:'claims_l'::jsonb - 'token_version')::text AS claims_nover,
	   jsonb_set(:'claims_l'::jsonb, '{exp}', to_jsonb(extract(epoch FROM now())::bigint - 1))::text AS claims_expired,
	   jsonb_set(:'claims_l'::jsonb, '{token_version}', '99')::text AS claims_oldver,
	   jsonb_set(:'claims_l'::jsonb, '{role}', '"loop_admin"')::text AS claims_admin_l,
	   jsonb_set(:'claims_l'::jsonb, '{partner_id}', '"AP-20260104-NOBODY"')::text AS claims_nobody,
	   jsonb_set(pg_temp.jwt_part(:'login_adm'::json ->> 'token', 2), '{partner_id}', '"AP-20260104-LENA01"')::text AS claims_admin_fake
\gset
SET SESSION AUTHORIZATION loop_authenticator;
-- missing (never set in this transaction)
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', '"api", "public"', true), set_config('role', 'loop_partner', true);
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- empty
\set claims ''
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- an empty object
\set claims '{}'
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- malformed JSON, and JSON that is not an object
\set claims '{"role":"loop_partner",'
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
\set claims '["loop_partner"]'
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- inconsistent: the claims say loop_admin, the request runs as loop_partner
\set claims :claims_admin_l
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- no token_version claim
\set claims :claims_nover
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- an old token version
\set claims :claims_oldver
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- expired
\set claims :claims_expired
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a partner id that does not exist
\set claims :claims_nobody
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- role loop_admin (consistent) for a partner who is not an admin
\set role loop_admin
\set claims :claims_admin_fake
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the real admin passes and sees every partner
SELECT pg_temp.jwt_part(:'login_adm'::json ->> 'token', 2)::text AS claims_adm \gset
\set claims :claims_adm
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT count(*) FILTER (WHERE email LIKE '%@session.example') AS partners_seen FROM loop.partner;
COMMIT;

-- A deactivated partner's valid token is refused
RESET SESSION AUTHORIZATION;
UPDATE loop.partner SET status = 'deactivated' WHERE partner_id = 'AP-20260104-LENA01';
SET SESSION AUTHORIZATION loop_authenticator;
\set role loop_partner
\set claims :claims_l
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;
UPDATE loop.partner SET status = 'active' WHERE partner_id = 'AP-20260104-LENA01';

-- Anonymous requests pass with anon claims or none; partner claims on the
-- anonymous role are inconsistent
SET SESSION AUTHORIZATION loop_authenticator;
\set role loop_anon
\set claims '{"role":"loop_anon"}'
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;
\set claims ''
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;
\set claims :claims_l
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- pre_request is for the API roles only
RESET SESSION AUTHORIZATION;
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE

-- Clean up
DELETE FROM loop.partner WHERE email LIKE '%@session.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@session.example';
