-- sql/60_auth.sql — loop extension install script, part 6: accounts, passwords, tokens, JWT
--
-- The account life cycle of issue 3 (seed 003 "Authentication System",
-- "Registration Flow"; glossary 002 partner record fields), built on the
-- rules of SECURITY.md §1.5, §1.7, §2 and §3. This file holds the roles
-- loop_mailer and loop_oauth, the pgcrypto wrappers, the tables and the
-- secret setters; sql/60_auth_core.sql the internal functions (rules, JWT,
-- pre-request); sql/61_auth_api.sql and sql/63_auth_account.sql the api.*
-- functions; sql/62_password_blocklist.sql the common passwords refused.
--
-- Privileges. Every table here has row-level security enabled and forced and
-- no policy, and no role is granted anything on it: only superusers read or
-- write them, i.e. the SECURITY DEFINER functions (owned by the superuser
-- who ran CREATE EXTENSION; they rely on that owner bypassing RLS). Every
-- function pins search_path = pg_catalog, pg_temp and qualifies loop names;
-- EXECUTE is revoked from PUBLIC and granted per role where a role needs it.
-- In PL/pgSQL the schema is written "loop" (quoted) in %ROWTYPE declarations
-- and FOR ... IN queries, where an unquoted loop would be read as LOOP.
--
-- pgcrypto. loop requires pgcrypto, but pgcrypto is relocatable: CASCADE or
-- --load-extension put it in the creator's default schema (usually public,
-- where untrusted roles may have planted look-alike functions), and
-- @extschema:pgcrypto@ exists only from PostgreSQL 16. So its schema is
-- looked up here, at install time, and thin SQL-standard (BEGIN ATOMIC)
-- wrappers loop.pgcrypto_* are created with schema-qualified calls on the
-- exact argument types. A BEGIN ATOMIC body is resolved when it is created
-- and stored by object id: the wrappers keep calling pgcrypto's own
-- functions whatever search_path a caller has, and even after ALTER
-- EXTENSION pgcrypto SET SCHEMA. SHA-256 uses the core pg_catalog.sha256().

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['loop_mailer', 'loop_oauth'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', r);
		END IF;
	END LOOP;
END;
$$;
COMMENT ON ROLE loop_mailer IS
	'loop: the mail sender. Only loop.outbox_claim(int). Grant it to the mailer''s own login role; never to loop_authenticator.';
COMMENT ON ROLE loop_oauth IS
	'loop: a trusted OAuth backend that has verified an ID token. Only api.oauth_sign_in. Grant it to that backend''s '
	'login role; never to loop_authenticator (PostgREST must not be able to become it).';
GRANT USAGE ON SCHEMA loop TO loop_mailer;
GRANT USAGE ON SCHEMA api TO loop_oauth;

-- pgcrypto wrappers (see the header).
DO $$
DECLARE
	s text;
BEGIN
	SELECT n.nspname INTO STRICT s
	  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
	 WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto'::pg_catalog.name;
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_crypt(password text, salt text) RETURNS text
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.crypt(password, salt); END$f$, s);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_gen_salt(type text, rounds integer) RETURNS text
		LANGUAGE sql VOLATILE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.gen_salt(type, rounds); END$f$, s);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_gen_random_bytes(n integer) RETURNS bytea
		LANGUAGE sql VOLATILE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.gen_random_bytes(n); END$f$, s);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_hmac(data bytea, key bytea, type text) RETURNS bytea
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.hmac(data, key, type); END$f$, s);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_encrypt(data text, key text) RETURNS bytea
		LANGUAGE sql VOLATILE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.pgp_sym_encrypt(data, key, 'cipher-algo=aes256'::text); END$f$, s);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION loop.pgcrypto_decrypt(data bytea, key text) RETURNS text
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		BEGIN ATOMIC SELECT %1$I.pgp_sym_decrypt(data, key); END$f$, s);
END;
$$;
COMMENT ON FUNCTION loop.pgcrypto_crypt(text, text) IS
	'pgcrypto crypt(password, salt), bound at install time to pgcrypto''s own function (search_path-proof).';
COMMENT ON FUNCTION loop.pgcrypto_gen_salt(text, integer) IS
	'pgcrypto gen_salt(type, rounds), bound at install time to pgcrypto''s own function (search_path-proof).';
COMMENT ON FUNCTION loop.pgcrypto_gen_random_bytes(integer) IS
	'pgcrypto gen_random_bytes(n): n bytes from the CSPRNG (SECURITY.md §3.3), bound at install time.';
COMMENT ON FUNCTION loop.pgcrypto_hmac(bytea, bytea, text) IS
	'pgcrypto hmac(data, key, type), bound at install time to pgcrypto''s own function (search_path-proof).';
COMMENT ON FUNCTION loop.pgcrypto_encrypt(text, text) IS
	'pgcrypto pgp_sym_encrypt(data, key, ''cipher-algo=aes256''), bound at install time; encrypts mail_outbox payloads.';
COMMENT ON FUNCTION loop.pgcrypto_decrypt(bytea, text) IS
	'pgcrypto pgp_sym_decrypt(data, key), bound at install time; SQLSTATE 39000 on a wrong key or corrupt data.';
REVOKE ALL ON FUNCTION loop.pgcrypto_crypt(text, text), loop.pgcrypto_gen_salt(text, integer),
	loop.pgcrypto_gen_random_bytes(integer), loop.pgcrypto_hmac(bytea, bytea, text),
	loop.pgcrypto_encrypt(text, text), loop.pgcrypto_decrypt(bytea, text) FROM PUBLIC;

-- ---------------------------------------------------------------- tables

CREATE TABLE loop.partner_auth (
	partner_id text PRIMARY KEY REFERENCES loop.partner ON DELETE CASCADE ON UPDATE CASCADE,
	password_hash text
		CONSTRAINT partner_auth_bcrypt CHECK (password_hash ~ '^\$2[ab]\$(1[0-9]|2[0-9]|3[01])\$[./A-Za-z0-9]{53}$'),
	password_changed_at timestamptz,
	token_version integer NOT NULL DEFAULT 1 CONSTRAINT partner_auth_token_version_positive CHECK (token_version > 0),
	oauth_provider text,
	oauth_subject text,
	oauth_email_verified boolean,
	oauth_linked_at timestamptz,
	CONSTRAINT partner_auth_oauth_complete CHECK ((oauth_provider IS NULL) = (oauth_subject IS NULL)),
	CONSTRAINT partner_auth_oauth_key UNIQUE (oauth_provider, oauth_subject)
);
COMMENT ON TABLE loop.partner_auth IS
	'Credentials of a partner (glossary 002: password_hash, oauth_provider, oauth_id, oauth_email_verified): a bcrypt '
	'hash of cost >= 10 (NULL for OAuth-only partners), the token version carried by every JWT (bumped to revoke all of '
	'them, SECURITY.md §1.5), and at most one OAuth identity (provider, subject), unique. One row per partner; deleted '
	'with the partner (foreign key, ON DELETE CASCADE).';
COMMENT ON COLUMN loop.partner_auth.password_hash IS 'bcrypt ($2a$/$2b$, cost 10-31) of the password; NULL = no password (OAuth-only).';
COMMENT ON COLUMN loop.partner_auth.token_version IS 'Current token version; JWTs whose token_version claim differs are refused by loop.pre_request.';
COMMENT ON COLUMN loop.partner_auth.oauth_subject IS 'The provider''s stable user id (the ID token''s sub claim; glossary oauth_id).';

CREATE TABLE loop.login_throttle (
	email_key text PRIMARY KEY,
	failures integer NOT NULL DEFAULT 0 CONSTRAINT login_throttle_failures_valid CHECK (failures >= 0),
	last_failure_at timestamptz,
	locked_until timestamptz
);
COMMENT ON TABLE loop.login_throttle IS
	'Consecutive failed logins per normalized email (lower-cased, trimmed), whether or not a partner has that email, so '
	'that unknown and known emails behave alike. 5 consecutive failures lock the email for 15 minutes (locked_until); '
	'a successful login or a password reset deletes the row (seed 003 "max 5 attempts"; SECURITY.md §3.2, §7 item 10).';

CREATE TABLE loop.auth_token (
	token_sha256 bytea PRIMARY KEY CONSTRAINT auth_token_sha256_length CHECK (octet_length(token_sha256) = 32),
	purpose text NOT NULL CONSTRAINT auth_token_purpose_valid CHECK (purpose IN ('verify_email', 'reset_password')),
	partner_id text NOT NULL REFERENCES loop.partner ON DELETE CASCADE ON UPDATE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	revoked_at timestamptz,
	CONSTRAINT auth_token_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX auth_token_partner_idx ON loop.auth_token (partner_id, purpose, created_at);
COMMENT ON TABLE loop.auth_token IS
	'Email verification and password reset tokens, stored only as SHA-256 of the token text handed out (32 random bytes '
	'from gen_random_bytes, base64url). Single use (used_at), expiring (verify_email 48 h, reset_password 1 h), revoked '
	'by a newer token of the same purpose (revoked_at); at most 3 per partner and purpose per hour (SECURITY.md §3.3, §7 item 12).';

CREATE TABLE loop.mail_outbox (
	message_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner_id text REFERENCES loop.partner ON DELETE CASCADE ON UPDATE CASCADE,
	kind text NOT NULL CONSTRAINT mail_outbox_kind_valid
		CHECK (kind IN ('verify_email', 'reset_password', 'account_exists', 'password_changed')),
	recipient text NOT NULL,
	payload bytea,
	created_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz,
	failed_at timestamptz,
	error text,
	CONSTRAINT mail_outbox_payload_until_done CHECK ((payload IS NULL) = (sent_at IS NOT NULL OR failed_at IS NOT NULL))
);
CREATE INDEX mail_outbox_pending_idx ON loop.mail_outbox (message_id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_partner_idx ON loop.mail_outbox (partner_id, kind, created_at);
COMMENT ON TABLE loop.mail_outbox IS
	'Mails for the mailer (seed 003 "Send verification email"): kind verify_email | reset_password | account_exists | '
	'password_changed. payload is the JSON message (to, name, token, expires_at, ...) encrypted with pgp_sym_encrypt under '
	'the key in loop.mailer_key, so no raw token sits in any table or dump; loop.outbox_claim decrypts, returns and marks '
	'messages sent, and erases the payload. Not dumped by pg_dump (a queue; tokens expire anyway).';

CREATE TABLE loop.jwt_secret (
	singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT jwt_secret_one_row CHECK (singleton),
	secret text NOT NULL CONSTRAINT jwt_secret_length CHECK (char_length(secret) >= 32),
	set_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loop.jwt_secret IS
	'The HS256 secret loop signs JWTs with; PostgREST''s jwt-secret must be the same string. One row, set by '
	'loop.set_jwt_secret. RLS forced, no policy, no grant: readable only by superusers, never a GUC (SECURITY.md §1.7 '
	'gap 6). Not dumped by pg_dump: set it again after a restore.';

CREATE TABLE loop.mailer_key (
	singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT mailer_key_one_row CHECK (singleton),
	key text NOT NULL CONSTRAINT mailer_key_length CHECK (char_length(key) >= 32),
	set_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loop.mailer_key IS
	'The key of the mail_outbox payload encryption. One row: random (32 bytes, base64) at install, replaceable with '
	'loop.set_mailer_key. Readable only by superusers; not dumped by pg_dump, so a dump holds only ciphertext.';

CREATE TABLE loop.password_blocklist (
	password text PRIMARY KEY
		CONSTRAINT password_blocklist_normalized CHECK (password = lower(password) AND char_length(password) >= 8)
);
COMMENT ON TABLE loop.password_blocklist IS
	'Common passwords refused for new passwords (NIST SP 800-63B §3.1.1.2 blocklist; SECURITY.md §7 item 11), lower-cased; '
	'the check is case-insensitive. Shipped by sql/62_password_blocklist.sql; a superuser may add rows.';

ALTER TABLE loop.partner_auth ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.login_throttle ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.auth_token ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.mail_outbox ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.jwt_secret ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.mailer_key ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.password_blocklist ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- Credentials and outstanding links are the system of record: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('loop.partner_auth', '');
SELECT pg_catalog.pg_extension_config_dump('loop.auth_token', '');

-- The mailer key: random at install (so a fresh database works), replaceable.
INSERT INTO loop.mailer_key (key) VALUES (pg_catalog.encode(loop.pgcrypto_gen_random_bytes(32), 'base64'::text));

-- ---------------------------------------------------------------- secrets

CREATE FUNCTION loop.require_superuser(what text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) THEN
		RAISE EXCEPTION '% may only be called by a superuser', what USING ERRCODE = 'insufficient_privilege';
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.require_superuser(text) IS
	'Raises 42501 (insufficient_privilege) unless the current role is a superuser; what names the caller in the message.';
REVOKE ALL ON FUNCTION loop.require_superuser(text) FROM PUBLIC;

CREATE FUNCTION loop.set_jwt_secret(secret text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.require_superuser('loop.set_jwt_secret');
	IF secret IS NULL OR char_length(secret) < 32 THEN
		RAISE EXCEPTION 'the JWT secret must be at least 32 characters long' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO loop.jwt_secret AS j (singleton, secret, set_at) VALUES (true, set_jwt_secret.secret, now())
	ON CONFLICT (singleton) DO UPDATE SET secret = excluded.secret, set_at = excluded.set_at;
END;
$$;
COMMENT ON FUNCTION loop.set_jwt_secret(text) IS
	'Stores the HS256 secret used to sign login JWTs (give PostgREST the same string as jwt-secret). Superuser only: '
	'42501 otherwise; 22023 if shorter than 32 characters (SECURITY.md §1.2). Use a CSPRNG value, e.g. openssl rand '
	'-base64 48, and SET log_statement = none in that session so the statement is not logged.';
REVOKE ALL ON FUNCTION loop.set_jwt_secret(text) FROM PUBLIC;

CREATE FUNCTION loop.set_mailer_key(key text) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_old text;
	v_count integer := 0;
	r record;
BEGIN
	PERFORM loop.require_superuser('loop.set_mailer_key');
	IF key IS NULL OR char_length(key) < 32 THEN
		RAISE EXCEPTION 'the mailer key must be at least 32 characters long' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT m.key INTO v_old FROM loop.mailer_key m FOR UPDATE;
	-- re-encrypt what is still waiting for the mailer
	FOR r IN SELECT o.message_id, o.payload FROM "loop".mail_outbox o
			  WHERE o.sent_at IS NULL AND o.failed_at IS NULL FOR UPDATE LOOP
		UPDATE loop.mail_outbox o
		   SET payload = loop.pgcrypto_encrypt(loop.pgcrypto_decrypt(r.payload, v_old), set_mailer_key.key)
		 WHERE o.message_id = r.message_id;
		v_count := v_count + 1;
	END LOOP;
	INSERT INTO loop.mailer_key AS m (singleton, key, set_at) VALUES (true, set_mailer_key.key, now())
	ON CONFLICT (singleton) DO UPDATE SET key = excluded.key, set_at = excluded.set_at;
	RETURN v_count;
END;
$$;
COMMENT ON FUNCTION loop.set_mailer_key(text) IS
	'Replaces the mail_outbox encryption key (at least 32 characters, else 22023) and re-encrypts the pending messages; '
	'returns how many. Superuser only (42501). Optional: CREATE EXTENSION sets a random key.';
REVOKE ALL ON FUNCTION loop.set_mailer_key(text) FROM PUBLIC;
