-- test/demo.sql — a partner's dashboard in psql (run by test/demo.sh on the demo portal).
-- The partner shown is the leaderboard's number 1; :partner can be set to another id.
\set QUIET on
\pset footer off
SELECT coalesce(nullif(:'partner', ''), (SELECT partner_id FROM loop.leaderboard ORDER BY rank, partner_id LIMIT 1))
       AS partner \gset
\set QUIET off
\echo
\echo '== Dashboard of' :partner '=='
\echo
\echo '-- Summary (loop.partner_summary)'
\x on
SELECT name, status, level, level_source, mrr_share_percent AS "share %", won_deals_90d,
       leads_total, deals_open AS "deals offen", deals_won AS "deals gewonnen", active_deals,
       mrr_total, mrr_active, mrr_paused, mrr_cancelled
  FROM loop.partner_summary WHERE partner_id = :'partner';
\x off
\echo '-- Conversion funnel (mutually exclusive buckets)'
SELECT stage, leads, round(100.0 * leads / nullif(leads_total, 0), 1) AS "% of leads"
  FROM loop.partner_summary s
  CROSS JOIN LATERAL (VALUES (1, 'Neu', s.leads_new), (2, 'Qualifiziert', s.leads_qualified),
                             (3, 'In Verhandlung', s.leads_deal), (4, 'Gewonnen', s.leads_won)) f(n, stage, leads)
 WHERE s.partner_id = :'partner' ORDER BY f.n;
\echo '-- Lead-Quellen: top 3 per dimension (loop.partner_lead_source)'
SELECT dimension, coalesce(value, '(nicht gesetzt)') AS value, leads
  FROM (SELECT *, row_number() OVER (PARTITION BY dimension ORDER BY leads DESC, value) AS n
          FROM loop.partner_lead_source WHERE partner_id = :'partner') t
 WHERE n <= 3 ORDER BY dimension, leads DESC, value;
\echo '-- Latest leads (loop.partner_lead)'
SELECT firstname || ' ' || lastname AS name, company, status_label AS status, utm_source AS quelle,
       utm_campaign AS kampagne, referred_at::date AS empfohlen
  FROM loop.partner_lead WHERE partner_id = :'partner' ORDER BY referred_at DESC NULLS LAST, contact_id LIMIT 5;
\echo '-- Deals, newest first (loop.partner_deal)'
SELECT dealname, kind, stage_label, closedate::date, deal_mrr, subscription_status, partner_mrr
  FROM loop.partner_deal WHERE partner_id = :'partner' ORDER BY closedate DESC NULLS LAST, deal_id LIMIT 8;
\echo '-- Leaderboard (loop.leaderboard)'
SELECT rank, CASE WHEN partner_id = :'partner' THEN partner_id || '  <- du' ELSE partner_id END AS partner,
       mrr_total FROM loop.leaderboard ORDER BY rank, partner_id LIMIT 10;
\echo '-- Last sync (loop.sync_run)'
SELECT id, status, finished_at - started_at AS duration, contacts_fetched, deals_fetched, warnings, http_requests
  FROM loop.sync_run ORDER BY id DESC LIMIT 1;
\echo '-- Data checks for the admins (loop.check(); the demo portal has deliberate HubSpot data problems)'
SELECT check_name, problem_count FROM loop.check() ORDER BY check_name;
