-- test/sql/function_labels.sql — the labels of the rule functions (C)
-- Pins volatility, strictness, parallel safety, language, signature and the
-- presence of a COMMENT for the five functions of sql/10_functions.sql, so the
-- SQL declarations cannot drift from what the C code guarantees.
--   provolatile: i = IMMUTABLE, v = VOLATILE;  proparallel: s = SAFE

SELECT p.oid::regprocedure AS function,
	   pg_get_function_arguments(p.oid) AS arguments,
	   p.prorettype::regtype AS returns,
	   l.lanname AS language,
	   p.provolatile AS volatility,
	   p.proisstrict AS strict,
	   p.proparallel AS parallel,
	   p.prosecdef AS security_definer,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
FROM pg_proc AS p
JOIN pg_namespace AS n ON n.oid = p.pronamespace
JOIN pg_language AS l ON l.oid = p.prolang
WHERE n.nspname = 'loop'
  AND p.proname IN ('lead_status', 'level_for', 'mrr_share_percent',
					'partner_mrr', 'new_partner_id')
ORDER BY p.proname;

-- Each function is bound to its loop_-prefixed C symbol
SELECT p.proname, p.prosrc AS c_symbol, p.probin AS library
FROM pg_proc AS p
JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = 'loop'
  AND p.proname IN ('lead_status', 'level_for', 'mrr_share_percent',
					'partner_mrr', 'new_partner_id')
ORDER BY p.proname;

-- The functions belong to the extension
SELECT count(*) AS extension_members
FROM pg_depend AS d
JOIN pg_proc AS p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'loop')
  AND d.deptype = 'e'
  AND n.nspname = 'loop'
  AND p.proname IN ('lead_status', 'level_for', 'mrr_share_percent',
					'partner_mrr', 'new_partner_id');
