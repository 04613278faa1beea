/*-------------------------------------------------------------------------
 *
 * worker/stage.h
 *	  Map HubSpot records (JSON) to rows of loop's staging tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_STAGE_H
#define LOOP_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "copybuf.h"

/* How a HubSpot property becomes a column (hsvalue.h parses each type). */
typedef enum ColType
{
	COL_TEXT,
	COL_NUMBER,
	COL_MONEY,
	COL_TIMESTAMP,
	COL_DATE,
	COL_SUBSCRIPTION_STATUS
} ColType;

typedef struct ColumnMap
{
	const char *property;		/* HubSpot property name */
	const char *column;			/* staging/live column */
	ColType		type;
	bool		required;		/* a record without it is skipped */
} ColumnMap;

typedef struct ObjectMap
{
	const char *object;			/* HubSpot object type: "contacts", "deals" */
	const char *stage_table;	/* e.g. "loop.stage_contact" */
	const char *id_column;		/* e.g. "contact_id" */
	const ColumnMap *columns;
	int			ncolumns;
} ObjectMap;

extern const ObjectMap contact_map;
extern const ObjectMap deal_map;

/*
 * Values that did not parse: counted, the first few kept as samples. Plain
 * C storage, because warnings are recorded while a page's JSON region is
 * open (jsonregion.h) and must outlive it.
 */
#define WARNING_SAMPLES_MAX 20

typedef struct WarningSample
{
	char		object[16];
	char		id[24];
	char		property[40];
	char		value[204];		/* the first 200 bytes of the raw value */
} WarningSample;

typedef struct Warnings
{
	long		count;
	int			nsamples;
	WarningSample samples[WARNING_SAMPLES_MAX];
} Warnings;

extern void warnings_add(Warnings *w, const char *object, const char *id,
						 const char *property, const char *value);

/* The samples as a new JSON array of {object, id, property, value}. */
extern json_t *warnings_json(const Warnings *w);

/*
 * The properties to request for an object: the mapped ones plus extra names
 * (kept in the properties jsonb). Returns a new JSON array of strings.
 */
extern json_t *stage_property_list(const ObjectMap *map, const char *const *extra, int nextra);

/* "COPY <stage_table> (<id>, <columns...>, properties) FROM STDIN". */
extern void stage_copy_sql(const ObjectMap *map, char *buf, size_t len);

/*
 * Append the row of one search result to buf (all JSON it allocates is
 * released before it returns, or lives in the caller's region); the extra properties requested
 * (extra_names) go into the properties jsonb with the raw text of values that
 * did not parse. Returns false when the record was skipped (no valid id or a
 * required property missing; a warning is counted). *id receives the record
 * id as a number (0 if none).
 */
extern bool stage_object_row(const ObjectMap *map, const char *const *extra_names, int nextra,
							 json_t *record, CopyBuf *buf, Warnings *w, long long *id);

/* COPY statement and rows for GET /crm/v3/pipelines/deals (HUBSPOT.md §5). */
extern const char *stage_pipeline_copy_sql(void);
extern int	stage_pipeline_rows(json_t *response, CopyBuf *buf, Warnings *w,
								char *err, size_t errlen);

#endif							/* LOOP_STAGE_H */
