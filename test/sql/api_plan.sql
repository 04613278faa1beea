-- test/sql/api_plan.sql — the partner api stays on the partner indexes at scale
-- (SECURITY.md §7 item 27, §2.3 "non-leakproof policy functions").
--
-- 100 partners × 1,000 contacts and 200 deals each. As loop_partner with one
-- partner's claims, the plan of every api view must reach hubspot_contact and
-- hubspot_deal only through hubspot_contact_partner_idx / hubspot_deal_partner_idx:
-- the policies compare affiliate_partner_id with (SELECT loop.current_partner_id()),
-- an InitPlan evaluated once, which the planner can use as an index condition.
-- Plans are inspected, not printed (costs vary); one transaction, rolled back.

\set VERBOSITY terse
BEGIN;
INSERT INTO loop.partner (partner_id, name, email, status)
SELECT format('AP-20260401-P%s', lpad(i::text, 5, '0')), 'Plan ' || i, 'plan' || i || '@example.com', 'active'
  FROM generate_series(1, 100) AS i;
INSERT INTO loop.hubspot_pipeline (pipeline_id, label) VALUES ('plan', 'Plan');
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, is_closed, probability) VALUES
	('plan', 'open', 'Offen', false, 0.2), ('plan', 'won', 'Gewonnen', true, 1.0), ('plan', 'lost', 'Verloren', true, 0.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, lifecyclestage, utm_source,
								  created_at, updated_at)
SELECT 1000000 + i, format('AP-20260401-P%s', lpad((i % 100 + 1)::text, 5, '0')), 'F' || i, 'L' || i,
	   (ARRAY['lead', 'marketingqualifiedlead', 'opportunity', 'customer', 'lead'])[i / 100 % 5 + 1], 'src' || i % 7,
	   now() - (i % 300) * interval '1 day', now() - (i % 30) * interval '1 day'
  FROM generate_series(1, 100000) AS i;
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status)
SELECT 2000000 + i, format('AP-20260401-P%s', lpad((i % 100 + 1)::text, 5, '0')), 'D' || i, 'plan',
	   (ARRAY['won', 'lost', 'open'])[i % 3 + 1], now() - (i % 200) * interval '1 day', 50 + i % 100, 'active'
  FROM generate_series(1, 20000) AS i;
ANALYZE loop.partner, loop.hubspot_contact, loop.hubspot_deal, loop.hubspot_deal_stage, loop.hubspot_pipeline;

-- How a plan reaches the two big tables: each scan node on them, with its index
CREATE FUNCTION pg_temp.big_table_scans(query text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
	scans text[];
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
	SELECT coalesce(array_agg(DISTINCT concat_ws(' ', n ->> 'Node Type', n ->> 'Relation Name', n ->> 'Index Name')), '{}')
	  INTO scans
	  FROM jsonb_path_query(plan, 'strict $.**') AS n
	 WHERE jsonb_typeof(n) = 'object'
	   AND (n ->> 'Relation Name' IN ('hubspot_contact', 'hubspot_deal')
			OR n ->> 'Index Name' IN ('hubspot_contact_partner_idx', 'hubspot_deal_partner_idx'));
	RETURN scans;
END $$;

SET LOCAL ROLE loop_partner;
SELECT set_config('request.jwt.claims', '{"role":"loop_partner","partner_id":"AP-20260401-P00042"}', true) IS NOT NULL
	AS claims_set;
-- leaderboard: a SECURITY DEFINER function (its own plan); referral_links: no HubSpot data
SELECT v.name AS view,
	   NOT EXISTS (SELECT 1 FROM unnest(s.scans) x WHERE x LIKE 'Seq Scan%') AS no_seq_scan,
	   EXISTS (SELECT 1 FROM unnest(s.scans) x WHERE x LIKE '%_partner_idx') AS partner_index_used,
	   NOT EXISTS (SELECT 1 FROM unnest(s.scans) x
				   WHERE x NOT LIKE '%_partner_idx' AND x NOT LIKE 'Bitmap Heap Scan %') AS only_index_access
  FROM unnest(ARRAY['profile', 'dashboard', 'funnel', 'leads', 'lead_sources', 'deals', 'mrr_breakdown', 'level_progress',
					'badges', 'leaderboard', 'my_rank', 'activity', 'referral_links']) AS v(name)
 CROSS JOIN LATERAL (SELECT pg_temp.big_table_scans('SELECT * FROM api.' || v.name)) AS s(scans);
-- The Leads page as PostgREST asks for it (filter, order, page, count=exact):
-- the partner's 1,000 contacts, found through the index
SELECT NOT EXISTS (SELECT 1 FROM unnest(s.scans) x WHERE x NOT LIKE '%_partner_idx' AND x NOT LIKE 'Bitmap Heap Scan %')
		   AS only_index_access,
	   EXISTS (SELECT 1 FROM unnest(s.scans) x WHERE x LIKE '%hubspot_contact_partner_idx') AS contact_index_used
  FROM (SELECT pg_temp.big_table_scans('WITH pgrst_source AS (SELECT "api"."leads".* FROM "api"."leads" '
		'WHERE "api"."leads"."status" = ''qualified'' ORDER BY "api"."leads"."referred_at" DESC LIMIT 20 OFFSET 0), '
		'pgrst_source_count AS (SELECT 1 FROM "api"."leads" WHERE "api"."leads"."status" = ''qualified'') '
		'SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, '
		'pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), ''[]'') AS body '
		'FROM (SELECT * FROM pgrst_source) _postgrest_t')) AS s(scans);
SELECT count(*) AS leads, count(*) FILTER (WHERE status = 'qualified') AS qualified FROM api.leads;
ROLLBACK;
