-- sql/63_auth_account.sql — loop extension install script, part 6d: signed-in account RPCs, OAuth, mailer
--
-- api.change_password, api.logout_everywhere and api.update_profile for
-- loop_partner and loop_admin; api.oauth_sign_in for a trusted OAuth backend
-- (role loop_oauth); loop.outbox_claim for the mailer (role loop_mailer);
-- loop.auth_housekeeping for the operator.
--
-- Who is calling. The api functions for signed-in partners are SECURITY
-- INVOKER: they evaluate loop.claims_role() and loop.current_partner_id() as
-- the request role and hand both to a SECURITY DEFINER loop.account_*
-- function, which requires them to equal the claims and re-runs the checks of
-- loop.pre_request (active partner, current token version), so it is safe
-- even where db-pre-request is not configured. Only the account_* functions
-- can read the credential tables.

-- ---------------------------------------------------------------- change password

CREATE FUNCTION loop.account_change_password(role text, partner_id text, current_password text, new_password text)
RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_partner "loop".partner%ROWTYPE;
	v_key text;
	v_wait integer;
	v_hash text;
	v_problem text;
BEGIN
	PERFORM loop.auth_session_check(role, partner_id, false);
	SELECT * INTO STRICT v_partner FROM loop.partner p WHERE p.partner_id = account_change_password.partner_id;
	v_key := left(lower(v_partner.email), 320);
	-- a stolen token must not allow guessing the password: same throttle as login
	v_wait := loop.throttle_wait(v_key);
	IF v_wait > 0 THEN
		RETURN loop.auth_refusal('too_many_attempts',
			'Too many failed attempts for this account. Try again later or reset the password.', 429, v_wait);
	END IF;
	SELECT a.password_hash INTO v_hash FROM loop.partner_auth a WHERE a.partner_id = v_partner.partner_id;
	IF NOT loop.password_matches(current_password, v_hash) THEN
		PERFORM loop.throttle_fail(v_key);
		RETURN loop.auth_refusal('invalid_credentials',
			'current_password is not correct (an account without a password sets one by password reset).', 403);
	END IF;
	v_problem := loop.password_problem(new_password, v_partner.email);
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION 'new_%', v_problem USING ERRCODE = 'invalid_parameter_value';
	ELSIF new_password = current_password THEN
		RAISE EXCEPTION 'new_password must differ from current_password' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE loop.partner_auth a
	   SET password_hash = loop.hash_password(new_password), password_changed_at = now(),
		   token_version = a.token_version + 1
	 WHERE a.partner_id = v_partner.partner_id;
	PERFORM loop.throttle_clear(v_key);
	PERFORM loop.outbox_put(v_partner.partner_id, 'password_changed', lower(v_partner.email),
							jsonb_build_object('name', v_partner.name, 'partner_id', v_partner.partner_id,
											   'changed_at', now()));
	RETURN loop.issue_token(v_partner.partner_id);
END;
$$;
COMMENT ON FUNCTION loop.account_change_password(text, text, text, text) IS
	'SECURITY DEFINER body of api.change_password; role and partner_id must equal the request''s claims (PT401 otherwise).';
REVOKE ALL ON FUNCTION loop.account_change_password(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.account_change_password(text, text, text, text) TO loop_partner, loop_admin;

CREATE FUNCTION api.change_password(current_password text, new_password text) RETURNS json
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.account_change_password(loop.claims_role(), loop.current_partner_id(), current_password, new_password);
END;
COMMENT ON FUNCTION api.change_password(text, text) IS
	'Changes the caller''s password: current_password must match (else {"error": "invalid_credentials"} with '
	'response.status 403, counted toward the 15-minute lockout of 5 failures like a login; {"error": '
	'"too_many_attempts"} 429 while locked); new_password follows loop.password_problem (22023 "new_password ..."). '
	'Bumps the token version, so every other JWT of the partner is refused, and returns a fresh login answer '
	'(api.login''s success JSON). PT401 for claims that pre_request would refuse. Roles: loop_partner, loop_admin.';
REVOKE ALL ON FUNCTION api.change_password(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.change_password(text, text) TO loop_partner, loop_admin;

-- ---------------------------------------------------------------- logout everywhere

CREATE FUNCTION loop.account_logout_everywhere(role text, partner_id text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.auth_session_check(role, partner_id, false);
	UPDATE loop.partner_auth a SET token_version = a.token_version + 1
	 WHERE a.partner_id = account_logout_everywhere.partner_id;
	RETURN json_build_object('partner_id', partner_id, 'tokens_revoked', true);
END;
$$;
COMMENT ON FUNCTION loop.account_logout_everywhere(text, text) IS
	'SECURITY DEFINER body of api.logout_everywhere; role and partner_id must equal the request''s claims (PT401 otherwise).';
REVOKE ALL ON FUNCTION loop.account_logout_everywhere(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.account_logout_everywhere(text, text) TO loop_partner, loop_admin;

CREATE FUNCTION api.logout_everywhere() RETURNS json
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.account_logout_everywhere(loop.claims_role(), loop.current_partner_id());
END;
COMMENT ON FUNCTION api.logout_everywhere() IS
	'Revokes every JWT of the caller, the current one included, by bumping the token version (SECURITY.md §1.5). '
	'Returns {"partner_id", "tokens_revoked": true}. PT401 for claims that pre_request would refuse. Roles: loop_partner, loop_admin.';
REVOKE ALL ON FUNCTION api.logout_everywhere() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.logout_everywhere() TO loop_partner, loop_admin;

-- ---------------------------------------------------------------- profile

CREATE FUNCTION loop.account_update_profile(role text, partner_id text, name text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_name text := btrim(name, E' \t\r\n');
	v_problem text := loop.name_problem(v_name);
BEGIN
	PERFORM loop.auth_session_check(role, partner_id, false);
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE loop.partner p SET name = v_name WHERE p.partner_id = account_update_profile.partner_id;
	RETURN json_build_object('partner_id', partner_id, 'name', v_name);
END;
$$;
COMMENT ON FUNCTION loop.account_update_profile(text, text, text) IS
	'SECURITY DEFINER body of api.update_profile; role and partner_id must equal the request''s claims (PT401 otherwise).';
REVOKE ALL ON FUNCTION loop.account_update_profile(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.account_update_profile(text, text, text) TO loop_partner, loop_admin;

CREATE FUNCTION api.update_profile(name text) RETURNS json
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.account_update_profile(loop.claims_role(), loop.current_partner_id(), name);
END;
COMMENT ON FUNCTION api.update_profile(text) IS
	'Sets the caller''s own name (trimmed; 1-200 characters, no control characters; 22023 "name ..." otherwise). Email '
	'and partner id are read-only (issue 3 "profile"). Returns {"partner_id", "name"}. PT401 for claims that '
	'pre_request would refuse. Roles: loop_partner, loop_admin.';
REVOKE ALL ON FUNCTION api.update_profile(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_profile(text) TO loop_partner, loop_admin;

-- ---------------------------------------------------------------- OAuth

CREATE FUNCTION api.oauth_sign_in(provider text, subject text, email text, email_verified boolean,
								  name text DEFAULT NULL, accept_terms boolean DEFAULT false)
RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_provider text := lower(btrim($1));
	v_subject text := $2;
	v_email text := loop.normalize_email($3);
	v_verified boolean := coalesce($4, false);
	v_name text := btrim($5, E' \t\r\n');
	v_problem text;
	v_partner "loop".partner%ROWTYPE;
	v_auth "loop".partner_auth%ROWTYPE;
	v_token text;
BEGIN
	IF v_provider IS NULL OR v_provider !~ '^[a-z][a-z0-9_.-]{0,39}$' THEN
		v_problem := 'provider must be 1-40 characters a-z, 0-9, _ . - (e.g. google, microsoft)';
	ELSIF v_subject IS NULL OR v_subject = '' OR char_length(v_subject) > 255 OR v_subject ~ '[[:cntrl:]]' THEN
		v_problem := 'subject must be 1-255 characters without control characters';
	ELSE
		v_problem := loop.email_problem(v_email);
	END IF;
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM loop.jwt_secret) THEN
		RAISE EXCEPTION 'no JWT secret is set' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;

	SELECT p.* INTO v_partner
	  FROM loop.partner_auth a JOIN loop.partner p ON p.partner_id = a.partner_id
	 WHERE a.oauth_provider = v_provider AND a.oauth_subject = v_subject;
	IF NOT FOUND THEN
		SELECT * INTO v_partner FROM loop.partner p WHERE lower(p.email) = v_email;
		IF FOUND THEN
			-- link an existing account: only on a verified email (glossary 002)
			IF NOT v_verified THEN
				RAISE EXCEPTION 'email already registered; the provider did not verify it, so the accounts are not linked'
					USING ERRCODE = 'unique_violation';
			ELSIF v_partner.status = 'deactivated' THEN
				RAISE EXCEPTION 'partner account is deactivated' USING ERRCODE = 'PT403';
			END IF;
			SELECT * INTO v_auth FROM loop.partner_auth a WHERE a.partner_id = v_partner.partner_id FOR UPDATE;
			IF v_auth.oauth_provider IS NOT NULL THEN
				RAISE EXCEPTION 'account is already linked to another % identity', v_auth.oauth_provider
					USING ERRCODE = 'unique_violation';
			END IF;
			INSERT INTO loop.partner_auth AS a (partner_id, oauth_provider, oauth_subject, oauth_email_verified, oauth_linked_at)
			VALUES (v_partner.partner_id, v_provider, v_subject, true, now())
			ON CONFLICT ON CONSTRAINT partner_auth_pkey DO UPDATE
			   SET oauth_provider = excluded.oauth_provider, oauth_subject = excluded.oauth_subject,
				   oauth_email_verified = true, oauth_linked_at = excluded.oauth_linked_at;
			IF v_partner.status = 'pending' THEN
				-- The password of a never-verified account may have been set by
				-- someone else (account pre-hijacking): drop it and its tokens.
				UPDATE loop.partner_auth a SET password_hash = NULL, token_version = a.token_version + 1
				 WHERE a.partner_id = v_partner.partner_id;
				UPDATE loop.auth_token t SET revoked_at = now()
				 WHERE t.partner_id = v_partner.partner_id AND t.used_at IS NULL AND t.revoked_at IS NULL;
			END IF;
		ELSE
			-- a new account (terms required, glossary 002 terms_accepted_at)
			IF accept_terms IS NOT TRUE THEN
				RAISE EXCEPTION 'accept_terms must be true: the Partner-Vereinbarung and the Datenschutzerklärung must be accepted'
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			v_name := coalesce(nullif(v_name, ''), split_part(v_email, '@', 1));
			v_problem := loop.name_problem(v_name);
			IF v_problem IS NOT NULL THEN
				RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
			END IF;
			INSERT INTO loop.partner (name, email, status, email_verified_at, terms_accepted_at, terms_version)
			VALUES (v_name, v_email, CASE WHEN v_verified THEN 'active' ELSE 'pending' END,
					CASE WHEN v_verified THEN now() END, now(), loop.setting_value('terms_version'))
			RETURNING * INTO v_partner;
			INSERT INTO loop.partner_auth (partner_id, oauth_provider, oauth_subject, oauth_email_verified, oauth_linked_at)
			VALUES (v_partner.partner_id, v_provider, v_subject, v_verified, now());
			IF NOT v_verified THEN
				v_token := loop.issue_auth_token(v_partner.partner_id, 'verify_email');
				PERFORM loop.outbox_put(v_partner.partner_id, 'verify_email', v_email,
										jsonb_build_object('name', v_name, 'partner_id', v_partner.partner_id,
														   'token', v_token, 'expires_at', now() + interval '48 hours'));
			END IF;
		END IF;
	END IF;

	IF v_partner.status = 'deactivated' THEN
		RAISE EXCEPTION 'partner account is deactivated' USING ERRCODE = 'PT403';
	ELSIF v_verified AND lower(v_partner.email) = v_email
		  AND (v_partner.status = 'pending' OR v_partner.email_verified_at IS NULL) THEN
		-- the provider verified this email: so do we
		UPDATE loop.partner p
		   SET status = CASE WHEN p.status = 'pending' THEN 'active' ELSE p.status END,
			   email_verified_at = coalesce(p.email_verified_at, now())
		 WHERE p.partner_id = v_partner.partner_id
		RETURNING * INTO v_partner;
	END IF;
	IF v_partner.status = 'pending' THEN
		RETURN loop.auth_refusal('email_not_verified',
			'The email address is not verified yet: follow the link in the verification mail.', 403);
	END IF;
	UPDATE loop.partner p SET last_login_at = now() WHERE p.partner_id = v_partner.partner_id;
	RETURN loop.issue_token(v_partner.partner_id);
END;
$$;
COMMENT ON FUNCTION api.oauth_sign_in(text, text, text, boolean, text, boolean) IS
	'Sign-in for a trusted OAuth backend that has verified the provider''s ID token (glossary 002 oauth_*): finds the '
	'account by (provider, subject); else links the account with this email, only when email_verified (23505 if it is '
	'not, or if the account already has an OAuth identity; linking a pending account verifies it and drops its password '
	'and open tokens: pre-hijacking); else creates a new account (accept_terms required, 22023; name defaults to the '
	'email''s local part) that is active when email_verified, else pending with a verification mail. Returns api.login''s '
	'JSON: the token on success, {"error": "email_not_verified"} 403 while pending. PT403 for a deactivated account, '
	'22023 for an invalid provider, subject or email. Role: loop_oauth only (not PostgREST''s roles).';
REVOKE ALL ON FUNCTION api.oauth_sign_in(text, text, text, boolean, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.oauth_sign_in(text, text, text, boolean, text, boolean) TO loop_oauth;

-- ---------------------------------------------------------------- mailer

CREATE FUNCTION loop.outbox_claim(max integer)
RETURNS TABLE (message_id bigint, kind text, recipient text, message json, created_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_limit integer := $1;
	v_key text := (SELECT m.key FROM loop.mailer_key m);
	v_text text;
	r record;
BEGIN
	IF v_limit IS NULL OR v_limit < 1 OR v_limit > 1000 THEN
		RAISE EXCEPTION 'max must be between 1 and 1000' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR r IN SELECT o.message_id, o.kind, o.recipient, o.payload, o.created_at
			   FROM "loop".mail_outbox o
			  WHERE o.sent_at IS NULL AND o.failed_at IS NULL
			  ORDER BY o.message_id
			  LIMIT v_limit
			  FOR UPDATE SKIP LOCKED LOOP
		BEGIN
			v_text := loop.pgcrypto_decrypt(r.payload, v_key);
		EXCEPTION WHEN others THEN
			UPDATE loop.mail_outbox o SET failed_at = now(), payload = NULL,
				   error = 'payload cannot be decrypted with the current mailer key'
			 WHERE o.message_id = r.message_id;
			CONTINUE;
		END;
		UPDATE loop.mail_outbox o SET sent_at = now(), payload = NULL WHERE o.message_id = r.message_id;
		message_id := r.message_id;
		kind := r.kind;
		recipient := r.recipient;
		message := v_text::json;
		created_at := r.created_at;
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION loop.outbox_claim(integer) IS
	'For the mailer: claims up to max (1-1000) pending messages of loop.mail_outbox, oldest first (SKIP LOCKED, so '
	'several mailers can run), returns them decrypted (message: {"kind", "to", "name", "partner_id", "token", '
	'"expires_at", ...}) and marks them sent, erasing the payload: at-most-once delivery, a lost mail is requested '
	'again. A payload the current key cannot decrypt is marked failed. The mailer builds the links and must not log '
	'tokens. Role: loop_mailer (grant it to the mailer''s login role).';
REVOKE ALL ON FUNCTION loop.outbox_claim(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.outbox_claim(integer) TO loop_mailer;

-- ---------------------------------------------------------------- housekeeping

CREATE FUNCTION loop.auth_housekeeping() RETURNS json
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_tokens bigint;
	v_throttle bigint;
	v_mails bigint;
BEGIN
	PERFORM loop.require_superuser('loop.auth_housekeeping');
	DELETE FROM loop.auth_token t WHERE t.expires_at < now() - interval '7 days';
	GET DIAGNOSTICS v_tokens = ROW_COUNT;
	DELETE FROM loop.login_throttle l
	 WHERE (l.locked_until IS NULL OR l.locked_until < now())
	   AND coalesce(l.last_failure_at, '-infinity') < now() - interval '1 day';
	GET DIAGNOSTICS v_throttle = ROW_COUNT;
	DELETE FROM loop.mail_outbox o WHERE coalesce(o.sent_at, o.failed_at) < now() - interval '30 days';
	GET DIAGNOSTICS v_mails = ROW_COUNT;
	RETURN json_build_object('auth_tokens', v_tokens, 'login_throttle', v_throttle, 'mail_outbox', v_mails);
END;
$$;
COMMENT ON FUNCTION loop.auth_housekeeping() IS
	'Deletes auth tokens expired for more than 7 days, login_throttle rows idle for a day and not locked, and outbox '
	'messages sent or failed more than 30 days ago; returns the counts as JSON. Superuser only (42501); run it daily '
	'(e.g. pg_cron).';
REVOKE ALL ON FUNCTION loop.auth_housekeeping() FROM PUBLIC;
