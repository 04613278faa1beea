-- sql/70_api_partner.sql — loop extension install script, part 7: what a partner gets (api views over partner data)
--
-- One api view per page of the partner app (seeds 000 and 001): profile,
-- dashboard, funnel, leads, lead sources, deals, MRR breakdown, level
-- progress, badges, leaderboard, own rank, recent activity. Every view is
-- security_invoker: it reads the loop tables with the caller's rights, so
-- row-level security (sql/50_security.sql) decides whose rows appear — the
-- partner's own, or every partner's for loop_admin. The views do not filter
-- by partner themselves. Only the leaderboard needs other partners' data; it
-- goes through one SECURITY DEFINER function that returns anonymised rows.
--
-- What depends on the time (level window, MRR share) is computed by a loop
-- function of as_of (…_at); the api views call it with now(). Column names
-- are English snake_case; German labels are values, as the seeds show them.
-- Money is EUR numeric(12,2), percentages numeric(5,2) (20.00 = 20 %),
-- times timestamptz (UTC).

-- Labels --------------------------------------------------------------------

CREATE FUNCTION loop.level_label(level text, level_source text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE level
	WHEN 'beginner' THEN 'Beginner' WHEN 'starter' THEN 'Starter'
	WHEN 'partner' THEN 'Partner' WHEN 'pro' THEN 'Pro' END
	|| CASE WHEN level_source = 'override' THEN ' manuell' ELSE '' END;
COMMENT ON FUNCTION loop.level_label(text, text) IS
	'Display label of a level (Beginner, Starter, Partner, Pro), with " manuell" appended when level_source is override '
	'(seed 001 Admin: "Pro manuell"). NULL for an unknown level.';

CREATE FUNCTION loop.subscription_status_label(status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status WHEN 'active' THEN 'Aktiv' WHEN 'paused' THEN 'Pausiert' WHEN 'cancelled' THEN 'Storniert' END;
COMMENT ON FUNCTION loop.subscription_status_label(text) IS
	'German label of a deal''s subscription status as the Earnings page shows it (seed 000 "MRR Status"): '
	'active→Aktiv, paused→Pausiert, cancelled→Storniert; NULL otherwise.';

CREATE FUNCTION loop.month_label_de(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (ARRAY['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September',
			  'Oktober', 'November', 'Dezember'])[extract(month FROM ts AT TIME ZONE 'UTC')::integer]
	|| ' ' || extract(year FROM ts AT TIME ZONE 'UTC')::integer::text;
COMMENT ON FUNCTION loop.month_label_de(timestamptz) IS
	'German month and year of ts in UTC, e.g. "Februar 2026" (leaderboard title, seed 000 "Top Partner (Februar 2026)").';

-- Level progress and badges -------------------------------------------------

CREATE FUNCTION loop.partner_level_progress_at(as_of timestamptz)
RETURNS TABLE (partner_id text, level text, level_label text, level_source text, is_override boolean,
			   override_until timestamptz, mrr_share_percent numeric(5,2), won_deals_90d integer,
			   window_start timestamptz, window_end timestamptz, calculated_level text,
			   next_level text, next_level_label text, next_level_share_percent numeric(5,2),
			   next_level_min_deals integer, deals_needed integer, progress_percent numeric(5,2))
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT l.partner_id, l.level, loop.level_label(l.level, l.level_source), l.level_source,
		   l.level_source = 'override',
		   CASE WHEN l.level_source = 'override' THEN p.level_override_until END,
		   loop.mrr_share_percent(l.level)::numeric(5,2), l.won_deals_90d,
		   as_of - interval '2160 hours', as_of, l.calculated_level,
		   n.next_level, loop.level_label(n.next_level, 'calculated'),
		   loop.mrr_share_percent(n.next_level)::numeric(5,2), n.min_deals,
		   CASE WHEN n.min_deals IS NOT NULL THEN greatest(n.min_deals - l.won_deals_90d, 0) END,
		   CASE WHEN n.min_deals IS NOT NULL
				THEN least(round(l.won_deals_90d * 100.0 / n.min_deals, 2), 100)::numeric(5,2) END
	  FROM loop.partner_level_at(as_of) l
	  JOIN loop.partner p ON p.partner_id = l.partner_id
	  LEFT JOIN (VALUES ('beginner', 'starter', 1), ('starter', 'partner', 6), ('partner', 'pro', 11))
			 AS n(from_level, next_level, min_deals) ON n.from_level = l.level;
END;
COMMENT ON FUNCTION loop.partner_level_progress_at(timestamptz) IS
	'Levels page at reference time as_of, one row per partner: effective level and label ("Pro manuell" for an '
	'override), override expiry, MRR share (percent), valid won deals in [as_of − 90×24 h, as_of] (window_start, '
	'window_end, UTC), the next level with its share and minimum deals (starter 1, partner 6, pro 11), deals_needed = '
	'max(0, minimum − won_deals_90d) and progress_percent = won_deals_90d / minimum (capped at 100). Pro has no next '
	'level (NULLs). Rules: DESIGN.md "Level"; seed 000 "Levels & Badges". Backs api.level_progress.';

CREATE FUNCTION loop.partner_badge_at(as_of timestamptz)
RETURNS TABLE (partner_id text, badge text, label text, description text, sort_order integer,
			   metric text, threshold numeric, progress numeric, achieved boolean, achieved_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT s.partner_id, b.badge, b.label, b.description, b.sort_order, b.metric, b.threshold, v.progress,
		   v.progress >= b.threshold,
		   CASE WHEN v.progress >= b.threshold THEN
				CASE b.metric
				WHEN 'leads' THEN (SELECT l.referred_at FROM loop.partner_lead l
									WHERE l.partner_id = s.partner_id
									ORDER BY l.referred_at NULLS LAST, l.contact_id
								   OFFSET (b.threshold - 1)::bigint LIMIT 1)
				WHEN 'deals' THEN (SELECT d.closedate FROM loop.deal_detail d
									WHERE d.affiliate_partner_id = s.partner_id AND d.valid_won
									ORDER BY d.closedate NULLS LAST, d.deal_id
								   OFFSET (b.threshold - 1)::bigint LIMIT 1)
				END
		   END
	  FROM loop.partner_summary_at(as_of) s
	 CROSS JOIN (VALUES
		(1, 'first_lead', 'Erster Lead', 'Der erste Lead über deinen Empfehlungslink', 'leads', 1::numeric),
		(2, 'leads_10', '10 Leads', 'Zehn Leads empfohlen', 'leads', 10),
		(3, 'first_deal', 'Erster Deal', 'Der erste gewonnene Deal mit MRR', 'deals', 1),
		(4, 'deals_5', '5 Deals', 'Fünf gewonnene Deals mit MRR', 'deals', 5),
		(5, 'mrr_100', '€100 MRR', 'Monatliches MRR von mindestens 100 €', 'mrr', 100),
		(6, 'mrr_500', '€500 MRR', 'Monatliches MRR von mindestens 500 €', 'mrr', 500),
		(7, 'level_partner', 'Level Partner', 'Level Partner (25 % MRR-Anteil) oder höher erreicht', 'level', 2),
		(8, 'level_pro', 'Level Pro', 'Level Pro (30 % MRR-Anteil) erreicht', 'level', 3))
		AS b(sort_order, badge, label, description, metric, threshold)
	 CROSS JOIN LATERAL (
		SELECT CASE b.metric
			   WHEN 'leads' THEN s.leads_total::numeric
			   WHEN 'deals' THEN s.deals_won::numeric
			   WHEN 'mrr' THEN s.mrr_total
			   WHEN 'level' THEN CASE s.level WHEN 'beginner' THEN 0 WHEN 'starter' THEN 1
											   WHEN 'partner' THEN 2 WHEN 'pro' THEN 3 END::numeric
			   END AS progress) v;
END;
COMMENT ON FUNCTION loop.partner_badge_at(timestamptz) IS
	'Badges (Levels & Erfolge, seed 000 "Badges") of every partner at reference time as_of, computed from the data: '
	'first_lead (1 lead), leads_10, first_deal (1 valid won deal), deals_5, mrr_100 / mrr_500 (mrr_total in EUR), '
	'level_partner / level_pro (effective level; metric level: 1 starter, 2 partner, 3 pro). progress is the current '
	'value of the metric, achieved = progress >= threshold. achieved_at: referred_at of the n-th lead or closedate of '
	'the n-th valid won deal (n = threshold); NULL for MRR and level badges, whose history the mirror does not keep.';

-- Leaderboard (the only cross-partner read) ---------------------------------

CREATE FUNCTION loop.partner_leaderboard_at(as_of timestamptz)
RETURNS TABLE (title text, "position" integer, rank integer, display_name text,
			   mrr_total numeric(12,2), is_me boolean)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT 'Top Partner (' || loop.month_label_de(as_of) || ')',
		   (row_number() OVER (ORDER BY l.mrr_total DESC, l.partner_id))::integer,
		   l.rank,
		   CASE WHEN l.partner_id = me.partner_id THEN me.name ELSE 'Partner #' || l.rank::text END,
		   l.mrr_total,
		   l.partner_id = me.partner_id
	  FROM loop.leaderboard_at(as_of) l
	 CROSS JOIN (SELECT p.partner_id, p.name FROM loop.partner p
				  WHERE p.partner_id = loop.current_partner_id()) me
	 ORDER BY l.mrr_total DESC, l.partner_id;
END;
COMMENT ON FUNCTION loop.partner_leaderboard_at(timestamptz) IS
	'Anonymised leaderboard for the calling partner (SECURITY DEFINER: it reads every partner''s MRR). Rows: title '
	'"Top Partner (<Monat Jahr>)" of as_of in UTC, position (1..n, ties broken by an order the caller cannot see), rank '
	'(ties share a rank), display_name "Partner #<rank>" — or the caller''s own name on the caller''s row —, mrr_total '
	'(EUR) and is_me. Never returns another partner''s id or name. No rows unless the request''s claims name an existing '
	'partner (loop.current_partner_id). Ranking: loop.leaderboard_at (MRR > 0, not deactivated).';

-- The api views ---------------------------------------------------------------

CREATE VIEW api.profile WITH (security_invoker = true) AS
SELECT p.partner_id, p.name, p.email, p.status, p.is_admin, p.registered_at, p.email_verified_at,
	   p.terms_accepted_at, p.terms_version, p.last_login_at,
	   (SELECT l.level FROM loop.partner_level_at(now()) l WHERE l.partner_id = p.partner_id) AS level,
	   (SELECT loop.level_label(l.level, l.level_source) FROM loop.partner_level_at(now()) l
		 WHERE l.partner_id = p.partner_id) AS level_label,
	   (SELECT loop.mrr_share_percent(l.level)::numeric(5,2) FROM loop.partner_level_at(now()) l
		 WHERE l.partner_id = p.partner_id) AS mrr_share_percent
  FROM loop.partner p;
COMMENT ON VIEW api.profile IS
	'Einstellungen → Profil (seed 001): the caller''s partner record — partner_id (AP-YYYYMMDD-XXXXXX), name, email, '
	'status pending|active|deactivated, is_admin, registered_at / email_verified_at / terms_accepted_at / last_login_at '
	'(UTC), terms_version, and the current level, its label ("Starter", "Pro manuell") and MRR share (percent). '
	'PATCH /profile may change name only (column grant); email and partner_id are read-only (42501).';

CREATE VIEW api.dashboard WITH (security_invoker = true) AS
SELECT s.partner_id, s.name, s.leads_total, s.leads_new, s.leads_qualified, s.leads_deal, s.leads_won,
	   s.deals_open, s.deals_won, s.deals_lost, s.active_deals,
	   s.mrr_total, s.mrr_active, s.mrr_paused, s.mrr_cancelled,
	   s.level, s.level_source, loop.level_label(s.level, s.level_source) AS level_label,
	   s.mrr_share_percent, s.won_deals_90d
  FROM loop.partner_summary s;
COMMENT ON VIEW api.dashboard IS
	'Dashboard KPI cards (seeds 000/001), one row per partner: Gesamt Leads = leads_total, Qualifizierte Leads = '
	'leads_qualified (bucket Qualifiziert), Deals as Offen / Gewonnen = deals_open (pipeline: neither won nor lost) / '
	'deals_won (valid closed-won deals), Monatliches MRR = mrr_total (EUR), plus the other lead buckets, lost and active '
	'deals, MRR by subscription status (EUR), level, level_label, mrr_share_percent (percent) and won_deals_90d. '
	'Source: loop.partner_summary (level at now()).';

CREATE VIEW api.funnel WITH (security_invoker = true) AS
SELECT b.partner_id, b.position, b.stage, b.stage_label, b.leads,
	   round(b.leads * 100.0 / nullif(b.total, 0), 2)::numeric(5,2) AS share_percent,
	   b.reached,
	   round(b.reached * 100.0 / nullif(lag(b.reached) OVER w, 0), 2)::numeric(5,2) AS conversion_percent
  FROM (SELECT p.partner_id, st.position, st.stage, st.stage_label, coalesce(c.n, 0) AS leads,
			   sum(coalesce(c.n, 0)) OVER (PARTITION BY p.partner_id) AS total,
			   sum(coalesce(c.n, 0)) OVER (PARTITION BY p.partner_id ORDER BY st.position DESC) AS reached
		  FROM loop.partner p
		 CROSS JOIN (VALUES (1, 'new', 'Neu'), (2, 'qualified', 'Qualifiziert'),
							(3, 'deal', 'In Verhandlung'), (4, 'won', 'Gewonnen'))
			   AS st(position, stage, stage_label)
		  LEFT JOIN (SELECT h.affiliate_partner_id, loop.lead_status(h.lifecyclestage, h.hs_lead_status) AS status,
							count(*)::integer AS n
					   FROM loop.hubspot_contact h GROUP BY 1, 2) c
			ON c.affiliate_partner_id = p.partner_id AND c.status = st.stage) b
WINDOW w AS (PARTITION BY b.partner_id ORDER BY b.position)
 ORDER BY b.partner_id, b.position;
COMMENT ON VIEW api.funnel IS
	'Conversion-Funnel (seed 000, glossary "Conversion Funnel"): four rows per partner, position 1-4, stage '
	'new|qualified|deal|won labelled Neu / Qualifiziert / In Verhandlung / Gewonnen; leads: mutually exclusive buckets '
	'(loop.lead_status, they sum to the partner''s leads); share_percent = leads / all leads; reached = leads in this '
	'stage or a later one; conversion_percent = reached / reached of the previous stage (stage-to-stage conversion, '
	'NULL for Neu and when the previous stage has none). Percentages numeric(5,2), NULL when dividing by zero.';

CREATE VIEW api.leads WITH (security_invoker = true) AS
SELECT l.partner_id, l.contact_id,
	   nullif(concat_ws(' ', l.firstname, l.lastname), '') AS name, l.firstname, l.lastname,
	   l.company, l.email, l.phone, l.status, l.status_label,
	   l.utm_source, l.utm_medium, l.utm_campaign, l.utm_content, l.utm_term, l.referred_at
  FROM loop.partner_lead l;
COMMENT ON VIEW api.leads IS
	'Meine Leads (seed 000 Leads table): Name, Company, E-Mail, Telefon, Status (status new|qualified|deal|won with '
	'status_label Neu / Qualifiziert / Deal / Gewonnen — filter with ?status=eq.qualified), Quelle = utm_source, Medium '
	'= utm_medium, Kampagne = utm_campaign, utm_content, utm_term, and Empfehlungsdatum = referred_at '
	'(affiliate_referral_date at 00:00 UTC, else createdate). "Deal" is the contact lifecycle opportunity, not a deal '
	'object (those are in api.deals). Source: loop.partner_lead.';

CREATE VIEW api.lead_sources WITH (security_invoker = true) AS
SELECT s.partner_id, s.dimension,
	   CASE s.dimension WHEN 'source' THEN 'Quelle' WHEN 'medium' THEN 'Medium' WHEN 'campaign' THEN 'Kampagne' END
		   AS dimension_label,
	   s.value, s.leads,
	   round(s.leads * 100.0 / sum(s.leads) OVER (PARTITION BY s.partner_id, s.dimension), 2)::numeric(5,2)
		   AS share_percent
  FROM loop.partner_lead_source s;
COMMENT ON VIEW api.lead_sources IS
	'Lead-Quellen (seed 000): leads per partner by dimension source|medium|campaign (dimension_label Quelle / Medium / '
	'Kampagne) and UTM value (NULL = leads without one), with share_percent of the partner''s leads in that dimension. '
	'Source: loop.partner_lead_source.';

CREATE VIEW api.deals WITH (security_invoker = true) AS
SELECT d.partner_id, d.deal_id, d.dealname, d.kind,
	   CASE d.kind WHEN 'open' THEN 'Offen' WHEN 'won' THEN 'Gewonnen' WHEN 'lost' THEN 'Verloren' END AS kind_label,
	   d.pipeline_label, d.stage_label, d.closedate, d.deal_mrr, d.subscription_status,
	   loop.subscription_status_label(d.subscription_status) AS subscription_status_label,
	   d.valid_won,
	   CASE WHEN d.valid_won THEN loop.mrr_share_percent(l.level)::numeric(5,2) END AS mrr_share_percent,
	   CASE WHEN d.valid_won THEN d.partner_mrr END AS partner_mrr,
	   CASE WHEN d.kind = 'won' AND NOT d.valid_won THEN
			array_remove(ARRAY[CASE WHEN d.deal_mrr IS NULL OR d.deal_mrr <= 0 THEN 'affiliate_mrr' END,
							   CASE WHEN d.subscription_status IS NULL THEN 'affiliate_subscription_status' END],
						 NULL) END AS invalid_properties
  FROM loop.partner_deal d
  JOIN loop.partner_level_at(now()) l ON l.partner_id = d.partner_id;
COMMENT ON VIEW api.deals IS
	'Earnings → deal list (seeds 001/002): every deal linked to the partner — pipeline, won and lost; kind open|won|lost '
	'(kind_label Offen / Gewonnen / Verloren), stage, closedate (UTC), deal_mrr (affiliate_mrr, EUR/month), '
	'subscription_status with label Aktiv / Pausiert / Storniert. Commission columns mrr_share_percent (percent) and '
	'partner_mrr (EUR) only on valid won deals (valid_won), NULL otherwise; invalid_properties lists what sales must '
	'fix on a closed-won deal that does not count (affiliate_mrr, affiliate_subscription_status).';

CREATE VIEW api.mrr_breakdown WITH (security_invoker = true) AS
SELECT b.partner_id, b.position, b.subscription_status, b.label, b.deals, b.mrr,
	   round(b.mrr * 100 / nullif(sum(b.mrr) OVER (PARTITION BY b.partner_id), 0), 2)::numeric(5,2) AS share_percent
  FROM (SELECT p.partner_id, st.position, st.subscription_status, st.label,
			   coalesce(d.deals, 0) AS deals, coalesce(d.mrr, 0)::numeric(12,2) AS mrr
		  FROM loop.partner p
		 CROSS JOIN (VALUES (1, 'active', 'Aktiv'), (2, 'paused', 'Pausiert'), (3, 'cancelled', 'Storniert'))
			   AS st(position, subscription_status, label)
		  LEFT JOIN (SELECT pd.partner_id, pd.subscription_status, count(*)::integer AS deals,
							sum(pd.partner_mrr) AS mrr
					   FROM loop.partner_deal pd WHERE pd.valid_won GROUP BY 1, 2) d
			ON d.partner_id = p.partner_id AND d.subscription_status = st.subscription_status) b
 ORDER BY b.partner_id, b.position;
COMMENT ON VIEW api.mrr_breakdown IS
	'Earnings → MRR-Status (seed 000 donut): three rows per partner, subscription_status active|paused|cancelled '
	'labelled Aktiv / Pausiert / Storniert, with the valid won deals, their partner MRR (EUR) and share_percent of the '
	'partner''s mrr_total (percent, NULL when the total is 0). Seed 000: Aktiv 47.80 = 54.44 %, Pausiert 40.00 = 45.56 %.';

CREATE VIEW api.level_progress WITH (security_invoker = true) AS
SELECT * FROM loop.partner_level_progress_at(now());
COMMENT ON VIEW api.level_progress IS
	'Levels page: current level (label "Pro manuell" when an admin override is active), MRR share (percent), valid won '
	'deals in the rolling 90-day window, next level with its share and minimum deals, deals_needed and progress_percent; '
	'pro has no next level. See loop.partner_level_progress_at(as_of), here at now().';

CREATE VIEW api.badges WITH (security_invoker = true) AS
SELECT * FROM loop.partner_badge_at(now()) ORDER BY partner_id, sort_order;
COMMENT ON VIEW api.badges IS
	'Levels & Erfolge → badges, eight per partner (first_lead, leads_10, first_deal, deals_5, mrr_100, mrr_500, '
	'level_partner, level_pro) with German label, progress, threshold, achieved and achieved_at (UTC, where derivable). '
	'See loop.partner_badge_at(as_of), here at now().';

CREATE VIEW api.leaderboard WITH (security_invoker = true) AS
SELECT * FROM loop.partner_leaderboard_at(now());
COMMENT ON VIEW api.leaderboard IS
	'Leaderboard "Top Partner (<Monat Jahr>)" (seed 000), month of now() in UTC: position, rank (ties share it), '
	'display_name "Partner #<rank>" for other partners and the caller''s own name on the caller''s row (is_me), '
	'mrr_total (EUR). Same list for partners and admins; never another partner''s id or name. Empty unless the claims '
	'name an existing partner. Source: loop.partner_leaderboard_at(now()) (SECURITY DEFINER).';

CREATE VIEW api.my_rank WITH (security_invoker = true) AS
WITH lb AS (SELECT * FROM loop.partner_leaderboard_at(now()))
SELECT 'Dein Rang'::text AS label, s.partner_id, s.name, me.rank, me.position,
	   (SELECT count(*)::integer FROM lb) AS ranked_partners, s.mrr_total,
	   (SELECT min(lb.title) FROM lb) AS leaderboard_title
  FROM loop.partner_summary s
  LEFT JOIN lb me ON me.is_me
 WHERE s.partner_id = (SELECT loop.current_partner_id());
COMMENT ON VIEW api.my_rank IS
	'"Dein Rang" (seed 000 Leaderboard): one row for the caller — rank and position on the leaderboard (NULL when not '
	'ranked, i.e. no MRR), ranked_partners, own mrr_total (EUR) and the leaderboard title. Seed 000: rank 1, 87.80.';

CREATE VIEW api.activity WITH (security_invoker = true) AS
SELECT e.partner_id, e.event_id, e.event_type, e.event_label, e.occurred_at, e.title, e.lead_name, e.company,
	   e.contact_id, e.deal_id, e.campaign, e.source, e.partner_mrr
  FROM (SELECT c.affiliate_partner_id AS partner_id,
			   'contact:' || c.contact_id || ':' || ev.event_type AS event_id, ev.event_type, ev.event_label,
			   ev.occurred_at,
			   concat_ws(' – ', nullif(concat_ws(' ', c.firstname, c.lastname), ''), c.company) AS title,
			   nullif(concat_ws(' ', c.firstname, c.lastname), '') AS lead_name, c.company,
			   c.contact_id, NULL::bigint AS deal_id, c.utm_campaign AS campaign, c.utm_source AS source,
			   NULL::numeric(12,2) AS partner_mrr
		  FROM loop.hubspot_contact c
		  JOIN loop.partner p ON p.partner_id = c.affiliate_partner_id
		 CROSS JOIN LATERAL (SELECT loop.lead_status(c.lifecyclestage, c.hs_lead_status) AS status) s
		 CROSS JOIN LATERAL (VALUES
			('lead_new', 'NEU', coalesce(c.affiliate_referral_date::timestamp AT TIME ZONE 'UTC', c.created_at)),
			(CASE s.status WHEN 'qualified' THEN 'lead_qualified' WHEN 'deal' THEN 'lead_deal'
						   WHEN 'won' THEN 'lead_won' END,
			 CASE s.status WHEN 'qualified' THEN 'QUALIFIZIERT' WHEN 'deal' THEN 'DEAL' WHEN 'won' THEN 'GEWONNEN' END,
			 c.updated_at)) AS ev(event_type, event_label, occurred_at)
		 WHERE ev.event_type IS NOT NULL AND ev.occurred_at IS NOT NULL
		UNION ALL
		SELECT d.partner_id, 'deal:' || d.deal_id || ':deal_won', 'deal_won', 'DEAL', d.closedate,
			   d.dealname, NULL, NULL, NULL, d.deal_id, NULL, NULL, d.partner_mrr
		  FROM loop.partner_deal d
		 WHERE d.kind = 'won' AND d.closedate IS NOT NULL) e
 ORDER BY e.occurred_at DESC, e.event_id;
COMMENT ON VIEW api.activity IS
	'Letzte Aktivitäten (seed 000), newest first: event_label NEU (event_type lead_new, at referred_at), QUALIFIZIERT / '
	'DEAL / GEWONNEN (lead_qualified / lead_deal = lifecycle opportunity / lead_won, at the contact''s last change) and '
	'DEAL (deal_won, a closed-won deal at its closedate, with partner_mrr in EUR when it counts). title is '
	'"Name – Company" or the deal name; campaign = utm_campaign, source = utm_source. Times are UTC; events without a '
	'time are left out. The mirror keeps no history, so a lead''s stage-change time is approximated by HubSpot''s '
	'lastmodifieddate (updated_at) and only its current stage appears. event_id is unique (paging order).';

-- Privileges ----------------------------------------------------------------------

REVOKE ALL ON FUNCTION loop.level_label(text, text), loop.subscription_status_label(text),
	loop.month_label_de(timestamptz), loop.partner_level_progress_at(timestamptz),
	loop.partner_badge_at(timestamptz), loop.partner_leaderboard_at(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.level_label(text, text), loop.subscription_status_label(text),
	loop.month_label_de(timestamptz), loop.partner_level_progress_at(timestamptz),
	loop.partner_badge_at(timestamptz), loop.partner_leaderboard_at(timestamptz) TO loop_partner, loop_admin;

GRANT SELECT ON api.profile, api.dashboard, api.funnel, api.leads, api.lead_sources, api.deals,
	api.mrr_breakdown, api.level_progress, api.badges, api.leaderboard, api.my_rank, api.activity
	TO loop_partner, loop_admin;
GRANT UPDATE (name) ON api.profile TO loop_partner;
