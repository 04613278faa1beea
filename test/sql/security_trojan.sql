-- test/sql/security_trojan.sql — SECURITY.md §7 item 3 (pg_cron's search-path trojan test).
--
-- An unprivileged role plants same-named and better-typed functions and
-- operators in public, each logging current_user. Then, with public ahead
-- of pg_catalog in search_path, every SECURITY DEFINER function of loop and
-- api is called and the extension is dropped and created again. No trojan
-- may run: the log must stay empty.

CREATE ROLE loop_trojan NOLOGIN;
GRANT CREATE, USAGE ON SCHEMA public TO loop_trojan;
CREATE TABLE public.trojan_log (who text, what text);
GRANT INSERT ON public.trojan_log TO PUBLIC;

SET ROLE loop_trojan;
-- the logging body shared by every trojan
CREATE FUNCTION public.trojan_hit(what text) RETURNS void LANGUAGE sql
	AS $$ INSERT INTO public.trojan_log VALUES (current_user, what) $$;
-- functions the extension's SQL calls, with argument types that would win
-- overload resolution if public were searched before pg_catalog
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('lower'); SELECT 'x'::text $$;
CREATE FUNCTION public.btrim(varchar) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('btrim'); SELECT 'x'::text $$;
CREATE FUNCTION public.length(varchar) RETURNS integer LANGUAGE sql
	AS $$ SELECT public.trojan_hit('length'); SELECT 8 $$;
CREATE FUNCTION public.octet_length(varchar) RETURNS integer LANGUAGE sql
	AS $$ SELECT public.trojan_hit('octet_length'); SELECT 8 $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql
	AS $$ SELECT public.trojan_hit('now'); SELECT '2000-01-01'::timestamptz $$;
CREATE FUNCTION public.current_setting(varchar, boolean) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('current_setting'); SELECT NULL::text $$;
CREATE FUNCTION public.set_config(varchar, varchar, boolean) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('set_config'); SELECT NULL::text $$;
CREATE FUNCTION public.jsonb_build_object(VARIADIC text[]) RETURNS jsonb LANGUAGE sql
	AS $$ SELECT public.trojan_hit('jsonb_build_object'); SELECT '{}'::jsonb $$;
CREATE FUNCTION public.crypt(varchar, varchar) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('crypt'); SELECT ''::text $$;
CREATE FUNCTION public.gen_random_bytes(bigint) RETURNS bytea LANGUAGE sql
	AS $$ SELECT public.trojan_hit('gen_random_bytes'); SELECT '\x00'::bytea $$;
CREATE FUNCTION public.hmac(varchar, varchar, varchar) RETURNS bytea LANGUAGE sql
	AS $$ SELECT public.trojan_hit('hmac'); SELECT '\x00'::bytea $$;
CREATE FUNCTION public.encode(bytea, varchar) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('encode'); SELECT ''::text $$;
CREATE FUNCTION public.trojan_eq(text, varchar) RETURNS boolean LANGUAGE sql
	AS $$ SELECT public.trojan_hit('='); SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.trojan_eq);
CREATE FUNCTION public.trojan_concat(text, varchar) RETURNS text LANGUAGE sql
	AS $$ SELECT public.trojan_hit('||'); SELECT ''::text $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.trojan_concat);
RESET ROLE;

-- Call every SECURITY DEFINER function with NULL arguments, then with
-- plausible ones where a function is strict, from a session whose
-- search_path prefers public.
SET search_path = public, pg_catalog;
DO $$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure AS sig, p.pronargs, p.proname, n.nspname
		  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
		 WHERE p.prosecdef AND n.nspname IN ('loop', 'api')
		 ORDER BY 1::text
	LOOP
		BEGIN
			EXECUTE pg_catalog.format('SELECT %I.%I(%s)', f.nspname, f.proname,
				(SELECT pg_catalog.string_agg('NULL', ', ') FROM pg_catalog.generate_series(1, f.pronargs)));
		EXCEPTION WHEN others THEN
			NULL;				-- an error is fine; a trojan call is not
		END;
	END LOOP;
END;
$$;

-- The extension's own script, run again with the trojans in place.
DROP EXTENSION loop;
CREATE EXTENSION loop;
RESET search_path;

SELECT count(*) AS trojan_calls FROM public.trojan_log;
SELECT who, what FROM public.trojan_log ORDER BY 1, 2;

-- clean up
DROP OWNED BY loop_trojan;
DROP TABLE public.trojan_log;
DROP ROLE loop_trojan;
