-- sql/60_auth_core.sql — loop extension install script, part 6a: account rules, throttle, tokens, JWT, pre-request
--
-- The internal functions of the account life cycle (tables: sql/60_auth.sql;
-- RPCs: sql/61_auth_api.sql, sql/63_auth_account.sql): input and password
-- rules, bcrypt, the login throttle, refusals as JSON, verification and reset
-- tokens, the mail outbox, HS256 signing, and the per-request checks behind
-- PostgREST's db-pre-request. None of them is granted to PUBLIC; they run as
-- the owner of the SECURITY DEFINER functions that call them, except
-- loop.pre_request (SECURITY INVOKER, granted to the three API roles) and
-- loop.auth_request_check (its SECURITY DEFINER step).

-- ---------------------------------------------------------------- input rules

CREATE FUNCTION loop.normalize_email(email text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.lower(pg_catalog.btrim(email, E' \t\r\n'::text));
END;
COMMENT ON FUNCTION loop.normalize_email(text) IS
	'An email as loop stores and compares it: surrounding white space removed, lower-cased. NULL stays NULL.';
REVOKE ALL ON FUNCTION loop.normalize_email(text) FROM PUBLIC;

CREATE FUNCTION loop.email_problem(email text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF email IS NULL OR email = '' THEN
		RETURN 'email is required';
	ELSIF char_length(email) > 254 THEN
		RETURN 'email must be at most 254 characters';
	ELSIF email !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:].][^@[:space:][:cntrl:]]*$' THEN
		RETURN 'email is not a valid email address';
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION loop.email_problem(text) IS
	'NULL if a normalized email is acceptable (local@domain.tld, at most 254 characters, no spaces or control characters), '
	'else the message naming the field (seed 003 "Email validation").';
REVOKE ALL ON FUNCTION loop.email_problem(text) FROM PUBLIC;

CREATE FUNCTION loop.name_problem(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR btrim(name) = '' THEN
		RETURN 'name is required';
	ELSIF char_length(name) > 200 THEN
		RETURN 'name must be at most 200 characters';
	ELSIF name ~ '[[:cntrl:]]' THEN
		RETURN 'name must not contain control characters';
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION loop.name_problem(text) IS
	'NULL if a (trimmed) partner name is acceptable (1-200 characters, no control characters), else the message naming the field.';
REVOKE ALL ON FUNCTION loop.name_problem(text) FROM PUBLIC;

CREATE FUNCTION loop.password_problem(password text, email text) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF password IS NULL OR password = '' THEN
		RETURN 'password is required';
	ELSIF char_length(password) < 8 THEN
		RETURN 'password must be at least 8 characters';
	ELSIF octet_length(password) > 72 THEN
		RETURN 'password must be at most 72 bytes (UTF-8)';
	ELSIF EXISTS (SELECT 1 FROM loop.password_blocklist b WHERE b.password = lower(password_problem.password)) THEN
		RETURN 'password is too common (on the blocklist of common passwords)';
	ELSIF lower(password) = loop.normalize_email(email) THEN
		RETURN 'password must not be the email address';
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION loop.password_problem(text, text) IS
	'NULL if password is acceptable for an account with this email, else the message naming the field: at least 8 '
	'characters (seed 003), at most 72 bytes (bcrypt''s input limit: longer is refused, never truncated), not on '
	'loop.password_blocklist (case-insensitive), not the email. SECURITY.md §3.1, §3.4, §7 item 11.';
REVOKE ALL ON FUNCTION loop.password_problem(text, text) FROM PUBLIC;

-- ---------------------------------------------------------------- passwords

CREATE FUNCTION loop.bcrypt_cost() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 12;
COMMENT ON FUNCTION loop.bcrypt_cost() IS
	'bcrypt work factor for new hashes: 12 (OWASP minimum 10, SECURITY.md §3.1; about 0.25 s per hash on the test '
	'machine). Hashes of a lower cost are upgraded at the next successful login.';
REVOKE ALL ON FUNCTION loop.bcrypt_cost() FROM PUBLIC;

CREATE FUNCTION loop.hash_password(password text) RETURNS text
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.pgcrypto_crypt(password, loop.pgcrypto_gen_salt('bf'::text, loop.bcrypt_cost()));
END;
COMMENT ON FUNCTION loop.hash_password(text) IS
	'bcrypt hash ($2a$, cost loop.bcrypt_cost()) of a password already checked by loop.password_problem.';
REVOKE ALL ON FUNCTION loop.hash_password(text) FROM PUBLIC;

CREATE FUNCTION loop.password_matches(password text, hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_calc text;
BEGIN
	-- Exactly one bcrypt computation on every path, so that an unknown
	-- account or a missing password takes as long as a wrong password
	-- (SECURITY.md §3.2 "avoid the quick exit").
	IF hash IS NULL THEN
		v_calc := loop.pgcrypto_crypt(coalesce(password, ''),
									  loop.pgcrypto_gen_salt('bf'::text, loop.bcrypt_cost()));
		RETURN false;
	END IF;
	v_calc := loop.pgcrypto_crypt(coalesce(password, ''), hash);
	-- bcrypt reads only 72 bytes: a longer input must not match a stored
	-- password that is its prefix (SECURITY.md §7 item 11)
	RETURN coalesce(v_calc = hash AND octet_length(password) BETWEEN 1 AND 72, false);
END;
$$;
COMMENT ON FUNCTION loop.password_matches(text, text) IS
	'True if password matches the bcrypt hash, else false (never NULL). Always runs one bcrypt (against a fresh salt '
	'of the current cost when hash is NULL), and never matches input longer than 72 bytes.';
REVOKE ALL ON FUNCTION loop.password_matches(text, text) FROM PUBLIC;

-- ---------------------------------------------------------------- login throttle

CREATE FUNCTION loop.throttle_wait(email_key text) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t "loop".login_throttle%ROWTYPE;
BEGIN
	-- The row is created and locked first: concurrent attempts on one email
	-- are serialized, so they cannot overtake the counter.
	INSERT INTO loop.login_throttle AS l (email_key) VALUES (throttle_wait.email_key)
	ON CONFLICT ON CONSTRAINT login_throttle_pkey DO NOTHING;
	SELECT * INTO t FROM loop.login_throttle l WHERE l.email_key = throttle_wait.email_key FOR UPDATE;
	IF t.locked_until > now() THEN
		RETURN greatest(1, ceil(extract(epoch FROM t.locked_until - now())))::integer;
	ELSIF t.locked_until IS NOT NULL THEN
		-- the lockout is over: a new series of attempts starts
		UPDATE loop.login_throttle l SET failures = 0, locked_until = NULL WHERE l.email_key = throttle_wait.email_key;
	END IF;
	RETURN 0;
END;
$$;
COMMENT ON FUNCTION loop.throttle_wait(text) IS
	'Locks the login_throttle row of a normalized email (creating it) and returns the seconds of lockout left, 0 if none.';
REVOKE ALL ON FUNCTION loop.throttle_wait(text) FROM PUBLIC;

CREATE FUNCTION loop.throttle_fail(email_key text) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE loop.login_throttle l
	   SET failures = l.failures OPERATOR(pg_catalog.+) 1,
		   last_failure_at = pg_catalog.now(),
		   locked_until = CASE WHEN l.failures OPERATOR(pg_catalog.+) 1 OPERATOR(pg_catalog.>=) 5
							   THEN pg_catalog.now() OPERATOR(pg_catalog.+) '15 minutes'::interval END
	 WHERE l.email_key OPERATOR(pg_catalog.=) throttle_fail.email_key;
END;
COMMENT ON FUNCTION loop.throttle_fail(text) IS
	'Counts a failed login for a normalized email; the 5th consecutive failure locks it for 15 minutes.';
REVOKE ALL ON FUNCTION loop.throttle_fail(text) FROM PUBLIC;

CREATE FUNCTION loop.throttle_clear(email_key text) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	DELETE FROM loop.login_throttle l WHERE l.email_key OPERATOR(pg_catalog.=) throttle_clear.email_key;
END;
COMMENT ON FUNCTION loop.throttle_clear(text) IS
	'Forgets the failed logins and any lockout of a normalized email (successful login, password reset).';
REVOKE ALL ON FUNCTION loop.throttle_clear(text) FROM PUBLIC;

CREATE FUNCTION loop.auth_refusal(error text, message text, status integer, retry_after integer DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM set_config('response.status', status::text, true);
	IF retry_after IS NOT NULL THEN
		PERFORM set_config('response.headers',
						   json_build_array(json_build_object('Retry-After', retry_after::text))::text, true);
		RETURN json_build_object('error', error, 'message', message, 'retry_after', retry_after);
	END IF;
	RETURN json_build_object('error', error, 'message', message);
END;
$$;
COMMENT ON FUNCTION loop.auth_refusal(text, text, integer, integer) IS
	'A refusal returned (not raised, so the transaction and its failure count commit) as {"error","message"[, '
	'"retry_after"]}, with the HTTP status set through response.status (and Retry-After through response.headers) '
	'for PostgREST (SECURITY.md §1.7).';
REVOKE ALL ON FUNCTION loop.auth_refusal(text, text, integer, integer) FROM PUBLIC;

-- ---------------------------------------------------------------- tokens and JWT

CREATE FUNCTION loop.base64url(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.translate(pg_catalog.encode(data, 'base64'::text), E'+/=\n'::text, '-_'::text);
END;
COMMENT ON FUNCTION loop.base64url(bytea) IS 'base64url without padding (RFC 7515 §2), as JWTs use it.';
REVOKE ALL ON FUNCTION loop.base64url(bytea) FROM PUBLIC;

CREATE FUNCTION loop.token_digest(token text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'::name));
END;
COMMENT ON FUNCTION loop.token_digest(text) IS
	'SHA-256 of a verification or reset token''s text (= pgcrypto digest(token, ''sha256'')): the only form stored.';
REVOKE ALL ON FUNCTION loop.token_digest(text) FROM PUBLIC;

CREATE FUNCTION loop.issue_auth_token(partner_id text, purpose text) RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_token text;
BEGIN
	-- at most 3 tokens per partner and purpose per hour
	IF (SELECT count(*) FROM loop.auth_token t
		 WHERE t.partner_id = issue_auth_token.partner_id AND t.purpose = issue_auth_token.purpose
		   AND t.created_at > now() - interval '1 hour') >= 3 THEN
		RETURN NULL;
	END IF;
	-- a new token invalidates the older unused ones of the same purpose
	UPDATE loop.auth_token t SET revoked_at = now()
	 WHERE t.partner_id = issue_auth_token.partner_id AND t.purpose = issue_auth_token.purpose
	   AND t.used_at IS NULL AND t.revoked_at IS NULL;
	v_token := loop.base64url(loop.pgcrypto_gen_random_bytes(32));
	INSERT INTO loop.auth_token (token_sha256, purpose, partner_id, created_at, expires_at)
	VALUES (loop.token_digest(v_token), purpose, partner_id, now(),
			now() + CASE purpose WHEN 'reset_password' THEN interval '1 hour' ELSE interval '48 hours' END);
	RETURN v_token;
END;
$$;
COMMENT ON FUNCTION loop.issue_auth_token(text, text) IS
	'A new verify_email (48 h) or reset_password (1 h) token for a partner: 256 random bits, base64url (43 characters), '
	'stored as SHA-256 only; revokes the older unused tokens of that purpose. Returns the token text, or NULL when the '
	'partner already got 3 tokens of that purpose in the last hour. The caller puts it into the outbox, never a log.';
REVOKE ALL ON FUNCTION loop.issue_auth_token(text, text) FROM PUBLIC;

CREATE FUNCTION loop.outbox_put(partner_id text, kind text, recipient text, message jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key text := (SELECT m.key FROM loop.mailer_key m);
BEGIN
	IF v_key IS NULL THEN
		RAISE EXCEPTION 'loop.mailer_key is empty' USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'A superuser sets it with loop.set_mailer_key(key).';
	END IF;
	INSERT INTO loop.mail_outbox (partner_id, kind, recipient, payload)
	VALUES (partner_id, kind, recipient,
			loop.pgcrypto_encrypt((jsonb_build_object('kind', kind, 'to', recipient) || message)::text, v_key));
END;
$$;
COMMENT ON FUNCTION loop.outbox_put(text, text, text, jsonb) IS
	'Queues a mail: the message (plus kind and to) encrypted under loop.mailer_key into loop.mail_outbox. 55000 if no key.';
REVOKE ALL ON FUNCTION loop.outbox_put(text, text, text, jsonb) FROM PUBLIC;

CREATE FUNCTION loop.jwt_sign(claims jsonb) RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_secret text := (SELECT j.secret FROM loop.jwt_secret j);
	v_input text;
BEGIN
	IF v_secret IS NULL THEN
		RAISE EXCEPTION 'no JWT secret is set' USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'A superuser sets it with loop.set_jwt_secret(secret), the same string as PostgREST''s jwt-secret.';
	END IF;
	v_input := loop.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'))
			   || '.' || loop.base64url(convert_to(claims::text, 'UTF8'));
	RETURN v_input || '.'
		   || loop.base64url(loop.pgcrypto_hmac(convert_to(v_input, 'UTF8'), convert_to(v_secret, 'UTF8'), 'sha256'));
END;
$$;
COMMENT ON FUNCTION loop.jwt_sign(jsonb) IS
	'Compact JWS of claims: header {"alg":"HS256","typ":"JWT"}, HMAC-SHA256 with the secret of loop.jwt_secret '
	'(pgcrypto hmac), base64url (RFC 7515/7519). 55000 if no secret is set. Internal: whoever may call it can mint tokens.';
REVOKE ALL ON FUNCTION loop.jwt_sign(jsonb) FROM PUBLIC;

CREATE FUNCTION loop.issue_token(partner_id text) RETURNS json
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_role text;
	v_version integer;
	v_ttl integer;
	v_iat bigint := floor(extract(epoch FROM now()))::bigint;
	v_ttl_text text := loop.setting_value('jwt_ttl_seconds');
BEGIN
	SELECT CASE WHEN p.is_admin THEN 'loop_admin' ELSE 'loop_partner' END, a.token_version
	  INTO v_role, v_version
	  FROM loop.partner p JOIN loop.partner_auth a ON a.partner_id = p.partner_id
	 WHERE p.partner_id = issue_token.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % has no credentials', partner_id USING ERRCODE = 'no_data_found';
	END IF;
	IF v_ttl_text IS NULL OR v_ttl_text !~ '^[0-9]{1,8}$' OR v_ttl_text::integer < 60 THEN
		RAISE EXCEPTION 'setting jwt_ttl_seconds must be a whole number of seconds, at least 60'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	v_ttl := v_ttl_text::integer;
	RETURN json_build_object(
		'token', loop.jwt_sign(jsonb_build_object('role', v_role, 'partner_id', partner_id, 'iat', v_iat,
												  'exp', v_iat + v_ttl, 'token_version', v_version)),
		'token_type', 'Bearer',
		'partner_id', partner_id,
		'role', v_role,
		'expires_at', to_timestamp(v_iat + v_ttl));
END;
$$;
COMMENT ON FUNCTION loop.issue_token(text) IS
	'The login answer for a partner: {"token", "token_type": "Bearer", "partner_id", "role", "expires_at"}. The JWT''s '
	'claims: role (loop_admin if partner.is_admin, else loop_partner), partner_id, iat, exp = iat + setting '
	'jwt_ttl_seconds (always present: PostgREST checks exp only when present, SECURITY.md §1.2), token_version. '
	'Internal (superuser only); 02000 if the partner has no partner_auth row, 55000 without secret or valid TTL.';
REVOKE ALL ON FUNCTION loop.issue_token(text) FROM PUBLIC;

-- ---------------------------------------------------------------- request checks

CREATE FUNCTION loop.auth_session_check(role text, partner_id text, touch boolean) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_claims jsonb := loop.jwt_claims();
	r record;
BEGIN
	IF role IS NULL OR role NOT IN ('loop_partner', 'loop_admin') OR partner_id IS NULL OR v_claims IS NULL
	   OR v_claims ->> 'role' IS DISTINCT FROM role OR v_claims ->> 'partner_id' IS DISTINCT FROM partner_id THEN
		RAISE EXCEPTION 'JWT claims are missing, malformed or inconsistent with the request role' USING ERRCODE = 'PT401';
	END IF;
	IF jsonb_typeof(v_claims -> 'token_version') IS DISTINCT FROM 'number'
	   OR jsonb_typeof(v_claims -> 'exp') IS DISTINCT FROM 'number' THEN
		RAISE EXCEPTION 'JWT claims lack token_version or exp' USING ERRCODE = 'PT401';
	END IF;
	IF (v_claims ->> 'exp')::numeric <= extract(epoch FROM now()) THEN
		RAISE EXCEPTION 'JWT expired' USING ERRCODE = 'PT401';
	END IF;
	SELECT p.status, p.is_admin, p.last_active_at, a.token_version INTO r
	  FROM loop.partner p JOIN loop.partner_auth a ON a.partner_id = p.partner_id
	 WHERE p.partner_id = auth_session_check.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'JWT names an unknown partner' USING ERRCODE = 'PT401';
	ELSIF r.status <> 'active' THEN
		RAISE EXCEPTION 'partner account is %', r.status USING ERRCODE = 'PT401';
	ELSIF (v_claims ->> 'token_version')::numeric <> r.token_version THEN
		RAISE EXCEPTION 'JWT revoked' USING ERRCODE = 'PT401';
	ELSIF role = 'loop_admin' AND NOT r.is_admin THEN
		RAISE EXCEPTION 'JWT role loop_admin, but the partner is not an admin' USING ERRCODE = 'PT401';
	END IF;
	-- last_active_at at most every 15 minutes; GETs run READ ONLY and cannot write it
	IF touch AND current_setting('transaction_read_only') = 'off'
	   AND (r.last_active_at IS NULL OR r.last_active_at < now() - interval '15 minutes') THEN
		UPDATE loop.partner p SET last_active_at = now() WHERE p.partner_id = auth_session_check.partner_id;
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.auth_session_check(text, text, boolean) IS
	'Checks an authenticated request: role and partner_id (from loop.claims_role() / loop.current_partner_id() of the '
	'caller) must equal the claims; claims exp (not past) and token_version (= partner_auth.token_version) present; the '
	'partner exists and is active; role loop_admin needs partner.is_admin. Raises PT401 (PostgREST: HTTP 401) otherwise. '
	'With touch, sets partner.last_active_at when older than 15 minutes and the transaction is read-write.';
REVOKE ALL ON FUNCTION loop.auth_session_check(text, text, boolean) FROM PUBLIC;

CREATE FUNCTION loop.auth_request_check(role text, partner_id text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.auth_session_check(role, partner_id, true);
END;
COMMENT ON FUNCTION loop.auth_request_check(text, text) IS
	'SECURITY DEFINER step of loop.pre_request for partners and admins: loop.auth_session_check with touch. Its '
	'arguments must equal the request''s claims, so calling it directly reveals nothing about other partners.';
REVOKE ALL ON FUNCTION loop.auth_request_check(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.auth_request_check(text, text) TO loop_partner, loop_admin;

CREATE FUNCTION loop.pre_request() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_claims jsonb := loop.jwt_claims();
BEGIN
	IF current_user = 'loop_anon' THEN
		IF v_claims IS NULL OR v_claims ->> 'role' IS NULL OR v_claims ->> 'role' = 'loop_anon' THEN
			RETURN;
		END IF;
		RAISE EXCEPTION 'JWT claims are inconsistent with the request role' USING ERRCODE = 'PT401';
	ELSIF current_user NOT IN ('loop_partner', 'loop_admin') THEN
		RAISE EXCEPTION 'loop.pre_request serves the roles loop_anon, loop_partner and loop_admin only'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM loop.auth_request_check(loop.claims_role(), loop.current_partner_id());
END;
$$;
COMMENT ON FUNCTION loop.pre_request() IS
	'PostgREST db-pre-request (SECURITY.md §1.5). Anonymous requests pass. For loop_partner / loop_admin the claims must be '
	'present, well-formed and name the current role; the partner must exist and be active; claim token_version must be '
	'the current one (api.logout_everywhere, password changes and resets bump it); loop_admin needs is_admin; exp must '
	'not be past. Else raises PT401 (HTTP 401); 42501 for any other role. Writes last_active_at at most every 15 minutes, '
	'only in read-write transactions: PostgREST runs GET/HEAD READ ONLY, so only writing requests refresh it. SECURITY '
	'INVOKER, so that current_user is the request role.';
REVOKE ALL ON FUNCTION loop.pre_request() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.pre_request() TO loop_anon, loop_partner, loop_admin;
