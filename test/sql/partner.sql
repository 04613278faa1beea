-- test/sql/partner.sql — loop.partner, the partners' system of record
-- Contract: DESIGN.md "Public SQL contract" (INSERT INTO loop.partner
-- (partner_id, name, email) works with defaults for the rest; status pending,
-- active or deactivated) and "Partner id" (AP-YYYYMMDD-XXXXXX).
-- pg_regress runs every file in the same database: everything here runs in
-- one transaction that is rolled back at the end, with a savepoint per
-- statement (ON_ERROR_ROLLBACK) so that an expected error does not abort it.
-- VERBOSITY terse: a failing row's DETAIL would print now() and random ids.

\set ON_ERROR_ROLLBACK on
\set VERBOSITY terse
BEGIN;
SET LOCAL TIME ZONE 'UTC';
-- Start from an empty table whatever earlier files left (undone by the ROLLBACK)
TRUNCATE loop.partner CASCADE;

-- The contract's INSERT, with every other column at its default:
-- status pending, not an admin, no override, registered_at = now()
INSERT INTO loop.partner (partner_id, name, email)
VALUES ('AP-20260129-AD2F73', 'Gastro Partner GmbH', 'partner@example.com');
SELECT partner_id, name, email, status, is_admin, level_override, level_override_until,
	   registered_at = now() AS registered_now
  FROM loop.partner;

-- partner_id omitted: loop.new_partner_id(current_date), AP-<today>-XXXXXX
INSERT INTO loop.partner (name, email) VALUES ('Ohne Id', 'ohne.id@example.com');
SELECT partner_id ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$' AS well_formed,
	   substr(partner_id, 4, 8) = to_char(current_date, 'YYYYMMDD') AS dated_today,
	   status, is_admin, registered_at = now() AS registered_now
  FROM loop.partner WHERE email = 'ohne.id@example.com';

-- Two more partners without an id get two different ids
INSERT INTO loop.partner (name, email)
VALUES ('Zwei', 'zwei@example.com'), ('Drei', 'drei@example.com');
SELECT count(*) AS partners, count(DISTINCT partner_id) AS distinct_ids,
	   bool_and(partner_id ~ '^AP-[0-9]{8}-[A-Z0-9]{6}$') AS all_well_formed
  FROM loop.partner;

-- Every column given: a deactivated admin with a time-limited override
INSERT INTO loop.partner (partner_id, name, email, status, is_admin, level_override,
						  level_override_until, registered_at)
VALUES ('AP-20250101-000000', 'Admin', 'admin@example.com', 'deactivated', true, 'pro',
		'2026-03-31 23:59:59+00', '2025-01-01 09:00:00+00');
SELECT partner_id, status, is_admin, level_override, level_override_until, registered_at
  FROM loop.partner WHERE partner_id = 'AP-20250101-000000';

-- An override without expiry, and every valid status and level
INSERT INTO loop.partner (partner_id, name, email, status, level_override)
VALUES ('AP-20260201-B00000', 'B', 'b@example.com', 'active', 'beginner'),
	   ('AP-20260201-S00000', 'S', 's@example.com', 'pending', 'starter'),
	   ('AP-20260201-P00000', 'P', 'p@example.com', 'deactivated', 'partner');
SELECT partner_id, status, level_override, level_override_until
  FROM loop.partner WHERE partner_id LIKE 'AP-20260201-%' ORDER BY partner_id;

-- Status changes through the life cycle
UPDATE loop.partner SET status = 'active' WHERE partner_id = 'AP-20260129-AD2F73';
UPDATE loop.partner SET status = 'deactivated' WHERE partner_id = 'AP-20260129-AD2F73';
SELECT status FROM loop.partner WHERE partner_id = 'AP-20260129-AD2F73';

-- Clearing an override clears both columns together
UPDATE loop.partner SET level_override = NULL, level_override_until = NULL
 WHERE partner_id = 'AP-20250101-000000';
SELECT level_override, level_override_until FROM loop.partner WHERE partner_id = 'AP-20250101-000000';

-- Bad partner id format (23514): too short, lower case, wrong prefix,
-- date part not 8 digits, a separator missing, 7 characters, whitespace
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-2026-AD2F73', 'x', 'x1@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-ad2f73', 'x', 'x2@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('XP-20260129-AD2F73', 'x', 'x3@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-2026012A-AD2F73', 'x', 'x4@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP20260129-AD2F73', 'x', 'x5@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-AD2F734', 'x', 'x6@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES (' AP-20260129-AD2F73', 'x', 'x7@example.com');
\echo :LAST_ERROR_SQLSTATE
-- ... and through UPDATE as well
UPDATE loop.partner SET partner_id = 'AP-1' WHERE email = 'zwei@example.com';
\echo :LAST_ERROR_SQLSTATE

-- A partner id taken twice (23505)
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-AD2F73', 'x', 'x8@example.com');
\echo :LAST_ERROR_SQLSTATE

-- Blank name: empty or only whitespace, tabs and newlines included (23514);
-- missing (23502)
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-NAME01', '', 'n1@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-NAME02', E' \t ', 'n2@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-NAME03', E'\n', 'n3@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-NAME04', NULL, 'n4@example.com');
\echo :LAST_ERROR_SQLSTATE
-- (surrounding whitespace around a real name is accepted as given)
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-NAME05', ' Anna ', 'n5@example.com');
SELECT name = ' Anna ' AS name_kept FROM loop.partner WHERE partner_id = 'AP-20260129-NAME05';

-- Bad email (23514): no @, two @, whitespace, nothing before or after the @;
-- missing (23502)
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL01', 'x', 'partner.example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL02', 'x', 'a@b@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL03', 'x', 'a b@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL04', 'x', '@example.com');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL05', 'x', 'partner@');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL06', 'x', NULL);
\echo :LAST_ERROR_SQLSTATE

-- Duplicate email, differing only in case (23505: unique on lower(email))
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL07', 'x', 'Partner@Example.COM');
\echo :LAST_ERROR_SQLSTATE
-- ... or exactly the same
INSERT INTO loop.partner (partner_id, name, email) VALUES ('AP-20260129-MAIL08', 'x', 'partner@example.com');
\echo :LAST_ERROR_SQLSTATE
-- ... also when an UPDATE makes two emails collide
UPDATE loop.partner SET email = 'ZWEI@example.com' WHERE email = 'drei@example.com';
\echo :LAST_ERROR_SQLSTATE

-- Invalid status (23514): unknown, German, other case; missing (23502)
INSERT INTO loop.partner (partner_id, name, email, status) VALUES ('AP-20260129-STAT01', 'x', 's1@example.com', 'inactive');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email, status) VALUES ('AP-20260129-STAT02', 'x', 's2@example.com', 'Aktiv');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email, status) VALUES ('AP-20260129-STAT03', 'x', 's3@example.com', 'Active');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email, status) VALUES ('AP-20260129-STAT04', 'x', 's4@example.com', NULL);
\echo :LAST_ERROR_SQLSTATE

-- Invalid level_override (23514): unknown, other case
INSERT INTO loop.partner (partner_id, name, email, level_override) VALUES ('AP-20260129-LVL001', 'x', 'l1@example.com', 'gold');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email, level_override) VALUES ('AP-20260129-LVL002', 'x', 'l2@example.com', 'Pro');
\echo :LAST_ERROR_SQLSTATE

-- level_override_until without a level (23514), on INSERT and on UPDATE
INSERT INTO loop.partner (partner_id, name, email, level_override_until)
VALUES ('AP-20260129-LVL003', 'x', 'l3@example.com', '2026-03-01 00:00:00+00');
\echo :LAST_ERROR_SQLSTATE
UPDATE loop.partner SET level_override = NULL WHERE partner_id = 'AP-20250101-000000';
UPDATE loop.partner SET level_override_until = '2026-03-01 00:00:00+00' WHERE partner_id = 'AP-20250101-000000';
\echo :LAST_ERROR_SQLSTATE
-- ... and clearing the level of a time-limited override alone (23514)
UPDATE loop.partner SET level_override = 'pro', level_override_until = '2026-03-01 00:00:00+00'
 WHERE partner_id = 'AP-20250101-000000';
UPDATE loop.partner SET level_override = NULL WHERE partner_id = 'AP-20250101-000000';
\echo :LAST_ERROR_SQLSTATE

-- is_admin and registered_at are NOT NULL (23502)
INSERT INTO loop.partner (partner_id, name, email, is_admin) VALUES ('AP-20260129-NULL01', 'x', 'z1@example.com', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO loop.partner (partner_id, name, email, registered_at) VALUES ('AP-20260129-NULL02', 'x', 'z2@example.com', NULL);
\echo :LAST_ERROR_SQLSTATE

-- None of the failed statements left a row: the 9 partners inserted above
SELECT count(*) AS partners FROM loop.partner;

ROLLBACK;
