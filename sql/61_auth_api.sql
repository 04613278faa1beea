-- sql/61_auth_api.sql — loop extension install script, part 6b: the anonymous account RPCs
--
-- api.register, api.verify_email, api.login, api.request_password_reset and
-- api.reset_password: what PostgREST serves to loop_anon under /rpc/ (POST;
-- all are VOLATILE, so PostgREST runs them READ WRITE). Seed 003
-- "Registration Flow" and "Authentication System"; SECURITY.md §3.
--
-- Errors. Invalid input raises SQLSTATE 22023 (invalid_parameter_value;
-- PostgREST: HTTP 400) with a message that starts with the field's name.
-- Login failures are *returned*, not raised: PostgREST rolls back a
-- transaction whose function raises, and the failure must count toward the
-- lockout. They come back as {"error", "message"} with response.status set.
--
-- Enumeration. Nothing anonymous tells whether an email has an account:
-- login answers unknown emails and wrong passwords alike (same JSON, same
-- status, one bcrypt each) and locks unknown emails like known ones;
-- request_password_reset answers byte-identically; register answers a
-- registered email like a new one and mails the address's owner instead.

CREATE FUNCTION api.register(name text, email text, password text, accept_terms boolean) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_name text := btrim($1, E' \t\r\n');
	v_email text := loop.normalize_email($2);
	v_problem text;
	v_hash text;
	v_id text;
	v_terms text := loop.setting_value('terms_version');
	v_existing "loop".partner%ROWTYPE;
	v_token text;
BEGIN
	v_problem := coalesce(loop.name_problem(v_name), loop.email_problem(v_email), loop.password_problem($3, v_email));
	IF v_problem IS NULL AND $4 IS NOT TRUE THEN
		v_problem := 'accept_terms must be true: the Partner-Vereinbarung and the Datenschutzerklärung must be accepted';
	END IF;
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_terms IS NULL THEN
		RAISE EXCEPTION 'setting terms_version is missing' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	-- hashed before the duplicate check, so that both paths take one bcrypt
	v_hash := loop.hash_password($3);
	FOR attempt IN 1..5 LOOP
		SELECT * INTO v_existing FROM loop.partner p WHERE lower(p.email) = v_email;
		IF FOUND THEN
			PERFORM loop.notify_registered_again(v_existing);
			-- the same answer as for a new account: a fresh id that is never stored
			RETURN json_build_object('partner_id', loop.new_partner_id(), 'status', 'pending');
		END IF;
		v_id := loop.new_partner_id();
		INSERT INTO loop.partner (partner_id, name, email, status, terms_accepted_at, terms_version)
		VALUES (v_id, v_name, v_email, 'pending', now(), v_terms)
		ON CONFLICT DO NOTHING;			-- a taken id, or the email registered concurrently: look again
		EXIT WHEN FOUND;
		v_id := NULL;
	END LOOP;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'could not allocate a partner id' USING ERRCODE = 'unique_violation';
	END IF;
	INSERT INTO loop.partner_auth (partner_id, password_hash, password_changed_at) VALUES (v_id, v_hash, now());
	v_token := loop.issue_auth_token(v_id, 'verify_email');
	PERFORM loop.outbox_put(v_id, 'verify_email', v_email,
							jsonb_build_object('name', v_name, 'partner_id', v_id, 'token', v_token,
											   'expires_at', now() + interval '48 hours'));
	RETURN json_build_object('partner_id', v_id, 'status', 'pending');
END;
$$;
COMMENT ON FUNCTION api.register(text, text, text, boolean) IS
	'Registration (seed 003 "Registration Flow"): returns {"partner_id", "status": "pending"}. name 1-200 characters; '
	'email normalized (trimmed, lower-case), valid, at most 254; password per loop.password_problem (8 characters to 72 '
	'bytes, not common, not the email); accept_terms true (Partner-Vereinbarung and Datenschutzerklärung: '
	'terms_accepted_at = now(), terms_version = setting terms_version, glossary 002). Each invalid field raises 22023 '
	'with a message starting with its name. Creates the partner (id from loop.new_partner_id, status pending until '
	'api.verify_email), its bcrypt hash (cost 12) and a verify_email mail in loop.mail_outbox. An email that is already '
	'registered gets the same answer (with an unused id) and its owner a mail instead (account_exists, or a new '
	'verification link while pending): no enumeration (OWASP Authentication Cheat Sheet). Role: loop_anon.';
REVOKE ALL ON FUNCTION api.register(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.register(text, text, text, boolean) TO loop_anon;

CREATE FUNCTION loop.notify_registered_again(partner loop.partner) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_token text;
BEGIN
	IF partner.status = 'pending' THEN
		v_token := loop.issue_auth_token(partner.partner_id, 'verify_email');
		IF v_token IS NOT NULL THEN
			PERFORM loop.outbox_put(partner.partner_id, 'verify_email', lower(partner.email),
									jsonb_build_object('name', partner.name, 'partner_id', partner.partner_id,
													   'token', v_token, 'expires_at', now() + interval '48 hours'));
		END IF;
	ELSIF partner.status = 'active'
		  AND (SELECT count(*) FROM loop.mail_outbox o
				WHERE o.partner_id = partner.partner_id AND o.kind = 'account_exists'
				  AND o.created_at > now() - interval '1 hour') < 3 THEN
		PERFORM loop.outbox_put(partner.partner_id, 'account_exists', lower(partner.email),
								jsonb_build_object('name', partner.name, 'partner_id', partner.partner_id));
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.notify_registered_again(loop.partner) IS
	'api.register for an email that already has an account: a pending account gets a new verification link (at most 3 '
	'per hour), an active one an account_exists mail (at most 3 per hour), a deactivated one nothing.';
REVOKE ALL ON FUNCTION loop.notify_registered_again(loop.partner) FROM PUBLIC;

CREATE FUNCTION api.verify_email(token text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_partner_id text;
	v_status text;
BEGIN
	UPDATE loop.auth_token t SET used_at = now()
	 WHERE t.token_sha256 = loop.token_digest(coalesce($1, '')) AND t.purpose = 'verify_email'
	   AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
	RETURNING t.partner_id INTO v_partner_id;
	IF v_partner_id IS NULL THEN
		RAISE EXCEPTION 'token is invalid, expired or already used' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE loop.partner p
	   SET email_verified_at = coalesce(p.email_verified_at, now()),
		   status = CASE WHEN p.status = 'pending' THEN 'active' ELSE p.status END
	 WHERE p.partner_id = v_partner_id
	RETURNING p.status INTO v_status;
	RETURN json_build_object('partner_id', v_partner_id, 'status', v_status, 'email_verified', true);
END;
$$;
COMMENT ON FUNCTION api.verify_email(text) IS
	'Confirms the email with the token of a verify_email mail: marks the token used, sets email_verified_at, and turns a '
	'pending partner active (a deactivated one stays deactivated). Returns {"partner_id", "status", "email_verified"}. '
	'22023 if the token is unknown, expired (48 h), revoked by a newer one or already used. Role: loop_anon.';
REVOKE ALL ON FUNCTION api.verify_email(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.verify_email(text) TO loop_anon;

CREATE FUNCTION api.login(email text, password text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_email text := coalesce(loop.normalize_email($1), '');
	v_key text := left(coalesce(loop.normalize_email($1), ''), 320);
	v_wait integer;
	v_partner "loop".partner%ROWTYPE;
	v_hash text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM loop.jwt_secret) THEN
		RAISE EXCEPTION 'no JWT secret is set' USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'A superuser sets it with loop.set_jwt_secret(secret).';
	END IF;
	v_wait := loop.throttle_wait(v_key);
	IF v_wait > 0 THEN
		RETURN loop.auth_refusal('too_many_attempts',
			'Too many failed logins for this email address. Try again later or reset the password.', 429, v_wait);
	END IF;
	SELECT * INTO v_partner FROM loop.partner p WHERE lower(p.email) = v_email;
	SELECT a.password_hash INTO v_hash FROM loop.partner_auth a WHERE a.partner_id = v_partner.partner_id;
	IF NOT loop.password_matches($2, v_hash) OR v_partner.status IS DISTINCT FROM 'active'
	   AND v_partner.status IS DISTINCT FROM 'pending' THEN
		PERFORM loop.throttle_fail(v_key);
		RETURN loop.auth_refusal('invalid_credentials', 'Invalid email or password.', 401);
	END IF;
	-- the password is right: the failure count starts over
	PERFORM loop.throttle_clear(v_key);
	IF v_partner.status = 'pending' THEN
		RETURN loop.auth_refusal('email_not_verified',
			'The email address is not verified yet: follow the link in the verification mail, or reset the password.', 403);
	END IF;
	UPDATE loop.partner p SET last_login_at = now() WHERE p.partner_id = v_partner.partner_id;
	IF substr(v_hash, 5, 2)::integer < loop.bcrypt_cost() THEN
		UPDATE loop.partner_auth a SET password_hash = loop.hash_password($2) WHERE a.partner_id = v_partner.partner_id;
	END IF;
	RETURN loop.issue_token(v_partner.partner_id);
END;
$$;
COMMENT ON FUNCTION api.login(text, text) IS
	'Email/password login (seed 003 "Authentication Flow"). Success: {"token", "token_type", "partner_id", "role", '
	'"expires_at"} (loop.issue_token: HS256 JWT with role, partner_id, iat, exp, token_version) and last_login_at = now(). '
	'Failures are returned, never raised, so their count commits: {"error": "invalid_credentials"} with response.status '
	'401 for an unknown email, a wrong password, a deactivated account or an OAuth-only account, identical in JSON, status '
	'and time (one bcrypt on every path); {"error": "email_not_verified"} 403 only after the right password of a pending '
	'account; {"error": "too_many_attempts", "retry_after"} 429 (+ Retry-After) while the email is locked: 5 consecutive '
	'failures lock it for 15 minutes, the right password included, for unknown emails too (so it reveals nothing). 55000 '
	'if no JWT secret is set. SECURITY.md §3.2, §7 items 9-10. Role: loop_anon.';
REVOKE ALL ON FUNCTION api.login(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.login(text, text) TO loop_anon;

CREATE FUNCTION api.request_password_reset(email text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_email text := loop.normalize_email($1);
	v_partner "loop".partner%ROWTYPE;
	v_token text;
	v_key text;
BEGIN
	SELECT * INTO v_partner FROM loop.partner p WHERE lower(p.email) = v_email AND p.status <> 'deactivated';
	IF FOUND THEN
		v_token := loop.issue_auth_token(v_partner.partner_id, 'reset_password');
		IF v_token IS NOT NULL THEN
			PERFORM loop.outbox_put(v_partner.partner_id, 'reset_password', lower(v_partner.email),
									jsonb_build_object('name', v_partner.name, 'partner_id', v_partner.partner_id,
													   'token', v_token, 'expires_at', now() + interval '1 hour'));
		END IF;
	ELSE
		-- the same cryptographic work as the other path, thrown away
		v_key := (SELECT m.key FROM loop.mailer_key m);
		PERFORM loop.token_digest(loop.base64url(loop.pgcrypto_gen_random_bytes(32))),
				loop.pgcrypto_encrypt(jsonb_build_object('token', repeat('x', 43))::text, coalesce(v_key, repeat('x', 32)));
	END IF;
	RETURN json_build_object('message',
		'If an account exists for this email address, a message with a link to reset the password has been sent.');
END;
$$;
COMMENT ON FUNCTION api.request_password_reset(text) IS
	'Starts a password reset: for a pending or active partner with this email, a reset_password token (1 hour; revokes '
	'older ones; at most 3 per hour) goes into a mail in loop.mail_outbox. The answer is byte-identical whether or not '
	'the email exists, is invalid or capped (SECURITY.md §3.3, §7 item 12). Not subject to the login lockout. Role: loop_anon.';
REVOKE ALL ON FUNCTION api.request_password_reset(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.request_password_reset(text) TO loop_anon;

CREATE FUNCTION api.reset_password(token text, new_password text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_digest bytea := loop.token_digest(coalesce($1, ''));
	v_partner "loop".partner%ROWTYPE;
	v_problem text;
BEGIN
	SELECT p.* INTO v_partner
	  FROM loop.auth_token t JOIN loop.partner p ON p.partner_id = t.partner_id
	 WHERE t.token_sha256 = v_digest AND t.purpose = 'reset_password'
	   AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
	   FOR UPDATE OF t;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'token is invalid, expired or already used' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_problem := loop.password_problem($2, v_partner.email);
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION 'new_%', v_problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE loop.auth_token t SET used_at = now() WHERE t.token_sha256 = v_digest;
	UPDATE loop.auth_token t SET revoked_at = now()
	 WHERE t.partner_id = v_partner.partner_id AND t.purpose = 'reset_password'
	   AND t.used_at IS NULL AND t.revoked_at IS NULL;
	INSERT INTO loop.partner_auth AS a (partner_id, password_hash, password_changed_at)
	VALUES (v_partner.partner_id, loop.hash_password($2), now())
	ON CONFLICT ON CONSTRAINT partner_auth_pkey DO UPDATE
	   SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at,
		   token_version = a.token_version + 1;
	IF v_partner.status = 'pending' THEN
		-- The reset mail proved control of the mailbox: the email is verified.
		-- An OAuth identity attached while it was not verified is dropped
		-- (account pre-hijacking).
		UPDATE loop.partner p SET status = 'active', email_verified_at = coalesce(p.email_verified_at, now())
		 WHERE p.partner_id = v_partner.partner_id;
		UPDATE loop.partner_auth a
		   SET oauth_provider = NULL, oauth_subject = NULL, oauth_email_verified = NULL, oauth_linked_at = NULL
		 WHERE a.partner_id = v_partner.partner_id AND a.oauth_email_verified IS NOT TRUE;
	END IF;
	PERFORM loop.throttle_clear(left(lower(v_partner.email), 320));
	PERFORM loop.outbox_put(v_partner.partner_id, 'password_changed', lower(v_partner.email),
							jsonb_build_object('name', v_partner.name, 'partner_id', v_partner.partner_id,
											   'changed_at', now()));
	RETURN json_build_object('partner_id', v_partner.partner_id, 'password_reset', true);
END;
$$;
COMMENT ON FUNCTION api.reset_password(text, text) IS
	'Completes a password reset with the token of a reset_password mail: sets the new password (rules of '
	'loop.password_problem; 22023 "new_password ..." otherwise), marks the token used and revokes the other open reset '
	'tokens, bumps the token version (every existing JWT is refused by loop.pre_request), clears the login lockout, '
	'verifies the email of a pending partner (the mail proved it) and mails a password_changed notice. Does not log in '
	'(OWASP Forgot Password Cheat Sheet). 22023 if the token is unknown, expired (1 h), revoked or used. Returns '
	'{"partner_id", "password_reset": true}. Role: loop_anon.';
REVOKE ALL ON FUNCTION api.reset_password(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reset_password(text, text) TO loop_anon;
