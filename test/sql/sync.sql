-- test/sql/sync.sql — the sync protocol of sql/30_sync.sql without the worker:
-- loop.sync_begin() -> rows into loop.stage_* (INSERTed here, as loop-sync
-- would COPY them) -> loop.sync_publish(run, stats) or loop.sync_fail(run,
-- error, stats).  DESIGN.md "The worker": atomic, idempotent, one sync at a
-- time (SQLSTATE 55P03), a crash leaves the live tables as they were.
-- A second session comes from dblink (added here only, not to REGRESS_OPTS).
-- The protocol needs real transactions and a second session that sees them,
-- so this file commits; it empties the mirrors and sync_run (RESTART
-- IDENTITY, so run ids are 1, 2, ...) first and cleans up at the end.
-- VERBOSITY terse: the 55P03 DETAIL names a backend pid.

\set VERBOSITY terse
SET TIME ZONE 'UTC';
CREATE EXTENSION dblink;
TRUNCATE loop.hubspot_pipeline, loop.hubspot_deal_stage, loop.hubspot_contact, loop.hubspot_deal,
		 loop.stage_deal_stage, loop.stage_contact, loop.stage_deal;
TRUNCATE loop.sync_run RESTART IDENTITY;
DELETE FROM loop.partner WHERE partner_id = 'AP-20260129-AD2F73';
INSERT INTO loop.partner (partner_id, name, email, status)
VALUES ('AP-20260129-AD2F73', 'Seed 000 Partner', 'seed000-sync@example.com', 'active');

-- "HubSpot": what the worker would fetch, in temp tables shaped like staging
CREATE TEMP TABLE hs_stage (LIKE loop.stage_deal_stage);
CREATE TEMP TABLE hs_contact (LIKE loop.stage_contact INCLUDING DEFAULTS);
CREATE TEMP TABLE hs_deal (LIKE loop.stage_deal INCLUDING DEFAULTS);
INSERT INTO hs_stage VALUES
	('default', 'Sales Pipeline', 0, false, 'appointmentscheduled', 'Termin vereinbart', 0, false, 0.2, false),
	('default', 'Sales Pipeline', 0, false, 'closedwon', 'Abgeschlossen und gewonnen', 1, true, 1.0, false),
	('default', 'Sales Pipeline', 0, false, 'closedlost', 'Abgeschlossen und verloren', 2, true, 0.0, false),
	('98765', 'Partner-Pipeline', 1, false, '1234567', 'Gewonnen', 0, true, 1, false);
INSERT INTO hs_contact (contact_id, affiliate_partner_id, firstname, lastname, company, lifecyclestage,
						utm_source, utm_medium, utm_campaign, created_at, updated_at, properties) VALUES
	(1001, 'AP-20260129-AD2F73', 'Markus', 'Weber', 'Gastro-Betrieb Weber GmbH', 'lead',
	 'linkedin', 'social', 'partner-q1-2026', '2026-02-10 09:00:00+00', '2026-02-10 09:00:00+00', '{"hs_object_id": "1001"}'),
	(1002, 'AP-20260129-AD2F73', 'Anna', 'Schmidt', 'Hotel Sonnenhof GmbH', 'marketingqualifiedlead',
	 'affiliate', 'newsletter', 'partner-newsletter-feb', '2026-02-10 09:05:00+00', '2026-02-10 09:05:00+00', '{}'),
	(1003, 'AP-20260129-AD2F73', 'Thomas', 'Fischer', 'Bäckerei Fischer GmbH', 'opportunity',
	 'partner', 'email', 'demo-kampagne', '2026-02-10 09:10:00+00', '2026-02-10 09:10:00+00', '{}');
INSERT INTO hs_deal (deal_id, affiliate_partner_id, dealname, pipeline, dealstage, closedate,
					 affiliate_mrr, affiliate_subscription_status, updated_at) VALUES
	(2001, 'AP-20260129-AD2F73', 'Weber', 'default', 'closedwon', '2026-02-10 10:00:00+00', 89, 'active', '2026-02-10 10:00:00+00'),
	(2002, 'AP-20260129-AD2F73', 'Sonnenhof', 'default', 'closedwon', '2026-02-10 10:05:00+00', 150, 'active', '2026-02-10 10:05:00+00'),
	(2003, 'AP-20260129-AD2F73', 'Fischer', '98765', '1234567', '2026-02-10 10:10:00+00', 200, 'paused', '2026-02-10 10:10:00+00');
-- One page of each, as the worker's COPY would stage them
CREATE FUNCTION pg_temp.stage_all() RETURNS void LANGUAGE sql AS $$
	INSERT INTO loop.stage_deal_stage SELECT * FROM hs_stage;
	INSERT INTO loop.stage_contact SELECT * FROM hs_contact;
	INSERT INTO loop.stage_deal SELECT * FROM hs_deal;
$$;
-- An md5 of each live table, rows in key order
CREATE TEMP VIEW live_md5 AS SELECT
	(SELECT md5(string_agg(t::text, '|' ORDER BY pipeline_id)) FROM loop.hubspot_pipeline t) AS pipelines,
	(SELECT md5(string_agg(t::text, '|' ORDER BY pipeline_id, stage_id)) FROM loop.hubspot_deal_stage t) AS stages,
	(SELECT md5(string_agg(t::text, '|' ORDER BY contact_id)) FROM loop.hubspot_contact t) AS contacts,
	(SELECT md5(string_agg(t::text, '|' ORDER BY deal_id)) FROM loop.hubspot_deal t) AS deals;
CREATE TEMP VIEW staged AS SELECT
	(SELECT count(*) FROM loop.stage_deal_stage) + (SELECT count(*) FROM loop.stage_contact)
	+ (SELECT count(*) FROM loop.stage_deal) AS staged_rows;

-- Without sync_begin this session holds no lock: publish and fail refuse (55000)
SELECT loop.sync_lock_held();
SELECT loop.sync_publish(1);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.sync_fail(1, 'x');
\echo :LAST_ERROR_SQLSTATE

-- Run 1: begin returns the run id, takes the lock, opens a running run
SELECT loop.sync_begin() AS run;
SELECT loop.sync_lock_held();
SELECT id, status, finished_at IS NULL AS open, error FROM loop.sync_run;
SELECT pg_temp.stage_all();
-- publish inserts everything: 3 contacts, 3 deals; the worker's counters are recorded
SELECT id, status, finished_at IS NOT NULL AS finished, error,
	   contacts_inserted, contacts_updated, contacts_deleted, deals_inserted, deals_updated, deals_deleted,
	   stages_fetched, contacts_fetched, deals_fetched, warnings, warning_samples, http_requests, http_retries,
	   merge_ms >= 0 AS merge_timed
  FROM loop.sync_publish(1, '{"stages_fetched": 4, "contacts_fetched": 3, "deals_fetched": 3, "warnings": 1,
	  "warning_samples": [{"object": "deals", "id": "2003", "property": "amount", "value": "n/a"}],
	  "http_requests": 5, "http_retries": 1}');
-- ... releases the lock and empties staging
SELECT loop.sync_lock_held(), staged_rows FROM staged;
SELECT pipeline_id, label, display_order, archived, removed_at FROM loop.hubspot_pipeline ORDER BY pipeline_id;
SELECT pipeline_id, stage_id, label, kind, removed_at FROM loop.hubspot_deal_stage ORDER BY pipeline_id, display_order;
SELECT contact_id, affiliate_partner_id, lastname, lifecyclestage, properties, synced_run
  FROM loop.hubspot_contact ORDER BY contact_id;
SELECT deal_id, dealname, pipeline, dealstage, affiliate_mrr, affiliate_subscription_status, synced_run
  FROM loop.hubspot_deal ORDER BY deal_id;
-- the published rows feed the views: seed 000's 87.80
SELECT leads_total, deals_won, mrr_total FROM loop.partner_summary_at('2026-02-12 12:00:00+00')
 WHERE partner_id = 'AP-20260129-AD2F73';

-- Run 2, the same data again: nothing inserted, updated or deleted, and
-- every live table identical (same md5, synced_run still 1)
SELECT * FROM live_md5 \gset before_
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
SELECT id, status, contacts_inserted, contacts_updated, contacts_deleted, deals_inserted, deals_updated, deals_deleted
  FROM loop.sync_publish(2);
SELECT pipelines = :'before_pipelines' AS pipelines_same, stages = :'before_stages' AS stages_same,
	   contacts = :'before_contacts' AS contacts_same, deals = :'before_deals' AS deals_same
  FROM live_md5;

-- Run 3, HubSpot changed: contact 1001 became a customer, 1003 is gone
-- (deleted, archived or attribution cleared), 1004 is new; deal 2002's MRR
-- changed, 2001 is gone; pipeline 98765 (with its stage) and the stage
-- closedlost vanished; a stage was renamed.
-- contacts 1 inserted, 1 updated, 1 deleted; deals 0, 1, 1
UPDATE hs_contact SET lifecyclestage = 'customer', updated_at = '2026-02-11 08:00:00+00' WHERE contact_id = 1001;
DELETE FROM hs_contact WHERE contact_id = 1003;
INSERT INTO hs_contact (contact_id, affiliate_partner_id, lastname, lifecyclestage, created_at)
VALUES (1004, 'AP-20260129-AD2F73', 'Neumann', 'lead', '2026-02-11 09:00:00+00');
UPDATE hs_deal SET affiliate_mrr = 175, updated_at = '2026-02-11 08:00:00+00' WHERE deal_id = 2002;
DELETE FROM hs_deal WHERE deal_id = 2001;
DELETE FROM hs_stage WHERE pipeline_id = '98765' OR stage_id = 'closedlost';
UPDATE hs_stage SET label = 'Termin geplant' WHERE stage_id = 'appointmentscheduled';
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
SELECT id, status, contacts_inserted, contacts_updated, contacts_deleted, deals_inserted, deals_updated, deals_deleted
  FROM loop.sync_publish(3);
SELECT contact_id, lastname, lifecyclestage, synced_run FROM loop.hubspot_contact ORDER BY contact_id;
SELECT deal_id, dealname, affiliate_mrr, synced_run FROM loop.hubspot_deal ORDER BY deal_id;
-- vanished pipelines and stages are kept, with removed_at set
SELECT pipeline_id, label, removed_at IS NOT NULL AS removed FROM loop.hubspot_pipeline ORDER BY pipeline_id;
SELECT pipeline_id, stage_id, label, kind, removed_at IS NOT NULL AS removed
  FROM loop.hubspot_deal_stage ORDER BY pipeline_id, display_order;
-- ... so the deal in the removed pipeline still resolves: won, "Gewonnen"
SELECT deal_id, pipeline_label, stage_label, kind, valid_won FROM loop.deal_detail WHERE deal_id = 2003;
SELECT removed_at AS closedlost_removed_at FROM loop.hubspot_deal_stage WHERE stage_id = 'closedlost' \gset

-- Run 4: pipeline 98765 is back (removed_at cleared); closedlost stays
-- removed, its removed_at is not moved by a later run
INSERT INTO hs_stage VALUES ('98765', 'Partner-Pipeline', 1, false, '1234567', 'Gewonnen', 0, true, 1, false);
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
SELECT id, status, contacts_updated, deals_updated FROM loop.sync_publish(4);
SELECT pipeline_id, stage_id, removed_at IS NOT NULL AS removed,
	   removed_at IS NOT DISTINCT FROM CASE WHEN stage_id = 'closedlost' THEN :'closedlost_removed_at'::timestamptz END
		   AS removed_at_kept
  FROM loop.hubspot_deal_stage ORDER BY pipeline_id, display_order;
SELECT pipeline_id, removed_at IS NOT NULL AS removed FROM loop.hubspot_pipeline ORDER BY pipeline_id;

-- Run 5: publish fails half-way (a staged deal breaks the mirror's CHECK,
-- after the contacts were merged): nothing of it is visible, the run stays
-- running and the lock held, so the worker can still report the failure
SELECT * FROM live_md5 \gset before_
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
UPDATE loop.stage_contact SET lifecyclestage = 'customer';
UPDATE loop.stage_deal SET affiliate_subscription_status = 'Active' WHERE deal_id = 2002;
SELECT loop.sync_publish(5);
\echo :LAST_ERROR_SQLSTATE
SELECT id, status, finished_at IS NULL AS open FROM loop.sync_run WHERE id = 5;
SELECT loop.sync_lock_held();
-- sync_fail records the error and the counters, empties staging, releases
-- the lock and leaves the live tables as they were
SELECT id, status, finished_at IS NOT NULL AS finished, error, http_requests, http_retries,
	   contacts_inserted, contacts_updated, contacts_deleted
  FROM loop.sync_fail(5, 'publish failed: check constraint hubspot_deal_subscription_status_valid',
					  '{"http_requests": 7, "http_retries": 2}');
SELECT loop.sync_lock_held(), staged_rows FROM staged;
SELECT pipelines = :'before_pipelines' AS pipelines_same, stages = :'before_stages' AS stages_same,
	   contacts = :'before_contacts' AS contacts_same, deals = :'before_deals' AS deals_same
  FROM live_md5;

-- Run 6: a failure before publish (say HubSpot answered 401 mid-way): staged
-- rows are dropped, live tables untouched; an empty error reads "unknown error"
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
DELETE FROM loop.stage_contact;
SELECT id, status, error FROM loop.sync_fail(6, '');
SELECT staged_rows FROM staged;
SELECT contacts = :'before_contacts' AS contacts_same FROM live_md5;

-- A finished or unknown run cannot be published or failed, even with the lock (55000)
SELECT loop.sync_publish(6);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.sync_begin() AS run;
SELECT loop.sync_publish(6);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.sync_fail(999, 'x');
\echo :LAST_ERROR_SQLSTATE

-- One sync at a time: while this session holds the lock (run 7), a second
-- session (dblink) cannot begin (55P03, the DETAIL names this backend) and
-- cannot publish this session's run (55000)
SELECT format('dbname=%s user=%s port=%s host=%s', current_database(), current_user, current_setting('port'),
			  coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), 'localhost'))
	   AS conninfo \gset
SELECT dblink_connect('worker2', :'conninfo');
SELECT dblink_exec('worker2', 'SET statement_timeout = ''30s''');
SELECT * FROM dblink('worker2', 'SELECT loop.sync_lock_held()') AS t(held boolean);
SELECT * FROM dblink('worker2', 'SELECT loop.sync_begin()') AS t(run bigint);
\echo :LAST_ERROR_SQLSTATE
SELECT dblink_exec('worker2', format($do$
	DO $$
	DECLARE st text; detail text;
	BEGIN
		PERFORM loop.sync_begin();
		RAISE EXCEPTION 'sync_begin did not fail';
	EXCEPTION WHEN lock_not_available THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
		IF st <> '55P03' OR detail <> %L THEN
			RAISE EXCEPTION 'unexpected: %% %%', st, detail;
		END IF;
	END $$ $do$, format('The sync lock is held by backend pid %s.', pg_backend_pid()))) AS detail_names_holder;
SELECT * FROM dblink('worker2', 'SELECT status FROM loop.sync_publish(7)') AS t(status text);
\echo :LAST_ERROR_SQLSTATE
SELECT status FROM loop.sync_run WHERE id = 7;

-- When run 7 ends, the second session gets the lock (run 8) and this one is refused
SELECT status FROM loop.sync_fail(7, 'stopped by the test');
SELECT * FROM dblink('worker2', 'SELECT loop.sync_begin()') AS t(run bigint);
SELECT loop.sync_begin();
\echo :LAST_ERROR_SQLSTATE

-- The second session's worker crashes: its connection ends, the lock goes
-- with it, run 8 is left "running" ...
SELECT dblink_disconnect('worker2');
DO $$
BEGIN
	FOR i IN 1..3000 LOOP  -- the backend exits asynchronously: wait up to 30 s
		EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
							   AND classid = 1819242352 AND objid = 1 AND objsubid = 2);
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
SELECT id, status, error FROM loop.sync_run WHERE id = 8;
-- ... and the next begin marks it failed, then syncs normally (run 9, no change)
SELECT loop.sync_begin() AS run;
SELECT id, status, finished_at IS NOT NULL AS finished, error FROM loop.sync_run WHERE id IN (8, 9) ORDER BY id;
SELECT pg_temp.stage_all();
SELECT id, status, contacts_inserted, contacts_updated, contacts_deleted, deals_inserted, deals_updated, deals_deleted
  FROM loop.sync_publish(9);

-- sync_begin twice in one session (a worker retrying on its connection):
-- the first run is abandoned, and the one publish releases the lock
SELECT loop.sync_begin() AS run;
SELECT loop.sync_begin() AS run;
SELECT pg_temp.stage_all();
SELECT id, status FROM loop.sync_publish(11);
SELECT loop.sync_lock_held(),
	   (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS advisory_locks;

-- The history: every run finished, failed ones with their reason
SELECT id, status, finished_at >= started_at AS finished, error FROM loop.sync_run ORDER BY id;

-- Clean up
TRUNCATE loop.hubspot_pipeline, loop.hubspot_deal_stage, loop.hubspot_contact, loop.hubspot_deal;
TRUNCATE loop.sync_run RESTART IDENTITY;
DELETE FROM loop.partner WHERE partner_id = 'AP-20260129-AD2F73';
DROP EXTENSION dblink;
