-- test/sql/auth_account.sql — a signed-in partner's account: change password, profile, logout everywhere
-- Contract: issue 3 "Account lifecycle" (change password, update profile,
-- logout-everywhere/token revocation); SECURITY.md §1.5, §3.2.
-- Requests are emulated as in test/sql/auth_register.sql (see its header).

\set VERBOSITY terse
\set request 'SELECT set_config(''search_path'', ''"api", "public"'', true), set_config(''role'', :''role'', true), set_config(''request.jwt.claims'', :''claims'', true), set_config(''request.method'', ''POST'', true), set_config(''request.path'', :''path'', true), set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)'
\set role loop_anon
\set claims '{"role":"loop_anon"}'
\set path /rpc/request_password_reset
\set pw '''Reset-Test-Passwort-1'''
\set pw2 '''Reset-Test-Passwort-2'''
\set pw3 '''Reset-Test-Passwort-3'''

-- Setup: a secret, two active partners, an empty outbox
SELECT loop.set_jwt_secret('auth-account-test-secret-0123456789abcdefghij');
DELETE FROM loop.partner WHERE email LIKE '%@account.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@account.example';
INSERT INTO loop.partner (partner_id, name, email, status) VALUES
	('AP-20260105-RITA01', 'Rita Konto', 'rita@account.example', 'active'),
	('AP-20260105-OTTO01', 'Otto Other', 'otto@account.example', 'active');
INSERT INTO loop.partner_auth (partner_id, password_hash)
SELECT partner_id, loop.hash_password(:pw2) FROM loop.partner WHERE email LIKE '%@account.example';
SET ROLE loop_mailer;
SELECT count(*) >= 0 AS drained FROM loop.outbox_claim(1000);
RESET ROLE;
CREATE FUNCTION pg_temp.jwt_claims(token text) RETURNS text LANGUAGE sql AS $$
	SELECT convert_from(decode(rpad(translate(split_part(token, '.', 2), '-_', '+/'),
									(length(split_part(token, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')
$$;

-- Rita logs in
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@account.example', :pw2) ->> 'token' AS token_r1 \gset
COMMIT;
SELECT pg_temp.jwt_claims(:'token_r1') AS claims_r1 \gset

-- Change password: anonymous callers may not
\set path /rpc/change_password
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.change_password(:pw2, :pw3);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- a wrong current password is refused (403) and counted like a failed login
\set role loop_partner
\set claims :claims_r1
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.change_password('nicht-das-passwort', :pw3) ->> 'error' AS error,
	   current_setting('response.status', true) AS status;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT failures FROM loop.login_throttle WHERE email_key = 'rita@account.example';
SET SESSION AUTHORIZATION loop_authenticator;

-- an invalid new password (22023), or the current one again
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.change_password(:pw2, 'iloveyou1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.change_password(:pw2, :pw2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- the change: a fresh login answer with the next token version
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.change_password(:pw2, :pw3) AS changed \gset
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(:'changed'::json) k) AS keys,
	   :'changed'::json ->> 'role' AS role;
COMMIT;
SELECT pg_temp.jwt_claims(:'changed'::json ->> 'token') AS claims_r2 \gset
SELECT :'claims_r2'::json ->> 'token_version' AS new_token_version;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS lockout_rows FROM loop.login_throttle WHERE email_key = 'rita@account.example';
SET SESSION AUTHORIZATION loop_authenticator;

-- the previous token is refused, the new one accepted
\set path /summary
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
\set claims :claims_r2
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
COMMIT;

-- Update profile: the own name, trimmed; an empty one is refused
\set path /rpc/update_profile
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.update_profile('  Rita Neu  ');
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.update_profile(' ');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT partner_id, name FROM loop.partner WHERE email LIKE '%@account.example' ORDER BY 1;
SET SESSION AUTHORIZATION loop_authenticator;

-- Logout everywhere: the answer, then the same token is refused
\set path /rpc/logout_everywhere
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.logout_everywhere();
COMMIT;
\set path /summary
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- and the revoked token cannot call the account functions either
\set path /rpc/update_profile
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', '"api", "public"', true), set_config('role', 'loop_partner', true),
	   set_config('request.jwt.claims', :'claims_r2', true) IS NOT NULL AS claims_set;
SELECT api.update_profile('Ohne Pre-Request');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

RESET SESSION AUTHORIZATION;
SELECT token_version FROM loop.partner_auth WHERE partner_id = 'AP-20260105-RITA01';
SET ROLE loop_mailer;
SELECT kind, recipient FROM loop.outbox_claim(10);
RESET ROLE;

-- Clean up
DELETE FROM loop.partner WHERE email LIKE '%@account.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@account.example';
