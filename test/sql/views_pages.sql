-- test/sql/views_pages.sql — the partner views as the dashboard pages use
-- them: loop.partner_summary, partner_lead, partner_lead_source, partner_deal,
-- leaderboard (DESIGN.md "Public SQL contract"), over hand-made rows put
-- straight into loop.partner and the hubspot_* mirrors.
-- Seed 000 exactly, then the Leads page (status labels, referred_at, UTM
-- sources), a partner without data, and the now()-based views.
-- Time-dependent values use the _at(as_of) functions at
-- A = 2026-02-12 12:00:00+00 (seed 000's date); the now()-based views are only
-- compared with them, never printed.  Expected values computed by hand.
-- pg_regress runs every file in the same database: all of it runs in one
-- transaction, rolled back at the end.

\set ON_ERROR_ROLLBACK on
\set A '''2026-02-12 12:00:00+00'''
BEGIN;
SET LOCAL TIME ZONE 'UTC';
SET LOCAL datestyle = 'ISO, YMD';
TRUNCATE loop.partner, loop.hubspot_pipeline, loop.hubspot_deal_stage,
		 loop.hubspot_contact, loop.hubspot_deal CASCADE;

-- The contract's columns, in order (columns may be added, never renamed)
SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns
  FROM information_schema.columns
 WHERE table_schema = 'loop'
   AND table_name IN ('partner_summary', 'partner_lead', 'partner_lead_source', 'partner_deal', 'leaderboard')
 GROUP BY table_name ORDER BY table_name;

INSERT INTO loop.hubspot_pipeline (pipeline_id, label, display_order) VALUES ('default', 'Sales Pipeline', 0);
INSERT INTO loop.hubspot_deal_stage (pipeline_id, stage_id, label, display_order, is_closed, probability) VALUES
	('default', 'appointmentscheduled', 'Termin vereinbart', 0, false, 0.2),
	('default', 'closedwon', 'Abgeschlossen und gewonnen', 1, true, 1.0),
	('default', 'closedlost', 'Abgeschlossen und verloren', 2, true, 0.0);

INSERT INTO loop.partner (partner_id, name, email, status, registered_at) VALUES
	('AP-20260129-AD2F73', 'Seed 000 Partner', 'seed000@example.com', 'active', '2026-01-29 10:00:00+00'),
	('AP-20260201-LEADS0', 'Leads Partner', 'leads@example.com', 'active', '2026-02-01 10:00:00+00'),
	('AP-20260201-EMPTY0', 'Empty Partner', 'empty@example.com', 'pending', '2026-02-01 11:00:00+00');

-- Seed 000: three contacts (Neu, Qualifiziert, Deal) ...
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, email, company,
								  lifecyclestage, utm_source, utm_medium, utm_campaign, created_at) VALUES
	(1001, 'AP-20260129-AD2F73', 'Markus', 'Weber', 'markus@weber.example', 'Gastro-Betrieb Weber GmbH',
	 'lead', 'linkedin', 'social', 'partner-q1-2026', '2026-02-10 09:00:00+00'),
	(1002, 'AP-20260129-AD2F73', 'Anna', 'Schmidt', 'anna@sonnenhof.example', 'Hotel Sonnenhof GmbH',
	 'marketingqualifiedlead', 'affiliate', 'newsletter', 'partner-newsletter-feb', '2026-02-10 09:05:00+00'),
	(1003, 'AP-20260129-AD2F73', 'Thomas', 'Fischer', 'thomas@fischer.example', 'Bäckerei Fischer GmbH',
	 'opportunity', 'partner', 'email', 'demo-kampagne', '2026-02-10 09:10:00+00');
-- ... and three closed-won deals: 89 active, 150 active, 200 paused, in the window
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(2001, 'AP-20260129-AD2F73', 'Gastro-Betrieb Weber – Ordio Schichtplanung', 'default', 'closedwon',
	 '2026-02-10 10:00:00+00', 89, 'active'),
	(2002, 'AP-20260129-AD2F73', 'Hotel Sonnenhof – Ordio Zeiterfassung', 'default', 'closedwon',
	 '2026-02-10 10:05:00+00', 150, 'active'),
	(2003, 'AP-20260129-AD2F73', 'Bäckerei Fischer – Ordio Starter', 'default', 'closedwon',
	 '2026-02-10 10:10:00+00', 200, 'paused');

-- Seed 000's figures: leads 3 = new 1 (lead) + qualified 1 (MQL) + deal 1
-- (opportunity) + won 0; 3 valid won deals in 90 days -> starter, 20.00 %;
-- MRR 89 * 20 % = 17.80, 150 * 20 % = 30.00, 200 * 20 % = 40.00:
-- total 87.80, active 17.80 + 30.00 = 47.80 (2 active deals), paused 40.00
\x on
SELECT * FROM loop.partner_summary_at(:A) WHERE partner_id = 'AP-20260129-AD2F73';
\x off

-- Earnings page: each deal with its partner share
SELECT deal_id, dealname, kind, stage_label, closedate, deal_mrr, subscription_status, partner_mrr
  FROM loop.partner_deal_at(:A) WHERE partner_id = 'AP-20260129-AD2F73' ORDER BY deal_id;

-- Leads page: status and label (Neu, Qualifiziert, Deal), UTM values,
-- referred_at = createdate (no affiliate_referral_date)
SELECT contact_id, firstname, lastname, company, status, status_label,
	   utm_source, utm_medium, utm_campaign, referred_at
  FROM loop.partner_lead WHERE partner_id = 'AP-20260129-AD2F73' ORDER BY contact_id;

-- Lead-Quellen: each Quelle, Medium and Kampagne value with 1 lead
SELECT dimension, value, leads
  FROM loop.partner_lead_source WHERE partner_id = 'AP-20260129-AD2F73' ORDER BY dimension, value;

-- Leaderboard: the seed partner is #1 with 87.80 (LEADS0 below has 10.00;
-- EMPTY0 has no MRR and is not listed)
INSERT INTO loop.hubspot_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
							   affiliate_mrr, affiliate_subscription_status) VALUES
	(2101, 'AP-20260201-LEADS0', 'Leads Partner – Ordio', 'default', 'closedwon', '2026-02-05 12:00:00+00', 50, 'active');
SELECT * FROM loop.leaderboard_at(:A);

-- The Leads page over every bucket (LEADS0):
--   1101 customer -> won/Gewonnen      1102 evangelist -> won/Gewonnen
--   1103 salesqualifiedlead -> qualified/Qualifiziert
--   1104 lead + hs_lead_status 'Qualified' -> qualified
--   1105 lead + hs_lead_status 'UNQUALIFIED' -> new/Neu
--   1106 NULL, NULL -> new              1107 'OPPORTUNITY' -> deal/Deal
-- referred_at: affiliate_referral_date at 00:00 UTC when set (1101, 1103),
-- else createdate (1102, 1104-1106), NULL when neither (1107)
INSERT INTO loop.hubspot_contact (contact_id, affiliate_partner_id, firstname, lastname, company, email, phone,
								  lifecyclestage, hs_lead_status, affiliate_referral_date,
								  utm_source, utm_medium, utm_campaign, utm_content, utm_term, created_at) VALUES
	(1101, 'AP-20260201-LEADS0', 'Eva', 'Kunde', 'Kunde AG', 'eva@kunde.example', '+49 30 1234567',
	 'customer', NULL, '2026-02-03', 'affiliate', 'email', 'winter', 'banner-a', 'dienstplan', '2026-01-20 15:30:00+00'),
	(1102, 'AP-20260201-LEADS0', 'Emil', 'Fan', NULL, NULL, NULL,
	 'evangelist', NULL, NULL, 'affiliate', NULL, 'winter', NULL, NULL, '2026-01-21 08:15:00+00'),
	(1103, 'AP-20260201-LEADS0', 'Sara', 'Sales', NULL, NULL, NULL,
	 'salesqualifiedlead', NULL, '2026-01-31', 'partner', 'social', NULL, NULL, NULL, '2026-01-22 23:59:59+00'),
	(1104, 'AP-20260201-LEADS0', 'Lea', 'Status', NULL, NULL, NULL,
	 'lead', 'Qualified', NULL, NULL, 'social', NULL, NULL, NULL, '2026-01-23 00:00:00+00'),
	(1105, 'AP-20260201-LEADS0', 'Uwe', 'Unqualified', NULL, NULL, NULL,
	 'lead', 'UNQUALIFIED', NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-24 12:00:00+00'),
	(1106, 'AP-20260201-LEADS0', NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-25 12:00:00+00'),
	(1107, 'AP-20260201-LEADS0', 'Olaf', 'Opportunity', NULL, NULL, NULL,
	 'OPPORTUNITY', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	-- contacts naming a partner id that is not a partner: not anyone's lead
	(1201, 'AP-20260201-NOBODY', 'Nick', 'Niemand', NULL, NULL, NULL,
	 'customer', NULL, NULL, 'affiliate', 'email', 'winter', NULL, NULL, '2026-01-20 00:00:00+00'),
	(1202, 'not-a-partner-id', 'Nina', 'Niemand', NULL, NULL, NULL,
	 'lead', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-20 00:00:00+00');
SELECT contact_id, firstname, lastname, company, email, phone, status, status_label,
	   utm_source, utm_medium, utm_campaign, utm_content, utm_term, referred_at
  FROM loop.partner_lead WHERE partner_id = 'AP-20260201-LEADS0' ORDER BY contact_id;

-- referred_at is 00:00 UTC whatever the session's time zone
SET LOCAL TIME ZONE 'Europe/Berlin';
SELECT contact_id, referred_at = timestamptz '2026-02-03 00:00:00+00' AS midnight_utc,
	   to_char(referred_at, 'YYYY-MM-DD HH24:MI TZ') AS shown_in_berlin
  FROM loop.partner_lead WHERE contact_id = 1101;
SET LOCAL TIME ZONE 'UTC';

-- The unknown partner ids are nowhere: no lead row, no source row, no summary row
SELECT (SELECT count(*) FROM loop.partner_lead) AS lead_rows,
	   (SELECT count(*) FROM loop.partner_lead WHERE contact_id IN (1201, 1202)) AS unknown_partner_leads,
	   (SELECT count(*) FROM loop.partner_lead_source
		 WHERE partner_id IN ('AP-20260201-NOBODY', 'not-a-partner-id')) AS unknown_source_rows,
	   (SELECT count(*) FROM loop.partner_summary_at(:A)) AS summary_rows;

-- LEADS0 summary: 7 leads = new 2 (1105, 1106) + qualified 2 (1103, 1104)
-- + deal 1 (1107) + won 2 (1101, 1102)
SELECT leads_total, leads_new, leads_qualified, leads_deal, leads_won
  FROM loop.partner_summary_at(:A) WHERE partner_id = 'AP-20260201-LEADS0';

-- Lead-Quellen of LEADS0 with the leads that lack a value as a NULL row:
--   source:   affiliate 2 (1101, 1102), partner 1 (1103), NULL 4
--   medium:   email 1, social 2 (1103, 1104), NULL 4
--   campaign: winter 2, NULL 5
SELECT dimension, value, leads
  FROM loop.partner_lead_source WHERE partner_id = 'AP-20260201-LEADS0'
 ORDER BY dimension, value NULLS LAST;

-- For every partner, each dimension sums to leads_total (and the view has
-- exactly the three dimensions)
SELECT s.partner_id, s.leads_total, ls.dimension, ls.leads
  FROM loop.partner_summary_at(:A) s
  LEFT JOIN (SELECT partner_id, dimension, sum(leads) AS leads
			   FROM loop.partner_lead_source GROUP BY partner_id, dimension) ls USING (partner_id)
 ORDER BY s.partner_id, ls.dimension;

-- A partner without leads or deals: one summary row, all zeros, beginner;
-- no rows on the other pages
\x on
SELECT * FROM loop.partner_summary_at(:A) WHERE partner_id = 'AP-20260201-EMPTY0';
\x off
SELECT (SELECT count(*) FROM loop.partner_lead WHERE partner_id = 'AP-20260201-EMPTY0') AS leads,
	   (SELECT count(*) FROM loop.partner_lead_source WHERE partner_id = 'AP-20260201-EMPTY0') AS sources,
	   (SELECT count(*) FROM loop.partner_deal WHERE partner_id = 'AP-20260201-EMPTY0') AS deals,
	   (SELECT count(*) FROM loop.leaderboard WHERE partner_id = 'AP-20260201-EMPTY0') AS ranked;

-- The now()-based views are their functions at now() (nothing
-- time-dependent is printed: only the comparison)
SELECT (SELECT count(*) FROM (TABLE loop.partner_summary
							  EXCEPT ALL SELECT * FROM loop.partner_summary_at(now())) x) AS summary_only_in_view,
	   (SELECT count(*) FROM (SELECT * FROM loop.partner_summary_at(now())
							  EXCEPT ALL TABLE loop.partner_summary) x) AS summary_only_in_function,
	   (SELECT count(*) FROM loop.partner_summary) AS summary_rows;
SELECT (SELECT count(*) FROM (TABLE loop.partner_deal EXCEPT ALL
							  SELECT partner_id, deal_id, dealname, kind, stage_label, closedate, deal_mrr,
									 subscription_status, partner_mrr, pipeline_label, valid_won
								FROM loop.partner_deal_at(now())) x) AS deal_only_in_view,
	   (SELECT count(*) FROM (SELECT partner_id, deal_id, dealname, kind, stage_label, closedate, deal_mrr,
									 subscription_status, partner_mrr, pipeline_label, valid_won
								FROM loop.partner_deal_at(now())
							  EXCEPT ALL TABLE loop.partner_deal) x) AS deal_only_in_function,
	   (SELECT count(*) FROM loop.partner_deal) AS deal_rows;
SELECT (SELECT count(*) FROM (TABLE loop.leaderboard
							  EXCEPT ALL SELECT * FROM loop.leaderboard_at(now())) x) AS leaderboard_only_in_view,
	   (SELECT count(*) FROM (SELECT * FROM loop.leaderboard_at(now())
							  EXCEPT ALL TABLE loop.leaderboard) x) AS leaderboard_only_in_function,
	   (SELECT count(*) FROM loop.leaderboard) AS leaderboard_rows;

-- ... and the pages agree with the summary whenever it is evaluated:
-- leads_total = partner_lead rows, deals_linked = partner_deal rows,
-- deals_won = valid won deals, mrr_total = sum of partner_mrr = leaderboard
SELECT s.partner_id,
	   s.leads_total = coalesce(l.n, 0) AS leads_match,
	   s.deals_linked = coalesce(d.n, 0) AS deals_match,
	   s.deals_won = coalesce(d.n_valid_won, 0) AS won_match,
	   s.mrr_total = coalesce(d.partner_mrr, 0) AS mrr_match,
	   s.mrr_total = coalesce(b.mrr_total, 0) AS leaderboard_match
  FROM loop.partner_summary s
  LEFT JOIN (SELECT partner_id, count(*) AS n FROM loop.partner_lead GROUP BY partner_id) l USING (partner_id)
  LEFT JOIN (SELECT partner_id, count(*) AS n, count(*) FILTER (WHERE valid_won) AS n_valid_won,
					sum(partner_mrr) AS partner_mrr
			   FROM loop.partner_deal GROUP BY partner_id) d USING (partner_id)
  LEFT JOIN loop.leaderboard b USING (partner_id)
 ORDER BY s.partner_id;

ROLLBACK;
