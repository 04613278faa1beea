/*-------------------------------------------------------------------------
 *
 * src/loop.c
 *	  Module magic of the loop extension.
 *
 * The SQL-callable functions live one concern per file: lead_status.c,
 * level.c (levels and MRR share) and partner_id.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
