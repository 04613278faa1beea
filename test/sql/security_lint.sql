-- test/sql/security_lint.sql — catalog lint of SECURITY.md §7 item 2.
-- Every query lists violations; each must return no rows.

-- 1. Tables (or other storage) in schema api: PostgREST serves views and functions only.
SELECT c.relname AS table_in_api
  FROM pg_class c
 WHERE c.relnamespace = 'api'::regnamespace AND c.relkind IN ('r', 'p', 'f', 'm', 'S');

-- 2. Views in api or loop that are not security_invoker (they would run with
--    the owner's rights and bypass row-level security).
SELECT c.oid::regclass AS view_without_security_invoker
  FROM pg_class c
 WHERE c.relnamespace IN ('api'::regnamespace, 'loop'::regnamespace) AND c.relkind = 'v'
   AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)
 ORDER BY 1;

-- 3. Tables of schema loop without row-level security enabled and forced.
SELECT c.oid::regclass AS table_without_forced_rls
  FROM pg_class c
 WHERE c.relnamespace = 'loop'::regnamespace AND c.relkind IN ('r', 'p')
   AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
 ORDER BY 1;

-- 4. SECURITY DEFINER functions without a pinned search_path.
SELECT p.oid::regprocedure AS definer_without_search_path
  FROM pg_proc p
 WHERE p.prosecdef
   AND p.pronamespace IN ('api'::regnamespace, 'loop'::regnamespace)
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS cfg WHERE cfg LIKE 'search_path=%')
 ORDER BY 1;

-- 5. SECURITY DEFINER functions whose search_path is not exactly pg_catalog, pg_temp.
SELECT p.oid::regprocedure AS definer_with_other_search_path, cfg
  FROM pg_proc p, unnest(p.proconfig) AS cfg
 WHERE p.prosecdef
   AND p.pronamespace IN ('api'::regnamespace, 'loop'::regnamespace)
   AND cfg LIKE 'search_path=%' AND cfg <> 'search_path=pg_catalog, pg_temp'
 ORDER BY 1;

-- 6. api functions executable by PUBLIC (no allow-list: every api function is granted per role).
SELECT p.oid::regprocedure AS api_function_executable_by_public
  FROM pg_proc p
 WHERE p.pronamespace = 'api'::regnamespace
   AND (p.proacl IS NULL
		OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
				   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
 ORDER BY 1;

-- 7. SECURITY DEFINER functions in loop executable by PUBLIC.
SELECT p.oid::regprocedure AS loop_definer_executable_by_public
  FROM pg_proc p
 WHERE p.pronamespace = 'loop'::regnamespace AND p.prosecdef
   AND (p.proacl IS NULL
		OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
				   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
 ORDER BY 1;

-- 8. The authenticator must be able to do nothing but switch roles.
SELECT rolname, rolsuper, rolbypassrls, rolinherit, rolcreaterole, rolcreatedb
  FROM pg_roles
 WHERE rolname = 'loop_authenticator'
   AND (rolsuper OR rolbypassrls OR rolinherit OR rolcreaterole OR rolcreatedb OR NOT rolcanlogin);

-- 9. API roles with more than they should have: superuser, BYPASSRLS or LOGIN.
SELECT rolname AS api_role_too_strong
  FROM pg_roles
 WHERE rolname IN ('loop_anon', 'loop_partner', 'loop_admin')
   AND (rolsuper OR rolbypassrls OR rolcanlogin)
 ORDER BY 1;

-- 10. Grants of anything on schema loop's tables to PUBLIC or loop_anon.
SELECT c.oid::regclass AS table_granted_to_public_or_anon, a.privilege_type
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'loop'::regnamespace
   AND (a.grantee = 0 OR a.grantee = 'loop_anon'::regrole)
 ORDER BY 1, 2;

-- 11. The roles exist with the documented attributes.
SELECT rolname, rolcanlogin, rolinherit
  FROM pg_roles
 WHERE rolname IN ('loop_authenticator', 'loop_anon', 'loop_partner', 'loop_admin')
 ORDER BY 1;
SELECT r.rolname AS member_of_authenticator
  FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
 WHERE m.member = 'loop_authenticator'::regrole
   AND r.rolname IN ('loop_anon', 'loop_partner', 'loop_admin')
 ORDER BY 1;
