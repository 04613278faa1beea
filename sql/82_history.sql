-- sql/82_history.sql — loop extension install script, part 8b: history (daily partner snapshots)
--
-- Issue 4 "History": every successful sync stores one snapshot per partner
-- and UTC day, so MRR and lead trends — on the partner dashboard and in
-- Programm-Analyse — are real history, not reconstructions from today's
-- mirror (the mirror keeps no history: a deal's MRR or status can change,
-- a lead's stage moves on). loop.sync_publish (sql/30_sync.sql) calls
-- loop.snapshot_partners(run) in its publish transaction, after the merge
-- and after expired overrides are cleared, so a snapshot is exactly
-- loop.partner_summary_at(now()) of the state that sync published. Several
-- syncs a day: the last one wins (one row per partner and UTC date).
--
-- Readers: api.mrr_trend (a partner's own history; admins see everyone's),
-- api.program_history (program-wide sums per day, admin), and the monthly
-- leaderboard "Top Partner (<Monat Jahr>)" ranked by each partner's last
-- snapshot of the month: api.admin_leaderboard_monthly (admin, with ids
-- and names) and api.leaderboard_monthly (partners, anonymised like
-- api.leaderboard, through one SECURITY DEFINER function).
--
-- Privileges follow sql/50_security.sql: the table has row-level security
-- enabled and forced (partner: own rows; admin: every row), only superusers
-- write it (the SECURITY DEFINER snapshot functions, owned by the extension
-- owner), views are security_invoker, and every function has EXECUTE revoked
-- from PUBLIC and granted per role. The admin-only objects (program_history,
-- admin_leaderboard_monthly) also require a valid admin, as sql/80_admin.sql's
-- admin views do (loop.analytics_require_admin, loop.admin_view_allowed).
-- Dates are UTC calendar dates; money EUR numeric(12,2); percentages
-- numeric(5,2) (20.00 = 20 %).

-- Who counts as an admin here --------------------------------------------------

CREATE FUNCTION loop.analytics_require_admin() RETURNS void
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT coalesce(loop.admin_view_allowed(), false) THEN
		RAISE EXCEPTION 'Programm-Analyse is for admins only'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Sign in as an active partner with admin access (JWT role loop_admin).';
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.analytics_require_admin() IS
	'SQLSTATE 42501 (insufficient_privilege) unless loop.admin_view_allowed() (sql/80_admin.sql): for the API roles a '
	'valid admin (loop_admin request whose claims name an active partner with is_admin), for other roles (a superuser '
	'or operator in psql, loop.check()) always allowed. Called first by the admin-only Programm-Analyse functions, so '
	'a loop_admin request with broken claims is refused instead of seeing empty figures; EXECUTE is granted to '
	'loop_admin only, so partners and anon are refused by the grants before.';
REVOKE ALL ON FUNCTION loop.analytics_require_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.analytics_require_admin() TO loop_admin;

-- The table -------------------------------------------------------------------

CREATE TABLE loop.partner_snapshot (
	snapshot_date date NOT NULL,
	partner_id text NOT NULL REFERENCES loop.partner ON DELETE CASCADE ON UPDATE CASCADE,
	run_id bigint NOT NULL,
	taken_at timestamptz NOT NULL,
	status text NOT NULL,
	level text NOT NULL,
	level_source text NOT NULL,
	mrr_share_percent numeric(5,2) NOT NULL,
	won_deals_90d integer NOT NULL,
	leads_total integer NOT NULL,
	leads_new integer NOT NULL,
	leads_qualified integer NOT NULL,
	leads_deal integer NOT NULL,
	leads_won integer NOT NULL,
	deals_linked integer NOT NULL,
	deals_open integer NOT NULL,
	deals_won integer NOT NULL,
	deals_lost integer NOT NULL,
	active_deals integer NOT NULL,
	mrr_total numeric(12,2) NOT NULL,
	mrr_active numeric(12,2) NOT NULL,
	mrr_paused numeric(12,2) NOT NULL,
	mrr_cancelled numeric(12,2) NOT NULL,
	PRIMARY KEY (snapshot_date, partner_id),
	CONSTRAINT partner_snapshot_date_is_utc_date_of_taken_at
		CHECK (snapshot_date = (taken_at AT TIME ZONE 'UTC')::date)
);
CREATE INDEX partner_snapshot_partner_idx ON loop.partner_snapshot (partner_id, snapshot_date);

COMMENT ON TABLE loop.partner_snapshot IS
	'Daily history of every partner (issue 4 "History"): one row per partner and UTC calendar date, written by '
	'loop.snapshot_partners in the publish transaction of each successful sync; the last sync of a day wins. The '
	'columns are loop.partner_summary_at(taken_at) of that moment (see loop.partner_summary for their meaning). '
	'History cannot be re-fetched from HubSpot, so pg_dump keeps it (pg_extension_config_dump). No foreign keys (a '
	'foreign key would block the plain TRUNCATE loop.partner of maintenance and tests): deleting, renaming or '
	'truncating partners deletes, renames or truncates their snapshots through triggers on loop.partner; run_id '
	'stays when old sync runs are pruned. Row-level security: a partner reads own rows, a valid admin '
	'(loop.current_admin_id) every row.';
COMMENT ON COLUMN loop.partner_snapshot.snapshot_date IS 'UTC calendar date of taken_at; one row per partner and date.';
COMMENT ON COLUMN loop.partner_snapshot.partner_id IS 'The partner (loop.partner.partner_id; renamed and deleted with it by trigger).';
COMMENT ON COLUMN loop.partner_snapshot.run_id IS 'loop.sync_run.id of the sync that wrote the row (no foreign key).';
COMMENT ON COLUMN loop.partner_snapshot.taken_at IS 'Reference time of the snapshot (the publish transaction''s now()).';
COMMENT ON COLUMN loop.partner_snapshot.status IS 'Partner status pending|active|deactivated at taken_at.';
COMMENT ON COLUMN loop.partner_snapshot.level IS 'Effective level beginner|starter|partner|pro at taken_at.';
COMMENT ON COLUMN loop.partner_snapshot.level_source IS 'calculated|override (an unexpired admin override).';
COMMENT ON COLUMN loop.partner_snapshot.mrr_share_percent IS 'MRR share of the level, percent (20.00 = 20 %).';
COMMENT ON COLUMN loop.partner_snapshot.won_deals_90d IS 'Valid won deals closed in the 90×24 h before taken_at.';
COMMENT ON COLUMN loop.partner_snapshot.leads_total IS
	'Leads (contacts naming the partner); leads_new + leads_qualified + leads_deal + leads_won = leads_total (mutually exclusive buckets Neu / Qualifiziert / In Verhandlung / Gewonnen).';
COMMENT ON COLUMN loop.partner_snapshot.leads_new IS 'Leads in bucket Neu (loop.lead_status new).';
COMMENT ON COLUMN loop.partner_snapshot.leads_qualified IS 'Leads in bucket Qualifiziert (MQL/SQL or a qualified lead status).';
COMMENT ON COLUMN loop.partner_snapshot.leads_deal IS 'Leads in bucket In Verhandlung (lifecycle opportunity; not a deal object).';
COMMENT ON COLUMN loop.partner_snapshot.leads_won IS 'Leads in bucket Gewonnen (lifecycle customer or evangelist).';
COMMENT ON COLUMN loop.partner_snapshot.deals_linked IS 'Every deal naming the partner (glossary deals_count).';
COMMENT ON COLUMN loop.partner_snapshot.deals_won IS 'Valid won deals (the "Deals"/"Abschlüsse" KPI).';
COMMENT ON COLUMN loop.partner_snapshot.deals_open IS 'Linked deals in an open pipeline stage (neither won nor lost).';
COMMENT ON COLUMN loop.partner_snapshot.deals_lost IS 'Linked deals in a Closed Lost stage.';
COMMENT ON COLUMN loop.partner_snapshot.active_deals IS 'Valid won deals with subscription status active.';
COMMENT ON COLUMN loop.partner_snapshot.mrr_total IS
	'Partner MRR in EUR (sum of per-deal rounded partner MRR of valid won deals) = mrr_active + mrr_paused + mrr_cancelled.';
COMMENT ON COLUMN loop.partner_snapshot.mrr_active IS 'Partner MRR (EUR) of valid won deals with subscription status active.';
COMMENT ON COLUMN loop.partner_snapshot.mrr_paused IS 'Partner MRR (EUR) of valid won deals with subscription status paused.';
COMMENT ON COLUMN loop.partner_snapshot.mrr_cancelled IS 'Partner MRR (EUR) of valid won deals with subscription status cancelled.';

ALTER TABLE loop.partner_snapshot ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY partner_snapshot_own ON loop.partner_snapshot FOR SELECT TO loop_partner
	USING (partner_id = (SELECT loop.current_partner_id()));
-- Admins: like loop.audit_log (sql/80_admin.sql), only a valid admin — claims of an
-- active partner with is_admin — not merely a request with role loop_admin.
CREATE POLICY partner_snapshot_admin ON loop.partner_snapshot FOR SELECT TO loop_admin
	USING ((SELECT loop.current_admin_id()) IS NOT NULL);
GRANT SELECT ON loop.partner_snapshot TO loop_partner, loop_admin;

SELECT pg_catalog.pg_extension_config_dump('loop.partner_snapshot', '');

-- Taking snapshots ---------------------------------------------------------------

CREATE FUNCTION loop.snapshot_partners_at(p_run bigint, p_as_of timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	n integer;
BEGIN
	IF p_run IS NULL OR p_as_of IS NULL THEN
		RAISE EXCEPTION 'a snapshot needs a sync run and a reference time'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT isfinite(p_as_of) THEN
		RAISE EXCEPTION 'the reference time of a snapshot must be finite'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM 1 FROM loop.sync_run r WHERE r.id = p_run;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'sync run % does not exist', p_run
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Snapshots are taken by loop.sync_publish with the id loop.sync_begin returned.';
	END IF;

	INSERT INTO loop.partner_snapshot AS t
		(snapshot_date, partner_id, run_id, taken_at, status, level, level_source, mrr_share_percent,
		 won_deals_90d, leads_total, leads_new, leads_qualified, leads_deal, leads_won, deals_linked,
		 deals_open, deals_won, deals_lost, active_deals, mrr_total, mrr_active, mrr_paused, mrr_cancelled)
	SELECT (p_as_of AT TIME ZONE 'UTC')::date, s.partner_id, p_run, p_as_of, s.status, s.level, s.level_source,
		   s.mrr_share_percent, s.won_deals_90d, s.leads_total, s.leads_new, s.leads_qualified, s.leads_deal,
		   s.leads_won, s.deals_linked, s.deals_open, s.deals_won, s.deals_lost, s.active_deals,
		   s.mrr_total, s.mrr_active, s.mrr_paused, s.mrr_cancelled
	  FROM loop.partner_summary_at(p_as_of) s
	ON CONFLICT (snapshot_date, partner_id) DO UPDATE
	   SET run_id = EXCLUDED.run_id, taken_at = EXCLUDED.taken_at, status = EXCLUDED.status,
		   level = EXCLUDED.level, level_source = EXCLUDED.level_source,
		   mrr_share_percent = EXCLUDED.mrr_share_percent, won_deals_90d = EXCLUDED.won_deals_90d,
		   leads_total = EXCLUDED.leads_total, leads_new = EXCLUDED.leads_new,
		   leads_qualified = EXCLUDED.leads_qualified, leads_deal = EXCLUDED.leads_deal,
		   leads_won = EXCLUDED.leads_won, deals_linked = EXCLUDED.deals_linked,
		   deals_open = EXCLUDED.deals_open, deals_won = EXCLUDED.deals_won, deals_lost = EXCLUDED.deals_lost,
		   active_deals = EXCLUDED.active_deals, mrr_total = EXCLUDED.mrr_total,
		   mrr_active = EXCLUDED.mrr_active, mrr_paused = EXCLUDED.mrr_paused,
		   mrr_cancelled = EXCLUDED.mrr_cancelled
	 WHERE EXCLUDED.taken_at >= t.taken_at;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION loop.snapshot_partners_at(bigint, timestamptz) IS
	'Store loop.partner_summary_at(p_as_of) of every partner as the snapshot of the UTC date of p_as_of, attributed to '
	'sync run p_run; a row of the same partner and date is replaced only by a later (or equal) taken_at, so the last '
	'snapshot of a day wins whatever the call order. Returns the rows written. SECURITY DEFINER (reads and writes '
	'every partner''s rows; superusers only, no grants). Used by loop.snapshot_partners with now(); a call with a past '
	'p_as_of (tests, a first backfill) evaluates today''s mirror at that time — a reconstruction, not history. jit = off: '
	'compiling the plan costs more than running it (publish runs it once per sync). Errors: '
	'22004 for a NULL argument, 22023 for an infinite p_as_of or a run id that is not in loop.sync_run.';

CREATE FUNCTION loop.snapshot_partners(p_run bigint) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT loop.snapshot_partners_at(p_run, now());
END;
COMMENT ON FUNCTION loop.snapshot_partners(bigint) IS
	'Today''s snapshot of every partner (loop.partner_snapshot, UTC date of now()) for sync run p_run: '
	'loop.snapshot_partners_at(p_run, now()). Called by loop.sync_publish after the merge and after expired '
	'overrides are cleared, in the same transaction; the last successful sync of a UTC day wins. Returns the rows '
	'written. Superusers only.';

REVOKE ALL ON FUNCTION loop.snapshot_partners_at(bigint, timestamptz), loop.snapshot_partners(bigint) FROM PUBLIC;

-- Monthly leaderboard from the snapshots -------------------------------------------

CREATE FUNCTION loop.month_start_utc(d date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN date_trunc('month', d::timestamp)::date;
COMMENT ON FUNCTION loop.month_start_utc(date) IS
	'First day of the calendar month of d (date_trunc on timestamp without time zone: independent of the session '
	'TimeZone).';

CREATE FUNCTION loop.leaderboard_monthly_at(p_month date)
RETURNS TABLE (month_start date, title text, "position" integer, rank integer, partner_id text,
			   snapshot_date date, taken_at timestamptz, level text, level_source text,
			   mrr_total numeric(12,2), mrr_active numeric(12,2), deals_won integer)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.start, 'Top Partner (' || loop.month_label_de(m.start::timestamp AT TIME ZONE 'UTC') || ')',
		   (row_number() OVER (ORDER BY s.mrr_total DESC, s.partner_id))::integer,
		   (rank() OVER (ORDER BY s.mrr_total DESC))::integer,
		   s.partner_id, s.snapshot_date, s.taken_at, s.level, s.level_source, s.mrr_total, s.mrr_active,
		   s.deals_won
	  FROM (SELECT loop.month_start_utc(coalesce(p_month, (now() AT TIME ZONE 'UTC')::date)) AS start) m
	 CROSS JOIN LATERAL (
		SELECT DISTINCT ON (x.partner_id) x.*
		  FROM loop.partner_snapshot x
		 WHERE x.snapshot_date >= m.start
		   AND x.snapshot_date < (m.start::timestamp + interval '1 month')::date
		 ORDER BY x.partner_id, x.snapshot_date DESC) s
	 WHERE s.mrr_total > 0 AND s.status <> 'deactivated'
	 ORDER BY s.mrr_total DESC, s.partner_id;
END;
COMMENT ON FUNCTION loop.leaderboard_monthly_at(date) IS
	'Leaderboard of a calendar month (UTC) from the snapshots: p_month is any day of the month (NULL = the current UTC '
	'month); each partner is ranked by the mrr_total (EUR) of the partner''s last snapshot in that month (snapshot_date '
	'says which), highest first, ties share a rank (rank) and are ordered by partner_id (position). Like '
	'loop.leaderboard: only partners with mrr_total > 0 that were not deactivated in that snapshot. title "Top Partner '
	'(Februar 2026)" (loop.month_label_de, seed 000). Reads loop.partner_snapshot with the caller''s rights (row-level '
	'security): backs api.admin_leaderboard_monthly and, as owner, loop.partner_leaderboard_monthly_at.';

CREATE FUNCTION loop.partner_leaderboard_monthly_at(p_month date)
RETURNS TABLE (month_start date, title text, "position" integer, rank integer, display_name text,
			   mrr_total numeric(12,2), is_me boolean)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT l.month_start, l.title, l."position", l.rank,
		   CASE WHEN l.partner_id = me.partner_id THEN me.name ELSE 'Partner #' || l.rank::text END,
		   l.mrr_total,
		   l.partner_id = me.partner_id
	  FROM loop.leaderboard_monthly_at(p_month) l
	 CROSS JOIN (SELECT p.partner_id, p.name FROM loop.partner p
				  WHERE p.partner_id = loop.current_partner_id()) me
	 ORDER BY l."position";
END;
COMMENT ON FUNCTION loop.partner_leaderboard_monthly_at(date) IS
	'Anonymised monthly leaderboard for the calling partner (SECURITY DEFINER: it reads every partner''s snapshots). '
	'Rows as loop.leaderboard_monthly_at, but display_name is "Partner #<rank>" — or the caller''s own name on the '
	'caller''s row (is_me) — and neither partner ids nor names of others are returned. No rows unless the request''s '
	'claims name an existing partner (loop.current_partner_id), as loop.partner_leaderboard_at.';

REVOKE ALL ON FUNCTION loop.month_start_utc(date), loop.leaderboard_monthly_at(date),
	loop.partner_leaderboard_monthly_at(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.month_start_utc(date), loop.leaderboard_monthly_at(date) TO loop_admin;
GRANT EXECUTE ON FUNCTION loop.partner_leaderboard_monthly_at(date) TO loop_partner, loop_admin;

-- The api -------------------------------------------------------------------------

CREATE VIEW api.mrr_trend WITH (security_invoker = true) AS
SELECT s.partner_id, s.snapshot_date, s.taken_at, s.mrr_total, s.mrr_active, s.mrr_paused, s.mrr_cancelled,
	   s.leads_total, s.deals_won, s.level, loop.level_label(s.level, s.level_source) AS level_label,
	   s.mrr_share_percent
  FROM loop.partner_snapshot s
 ORDER BY s.partner_id, s.snapshot_date;
COMMENT ON VIEW api.mrr_trend IS
	'MRR-Trend (dashboard chart, seed 000 "MRR Trend"): the partner''s real history, one row per UTC day with a '
	'successful sync (last sync of the day): snapshot_date (UTC date), taken_at, mrr_total / mrr_active / mrr_paused / '
	'mrr_cancelled (EUR), leads_total (Gesamt Leads), deals_won (Abschlüsse: valid won deals), level with its label '
	'("Pro manuell" for an override) and mrr_share_percent (percent). A partner sees own rows, an admin every partner''s '
	'(filter ?partner_id=eq.…). Days without a sync have no row. Source: loop.partner_snapshot (issue 4 "History").';

CREATE VIEW api.program_history WITH (security_invoker = true) AS
SELECT s.snapshot_date,
	   count(*)::integer AS partners,
	   count(*) FILTER (WHERE s.status = 'active')::integer AS partners_active,
	   count(*) FILTER (WHERE s.mrr_total > 0)::integer AS partners_with_mrr,
	   sum(s.leads_total)::integer AS leads_total,
	   sum(s.leads_new)::integer AS leads_new,
	   sum(s.leads_qualified)::integer AS leads_qualified,
	   sum(s.leads_deal)::integer AS leads_deal,
	   sum(s.leads_won)::integer AS leads_won,
	   sum(s.deals_linked)::integer AS deals_linked,
	   sum(s.deals_open)::integer AS deals_open,
	   sum(s.deals_won)::integer AS deals_won,
	   sum(s.deals_lost)::integer AS deals_lost,
	   sum(s.mrr_total)::numeric(12,2) AS mrr_total,
	   sum(s.mrr_active)::numeric(12,2) AS mrr_active,
	   sum(s.mrr_paused)::numeric(12,2) AS mrr_paused,
	   sum(s.mrr_cancelled)::numeric(12,2) AS mrr_cancelled,
	   max(s.taken_at) AS last_taken_at
  FROM loop.partner_snapshot s
 WHERE (SELECT loop.admin_view_allowed())
 GROUP BY s.snapshot_date
 ORDER BY s.snapshot_date;
COMMENT ON VIEW api.program_history IS
	'Programm-Analyse → program history (admin only): per UTC snapshot_date the sums over every partner''s snapshot of '
	'that day — partners (snapshotted), partners_active, partners_with_mrr, leads_total and the mutually exclusive '
	'buckets leads_new / leads_qualified / leads_deal / leads_won (Neu / Qualifiziert / In Verhandlung / Gewonnen), '
	'deals_linked / deals_open / deals_won (Abschlüsse) / deals_lost, MRR total / active / paused / cancelled (EUR, '
	'each partner at the level of that day) and last_taken_at. Days without a successful sync have no row; no rows at '
	'all for a loop_admin request whose claims are not a valid admin (loop.admin_view_allowed). Source: '
	'loop.partner_snapshot (issue 4 "History").';

CREATE FUNCTION api.admin_leaderboard_monthly(month date DEFAULT NULL)
RETURNS TABLE (month_start date, title text, "position" integer, rank integer, partner_id text, name text,
			   status text, level text, level_label text, snapshot_date date, mrr_total numeric(12,2),
			   mrr_active numeric(12,2), deals_won integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.analytics_require_admin();
	RETURN QUERY
	SELECT l.month_start, l.title, l."position", l.rank, l.partner_id, p.name, p.status, l.level,
		   loop.level_label(l.level, l.level_source), l.snapshot_date, l.mrr_total, l.mrr_active, l.deals_won
	  FROM loop.leaderboard_monthly_at(admin_leaderboard_monthly.month) l
	  LEFT JOIN loop.partner p ON p.partner_id = l.partner_id
	 ORDER BY l."position";
END;
$$;
COMMENT ON FUNCTION api.admin_leaderboard_monthly(date) IS
	'Programm-Analyse → "Top Partner (<Monat Jahr>)" with names (admin only; GET /rpc/admin_leaderboard_monthly'
	'?month=2026-02-01): month is any day of the month, NULL = the current UTC month. Each partner ranked by the '
	'mrr_total (EUR) of the partner''s last snapshot in that month (snapshot_date), partners with MRR > 0 not '
	'deactivated in that snapshot; rank (ties share it), position, partner_id, current name and status, level of the '
	'snapshot with its label, mrr_active (EUR) and deals_won (Abschlüsse). Errors: 42501 for anyone but a valid admin '
	'(loop.analytics_require_admin). Source: loop.leaderboard_monthly_at.';

CREATE FUNCTION api.leaderboard_monthly(month date DEFAULT NULL)
RETURNS TABLE (month_start date, title text, "position" integer, rank integer, display_name text,
			   mrr_total numeric(12,2), is_me boolean)
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT l.month_start, l.title, l."position", l.rank, l.display_name, l.mrr_total, l.is_me
	  FROM loop.partner_leaderboard_monthly_at(leaderboard_monthly.month) l
	 ORDER BY l."position";
END;
COMMENT ON FUNCTION api.leaderboard_monthly(date) IS
	'Leaderboard "Top Partner (<Monat Jahr>)" of a past or the current month for partners (GET '
	'/rpc/leaderboard_monthly?month=2026-02-01; month is any day of the month, NULL = the current UTC month): ranked '
	'by each partner''s last snapshot of the month (mrr_total, EUR); position, rank (ties share it), display_name '
	'"Partner #<rank>" for other partners and the caller''s own name on the caller''s row (is_me). Never another '
	'partner''s id or name; empty unless the claims name an existing partner. Source: '
	'loop.partner_leaderboard_monthly_at (SECURITY DEFINER).';

REVOKE ALL ON FUNCTION api.admin_leaderboard_monthly(date), api.leaderboard_monthly(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.admin_leaderboard_monthly(date) TO loop_admin;
GRANT EXECUTE ON FUNCTION api.leaderboard_monthly(date) TO loop_partner, loop_admin;
GRANT SELECT ON api.mrr_trend TO loop_partner, loop_admin;
GRANT SELECT ON api.program_history TO loop_admin;
