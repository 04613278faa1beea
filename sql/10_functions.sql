-- sql/10_functions.sql — loop extension install script, part 10: rule functions (C)
-- The rules of DESIGN.md "Rules" as C functions: src/lead_status.c, src/level.c,
-- src/partner_id.c. Labels are exact: the pure rules are IMMUTABLE STRICT
-- PARALLEL SAFE (lead_status is not STRICT: a NULL reads as "new");
-- new_partner_id is VOLATILE (random) but PARALLEL SAFE, like gen_random_uuid().
-- test/sql/function_labels.sql pins these labels.

CREATE FUNCTION loop.lead_status(lifecyclestage text, hs_lead_status text)
	RETURNS text
	AS 'MODULE_PATHNAME', 'loop_lead_status'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION loop.lead_status(text, text) IS
	'Funnel bucket of a lead from HubSpot lifecyclestage and hs_lead_status: exactly one of won, deal, qualified, new, checked in that order, case-insensitive, surrounding whitespace ignored. '
	'won = lifecyclestage customer or evangelist; deal = opportunity; qualified = marketingqualifiedlead or salesqualifiedlead, or hs_lead_status with a token "qualified" (tokens split on non-alphanumerics) and no token not, non, unqualified or disqualified; new = anything else, NULLs and empty strings included. '
	'Never raises. Rule: DESIGN.md "Lead status"; glossary (seed 002) "Conversion Funnel".';

CREATE FUNCTION loop.level_for(won_deals_90d integer, won_deals_ever integer)
	RETURNS text
	AS 'MODULE_PATHNAME', 'loop_level_for'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop.level_for(integer, integer) IS
	'Calculated partner level from won deals closed in the rolling 90-day window and won deals ever: pro for 11 or more, partner for 6-10, starter for 1-5, and for 0 in the window starter if won_deals_ever > 0, else beginner. '
	'Errors: SQLSTATE 22023 (invalid_parameter_value) for a negative count, or won_deals_ever < won_deals_90d. '
	'Rule: DESIGN.md "Level"; seed 001 "Partner Levels and MRR".';

CREATE FUNCTION loop.mrr_share_percent(level text)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'loop_mrr_share_percent'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop.mrr_share_percent(text) IS
	'MRR share of a partner level in percent, numeric with scale 2 (20.00 = 20 %): beginner 0.00, starter 20.00, partner 25.00, pro 30.00. Level names are case-insensitive, surrounding whitespace ignored. '
	'Errors: SQLSTATE 22023 (invalid_parameter_value) for an unknown level. '
	'Rule: DESIGN.md "Level"; seed 001 "Partner Levels and MRR".';

CREATE FUNCTION loop.partner_mrr(deal_mrr numeric, level text)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'loop_partner_mrr'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop.partner_mrr(numeric, text) IS
	'Partner''s monthly share of one deal in EUR: round(deal_mrr * mrr_share_percent(level) / 100, 2), half away from zero, scale exactly 2; totals are sums of these per-deal values. '
	'Errors: SQLSTATE 22023 (invalid_parameter_value) for a negative, NaN or infinite deal_mrr, or an unknown level. '
	'Rule: DESIGN.md "Partner MRR"; seed 000 (89, 150, 200 EUR at starter: 17.80 + 30.00 + 40.00 = 87.80).';

CREATE FUNCTION loop.new_partner_id(registered date DEFAULT CURRENT_DATE)
	RETURNS text
	AS 'MODULE_PATHNAME', 'loop_new_partner_id'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop.new_partner_id(date) IS
	'New partner id AP-YYYYMMDD-XXXXXX: the registration date (default current_date), then 6 characters uniform over [A-Z0-9] from pg_strong_random() (rejection sampling, no modulo bias). Not guaranteed unique: rely on the partner_id key. '
	'Errors: SQLSTATE 22008 (datetime_field_overflow) for an infinite date or a year outside 1-9999; XX000 (internal_error) if the random source fails. '
	'Rule: DESIGN.md "Partner id"; seed 001 "Partner ID".';
