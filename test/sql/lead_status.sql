-- test/sql/lead_status.sql — loop.lead_status(lifecyclestage, hs_lead_status)
-- Rule: DESIGN.md "Lead status"; glossary (seed 002) "Conversion Funnel".
-- Expected values are the rule applied by hand, not captured output.

-- The eight HubSpot lifecyclestage internal values, no lead status:
-- customer, evangelist -> won; opportunity -> deal;
-- marketingqualifiedlead, salesqualifiedlead -> qualified; the rest -> new.
SELECT stage, loop.lead_status(stage, NULL) AS status
FROM (VALUES ('subscriber'), ('lead'), ('marketingqualifiedlead'),
			 ('salesqualifiedlead'), ('opportunity'), ('customer'),
			 ('evangelist'), ('other')) AS v(stage);

-- Case-insensitive, surrounding whitespace (spaces, tabs, newlines) ignored
SELECT loop.lead_status('Customer', NULL) AS won,
	   loop.lead_status('OPPORTUNITY', NULL) AS deal,
	   loop.lead_status('MarketingQualifiedLead', NULL) AS qualified,
	   loop.lead_status('  customer  ', NULL) AS won_spaces,
	   loop.lead_status(E'\topportunity\n', NULL) AS deal_tab_newline,
	   loop.lead_status(' Evangelist ', 'NEW') AS won_mixed;

-- Inner characters are not ignored: these are unknown stages, so new
SELECT loop.lead_status('custo mer', NULL) AS inner_space,
	   loop.lead_status('customers', NULL) AS plural,
	   loop.lead_status('customer_', NULL) AS trailing_underscore,
	   loop.lead_status('marketing qualified lead', NULL) AS label_not_id;

-- NULLs and empty strings mean "no value": new
SELECT loop.lead_status(NULL, NULL) AS null_null,
	   loop.lead_status('', '') AS empty_empty,
	   loop.lead_status('   ', NULL) AS blank,
	   loop.lead_status(NULL, '') AS null_empty;

-- A custom lifecycle stage is a numeric id in HubSpot: new
SELECT loop.lead_status('12345678', NULL) AS custom_stage,
	   loop.lead_status('12345678', 'OPEN') AS custom_stage_open;

-- hs_lead_status: a whole token "qualified" (tokens split on anything that is
-- not a letter or digit) makes a lead qualified
SELECT loop.lead_status(NULL, 'QUALIFIED') AS upper,
	   loop.lead_status(NULL, 'qualified') AS lower,
	   loop.lead_status('lead', 'SALES_QUALIFIED') AS underscore,
	   loop.lead_status('subscriber', 'Qualified lead') AS space,
	   loop.lead_status('other', '  marketing-qualified  ') AS hyphen,
	   loop.lead_status('', 'qualified/2024') AS slash_digits;

-- ... but not a part of a word, and never a negated one
SELECT loop.lead_status(NULL, 'UNQUALIFIED') AS unqualified,
	   loop.lead_status(NULL, 'DISQUALIFIED') AS disqualified,
	   loop.lead_status(NULL, 'NOT-QUALIFIED') AS not_hyphen,
	   loop.lead_status(NULL, 'not qualified') AS not_space,
	   loop.lead_status(NULL, 'NON_QUALIFIED') AS non_underscore,
	   loop.lead_status(NULL, 'qualified, then disqualified') AS both;

SELECT loop.lead_status(NULL, 'QUALIFIEDLEAD') AS glued,
	   loop.lead_status(NULL, 'PREQUALIFIED') AS prefix,
	   loop.lead_status(NULL, 'qualifiziert') AS german,
	   loop.lead_status(NULL, 'qualifiedä') AS non_ascii_letter,
	   loop.lead_status(NULL, 'nothing qualified') AS not_prefix_word;

-- HubSpot's default hs_lead_status values: none of them is qualified
SELECT s AS hs_lead_status, loop.lead_status('lead', s) AS status
FROM (VALUES ('NEW'), ('OPEN'), ('IN_PROGRESS'), ('OPEN_DEAL'),
			 ('Open_Deal'), ('UNQUALIFIED'), ('ATTEMPTED_TO_CONTACT'),
			 ('CONNECTED'), ('BAD_TIMING')) AS v(s);

-- Precedence: won, then deal, then qualified, then new
SELECT loop.lead_status('customer', 'UNQUALIFIED') AS customer_unqualified,
	   loop.lead_status('evangelist', 'QUALIFIED') AS evangelist_qualified,
	   loop.lead_status('opportunity', 'QUALIFIED') AS opportunity_qualified,
	   loop.lead_status('opportunity', 'DISQUALIFIED') AS opportunity_disqualified,
	   loop.lead_status('salesqualifiedlead', 'UNQUALIFIED') AS sql_unqualified,
	   loop.lead_status('lead', 'OPEN_DEAL') AS lead_open_deal;

-- A long value is scanned whole: the token at the very end still counts
SELECT loop.lead_status(NULL, repeat('x', 100000) || ' qualified') AS long_qualified,
	   loop.lead_status(NULL, repeat('not ', 1) || repeat('y ', 50000) || 'qualified') AS long_negated,
	   loop.lead_status(repeat(' ', 10000) || 'customer' || repeat(' ', 10000), NULL) AS long_padding;

-- Every combination lands in exactly one bucket: new + qualified + deal + won
-- = total.  13 stages x 13 statuses = 169 leads:
--   won       = 3 stages (customer, evangelist, Customer) x 13        = 39
--   deal      = 2 stages (opportunity, ' OPPORTUNITY ') x 13          = 26
--   qualified = 2 stages (marketing/salesqualifiedlead) x 13
--               + 6 other stages x 3 qualified statuses    = 26 + 18 = 44
--   new       = 6 other stages x 10 other statuses                    = 60
WITH stage(s) AS (
	VALUES ('subscriber'), ('lead'), ('marketingqualifiedlead'),
		   ('salesqualifiedlead'), ('opportunity'), ('customer'),
		   ('evangelist'), ('other'), ('Customer'), (' OPPORTUNITY '),
		   ('12345678'), (''), (NULL)
), status(s) AS (
	VALUES ('NEW'), ('OPEN'), ('IN_PROGRESS'), ('OPEN_DEAL'),
		   ('UNQUALIFIED'), ('ATTEMPTED_TO_CONTACT'), ('CONNECTED'),
		   ('BAD_TIMING'), ('QUALIFIED'), ('SALES_QUALIFIED'),
		   ('qualified lead'), ('DISQUALIFIED'), (NULL)
), lead AS (
	SELECT loop.lead_status(stage.s, status.s) AS b
	FROM stage CROSS JOIN status
)
SELECT count(*) FILTER (WHERE b = 'new') AS new,
	   count(*) FILTER (WHERE b = 'qualified') AS qualified,
	   count(*) FILTER (WHERE b = 'deal') AS deal,
	   count(*) FILTER (WHERE b = 'won') AS won,
	   count(*) AS total,
	   count(*) FILTER (WHERE b = 'new') + count(*) FILTER (WHERE b = 'qualified')
	   + count(*) FILTER (WHERE b = 'deal') + count(*) FILTER (WHERE b = 'won')
		   = count(*) AS sum_is_total
FROM lead;

-- Invalid input: there is none; lead_status never raises.  Any text is a
-- stage or status (unknown ones are new), and the function is not STRICT.
-- Control characters are not whitespace: 'customer' + U+0001 is an unknown
-- stage, and in the status U+0001 separates tokens.
SELECT loop.lead_status(E'customer\x01', NULL) AS control_in_stage,
	   loop.lead_status(E'\x01customer\x01', E'\x01qualified\x01') AS control_separates,
	   loop.lead_status(NULL, '!!!') AS punctuation_only;
