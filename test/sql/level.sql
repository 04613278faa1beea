-- test/sql/level.sql — loop.level_for(won_deals_90d, won_deals_ever)
-- Rule: DESIGN.md "Level"; seed 001 "Partner Levels and MRR".
-- pro >= 11, partner 6-10, starter 1-5; 0 in the window: starter if a deal
-- was ever won, else beginner.  Expected values computed from that table.

-- Boundaries, with won_deals_ever equal to the window and larger
SELECT w AS won_deals_90d,
	   loop.level_for(w, w) AS ever_same,
	   loop.level_for(w, w + 7) AS ever_larger
FROM (VALUES (0), (1), (5), (6), (10), (11)) AS v(w);

-- The zero window: beginner only when no deal was ever won
SELECT loop.level_for(0, 0) AS never_won,
	   loop.level_for(0, 3) AS won_before,
	   loop.level_for(0, 1) AS one_before;

-- Seed 000: 3 won deals in 90 days -> starter
SELECT loop.level_for(3, 3) AS seed_000;

-- Every count from 0 to 15 (ever = window): each level is one contiguous range
SELECT loop.level_for(w, w) AS level, min(w) AS from_deals, max(w) AS to_deals
FROM generate_series(0, 15) AS w
GROUP BY 1
ORDER BY 2;

-- Large values
SELECT loop.level_for(1000, 1000) AS thousand,
	   loop.level_for(2147483647, 2147483647) AS int_max,
	   loop.level_for(0, 2147483647) AS zero_window_int_max,
	   loop.level_for(5, 2147483647) AS five_window_int_max;

-- STRICT: a NULL argument gives NULL
SELECT loop.level_for(NULL, 3) IS NULL AS null_window,
	   loop.level_for(3, NULL) IS NULL AS null_ever,
	   loop.level_for(NULL, NULL) IS NULL AS null_both;

-- Invalid input: a negative count (22023, the DETAIL names the value)
SELECT loop.level_for(-1, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.level_for(0, -5);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.level_for(-2147483648, -2147483648);
\echo :LAST_ERROR_SQLSTATE

-- Invalid input: more won deals in the window than ever (22023)
SELECT loop.level_for(3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT loop.level_for(11, 0);
\echo :LAST_ERROR_SQLSTATE
