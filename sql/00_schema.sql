-- sql/00_schema.sql — loop extension install script, part 0: guard and schema
-- The install script loop--<version>.sql is the concatenation of sql/[0-9]*.sql.

\echo Use "CREATE EXTENSION loop CASCADE" to load this file. \quit

COMMENT ON SCHEMA loop IS
	'loop: partner-program backend over HubSpot CRM data (tables, rules, views). Never exposed through PostgREST.';
