-- test/sql/auth_privileges.sql — who may do what: secrets, credential tables,
-- EXECUTE grants, OAuth sign-in (loop_oauth), the mailer (loop_mailer)
-- Contract: issue 3; SECURITY.md §1.7 gap 6, §2.1, §7 items 2 and 5.

\set VERBOSITY terse

-- EXECUTE on the account functions, per role (PUBLIC has none)
SELECT p.oid::regprocedure AS function,
	   has_function_privilege('loop_anon', p.oid, 'EXECUTE') AS anon,
	   has_function_privilege('loop_partner', p.oid, 'EXECUTE') AS partner,
	   has_function_privilege('loop_admin', p.oid, 'EXECUTE') AS admin,
	   has_function_privilege('loop_oauth', p.oid, 'EXECUTE') AS oauth,
	   has_function_privilege('loop_mailer', p.oid, 'EXECUTE') AS mailer,
	   EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public,
	   p.prosecdef AS definer
  FROM pg_proc p
 WHERE p.oid IN ('api.register'::regproc, 'api.verify_email'::regproc, 'api.login'::regproc,
				 'api.request_password_reset'::regproc, 'api.reset_password'::regproc,
				 'api.change_password'::regproc, 'api.logout_everywhere'::regproc, 'api.update_profile'::regproc,
				 'api.oauth_sign_in'::regproc, 'loop.pre_request'::regproc, 'loop.outbox_claim'::regproc,
				 'loop.set_jwt_secret'::regproc, 'loop.set_mailer_key'::regproc, 'loop.jwt_sign'::regproc,
				 'loop.issue_token'::regproc, 'loop.auth_housekeeping'::regproc)
 ORDER BY p.oid::regprocedure::text;

-- Every function and table of the account life cycle has a COMMENT, every
-- function a pinned search_path, and none is executable by PUBLIC
SELECT count(*) AS auth_functions,
	   count(*) FILTER (WHERE obj_description(p.oid, 'pg_proc') IS NULL) AS without_comment,
	   count(*) FILTER (WHERE NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)) AS without_search_path,
	   count(*) FILTER (WHERE p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)) AS public_execute
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
					  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'loop')
 WHERE p.proname ~ '^(pgcrypto_|set_jwt_secret|set_mailer_key|require_superuser|normalize_email|email_problem|name_problem|password_problem|bcrypt_cost|hash_password|password_matches|throttle_|auth_|base64url|token_digest|issue_|outbox_|jwt_sign|pre_request|notify_registered_again|account_|register|verify_email|login|request_password_reset|reset_password|change_password|logout_everywhere|update_profile|oauth_sign_in)';
SELECT c.oid::regclass AS tables, obj_description(c.oid, 'pg_class') IS NOT NULL AS has_comment,
	   c.relrowsecurity AND c.relforcerowsecurity AS rls_forced, c.relacl IS NULL AS no_grants,
	   (SELECT count(*) FROM pg_policy pol WHERE pol.polrelid = c.oid) AS policies
  FROM pg_class c
 WHERE c.oid IN ('loop.partner_auth'::regclass, 'loop.login_throttle'::regclass, 'loop.auth_token'::regclass,
				 'loop.mail_outbox'::regclass, 'loop.jwt_secret'::regclass, 'loop.mailer_key'::regclass,
				 'loop.password_blocklist'::regclass)
 ORDER BY c.oid::regclass::text;
-- the roles of this part, not loginable, not reachable by PostgREST's authenticator
SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, pg_has_role('loop_authenticator', oid, 'MEMBER') AS authenticator_member
  FROM pg_roles WHERE rolname IN ('loop_mailer', 'loop_oauth') ORDER BY 1;

-- loop.set_jwt_secret: at least 32 characters; superusers only
SELECT loop.set_jwt_secret(repeat('x', 31));
\echo :LAST_ERROR_SQLSTATE
SELECT loop.set_jwt_secret(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.set_jwt_secret('auth-privileges-test-secret-0123456789abcdef');
SELECT char_length(secret) AS secret_length FROM loop.jwt_secret;
SET ROLE loop_partner;
SELECT loop.set_jwt_secret(repeat('x', 40));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- even with EXECUTE granted, a role that is not a superuser is refused
CREATE ROLE auth_test_operator NOLOGIN;
GRANT USAGE ON SCHEMA loop TO auth_test_operator;
GRANT EXECUTE ON FUNCTION loop.set_jwt_secret(text), loop.require_superuser(text) TO auth_test_operator;
SET ROLE auth_test_operator;
SELECT loop.set_jwt_secret(repeat('x', 40));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON FUNCTION loop.set_jwt_secret(text), loop.require_superuser(text) FROM auth_test_operator;
REVOKE ALL ON SCHEMA loop FROM auth_test_operator;
DROP ROLE auth_test_operator;
-- loop.set_mailer_key likewise
SELECT loop.set_mailer_key('too-short');
\echo :LAST_ERROR_SQLSTATE

-- The secret is in no setting, and the API, mailer and OAuth roles cannot
-- read any credential table (42501 each)
SET ROLE loop_partner;
SELECT current_setting('app.jwt_secret', true) IS NULL AS no_secret_setting;
SELECT * FROM loop.jwt_secret;
SELECT * FROM loop.partner_auth;
SELECT * FROM loop.auth_token;
SELECT * FROM loop.mail_outbox;
SELECT * FROM loop.login_throttle;
SELECT * FROM loop.mailer_key;
RESET ROLE;
SET ROLE loop_anon;
SELECT * FROM loop.jwt_secret;
SELECT * FROM loop.partner_auth;
RESET ROLE;
SET ROLE loop_admin;
SELECT * FROM loop.jwt_secret;
SELECT * FROM loop.partner_auth;
RESET ROLE;
SET ROLE loop_mailer;
SELECT * FROM loop.mail_outbox;
SELECT * FROM loop.mailer_key;
RESET ROLE;
SET ROLE loop_oauth;
SELECT * FROM loop.partner_auth;
RESET ROLE;
-- no internal signer is reachable: minting a token needs loop.jwt_sign
SET ROLE loop_partner;
SELECT loop.jwt_sign('{"role":"loop_admin"}');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.issue_token('AP-20260103-OAUTH0');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- OAuth sign-in (as the trusted backend's role loop_oauth)
DELETE FROM loop.partner WHERE email LIKE '%@oauth.example';
SET ROLE loop_mailer;
SELECT count(*) >= 0 AS drained FROM loop.outbox_claim(1000);
RESET ROLE;
INSERT INTO loop.partner (partner_id, name, email, status) VALUES
	('AP-20260103-OAUTH1', 'Olga Passwort', 'olga@oauth.example', 'active'),
	('AP-20260103-OAUTH2', 'Paul Pending', 'paul@oauth.example', 'pending'),
	('AP-20260103-OAUTH3', 'Dirk Deaktiviert', 'dirk@oauth.example', 'deactivated');
INSERT INTO loop.partner_auth (partner_id, password_hash)
SELECT partner_id, loop.hash_password('OAuth-Test-Passwort-1') FROM loop.partner WHERE email LIKE '%@oauth.example';
-- PostgREST's roles may not call it
SET ROLE loop_anon;
SELECT api.oauth_sign_in('google', 'sub-1', 'neu@oauth.example', true, 'Neu', true);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE loop_oauth;
-- a new account needs the terms
SELECT api.oauth_sign_in('google', 'sub-new', 'neu@oauth.example', true, 'Nina Neu');
\echo :LAST_ERROR_SQLSTATE
-- invalid provider, subject, email
SELECT api.oauth_sign_in('Goo gle', 'sub-new', 'neu@oauth.example', true, 'Nina Neu', true);
\echo :LAST_ERROR_SQLSTATE
SELECT api.oauth_sign_in('google', '', 'neu@oauth.example', true, 'Nina Neu', true);
\echo :LAST_ERROR_SQLSTATE
SELECT api.oauth_sign_in('google', 'sub-new', 'neu', true, 'Nina Neu', true);
\echo :LAST_ERROR_SQLSTATE
-- a new, verified account: active, without a password, and a login answer
SELECT api.oauth_sign_in('Google', 'sub-new', 'Neu@OAuth.example', true, 'Nina Neu', true) AS o1 \gset
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(:'o1'::json) k) AS keys, :'o1'::json ->> 'role' AS role;
-- the same identity again: the same partner
SELECT (api.oauth_sign_in('google', 'sub-new', 'neu@oauth.example', true) ->> 'partner_id') = (:'o1'::json ->> 'partner_id') AS same_partner;
RESET ROLE;
SELECT p.name, p.email, p.status, p.email_verified_at IS NOT NULL AS verified, p.terms_version IS NOT NULL AS terms,
	   p.last_login_at IS NOT NULL AS logged_in, a.password_hash IS NULL AS oauth_only, a.oauth_provider, a.oauth_subject
  FROM loop.partner p JOIN loop.partner_auth a USING (partner_id) WHERE p.email = 'neu@oauth.example';
-- an OAuth-only account cannot log in with a password (generic failure)
SELECT api.login('neu@oauth.example', '') ->> 'error' AS error;
DELETE FROM loop.login_throttle WHERE email_key LIKE '%@oauth.example';

SET ROLE loop_oauth;
-- an existing account's email, not verified by the provider: not linked
SELECT api.oauth_sign_in('google', 'sub-olga', 'olga@oauth.example', false);
\echo :LAST_ERROR_SQLSTATE
-- verified: linked, the password stays
SELECT api.oauth_sign_in('google', 'sub-olga', 'olga@oauth.example', true) ->> 'partner_id' AS partner_id;
-- a second identity for the same account is refused
SELECT api.oauth_sign_in('microsoft', 'ms-olga', 'olga@oauth.example', true);
\echo :LAST_ERROR_SQLSTATE
-- a pending account (its password set by whoever registered it): linking
-- verifies the email, activates it and drops the password (pre-hijacking)
SELECT api.oauth_sign_in('google', 'sub-paul', 'paul@oauth.example', true) ->> 'partner_id' AS partner_id;
-- a deactivated account is refused
SELECT api.oauth_sign_in('google', 'sub-dirk', 'dirk@oauth.example', true);
\echo :LAST_ERROR_SQLSTATE
-- a new account whose email the provider did not verify: pending, with a verification mail
SELECT api.oauth_sign_in('github', 'gh-vera', 'vera@oauth.example', false, 'Vera', true) ->> 'error' AS error,
	   current_setting('response.status', true) AS status;
RESET ROLE;
SELECT p.email, p.status, p.email_verified_at IS NOT NULL AS verified, a.password_hash IS NOT NULL AS has_password,
	   a.oauth_provider, a.oauth_subject, a.oauth_email_verified, a.token_version
  FROM loop.partner p JOIN loop.partner_auth a USING (partner_id)
 WHERE p.email IN ('olga@oauth.example', 'paul@oauth.example', 'dirk@oauth.example', 'vera@oauth.example')
 ORDER BY p.email;

-- The mailer: outbox_claim returns the decrypted message once, erasing the payload
SELECT count(*) AS pending, bool_and(payload IS NOT NULL) AS encrypted,
	   bool_and(strpos(encode(payload, 'escape'), 'vera') = 0) AS not_plaintext
  FROM loop.mail_outbox WHERE sent_at IS NULL;
-- a new mailer key re-encrypts what is pending
SELECT loop.set_mailer_key('auth-privileges-mailer-key-0123456789abcdef') AS reencrypted;
SET ROLE loop_mailer;
SELECT loop.outbox_claim(0);
\echo :LAST_ERROR_SQLSTATE
SELECT kind, recipient, message ->> 'kind' AS message_kind, message ->> 'to' AS message_to,
	   length(message ->> 'token') AS token_length
  FROM loop.outbox_claim(10);
SELECT count(*) AS claimed_again FROM loop.outbox_claim(10);
RESET ROLE;
SELECT count(*) FILTER (WHERE sent_at IS NOT NULL AND payload IS NULL) AS sent_and_erased
  FROM loop.mail_outbox WHERE recipient = 'vera@oauth.example';
-- a payload the current key cannot decrypt is marked failed, not returned
INSERT INTO loop.mail_outbox (partner_id, kind, recipient, payload)
VALUES ('AP-20260103-OAUTH1', 'account_exists', 'olga@oauth.example', loop.pgcrypto_encrypt('{}', 'another-key-0123456789abcdef0123456789'));
SET ROLE loop_mailer;
SELECT count(*) AS claimed FROM loop.outbox_claim(10);
RESET ROLE;
SELECT failed_at IS NOT NULL AS failed, payload IS NULL AS erased, error FROM loop.mail_outbox WHERE recipient = 'olga@oauth.example';

-- Deleting a partner deletes its credentials, tokens and mails (trigger cascade)
SELECT count(*) AS auth_rows FROM loop.partner_auth WHERE partner_id LIKE 'AP-20260103-%';
DELETE FROM loop.partner WHERE email LIKE '%@oauth.example';
SELECT (SELECT count(*) FROM loop.partner_auth a WHERE NOT EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = a.partner_id)) AS orphan_auth,
	   (SELECT count(*) FROM loop.auth_token t WHERE NOT EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = t.partner_id)) AS orphan_tokens,
	   (SELECT count(*) FROM loop.mail_outbox o WHERE NOT EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = o.partner_id)) AS orphan_mails;

-- Housekeeping (superuser only)
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(loop.auth_housekeeping()) k) AS housekeeping;
SET ROLE loop_admin;
SELECT loop.auth_housekeeping();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
