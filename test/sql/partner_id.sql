-- test/sql/partner_id.sql — loop.new_partner_id(registered date DEFAULT current_date)
-- Rule: DESIGN.md "Partner id"; seed 001 "Partner ID": AP-YYYYMMDD-XXXXXX,
-- six characters uniform over [A-Z0-9] from pg_strong_random().
-- The ids are random, so only properties are printed, never an id.  Every
-- statistical bound below fails with probability < 1e-9 for a correct
-- generator (the arithmetic is in the comments).

-- Format, over 1,000 ids for a given date
SELECT count(*) AS ids,
	   count(*) FILTER (WHERE id ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$') AS well_formed,
	   count(*) FILTER (WHERE id LIKE 'AP-20260129-%') AS dated_20260129,
	   min(length(id)) AS min_len, max(length(id)) AS max_len
FROM (SELECT loop.new_partner_id(date '2026-01-29') AS id
	  FROM generate_series(1, 1000)) AS g;

-- The date part: YYYYMMDD, zero-padded, over the whole year range 1..9999
SELECT to_char(d, 'YYYY-MM-DD') AS registered, substr(loop.new_partner_id(d), 1, 12) AS prefix
FROM (VALUES (date '2026-02-24'), (date '2000-02-29'), (date '1999-12-31'),
			 (date '0001-01-01'), (date '0099-07-04'), (date '9999-12-31')) AS v(d);

-- The default is current_date (same transaction, so the same date)
SELECT substr(loop.new_partner_id(), 4, 8) = to_char(current_date, 'YYYYMMDD')
		   AS default_is_current_date,
	   loop.new_partner_id() ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$' AS default_well_formed;

-- VOLATILE: two calls in one statement differ (36^6 = 2.2e9 suffixes, so a
-- collision has probability 4.6e-10)
SELECT loop.new_partner_id(date '2026-01-29') <> loop.new_partner_id(date '2026-01-29')
	   AS calls_differ;

-- 10,000 ids for one date, kept for the checks below
CREATE TEMP TABLE partner_ids AS
	SELECT loop.new_partner_id(date '2026-01-29') AS id
	FROM generate_series(1, 10000);

-- Uniqueness.  Among n = 10,000 ids of one date the number of colliding pairs
-- is Poisson with mean n(n-1)/2 / 36^6 = 0.023, so "no duplicate at all"
-- would fail in 2.3 % of runs; at most 4 duplicates fails with probability
-- 0.023^5/5! = 5e-11.  A broken source (constant, few bits, a reused seed)
-- gives thousands.
SELECT count(*) AS ids,
	   count(*) - count(DISTINCT id) <= 4 AS at_most_4_duplicates
FROM partner_ids;

-- Character distribution over the 60,000 suffix characters: all 36 appear,
-- nothing else does, and each count is 60000/36 = 1666.7 +- 300.  A count is
-- Binomial(60000, 1/36) with sd 40.25, so 300 is 7.45 sd: failure
-- probability 36 * 9e-14 = 3e-12.
CREATE TEMP TABLE partner_id_chars AS
	SELECT ch, count(*) AS n
	FROM partner_ids, regexp_split_to_table(substr(id, 13), '') AS ch
	GROUP BY ch;

SELECT count(*) AS symbols,
	   sum(n) AS characters,
	   bool_and(ch ~ '^[A-Z0-9]$') AS only_a_z_0_9,
	   bool_and(n BETWEEN 1667 - 300 AND 1667 + 300) AS counts_within_bound
FROM partner_id_chars;

-- Pearson's chi-square over the 36 counts (35 degrees of freedom) stays
-- below 116 (P = 1.3e-10 for a uniform source).  A modulo-biased mapping
-- (byte % 36: four symbols at 8/256, the rest at 7/256) has a statistic of
-- about 117 + 35 and fails here most of the time.
SELECT sum((n - 60000 / 36.0) ^ 2 / (60000 / 36.0)) < 116 AS chi_square_below_116
FROM partner_id_chars;

-- STRICT: NULL gives NULL
SELECT loop.new_partner_id(NULL) IS NULL AS null_date;

-- Invalid input: infinite dates (22008)
SELECT loop.new_partner_id('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.new_partner_id('-infinity');
\echo :LAST_ERROR_SQLSTATE

-- Invalid input: years that do not fit in YYYY (22008)
SELECT loop.new_partner_id(date '10000-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT loop.new_partner_id(date '0001-12-31 BC');
\echo :LAST_ERROR_SQLSTATE
