-- test/sql/analytics_program.sql — Programm-Analyse figures (issue 4; sql/83_analytics.sql):
-- funnel, trends, presets and KPIs over a hand-made scenario whose expected
-- numbers are computed by hand below, with rows on both sides of a UTC week
-- boundary (Sunday 2026-03-01 23:59:59 / Monday 2026-03-02 00:00:00) and a
-- UTC month boundary (2026-01-31 23:59:59 / 2026-02-01 00:00:00), and rows
-- that a session in Europe/Berlin would put into the next day, week or month.
-- Runs as superuser (row-level security is bypassed; analytics_access.sql
-- covers who may call what). The data is committed and removed at the end.
--
-- Partners: T1 (active), T2 (active), TA (active, admin), T3 (pending, level
-- override pro), T4 (deactivated). Pipeline "antest": open / won (closed,
-- probability 1) / lost (closed, probability 0).
--
-- Leads (referred_at = createdate unless a referral date is set; UTC):
--   L1  T1  2026-01-31 23:59:59  lead                    → Neu
--   L8  T2  2026-01-31 23:30:00  lead                    → Neu    (Berlin: 02-01 00:30)
--   L2  T1  2026-02-01 00:00:00  marketingqualifiedlead  → Qualifiziert
--   L6  T2  2026-02-15 12:00:00  NULL                    → Neu    (Sunday of the week of 02-09)
--   L12 T4  2026-02-20 12:00:00  lead                    → Neu    (deactivated partner: still counted)
--   L3  T1  2026-03-01 23:59:59  opportunity             → In Verhandlung (Sunday)
--   L7  T1  2026-03-01 23:30:00  customer                → Gewonnen (Sunday; Berlin: Monday 00:30)
--   L4  T2  2026-03-02 00:00:00  customer                → Gewonnen (Monday)
--   L5  T2  referral date 2026-03-02 (createdate 2026-02-20), salesqualifiedlead → Qualifiziert
--   L9  T1  2025-12-31 23:59:59  evangelist              → Gewonnen (before every range below)
--   L11 T2  no date at all       opportunity             → In Verhandlung (in no range)
--   L10 AP-20990101-NOPART (not a partner) 2026-02-10    → never counted
-- Deals (closedate UTC; partner MRR at starter, 20 %, per deal rounded):
--   D1  T1 won  100.00 active     2026-01-31 23:59:59 → 20.00
--   D2  T1 won  150.00 paused     2026-02-01 00:00:00 → 30.00
--   D3  T2 won   89.00 active     2026-03-01 23:59:59 → 17.80 (Sunday)
--   D8  T2 won   50.00 active     2026-03-01 23:30:00 → 10.00 (Sunday; Berlin: Monday)
--   D4  T2 won  200.00 cancelled  2026-03-02 00:00:00 → 40.00 (Monday)
--   D10 T1 won   75.50 active     2025-12-31 23:59:59 → 15.10 (before the ranges)
--   D11 T1 won   60.00 active     no closedate        → 12.00 (in no bucket)
--   D5  T1 won, no affiliate_mrr 2026-03-01 (not valid: not counted)
--   D6  T2 lost 2026-02-10;  D7 T1 open 2026-02-20;  D9 AP-20990101-NOPART won 500 2026-02-10
-- Levels: T1 has 4 valid won deals, T2 3, none in the 90 days before today
-- (or at most 5 if the clock were in early 2026): both starter (20 %).
-- T3 pro by override; TA, T4 beginner (no won deal).

\set VERBOSITY terse
SET TIME ZONE 'UTC';
SET datestyle = 'ISO, YMD';

-- The base tables hold nothing of other suites that would change the figures below
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals;

INSERT INTO loop.partner (partner_id, name, email, status, is_admin, level_override) VALUES
	('AP-20260101-TREND1', 'Tina Trend', 'tina@trend.example', 'active', false, NULL),
	('AP-20260101-TREND2', 'Tom Trend', 'tom@trend.example', 'active', false, NULL),
	('AP-20260101-TRENDA', 'Toni Admin', 'toni@trend.example', 'active', true, NULL),
	('AP-20260101-TREND3', 'Theo Pending', 'theo@trend.example', 'pending', false, 'pro'),
	('AP-20260101-TREND4', 'Tara Deaktiviert', 'tara@trend.example', 'deactivated', false, NULL);
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('antest', 'Analyse-Pipeline', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('antest', 'open', 'Angebot', 0, false, 0.5),
	('antest', 'won', 'Gewonnen', 1, true, 1.0),
	('antest', 'lost', 'Verloren', 2, true, 0.0);
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lifecyclestage,
								  affiliate_referral_date, created_at) VALUES
	(7001, 'AP-20260101-TREND1', 'L1', 'lead', NULL, '2026-01-31 23:59:59+00'),
	(7008, 'AP-20260101-TREND2', 'L8', 'lead', NULL, '2026-01-31 23:30:00+00'),
	(7002, 'AP-20260101-TREND1', 'L2', 'marketingqualifiedlead', NULL, '2026-02-01 00:00:00+00'),
	(7006, 'AP-20260101-TREND2', 'L6', NULL, NULL, '2026-02-15 12:00:00+00'),
	(7012, 'AP-20260101-TREND4', 'L12', 'lead', NULL, '2026-02-20 12:00:00+00'),
	(7003, 'AP-20260101-TREND1', 'L3', 'opportunity', NULL, '2026-03-01 23:59:59+00'),
	(7007, 'AP-20260101-TREND1', 'L7', 'customer', NULL, '2026-03-01 23:30:00+00'),
	(7004, 'AP-20260101-TREND2', 'L4', 'customer', NULL, '2026-03-02 00:00:00+00'),
	(7005, 'AP-20260101-TREND2', 'L5', 'salesqualifiedlead', '2026-03-02', '2026-02-20 08:00:00+00'),
	(7009, 'AP-20260101-TREND1', 'L9', 'evangelist', NULL, '2025-12-31 23:59:59+00'),
	(7011, 'AP-20260101-TREND2', 'L11', 'opportunity', NULL, NULL),
	(7010, 'AP-20990101-NOPART', 'L10', 'customer', NULL, '2026-02-10 12:00:00+00');
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(8001, 'AP-20260101-TREND1', 'D1', 'antest', 'won', '2026-01-31 23:59:59+00', 100, 'active'),
	(8002, 'AP-20260101-TREND1', 'D2', 'antest', 'won', '2026-02-01 00:00:00+00', 150, 'paused'),
	(8003, 'AP-20260101-TREND2', 'D3', 'antest', 'won', '2026-03-01 23:59:59+00', 89, 'active'),
	(8008, 'AP-20260101-TREND2', 'D8', 'antest', 'won', '2026-03-01 23:30:00+00', 50, 'active'),
	(8004, 'AP-20260101-TREND2', 'D4', 'antest', 'won', '2026-03-02 00:00:00+00', 200, 'cancelled'),
	(8010, 'AP-20260101-TREND1', 'D10', 'antest', 'won', '2025-12-31 23:59:59+00', 75.50, 'active'),
	(8011, 'AP-20260101-TREND1', 'D11', 'antest', 'won', NULL, 60, 'active'),
	(8005, 'AP-20260101-TREND1', 'D5', 'antest', 'won', '2026-03-01 12:00:00+00', NULL, 'active'),
	(8006, 'AP-20260101-TREND2', 'D6', 'antest', 'lost', '2026-02-10 12:00:00+00', 70, NULL),
	(8007, 'AP-20260101-TREND1', 'D7', 'antest', 'open', '2026-02-20 12:00:00+00', 80, NULL),
	(8009, 'AP-20990101-NOPART', 'D9', 'antest', 'won', '2026-02-10 12:00:00+00', 500, 'active');

-- Levels behind the revenue figures: T1 and T2 starter (20 %)
SELECT partner_id, level, level_source, mrr_share_percent, deals_won, mrr_total
  FROM loop.partner_summary ORDER BY partner_id;

-- 1. Funnel ------------------------------------------------------------------------
-- Range A = 2026-01-31 .. 2026-03-02: L1, L8, L2, L6, L12, L3, L7, L4, L5 (9 leads;
-- L9 is before, L11 has no date, L10 is no partner's).
--   new = L1, L8, L6, L12 = 4; qualified = L2, L5 = 2; deal = L3 = 1; won = L7, L4 = 2;
--   total = 9 = stage_sum.
--   qualified_rate = (2+1+2)/9 = 55.555… → 55.56; deal_rate = (1+2)/9 = 33.33;
--   won_rate = 2/9 = 22.22; qualified_to_deal_rate = 3/5 = 60.00; deal_to_won_rate = 2/3 = 66.67
SELECT * FROM api.program_funnel('2026-01-31', '2026-03-02');
-- One day, Sunday 2026-03-01: L3 (deal), L7 (won): total 2; qualified_rate 2/2 = 100.00,
-- deal_rate 100.00, won_rate 1/2 = 50.00, qualified_to_deal 2/2 = 100.00, deal_to_won 1/2 = 50.00
SELECT * FROM api.program_funnel('2026-03-01', '2026-03-01');
-- Month boundary: 2026-01-31 alone = L1, L8 (2 × Neu: rates 0.00, step rates NULL);
-- 2026-02-01 alone = L2 (Qualifiziert: qualified_rate 100.00, qualified_to_deal 0/1 = 0.00,
-- deal_to_won NULL)
SELECT * FROM api.program_funnel('2026-01-31', '2026-01-31');
SELECT * FROM api.program_funnel('2026-02-01', '2026-02-01');
-- No lead in April: zeros, rates NULL
SELECT * FROM api.program_funnel('2026-04-01', '2026-04-30');
-- All time (0001-01-01 .. 9999-12-31): the dated leads of partners = 10 (range A + L9); L11 has no date
SELECT total, stage_sum, new, qualified, deal, won FROM api.program_funnel('0001-01-01', '9999-12-31');

-- 2. Trends ------------------------------------------------------------------------
-- Grain day over range A: 31 buckets (Jan 31, 28 days of February, Mar 1, Mar 2),
-- 6 with referrals and 25 all zero: 01-31: 2 (L1, L8); 02-01: 1 (L2); 02-15: 1 (L6); 02-20: 1 (L12);
-- 03-01: 2 (L3, L7); 03-02: 2 (L4, L5) — sum 9 = funnel total.
-- Abschlüsse: 01-31: D1 (20.00); 02-01: D2 (30.00); 03-01: D3 + D8 (17.80 + 10.00 = 27.80);
-- 03-02: D4 (40.00) — 5 deals, 117.80 EUR.
SELECT count(*) AS buckets,
	   count(*) FILTER (WHERE referrals = 0 AND closed_deals = 0 AND partner_revenue = 0) AS zero_buckets,
	   min(bucket_start) AS first_bucket, max(bucket_start) AS last_bucket,
	   bool_and(bucket_end = bucket_start) AS one_day_each,
	   count(DISTINCT bucket_start) = count(*) AS distinct_buckets,
	   sum(referrals) AS referrals, sum(closed_deals) AS closed_deals, sum(partner_revenue) AS partner_revenue
  FROM api.program_trend('2026-01-31', '2026-03-02', 'day');
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'day')
 WHERE referrals > 0 OR closed_deals > 0;
-- Consecutive days, none missing
SELECT bool_and(bucket_start = prev + 1) AS consecutive
  FROM (SELECT bucket_start, lag(bucket_start) OVER (ORDER BY bucket_start) AS prev
		  FROM api.program_trend('2026-01-31', '2026-03-02', 'day')) t WHERE prev IS NOT NULL;
-- Grain week (ISO, Monday): 6 buckets 01-26, 02-02, 02-09, 02-16, 02-23, 03-02
--   01-26 (Mon 01-26 .. Sun 02-01): L1, L8, L2 = 3; D1, D2 = 2, 50.00
--   02-02: 0;  02-09 (.. Sun 02-15): L6 = 1;  02-16 (.. 02-22): L12 = 1
--   02-23 (.. Sun 03-01): L3, L7 = 2; D3, D8 = 2, 27.80
--   03-02 (Monday): L4, L5 = 2; D4 = 1, 40.00
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'week');
-- Grain month: 2026-01: L1, L8 = 2, D1 = 1, 20.00; 2026-02: L2, L6, L12 = 3, D2 = 1, 30.00;
-- 2026-03: L3, L7, L4, L5 = 4, D3, D8, D4 = 3, 67.80
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'month');
-- A range that cuts weeks: Wed 2026-02-25 .. Wed 2026-03-04. Buckets keep their
-- Monday start (02-23, 03-02) but count only days in the range:
-- 02-23: L3, L7; D3, D8 (27.80); 03-02: L4, L5; D4 (40.00)
SELECT * FROM api.program_trend('2026-02-25', '2026-03-04', 'week');
-- Empty range: every bucket present with zeros (April: 30 days, 5 ISO weeks from 03-30, 1 month)
SELECT (SELECT count(*) FROM api.program_trend('2026-04-01', '2026-04-30', 'day')) AS april_days,
	   (SELECT count(*) FROM api.program_trend('2026-04-01', '2026-04-30', 'week')) AS april_weeks,
	   (SELECT string_agg(bucket_start::text, ',' ORDER BY bucket_start)
		  FROM api.program_trend('2026-04-01', '2026-04-30', 'week')) AS week_starts;
SELECT * FROM api.program_trend('2026-04-01', '2026-04-30', 'month');
-- The grain is case-insensitive and trimmed
SELECT count(*) AS buckets FROM api.program_trend('2026-01-31', '2026-03-02', ' Week ');
-- Trend referrals sum to the funnel total for the same range (glossary "Related Scripts")
SELECT g, (SELECT sum(referrals) FROM api.program_trend('2026-01-01', '2026-03-31', g))
		  = (SELECT total FROM api.program_funnel('2026-01-01', '2026-03-31')) AS referrals_match_funnel
  FROM unnest(ARRAY['day', 'week', 'month']) AS g;

-- 3. The session time zone does not move a row -------------------------------------
-- Europe/Berlin is UTC+1 in winter: L1, L8 and D1 would move to February, L7 and D8
-- to Monday 03-02 if anything used the session time zone. Same figures as above.
SET TIME ZONE 'Europe/Berlin';
SELECT * FROM api.program_funnel('2026-01-31', '2026-03-02');
SELECT * FROM api.program_funnel('2026-03-01', '2026-03-01');
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'week');
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'month');
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'day') WHERE referrals > 0 OR closed_deals > 0;
SET TIME ZONE 'America/Los_Angeles';
SELECT * FROM api.program_trend('2026-01-31', '2026-03-02', 'month');
SET TIME ZONE 'UTC';

-- 4. Invalid input --------------------------------------------------------------------
-- Each call with the SQLSTATE, message and hint it raises ('ok' when it does not):
-- from_date after to_date 22023; a NULL date 22004; an infinite date 22023; an unknown
-- grain 22023 with the list in the hint; a NULL grain 22004; more than 1000 buckets 22023
-- (rejected, never coarsened). 2026-01-01 + 999 days = 2028-09-26: 1000 day buckets pass,
-- 1001 do not. The 1000th ISO week from Monday 2026-01-05 starts on Monday 2045-02-27
-- (+ 999 × 7 = 6993 days) and ends on Sunday 2045-03-05: a range to 2045-03-05 has 1000
-- week buckets, one to Monday 2045-03-06 has 1001. 1000 months from 2026-01 end in 2109-04.
CREATE FUNCTION pg_temp.outcome(stmt text) RETURNS TABLE (sqlstate text, message text, hint text)
LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; h text;
BEGIN
	EXECUTE stmt;
	RETURN QUERY SELECT 'ok'::text, NULL::text, NULL::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	RETURN QUERY SELECT st, msg, nullif(h, '');
END $$;
\x on
SELECT c.call, o.*
  FROM (VALUES (1, $c$api.program_funnel('2026-03-02', '2026-03-01')$c$),
			   (2, $c$api.program_trend('2026-03-02', '2026-03-01', 'day')$c$),
			   (3, $c$api.program_funnel(NULL, '2026-03-01')$c$),
			   (4, $c$api.program_funnel('2026-03-01', NULL)$c$),
			   (5, $c$api.program_trend('2026-03-01', NULL, 'day')$c$),
			   (6, $c$api.program_funnel('-infinity', '2026-03-01')$c$),
			   (7, $c$api.program_trend('2026-03-01', 'infinity', 'month')$c$),
			   (8, $c$api.program_trend('2026-03-01', '2026-03-31', 'hour')$c$),
			   (9, $c$api.program_trend('2026-03-01', '2026-03-31', 'quarter')$c$),
			   (10, $c$api.program_trend('2026-03-01', '2026-03-31', '')$c$),
			   (11, $c$api.program_trend('2026-03-01', '2026-03-31', NULL)$c$),
			   (12, $c$api.program_trend('2026-01-01', '2028-09-26', 'day')$c$),
			   (13, $c$api.program_trend('2026-01-01', '2028-09-27', 'day')$c$),
			   (14, $c$api.program_trend('2026-01-05', '2045-03-05', 'week')$c$),
			   (15, $c$api.program_trend('2026-01-05', '2045-03-06', 'week')$c$),
			   (16, $c$api.program_trend('2026-01-01', '2109-04-30', 'month')$c$),
			   (17, $c$api.program_trend('2026-01-01', '2109-05-01', 'month')$c$),
			   (18, $c$api.program_trend('0001-01-01', '9999-12-31', 'day')$c$)) AS c(n, call)
 CROSS JOIN LATERAL pg_temp.outcome('SELECT * FROM ' || c.call) o
 ORDER BY c.n;
\x off
-- The largest ranges that pass really have 1000 buckets, first and last as computed above
SELECT r.g AS grain, count(*) AS buckets, min(t.bucket_start) AS first_start, max(t.bucket_start) AS last_start,
	   max(t.bucket_end) AS last_end
  FROM (VALUES ('day', '2026-01-01'::date, '2028-09-26'::date), ('week', '2026-01-05', '2045-03-05'),
			   ('month', '2026-01-01', '2109-04-30')) AS r(g, f, l)
 CROSS JOIN LATERAL api.program_trend(r.f, r.l, r.g) t
 GROUP BY r.g ORDER BY r.g;

-- 5. Date presets for a fixed today ---------------------------------------------------
-- today 2026-03-15: last_7_days 03-09..03-15; last_30_days 02-14..03-15 (15 days of March
-- + 15 of February); last_90_days 2025-12-16..03-15 (15 + 28 + 31 + 16 days);
-- this_month 03-01..03-15; last_month 02-01..02-28; this_year 01-01..03-15
SELECT p AS preset, r.*, r.to_date - r.from_date + 1 AS days
  FROM unnest(ARRAY['last_7_days', 'last_30_days', 'last_90_days', 'this_month', 'last_month', 'this_year']) AS p
 CROSS JOIN LATERAL loop.program_range_at(p, '2026-03-15') r;
-- today 2026-01-01: the previous month and the 7 days cross the year boundary
SELECT p AS preset, r.*
  FROM unnest(ARRAY['last_7_days', 'this_month', 'last_month', 'this_year']) AS p
 CROSS JOIN LATERAL loop.program_range_at(p, '2026-01-01') r;
-- today 2024-03-31 (leap year): last month is 2024-02-01..2024-02-29
SELECT * FROM loop.program_range_at('last_month', '2024-03-31');
-- names are case-insensitive and trimmed
SELECT * FROM loop.program_range_at(' Last_7_Days ', '2026-03-15');
-- api.program_range uses the current UTC date
SELECT p AS preset,
	   (SELECT (r.from_date, r.to_date, r.label) FROM api.program_range(p) r)
	   = (SELECT (a.from_date, a.to_date, a.label) FROM loop.program_range_at(p, (now() AT TIME ZONE 'UTC')::date) a)
		 AS same_as_today_utc,
	   (SELECT r.to_date FROM api.program_range(p) r) <= (now() AT TIME ZONE 'UTC')::date AS ends_by_today
  FROM unnest(ARRAY['last_7_days', 'last_30_days', 'last_90_days', 'this_month', 'last_month', 'this_year']) AS p;
-- Invalid input: unknown preset (22023, the hint lists the presets), NULL (22004)
\x on
SELECT c.call, o.*
  FROM (VALUES (1, $c$api.program_range('yesterday')$c$), (2, $c$api.program_range('custom')$c$),
			   (3, $c$api.program_range(NULL)$c$), (4, $c$loop.program_range_at('last_7_days', NULL)$c$),
			   (5, $c$loop.program_range_at('this_year', 'infinity')$c$)) AS c(n, call)
 CROSS JOIN LATERAL pg_temp.outcome('SELECT * FROM ' || c.call) o
 ORDER BY c.n;
\x off
-- A preset feeds the funnel: range A's last day as today, last_30_days = 2026-02-01 .. 03-02:
-- L2, L6, L12, L3, L7, L4, L5 = 7 (new 2, qualified 2, deal 1, won 2); rates 5/7 = 71.43,
-- 3/7 = 42.86, 2/7 = 28.57, 3/5 = 60.00, 2/3 = 66.67
SELECT f.* FROM loop.program_range_at('last_30_days', '2026-03-02') r
 CROSS JOIN LATERAL api.program_funnel(r.from_date, r.to_date) f;

-- 6. KPIs -------------------------------------------------------------------------------
-- partners 5: pending 1 (T3), active 3 (T1, T2, TA), deactivated 1 (T4);
--   levels: beginner 2 (TA, T4), starter 2 (T1, T2), partner 0, pro 1 (T3, override).
-- leads (all time, existing partners): T1 5 (L1, L2, L3, L7, L9), T2 5 (L8, L6, L5, L4, L11),
--   T4 1 (L12) = 11: new 4 (L1, L8, L6, L12), qualified 2 (L2, L5), deal 2 (L3, L11),
--   won 3 (L7, L9, L4).
-- deals: linked T1 6 (D1, D2, D5, D7, D10, D11) + T2 4 (D3, D4, D6, D8) = 10; open 1 (D7);
--   won 7 (T1: D1, D2, D10, D11; T2: D3, D4, D8; D5 has no MRR); lost 1 (D6);
--   active 5 (D1, D10, D11, D3, D8).
-- MRR: T1 20.00 + 30.00 + 15.10 + 12.00 = 77.10 (active 47.10, paused 30.00);
--   T2 17.80 + 40.00 + 10.00 = 67.80 (active 27.80, cancelled 40.00);
--   total 144.90, active 74.90, paused 30.00, cancelled 40.00.
\x on
SELECT partners_total, partners_pending, partners_active, partners_deactivated, partners_beginner, partners_starter,
	   partners_partner, partners_pro, partners_level_override, leads_total, leads_new, leads_qualified, leads_deal,
	   leads_won, deals_linked, deals_open, deals_won, deals_lost, active_deals, mrr_total, mrr_active, mrr_paused,
	   mrr_cancelled, as_of = now() AS as_of_now
  FROM api.program_kpis;
\x off
-- The KPI invariants: buckets sum to leads_total, statuses and levels to partners_total,
-- MRR by status to mrr_total
SELECT leads_new + leads_qualified + leads_deal + leads_won = leads_total AS lead_buckets_sum,
	   partners_pending + partners_active + partners_deactivated = partners_total AS statuses_sum,
	   partners_beginner + partners_starter + partners_partner + partners_pro = partners_total AS levels_sum,
	   mrr_active + mrr_paused + mrr_cancelled = mrr_total AS mrr_sum
  FROM api.program_kpis;

-- Clean up
DELETE FROM loop.hubspot_deal WHERE deal_id BETWEEN 8001 AND 8011;
DELETE FROM loop.hubspot_contact WHERE contact_id BETWEEN 7001 AND 7012;
DELETE FROM loop.hubspot_deal_stage WHERE pipeline_id = 'antest';
DELETE FROM loop.hubspot_pipeline WHERE pipeline_id = 'antest';
DELETE FROM loop.partner WHERE partner_id LIKE 'AP-20260101-TREND_';
SELECT (SELECT count(*) FROM loop.partner) AS partners, (SELECT count(*) FROM loop.hubspot_contact) AS contacts,
	   (SELECT count(*) FROM loop.hubspot_deal) AS deals;
