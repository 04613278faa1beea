-- test/sql/views_rules.sql — the rules behind the partner views, through the
-- functions of as_of that back them (sql/40_views.sql): loop.partner_level_at,
-- loop.partner_deal_at, loop.partner_summary_at, loop.leaderboard_at.
-- Rules: DESIGN.md "Deal kind", "Valid won deal", "Level", "Partner MRR".
-- Hand-made rows go straight into loop.partner and the hubspot_* mirrors.
-- Reference time A = 2026-02-12 12:00:00+00; the level's window is
-- [A - 2160 h, A] = [2025-11-14 12:00:00+00, 2026-02-12 12:00:00+00].
-- Expected values are computed by hand in the comments.
-- pg_regress runs every file in the same database: all of it runs in one
-- transaction, rolled back at the end.

\set ON_ERROR_ROLLBACK on
\set A '''2026-02-12 12:00:00+00'''
BEGIN;
SET LOCAL TIME ZONE 'UTC';
SET LOCAL datestyle = 'ISO, YMD';
TRUNCATE loop.partner, loop.hubspot_pipeline, loop.hubspot_deal_stage,
		 loop.hubspot_contact, loop.hubspot_deal CASCADE;

-- Two pipelines. kind comes from is_closed + probability only:
-- labels and ids ("closedwon", "Gewonnen") never decide it.
INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES
	('default', 'Sales Pipeline', 0), ('98765', 'Partner-Pipeline', 1);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('default', 'appointmentscheduled', 'Termin vereinbart', 0, false, 0.2),
	('default', 'qualifiedtobuy', 'Kaufbereit', 1, false, 0),
	('default', 'closedwon', 'Abgeschlossen und gewonnen', 2, true, 1.0),
	('default', 'closedlost', 'Abgeschlossen und verloren', 3, true, 0.0),
	('98765', '1234567', 'Gewonnen', 0, true, 1),
	('98765', '1234569', 'Verloren', 1, true, 0),
	('98765', 'closedwon', 'Closed Won', 2, false, 0.5),
	('98765', '1234570', 'Abgeschlossen (halb)', 3, true, 0.5),
	('98765', '1234571', 'Ohne Metadaten', 4, NULL, NULL);
-- open / open (probability 0 but not closed) / won / lost / won (numeric id,
-- German label) / lost / open (id and label say won) / open (closed, 0.5) / open
SELECT pipeline_id, stage_id, label, kind
  FROM loop.hubspot_deal_stage ORDER BY pipeline_id DESC, display_order;

INSERT INTO loop.partner (partner_id, name, email, status, level_override, level_override_until) VALUES
	('AP-20260101-EDGE00', 'Edge', 'edge@example.com', 'active', NULL, NULL),
	('AP-20260101-FIVE00', 'Five', 'five@example.com', 'active', NULL, NULL),
	('AP-20260101-SIX000', 'Six', 'six@example.com', 'active', NULL, NULL),
	('AP-20260101-TEN000', 'Ten', 'ten@example.com', 'active', NULL, NULL),
	('AP-20260101-ELEVEN', 'Eleven', 'eleven@example.com', 'active', NULL, NULL),
	('AP-20260101-BEGIN0', 'Beginner', 'begin@example.com', 'active', NULL, NULL),
	('AP-20260101-OLDWIN', 'Old win', 'oldwin@example.com', 'active', NULL, NULL),
	('AP-20260101-FUTURE', 'Future', 'future@example.com', 'active', NULL, NULL),
	('AP-20260101-RULES0', 'Rules', 'rules@example.com', 'active', NULL, NULL),
	('AP-20260101-OVERPR', 'Override pro', 'overpr@example.com', 'active', 'pro', '2026-03-01 00:00:00+00'),
	('AP-20260101-OVEREX', 'Override expired', 'overex@example.com', 'active', 'pro', '2026-02-01 00:00:00+00'),
	('AP-20260101-OVERNO', 'Override beginner', 'overno@example.com', 'pending', 'beginner', NULL),
	('AP-20260101-TIE000', 'Tie', 'tie@example.com', 'active', NULL, NULL),
	('AP-20260101-DEACT0', 'Deactivated', 'deact@example.com', 'deactivated', NULL, NULL);

-- Deals in default/closedwon (valid won: mrr > 0 and a status) unless noted.
-- EDGE, 100 EUR each: exactly at the window's start, one second earlier,
-- exactly at A, one second after A.
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status) VALUES
	(101, 'AP-20260101-EDGE00', 'edge start', 'default', 'closedwon', '2025-11-14 12:00:00+00', 100, 'active'),
	(102, 'AP-20260101-EDGE00', 'edge start - 1 s', 'default', 'closedwon', '2025-11-14 11:59:59+00', 100, 'active'),
	(103, 'AP-20260101-EDGE00', 'at A', 'default', 'closedwon', '2026-02-12 12:00:00+00', 100, 'active'),
	(104, 'AP-20260101-EDGE00', 'A + 1 s', 'default', 'closedwon', '2026-02-12 12:00:01+00', 100, 'active');
-- FIVE: 5 deals in the window + 1 a second before it; SIX: 6; TEN: 10;
-- ELEVEN: 11 — all 99.99 EUR, closed g days before A.
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status)
SELECT base + g, pid, 'deal ' || g, 'default', 'closedwon',
	   timestamptz :A - g * interval '1 day', 99.99, 'active'
  FROM (VALUES (200, 'AP-20260101-FIVE00', 5), (300, 'AP-20260101-SIX000', 6),
			   (400, 'AP-20260101-TEN000', 10), (500, 'AP-20260101-ELEVEN', 11)) AS p(base, pid, n),
	   generate_series(1, n) AS g;
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status) VALUES
	(299, 'AP-20260101-FIVE00', 'sixth, before the window', 'default', 'closedwon', '2025-11-14 11:59:59+00', 99.99, 'active');

-- Level counts at A, one second before and one second after:
--   EDGE at A:     window [11-14 12:00:00, A] = 101, 103 -> 2; ever (<= A) 101-103 -> 3
--   EDGE at A-1 s: window [11-14 11:59:59, A-1 s] = 101, 102 -> 2; ever 101, 102 -> 2
--   EDGE at A+1 s: window [11-14 12:00:01, A+1 s] = 103, 104 -> 2; ever 4
--   FIVE 5 -> starter (299 is outside, ever 6); SIX 6 -> partner;
--   TEN 10 -> partner; ELEVEN 11 -> pro
SELECT t.at, l.partner_id, l.won_deals_90d, l.won_deals_ever, l.level
  FROM (VALUES ('A - 1 s', timestamptz :A - interval '1 second'), ('A', timestamptz :A),
			   ('A + 1 s', timestamptz :A + interval '1 second')) AS t(at, ts),
	   loop.partner_level_at(t.ts) AS l
 WHERE l.partner_id = 'AP-20260101-EDGE00' OR (t.at = 'A' AND l.partner_id IN
	   ('AP-20260101-FIVE00', 'AP-20260101-SIX000', 'AP-20260101-TEN000', 'AP-20260101-ELEVEN'))
 ORDER BY l.partner_id, t.ts;

-- Shares and MRR at the boundaries, rounded per deal:
--   starter 99.99 * 20 % = 19.998  -> 20.00; FIVE 6 deals (all valid won deals
--     count for MRR, not only the window's) = 120.00 (sum first: 599.94 * 20 % = 119.99)
--   partner 99.99 * 25 % = 24.9975 -> 25.00; SIX 6 deals = 150.00 (149.985 -> 149.99)
--                                             TEN 10 deals = 250.00 (249.975 -> 249.98)
--   pro     99.99 * 30 % = 29.997  -> 30.00; ELEVEN 11 deals = 330.00 (329.967 -> 329.97)
SELECT s.partner_id, s.level, s.mrr_share_percent, s.won_deals_90d, s.deals_won,
	   min(d.partner_mrr) AS per_deal, s.mrr_total,
	   round(sum(d.deal_mrr) * s.mrr_share_percent / 100, 2) AS rounding_the_sum
  FROM loop.partner_summary_at(:A) s
  JOIN loop.partner_deal_at(:A) d USING (partner_id)
 WHERE s.partner_id IN ('AP-20260101-FIVE00', 'AP-20260101-SIX000', 'AP-20260101-TEN000', 'AP-20260101-ELEVEN')
 GROUP BY s.partner_id, s.level, s.mrr_share_percent, s.won_deals_90d, s.deals_won, s.mrr_total
 ORDER BY s.mrr_total;

-- Beginner vs starter with an empty window.
-- BEGIN0: no valid won deal ever (only a lost one, an open one and a won one
--   without MRR) -> beginner, 0.00 %, MRR 0.00.
-- OLDWIN: one valid won deal of 50 EUR closed 2025-06-01, before the window
--   -> 0 in the window, 1 ever -> starter 20.00 %, 50 * 20 % = 10.00.
-- FUTURE: its only won deal (80 EUR) closes after A -> beginner at A: the deal
--   is a won deal (listed, in deals_won) but earns 0 % until it has closed;
--   on 2026-03-01 the same partner is a starter earning 80 * 20 % = 16.00.
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status) VALUES
	(601, 'AP-20260101-BEGIN0', 'lost', 'default', 'closedlost', '2026-02-01 10:00:00+00', 70, 'active'),
	(602, 'AP-20260101-BEGIN0', 'open', 'default', 'appointmentscheduled', NULL, 70, NULL),
	(603, 'AP-20260101-BEGIN0', 'won, no MRR', 'default', 'closedwon', '2026-02-01 10:00:00+00', NULL, 'active'),
	(611, 'AP-20260101-OLDWIN', 'old win', 'default', 'closedwon', '2025-06-01 08:00:00+00', 50, 'active'),
	(621, 'AP-20260101-FUTURE', 'closes in March', 'default', 'closedwon', '2026-03-01 00:00:00+00', 80, 'active');
SELECT t.at, s.partner_id, s.level, s.level_source, s.mrr_share_percent, s.won_deals_90d,
	   s.deals_won, s.mrr_total
  FROM (VALUES ('A', timestamptz :A), ('2026-03-01', timestamptz '2026-03-01 00:00:00+00')) AS t(at, ts),
	   loop.partner_summary_at(t.ts) AS s
 WHERE s.partner_id IN ('AP-20260101-BEGIN0', 'AP-20260101-OLDWIN', 'AP-20260101-FUTURE')
 ORDER BY s.partner_id, t.ts;

-- Valid won deals, kinds, and the MRR split (RULES0, all closed 2026-02-01):
--   701 won, mrr NULL | 702 won, mrr 0 | 703 won, mrr -10 | 704 won, status NULL
--     -> listed with partner_mrr NULL, not counted (deals_won, MRR, open, lost)
--   705 won 100 cancelled -> 20.00 | 706 won (98765/1234567 "Gewonnen") 60 paused
--     -> 12.00 | 707 won 40 active -> 8.00
--   708 lost (closedlost, 500 active) | 709 open | 710 open, probability 0
--   711 98765/closedwon: open (not closed) | 712 unknown stage: open, no label
--   713 98765/1234569: lost | 714 closed at 0.5: open | 715 no metadata: open
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status)
SELECT deal_id, 'AP-20260101-RULES0', dealname, pipeline, dealstage, '2026-02-01 09:00:00+00', mrr, st
  FROM (VALUES
	(701, 'won, mrr NULL', 'default', 'closedwon', NULL::numeric, 'active'),
	(702, 'won, mrr 0', 'default', 'closedwon', 0, 'active'),
	(703, 'won, mrr negative', 'default', 'closedwon', -10, 'active'),
	(704, 'won, status NULL', 'default', 'closedwon', 100, NULL),
	(705, 'won, cancelled', 'default', 'closedwon', 100, 'cancelled'),
	(706, 'won, Gewonnen', '98765', '1234567', 60, 'paused'),
	(707, 'won, active', 'default', 'closedwon', 40, 'active'),
	(708, 'lost', 'default', 'closedlost', 500, 'active'),
	(709, 'open', 'default', 'appointmentscheduled', 300, 'active'),
	(710, 'open, probability 0', 'default', 'qualifiedtobuy', 300, 'active'),
	(711, 'open, id closedwon', '98765', 'closedwon', 300, 'active'),
	(712, 'unknown stage', 'default', 'deleted-stage', 300, 'active'),
	(713, 'lost, Verloren', '98765', '1234569', 300, 'active'),
	(714, 'closed at 0.5', '98765', '1234570', 300, 'active'),
	(715, 'no stage metadata', '98765', '1234571', 300, 'active')) AS v(deal_id, dealname, pipeline, dealstage, mrr, st);
SELECT deal_id, dealname, kind, pipeline_label, stage_label, deal_mrr, subscription_status,
	   valid_won, partner_mrr
  FROM loop.partner_deal_at(:A) WHERE partner_id = 'AP-20260101-RULES0' ORDER BY deal_id;
-- valid_won is never NULL: the data-quality problems (won, not valid) are
-- exactly 701-704, the deal without any MRR included
SELECT array_agg(deal_id ORDER BY deal_id) FILTER (WHERE kind = 'won' AND NOT valid_won) AS won_not_valid,
	   count(*) FILTER (WHERE valid_won IS NULL) AS valid_won_null
  FROM loop.partner_deal_at(:A) WHERE partner_id = 'AP-20260101-RULES0';
-- 3 valid won deals in the window -> starter; deals_won 3, deals_open 6
-- (709-712, 714, 715), deals_lost 2 (708, 713), active_deals 1 (707),
-- deals_linked 15; mrr_total 20.00 + 12.00 + 8.00 = 40.00 = active 8.00
-- + paused 12.00 + cancelled 20.00
SELECT level, won_deals_90d, deals_won, deals_open, deals_lost, active_deals, deals_linked,
	   mrr_total, mrr_active, mrr_paused, mrr_cancelled,
	   mrr_total = mrr_active + mrr_paused + mrr_cancelled AS split_adds_up
  FROM loop.partner_summary_at(:A) WHERE partner_id = 'AP-20260101-RULES0';

-- Admin override, each partner with one valid won deal of 100 EUR in the window:
--   OVERPR: pro until 2026-03-01 (> A) -> pro, override, 30.00 %, 30.00
--   OVEREX: pro until 2026-02-01 (< A) -> ignored: starter, calculated, 20.00;
--     at 2026-01-31 (deal closed 2026-01-20) it still applies -> pro, 30.00
--   OVERNO: beginner, no expiry -> beginner, override, 0.00 %, 0.00
--   TIE:    150 EUR, starter -> 30.00 (ties OVERPR on the leaderboard)
--   DEACT:  1000 EUR, starter -> 200.00, deactivated
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage,
							   closedate, affiliate_mrr, affiliate_subscription_status) VALUES
	(801, 'AP-20260101-OVERPR', 'override pro', 'default', 'closedwon', '2026-01-20 00:00:00+00', 100, 'active'),
	(802, 'AP-20260101-OVEREX', 'override expired', 'default', 'closedwon', '2026-01-20 00:00:00+00', 100, 'active'),
	(803, 'AP-20260101-OVERNO', 'override beginner', 'default', 'closedwon', '2026-01-20 00:00:00+00', 100, 'active'),
	(804, 'AP-20260101-TIE000', 'tie', 'default', 'closedwon', '2026-01-20 00:00:00+00', 150, 'paused'),
	(805, 'AP-20260101-DEACT0', 'deactivated', 'default', 'closedwon', '2026-01-20 00:00:00+00', 1000, 'active');
SELECT t.at, s.partner_id, l.calculated_level, s.level, s.level_source, s.mrr_share_percent,
	   d.partner_mrr, s.mrr_total
  FROM (VALUES ('A', timestamptz :A), ('2026-01-31', timestamptz '2026-01-31 00:00:00+00')) AS t(at, ts),
	   loop.partner_summary_at(t.ts) AS s
  JOIN loop.partner_level_at(t.ts) l USING (partner_id)
  JOIN loop.partner_deal_at(t.ts) d USING (partner_id)
 WHERE s.partner_id LIKE 'AP-20260101-OVER%' AND (t.at = 'A' OR s.partner_id = 'AP-20260101-OVEREX')
 ORDER BY s.partner_id, t.ts;

-- Leaderboard at A: MRR > 0, not deactivated, highest first, ties share a
-- rank (next rank skips): ELEVEN 330.00 (1), TEN 250.00 (2), SIX 150.00 (3),
-- FIVE 120.00 (4), EDGE 4 * 20.00 = 80.00 (5), RULES0 40.00 (6),
-- OVERPR 30.00 and TIE 30.00 (7, 7), OVEREX 20.00 (9), OLDWIN 10.00 (10).
-- Left out: DEACT (200.00, deactivated), BEGIN0, FUTURE, OVERNO (0.00).
SELECT * FROM loop.leaderboard_at(:A);
SELECT partner_id, status, mrr_total FROM loop.partner_summary_at(:A)
 WHERE partner_id NOT IN (SELECT partner_id FROM loop.leaderboard_at(:A)) ORDER BY partner_id;

-- A pending partner is ranked like an active one: OVERNO without its
-- override earns 100 * 20 % = 20.00 and ties OVEREX at rank 9
UPDATE loop.partner SET level_override = NULL WHERE partner_id = 'AP-20260101-OVERNO';
SELECT * FROM loop.leaderboard_at(:A) WHERE rank >= 9;

-- Every partner has exactly one summary row; the lead buckets and the deal
-- kinds add up (won-but-invalid deals are only in deals_linked)
SELECT count(*) AS partners, count(DISTINCT partner_id) AS distinct_partners,
	   bool_and(leads_new + leads_qualified + leads_deal + leads_won = leads_total) AS leads_add_up,
	   bool_and(mrr_total = mrr_active + mrr_paused + mrr_cancelled) AS mrr_adds_up,
	   sum(deals_linked) AS deals_linked,
	   sum(deals_open + deals_won + deals_lost) AS open_won_lost
  FROM loop.partner_summary_at(:A);

ROLLBACK;
