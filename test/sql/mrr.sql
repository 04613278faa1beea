-- test/sql/mrr.sql — loop.mrr_share_percent(level), loop.partner_mrr(deal_mrr, level)
-- Rules: DESIGN.md "Level" (shares) and "Partner MRR"; seeds 000 and 001.
-- Shares: beginner 0.00, starter 20.00, partner 25.00, pro 30.00 (percent).
-- partner_mrr = round(deal_mrr * share / 100, 2) EUR, half away from zero.
-- Expected values computed by hand.

-- Shares for each level, in percent with scale 2
SELECT l AS level, loop.mrr_share_percent(l) AS share,
	   scale(loop.mrr_share_percent(l)) AS scale
FROM (VALUES ('beginner'), ('starter'), ('partner'), ('pro')) AS v(l);

-- Level names: case-insensitive, surrounding whitespace ignored
SELECT loop.mrr_share_percent('Starter') AS starter,
	   loop.mrr_share_percent(' PRO ') AS pro,
	   loop.mrr_share_percent(E'\tPartner\n') AS partner,
	   loop.mrr_share_percent('BEGINNER') AS beginner;

-- Shares fit the money type of DESIGN.md: numeric(5,2)
SELECT loop.mrr_share_percent('pro')::numeric(5,2) AS pro_as_numeric_5_2;

-- Seed 000 (starter, 20 %): 89 -> 17.80, 150 -> 30.00, 200 -> 40.00
SELECT loop.partner_mrr(89, 'starter') AS weber,
	   loop.partner_mrr(150, 'starter') AS deal_150,
	   loop.partner_mrr(200, 'starter') AS fischer;

-- ... and the total is the sum of the rounded per-deal values: 87.80 EUR
SELECT sum(loop.partner_mrr(m, 'starter')) AS mrr_total
FROM (VALUES (89), (150), (200)) AS deal(m);

-- Seed 001 example: 89 EUR at partner (25 %) -> 22.25; and the other levels:
-- pro 89 * 0.30 = 26.70, beginner 0.00
SELECT loop.partner_mrr(89, 'partner') AS partner,
	   loop.partner_mrr(89, 'pro') AS pro,
	   loop.partner_mrr(89, 'beginner') AS beginner,
	   loop.partner_mrr(89, ' Partner ') AS partner_mixed_case;

-- The result always has scale 2, whatever the input scale
SELECT loop.partner_mrr(100, 'starter') AS int_input,
	   loop.partner_mrr(100.123456, 'starter') AS six_decimals,
	   loop.partner_mrr(0, 'pro') AS zero,
	   scale(loop.partner_mrr(100, 'starter')) AS scale_int,
	   scale(loop.partner_mrr(100.123456, 'starter')) AS scale_six,
	   scale(loop.partner_mrr(0, 'beginner')) AS scale_zero;

-- Rounding, half away from zero, at the cent:
--   0.025 * 0.20 = 0.005  -> 0.01     0.024 * 0.20 = 0.0048 -> 0.00
--   0.02  * 0.25 = 0.005  -> 0.01     0.05  * 0.30 = 0.015  -> 0.02
--   10.02 * 0.25 = 2.505  -> 2.51     10.01 * 0.25 = 2.5025 -> 2.50
--   33.33 * 0.20 = 6.666  -> 6.67     0.0249999 * 0.20 = 0.00499998 -> 0.00
SELECT loop.partner_mrr(0.025, 'starter') AS a,
	   loop.partner_mrr(0.024, 'starter') AS b,
	   loop.partner_mrr(0.02, 'partner') AS c,
	   loop.partner_mrr(0.05, 'pro') AS d,
	   loop.partner_mrr(10.02, 'partner') AS e,
	   loop.partner_mrr(10.01, 'partner') AS f,
	   loop.partner_mrr(33.33, 'starter') AS g,
	   loop.partner_mrr(0.0249999, 'starter') AS h;

-- The only rounding is the final one: a long tail decides it exactly
--   0.02499999999999999999999999 * 0.20 -> 0.00 (just below half a cent)
--   0.025000000000000000000000001 * 0.20 -> 0.01
SELECT loop.partner_mrr(0.02499999999999999999999999, 'starter') AS below_half,
	   loop.partner_mrr(0.025000000000000000000000001, 'starter') AS above_half;

-- Per-deal rounding: three deals of 0.025 EUR at starter are 0.01 each,
-- 0.03 in total, where rounding the sum (0.075 * 0.20 = 0.015) would give 0.02
SELECT sum(loop.partner_mrr(0.025, 'starter')) AS sum_of_rounded,
	   loop.partner_mrr(0.075, 'starter') AS rounded_sum
FROM generate_series(1, 3);

-- Large values
--   9999999999.99 (numeric(12,2) max) * 0.30 = 2999999999.997 -> 3000000000.00
--   9999999999.99 * 0.25 = 2499999999.9975 -> 2500000000.00
--   1e20 * 0.20 = 2e19
SELECT loop.partner_mrr(9999999999.99, 'pro') AS max_money_pro,
	   loop.partner_mrr(9999999999.99, 'partner') AS max_money_partner,
	   loop.partner_mrr(1e20, 'starter') AS huge;

-- STRICT: a NULL argument gives NULL
SELECT loop.mrr_share_percent(NULL) IS NULL AS share_null,
	   loop.partner_mrr(NULL, 'starter') IS NULL AS mrr_null,
	   loop.partner_mrr(89, NULL) IS NULL AS level_null;

-- Invalid input: unknown level (22023, with the valid levels as HINT)
SELECT loop.mrr_share_percent('xyz');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.mrr_share_percent('');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.mrr_share_percent('pro manuell');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.partner_mrr(89, 'gold');
\echo :LAST_ERROR_SQLSTATE

-- Invalid input: negative, NaN or infinite deal MRR (22023)
SELECT loop.partner_mrr(-1, 'starter');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.partner_mrr(-0.01, 'beginner');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.partner_mrr('NaN', 'starter');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.partner_mrr('Infinity', 'pro');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.partner_mrr('-Infinity', 'pro');
\echo :LAST_ERROR_SQLSTATE
