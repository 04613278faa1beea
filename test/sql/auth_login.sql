-- test/sql/auth_login.sql — login, the JWT, generic failures, lockout, loop.pre_request
-- Contract: issue 3 "Account lifecycle"; seed 003 "Authentication Flow"
-- (max 5 attempts); SECURITY.md §1.4-1.5, §3.2, §7 items 4, 5, 9-11.
-- Requests are emulated as in test/sql/auth_register.sql (see its header).

\set VERBOSITY terse
\set request 'SELECT set_config(''search_path'', ''"api", "public"'', true), set_config(''role'', :''role'', true), set_config(''request.jwt.claims'', :''claims'', true), set_config(''request.method'', ''POST'', true), set_config(''request.path'', :''path'', true), set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)'
\set role loop_anon
\set claims '{"role":"loop_anon"}'
\set path /rpc/login
\set pw '''Login-Test-Passwort-1'''
\set wrong '''Login-Test-Passwort-2'''

-- Setup: a secret; an active partner, an active admin, a deactivated partner
SELECT loop.set_jwt_secret('auth-login-test-secret-0123456789abcdefghij');
DELETE FROM loop.partner WHERE email LIKE '%@login.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@login.example';
INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260101-LOGIN1', 'Lena Login', 'lena@login.example', 'active', false),
	('AP-20260101-ADMIN1', 'Adam Admin', 'adam@login.example', 'active', true),
	('AP-20260101-DEACT1', 'Dora Deaktiviert', 'dora@login.example', 'deactivated', false);
INSERT INTO loop.partner_auth (partner_id, password_hash)
SELECT partner_id, loop.hash_password(:pw) FROM loop.partner WHERE email LIKE '%@login.example';
-- part n of a JWT, base64url-decoded (no verification: test/e2e/test_auth.py verifies)
CREATE FUNCTION pg_temp.jwt_part(token text, n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT convert_from(decode(rpad(translate(split_part(token, '.', n), '-_', '+/'),
									(length(split_part(token, '.', n)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb
$$;

SET SESSION AUTHORIZATION loop_authenticator;

-- Login: the email is matched trimmed and case-insensitively
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('  LENA@Login.Example ', :pw) AS login \gset
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(:'login'::json) k) AS keys,
	   :'login'::json ->> 'role' AS role, :'login'::json ->> 'token_type' AS token_type,
	   :'login'::json ->> 'partner_id' AS partner_id,
	   current_setting('response.status', true) AS response_status;
COMMIT;

-- The JWT: HS256 header, the claims, exp - iat = setting jwt_ttl_seconds
RESET SESSION AUTHORIZATION;
SELECT :'login'::json ->> 'token' AS token_l \gset
SELECT array_length(string_to_array(:'token_l', '.'), 1) AS parts,
	   pg_temp.jwt_part(:'token_l', 1) AS header;
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(c) k) AS claims,
	   c ->> 'role' AS role, c ->> 'partner_id' AS partner_id, c ->> 'token_version' AS token_version,
	   (c ->> 'exp')::bigint - (c ->> 'iat')::bigint = loop.setting_value('jwt_ttl_seconds')::bigint AS ttl_ok,
	   abs((c ->> 'iat')::bigint - extract(epoch FROM now())) < 60 AS iat_now,
	   to_timestamp((c ->> 'exp')::bigint) = (:'login'::json ->> 'expires_at')::timestamptz AS expires_at_is_exp
  FROM pg_temp.jwt_part(:'token_l', 2) c;
-- the signature is HMAC-SHA256 of header.payload under the secret
SELECT split_part(:'token_l', '.', 3)
	   = loop.base64url(loop.pgcrypto_hmac(convert_to(split_part(:'token_l', '.', 1) || '.' || split_part(:'token_l', '.', 2), 'UTF8'),
										   convert_to('auth-login-test-secret-0123456789abcdefghij', 'UTF8'), 'sha256')) AS signature_ok;
SELECT last_login_at IS NOT NULL AS last_login_set FROM loop.partner WHERE partner_id = 'AP-20260101-LOGIN1';
SELECT pg_temp.jwt_part(:'token_l', 2)::text AS claims_l \gset

-- An admin gets role loop_admin
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('adam@login.example', :pw) AS login_adm \gset
SELECT :'login_adm'::json ->> 'role' AS role;
COMMIT;

-- Failures: a wrong password and an unknown email get the same JSON and status
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) AS fail_wrong, current_setting('response.status', true) AS status_wrong \gset
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) AS fail_unknown, current_setting('response.status', true) AS status_unknown \gset
COMMIT;
-- a deactivated partner with the right password, and an empty request, too
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('dora@login.example', :pw) AS fail_deact, current_setting('response.status', true) AS status_deact \gset
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login(NULL, NULL) AS fail_null, current_setting('response.status', true) AS status_null \gset
COMMIT;
SELECT :'fail_wrong' AS response, :'status_wrong' AS status,
	   :'fail_wrong' = :'fail_unknown' AND :'status_wrong' = :'status_unknown' AS unknown_identical,
	   :'fail_wrong' = :'fail_deact' AND :'status_wrong' = :'status_deact' AS deactivated_identical,
	   :'fail_wrong' = :'fail_null' AND :'status_wrong' = :'status_null' AS empty_identical;

-- The failures were committed (not rolled back with the request)
RESET SESSION AUTHORIZATION;
SELECT email_key, failures, locked_until IS NULL AS unlocked FROM loop.login_throttle
 WHERE email_key LIKE '%@login.example' ORDER BY 1;

-- Lockout: 4 more wrong passwords make 5 consecutive failures
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error, current_setting('response.status', true) AS status;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error, current_setting('response.status', true) AS status;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error, current_setting('response.status', true) AS status;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error, current_setting('response.status', true) AS status;
COMMIT;
-- now even the right password is refused, with 429 and Retry-After
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :pw) AS locked \gset
SELECT :'locked'::json ->> 'error' AS error, :'locked'::json ->> 'message' AS message,
	   (:'locked'::json ->> 'retry_after')::int BETWEEN 890 AND 900 AS retry_after_15_min,
	   current_setting('response.status', true) AS status,
	   current_setting('response.headers', true)::json -> 0 ->> 'Retry-After' = :'locked'::json ->> 'retry_after' AS retry_after_header;
COMMIT;
-- the lockout does not block the reset flow
\set path /rpc/request_password_reset
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('lena@login.example');
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT failures, locked_until > now() + interval '14 minutes' AS locked_15_min
  FROM loop.login_throttle WHERE email_key = 'lena@login.example';
SELECT count(*) AS reset_tokens FROM loop.auth_token WHERE partner_id = 'AP-20260101-LOGIN1' AND purpose = 'reset_password';

-- Unknown emails lock the same way: 4 more failures, then the same refusal
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('niemand@login.example', :wrong) AS locked_unknown, current_setting('response.status', true) AS status \gset
SELECT :'locked_unknown'::json ->> 'error' AS error, :'status' AS status,
	   (:'locked_unknown'::jsonb - 'retry_after') = (:'locked'::jsonb - 'retry_after') AS same_as_known;
COMMIT;

-- 15 minutes later (the throttle row is backdated): the right password works
-- and clears the row
RESET SESSION AUTHORIZATION;
UPDATE loop.login_throttle SET locked_until = now() - interval '1 second',
	   last_failure_at = now() - interval '15 minutes 1 second'
 WHERE email_key = 'lena@login.example';
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :pw) ->> 'role' AS role, current_setting('response.status', true) AS status;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS throttle_rows FROM loop.login_throttle WHERE email_key = 'lena@login.example';

-- A success resets the count: 4 failures, a success, 4 failures, a success
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :pw) ->> 'role' AS role;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :wrong) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', :pw) ->> 'role' AS role;
COMMIT;

-- 72 bytes is bcrypt's limit: a 73-byte input with the stored 72 bytes as
-- prefix must not verify (SECURITY.md §7 item 11)
RESET SESSION AUTHORIZATION;
UPDATE loop.partner_auth SET password_hash = loop.hash_password(repeat('ab', 36)) WHERE partner_id = 'AP-20260101-LOGIN1';
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', repeat('ab', 36) || 'c') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('lena@login.example', repeat('ab', 36)) ->> 'role' AS role;
COMMIT;
RESET SESSION AUTHORIZATION;
UPDATE loop.partner_auth SET password_hash = loop.hash_password(:pw) WHERE partner_id = 'AP-20260101-LOGIN1';

-- Clean up
DELETE FROM loop.partner WHERE email LIKE '%@login.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@login.example' OR email_key = '';
