/*-------------------------------------------------------------------------
 *
 * worker/hubspot.h
 *	  The HubSpot CRM API calls loop-sync makes (HUBSPOT.md §2, §5).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_HUBSPOT_H
#define LOOP_HUBSPOT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "http.h"

/*
 * Called once per page with the page's "results" array (borrowed) and the
 * query's "total" (-1 if absent). Return false with err set to stop.
 */
typedef bool (*HubSpotPageFn) (void *ctx, json_t *results, long total,
							   char *err, size_t errlen);

/* GET /crm/v3/pipelines/deals; *response is a new reference. */
extern bool hubspot_get_deal_pipelines(HttpClient *http, json_t **response,
									   char *err, size_t errlen);

/*
 * Every record of object (e.g. "contacts") whose property has_property is
 * set, with the given properties (JSON array of names), in ascending id
 * order, page by page. Uses the search endpoint with pages of 200; past
 * HubSpot's 10,000-result cap per query it starts a new query from the last
 * id seen (hs_object_id GT last id). The paging cursor is passed back
 * exactly as received.
 */
extern bool hubspot_search_all(HttpClient *http, const char *object,
							   const char *has_property, json_t *properties,
							   HubSpotPageFn fn, void *ctx, char *err, size_t errlen);

#endif							/* LOOP_HUBSPOT_H */
