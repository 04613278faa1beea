-- test/sql/api_partner.sql — what a partner gets through PostgREST, and nothing more
-- (issue 3; SECURITY.md §1.4 and §7 items 1, 4, 7).
--
-- Every request is emulated as PostgREST sends it: the session is
-- loop_authenticator, and each request is one transaction
--   BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY|READ WRITE;
--   SELECT set_config('search_path', …), set_config('role', …), set_config('request.jwt.claims', …),
--          set_config('request.method', …), set_config('request.path', …),
--          set_config('request.headers', …), set_config('request.cookies', …);
--   WITH pgrst_source AS (…) SELECT total_result_set, page_total, body, response_headers, response_status …;
--   COMMIT;
-- pg_temp.request() writes those statements and \gexec runs them. The
-- assertions read the main query's result from an outer SELECT (a data-
-- modifying statement cannot be nested, so PATCH results print as they are).
-- Expected counts are computed as superuser straight from the base tables
-- (pg_temp.expected), independently of the views.
--
-- Scenario: partners A (Alfa) and B (Bravo, more rows), each with leads and
-- deals (valid won, invalid won, open, lost), admin M (Mike), and contacts and
-- deals naming Z, an id that is not a partner. Every string of a partner's
-- rows carries its marker (Alfa, Bravo, Mike, Zulu), contact/deal ids are
-- 91xx/92xx (A), 93xx/94xx (B), 95xx/96xx (Z); "seen" lists whose markers a
-- response body contains. Requests commit, so the data is committed too and
-- removed at the end.

\set VERBOSITY terse
SET TIME ZONE 'UTC';

-- The base tables hold nothing of other suites that would change the counts below
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, registered_at) VALUES
	('AP-20260301-AAAAAA', 'Alfa Agentur', 'alfa@example.com', 'active', false, '2026-03-01 09:00:00+00'),
	('AP-20260301-BBBBBB', 'Bravo Beratung', 'bravo@example.com', 'active', false, '2026-03-01 10:00:00+00'),
	('AP-20260301-MMMMMM', 'Mike Admin', 'mike@example.com', 'active', true, '2026-03-01 11:00:00+00');
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('apitest', 'Test-Pipeline', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('apitest', 'open', 'Angebot', 0, false, 0.5),
	('apitest', 'won', 'Gewonnen', 1, true, 1.0),
	('apitest', 'lost', 'Verloren', 2, true, 0.0);
-- Leads: lifecyclestage lead → Neu, MQL → Qualifiziert, opportunity → Deal, customer → Gewonnen
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, email, company, lifecyclestage,
								  utm_source, utm_medium, utm_campaign, affiliate_referral_date, created_at, updated_at)
SELECT v.id, v.pid, v.fn, v.ln, lower(v.fn) || '@' || lower(v.ln) || '.example', v.ln || ' GmbH', v.stage,
	   v.src, v.med, v.camp, v.ref, now() - v.age * interval '1 day', now() - (v.age - 1) * interval '1 day'
  FROM (VALUES
	(9101, 'AP-20260301-AAAAAA', 'Anja', 'Alfa-Eins', 'lead', 'linkedin', 'social', 'alfa-q1', NULL::date, 30),
	(9102, 'AP-20260301-AAAAAA', 'Arne', 'Alfa-Zwei', 'marketingqualifiedlead', 'affiliate', 'newsletter', 'alfa-q1', NULL, 20),
	(9103, 'AP-20260301-AAAAAA', 'Alma', 'Alfa-Drei', 'opportunity', 'partner', 'email', NULL, current_date - 15, 15),
	(9104, 'AP-20260301-AAAAAA', 'Axel', 'Alfa-Vier', 'customer', NULL, NULL, NULL, NULL, 10),
	(9301, 'AP-20260301-BBBBBB', 'Bea', 'Bravo-01', 'lead', 'linkedin', 'social', 'bravo-q1', NULL, 40),
	(9302, 'AP-20260301-BBBBBB', 'Ben', 'Bravo-02', 'lead', 'linkedin', 'social', 'bravo-q1', NULL, 38),
	(9303, 'AP-20260301-BBBBBB', 'Bert', 'Bravo-03', 'marketingqualifiedlead', 'affiliate', 'email', 'bravo-q1', NULL, 36),
	(9304, 'AP-20260301-BBBBBB', 'Birte', 'Bravo-04', 'salesqualifiedlead', 'affiliate', 'email', 'bravo-q2', NULL, 34),
	(9305, 'AP-20260301-BBBBBB', 'Bodo', 'Bravo-05', 'opportunity', 'partner', 'referral', 'bravo-q2', NULL, 32),
	(9306, 'AP-20260301-BBBBBB', 'Britta', 'Bravo-06', 'opportunity', 'partner', 'referral', NULL, NULL, 30),
	(9307, 'AP-20260301-BBBBBB', 'Bruno', 'Bravo-07', 'customer', 'whatsapp', 'messenger', NULL, NULL, 28),
	(9308, 'AP-20260301-BBBBBB', 'Berit', 'Bravo-08', 'customer', NULL, NULL, NULL, NULL, 26),
	(9309, 'AP-20260301-BBBBBB', 'Boris', 'Bravo-09', 'evangelist', NULL, NULL, NULL, NULL, 24),
	(9310, 'AP-20260301-BBBBBB', 'Bianca', 'Bravo-10', NULL, NULL, NULL, NULL, NULL, 22),
	(9311, 'AP-20260301-BBBBBB', 'Benno', 'Bravo-11', 'lead', 'blog', 'referral', 'bravo-blog', NULL, 20),
	(9501, 'AP-20990101-ZZZZZZ', 'Zora', 'Zulu-01', 'customer', 'zulu', 'zulu', 'zulu', NULL, 12))
	AS v(id, pid, fn, ln, stage, src, med, camp, ref, age);
-- Deals: valid won (mrr + status), invalid won, open, lost
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status)
SELECT v.id, v.pid, v.name, 'apitest', v.stage, now() - v.age * interval '1 day', v.mrr, v.status
  FROM (VALUES
	(9201, 'AP-20260301-AAAAAA', 'Alfa-Deal 1', 'won', 100, 'active', 10),
	(9202, 'AP-20260301-AAAAAA', 'Alfa-Deal 2', 'won', 50, 'cancelled', 20),
	(9203, 'AP-20260301-AAAAAA', 'Alfa-Deal 3 ohne MRR', 'won', NULL, 'active', 5),
	(9204, 'AP-20260301-AAAAAA', 'Alfa-Deal 4', 'open', 70, NULL, -30),
	(9205, 'AP-20260301-AAAAAA', 'Alfa-Deal 5', 'lost', 90, NULL, 30),
	(9401, 'AP-20260301-BBBBBB', 'Bravo-Deal 1', 'won', 80, 'active', 10),
	(9402, 'AP-20260301-BBBBBB', 'Bravo-Deal 2', 'won', 60, 'active', 12),
	(9403, 'AP-20260301-BBBBBB', 'Bravo-Deal 3', 'won', 40, 'paused', 14),
	(9404, 'AP-20260301-BBBBBB', 'Bravo-Deal 4', 'won', 20, 'cancelled', 16),
	(9405, 'AP-20260301-BBBBBB', 'Bravo-Deal 5', 'won', 100, 'active', 18),
	(9406, 'AP-20260301-BBBBBB', 'Bravo-Deal 6 ohne Status', 'won', 30, NULL, 8),
	(9407, 'AP-20260301-BBBBBB', 'Bravo-Deal 7', 'open', NULL, NULL, -10),
	(9408, 'AP-20260301-BBBBBB', 'Bravo-Deal 8', 'open', 45, NULL, -20),
	(9409, 'AP-20260301-BBBBBB', 'Bravo-Deal 9', 'lost', 65, NULL, 40),
	(9601, 'AP-20990101-ZZZZZZ', 'Zulu-Deal', 'won', 500, 'active', 3))
	AS v(id, pid, name, stage, mrr, status, age);

-- Independent expectations (superuser, base tables only); pid NULL = every partner
CREATE FUNCTION pg_temp.expected(obj text, pid text) RETURNS bigint LANGUAGE sql AS $$
	WITH p AS (SELECT partner_id FROM loop.partner WHERE pid IS NULL OR partner_id = pid),
		 c AS (SELECT c.* FROM loop.hubspot_contact c JOIN p ON p.partner_id = c.affiliate_partner_id),
		 d AS (SELECT d.*, coalesce(s.is_closed AND s.probability = 1, false) AS won
				 FROM loop.hubspot_deal d JOIN p ON p.partner_id = d.affiliate_partner_id
				 LEFT JOIN loop.hubspot_deal_stage s ON (s.pipeline_id, s.stage_id) = (d.pipeline, d.dealstage)),
		 ranked AS (SELECT DISTINCT d.affiliate_partner_id FROM loop.hubspot_deal d
					  JOIN loop.partner pp ON pp.partner_id = d.affiliate_partner_id AND pp.status <> 'deactivated'
					  JOIN loop.hubspot_deal_stage s ON (s.pipeline_id, s.stage_id) = (d.pipeline, d.dealstage)
					 WHERE s.is_closed AND s.probability = 1 AND d.affiliate_mrr > 0
					   AND d.affiliate_subscription_status IS NOT NULL)
	SELECT CASE
		WHEN obj IN ('profile', 'dashboard', 'level_progress') THEN (SELECT count(*) FROM p)
		WHEN obj = 'funnel' THEN 4 * (SELECT count(*) FROM p)
		WHEN obj = 'mrr_breakdown' THEN 3 * (SELECT count(*) FROM p)
		WHEN obj = 'badges' THEN 8 * (SELECT count(*) FROM p)
		WHEN obj = 'leads' THEN (SELECT count(*) FROM c)
		WHEN obj = 'lead_sources' THEN (SELECT count(*) FROM (
				SELECT affiliate_partner_id, 's', utm_source FROM c UNION SELECT affiliate_partner_id, 'm', utm_medium FROM c
				UNION SELECT affiliate_partner_id, 'c', utm_campaign FROM c) x)
		WHEN obj = 'deals' THEN (SELECT count(*) FROM d)
		WHEN obj = 'activity' THEN
			(SELECT count(*) FROM c WHERE coalesce(c.affiliate_referral_date::timestamptz, c.created_at) IS NOT NULL)
			+ (SELECT count(*) FROM c WHERE loop.lead_status(c.lifecyclestage, c.hs_lead_status) <> 'new'
										AND c.updated_at IS NOT NULL)
			+ (SELECT count(*) FROM d WHERE d.won AND d.closedate IS NOT NULL)
		WHEN obj = 'leaderboard' THEN (SELECT count(*) FROM ranked)
		WHEN obj IN ('my_rank', 'referral_url') THEN 1
		WHEN obj = 'referral_links' THEN (SELECT count(*) FROM p) * (SELECT count(*) FROM loop.site_page)
										 * (SELECT count(*) FROM loop.referral_preset)
		WHEN obj = 'referral_presets' THEN (SELECT count(*) FROM loop.referral_preset)
		WHEN obj = 'site_pages' THEN (SELECT count(*) FROM loop.site_page)
		WHEN obj = 'resources' THEN (SELECT count(*) FROM loop.resource WHERE published)
	END $$;

-- The statements of one emulated request (SECURITY.md §1.4); claims NULL = not set at all
CREATE FUNCTION pg_temp.request(role text, claims text, path text, main text, method text DEFAULT 'GET',
								headers text DEFAULT '{"prefer":"count=exact"}') RETURNS TABLE (k integer, stmt text)
LANGUAGE sql AS $$
	VALUES (1, 'BEGIN ISOLATION LEVEL READ COMMITTED '
			   || CASE WHEN method IN ('GET', 'HEAD') THEN 'READ ONLY' ELSE 'READ WRITE' END),
		   (2, format('SELECT set_config(''search_path'', %L, true), set_config(''role'', %L, true), ', '"api", "public"', role)
			   || CASE WHEN claims IS NULL THEN '' ELSE format('set_config(''request.jwt.claims'', %L, true), ', claims) END
			   || format('set_config(''request.method'', %L, true), set_config(''request.path'', %L, true), '
						 'set_config(''request.headers'', %L, true), set_config(''request.cookies'', %L, true)',
						 method, path, headers, '{}')),
		   (3, main),
		   (4, 'COMMIT') $$;

-- PostgREST's read query for GET /<view>[?filters&order&limit&offset] with Prefer: count=exact
CREATE FUNCTION pg_temp.read_sql(obj text, where_ text DEFAULT '', tail text DEFAULT '') RETURNS text
LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT %1$s.* FROM %1$s %2$s %3$s), pgrst_source_count AS (SELECT 1 FROM %1$s %2$s) '
				  'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
				  'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  '"api".' || quote_ident(obj), CASE WHEN where_ <> '' THEN 'WHERE ' || where_ ELSE '' END, tail) $$;

-- PostgREST's call of a scalar function for GET /rpc/referral_url?<args>
CREATE FUNCTION pg_temp.rpc_sql(args jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT %L::json AS json_data) pgrst_payload, '
				  'LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body, '
				  'LATERAL (SELECT "api"."referral_url"(%s) pgrst_scalar) pgrst_call) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, ''null'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  args::text,
				  string_agg(quote_ident(k), ', ' ORDER BY k), string_agg(quote_ident(k) || ' text', ', ' ORDER BY k),
				  string_agg(format('%I := pgrst_body.%I', k, k), ', ' ORDER BY k))
	  FROM jsonb_object_keys(args) AS k $$;

-- Assertions over a read: total, page size, total = expected, whose markers the body shows
CREATE FUNCTION pg_temp.checked(main text, expected bigint) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT r.total_result_set AS total, r.page_total, coalesce(r.total_result_set, r.page_total) = %s AS count_ok, '
				  '(SELECT coalesce(string_agg(m.k, '','' ORDER BY m.k), ''-'') FROM (VALUES '
				  '(''A'', ''AP-20260301-AAAAAA|Alfa|"(contact|deal)_id":9[12]\d\d\M''), '
				  '(''B'', ''AP-20260301-BBBBBB|Bravo|"(contact|deal)_id":9[34]\d\d\M''), '
				  '(''M'', ''AP-20260301-MMMMMM|Mike''), '
				  '(''Z'', ''AP-20990101-ZZZZZZ|Zulu|"(contact|deal)_id":9[56]\d\d\M'')) AS m(k, re) '
				  'WHERE r.body::text ~ m.re) AS seen FROM (%s) r', expected, main) $$;

\set claims_a '{"role":"loop_partner","partner_id":"AP-20260301-AAAAAA"}'
\set claims_b '{"role":"loop_partner","partner_id":"AP-20260301-BBBBBB"}'
\set claims_m '{"role":"loop_admin","partner_id":"AP-20260301-MMMMMM"}'

-- Each request prints its set_config line (search_path|role|claims|method|path|headers|cookies),
-- then total|page_total|count_ok|seen, or the SQLSTATE of its error.
-- Fail-closed scenarios first: "no claims" must run before anything sets request.jwt.claims.
-- Expected: 0 rows (or an error) for every fail-closed claim set, 42501 for anon,
-- A and B their own rows only (seen A / B), the admin every partner's rows.
\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
WITH scenario(n, role, claims, expect) AS (VALUES
	(1, 'loop_partner', NULL, 'none'),
	(2, 'loop_partner', '', 'none'),
	(3, 'loop_partner', '{}', 'none'),
	(4, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260301-AAAAAA"', 'none'),
	(5, 'loop_partner', '{"role":"loop_admin","partner_id":"AP-20260301-AAAAAA"}', 'none'),
	(6, 'loop_admin', '{"role":"loop_partner","partner_id":"AP-20260301-MMMMMM"}', 'none'),
	(7, 'loop_partner', '{"role":"loop_partner"}', 'none'),
	(8, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260301-aaaaaa"}', 'none'),
	(9, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20990101-ZZZZZZ"}', 'none'),
	(10, 'loop_anon', '{"role":"loop_anon"}', 'none'),
	(11, 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA'),
	(12, 'loop_partner', :'claims_b', 'AP-20260301-BBBBBB'),
	(13, 'loop_admin', :'claims_m', 'all')),
object(n, name, path) AS (VALUES
	(1, 'profile', '/profile'), (2, 'dashboard', '/dashboard'), (3, 'funnel', '/funnel'), (4, 'leads', '/leads'),
	(5, 'lead_sources', '/lead_sources'), (6, 'deals', '/deals'), (7, 'mrr_breakdown', '/mrr_breakdown'),
	(8, 'level_progress', '/level_progress'), (9, 'badges', '/badges'), (10, 'leaderboard', '/leaderboard'),
	(11, 'my_rank', '/my_rank'), (12, 'activity', '/activity'), (13, 'referral_links', '/referral_links'),
	(14, 'referral_presets', '/referral_presets'), (15, 'site_pages', '/site_pages'), (16, 'resources', '/resources'),
	(17, 'referral_url', '/rpc/referral_url'))
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS o, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT sc.n, ob.n, r.k, r.stmt
	  FROM scenario sc CROSS JOIN object ob
	 CROSS JOIN LATERAL pg_temp.request(sc.role, sc.claims, ob.path, pg_temp.checked(
			CASE WHEN ob.name = 'referral_url' THEN pg_temp.rpc_sql('{"path":"/preise"}') ELSE pg_temp.read_sql(ob.name) END,
			CASE sc.expect WHEN 'none' THEN 0 WHEN 'all' THEN pg_temp.expected(ob.name, NULL)
						   ELSE pg_temp.expected(ob.name, sc.expect) END)) r
	UNION ALL
	SELECT 99, 0, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.o, x.k
\gexec

-- PostgREST filters: B's leads ?status=eq.qualified, A's resources ?type=eq.pdf,
-- ?tags=cs.{social}, ?category=eq.Vertrieb (count_ok against the base tables)
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT f.n, r.k, r.stmt
	  FROM (VALUES
		(1, :'claims_b', '/leads', 'leads', '"api"."leads"."status" = ''qualified''',
		 (SELECT count(*) FROM loop.hubspot_contact WHERE affiliate_partner_id = 'AP-20260301-BBBBBB'
			 AND lifecyclestage IN ('marketingqualifiedlead', 'salesqualifiedlead'))),
		(2, :'claims_a', '/resources', 'resources', '"api"."resources"."type" = ''pdf''',
		 (SELECT count(*) FROM loop.resource WHERE published AND type = 'pdf')),
		(3, :'claims_a', '/resources', 'resources', '"api"."resources"."tags" @> ''{social}''',
		 (SELECT count(*) FROM loop.resource WHERE published AND 'social' = ANY (tags))),
		(4, :'claims_a', '/resources', 'resources', '"api"."resources"."category" = ''Vertrieb''',
		 (SELECT count(*) FROM loop.resource WHERE published AND category = 'Vertrieb')))
		   AS f(n, claims, path, obj, where_, expected)
	 CROSS JOIN LATERAL pg_temp.request('loop_partner', f.claims, f.path,
										pg_temp.checked(pg_temp.read_sql(f.obj, f.where_), f.expected)) r
	UNION ALL
	SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set VERBOSITY terse
\set ECHO all

-- PATCH /profile (READ WRITE, Prefer: return=representation, select=partner_id,name,email):
-- name changes on the own row only; email and partner_id are read-only (42501);
-- a blank name violates the table's check (23514); anon and admin may not PATCH.
CREATE FUNCTION pg_temp.patch_sql(body jsonb, filter text) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (UPDATE "api"."profile" SET %s FROM (SELECT %L::json AS json_data) pgrst_payload, '
				  'LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) ) pgrst_body %s '
				  'RETURNING "api"."profile"."partner_id", "api"."profile"."name", "api"."profile"."email") '
				  'SELECT '''' AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, array[]::text[] AS header, '
				  'coalesce(json_agg(_postgrest_t), ''[]'') AS body, '
				  'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
				  'nullif(current_setting(''response.status'', true), '''') AS response_status '
				  'FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  string_agg(format('%I = "pgrst_body".%I', k, k), ', ' ORDER BY k), body::text,
				  string_agg(quote_ident(k), ', ' ORDER BY k), string_agg(quote_ident(k) || ' text', ', ' ORDER BY k),
				  CASE WHEN filter IS NULL THEN '' ELSE format('WHERE "api"."profile"."partner_id" = %L', filter) END)
	  FROM jsonb_object_keys(body) AS k $$;
\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT f.n, r.k, r.stmt
	  FROM (VALUES
		(1, 'A', 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA', '{"name":"Alfa Agentur Neu"}'::jsonb),
		(2, 'A', 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA', '{"email":"alfa-neu@example.com"}'),
		(3, 'A', 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA', '{"partner_id":"AP-20260301-XXXXXX"}'),
		(4, 'A', 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA', '{"name":"Alfa","email":"x@example.com"}'),
		(5, 'A', 'loop_partner', :'claims_a', 'AP-20260301-BBBBBB', '{"name":"Alfa war hier"}'),
		(6, 'A', 'loop_partner', :'claims_a', NULL, '{"name":"Alfa Agentur"}'),
		(7, 'A', 'loop_partner', :'claims_a', 'AP-20260301-AAAAAA', '{"name":"   "}'),
		(8, 'anon', 'loop_anon', '{"role":"loop_anon"}', 'AP-20260301-AAAAAA', '{"name":"Anon"}'),
		(9, 'admin', 'loop_admin', :'claims_m', 'AP-20260301-AAAAAA', '{"name":"Mike war hier"}'),
		(10, 'role mismatch', 'loop_partner', '{"role":"loop_admin","partner_id":"AP-20260301-AAAAAA"}', NULL,
		 '{"name":"Niemand"}'))
		   AS f(n, who, role, claims, filter, body)
	 CROSS JOIN LATERAL (
		SELECT 0 AS k, format('SELECT %L', format('-- %s: PATCH /profile%s %s', f.who,
						  coalesce('?partner_id=eq.' || f.filter, ''), f.body)) AS stmt
		UNION ALL
		SELECT q.k, q.stmt FROM pg_temp.request(f.role, f.claims, '/profile', pg_temp.patch_sql(f.body, f.filter), 'PATCH',
											  '{"prefer":"return=representation"}') q) r
	UNION ALL
	SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set VERBOSITY terse
\set ECHO all
-- A's name was changed and changed back; nothing else moved
SELECT partner_id, name, email FROM loop.partner WHERE partner_id LIKE 'AP-20260301-%' ORDER BY partner_id;

-- Paging (§7 item 7): B's leads in pages of 4 and B's activity in pages of 10,
-- each under a total ORDER BY, with count=exact; each body is kept in a
-- session setting, then compared with the unpaged response.
\set ECHO none
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT g.n, r.k, r.stmt
	  FROM (SELECT row_number() OVER (ORDER BY o.obj DESC, pg.page) AS n, o.obj, o.path, pg.page,
				   o.ord || CASE WHEN pg.page = 'full' THEN '' ELSE format(' LIMIT %s OFFSET %s', o.size, (pg.page::int - 1) * o.size) END AS tail
			  FROM (VALUES ('leads', '/leads', 'ORDER BY "api"."leads"."contact_id" ASC', 4),
						   ('activity', '/activity', 'ORDER BY "api"."activity"."occurred_at" DESC, "api"."activity"."event_id" ASC', 10))
				   AS o(obj, path, ord, size)
			 CROSS JOIN (VALUES ('1'), ('2'), ('3'), ('full')) AS pg(page)) g
	 CROSS JOIN LATERAL pg_temp.request('loop_partner', :'claims_b', g.path,
			format('SELECT r.total_result_set, r.page_total, set_config(%L, r.body::text, false) IS NOT NULL AS kept FROM (%s) r',
				   'api_test.' || g.obj || '_' || g.page, pg_temp.read_sql(g.obj, '', g.tail))) r
	UNION ALL
	SELECT 99, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set ECHO all
SELECT o.obj, c.pages = f.body AS pages_equal_full, jsonb_array_length(f.body) AS rows,
	   (SELECT count(DISTINCT e ->> o.key) FROM jsonb_array_elements(c.pages) e) AS distinct_keys,
	   pg_temp.expected(o.obj, 'AP-20260301-BBBBBB') AS expected_rows
  FROM (VALUES ('leads', 'contact_id'), ('activity', 'event_id')) AS o(obj, key)
 CROSS JOIN LATERAL (SELECT current_setting('api_test.' || o.obj || '_full')::jsonb AS body) f
 CROSS JOIN LATERAL (SELECT jsonb_agg(e ORDER BY p.n, x.i) AS pages
					   FROM generate_series(1, 3) AS p(n)
					  CROSS JOIN LATERAL jsonb_array_elements(current_setting('api_test.' || o.obj || '_' || p.n)::jsonb)
							WITH ORDINALITY AS x(e, i)) c
 ORDER BY o.obj;

DELETE FROM loop.hubspot_deal WHERE deal_id BETWEEN 9200 AND 9699;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 9100 AND 9599;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'apitest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'apitest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260301-%';
