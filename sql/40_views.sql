-- sql/40_views.sql — loop extension install script, part 4: the partner views
--
-- Every view that depends on the level's reference time is a thin wrapper
-- over a function of as_of (e.g. loop.partner_summary = partner_summary_at(now())),
-- so tests and analysts can evaluate the same rules at any instant. The
-- functions use SQL-standard bodies (BEGIN ATOMIC): names are resolved when
-- the extension is created, not through the caller's search_path, and the
-- planner can still inline them into the calling query.

CREATE FUNCTION loop.lead_status_label(status text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE status
	WHEN 'new' THEN 'Neu'
	WHEN 'qualified' THEN 'Qualifiziert'
	WHEN 'deal' THEN 'Deal'
	WHEN 'won' THEN 'Gewonnen'
END;
COMMENT ON FUNCTION loop.lead_status_label(text) IS
	'German label of a loop.lead_status value as the Leads page shows it (seed 001): new→Neu, qualified→Qualifiziert, '
	'deal→Deal (lifecycle opportunity, "In Verhandlung" in the funnel), won→Gewonnen; NULL for anything else.';

CREATE VIEW loop.deal_detail WITH (security_invoker = true) AS
SELECT d.deal_id, d.affiliate_partner_id, d.dealname, d.pipeline, p.label AS pipeline_label,
	   d.dealstage, s.label AS stage_label, coalesce(s.kind, 'open') AS kind,
	   d.closedate, d.affiliate_mrr, d.affiliate_subscription_status,
	   coalesce(coalesce(s.kind, 'open') = 'won'
		AND d.affiliate_mrr > 0
		AND d.affiliate_subscription_status IS NOT NULL, false) AS valid_won
  FROM loop.hubspot_deal d
  LEFT JOIN loop.hubspot_deal_stage s ON s.pipeline_id = d.pipeline AND s.stage_id = d.dealstage
  LEFT JOIN loop.hubspot_pipeline p ON p.pipeline_id = d.pipeline;
COMMENT ON VIEW loop.deal_detail IS
	'Every mirrored deal with its pipeline/stage labels, kind (open|won|lost from the stage metadata; open when the '
	'stage is unknown) and valid_won: kind won, affiliate_mrr > 0 and a subscription status (DESIGN.md "Valid won deal").';

CREATE FUNCTION loop.partner_level_at(as_of timestamptz)
RETURNS TABLE (partner_id text, level text, level_source text, calculated_level text,
			   won_deals_90d integer, won_deals_ever integer)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT p.partner_id,
		   CASE WHEN o.active THEN p.level_override ELSE c.level END,
		   CASE WHEN o.active THEN 'override' ELSE 'calculated' END,
		   c.level, w.won_90d, w.won_ever
	  FROM loop.partner p
	  CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE d.closedate >= as_of - interval '2160 hours'
								  AND d.closedate <= as_of)::integer AS won_90d,
			   count(*) FILTER (WHERE d.closedate IS NULL OR d.closedate <= as_of)::integer AS won_ever
		  FROM loop.deal_detail d
		 WHERE d.affiliate_partner_id = p.partner_id AND d.valid_won) w
	  CROSS JOIN LATERAL (SELECT loop.level_for(w.won_90d, w.won_ever) AS level) c
	  CROSS JOIN LATERAL (
		SELECT p.level_override IS NOT NULL
			   AND (p.level_override_until IS NULL OR p.level_override_until > as_of) AS active) o;
END;
COMMENT ON FUNCTION loop.partner_level_at(timestamptz) IS
	'Level of every partner at reference time as_of: valid won deals with closedate in [as_of − 90×24 h, as_of] '
	'(won_deals_90d) and up to as_of (won_deals_ever) give loop.level_for; an unexpired admin override replaces it '
	'(level_source override|calculated). Source: DESIGN.md "Level", seed 003 "Level Calculation".';

CREATE FUNCTION loop.partner_deal_at(as_of timestamptz)
RETURNS TABLE (partner_id text, deal_id bigint, dealname text, kind text, pipeline_label text,
			   stage_label text, closedate timestamptz, deal_mrr numeric(12,2),
			   subscription_status text, partner_mrr numeric(12,2), valid_won boolean)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT d.affiliate_partner_id, d.deal_id, d.dealname, d.kind, d.pipeline_label, d.stage_label,
		   d.closedate, d.affiliate_mrr, d.affiliate_subscription_status,
		   CASE WHEN d.valid_won THEN loop.partner_mrr(d.affiliate_mrr, l.level) END::numeric(12,2),
		   d.valid_won
	  FROM loop.deal_detail d
	  JOIN loop.partner_level_at(as_of) l ON l.partner_id = d.affiliate_partner_id;
END;
COMMENT ON FUNCTION loop.partner_deal_at(timestamptz) IS
	'Deals of every partner at reference time as_of; partner_mrr (EUR) = loop.partner_mrr(deal_mrr, level at as_of) '
	'for valid won deals, NULL otherwise. Backs loop.partner_deal.';

CREATE FUNCTION loop.partner_summary_at(as_of timestamptz)
RETURNS TABLE (partner_id text, name text, status text, level text, level_source text,
			   mrr_share_percent numeric(5,2), won_deals_90d integer,
			   leads_total integer, leads_new integer, leads_qualified integer, leads_deal integer,
			   leads_won integer, deals_open integer, deals_won integer, deals_lost integer,
			   active_deals integer, mrr_total numeric(12,2), mrr_active numeric(12,2),
			   mrr_paused numeric(12,2), mrr_cancelled numeric(12,2), deals_linked integer)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	-- Each part is computed once per query (MATERIALIZED): left to the
	-- planner, a join from outside could turn the deal aggregate into the
	-- inner side of a nested loop and recompute it once per partner.
	WITH l AS MATERIALIZED (
		SELECT * FROM loop.partner_level_at(as_of)
	), ld AS MATERIALIZED (
		SELECT s.partner_id, count(*)::integer AS total,
			   count(*) FILTER (WHERE s.st = 'new')::integer AS n_new,
			   count(*) FILTER (WHERE s.st = 'qualified')::integer AS n_qualified,
			   count(*) FILTER (WHERE s.st = 'deal')::integer AS n_deal,
			   count(*) FILTER (WHERE s.st = 'won')::integer AS n_won
		  FROM (SELECT c.affiliate_partner_id AS partner_id,
					   loop.lead_status(c.lifecyclestage, c.hs_lead_status) AS st
				  FROM loop.hubspot_contact c) s
		 GROUP BY s.partner_id
	), dl AS MATERIALIZED (
		SELECT d.partner_id, count(*)::integer AS n_linked,
			   count(*) FILTER (WHERE d.kind = 'open')::integer AS n_open,
			   count(*) FILTER (WHERE d.valid_won)::integer AS n_won,
			   count(*) FILTER (WHERE d.kind = 'lost')::integer AS n_lost,
			   count(*) FILTER (WHERE d.valid_won AND d.subscription_status = 'active')::integer AS n_active,
			   sum(d.partner_mrr) AS mrr_total,
			   sum(d.partner_mrr) FILTER (WHERE d.subscription_status = 'active') AS mrr_active,
			   sum(d.partner_mrr) FILTER (WHERE d.subscription_status = 'paused') AS mrr_paused,
			   sum(d.partner_mrr) FILTER (WHERE d.subscription_status = 'cancelled') AS mrr_cancelled
		  FROM loop.partner_deal_at(as_of) d
		 GROUP BY d.partner_id
	)
	SELECT p.partner_id, p.name, p.status, l.level, l.level_source,
		   loop.mrr_share_percent(l.level)::numeric(5,2), l.won_deals_90d,
		   coalesce(ld.total, 0), coalesce(ld.n_new, 0), coalesce(ld.n_qualified, 0),
		   coalesce(ld.n_deal, 0), coalesce(ld.n_won, 0),
		   coalesce(dl.n_open, 0), coalesce(dl.n_won, 0), coalesce(dl.n_lost, 0),
		   coalesce(dl.n_active, 0),
		   coalesce(dl.mrr_total, 0)::numeric(12,2), coalesce(dl.mrr_active, 0)::numeric(12,2),
		   coalesce(dl.mrr_paused, 0)::numeric(12,2), coalesce(dl.mrr_cancelled, 0)::numeric(12,2),
		   coalesce(dl.n_linked, 0)
	  FROM loop.partner p
	  JOIN l ON l.partner_id = p.partner_id
	  LEFT JOIN ld ON ld.partner_id = p.partner_id
	  LEFT JOIN dl ON dl.partner_id = p.partner_id;
END;
COMMENT ON FUNCTION loop.partner_summary_at(timestamptz) IS
	'One row per partner at reference time as_of; backs loop.partner_summary (see there for the columns).';

CREATE FUNCTION loop.leaderboard_at(as_of timestamptz)
RETURNS TABLE (rank integer, partner_id text, mrr_total numeric(12,2))
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT rank() OVER (ORDER BY s.mrr_total DESC)::integer, s.partner_id, s.mrr_total
	  FROM loop.partner_summary_at(as_of) s
	 WHERE s.mrr_total > 0 AND s.status <> 'deactivated'
	 ORDER BY s.mrr_total DESC, s.partner_id;
END;
COMMENT ON FUNCTION loop.leaderboard_at(timestamptz) IS
	'Leaderboard at reference time as_of; backs loop.leaderboard.';

CREATE VIEW loop.partner_summary WITH (security_invoker = true) AS SELECT * FROM loop.partner_summary_at(now());
COMMENT ON VIEW loop.partner_summary IS
	'One row per partner (seed 000/001 dashboard KPIs), level reference time now(). level: effective level '
	'(beginner|starter|partner|pro), level_source calculated|override, mrr_share_percent (percent, 20.00 = 20 %), '
	'won_deals_90d: valid won deals closed in the last 90×24 h. leads_*: mutually exclusive lead buckets '
	'(loop.lead_status; new+qualified+deal+won = total). deals_open/deals_lost: linked deals by stage kind; '
	'deals_won: valid won deals (the "Deals"/"Abschlüsse" KPI); active_deals: valid won deals with subscription '
	'status active; deals_linked: every linked deal (glossary deals_count). mrr_*: EUR, sums of per-deal rounded '
	'partner MRR over valid won deals (total = active + paused + cancelled). As of another time: partner_summary_at(ts).';

CREATE VIEW loop.partner_lead WITH (security_invoker = true) AS
SELECT c.affiliate_partner_id AS partner_id, c.contact_id, c.firstname, c.lastname, c.company, c.email, c.phone,
	   s.status, loop.lead_status_label(s.status) AS status_label,
	   c.utm_source, c.utm_medium, c.utm_campaign, c.utm_content, c.utm_term,
	   coalesce(c.affiliate_referral_date::timestamp AT TIME ZONE 'UTC', c.created_at) AS referred_at
  FROM loop.hubspot_contact c
  JOIN loop.partner p ON p.partner_id = c.affiliate_partner_id
  CROSS JOIN LATERAL (SELECT loop.lead_status(c.lifecyclestage, c.hs_lead_status) AS status) s;
COMMENT ON VIEW loop.partner_lead IS
	'Leads of each partner (contacts whose affiliate_partner_id is the partner''s id): status new|qualified|deal|won '
	'(loop.lead_status) with its German label, UTM values (HubSpot source__c, utm_medium__c, utm_campaign__c, '
	'content__c, utm_term__c) and referred_at: affiliate_referral_date at 00:00 UTC, else the contact''s createdate.';

CREATE VIEW loop.partner_lead_source WITH (security_invoker = true) AS
SELECT l.partner_id, v.dimension, v.value, count(*)::integer AS leads
  FROM loop.partner_lead l
  CROSS JOIN LATERAL (VALUES ('source', l.utm_source), ('medium', l.utm_medium),
							 ('campaign', l.utm_campaign)) AS v(dimension, value)
 GROUP BY l.partner_id, v.dimension, v.value;
COMMENT ON VIEW loop.partner_lead_source IS
	'Lead-Quellen (seed 000): leads per partner by dimension source|medium|campaign (Quelle/Medium/Kampagne) and value; '
	'value NULL counts leads without that UTM value, so each dimension sums to the partner''s leads_total.';

CREATE VIEW loop.partner_deal WITH (security_invoker = true) AS
SELECT partner_id, deal_id, dealname, kind, stage_label, closedate, deal_mrr, subscription_status,
	   partner_mrr, pipeline_label, valid_won
  FROM loop.partner_deal_at(now());
COMMENT ON VIEW loop.partner_deal IS
	'Deals linked to each partner (pipeline, won and lost; Earnings page): kind open|won|lost from the stage metadata, '
	'deal_mrr = affiliate_mrr (EUR/month), subscription_status active|paused|cancelled, partner_mrr (EUR, rounded '
	'per deal at the partner''s current level) only for valid won deals, else NULL.';

CREATE VIEW loop.leaderboard WITH (security_invoker = true) AS SELECT * FROM loop.leaderboard_at(now());
COMMENT ON VIEW loop.leaderboard IS
	'Partners with mrr_total > 0 (not deactivated), ranked by mrr_total (EUR) highest first; ties share a rank.';
