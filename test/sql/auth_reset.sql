-- test/sql/auth_reset.sql — password reset tokens, change password, logout everywhere, profile
-- Contract: issue 3 "Account lifecycle"; seed 003 "Reset: Token-based (1 hour
-- expiry)"; SECURITY.md §1.5, §3.3, §7 item 12.
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
SELECT loop.set_jwt_secret('auth-reset-test-secret-0123456789abcdefghij');
DELETE FROM loop.partner WHERE email LIKE '%@reset.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@reset.example';
INSERT INTO loop.partner (partner_id, name, email, status) VALUES
	('AP-20260102-RESET1', 'Rita Reset', 'rita@reset.example', 'active'),
	('AP-20260102-OTHER1', 'Otto Other', 'otto@reset.example', 'active');
INSERT INTO loop.partner_auth (partner_id, password_hash)
SELECT partner_id, loop.hash_password(:pw) FROM loop.partner WHERE email LIKE '%@reset.example';
SET ROLE loop_mailer;
SELECT count(*) >= 0 AS drained FROM loop.outbox_claim(1000);
RESET ROLE;
CREATE FUNCTION pg_temp.tables_containing(needle text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	t regclass;
	hit boolean;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s x WHERE strpos(x::text, $1) > 0)', t) INTO hit USING needle;
		IF hit THEN RETURN NEXT t::text; END IF;
	END LOOP;
END;
$$;
CREATE FUNCTION pg_temp.jwt_claims(token text) RETURNS text LANGUAGE sql AS $$
	SELECT convert_from(decode(rpad(translate(split_part(token, '.', 2), '-_', '+/'),
									(length(split_part(token, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')
$$;

-- Rita logs in (her claims are kept for later)
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', :pw) ->> 'token' AS token_r0 \gset
COMMIT;

-- A reset request answers byte-identically for a known and an unknown email
\set path /rpc/request_password_reset
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('Rita@Reset.example') AS ans_known, coalesce(current_setting('response.status', true), 'unset') AS st_known \gset
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('nobody@reset.example') AS ans_unknown, coalesce(current_setting('response.status', true), 'unset') AS st_unknown \gset
COMMIT;
SELECT :'ans_known' AS answer, :'ans_known' = :'ans_unknown' AS byte_identical,
	   :'st_known' = :'st_unknown' AS same_status;
RESET SESSION AUTHORIZATION;
SET ROLE loop_mailer;
SELECT message ->> 'token' AS t1, kind AS kind1, recipient AS to1 FROM loop.outbox_claim(10) \gset
RESET ROLE;
SELECT :'kind1' AS kind, :'to1' AS recipient, length(:'t1') AS token_length;

-- Two more requests: three tokens within the hour, each revoking the older ones
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('rita@reset.example')::text = :'ans_known' AS same_answer;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('rita@reset.example')::text = :'ans_known' AS same_answer;
COMMIT;
-- the fourth within the hour is capped: the same answer, no token, no mail
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('rita@reset.example')::text = :'ans_known' AS same_answer;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS tokens, count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked,
	   count(*) FILTER (WHERE expires_at - created_at = interval '1 hour') AS one_hour
  FROM loop.auth_token WHERE partner_id = 'AP-20260102-RESET1' AND purpose = 'reset_password';
SET ROLE loop_mailer;
SELECT count(*) OVER () AS mails, message ->> 'token' AS t3 FROM loop.outbox_claim(10) ORDER BY message_id DESC LIMIT 1 \gset
RESET ROLE;
SELECT :mails AS mails;

-- An older (revoked) token fails
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/reset_password
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t1', :pw2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The newest token, expired (backdated an hour and a second): fails
RESET SESSION AUTHORIZATION;
UPDATE loop.auth_token SET created_at = created_at - interval '1 hour 1 second', expires_at = expires_at - interval '1 hour 1 second'
 WHERE token_sha256 = sha256(convert_to(:'t3', 'UTF8'));
SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t3', :pw2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Lock Rita's login: 5 failures, then even her password is refused
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', 'falsch-falsch-1') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', 'falsch-falsch-1') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', 'falsch-falsch-1') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', 'falsch-falsch-1') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', 'falsch-falsch-1') ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', :pw) ->> 'error' AS error;
COMMIT;

-- The backdated token left the hour: a new request is allowed again (and the
-- lockout does not stop it)
\set path /rpc/request_password_reset
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.request_password_reset('rita@reset.example')::text = :'ans_known' AS same_answer;
COMMIT;
RESET SESSION AUTHORIZATION;
SET ROLE loop_mailer;
SELECT message ->> 'token' AS t5 FROM loop.outbox_claim(10) \gset
RESET ROLE;

-- A weak new password is refused and leaves the token unused
SET SESSION AUTHORIZATION loop_authenticator;
\set path /rpc/reset_password
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t5', 'Passwort123');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t5', 'kurz');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The reset: the new password is set, the token is used
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t5', :pw2) AS reset \gset
SELECT :'reset'::json ->> 'partner_id' AS partner_id, :'reset'::json ->> 'password_reset' AS password_reset;
COMMIT;
-- single use
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.reset_password(:'t5', :pw3);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT a.token_version, loop.pgcrypto_crypt(:pw2, a.password_hash) = a.password_hash AS new_password_set,
	   (SELECT count(*) FROM loop.login_throttle WHERE email_key = 'rita@reset.example') AS lockout_rows
  FROM loop.partner_auth a WHERE a.partner_id = 'AP-20260102-RESET1';
SET ROLE loop_mailer;
SELECT kind, recipient, message ->> 'token' IS NULL AS no_token FROM loop.outbox_claim(10);
RESET ROLE;
-- no table holds a raw reset token
SELECT count(*) AS tables_with_raw_token FROM pg_temp.tables_containing(:'t1');
SELECT count(*) AS tables_with_raw_token FROM pg_temp.tables_containing(:'t5');

-- The token Rita had before the reset is revoked (token version bumped)
SET SESSION AUTHORIZATION loop_authenticator;
\set role loop_partner
SELECT pg_temp.jwt_claims(:'token_r0') AS claims_r0 \gset
\set claims :claims_r0
\set path /summary
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The old password fails, the new one works at once (the lockout was cleared)
\set role loop_anon
\set claims '{"role":"loop_anon"}'
\set path /rpc/login
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', :pw) ->> 'error' AS error;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
:request \g /dev/null
SELECT loop.pre_request();
SELECT api.login('rita@reset.example', :pw2) ->> 'token' AS token_r1 \gset
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT length(:'token_r1') > 100 AS got_token;

-- Clean up
DELETE FROM loop.partner WHERE email LIKE '%@reset.example';
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@reset.example';
