-- test/sql/api_rules.sql — the rules behind the partner api at a fixed reference time,
-- edge cases, URL encoding, and a catalog check of the api objects of issue 3.
-- The time-dependent parts are the loop functions of as_of behind the api
-- views (…_at), evaluated at A = 2026-02-12 12:00:00+00 (seed 000's date);
-- the rest reads the api views as superuser (no row-level security, so the
-- rows are filtered by partner here). Everything runs in one transaction that
-- is rolled back; expected values computed by hand.

\set ON_ERROR_ROLLBACK on
\set VERBOSITY terse
\set A '''2026-02-12 12:00:00+00'''
BEGIN;
SET LOCAL TIME ZONE 'UTC';
SET LOCAL datestyle = 'ISO, YMD';

-- Catalog: every api view of issue 3 is security_invoker and commented; its
-- functions are commented and not executable by PUBLIC; loop_anon can use none
-- of them; the one SECURITY DEFINER function pins search_path.
SELECT c.relname, coalesce(c.reloptions @> ARRAY['security_invoker=true'], false) AS security_invoker,
	   obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
	   has_table_privilege('loop_anon', c.oid, 'SELECT') AS anon_select,
	   has_table_privilege('loop_partner', c.oid, 'SELECT') AS partner_select,
	   has_table_privilege('loop_admin', c.oid, 'SELECT') AS admin_select
  FROM pg_class c
 WHERE c.relnamespace = 'api'::regnamespace
   AND c.relname IN ('profile', 'dashboard', 'funnel', 'leads', 'lead_sources', 'deals', 'mrr_breakdown',
					 'level_progress', 'badges', 'leaderboard', 'my_rank', 'activity', 'site_pages',
					 'referral_presets', 'referral_links', 'resources')
 ORDER BY c.relname;
SELECT p.oid::regprocedure AS function, p.prosecdef AS definer, p.proconfig,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
	   has_function_privilege('loop_anon', p.oid, 'EXECUTE') AS anon_execute,
	   has_function_privilege('loop_partner', p.oid, 'EXECUTE') AS partner_execute
  FROM pg_proc p
 WHERE p.oid IN ('api.referral_url(text, text, text, text, text, text)'::regprocedure,
				 'loop.partner_leaderboard_at(timestamptz)'::regprocedure,
				 'loop.partner_level_progress_at(timestamptz)'::regprocedure,
				 'loop.partner_badge_at(timestamptz)'::regprocedure, 'loop.url_encode(text)'::regprocedure,
				 'loop.referral_url_for(text, text, text, text, text, text, text)'::regprocedure,
				 'loop.current_partner_known()'::regprocedure, 'loop.level_label(text, text)'::regprocedure,
				 'loop.subscription_status_label(text)'::regprocedure, 'loop.month_label_de(timestamptz)'::regprocedure)
 ORDER BY 1::text;
-- Only name is updatable through api.profile, and only by loop_partner
SELECT a.attname, has_column_privilege('loop_partner', 'api.profile', a.attname, 'UPDATE') AS partner_update,
	   has_column_privilege('loop_admin', 'api.profile', a.attname, 'UPDATE') AS admin_update
  FROM pg_attribute a WHERE a.attrelid = 'api.profile'::regclass AND a.attnum > 0 AND a.attname IN ('partner_id', 'name', 'email')
 ORDER BY a.attnum;

-- URL encoding: unreserved characters stay, everything else is %XX of its UTF-8 bytes
SELECT v AS value, loop.url_encode(v) AS encoded
  FROM unnest(ARRAY['', 'abcXYZ019-._~', 'Frühling 2026', 'a b+c&d=e/f?g#h%i', 'Ärger €5', '😀', NULL]) AS v;
-- Month labels in UTC (the leaderboard title), including both sides of a month's end
SELECT loop.month_label_de(make_timestamptz(2026, m, 15, 12, 0, 0, 'UTC')) FROM generate_series(1, 12) AS m;
SELECT loop.month_label_de('2026-02-28 23:30:00-02') AS "01:30 UTC on 1 March",
	   loop.month_label_de('2026-01-01 00:30:00+01') AS "23:30 UTC on 31 December";
SELECT l AS level, loop.level_label(l, 'calculated') AS calculated, loop.level_label(l, 'override') AS override
  FROM unnest(ARRAY['beginner', 'starter', 'partner', 'pro', 'boss']) AS l;

-- Referral links: site_url's trailing slash dropped, path segments encoded,
-- blank UTM values left out, no partner → NULL, bad paths → 22023
UPDATE loop.setting SET value = 'https://example.org/' WHERE key = 'site_url';
SELECT loop.referral_url_for('AP-20260210-PARTNR', '/über-uns/team', 'affiliate', ' ', NULL, '', 'x y') AS url,
	   loop.referral_url_for(NULL, '/', 'affiliate', 'referral', NULL, NULL, NULL) AS no_partner;
SELECT loop.referral_url_for('AP-20260210-PARTNR', 'https://evil.example/', 'a', 'b', NULL, NULL, NULL);
SELECT loop.referral_url_for('AP-20260210-PARTNR', '/preise#top', 'a', 'b', NULL, NULL, NULL);
SELECT loop.referral_url_for('AP-20260210-PARTNR', '/pre ise', 'a', 'b', NULL, NULL, NULL);

-- Partners for the level and badge rules (deals closed relative to A):
--   BEGINN no deals; STARTR 1 valid won deal 100 days before A (outside the
--   window, so starter with 0 in it); PARTNR 6 in the window; PROPRO 11;
--   OVEXPD an expired pro override and 2 deals; OVPART an active partner
--   override until A + 30 days and no deals.
INSERT INTO loop.partner (partner_id, name, email, status, level_override, level_override_until) VALUES
	('AP-20260210-BEGINN', 'Bea Beginner', 'r1@example.com', 'active', NULL, NULL),
	('AP-20260210-STARTR', 'Stefan Starter', 'r2@example.com', 'active', NULL, NULL),
	('AP-20260210-PARTNR', 'Paula Partner', 'r3@example.com', 'active', NULL, NULL),
	('AP-20260210-PROPRO', 'Pia Pro', 'r4@example.com', 'active', NULL, NULL),
	('AP-20260210-OVEXPD', 'Otto Override', 'r5@example.com', 'active', 'pro', timestamptz :A - interval '1 day'),
	('AP-20260210-OVPART', 'Olga Override', 'r6@example.com', 'active', 'partner', timestamptz :A + interval '30 days'),
	('AP-20260210-EDGES0', 'Eddi Edge', 'r7@example.com', 'active', NULL, NULL);
INSERT INTO loop.hubspot_pipeline (pipeline_id, label) VALUES ('rules', 'Rules');
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, is_closed, probability) VALUES
	('rules', 'open', 'Offen', false, 0.5), ('rules', 'won', 'Gewonnen', true, 1.0), ('rules', 'lost', 'Verloren', true, 0.0);
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status)
SELECT 70000 + row_number() OVER (), d.pid, 'Deal', 'rules', 'won', timestamptz :A - d.days * interval '1 day', d.mrr, 'active'
  FROM (SELECT 'AP-20260210-STARTR', 100, 100
		UNION ALL SELECT 'AP-20260210-PARTNR', 10 * g, 100 FROM generate_series(1, 6) g
		UNION ALL SELECT 'AP-20260210-PROPRO', 5 * g, 200 FROM generate_series(1, 11) g
		UNION ALL SELECT 'AP-20260210-OVEXPD', g, 50 FROM generate_series(1, 2) g) AS d(pid, days, mrr);
-- PARTNR's 10 leads, referred one a day from 20 days before A
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, lifecyclestage, affiliate_referral_date)
SELECT 71000 + g, 'AP-20260210-PARTNR', 'lead', date '2026-01-23' + g FROM generate_series(1, 10) g;

-- Levels page: next level and deals still needed; pro has none; an expired
-- override is ignored, an active one is shown as "<Level> manuell"
SELECT partner_id, level, level_label, level_source, override_until, mrr_share_percent, won_deals_90d,
	   calculated_level, next_level, next_level_share_percent, next_level_min_deals, deals_needed, progress_percent
  FROM loop.partner_level_progress_at(:A) WHERE partner_id LIKE 'AP-20260210-%' AND partner_id <> 'AP-20260210-EDGES0' ORDER BY won_deals_90d, partner_id;
SELECT DISTINCT window_start, window_end FROM loop.partner_level_progress_at(:A);

-- Badges: PARTNR reaches 10 leads on the 10th referral (2026-02-02), 5 deals on the
-- 5th closedate (A − 20 days … A − 60: the 5th oldest is A − 20), €100 MRR (6 × 25.00)
-- and level partner; PROPRO €500 MRR (11 × 60.00) and level pro; MRR and level
-- badges have no achieved_at (no history)
SELECT partner_id, badge, label, threshold, progress, achieved, achieved_at
  FROM loop.partner_badge_at(:A) WHERE partner_id IN ('AP-20260210-PARTNR', 'AP-20260210-PROPRO')
 ORDER BY partner_id, sort_order;
SELECT partner_id, string_agg(badge, ', ' ORDER BY sort_order) FILTER (WHERE achieved) AS achieved
  FROM loop.partner_badge_at(:A) WHERE partner_id LIKE 'AP-20260210-%' GROUP BY partner_id ORDER BY partner_id;

-- Edge cases on one partner: one lead per bucket (7701 customer, 7702 lead
-- without any date, 7703 MQL never modified, 7704 opportunity with a referral
-- date); deals: won with MRR 0, won without status, won without both, lost,
-- open, a valid won, a won without closedate
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, company, lifecyclestage,
								  utm_campaign, affiliate_referral_date, created_at, updated_at) VALUES
	(7701, 'AP-20260210-EDGES0', 'Kai', 'Kunde', 'Kunde AG', 'customer', 'winter', NULL,
	 '2026-01-05 08:00:00+00', '2026-02-01 09:00:00+00'),
	(7702, 'AP-20260210-EDGES0', NULL, NULL, 'Nur Firma GmbH', 'lead', NULL, NULL, NULL, NULL),
	(7703, 'AP-20260210-EDGES0', 'Mia', NULL, NULL, 'marketingqualifiedlead', NULL, NULL, '2026-01-06 08:00:00+00', NULL),
	(7704, 'AP-20260210-EDGES0', 'Ole', 'Offen', NULL, 'opportunity', 'fruehling', '2026-01-07',
	 '2026-01-09 08:00:00+00', '2026-02-03 10:00:00+00');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(7801, 'AP-20260210-EDGES0', 'MRR 0', 'rules', 'won', '2026-02-01 12:00:00+00', 0, 'active'),
	(7802, 'AP-20260210-EDGES0', 'Ohne Status', 'rules', 'won', '2026-02-02 12:00:00+00', 50, NULL),
	(7803, 'AP-20260210-EDGES0', 'Ohne beides', 'rules', 'won', '2026-02-03 12:00:00+00', NULL, NULL),
	(7804, 'AP-20260210-EDGES0', 'Verloren', 'rules', 'lost', '2026-02-04 12:00:00+00', 70, 'active'),
	(7805, 'AP-20260210-EDGES0', 'Offen', 'rules', 'open', NULL, 80, NULL),
	(7806, 'AP-20260210-EDGES0', 'Gültig', 'rules', 'won', '2026-02-05 12:00:00+00', 50, 'active'),
	(7807, 'AP-20260210-EDGES0', 'Ohne Datum', 'rules', 'won', NULL, 60, 'paused');

-- Funnel: 1 per bucket → 25.00 % each, reached 4/3/2/1, conversion 75.00 / 66.67 / 50.00;
-- a partner without leads: zeros, percentages NULL
SELECT partner_id, position, stage_label, leads, share_percent, reached, conversion_percent
  FROM api.funnel WHERE partner_id IN ('AP-20260210-EDGES0', 'AP-20260210-BEGINN') ORDER BY partner_id, position;

-- Deal list: commission columns only on valid won deals (7806, 7807); what is
-- wrong with the won deals that do not count
SELECT deal_id, dealname, kind, kind_label, valid_won, mrr_share_percent, partner_mrr, invalid_properties
  FROM api.deals WHERE partner_id = 'AP-20260210-EDGES0' ORDER BY deal_id;

-- MRR-Status: 7806 active 10.00 (100 %), 7807 paused 12.00; BEGINN has no MRR (shares NULL)
SELECT partner_id, label, deals, mrr, share_percent
  FROM api.mrr_breakdown WHERE partner_id IN ('AP-20260210-EDGES0', 'AP-20260210-BEGINN') ORDER BY partner_id, position;

-- Activity: NEU at referred_at (referral date at 00:00 UTC, else createdate; none
-- for 7702), the stage event at the last change (none for 7703: never
-- modified; none for 7702: Neu), DEAL for the won deals with a closedate (not
-- the lost one, not the one without a date), newest first
SELECT event_id, event_label, occurred_at, title, campaign, partner_mrr
  FROM api.activity WHERE partner_id = 'AP-20260210-EDGES0';

-- Leads: name from first and last name (NULL when both are missing)
SELECT contact_id, name, company, status_label FROM api.leads WHERE partner_id = 'AP-20260210-EDGES0' ORDER BY contact_id;

-- The leaderboard function answers only a caller named by the claims: nothing for
-- a superuser without claims; for PARTNR its own row by name, the others anonymous
SELECT count(*) AS rows_without_claims FROM loop.partner_leaderboard_at(:A);
CREATE FUNCTION pg_temp.definer_partner_id() RETURNS text
LANGUAGE sql SECURITY DEFINER AS $$ SELECT loop.current_partner_id() $$;
CREATE FUNCTION pg_temp.ids_for(claims text) RETURNS TABLE (current_partner_id text, inside_definer text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('request.jwt.claims', claims, true);
	RETURN QUERY SELECT loop.current_partner_id(), pg_temp.definer_partner_id();
END $$;
SET LOCAL ROLE loop_partner;
SELECT set_config('request.jwt.claims', '{"role":"loop_partner","partner_id":"AP-20260210-PARTNR"}', true) IS NOT NULL AS claims_set;
SELECT title, position, rank, display_name, mrr_total, is_me FROM loop.partner_leaderboard_at(:A);
-- loop.current_partner_id() gives the same answer inside a SECURITY DEFINER
-- function (run as its owner) for every kind of claims, as loop_partner and as loop_admin
SELECT current_user, c.claims, i.*
  FROM (VALUES (1, '{"role":"loop_partner","partner_id":"AP-20260210-PARTNR"}'),
			   (2, '{"role":"loop_admin","partner_id":"AP-20260210-PARTNR"}'), (3, '{"role":"loop_partner"}'),
			   (4, '{"role":"loop_partner","partner_id":"AP-20260210-partnr"}'), (5, '{}'), (6, ''), (7, '{')) AS c(n, claims)
 CROSS JOIN LATERAL pg_temp.ids_for(c.claims) i ORDER BY c.n;
SET LOCAL ROLE loop_admin;
SELECT current_user, c.claims, i.*
  FROM (VALUES (1, '{"role":"loop_admin","partner_id":"AP-20260210-PARTNR"}'),
			   (2, '{"role":"loop_partner","partner_id":"AP-20260210-PARTNR"}')) AS c(n, claims)
 CROSS JOIN LATERAL pg_temp.ids_for(c.claims) i ORDER BY c.n;
RESET ROLE;

ROLLBACK;
