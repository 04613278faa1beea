-- sql/20_tables.sql — loop extension install script, part 2: tables
--
-- loop.partner is the system of record for partners. The hubspot_* tables
-- mirror HubSpot (written only by loop-sync through loop.sync_publish); the
-- stage_* tables are loop-sync's UNLOGGED staging area.

CREATE TABLE loop.partner (
	partner_id text PRIMARY KEY DEFAULT loop.new_partner_id(current_date)
		CONSTRAINT partner_id_format CHECK (partner_id ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$'),
	name text NOT NULL
		CONSTRAINT partner_name_not_blank CHECK (name ~ '[^[:space:]]'),
	email text NOT NULL
		CONSTRAINT partner_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
	status text NOT NULL DEFAULT 'pending'
		CONSTRAINT partner_status_valid CHECK (status IN ('pending', 'active', 'deactivated')),
	is_admin boolean NOT NULL DEFAULT false,
	level_override text
		CONSTRAINT partner_level_override_valid
		CHECK (level_override IN ('beginner', 'starter', 'partner', 'pro')),
	level_override_until timestamptz,
	registered_at timestamptz NOT NULL DEFAULT now(),
	email_verified_at timestamptz,
	terms_accepted_at timestamptz,
	terms_version text,
	last_login_at timestamptz,
	last_active_at timestamptz,
	CONSTRAINT partner_terms_complete
		CHECK ((terms_accepted_at IS NULL) = (terms_version IS NULL)),
	CONSTRAINT partner_override_until_needs_level
		CHECK (level_override_until IS NULL OR level_override IS NOT NULL)
);
CREATE UNIQUE INDEX partner_email_key ON loop.partner (lower(email));

COMMENT ON TABLE loop.partner IS
	'Partners of the program (system of record). partner_id is AP-YYYYMMDD-XXXXXX (DESIGN.md "Partner id"); '
	'status pending|active|deactivated; level_override (+ optional level_override_until, UTC) replaces the '
	'calculated level while unexpired (seed 003 "Manual Override"). Emails are unique case-insensitively.';
COMMENT ON COLUMN loop.partner.partner_id IS 'AP-YYYYMMDD-XXXXXX; defaults to loop.new_partner_id(current_date).';
COMMENT ON COLUMN loop.partner.status IS 'pending (email not verified), active, or deactivated.';
COMMENT ON COLUMN loop.partner.level_override IS 'Manual level set by an admin (beginner|starter|partner|pro), NULL = calculated.';
COMMENT ON COLUMN loop.partner.level_override_until IS 'Expiry of level_override (timestamptz); NULL = no expiry.';
COMMENT ON COLUMN loop.partner.registered_at IS 'Registration time (timestamptz).';
COMMENT ON COLUMN loop.partner.email_verified_at IS 'When the partner confirmed the email address (api.verify_email or a verified OAuth email).';
COMMENT ON COLUMN loop.partner.terms_accepted_at IS 'When Partner-Vereinbarung and Datenschutzerklärung were accepted (GDPR, glossary terms_accepted_at).';
COMMENT ON COLUMN loop.partner.terms_version IS 'Version of the terms accepted (loop.setting terms_version at the time).';
COMMENT ON COLUMN loop.partner.last_login_at IS 'Last successful login (api.login, api.oauth_sign_in).';
COMMENT ON COLUMN loop.partner.last_active_at IS 'Last authenticated request, written at most every 15 minutes by loop.pre_request.';

CREATE TABLE loop.sync_run (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at timestamptz,
	status text NOT NULL DEFAULT 'running'
		CONSTRAINT sync_run_status_valid CHECK (status IN ('running', 'succeeded', 'failed')),
	error text,
	stages_fetched integer NOT NULL DEFAULT 0,
	contacts_fetched integer NOT NULL DEFAULT 0,
	deals_fetched integer NOT NULL DEFAULT 0,
	contacts_inserted integer NOT NULL DEFAULT 0,
	contacts_updated integer NOT NULL DEFAULT 0,
	contacts_deleted integer NOT NULL DEFAULT 0,
	deals_inserted integer NOT NULL DEFAULT 0,
	deals_updated integer NOT NULL DEFAULT 0,
	deals_deleted integer NOT NULL DEFAULT 0,
	warnings integer NOT NULL DEFAULT 0,
	warning_samples jsonb NOT NULL DEFAULT '[]',
	http_requests integer NOT NULL DEFAULT 0,
	http_retries integer NOT NULL DEFAULT 0,
	merge_ms numeric(12,3),
	CONSTRAINT sync_run_finished CHECK ((status = 'running') = (finished_at IS NULL)),
	CONSTRAINT sync_run_failed_has_error CHECK (status <> 'failed' OR error IS NOT NULL)
);

COMMENT ON TABLE loop.sync_run IS
	'One row per loop-sync run: status running|succeeded|failed, the reason of a failure, and counts. '
	'Written by loop.sync_begin, loop.sync_publish and loop.sync_fail.';
COMMENT ON COLUMN loop.sync_run.warnings IS
	'Values HubSpot sent that did not parse (numbers, dates, subscription status): stored as NULL, raw value kept in the row''s properties jsonb.';
COMMENT ON COLUMN loop.sync_run.warning_samples IS 'Up to 20 warnings as [{object, id, property, value}].';
COMMENT ON COLUMN loop.sync_run.merge_ms IS 'Duration of the publish (merge) transaction in milliseconds.';

-- HubSpot deal pipelines and stages (GET /crm/v3/pipelines/deals, HUBSPOT.md §5).
-- Rows are kept after HubSpot deletes a pipeline or stage (removed_at is set),
-- so that historical deals still resolve.
CREATE TABLE loop.hubspot_pipeline (
	pipeline_id text PRIMARY KEY,
	label text NOT NULL,
	display_order integer,
	archived boolean NOT NULL DEFAULT false,
	removed_at timestamptz
);
COMMENT ON TABLE loop.hubspot_pipeline IS
	'HubSpot deal pipelines (mirror). removed_at: when HubSpot stopped returning it (kept for history).';

CREATE TABLE loop.hubspot_deal_stage (
	pipeline_id text NOT NULL,
	stage_id text NOT NULL,
	label text NOT NULL,
	display_order integer,
	is_closed boolean,
	probability numeric,
	archived boolean NOT NULL DEFAULT false,
	removed_at timestamptz,
	kind text NOT NULL GENERATED ALWAYS AS (
		CASE WHEN is_closed AND probability = 1 THEN 'won'
			 WHEN is_closed AND probability = 0 THEN 'lost'
			 ELSE 'open' END) STORED,
	PRIMARY KEY (pipeline_id, stage_id)
);
COMMENT ON TABLE loop.hubspot_deal_stage IS
	'HubSpot deal stages (mirror). kind is derived from the stage metadata only (DESIGN.md "Deal kind"): '
	'won = isClosed and probability 1.0, lost = isClosed and probability 0.0, open otherwise; never from labels or ids.';
COMMENT ON COLUMN loop.hubspot_deal_stage.probability IS 'metadata.probability, 0.0–1.0.';

-- Contacts with affiliate_partner_id set (the leads), HubSpot property -> column
-- as in DESIGN.md; every other fetched property, and the raw text of values
-- that did not parse, stay in properties.
CREATE TABLE loop.hubspot_contact (
	contact_id bigint PRIMARY KEY,
	affiliate_partner_id text NOT NULL,
	firstname text,
	lastname text,
	email text,
	phone text,
	company text,
	lifecyclestage text,
	hs_lead_status text,
	affiliate_referral_date date,
	utm_source text,
	utm_medium text,
	utm_campaign text,
	utm_content text,
	utm_term text,
	created_at timestamptz,
	updated_at timestamptz,
	properties jsonb NOT NULL DEFAULT '{}',
	synced_run bigint
);
CREATE INDEX hubspot_contact_partner_idx ON loop.hubspot_contact (affiliate_partner_id);
COMMENT ON TABLE loop.hubspot_contact IS
	'HubSpot contacts whose affiliate_partner_id is set (mirror, replaced by each sync). Columns: source__c→utm_source, '
	'utm_medium__c→utm_medium, utm_campaign__c→utm_campaign, content__c→utm_content, utm_term__c→utm_term, '
	'createdate→created_at, lastmodifieddate→updated_at (UTC); properties holds the other fetched properties '
	'and the raw text of values that did not parse. synced_run: the sync_run that last changed the row.';

CREATE TABLE loop.hubspot_deal (
	deal_id bigint PRIMARY KEY,
	affiliate_partner_id text NOT NULL,
	dealname text,
	pipeline text,
	dealstage text,
	closedate timestamptz,
	amount numeric,
	affiliate_mrr numeric(12,2),
	affiliate_subscription_status text
		CONSTRAINT hubspot_deal_subscription_status_valid
		CHECK (affiliate_subscription_status IN ('active', 'paused', 'cancelled')),
	created_at timestamptz,
	updated_at timestamptz,
	properties jsonb NOT NULL DEFAULT '{}',
	synced_run bigint
);
CREATE INDEX hubspot_deal_partner_idx ON loop.hubspot_deal (affiliate_partner_id);
COMMENT ON TABLE loop.hubspot_deal IS
	'HubSpot deals whose affiliate_partner_id is set (mirror, replaced by each sync). affiliate_mrr in EUR per month; '
	'affiliate_subscription_status lower-cased (Active/Paused/Cancelled in HubSpot, any case); createdate→created_at, '
	'hs_lastmodifieddate→updated_at; properties holds the other fetched properties and raw unparsable values.';

-- Staging: loop-sync streams pages here with COPY; loop.sync_publish merges.
CREATE UNLOGGED TABLE loop.stage_deal_stage (
	pipeline_id text NOT NULL,
	pipeline_label text NOT NULL,
	pipeline_display_order integer,
	pipeline_archived boolean NOT NULL,
	stage_id text NOT NULL,
	label text NOT NULL,
	display_order integer,
	is_closed boolean,
	probability numeric,
	archived boolean NOT NULL
);
CREATE UNLOGGED TABLE loop.stage_contact
	(LIKE loop.hubspot_contact INCLUDING DEFAULTS EXCLUDING CONSTRAINTS);
CREATE UNLOGGED TABLE loop.stage_deal
	(LIKE loop.hubspot_deal INCLUDING DEFAULTS EXCLUDING CONSTRAINTS);

COMMENT ON TABLE loop.stage_deal_stage IS 'loop-sync staging (UNLOGGED): pipelines and stages of the running sync.';
COMMENT ON TABLE loop.stage_contact IS 'loop-sync staging (UNLOGGED): contacts of the running sync, same columns as hubspot_contact.';
COMMENT ON TABLE loop.stage_deal IS 'loop-sync staging (UNLOGGED): deals of the running sync, same columns as hubspot_deal.';

-- pg_dump keeps the data that cannot be re-fetched from HubSpot.
SELECT pg_catalog.pg_extension_config_dump('loop.partner', '');
SELECT pg_catalog.pg_extension_config_dump('loop.sync_run', '');
SELECT pg_catalog.pg_extension_config_dump('loop.hubspot_pipeline', '');
SELECT pg_catalog.pg_extension_config_dump('loop.hubspot_deal_stage', '');
