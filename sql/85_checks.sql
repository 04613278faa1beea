-- sql/85_checks.sql — loop extension install script, part 8e: data checks
--
-- The invariants of seed 002's "Related Scripts" (validate-affiliate-data,
-- validate-program-analytics-consistency, validate-affiliate-deal-pipeline-
-- invariants) and the attribution problems of seed 001's "Troubleshooting",
-- as views that return rows only when something is wrong, and loop.check(),
-- which runs them all and returns one summary row per check.
--
-- Every view is security_invoker: an admin request sees every partner (the
-- admin policies of sql/50_security.sql), a superuser sees everything, and
-- nobody else is granted anything here. Like the admin views of
-- sql/80_admin.sql they return no rows to a loop_admin request whose claims
-- do not name a valid admin (loop.admin_view_allowed), so a revoked admin's
-- unexpired token shows nothing. The checks read the same views the
-- dashboards read (loop.partner_summary, api.admin_partners of
-- sql/80_admin.sql, loop.partner_snapshot of sql/82_history.sql) and compare
-- them with independent counts of the mirror tables.

-- 1. Funnel: new + qualified + deal + won = total ----------------------------------

CREATE VIEW loop.check_funnel_sum WITH (security_invoker = true) AS
WITH raw AS (
	SELECT c.affiliate_partner_id AS partner_id, count(*)::integer AS leads
	  FROM loop.hubspot_contact c
	 GROUP BY c.affiliate_partner_id
), per_partner AS (
	SELECT 'partner'::text AS scope, s.partner_id, s.leads_new, s.leads_qualified, s.leads_deal, s.leads_won,
		   s.leads_total, coalesce(r.leads, 0) AS leads_counted, NULL::integer AS trend_referrals
	  FROM loop.partner_summary s
	  LEFT JOIN raw r ON r.partner_id = s.partner_id
), program AS (
	SELECT 'program'::text AS scope, NULL::text AS partner_id,
		   coalesce(sum(p.leads_new), 0)::integer AS leads_new,
		   coalesce(sum(p.leads_qualified), 0)::integer AS leads_qualified,
		   coalesce(sum(p.leads_deal), 0)::integer AS leads_deal,
		   coalesce(sum(p.leads_won), 0)::integer AS leads_won,
		   coalesce(sum(p.leads_total), 0)::integer AS leads_total,
		   (SELECT count(*)::integer FROM loop.hubspot_contact c
			 WHERE EXISTS (SELECT 1 FROM loop.partner pa WHERE pa.partner_id = c.affiliate_partner_id)) AS leads_counted,
		   NULL::integer AS trend_referrals
	  FROM per_partner p
), dated AS (
	SELECT min((l.referred_at AT TIME ZONE 'UTC')::date) AS from_date,
		   max((l.referred_at AT TIME ZONE 'UTC')::date) AS to_date,
		   count(*)::integer AS leads
	  FROM loop.partner_lead l
	 WHERE l.referred_at IS NOT NULL
), analytics AS (
	SELECT 'program_analytics'::text AS scope, NULL::text AS partner_id, f.new, f.qualified, f.deal, f.won, f.total,
		   d.leads,
		   CASE WHEN (extract(year FROM d.to_date) - extract(year FROM d.from_date)) * 12
					 + extract(month FROM d.to_date) - extract(month FROM d.from_date) < 1000
				THEN (SELECT coalesce(sum(t.referrals), 0)::integer
						FROM api.program_trend(d.from_date, d.to_date, 'month') t) END
	  FROM dated d
	 CROSS JOIN LATERAL api.program_funnel(d.from_date, d.to_date) f
	 WHERE d.from_date IS NOT NULL
), rows_ AS (
	SELECT * FROM per_partner
	UNION ALL
	SELECT * FROM program
	UNION ALL
	SELECT * FROM analytics
)
SELECT r.scope, r.partner_id, r.leads_new, r.leads_qualified, r.leads_deal, r.leads_won,
	   r.leads_new + r.leads_qualified + r.leads_deal + r.leads_won AS stage_sum, r.leads_total, r.leads_counted,
	   r.trend_referrals
  FROM rows_ r
 WHERE (r.leads_new + r.leads_qualified + r.leads_deal + r.leads_won <> r.leads_total
		OR r.leads_total <> r.leads_counted
		OR r.trend_referrals <> r.leads_total)
   AND (SELECT loop.admin_view_allowed());
COMMENT ON VIEW loop.check_funnel_sum IS
	'Data check (seed 002 "Conversion Funnel", validate-program-analytics-consistency): rows only when the mutually '
	'exclusive funnel does not add up, i.e. stage_sum = leads_new + leads_qualified + leads_deal + leads_won differs '
	'from leads_total, leads_total differs from leads_counted (an independent count of the leads), or the trend''s '
	'referrals differ from leads_total. scope partner: one row per partner, buckets from loop.partner_summary, '
	'leads_counted = mirrored contacts naming the partner. scope program: the sums over every partner (as '
	'api.program_kpis shows them), leads_counted = contacts naming an existing partner. scope program_analytics: '
	'Programm-Analyse over every referral date (api.program_funnel from the first to the last UTC date of referred_at), '
	'leads_counted = leads with a referred_at, trend_referrals = the sum of api.program_trend''s monthly referrals '
	'over the same range (glossary: trend lead bucket sums match leads_in_period; NULL when the range has 1000 months '
	'or more). partner_id is NULL on the program rows. Empty when the funnel is consistent. Rows only for a valid '
	'admin or a non-API role (loop.admin_view_allowed).';

-- 2. Deal pipeline: open + lost + won-stage = linked -------------------------------

CREATE VIEW loop.check_deal_pipeline WITH (security_invoker = true) AS
SELECT s.partner_id, s.deals_open, s.deals_lost, coalesce(w.won_stage, 0) AS deals_won_stage,
	   s.deals_open + s.deals_lost + coalesce(w.won_stage, 0) AS stage_sum,
	   coalesce(r.linked, 0) AS deals_linked
  FROM loop.partner_summary s
  LEFT JOIN (SELECT d.partner_id, count(*) FILTER (WHERE d.kind = 'won')::integer AS won_stage
			   FROM loop.partner_deal d GROUP BY d.partner_id) w ON w.partner_id = s.partner_id
  LEFT JOIN (SELECT h.affiliate_partner_id AS partner_id, count(*)::integer AS linked
			   FROM loop.hubspot_deal h GROUP BY h.affiliate_partner_id) r ON r.partner_id = s.partner_id
 WHERE s.deals_open + s.deals_lost + coalesce(w.won_stage, 0) <> coalesce(r.linked, 0)
   AND (SELECT loop.admin_view_allowed());
COMMENT ON VIEW loop.check_deal_pipeline IS
	'Data check (seed 002, validate-affiliate-deal-pipeline-invariants): one row per partner whose open pipeline '
	'deals plus Closed Lost deals (loop.partner_summary deals_open, deals_lost) plus deals in a won stage '
	'(deals_won_stage: every deal of kind won in loop.partner_deal, valid or not) differ from deals_linked, an '
	'independent count of the mirrored deals naming the partner (glossary deals_count). Empty when consistent. Rows '
	'only for a valid admin or a non-API role (loop.admin_view_allowed).';

-- 3. Summary, admin list and snapshots agree ---------------------------------------

CREATE FUNCTION loop.summary_consistency_problems()
RETURNS TABLE (source text, partner_id text, snapshot_date date, field text, expected jsonb, actual jsonb)
LANGUAGE sql STABLE
SET jit = off
BEGIN ATOMIC
	WITH admin_cmp AS (
		SELECT coalesce(s.partner_id, a.partner_id) AS partner_id, f.field, f.expected, f.actual
		  FROM loop.partner_summary s
		  FULL JOIN api.admin_partners a ON a.partner_id = s.partner_id
		 CROSS JOIN LATERAL (
			SELECT v.field, v.expected, v.actual
			  FROM (VALUES
				('row', to_jsonb(CASE WHEN s.partner_id IS NULL THEN 'missing' ELSE 'present' END),
						to_jsonb(CASE WHEN a.partner_id IS NULL THEN 'missing' ELSE 'present' END)),
				('leads_total', to_jsonb(s.leads_total), to_jsonb(a.leads_total)),
				('deals_linked', to_jsonb(s.deals_linked), to_jsonb(a.deals_linked)),
				('deals_open', to_jsonb(s.deals_open), to_jsonb(a.deals_open)),
				('deals_won', to_jsonb(s.deals_won), to_jsonb(a.deals_won)),
				('deals_lost', to_jsonb(s.deals_lost), to_jsonb(a.deals_lost)),
				('level', to_jsonb(s.level), to_jsonb(a.level)),
				('level_source', to_jsonb(s.level_source), to_jsonb(a.level_source)),
				('mrr_share_percent', to_jsonb(s.mrr_share_percent), to_jsonb(a.mrr_share_percent)),
				('mrr_total', to_jsonb(s.mrr_total), to_jsonb(a.mrr_total)),
				('mrr_active', to_jsonb(s.mrr_active), to_jsonb(a.mrr_active))) AS v(field, expected, actual)
			 WHERE (s.partner_id IS NULL OR a.partner_id IS NULL) = (v.field = 'row')) f
	), latest AS (
		SELECT DISTINCT ON (n.partner_id) n.*
		  FROM loop.partner_snapshot n
		 WHERE EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = n.partner_id)
		 ORDER BY n.partner_id, n.snapshot_date DESC, n.taken_at DESC
	), at_ AS (
		SELECT DISTINCT l.taken_at FROM latest l
	), summary_at AS (
		SELECT t.taken_at, r.* FROM at_ t CROSS JOIN LATERAL loop.partner_summary_at(t.taken_at) r
	), level_at AS (
		SELECT t.taken_at, v.* FROM at_ t CROSS JOIN LATERAL loop.partner_level_at(t.taken_at) v
	), snapshot_cmp AS (
		SELECT n.partner_id, n.snapshot_date, f.field, f.expected, f.actual
		  FROM latest n
		  LEFT JOIN summary_at r ON r.taken_at = n.taken_at AND r.partner_id = n.partner_id
		  LEFT JOIN level_at l ON l.taken_at = n.taken_at AND l.partner_id = n.partner_id
		  LEFT JOIN LATERAL (
			SELECT coalesce(sum(loop.partner_mrr(d.affiliate_mrr, n.level)), 0)::numeric(12,2) AS mrr_total,
				   coalesce(sum(loop.partner_mrr(d.affiliate_mrr, n.level))
							FILTER (WHERE d.affiliate_subscription_status = 'active'), 0)::numeric(12,2) AS mrr_active,
				   coalesce(sum(loop.partner_mrr(d.affiliate_mrr, n.level))
							FILTER (WHERE d.affiliate_subscription_status = 'paused'), 0)::numeric(12,2) AS mrr_paused,
				   coalesce(sum(loop.partner_mrr(d.affiliate_mrr, n.level))
							FILTER (WHERE d.affiliate_subscription_status = 'cancelled'), 0)::numeric(12,2) AS mrr_cancelled
			  FROM loop.deal_detail d
			 WHERE d.affiliate_partner_id = n.partner_id AND d.valid_won) m ON true
		 CROSS JOIN LATERAL (
			SELECT v.field, v.expected, v.actual
			  FROM (VALUES
				('leads_total', to_jsonb(r.leads_total), to_jsonb(n.leads_total)),
				('leads_new', to_jsonb(r.leads_new), to_jsonb(n.leads_new)),
				('leads_qualified', to_jsonb(r.leads_qualified), to_jsonb(n.leads_qualified)),
				('leads_deal', to_jsonb(r.leads_deal), to_jsonb(n.leads_deal)),
				('leads_won', to_jsonb(r.leads_won), to_jsonb(n.leads_won)),
				('deals_linked', to_jsonb(r.deals_linked), to_jsonb(n.deals_linked)),
				('deals_open', to_jsonb(r.deals_open), to_jsonb(n.deals_open)),
				('deals_won', to_jsonb(r.deals_won), to_jsonb(n.deals_won)),
				('deals_lost', to_jsonb(r.deals_lost), to_jsonb(n.deals_lost)),
				('active_deals', to_jsonb(r.active_deals), to_jsonb(n.active_deals)),
				('won_deals_90d', to_jsonb(l.won_deals_90d), to_jsonb(n.won_deals_90d)),
				('level', to_jsonb(CASE WHEN n.level_source = 'calculated' THEN l.calculated_level ELSE n.level END),
						  to_jsonb(n.level)),
				('mrr_share_percent', to_jsonb(loop.mrr_share_percent(n.level)), to_jsonb(n.mrr_share_percent)),
				('mrr_total', to_jsonb(m.mrr_total), to_jsonb(n.mrr_total)),
				('mrr_active', to_jsonb(m.mrr_active), to_jsonb(n.mrr_active)),
				('mrr_paused', to_jsonb(m.mrr_paused), to_jsonb(n.mrr_paused)),
				('mrr_cancelled', to_jsonb(m.mrr_cancelled), to_jsonb(n.mrr_cancelled))) AS v(field, expected, actual)) f
	)
	SELECT c.source, c.partner_id, c.snapshot_date, c.field, c.expected, c.actual
	  FROM (SELECT 'admin_partners'::text AS source, a.partner_id, NULL::date AS snapshot_date, a.field,
				   a.expected, a.actual
			  FROM admin_cmp a
			UNION ALL
			SELECT 'snapshot', s.partner_id, s.snapshot_date, s.field, s.expected, s.actual
			  FROM snapshot_cmp s) c
	 WHERE c.expected IS DISTINCT FROM c.actual;
END;
COMMENT ON FUNCTION loop.summary_consistency_problems() IS
	'The rows of loop.check_summary_consistency (see there). A function only so that it can run with jit = off: '
	'the planner''s estimates for partner_summary_at per snapshot time exceed the JIT thresholds even on tiny data, '
	'and compiling the plan costs seconds while running it costs milliseconds.';

CREATE VIEW loop.check_summary_consistency WITH (security_invoker = true) AS
SELECT c.source, c.partner_id, c.snapshot_date, c.field, c.expected, c.actual
  FROM loop.summary_consistency_problems() c
 WHERE (SELECT loop.admin_view_allowed());
COMMENT ON VIEW loop.check_summary_consistency IS
	'Data check (seed 002, validate-affiliate-data: leads_count, deals_count and MRR across data sources): one row per '
	'field that disagrees (expected and actual as jsonb; numbers compare by value). source admin_partners: '
	'api.admin_partners against loop.partner_summary — leads_total, deals_linked, deals_open, deals_won, deals_lost, '
	'level, level_source, mrr_share_percent, mrr_total, mrr_active, or field row (present|missing) when a partner is '
	'in only one of them. source snapshot (with its snapshot_date): each existing partner''s latest '
	'loop.partner_snapshot against loop.partner_summary_at(taken_at) — leads and deal counts, active_deals, '
	'won_deals_90d, the level (only when the snapshot''s level was calculated: an admin override can change after '
	'the snapshot), and mrr_share_percent and mrr_* recomputed from the valid won deals at the snapshot''s own level, '
	'so an override set or cleared since the last sync is not reported. Empty when consistent. Rows only for a valid '
	'admin or a non-API role (loop.admin_view_allowed).';

-- 4. No duplicate partner ids or emails ----------------------------------------

CREATE VIEW loop.check_duplicate_partners WITH (security_invoker = true) AS
SELECT d.source, d.key, d.value, d.rows, d.partner_ids
  FROM (SELECT 'partner'::text AS source, 'partner_id'::text AS key, upper(p.partner_id) AS value,
			   count(*)::integer AS rows, array_agg(p.partner_id ORDER BY p.partner_id) AS partner_ids
		  FROM loop.partner p GROUP BY upper(p.partner_id)
		UNION ALL
		SELECT 'partner', 'email', lower(p.email), count(*)::integer, array_agg(p.partner_id ORDER BY p.partner_id)
		  FROM loop.partner p GROUP BY lower(p.email)
		UNION ALL
		SELECT 'partner_summary', 'partner_id', upper(s.partner_id), count(*)::integer,
			   array_agg(s.partner_id ORDER BY s.partner_id)
		  FROM loop.partner_summary s GROUP BY upper(s.partner_id)
		UNION ALL
		SELECT 'admin_partners', 'partner_id', upper(a.partner_id), count(*)::integer,
			   array_agg(a.partner_id ORDER BY a.partner_id)
		  FROM api.admin_partners a GROUP BY upper(a.partner_id)
		UNION ALL
		SELECT 'admin_partners', 'email', lower(a.email), count(*)::integer,
			   array_agg(a.partner_id ORDER BY a.partner_id)
		  FROM api.admin_partners a GROUP BY lower(a.email)) d
 WHERE d.rows > 1
   AND (SELECT loop.admin_view_allowed());
COMMENT ON VIEW loop.check_duplicate_partners IS
	'Data check (seed 002, validate-affiliate-data: duplicate partner IDs): one row per partner id (compared '
	'upper-cased) or email (compared lower-cased) that occurs more than once in a source — the partner table, '
	'loop.partner_summary or api.admin_partners —, with the number of rows and the partner ids involved. The table''s '
	'primary key and unique lower(email) index prevent it there; the views are checked for join fan-out. Empty when '
	'there are no duplicates. Rows only for a valid admin or a non-API role (loop.admin_view_allowed).';

-- 5. Attribution problems: what sales must fix in HubSpot ---------------------------

CREATE VIEW loop.attribution_problems WITH (security_invoker = true) AS
WITH deal AS (
	SELECT h.deal_id, h.affiliate_partner_id, h.dealname, d.kind, h.affiliate_mrr, h.affiliate_subscription_status,
		   nullif(btrim(h.properties ->> 'affiliate_mrr'), '') AS raw_mrr,
		   nullif(btrim(h.properties ->> 'affiliate_subscription_status'), '') AS raw_status,
		   CASE WHEN d.kind = 'won'
				THEN ' Until then this Closed Won deal does not count toward the partner''s MRR.' ELSE '' END AS won_note
	  FROM loop.hubspot_deal h
	  JOIN loop.deal_detail d ON d.deal_id = h.deal_id
), attributed AS (
	SELECT 'deal'::text AS object, d.deal_id AS hubspot_id, d.affiliate_partner_id, d.dealname AS label, d.kind
	  FROM deal d
	UNION ALL
	SELECT 'contact', c.contact_id, c.affiliate_partner_id,
		   coalesce(nullif(concat_ws(' ', c.firstname, c.lastname), ''), c.email), NULL
	  FROM loop.hubspot_contact c
), problem AS (
	-- a contact or deal naming a partner id that does not exist
	SELECT t.object, t.hubspot_id, t.affiliate_partner_id, t.label, t.kind,
		   'unknown_partner'::text AS problem, 'affiliate_partner_id'::text AS property,
		   t.affiliate_partner_id AS value,
		   CASE WHEN near.partner_id IS NOT NULL THEN
				format('Set affiliate_partner_id on the %s to %s: "%s" differs from that Partner ID only in case '
					   'or spaces, so nothing is attributed to the partner.',
					   t.object, near.partner_id, t.affiliate_partner_id)
				WHEN t.object = 'deal' THEN
				format('Set affiliate_partner_id on the deal to the referring partner''s Partner ID '
					   '(AP-YYYYMMDD-XXXXXX, copied from the contact) or clear it: no partner has the id "%s".',
					   t.affiliate_partner_id)
				ELSE
				format('Set affiliate_partner_id on the contact to the referring partner''s Partner ID '
					   '(AP-YYYYMMDD-XXXXXX) or clear it: no partner has the id "%s".', t.affiliate_partner_id)
		   END AS fix
	  FROM attributed t
	  LEFT JOIN LATERAL (
		SELECT p.partner_id FROM loop.partner p
		 WHERE p.partner_id = upper(btrim(t.affiliate_partner_id)) LIMIT 1) near ON true
	 WHERE NOT EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = t.affiliate_partner_id)
	UNION ALL
	-- affiliate_mrr missing (won and open deals), unparsable or not positive
	SELECT 'deal', d.deal_id, d.affiliate_partner_id, d.dealname, d.kind, m.problem, 'affiliate_mrr',
		   coalesce(d.raw_mrr, d.affiliate_mrr::text), m.fix || d.won_note
	  FROM deal d
	 CROSS JOIN LATERAL (
		SELECT CASE WHEN d.affiliate_mrr IS NULL AND d.raw_mrr IS NOT NULL THEN 'mrr_invalid'
					WHEN d.affiliate_mrr IS NULL AND d.kind = 'won' THEN 'won_mrr_missing'
					WHEN d.affiliate_mrr IS NULL AND d.kind = 'open' THEN 'mrr_missing'
					WHEN d.affiliate_mrr <= 0 THEN 'mrr_not_positive' END AS problem) c
	 CROSS JOIN LATERAL (
		SELECT c.problem,
			   CASE c.problem
				WHEN 'mrr_invalid' THEN
					format('Replace affiliate_mrr "%s" with the customer''s monthly amount in EUR as a plain positive '
						   'number (e.g. 89 or 89.50: digits and a decimal point, no currency sign).', d.raw_mrr)
				WHEN 'mrr_not_positive' THEN
					format('Set affiliate_mrr to the customer''s monthly amount in EUR (a positive number); %s is not.',
						   d.affiliate_mrr)
				ELSE 'Set affiliate_mrr to the customer''s monthly amount in EUR (a positive number, e.g. 89 for '
					 '€89/month).'
			   END AS fix) m
	 WHERE c.problem IS NOT NULL
	UNION ALL
	-- affiliate_subscription_status missing (won and open deals) or not Active/Paused/Cancelled
	SELECT 'deal', d.deal_id, d.affiliate_partner_id, d.dealname, d.kind, c.problem, 'affiliate_subscription_status',
		   d.raw_status,
		   CASE c.problem
			WHEN 'status_invalid' THEN
				format('Replace affiliate_subscription_status "%s" with Active, Paused or Cancelled.', d.raw_status)
			ELSE 'Set affiliate_subscription_status to Active, Paused or Cancelled.'
		   END || d.won_note
	  FROM deal d
	 CROSS JOIN LATERAL (
		SELECT CASE WHEN d.affiliate_subscription_status IS NULL AND d.raw_status IS NOT NULL THEN 'status_invalid'
					WHEN d.affiliate_subscription_status IS NULL AND d.kind = 'won' THEN 'won_status_missing'
					WHEN d.affiliate_subscription_status IS NULL AND d.kind = 'open' THEN 'status_missing'
			   END AS problem) c
	 WHERE c.problem IS NOT NULL
)
SELECT p.object, p.hubspot_id, p.affiliate_partner_id, p.label, p.kind AS deal_kind, p.problem, p.property,
	   p.value, p.fix
  FROM problem p
 WHERE (SELECT loop.admin_view_allowed());
COMMENT ON VIEW loop.attribution_problems IS
	'Attribution problems (seed 001 "Troubleshooting", DESIGN.md "Valid won deal"): one row per problem, each saying '
	'what to fix in HubSpot. object deal|contact, hubspot_id (HubSpot record id), affiliate_partner_id, label (deal '
	'name, or the contact''s name or email), deal_kind (open|won|lost; NULL for contacts), property (the HubSpot '
	'property to fix), value (its current value as HubSpot sent it, NULL when empty) and fix (an English sentence). '
	'problem: unknown_partner — the contact or deal names a partner id that does not exist (fix names the partner '
	'when only case or spaces differ); mrr_invalid — affiliate_mrr did not parse as a number; mrr_not_positive — it '
	'is 0 or negative; won_mrr_missing / mrr_missing — it is empty on a deal in a won / an open stage; '
	'status_invalid — affiliate_subscription_status is not Active, Paused or Cancelled (any case); '
	'won_status_missing / status_missing — it is empty on a deal in a won / an open stage. Closed Lost deals need '
	'no MRR, so empty values there are not problems. A won deal with any affiliate_mrr or status problem does not '
	'count toward the partner''s MRR. Rows only for a valid admin or a non-API role (loop.admin_view_allowed); '
	'PostgREST: api.attribution_problems.';

CREATE VIEW api.attribution_problems WITH (security_invoker = true) AS
SELECT p.object, p.hubspot_id, p.affiliate_partner_id, p.label, p.deal_kind, p.problem, p.property, p.value, p.fix
  FROM loop.attribution_problems p
 WHERE (SELECT loop.admin_view_allowed())
 ORDER BY p.object DESC, p.hubspot_id, p.problem;
COMMENT ON VIEW api.attribution_problems IS
	'Verwaltung → data quality (seed 001 "Troubleshooting"): deals and contacts whose affiliate properties sales must '
	'fix in HubSpot, one row per problem with the property, its current value and the fix as a sentence; deals '
	'first, by HubSpot id. Filter with ?problem=eq.won_mrr_missing or ?affiliate_partner_id=eq.AP-…. Rows only for a '
	'valid admin (loop.admin_view_allowed); loop_admin only — partners and anonymous requests get 42501. See '
	'loop.attribution_problems for the columns and problem codes.';

-- 6. loop.check(): every check at once ------------------------------------------

CREATE FUNCTION loop.check()
RETURNS TABLE (check_name text, problem_count integer, detail jsonb)
LANGUAGE sql STABLE
SET jit = off
BEGIN ATOMIC
	SELECT r.check_name, r.problem_count, r.detail
	  FROM (SELECT 1 AS position, 'funnel_sum'::text AS check_name, count(*)::integer AS problem_count,
				   coalesce(jsonb_agg(t.j ORDER BY t.n) FILTER (WHERE t.n <= 10), '[]'::jsonb) AS detail
			  FROM (SELECT to_jsonb(c) AS j, row_number() OVER (ORDER BY c.scope, c.partner_id) AS n
					  FROM loop.check_funnel_sum c) t
			UNION ALL
			SELECT 2, 'deal_pipeline', count(*)::integer,
				   coalesce(jsonb_agg(t.j ORDER BY t.n) FILTER (WHERE t.n <= 10), '[]'::jsonb)
			  FROM (SELECT to_jsonb(c) AS j, row_number() OVER (ORDER BY c.partner_id) AS n
					  FROM loop.check_deal_pipeline c) t
			UNION ALL
			SELECT 3, 'summary_consistency', count(*)::integer,
				   coalesce(jsonb_agg(t.j ORDER BY t.n) FILTER (WHERE t.n <= 10), '[]'::jsonb)
			  FROM (SELECT to_jsonb(c) AS j,
						   row_number() OVER (ORDER BY c.source, c.partner_id, c.snapshot_date, c.field) AS n
					  FROM loop.check_summary_consistency c) t
			UNION ALL
			SELECT 4, 'duplicate_partners', count(*)::integer,
				   coalesce(jsonb_agg(t.j ORDER BY t.n) FILTER (WHERE t.n <= 10), '[]'::jsonb)
			  FROM (SELECT to_jsonb(c) AS j, row_number() OVER (ORDER BY c.source, c.key, c.value) AS n
					  FROM loop.check_duplicate_partners c) t
			UNION ALL
			SELECT 5, 'attribution_problems', count(*)::integer,
				   coalesce(jsonb_agg(t.j ORDER BY t.n) FILTER (WHERE t.n <= 10), '[]'::jsonb)
			  FROM (SELECT to_jsonb(c) AS j, row_number() OVER (ORDER BY c.object DESC, c.hubspot_id, c.problem) AS n
					  FROM loop.attribution_problems c) t) r
	 WHERE (SELECT loop.admin_view_allowed())
	 ORDER BY r.position;
END;
COMMENT ON FUNCTION loop.check() IS
	'Runs every data check and returns one row per check, in this order: funnel_sum (loop.check_funnel_sum), '
	'deal_pipeline (loop.check_deal_pipeline), summary_consistency (loop.check_summary_consistency), '
	'duplicate_partners (loop.check_duplicate_partners), attribution_problems (loop.attribution_problems). '
	'problem_count: rows the check returned (0 = consistent); detail: the first 10 of them as a jsonb array of '
	'objects (empty array when none). Runs with the caller''s rights: for superusers and admin requests '
	'(loop_admin; no rows unless the claims name a valid admin, loop.admin_view_allowed); everyone else lacks '
	'EXECUTE. Runs with jit = off (its plan is cheap to run but costly to JIT-compile). Through PostgREST: '
	'api.data_checks.';

CREATE VIEW api.data_checks WITH (security_invoker = true) AS
SELECT c.check_name, c.problem_count, c.detail FROM loop.check() c;
COMMENT ON VIEW api.data_checks IS
	'Verwaltung → data checks: loop.check() for admins — one row per check (funnel_sum, deal_pipeline, '
	'summary_consistency, duplicate_partners, attribution_problems) with problem_count (0 = consistent) and the first '
	'10 offending rows as jsonb. Admins only; partners and anonymous requests get 42501.';

-- Privileges ------------------------------------------------------------------

REVOKE ALL ON FUNCTION loop.summary_consistency_problems(), loop.check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.summary_consistency_problems(), loop.check() TO loop_admin;
GRANT SELECT ON loop.check_funnel_sum, loop.check_deal_pipeline, loop.check_summary_consistency,
	loop.check_duplicate_partners, loop.attribution_problems TO loop_admin;
GRANT SELECT ON api.attribution_problems, api.data_checks TO loop_admin;
