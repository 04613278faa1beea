-- test/sql/auth_register.sql — registration, email verification, password rules, hashes
-- Contract: issue 3 "Account lifecycle"; seed 003 "Registration Flow";
-- SECURITY.md §3, §7 items 8 and 11-12.
--
-- Every API call is one emulated PostgREST request (SECURITY.md §1.4): as
-- loop_authenticator, BEGIN READ WRITE, the set_config SELECT (:request,
-- with psql variables role and claims; its output goes to /dev/null because
-- it echoes claims), SELECT loop.pre_request(), the call, then COMMIT, or
-- ROLLBACK after an error, as PostgREST does. After an expected error the
-- SQLSTATE is echoed (psql's LAST_ERROR_SQLSTATE). Tokens, ids and times are
-- kept in psql variables (\gset) and never printed. Superuser steps (the
-- mailer, checks) run after RESET SESSION AUTHORIZATION.

\set VERBOSITY terse
\set request 'SELECT set_config(''search_path'', ''"api", "public"'', true), set_config(''role'', :''role'', true), set_config(''request.jwt.claims'', :''claims'', true), set_config(''request.method'', ''POST'', true), set_config(''request.path'', :''path'', true), set_config(''request.headers'', ''{}'', true), set_config(''request.cookies'', ''{}'', true)'
\set role loop_anon
\set claims '{"role":"loop_anon"}'
\set path /rpc/register

-- Setup: a JWT secret, no leftovers of this file, an empty outbox
SELECT loop.set_jwt_secret('auth-register-test-secret-0123456789abcdef');
DELETE FROM loop.partner WHERE email LIKE '%@register.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@register.example';
SET ROLE loop_mailer;
SELECT count(*) >= 0 AS drained FROM loop.outbox_claim(1000);
RESET ROLE;
-- which tables (any schema but the catalogs) hold a text in some row
CREATE FUNCTION pg_temp.tables_containing(needle text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	t regclass;
	hit boolean;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
				AND n.nspname NOT LIKE 'pg_toast%' LOOP
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s x WHERE strpos(x::text, $1) > 0)', t) INTO hit USING needle;
		IF hit THEN RETURN NEXT t::text; END IF;
	END LOOP;
END;
$$;

SET SESSION AUTHORIZATION loop_authenticator;

-- Invalid input: each field gets its own 22023 error naming it
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('   ', 'anna@register.example', 'lange-genug-1', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register(repeat('n', 201), 'anna@register.example', 'lange-genug-1', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', NULL, 'lange-genug-1', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna at register.example', 'lange-genug-1', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register', 'lange-genug-1', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Invalid input: a password of 7 characters
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'abc4567', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Invalid input: 73 bytes (37 characters: 36 × "ä" of 2 bytes, then "x") is refused, not truncated
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', repeat('ä', 36) || 'x', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Invalid input: blocklisted passwords, whatever their case
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'Password123', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'HALLO123', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Invalid input: the email as password
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'ANNA@Register.example', true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Invalid input: terms not accepted (false or missing)
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'lange-genug-1', false);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Anna', 'anna@register.example', 'lange-genug-1', NULL);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- A valid registration with a password of exactly 72 bytes (36 × "ä");
-- the email is trimmed and lower-cased
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register(' Anna Beispiel ', ' Anna@Register.EXAMPLE ', repeat('ä', 36), true) AS reg \gset
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(:'reg'::json) k) AS keys,
	   :'reg'::json ->> 'status' AS status,
	   :'reg'::json ->> 'partner_id' ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$' AS id_well_formed,
	   current_setting('response.status', true) AS response_status;
COMMIT;
SELECT :'reg'::json ->> 'partner_id' AS pid_a \gset

-- What was stored: pending, terms with version and time, a bcrypt hash of cost 12
RESET SESSION AUTHORIZATION;
SELECT p.name, p.email, p.status, p.email_verified_at IS NULL AS unverified,
	   p.terms_accepted_at IS NOT NULL AS terms_accepted,
	   p.terms_version = loop.setting_value('terms_version') AS terms_version_current,
	   substring(a.password_hash FROM '^\$2[ab]\$(\d\d)\$')::int AS bcrypt_cost,
	   a.password_hash <> repeat('ä', 36) AS not_plaintext,
	   loop.pgcrypto_crypt(repeat('ä', 36), a.password_hash) = a.password_hash AS verifies
  FROM loop.partner p JOIN loop.partner_auth a USING (partner_id)
 WHERE p.partner_id = :'pid_a';
-- one verification mail, which the mailer claims (its token is kept in vtoken1)
SET ROLE loop_mailer;
SELECT count(*) OVER () AS m1_count, kind AS m1_kind, recipient AS m1_recipient, message::text AS m1_message,
	   message ->> 'token' AS vtoken1
  FROM loop.outbox_claim(10) \gset
RESET ROLE;
SELECT :m1_count AS mails, :'m1_kind' AS kind, :'m1_recipient' AS recipient,
	   :'m1_message'::json ->> 'partner_id' = :'pid_a' AS for_partner, length(:'vtoken1') AS token_length,
	   :'m1_message'::json ->> 'expires_at' IS NOT NULL AS has_expiry;
SELECT sent_at IS NOT NULL AS marked_sent, payload IS NULL AS payload_erased
  FROM loop.mail_outbox WHERE partner_id = :'pid_a';
SELECT count(*) AS tokens, bool_and(octet_length(token_sha256) = 32) AS sha256_only
  FROM loop.auth_token WHERE partner_id = :'pid_a' AND purpose = 'verify_email';

-- The claim above consumed the mail; queue the next one by registering the
-- same email again: the answer looks like a new registration (no enumeration),
-- no second partner appears, and the pending owner gets a new link
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.register('Jemand', 'ANNA@register.example', 'ganz-anderes-pw-1', true) AS reg2 \gset
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(:'reg2'::json) k) AS keys,
	   :'reg2'::json ->> 'status' AS status,
	   :'reg2'::json ->> 'partner_id' ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$' AS id_well_formed,
	   current_setting('response.status', true) AS response_status;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS partners_with_email, bool_and(partner_id = :'pid_a') AS same_partner,
	   bool_and(name = 'Anna Beispiel') AS name_unchanged
  FROM loop.partner WHERE lower(email) = 'anna@register.example';
SELECT :'reg2'::json ->> 'partner_id' <> :'pid_a' AS answer_id_is_not_the_real_one,
	   NOT EXISTS (SELECT 1 FROM loop.partner WHERE partner_id = :'reg2'::json ->> 'partner_id') AS answer_id_unused;
SET ROLE loop_mailer;
SELECT message ->> 'token' AS vtoken2 FROM loop.outbox_claim(1) \gset
RESET ROLE;
SELECT count(*) AS tokens, count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
  FROM loop.auth_token WHERE partner_id = :'pid_a' AND purpose = 'verify_email';

-- Login before verification: the right password says "email_not_verified" (403)
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('anna@register.example', repeat('ä', 36)) ->> 'error' AS error,
	   current_setting('response.status', true) AS response_status;
COMMIT;

-- Verification: an unknown token fails
\set path /rpc/verify_email
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.verify_email('no-such-token');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- the first token was revoked by the second
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.verify_email(:'vtoken1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- the latest token verifies; the answer names the partner, now active
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.verify_email(:'vtoken2') AS ver \gset
SELECT :'ver'::json ->> 'partner_id' = :'pid_a' AS same_partner, :'ver'::json ->> 'status' AS status,
	   :'ver'::json ->> 'email_verified' AS email_verified;
COMMIT;

-- single use: the same token again fails
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.verify_email(:'vtoken2');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

RESET SESSION AUTHORIZATION;
SELECT status, email_verified_at IS NOT NULL AS verified FROM loop.partner WHERE partner_id = :'pid_a';

-- Registering an active account's email again: same answer, the owner gets
-- an account_exists mail (at most 3 per hour)
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/register
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(api.register('X', 'anna@register.example', 'noch-ein-pw-12', true)) k) AS keys;
COMMIT;
RESET SESSION AUTHORIZATION;
SET ROLE loop_mailer;
SELECT kind, recipient, message ->> 'token' IS NOT NULL AS has_token FROM loop.outbox_claim(10);
RESET ROLE;

-- Stored hashes (SECURITY.md §7 item 8): every one is bcrypt of cost >= 10
SELECT count(*) > 0 AS some_hashes,
	   count(*) FILTER (WHERE password_hash !~ '^\$2[ab]\$(\d\d)\$'
						   OR substring(password_hash FROM '^\$2[ab]\$(\d\d)\$')::int < 10) AS bad_hashes
  FROM loop.partner_auth WHERE password_hash IS NOT NULL;

-- The raw verification tokens are in no table; their SHA-256 is (the search
-- itself works: it finds the email)
SELECT t AS tables_with_email FROM pg_temp.tables_containing('anna@register.example') t ORDER BY 1;
SELECT count(*) AS tables_with_raw_token FROM pg_temp.tables_containing(:'vtoken1');
SELECT count(*) AS tables_with_raw_token FROM pg_temp.tables_containing(:'vtoken2');
SELECT count(*) AS stored_as_sha256 FROM loop.auth_token WHERE token_sha256 = sha256(convert_to(:'vtoken2', 'UTF8'));

-- Clean up
DELETE FROM loop.partner WHERE email LIKE '%@register.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@register.example';
SELECT count(*) AS auth_rows_left FROM loop.partner_auth WHERE partner_id = :'pid_a';
