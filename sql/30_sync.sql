-- sql/30_sync.sql — loop extension install script, part 3: the sync protocol
--
-- loop-sync drives one run through three calls on one connection:
--   1. loop.sync_begin()            takes the sync lock, empties staging, opens a run;
--   2. COPY ... INTO loop.stage_*   streams HubSpot pages into staging;
--   3. loop.sync_publish(id, stats) merges staging into the live tables in one
--      transaction (upsert, delete what HubSpot no longer returns, finish the run),
--      or loop.sync_fail(id, error, stats) records the failure and leaves the
--      live tables untouched.
-- Readers see the state before or after a publish, never a mix (SECURITY.md §5.2).
--
-- The lock is the session-level advisory lock (1819242352, 1): 1819242352 is
-- 'loop' read as a big-endian int4. A crashed worker's lock goes with its session.

CREATE FUNCTION loop.sync_lock_held() RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
	SELECT EXISTS (
		SELECT 1 FROM pg_catalog.pg_locks l
		WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory'
		  AND l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
		  AND l.classid OPERATOR(pg_catalog.=) 1819242352::oid
		  AND l.objid OPERATOR(pg_catalog.=) 1::oid
		  AND l.objsubid OPERATOR(pg_catalog.=) 2
		  AND l.granted);
END;
COMMENT ON FUNCTION loop.sync_lock_held() IS
	'True when this session holds the sync lock (advisory lock 1819242352, 1).';

CREATE FUNCTION loop.sync_begin() RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	holder integer;
	run_id bigint;
BEGIN
	-- Advisory locks stack: a second sync_begin in the session that holds
	-- the lock must not take it again, or publish/fail (one unlock) would
	-- leave it held and block every other sync until the session ends.
	IF loop.sync_lock_held() THEN
		NULL;
	ELSIF NOT pg_try_advisory_lock(1819242352, 1) THEN
		SELECT l.pid INTO holder FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.classid = 1819242352::oid
		  AND l.objid = 1::oid AND l.objsubid = 2 AND l.granted
		LIMIT 1;
		RAISE EXCEPTION 'another loop sync is running'
			USING ERRCODE = 'lock_not_available',
				  DETAIL = format('The sync lock is held by backend pid %s.', holder),
				  HINT = 'Wait for it to finish; a crashed worker releases the lock when its session ends.';
	END IF;

	UPDATE loop.sync_run
	   SET status = 'failed', finished_at = clock_timestamp(),
		   error = 'abandoned: the worker stopped before finishing (crash, kill or lost connection)'
	 WHERE status = 'running';

	TRUNCATE loop.stage_deal_stage, loop.stage_contact, loop.stage_deal;
	INSERT INTO loop.sync_run DEFAULT VALUES RETURNING id INTO run_id;
	PERFORM loop.sync_claim_requests(run_id);	-- pending "Sync mit HubSpot" requests (sql/80_admin.sql)
	RETURN run_id;
END;
$$;
COMMENT ON FUNCTION loop.sync_begin() IS
	'Start a sync run: take the session-level sync lock (SQLSTATE 55P03 "another loop sync is running" if another '
	'session holds it), mark runs left "running" by a crashed worker as failed, empty staging, and return the new '
	'loop.sync_run id, to which pending sync requests are attached. Called by loop-sync.';

-- Check that p_run is this session's running run.
CREATE FUNCTION loop.sync_check_run(p_run bigint) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT loop.sync_lock_held() THEN
		RAISE EXCEPTION 'this session does not hold the sync lock'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Call loop.sync_begin() first, on the same connection.';
	END IF;
	PERFORM 1 FROM loop.sync_run WHERE id = p_run AND status = 'running';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'sync run % is not running', p_run
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
END;
$$;
COMMENT ON FUNCTION loop.sync_check_run(bigint) IS
	'Raise 55000 unless this session holds the sync lock and the run is "running". Used by sync_publish and sync_fail.';

CREATE FUNCTION loop.sync_publish(p_run bigint, p_stats jsonb DEFAULT '{}')
RETURNS loop.sync_run
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
	c_ins bigint; c_upd bigint; c_del bigint;
	d_ins bigint; d_upd bigint; d_del bigint;
BEGIN
	PERFORM loop.sync_check_run(p_run);
	-- Fresh staging has no statistics: without them the anti-joins below
	-- could be planned as nested loops.
	ANALYZE loop.stage_deal_stage, loop.stage_contact, loop.stage_deal;

	-- Pipelines and stages: upsert; keep what vanished, marked removed.
	INSERT INTO loop.hubspot_pipeline AS t (pipeline_id, label, display_order, archived, removed_at)
	SELECT DISTINCT ON (pipeline_id) pipeline_id, pipeline_label, pipeline_display_order, pipeline_archived, NULL
	  FROM loop.stage_deal_stage ORDER BY pipeline_id
	ON CONFLICT (pipeline_id) DO UPDATE
	   SET label = EXCLUDED.label, display_order = EXCLUDED.display_order,
		   archived = EXCLUDED.archived, removed_at = NULL
	 WHERE (t.label, t.display_order, t.archived, t.removed_at)
		   IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.display_order, EXCLUDED.archived, NULL::timestamptz);
	UPDATE loop.hubspot_pipeline t SET removed_at = clock_timestamp()
	 WHERE t.removed_at IS NULL
	   AND NOT EXISTS (SELECT 1 FROM loop.stage_deal_stage s WHERE s.pipeline_id = t.pipeline_id);

	INSERT INTO loop.hubspot_deal_stage AS t
		(pipeline_id, stage_id, label, display_order, is_closed, probability, archived, removed_at)
	SELECT pipeline_id, stage_id, label, display_order, is_closed, probability, archived, NULL
	  FROM loop.stage_deal_stage
	ON CONFLICT (pipeline_id, stage_id) DO UPDATE
	   SET label = EXCLUDED.label, display_order = EXCLUDED.display_order, is_closed = EXCLUDED.is_closed,
		   probability = EXCLUDED.probability, archived = EXCLUDED.archived, removed_at = NULL
	 WHERE (t.label, t.display_order, t.is_closed, t.probability, t.archived, t.removed_at)
		   IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.display_order, EXCLUDED.is_closed,
							 EXCLUDED.probability, EXCLUDED.archived, NULL::timestamptz);
	UPDATE loop.hubspot_deal_stage t SET removed_at = clock_timestamp()
	 WHERE t.removed_at IS NULL
	   AND NOT EXISTS (SELECT 1 FROM loop.stage_deal_stage s
					   WHERE s.pipeline_id = t.pipeline_id AND s.stage_id = t.stage_id);

	-- Contacts: upsert changed rows, delete what HubSpot no longer returns
	-- (archived, deleted, or affiliate_partner_id cleared).
	WITH up AS (
		INSERT INTO loop.hubspot_contact AS t
			(contact_id, affiliate_partner_id, firstname, lastname, email, phone, company,
			 lifecyclestage, hs_lead_status, affiliate_referral_date, utm_source, utm_medium,
			 utm_campaign, utm_content, utm_term, created_at, updated_at, properties, synced_run)
		SELECT contact_id, affiliate_partner_id, firstname, lastname, email, phone, company,
			   lifecyclestage, hs_lead_status, affiliate_referral_date, utm_source, utm_medium,
			   utm_campaign, utm_content, utm_term, created_at, updated_at, properties, p_run
		  FROM loop.stage_contact
		ON CONFLICT (contact_id) DO UPDATE
		   SET affiliate_partner_id = EXCLUDED.affiliate_partner_id, firstname = EXCLUDED.firstname,
			   lastname = EXCLUDED.lastname, email = EXCLUDED.email, phone = EXCLUDED.phone,
			   company = EXCLUDED.company, lifecyclestage = EXCLUDED.lifecyclestage,
			   hs_lead_status = EXCLUDED.hs_lead_status,
			   affiliate_referral_date = EXCLUDED.affiliate_referral_date,
			   utm_source = EXCLUDED.utm_source, utm_medium = EXCLUDED.utm_medium,
			   utm_campaign = EXCLUDED.utm_campaign, utm_content = EXCLUDED.utm_content,
			   utm_term = EXCLUDED.utm_term, created_at = EXCLUDED.created_at,
			   updated_at = EXCLUDED.updated_at, properties = EXCLUDED.properties,
			   synced_run = EXCLUDED.synced_run
		 WHERE (t.affiliate_partner_id, t.firstname, t.lastname, t.email, t.phone, t.company,
				t.lifecyclestage, t.hs_lead_status, t.affiliate_referral_date, t.utm_source,
				t.utm_medium, t.utm_campaign, t.utm_content, t.utm_term, t.created_at,
				t.updated_at, t.properties)
			   IS DISTINCT FROM
			   (EXCLUDED.affiliate_partner_id, EXCLUDED.firstname, EXCLUDED.lastname, EXCLUDED.email,
				EXCLUDED.phone, EXCLUDED.company, EXCLUDED.lifecyclestage, EXCLUDED.hs_lead_status,
				EXCLUDED.affiliate_referral_date, EXCLUDED.utm_source, EXCLUDED.utm_medium,
				EXCLUDED.utm_campaign, EXCLUDED.utm_content, EXCLUDED.utm_term, EXCLUDED.created_at,
				EXCLUDED.updated_at, EXCLUDED.properties)
		RETURNING (t.xmax = 0) AS inserted)
	SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
	  INTO c_ins, c_upd FROM up;
	DELETE FROM loop.hubspot_contact t
	 WHERE NOT EXISTS (SELECT 1 FROM loop.stage_contact s WHERE s.contact_id = t.contact_id);
	GET DIAGNOSTICS c_del = ROW_COUNT;

	-- Deals, the same way.
	WITH up AS (
		INSERT INTO loop.hubspot_deal AS t
			(deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate, amount,
			 affiliate_mrr, affiliate_subscription_status, created_at, updated_at, properties, synced_run)
		SELECT deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate, amount,
			   affiliate_mrr, affiliate_subscription_status, created_at, updated_at, properties, p_run
		  FROM loop.stage_deal
		ON CONFLICT (deal_id) DO UPDATE
		   SET affiliate_partner_id = EXCLUDED.affiliate_partner_id, dealname = EXCLUDED.dealname,
			   pipeline = EXCLUDED.pipeline, dealstage = EXCLUDED.dealstage,
			   closedate = EXCLUDED.closedate, amount = EXCLUDED.amount,
			   affiliate_mrr = EXCLUDED.affiliate_mrr,
			   affiliate_subscription_status = EXCLUDED.affiliate_subscription_status,
			   created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
			   properties = EXCLUDED.properties, synced_run = EXCLUDED.synced_run
		 WHERE (t.affiliate_partner_id, t.dealname, t.pipeline, t.dealstage, t.closedate, t.amount,
				t.affiliate_mrr, t.affiliate_subscription_status, t.created_at, t.updated_at,
				t.properties)
			   IS DISTINCT FROM
			   (EXCLUDED.affiliate_partner_id, EXCLUDED.dealname, EXCLUDED.pipeline, EXCLUDED.dealstage,
				EXCLUDED.closedate, EXCLUDED.amount, EXCLUDED.affiliate_mrr,
				EXCLUDED.affiliate_subscription_status, EXCLUDED.created_at, EXCLUDED.updated_at,
				EXCLUDED.properties)
		RETURNING (t.xmax = 0) AS inserted)
	SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
	  INTO d_ins, d_upd FROM up;
	DELETE FROM loop.hubspot_deal t
	 WHERE NOT EXISTS (SELECT 1 FROM loop.stage_deal s WHERE s.deal_id = t.deal_id);
	GET DIAGNOSTICS d_del = ROW_COUNT;

	-- In the same transaction: expired level overrides end (seed 003 "Manual
	-- Override"; sql/80_admin.sql), then today's snapshot of every partner
	-- (sql/82_history.sql) sees the levels that now hold.
	PERFORM loop.clear_expired_overrides(p_run);
	PERFORM loop.snapshot_partners(p_run);

	RETURN loop.sync_finish(p_run, 'succeeded', NULL,
		p_stats || jsonb_build_object(
			'contacts_inserted', c_ins, 'contacts_updated', c_upd, 'contacts_deleted', c_del,
			'deals_inserted', d_ins, 'deals_updated', d_upd, 'deals_deleted', d_del,
			'merge_ms', round(extract(epoch FROM clock_timestamp() - t0) * 1000, 3)));
END;
$$;
COMMENT ON FUNCTION loop.sync_publish(bigint, jsonb) IS
	'Publish a sync run atomically: upsert staging into hubspot_pipeline/_deal_stage/_contact/_deal, delete contacts '
	'and deals HubSpot no longer returned (archived, deleted, attribution cleared), keep vanished pipelines and stages '
	'with removed_at, clear expired level overrides and store today''s partner snapshots, mark the run succeeded '
	'with its counts, empty staging and release the sync lock. p_stats: '
	'{"stages_fetched","contacts_fetched","deals_fetched","warnings","warning_samples","http_requests","http_retries"}. '
	'Errors: 55000 if this session does not hold the lock or the run is not running.';

CREATE FUNCTION loop.sync_finish(p_run bigint, p_status text, p_error text, p_stats jsonb)
RETURNS loop.sync_run
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result loop.sync_run;
BEGIN
	UPDATE loop.sync_run r
	   SET status = p_status, error = p_error, finished_at = clock_timestamp(),
		   stages_fetched = coalesce((p_stats ->> 'stages_fetched')::integer, r.stages_fetched),
		   contacts_fetched = coalesce((p_stats ->> 'contacts_fetched')::integer, r.contacts_fetched),
		   deals_fetched = coalesce((p_stats ->> 'deals_fetched')::integer, r.deals_fetched),
		   contacts_inserted = coalesce((p_stats ->> 'contacts_inserted')::integer, r.contacts_inserted),
		   contacts_updated = coalesce((p_stats ->> 'contacts_updated')::integer, r.contacts_updated),
		   contacts_deleted = coalesce((p_stats ->> 'contacts_deleted')::integer, r.contacts_deleted),
		   deals_inserted = coalesce((p_stats ->> 'deals_inserted')::integer, r.deals_inserted),
		   deals_updated = coalesce((p_stats ->> 'deals_updated')::integer, r.deals_updated),
		   deals_deleted = coalesce((p_stats ->> 'deals_deleted')::integer, r.deals_deleted),
		   warnings = coalesce((p_stats ->> 'warnings')::integer, r.warnings),
		   warning_samples = coalesce(p_stats -> 'warning_samples', r.warning_samples),
		   http_requests = coalesce((p_stats ->> 'http_requests')::integer, r.http_requests),
		   http_retries = coalesce((p_stats ->> 'http_retries')::integer, r.http_retries),
		   merge_ms = coalesce((p_stats ->> 'merge_ms')::numeric, r.merge_ms)
	 WHERE r.id = p_run
	RETURNING * INTO result;
	TRUNCATE loop.stage_deal_stage, loop.stage_contact, loop.stage_deal;
	PERFORM pg_advisory_unlock(1819242352, 1);
	RETURN result;
END;
$$;
COMMENT ON FUNCTION loop.sync_finish(bigint, text, text, jsonb) IS
	'End a run (the one finishing path of sync_publish and sync_fail): set status and error, copy the counters in '
	'p_stats (keys named as the sync_run columns; absent keys leave columns unchanged), empty staging and release '
	'the sync lock.';

CREATE FUNCTION loop.sync_fail(p_run bigint, p_error text, p_stats jsonb DEFAULT '{}')
RETURNS loop.sync_run
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM loop.sync_check_run(p_run);
	RETURN loop.sync_finish(p_run, 'failed', coalesce(nullif(p_error, ''), 'unknown error'), p_stats);
END;
$$;
COMMENT ON FUNCTION loop.sync_fail(bigint, text, jsonb) IS
	'Record a failed sync run with its reason and counters, empty staging and release the sync lock; the live '
	'tables are not touched. Errors: 55000 as for loop.sync_publish.';

REVOKE ALL ON FUNCTION loop.sync_begin(), loop.sync_check_run(bigint), loop.sync_publish(bigint, jsonb),
	loop.sync_finish(bigint, text, text, jsonb), loop.sync_fail(bigint, text, jsonb) FROM PUBLIC;
