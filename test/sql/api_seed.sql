-- test/sql/api_seed.sql — seed 000's test partner through the api, as the partner sees it
-- (issue 3 "What a partner gets"; seed 000 "Test Objects: Exact Values").
--
-- The seed's 3 contacts and 3 closed-won deals (89 + 150 active, 200 paused)
-- belong to S; other partners fill the leaderboard: C and E tie at 40.00, O
-- has a Pro override (30 %), D is deactivated (never ranked). Times are
-- relative to now() (the 90-day level window is), and only whole-day ages
-- are printed. Requests follow SECURITY.md §1.4: the session is
-- loop_authenticator; per request BEGIN …, the prepared set_config SELECT
-- (pgrst_pre: search_path, role, request.jwt.claims, request.method,
-- request.path, request.headers, request.cookies; its output discarded),
-- the query, COMMIT. Data is committed and removed at the end.

\set VERBOSITY terse
SET TIME ZONE 'UTC';

INSERT INTO loop.partner (partner_id, name, email, status, level_override, registered_at) VALUES
	('AP-20260129-AD2F73', 'Seed 000 Partner', 'seed000@example.com', 'active', NULL, '2026-01-29 10:00:00+00'),
	('AP-20260201-CCCCCC', 'Charlie Consulting', 'charlie@example.com', 'active', NULL, '2026-02-01 10:00:00+00'),
	('AP-20260201-DDDDDD', 'Delta Digital', 'delta@example.com', 'deactivated', NULL, '2026-02-01 10:00:00+00'),
	('AP-20260201-EEEEEE', 'Echo Events', 'echo@example.com', 'active', NULL, '2026-02-01 10:00:00+00'),
	('AP-20260201-OOOOOO', 'Oscar Override', 'oscar@example.com', 'active', 'pro', '2026-02-01 10:00:00+00');
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('seedtest', 'Sales Pipeline', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('seedtest', 'open', 'Termin vereinbart', 0, false, 0.2),
	('seedtest', 'closedwon', 'Abgeschlossen und gewonnen', 1, true, 1.0),
	('seedtest', 'closedlost', 'Abgeschlossen und verloren', 2, true, 0.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, email, company, lifecyclestage,
								  utm_source, utm_medium, utm_campaign, created_at, updated_at) VALUES
	(8001, 'AP-20260129-AD2F73', 'Markus', 'Weber', 'markus@weber.example', 'Gastro-Betrieb Weber GmbH', 'lead',
	 'linkedin', 'social', 'partner-q1-2026', now() - interval '6 days', now() - interval '6 days'),
	(8002, 'AP-20260129-AD2F73', 'Anna', 'Schmidt', 'anna@sonnenhof.example', 'Hotel Sonnenhof GmbH',
	 'marketingqualifiedlead', 'affiliate', 'newsletter', 'partner-newsletter-feb', now() - interval '5 days',
	 now() - interval '4 days'),
	(8003, 'AP-20260129-AD2F73', 'Thomas', 'Fischer', 'thomas@fischer.example', 'Bäckerei Fischer GmbH', 'opportunity',
	 'partner', 'email', 'demo-kampagne', now() - interval '5 days', now() - interval '3 days');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(8101, 'AP-20260129-AD2F73', 'Gastro-Betrieb Weber – Ordio Schichtplanung', 'seedtest', 'closedwon',
	 now() - interval '2 days', 89, 'active'),
	(8102, 'AP-20260129-AD2F73', 'Hotel Sonnenhof – Ordio Zeiterfassung', 'seedtest', 'closedwon',
	 now() - interval '2 days' + interval '1 hour', 150, 'active'),
	(8103, 'AP-20260129-AD2F73', 'Bäckerei Fischer – Ordio Starter', 'seedtest', 'closedwon',
	 now() - interval '1 day', 200, 'paused'),
	(8201, 'AP-20260201-CCCCCC', 'Charlie 1', 'seedtest', 'closedwon', now() - interval '9 days', 150, 'active'),
	(8202, 'AP-20260201-CCCCCC', 'Charlie 2', 'seedtest', 'closedwon', now() - interval '8 days', 50, 'paused'),
	(8301, 'AP-20260201-DDDDDD', 'Delta 1', 'seedtest', 'closedwon', now() - interval '9 days', 1000, 'active'),
	(8401, 'AP-20260201-EEEEEE', 'Echo 1', 'seedtest', 'closedwon', now() - interval '9 days', 200, 'active'),
	(8501, 'AP-20260201-OOOOOO', 'Oscar 1', 'seedtest', 'closedwon', now() - interval '9 days', 100, 'active');

\set claims_s '{"role":"loop_partner","partner_id":"AP-20260129-AD2F73"}'
\set claims_o '{"role":"loop_partner","partner_id":"AP-20260201-OOOOOO"}'
SET SESSION AUTHORIZATION loop_authenticator;
PREPARE pgrst_pre(text, text, text, text, text) AS
SELECT set_config('search_path', '"api", "public"', true), set_config('role', $1, true),
	   set_config('request.jwt.claims', $2, true), set_config('request.method', $3, true),
	   set_config('request.path', $4, true), set_config('request.headers', $5, true),
	   set_config('request.cookies', '{}', true);

-- Dashboard KPIs: Gesamt Leads 3, Qualifizierte Leads 1, Deals 0 offen / 3 gewonnen,
-- Monatliches MRR 87.80 (Aktive MRR 47.80, 2 aktive Deals), Starter 20 %
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/dashboard', '{}') \g /dev/null
\x on
SELECT * FROM api.dashboard;
\x off
COMMIT;

-- Conversion-Funnel, mutually exclusive: Neu 1, Qualifiziert 1, In Verhandlung 1, Gewonnen 0
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/funnel', '{}') \g /dev/null
SELECT position, stage, stage_label, leads, share_percent, reached, conversion_percent FROM api.funnel;
COMMIT;

-- MRR-Status: Aktiv 47.80 = 54.44 %, Pausiert 40.00 = 45.56 %, Storniert 0.00
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/mrr_breakdown', '{}') \g /dev/null
SELECT position, subscription_status, label, deals, mrr, share_percent FROM api.mrr_breakdown;
COMMIT;

-- Earnings deal list: 20 % of 89 / 150 / 200
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/deals', '{}') \g /dev/null
SELECT deal_id, dealname, kind_label, deal_mrr, subscription_status_label, mrr_share_percent, partner_mrr
  FROM api.deals ORDER BY deal_id;
COMMIT;

-- Levels: Starter 20 %, 3 deals in 90 days, next Partner (25 %) needs 3 more
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/level_progress', '{}') \g /dev/null
SELECT level, level_label, is_override, mrr_share_percent, won_deals_90d, window_end - window_start AS window_length,
	   next_level, next_level_label, next_level_share_percent, next_level_min_deals, deals_needed, progress_percent
  FROM api.level_progress;
COMMIT;

-- Badges: first lead and first deal achieved (at the first referral and the first
-- closedate), 10 leads, 5 deals, €100 MRR (87.80) and the level badges not yet
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/badges', '{}') \g /dev/null
SELECT badge, label, threshold, progress, achieved,
	   round(extract(epoch FROM now() - achieved_at) / 86400) AS achieved_days_ago
  FROM api.badges ORDER BY sort_order;
COMMIT;

-- Leaderboard "Top Partner (<Monat Jahr>)": S first with its own name; C and E tie
-- at 40.00 as "Partner #2"; O "Partner #4"; D (deactivated) not listed
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/leaderboard', '{}') \g /dev/null
SELECT title = 'Top Partner (' || (ARRAY['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August',
		   'September', 'Oktober', 'November', 'Dezember'])[date_part('month', now() AT TIME ZONE 'UTC')]
		   || ' ' || date_part('year', now() AT TIME ZONE 'UTC') || ')' AS title_is_this_month,
	   position, rank, display_name, mrr_total, is_me
  FROM api.leaderboard ORDER BY position;
COMMIT;

-- Dein Rang: #1 · 87.80
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/my_rank', '{}') \g /dev/null
SELECT label, partner_id, rank, position, ranked_partners, mrr_total, leaderboard_title LIKE 'Top Partner (%)' AS titled
  FROM api.my_rank;
COMMIT;

-- O's view: own name on rank 4, the others anonymous; Pro by override ("Pro manuell",
-- 30 %), no next level; the level badges follow the effective level
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_o', 'GET', '/leaderboard', '{}') \g /dev/null
SELECT position, rank, display_name, mrr_total, is_me FROM api.leaderboard ORDER BY position;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_o', 'GET', '/level_progress', '{}') \g /dev/null
SELECT level, level_label, level_source, is_override, calculated_level, mrr_share_percent, won_deals_90d,
	   next_level, next_level_min_deals, deals_needed, progress_percent
  FROM api.level_progress;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_o', 'GET', '/badges', '{}') \g /dev/null
SELECT badge, progress, achieved FROM api.badges WHERE badge IN ('level_partner', 'level_pro', 'mrr_100') ORDER BY sort_order;
COMMIT;

-- Meine Leads (all fields of seed 000's table) filtered like ?status=eq.qualified, then Lead-Quellen
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/leads', '{}') \g /dev/null
SELECT name, company, email, phone, status, status_label, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
	   round(extract(epoch FROM now() - referred_at) / 86400) AS referred_days_ago
  FROM api.leads WHERE status = 'qualified';
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/lead_sources', '{}') \g /dev/null
SELECT dimension_label, value, leads, share_percent FROM api.lead_sources ORDER BY dimension, value;
COMMIT;

-- Letzte Aktivitäten, newest first: the deals (DEAL at closedate), Thomas's DEAL
-- (opportunity) and Anna's QUALIFIZIERT at their last change, the three NEU
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/activity', '{}') \g /dev/null
SELECT event_label, event_type, title, campaign, partner_mrr,
	   round(extract(epoch FROM now() - occurred_at) / 86400) AS days_ago
  FROM api.activity;
COMMIT;

-- Referral-URLs: a page × preset link, the quick links, and /rpc/referral_url with
-- a campaign that needs percent-encoding (space, umlaut, &, /, +)
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/referral_links', '{}') \g /dev/null
SELECT title, preset_label, url FROM api.referral_links WHERE path = '/preise' AND preset IN ('linkedin', 'whatsapp');
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/site_pages', '{}') \g /dev/null
SELECT title, path, category, referral_url FROM api.site_pages WHERE is_quick_link;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/rpc/referral_url', '{}') \g /dev/null
SELECT api.referral_url(path := '/preise') AS defaults,
	   api.referral_url(path := '/schichtplanung', utm_source := 'newsletter', utm_medium := 'email',
						utm_campaign := 'Frühling 2026') AS campaign_encoded,
	   api.referral_url(path := '/', utm_source := 'blog', utm_medium := '', utm_campaign := 'A&B/C+D',
						utm_content := 'Banner ü', utm_term := 'dienst plan') AS all_params;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/rpc/referral_url', '{}') \g /dev/null
SELECT api.referral_url(path := 'preise');
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
EXECUTE pgrst_pre('loop_partner', :'claims_s', 'GET', '/rpc/referral_url', '{}') \g /dev/null
SELECT api.referral_url(path := '/preise?utm_source=x');
COMMIT;

DEALLOCATE pgrst_pre;
RESET SESSION AUTHORIZATION;
DELETE FROM loop.hubspot_deal WHERE deal_id BETWEEN 8000 AND 8999;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 8000 AND 8999;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'seedtest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'seedtest';
DELETE FROM loop.partner WHERE partner_id IN ('AP-20260129-AD2F73', 'AP-20260201-CCCCCC', 'AP-20260201-DDDDDD',
											  'AP-20260201-EEEEEE', 'AP-20260201-OOOOOO');
