-- sql/83_analytics.sql — loop extension install script, part 8c: Programm-Analyse (program analytics, admin only)
--
-- Issue 4 "Program analytics"; seed 003 "Admin panel" (/partner/program-analytics),
-- glossary (seed 002) "Conversion Funnel" and "Trend charts". For a date
-- range — a preset (api.program_range: last 7 / 30 / 90 days, this month,
-- last month, this year) or custom from_date..to_date — and a grain (day,
-- week, month):
--   api.program_funnel  the mutually exclusive funnel Neu / Qualifiziert /
--                       In Verhandlung / Gewonnen of the leads referred in
--                       the range (stage_sum = total) with conversion rates;
--   api.program_trend   per bucket: Empfehlungen (referrals), Abschlüsse
--                       (closed_deals) and geschätzter Partner-Umsatz nach
--                       Abschluss (partner_revenue);
-- and, independent of the range, api.program_kpis (partners by status and
-- level, leads, open/won/lost deals, total and active MRR). History (daily
-- snapshots, program_history, monthly leaderboard) is sql/82_history.sql.
--
-- Time. Ranges are inclusive UTC calendar dates. A lead belongs to the UTC
-- date of referred_at (loop.partner_lead: affiliate_referral_date, else the
-- contact's createdate), a deal to the UTC date of its closedate. Buckets are
-- UTC too: day = the date, week = ISO week starting Monday, month = calendar
-- month, computed with date_trunc on timestamp without time zone so that the
-- session TimeZone (or PostgREST's Prefer: timezone) never moves a row.
-- Buckets are named by their natural start (bucket_start, a Monday or the 1st)
-- and end (bucket_end) even where the range cuts them; only data inside the
-- range is counted, so the buckets of a trend sum to the range's totals
-- (glossary: "trend lead bucket sums match leads_in_period").
--
-- Access. Admin role only: EXECUTE / SELECT is granted to loop_admin alone
-- (loop_partner and loop_anon get SQLSTATE 42501, PostgREST 403/401), and a
-- loop_admin request must be a valid admin (loop.analytics_require_admin /
-- loop.admin_view_allowed of sql/80_admin.sql: claims naming an active partner
-- with is_admin): the functions raise 42501 otherwise, the view has no row.
-- Superusers and operators in psql may use them too. The functions and views
-- are SECURITY INVOKER: they read the loop tables with the caller's rights,
-- and row-level security shows an admin every partner.
-- Money is EUR numeric(12,2); rates are percent numeric(5,2) (62.50 = 62.5 %).

-- Date ranges -------------------------------------------------------------------

CREATE FUNCTION loop.program_range_at(p_preset text, p_today date)
RETURNS TABLE (from_date date, to_date date, label text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	month_start date;
BEGIN
	IF p_preset IS NULL OR p_today IS NULL THEN
		RAISE EXCEPTION 'a date range preset and today''s date are required'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Presets: last_7_days, last_30_days, last_90_days, this_month, last_month, this_year.';
	END IF;
	IF NOT isfinite(p_today) THEN
		RAISE EXCEPTION 'today''s date must be finite' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	month_start := date_trunc('month', p_today::timestamp)::date;
	CASE lower(btrim(p_preset))
	WHEN 'last_7_days' THEN
		from_date := p_today - 6; to_date := p_today; label := 'Letzte 7 Tage';
	WHEN 'last_30_days' THEN
		from_date := p_today - 29; to_date := p_today; label := 'Letzte 30 Tage';
	WHEN 'last_90_days' THEN
		from_date := p_today - 89; to_date := p_today; label := 'Letzte 90 Tage';
	WHEN 'this_month' THEN
		from_date := month_start; to_date := p_today; label := 'Dieser Monat';
	WHEN 'last_month' THEN
		from_date := (month_start::timestamp - interval '1 month')::date; to_date := month_start - 1;
		label := 'Letzter Monat';
	WHEN 'this_year' THEN
		from_date := date_trunc('year', p_today::timestamp)::date; to_date := p_today; label := 'Dieses Jahr';
	ELSE
		RAISE EXCEPTION 'unknown date range preset "%"', p_preset
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Presets: last_7_days, last_30_days, last_90_days, this_month, last_month, this_year; '
						 'for a custom range pass from_date and to_date to api.program_funnel / api.program_trend.';
	END CASE;
	RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION loop.program_range_at(text, date) IS
	'The date range (inclusive UTC calendar dates) of a Programm-Analyse preset, for a given today: last_7_days, '
	'last_30_days, last_90_days = the 7 / 30 / 90 days ending today (today included); this_month = the 1st of '
	'today''s month to today; last_month = the whole previous calendar month; this_year = 1 January to today. Preset '
	'names are case-insensitive; label is the German name (Letzte 7 Tage, Letzte 30 Tage, Letzte 90 Tage, Dieser '
	'Monat, Letzter Monat, Dieses Jahr). Errors: 22004 for a NULL argument; 22023 for an unknown preset (the hint '
	'lists them) or an infinite today. Backs api.program_range (today = the current UTC date).';

CREATE FUNCTION api.program_range(preset text)
RETURNS TABLE (from_date date, to_date date, label text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.analytics_require_admin();
	RETURN QUERY
	SELECT r.from_date, r.to_date, r.label
	  FROM loop.program_range_at(program_range.preset, (now() AT TIME ZONE 'UTC')::date) r;
END;
$$;
COMMENT ON FUNCTION api.program_range(text) IS
	'Programm-Analyse date presets (admin only; GET /rpc/program_range?preset=last_30_days): one row from_date, '
	'to_date (inclusive UTC dates, today = the current UTC date) and the German label. Presets: last_7_days, '
	'last_30_days, last_90_days (ending today), this_month (month to date), last_month (whole month), this_year (year '
	'to date). A custom range needs no call: pass any from_date <= to_date. Errors: 42501 for anyone but a valid admin '
	'(loop.analytics_require_admin), 22004 NULL preset, 22023 unknown preset (the hint lists them). See '
	'loop.program_range_at.';

CREATE FUNCTION loop.program_check_range(p_from date, p_to date) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF p_from IS NULL OR p_to IS NULL THEN
		RAISE EXCEPTION 'from_date and to_date are required'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass both dates (YYYY-MM-DD, inclusive, UTC), or take them from api.program_range(preset).';
	END IF;
	IF NOT (isfinite(p_from) AND isfinite(p_to)) THEN
		RAISE EXCEPTION 'from_date and to_date must be finite dates' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_from > p_to THEN
		RAISE EXCEPTION 'from_date % is after to_date %', to_char(p_from, 'YYYY-MM-DD'), to_char(p_to, 'YYYY-MM-DD')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The range is inclusive: from_date <= to_date (equal for a single day).';
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.program_check_range(date, date) IS
	'Validate a Programm-Analyse date range: 22004 when a date is NULL, 22023 when one is infinite or from_date > '
	'to_date. A single day (from_date = to_date) is valid.';

-- Buckets -------------------------------------------------------------------------

CREATE FUNCTION loop.program_bucket_start(d date, grain text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN date_trunc(grain, d::timestamp)::date;
COMMENT ON FUNCTION loop.program_bucket_start(date, text) IS
	'Start of the bucket of UTC date d for grain day|week|month: d itself, the Monday of its ISO week, or the 1st of '
	'its month (date_trunc on timestamp without time zone: the session TimeZone does not matter).';

CREATE FUNCTION loop.program_grain(p_grain text, p_from date, p_to date) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g text := lower(btrim(p_grain));
	buckets bigint;
BEGIN
	IF p_grain IS NULL THEN
		RAISE EXCEPTION 'grain is required'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'grain is day, week or month.';
	END IF;
	IF g IS DISTINCT FROM 'day' AND g IS DISTINCT FROM 'week' AND g IS DISTINCT FROM 'month' THEN
		RAISE EXCEPTION 'unknown grain "%"', p_grain
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'grain is day, week (ISO week, from Monday) or month; buckets are UTC.';
	END IF;
	PERFORM loop.program_check_range(p_from, p_to);
	buckets := CASE g
		WHEN 'day' THEN p_to - p_from + 1
		WHEN 'week' THEN (loop.program_bucket_start(p_to, 'week') - loop.program_bucket_start(p_from, 'week')) / 7 + 1
		ELSE (extract(year FROM p_to) * 12 + extract(month FROM p_to))
			 - (extract(year FROM p_from) * 12 + extract(month FROM p_from)) + 1
		END;
	IF buckets > 1000 THEN
		RAISE EXCEPTION 'the range % to % has % % buckets, more than 1000',
			to_char(p_from, 'YYYY-MM-DD'), to_char(p_to, 'YYYY-MM-DD'), buckets, g
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Choose a coarser grain (week or month) or a shorter range; loop does not coarsen it for you.';
	END IF;
	RETURN g;
END;
$$;
COMMENT ON FUNCTION loop.program_grain(text, date, date) IS
	'Validate a trend grain for a range and return it normalised (lower case, trimmed): day, week or month. Errors: '
	'22004 NULL grain; 22023 unknown grain, an invalid range (loop.program_check_range), or more than 1000 buckets in '
	'the range (rejected, not coerced to a coarser grain).';

-- Funnel --------------------------------------------------------------------------

CREATE FUNCTION api.program_funnel(from_date date, to_date date)
RETURNS TABLE (new integer, qualified integer, deal integer, won integer, total integer, stage_sum integer,
			   qualified_rate numeric(5,2), deal_rate numeric(5,2), won_rate numeric(5,2),
			   qualified_to_deal_rate numeric(5,2), deal_to_won_rate numeric(5,2))
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.analytics_require_admin();
	PERFORM loop.program_check_range(program_funnel.from_date, program_funnel.to_date);
	RETURN QUERY
	SELECT c.n_new, c.n_qualified, c.n_deal, c.n_won, c.n_total,
		   c.n_new + c.n_qualified + c.n_deal + c.n_won,
		   round((c.n_qualified + c.n_deal + c.n_won) * 100.0 / nullif(c.n_total, 0), 2)::numeric(5,2),
		   round((c.n_deal + c.n_won) * 100.0 / nullif(c.n_total, 0), 2)::numeric(5,2),
		   round(c.n_won * 100.0 / nullif(c.n_total, 0), 2)::numeric(5,2),
		   round((c.n_deal + c.n_won) * 100.0 / nullif(c.n_qualified + c.n_deal + c.n_won, 0), 2)::numeric(5,2),
		   round(c.n_won * 100.0 / nullif(c.n_deal + c.n_won, 0), 2)::numeric(5,2)
	  FROM (SELECT count(*) FILTER (WHERE l.status = 'new')::integer AS n_new,
				   count(*) FILTER (WHERE l.status = 'qualified')::integer AS n_qualified,
				   count(*) FILTER (WHERE l.status = 'deal')::integer AS n_deal,
				   count(*) FILTER (WHERE l.status = 'won')::integer AS n_won,
				   count(*)::integer AS n_total
			  FROM loop.partner_lead l
			 WHERE (l.referred_at AT TIME ZONE 'UTC')::date BETWEEN program_funnel.from_date AND program_funnel.to_date) c;
END;
$$;
COMMENT ON FUNCTION api.program_funnel(date, date) IS
	'Programm-Analyse → Conversion-Funnel (admin only; GET /rpc/program_funnel?from_date=2026-03-01&to_date=2026-03-31). '
	'One row over the leads of every partner referred in [from_date, to_date] (UTC date of referred_at: '
	'affiliate_referral_date, else createdate), each counted once in its current bucket (loop.lead_status; glossary '
	'"Conversion Funnel"): new (Neu), qualified (Qualifiziert), deal (In Verhandlung: lifecycle opportunity, not a deal '
	'object), won (Gewonnen); total = all those leads, stage_sum = new + qualified + deal + won (always = total). '
	'Conversion rates, percent numeric(5,2), NULL when the denominator is 0: qualified_rate = (qualified + deal + won) / '
	'total (reached at least Qualifiziert), deal_rate = (deal + won) / total (reached at least In Verhandlung), '
	'won_rate = won / total (lead → customer), qualified_to_deal_rate = (deal + won) / (qualified + deal + won), '
	'deal_to_won_rate = won / (deal + won). It is a cohort view: leads referred in the range, at their stage today. '
	'Leads without any date (no referral date, no createdate) fall in no range. Errors: 42501 for anyone but a valid '
	'admin (loop.analytics_require_admin); 22004 when a date is NULL; 22023 when from_date > to_date or a date is '
	'infinite.';

-- Trends --------------------------------------------------------------------------

CREATE FUNCTION api.program_trend(from_date date, to_date date, grain text)
RETURNS TABLE (bucket_start date, bucket_end date, referrals integer, closed_deals integer,
			   partner_revenue numeric(12,2))
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g text;
	step interval;
BEGIN
	PERFORM loop.analytics_require_admin();
	g := loop.program_grain(program_trend.grain, program_trend.from_date, program_trend.to_date);
	step := ('1 ' || g)::interval;
	RETURN QUERY
	WITH b AS (
		SELECT s::date AS b_start
		  FROM generate_series(loop.program_bucket_start(program_trend.from_date, g)::timestamp,
							   loop.program_bucket_start(program_trend.to_date, g)::timestamp, step) AS s),
	r AS (
		SELECT loop.program_bucket_start((l.referred_at AT TIME ZONE 'UTC')::date, g) AS b_start,
			   count(*) AS n
		  FROM loop.partner_lead l
		 WHERE (l.referred_at AT TIME ZONE 'UTC')::date BETWEEN program_trend.from_date AND program_trend.to_date
		 GROUP BY 1),
	-- each partner's current level once (as loop.partner_deal computes partner_mrr),
	-- not once per deal
	lv AS MATERIALIZED (
		SELECT l.partner_id, l.level FROM loop.partner_level_at(now()) l),
	d AS (
		SELECT loop.program_bucket_start((x.closedate AT TIME ZONE 'UTC')::date, g) AS b_start,
			   count(*) AS n, sum(loop.partner_mrr(x.affiliate_mrr, lv.level)) AS revenue
		  FROM loop.deal_detail x
		  JOIN lv ON lv.partner_id = x.affiliate_partner_id
		 WHERE x.valid_won
		   AND (x.closedate AT TIME ZONE 'UTC')::date BETWEEN program_trend.from_date AND program_trend.to_date
		 GROUP BY 1)
	SELECT b.b_start, ((b.b_start::timestamp + step)::date - 1),
		   coalesce(r.n, 0)::integer, coalesce(d.n, 0)::integer, coalesce(d.revenue, 0)::numeric(12,2)
	  FROM b
	  LEFT JOIN r ON r.b_start = b.b_start
	  LEFT JOIN d ON d.b_start = b.b_start
	 ORDER BY b.b_start;
END;
$$;
COMMENT ON FUNCTION api.program_trend(date, date, text) IS
	'Programm-Analyse → trend charts (admin only; GET /rpc/program_trend?from_date=…&to_date=…&grain=week). One row per '
	'bucket of the range, every bucket present (zeros included), oldest first: bucket_start / bucket_end (UTC dates; '
	'grain day = one date, week = ISO week Monday to Sunday, month = calendar month; named by the whole bucket even '
	'where the range cuts it, but only data inside [from_date, to_date] is counted). referrals = Empfehlungen: leads of '
	'every partner by the UTC date of referred_at (sums to api.program_funnel''s total for the same range); '
	'closed_deals = Abschlüsse: valid won deals (closed won with MRR and subscription status; glossary "Deals (KPI)") '
	'by the UTC date of closedate; partner_revenue = geschätzter Partner-Umsatz nach Abschluss: the monthly partner MRR '
	'(EUR) of those deals, each at its partner''s current level (as loop.partner_deal), by close date. grain is day, week '
	'or month (case-insensitive). Errors: 42501 for anyone but a valid admin (loop.analytics_require_admin); 22004 NULL '
	'argument; 22023 from_date > to_date, infinite date, unknown grain (hint lists them), or more than 1000 buckets '
	'(choose a coarser grain; no automatic coarsening).';

-- KPIs ----------------------------------------------------------------------------

-- The summary is a MATERIALIZED CTE: aggregated directly, the planner nests the
-- per-partner level lookups inside a per-partner loop (seconds instead of
-- a fraction of one on 200,000 leads).
CREATE VIEW api.program_kpis WITH (security_invoker = true) AS
WITH s AS MATERIALIZED (SELECT * FROM loop.partner_summary)
SELECT now() AS as_of,
	   count(*)::integer AS partners_total,
	   count(*) FILTER (WHERE s.status = 'pending')::integer AS partners_pending,
	   count(*) FILTER (WHERE s.status = 'active')::integer AS partners_active,
	   count(*) FILTER (WHERE s.status = 'deactivated')::integer AS partners_deactivated,
	   count(*) FILTER (WHERE s.level = 'beginner')::integer AS partners_beginner,
	   count(*) FILTER (WHERE s.level = 'starter')::integer AS partners_starter,
	   count(*) FILTER (WHERE s.level = 'partner')::integer AS partners_partner,
	   count(*) FILTER (WHERE s.level = 'pro')::integer AS partners_pro,
	   count(*) FILTER (WHERE s.level_source = 'override')::integer AS partners_level_override,
	   coalesce(sum(s.leads_total), 0)::integer AS leads_total,
	   coalesce(sum(s.leads_new), 0)::integer AS leads_new,
	   coalesce(sum(s.leads_qualified), 0)::integer AS leads_qualified,
	   coalesce(sum(s.leads_deal), 0)::integer AS leads_deal,
	   coalesce(sum(s.leads_won), 0)::integer AS leads_won,
	   coalesce(sum(s.deals_linked), 0)::integer AS deals_linked,
	   coalesce(sum(s.deals_open), 0)::integer AS deals_open,
	   coalesce(sum(s.deals_won), 0)::integer AS deals_won,
	   coalesce(sum(s.deals_lost), 0)::integer AS deals_lost,
	   coalesce(sum(s.active_deals), 0)::integer AS active_deals,
	   coalesce(sum(s.mrr_total), 0)::numeric(12,2) AS mrr_total,
	   coalesce(sum(s.mrr_active), 0)::numeric(12,2) AS mrr_active,
	   coalesce(sum(s.mrr_paused), 0)::numeric(12,2) AS mrr_paused,
	   coalesce(sum(s.mrr_cancelled), 0)::numeric(12,2) AS mrr_cancelled
  FROM s
HAVING (SELECT loop.admin_view_allowed());
COMMENT ON VIEW api.program_kpis IS
	'Programm-Analyse → program KPIs (admin only), one row, now (as_of), over every partner whatever the date range: '
	'partners_total and by status (partners_pending / _active / _deactivated = Ausstehend / Aktiv / Deaktiviert) and by '
	'effective level (partners_beginner / _starter / _partner / _pro; partners_level_override = "manuell"); leads_total '
	'and its mutually exclusive buckets leads_new / _qualified / _deal / _won (Neu / Qualifiziert / In Verhandlung / '
	'Gewonnen); deals_linked (every linked deal), deals_open (pipeline), deals_won (valid closed-won deals, '
	'"Abschlüsse"), deals_lost (Closed Lost, counted for admins only, glossary), active_deals; mrr_total and mrr_active '
	'(plus paused, cancelled), EUR. Sums of loop.partner_summary (seed 002 "Deals (KPI display)": Deals shown as open / '
	'won). No row for a loop_admin request whose claims are not a valid admin (loop.admin_view_allowed).';

-- Privileges ----------------------------------------------------------------------

REVOKE ALL ON FUNCTION loop.program_range_at(text, date), loop.program_check_range(date, date),
	loop.program_bucket_start(date, text), loop.program_grain(text, date, date),
	api.program_range(text), api.program_funnel(date, date), api.program_trend(date, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.program_range_at(text, date), loop.program_check_range(date, date),
	loop.program_bucket_start(date, text), loop.program_grain(text, date, date),
	api.program_range(text), api.program_funnel(date, date), api.program_trend(date, date, text) TO loop_admin;
GRANT SELECT ON api.program_kpis TO loop_admin;
