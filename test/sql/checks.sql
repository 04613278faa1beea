-- test/sql/checks.sql — the data checks of issue 4 (sql/85_checks.sql): one view per
-- invariant of seed 002's "Related Scripts", loop.attribution_problems (seed 001
-- "Troubleshooting"), loop.check() and the admin-only api views.
--
-- A clean scenario (partners A, B and admin M with leads, deals of every kind
-- and a snapshot taken by loop.snapshot_partners_at) passes every check. Then,
-- each inside a savepoint that is rolled back, one fault at a time: hand-made
-- HubSpot rows with each attribution problem; a lead classifier that drops a
-- lifecycle stage (funnel); a stage kind that is neither open, won nor lost
-- (deal pipeline); a wrong snapshot and a wrong admin list (summary
-- consistency); duplicate partner ids and emails (the table's key and unique
-- index dropped). Each check must return exactly the expected rows and
-- loop.check() must count them. Last, emulated PostgREST requests: partners
-- and anonymous requests get 42501 on the api objects, admins get rows.

\set VERBOSITY terse
SET TIME ZONE 'UTC';

-- The base tables hold nothing of other suites, so the checks start empty
SELECT (SELECT count(*) FROM loop.hubspot_contact) AS contacts, (SELECT count(*) FROM loop.hubspot_deal) AS deals,
	   (SELECT count(*) FROM loop.partner_snapshot) AS snapshots;
SELECT * FROM loop.check();

BEGIN;
INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260401-CHECKA', 'Alfa Check', 'alfa.check@example.com', 'active', false),
	('AP-20260401-CHECKB', 'Bravo Check', 'Bravo.Check@example.com', 'active', false),
	('AP-20260401-CHECKM', 'Mike Check', 'mike.check@example.com', 'active', true);
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('checks', 'Check-Pipeline', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('checks', 'open', 'Angebot', 0, false, 0.5),
	('checks', 'won', 'Gewonnen', 1, true, 1.0),
	('checks', 'lost', 'Verloren', 2, true, 0.0),
	('checks', 'paused', 'Zurückgestellt', 3, true, 0.5);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, lifecyclestage,
								  affiliate_referral_date, created_at) VALUES
	(8101, 'AP-20260401-CHECKA', 'Anja', 'Alfa', 'lead', '2026-03-02', '2026-03-02 10:00+00'),
	(8102, 'AP-20260401-CHECKA', 'Arne', 'Alfa', 'marketingqualifiedlead', '2026-03-09', '2026-03-09 10:00+00'),
	(8103, 'AP-20260401-CHECKA', 'Alma', 'Alfa', 'customer', NULL, '2026-03-31 23:30+00'),
	(8201, 'AP-20260401-CHECKB', 'Bea', 'Bravo', 'opportunity', '2026-02-27', '2026-02-27 08:00+00'),
	(8202, 'AP-20260401-CHECKB', 'Ben', 'Bravo', NULL, NULL, NULL);
-- Every deal has what it needs: won deals MRR and status, open deals both, lost deals neither
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(8111, 'AP-20260401-CHECKA', 'Alfa gewonnen', 'checks', 'won', now() - interval '10 days', 89, 'active'),
	(8112, 'AP-20260401-CHECKA', 'Alfa pausiert', 'checks', 'won', now() - interval '20 days', 150, 'paused'),
	(8113, 'AP-20260401-CHECKA', 'Alfa offen', 'checks', 'open', NULL, 120, 'active'),
	(8114, 'AP-20260401-CHECKA', 'Alfa verloren', 'checks', 'lost', now() - interval '5 days', NULL, NULL),
	(8211, 'AP-20260401-CHECKB', 'Bravo gekündigt', 'checks', 'won', now() - interval '200 days', 60, 'cancelled'),
	(8212, 'AP-20260401-CHECKB', 'Bravo zurückgestellt', 'checks', 'paused', NULL, 70, 'active');
INSERT INTO loop.sync_run (status, finished_at) VALUES ('succeeded', now()) RETURNING id AS run_id \gset
SELECT loop.snapshot_partners_at(:run_id, now()) AS snapshots;

-- The clean scenario passes every check
SELECT * FROM loop.check();
SELECT partner_id, level, leads_total, deals_linked, deals_open, deals_won, deals_lost, mrr_total
  FROM loop.partner_summary ORDER BY partner_id;

-- An admin override set after the snapshot changes today's summary, not the
-- history: the snapshot is compared at its own level, so this is no problem.
SAVEPOINT override;
UPDATE loop.partner SET level_override = 'pro' WHERE partner_id = 'AP-20260401-CHECKA';
SELECT s.level AS level_now, s.mrr_total AS mrr_now, n.level AS snapshot_level, n.mrr_total AS snapshot_mrr
  FROM loop.partner_summary s JOIN loop.partner_snapshot n USING (partner_id)
 WHERE partner_id = 'AP-20260401-CHECKA';
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT override;

-- 1. Attribution problems: one HubSpot record per problem, and records that look odd but are fine
SAVEPOINT attribution;
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, email, lifecyclestage) VALUES
	(8901, 'AP-20250101-NOSUCH', 'Zora', 'Unbekannt', NULL, 'lead'),
	(8902, 'ap-20260401-checkb', NULL, NULL, 'klein@example.org', 'lead'),
	(8903, ' AP-20260401-CHECKA', 'Ida', 'Leerzeichen', NULL, 'customer');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, affiliate_mrr,
							   affiliate_subscription_status, properties) VALUES
	(8911, 'AP-20260401-CHECKA', 'MRR unlesbar', 'checks', 'won', NULL, 'active', '{"affiliate_mrr": "n/a"}'),
	(8912, 'AP-20260401-CHECKA', 'MRR null', 'checks', 'won', 0, 'active', '{}'),
	(8913, 'AP-20260401-CHECKA', 'MRR negativ', 'checks', 'open', -49, 'paused', '{}'),
	(8914, 'AP-20260401-CHECKA', 'Status unbekannt', 'checks', 'won', 129, NULL,
	 '{"affiliate_subscription_status": "Gekündigt"}'),
	(8915, 'AP-20260401-CHECKB', 'Gewonnen ohne MRR', 'checks', 'won', NULL, NULL, '{}'),
	(8916, 'AP-20260401-CHECKB', 'Offen ohne MRR', 'checks', 'open', NULL, NULL, '{}'),
	(8917, 'AP-20260401-CHECKB', 'Verloren, MRR unlesbar', 'checks', 'lost', NULL, 'cancelled',
	 '{"affiliate_mrr": "89,50", "dealtype": "newbusiness"}'),
	(8918, 'AP-20250101-NOSUCH', 'Partner unbekannt', 'checks', 'won', 75, 'active', '{}'),
	(8919, 'AP-20260401-CHECKB', 'Unbekannte Stufe ohne Status', 'checks', 'gone', 40, NULL, '{}'),
	-- fine: a lost deal needs no MRR; a valid won deal; a property that did not parse but is not ours
	(8921, 'AP-20260401-CHECKB', 'Verloren ohne MRR', 'checks', 'lost', NULL, NULL, '{}'),
	(8922, 'AP-20260401-CHECKB', 'Gültig', 'checks', 'won', 12.5, 'active', '{"amount": "viel"}');
-- as a sync would, take the day's snapshot again (the last one of a day wins)
SELECT loop.snapshot_partners_at(:run_id, now()) AS snapshots;
SELECT object, hubspot_id, affiliate_partner_id, label, deal_kind, problem, property, value
  FROM loop.attribution_problems ORDER BY object DESC, hubspot_id, problem;
SELECT hubspot_id, problem, fix FROM loop.attribution_problems ORDER BY object DESC, hubspot_id, problem;
-- api.attribution_problems is the same list in that order (the superuser is no API role: every row)
SELECT count(*) AS api_rows,
	   (SELECT array_agg(hubspot_id::text || ':' || problem) FROM api.attribution_problems) =
	   (SELECT array_agg(hubspot_id::text || ':' || problem ORDER BY object DESC, hubspot_id, problem)
		  FROM loop.attribution_problems) AS same_order
  FROM api.attribution_problems;
-- only attribution_problems counts; detail holds the first 10 rows
SELECT check_name, problem_count, jsonb_array_length(detail) AS detail_rows,
	   detail -> 0 ->> 'hubspot_id' AS first_id FROM loop.check();
ROLLBACK TO SAVEPOINT attribution;

-- 2. Funnel: a lead classifier that drops a lifecycle stage (returns NULL for
--    "subscriber") — the bucket sum falls short of the total per partner, over
--    all partners and in Programm-Analyse.
SAVEPOINT funnel;
CREATE OR REPLACE FUNCTION loop.lead_status(lifecyclestage text, hs_lead_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE lower(coalesce(lifecyclestage, 'lead')) WHEN 'customer' THEN 'won' WHEN 'opportunity' THEN 'deal'
			  WHEN 'marketingqualifiedlead' THEN 'qualified' WHEN 'lead' THEN 'new' END $$;
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, lifecyclestage, affiliate_referral_date) VALUES
	(8204, 'AP-20260401-CHECKB', 'subscriber', '2026-03-15');
SELECT loop.snapshot_partners_at(:run_id, now()) AS snapshots;
SELECT * FROM loop.check_funnel_sum ORDER BY scope, partner_id;
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT funnel;

-- 3. Deal pipeline: a deal_detail whose kind is "closed" for a closed stage of
--    probability 0.5 — neither open, won nor lost, so B's stages no longer add
--    up to its linked deals. The snapshot, taken before the fault, no longer
--    agrees on B's open deals either.
SAVEPOINT pipeline;
CREATE OR REPLACE VIEW loop.deal_detail WITH (security_invoker = true) AS
SELECT d.deal_id, d.affiliate_partner_id, d.dealname, d.pipeline, p.label AS pipeline_label,
	   d.dealstage, s.label AS stage_label,
	   CASE WHEN s.is_closed AND s.kind = 'open' THEN 'closed' ELSE coalesce(s.kind, 'open') END AS kind,
	   d.closedate, d.affiliate_mrr, d.affiliate_subscription_status,
	   coalesce(coalesce(s.kind, 'open') = 'won'
		AND d.affiliate_mrr > 0
		AND d.affiliate_subscription_status IS NOT NULL, false) AS valid_won
  FROM loop.hubspot_deal d
  LEFT JOIN loop.hubspot_deal_stage s ON s.pipeline_id = d.pipeline AND s.stage_id = d.dealstage
  LEFT JOIN loop.hubspot_pipeline p ON p.pipeline_id = d.pipeline;
SELECT * FROM loop.check_deal_pipeline ORDER BY partner_id;
SELECT source, partner_id, field, expected, actual FROM loop.check_summary_consistency;
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT pipeline;

-- 4a. Summary consistency, snapshots: B's snapshot has one lead and 1.00 EUR
--     paused MRR too many; A's claims a calculated level pro (the deals say
--     starter), so its share and MRR at pro disagree as well.
SAVEPOINT snapshot;
UPDATE loop.partner_snapshot SET leads_won = leads_won + 1, mrr_paused = mrr_paused + 1
 WHERE partner_id = 'AP-20260401-CHECKB';
UPDATE loop.partner_snapshot SET level = 'pro' WHERE partner_id = 'AP-20260401-CHECKA';
SELECT source, partner_id, snapshot_date = (now() AT TIME ZONE 'UTC')::date AS today, field, expected, actual
  FROM loop.check_summary_consistency ORDER BY source, partner_id, field;
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT snapshot;

-- 4b. Summary consistency, admin list: an api.admin_partners that counts one
--     won deal too many for A and leaves B out.
SAVEPOINT admin_list;
DO $$
DECLARE
	cols text;
BEGIN
	SELECT string_agg(CASE a.attname
						WHEN 'deals_won' THEN 'o.deals_won + CASE WHEN o.partner_id = ''AP-20260401-CHECKA'' '
											  'THEN 1 ELSE 0 END AS deals_won'
						ELSE 'o.' || quote_ident(a.attname) END, ', ' ORDER BY a.attnum)
	  INTO cols
	  FROM pg_attribute a WHERE a.attrelid = 'api.admin_partners'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
	EXECUTE format('CREATE OR REPLACE VIEW api.admin_partners AS SELECT %s FROM (%s) o '
				   'WHERE o.partner_id <> ''AP-20260401-CHECKB''',
				   cols, rtrim(pg_get_viewdef('api.admin_partners'::regclass), ';'));
END;
$$;
SELECT source, partner_id, snapshot_date = (now() AT TIME ZONE 'UTC')::date AS today, field, expected, actual
  FROM loop.check_summary_consistency ORDER BY source, partner_id, field;
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT admin_list;

-- 5. Duplicates: without the primary key and the unique lower(email) index, a
--    second A and a B whose email differs only in case. The views built on
--    loop.partner fan out and are reported too.
SAVEPOINT duplicates;
SET LOCAL client_min_messages = warning;	-- no NOTICEs about what CASCADE drops
ALTER TABLE loop.partner DROP CONSTRAINT partner_pkey CASCADE;
DROP INDEX loop.partner_email_key;
INSERT INTO loop.partner (partner_id, name, email, status) VALUES
	('AP-20260401-CHECKA', 'Alfa Doppelt', 'alfa.doppelt@example.com', 'active'),
	('AP-20260401-CHECKC', 'Bravo Kopie', 'bravo.check@EXAMPLE.com', 'pending');
SELECT * FROM loop.check_duplicate_partners ORDER BY source, key, value;
SELECT check_name, problem_count FROM loop.check();
ROLLBACK TO SAVEPOINT duplicates;

-- Everything rolled back: clean again
SELECT check_name, problem_count FROM loop.check();
ROLLBACK;

-- Emulated PostgREST requests (as in api_partner.sql): partners and anonymous
-- requests get 42501 on every check object; an admin gets the rows, an admin
-- token of a partner who is no admin gets none. The data is committed for the
-- requests and removed at the end.
INSERT INTO loop.partner (partner_id, name, email, status, is_admin) VALUES
	('AP-20260401-CHECKA', 'Alfa Check', 'alfa.check@example.com', 'active', false),
	('AP-20260401-CHECKM', 'Mike Check', 'mike.check@example.com', 'active', true);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, lifecyclestage) VALUES
	(8101, 'AP-20260401-CHECKA', 'lead'), (8901, 'AP-20250101-NOSUCH', 'lead');

CREATE FUNCTION pg_temp.request(role text, claims text, path text, main text) RETURNS TABLE (k integer, stmt text)
LANGUAGE sql AS $$
	VALUES (1, 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY'),
		   (2, format('SELECT set_config(''search_path'', %L, true), set_config(''role'', %L, true), '
					  'set_config(''request.jwt.claims'', %L, true), set_config(''request.method'', ''GET'', true), '
					  'set_config(''request.path'', %L, true)', '"api", "public"', role, claims, path)),
		   (3, main),
		   (4, 'COMMIT') $$;
CREATE FUNCTION pg_temp.read_sql(obj text) RETURNS text LANGUAGE sql AS $$
	SELECT format('WITH pgrst_source AS (SELECT %1$s.* FROM %1$s) '
				  'SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, '
				  'coalesce(json_agg(_postgrest_t), ''[]'') AS body FROM (SELECT * FROM pgrst_source) _postgrest_t',
				  obj) $$;

\set ECHO none
\set VERBOSITY sqlstate
\pset format unaligned
\pset tuples_only on
SELECT x.stmt FROM (
	SELECT 0 AS s, 0 AS o, 0 AS k, 'SET SESSION AUTHORIZATION loop_authenticator' AS stmt
	UNION ALL
	SELECT sc.n, ob.n, 0, format('SELECT %L', format('-- %s %s', sc.who, ob.path))
	  FROM (VALUES (1, 'anon'), (2, 'partner A'), (3, 'admin M'), (4, 'admin claims of A')) AS sc(n, who)
	 CROSS JOIN (VALUES (1, '/attribution_problems'), (2, '/data_checks'), (3, 'loop.check()'),
						(4, 'loop.attribution_problems')) AS ob(n, path)
	UNION ALL
	SELECT sc.n, ob.n, r.k, r.stmt
	  FROM (VALUES (1, 'loop_anon', '{"role":"loop_anon"}'),
				   (2, 'loop_partner', '{"role":"loop_partner","partner_id":"AP-20260401-CHECKA"}'),
				   (3, 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-CHECKM"}'),
				   (4, 'loop_admin', '{"role":"loop_admin","partner_id":"AP-20260401-CHECKA"}')) AS sc(n, role, claims)
	 CROSS JOIN (VALUES (1, '/attribution_problems',
						 'SELECT r.page_total, r.body::jsonb @? ''$[*] ? (@.hubspot_id == 8901)'' AS has_8901 FROM ('
						 || pg_temp.read_sql('"api"."attribution_problems"') || ') r'),
						(2, '/data_checks',
						 'SELECT r.page_total, (SELECT string_agg(e ->> ''check_name'' || ''='' || (e ->> ''problem_count''), '','') '
						 'FROM json_array_elements(r.body) e) FROM (' || pg_temp.read_sql('"api"."data_checks"') || ') r'),
						(3, 'loop.check()', 'SELECT count(*) FROM loop.check()'),
						(4, 'loop.attribution_problems', 'SELECT count(*) FROM loop.attribution_problems'))
		   AS ob(n, path, main)
	 CROSS JOIN LATERAL pg_temp.request(sc.role, sc.claims, ob.path, ob.main) r
	UNION ALL
	SELECT 99, 0, 0, 'RESET SESSION AUTHORIZATION') x
 ORDER BY x.s, x.o, x.k
\gexec
\pset tuples_only off
\pset format aligned
\set VERBOSITY terse
\set ECHO all

-- Privileges: EXECUTE on loop.check() and SELECT on the check views for loop_admin only
SELECT r.rolname,
	   has_function_privilege(r.rolname, 'loop.check()', 'EXECUTE') AS check_fn,
	   has_table_privilege(r.rolname, 'api.attribution_problems', 'SELECT') AS api_problems,
	   has_table_privilege(r.rolname, 'api.data_checks', 'SELECT') AS api_checks,
	   has_table_privilege(r.rolname, 'loop.check_summary_consistency', 'SELECT') AS loop_view
  FROM pg_roles r WHERE r.rolname IN ('loop_anon', 'loop_partner', 'loop_admin', 'loop_authenticator')
 ORDER BY 1;

DELETE FROM loop.hubspot_contact WHERE contact_id IN (8101, 8901);
DELETE FROM loop.partner WHERE partner_id IN ('AP-20260401-CHECKA', 'AP-20260401-CHECKM');
SELECT check_name, problem_count FROM loop.check();
