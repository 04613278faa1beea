/*-------------------------------------------------------------------------
 *
 * worker/hubspot.c
 *	  The HubSpot CRM API calls loop-sync makes (HUBSPOT.md §2, §5).
 *
 * Search paging: HubSpot's search returns at most 10,000 results per query
 * and answers 400 past that (HUBSPOT.md §2 "Limits"). Records are requested
 * sorted by hs_object_id ascending with the filter hs_object_id > last id;
 * when a query has delivered as many pages as the cap allows, a new query
 * starts after the last id seen (Airbyte's approach, §2 "Working around the
 * 10,000 cap"). Ids are strictly increasing across pages, so the caller can
 * drop anything out of order.
 *
 *-------------------------------------------------------------------------
 */
#include "hubspot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "jsonregion.h"
#include "log.h"

#define SEARCH_BODY_MAX 3000	/* HubSpot rejects longer search bodies (§2) */

/* Parse a response body; on failure describe where it broke. */
static json_t *
parse_body(const char *what, const HttpResponse *resp, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(resp->body, resp->body_len, 0, &jerr);

	if (root == NULL)
		snprintf(err, errlen, "%s: invalid JSON in the response (%s at line %d, column %d; "
				 "%zu bytes; correlationId %s)", what, jerr.text, jerr.line, jerr.column,
				 resp->body_len, resp->correlation_id[0] ? resp->correlation_id : "none");
	else if (!json_is_object(root))
	{
		snprintf(err, errlen, "%s: the response is not a JSON object", what);
		json_decref(root);
		root = NULL;
	}
	return root;
}

bool
hubspot_get_deal_pipelines(HttpClient *http, json_t **response, char *err, size_t errlen)
{
	const char *path = "/crm/v3/pipelines/deals";
	HttpResponse resp;
	HttpError	herr;

	*response = NULL;
	if (!http_request(http, "GET", path, NULL, HTTP_BUDGET_GENERAL, &resp, &herr))
	{
		snprintf(err, errlen, "%s", herr.message);
		return false;
	}
	*response = parse_body("GET /crm/v3/pipelines/deals", &resp, err, errlen);
	return *response != NULL;
}

/* Build the search request body of one page. */
static char *
search_body(const char *has_property, json_t *properties, long long after_id, const char *after)
{
	json_t	   *body;
	char		idtext[32];
	char	   *text;

	snprintf(idtext, sizeof(idtext), "%lld", after_id);
	body = json_pack("{s:[{s:[{s:s, s:s}, {s:s, s:s, s:s}]}], s:[{s:s, s:s}], s:O, s:i}",
					 "filterGroups", "filters",
					 "propertyName", has_property, "operator", "HAS_PROPERTY",
					 "propertyName", "hs_object_id", "operator", "GT", "value", idtext,
					 "sorts", "propertyName", "hs_object_id", "direction", "ASCENDING",
					 "properties", properties,
					 "limit", HUBSPOT_SEARCH_PAGE_MAX);
	if (body == NULL)
		return NULL;
	if (after != NULL)
		json_object_set_new(body, "after", json_string(after));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/* Largest numeric "id" of a page's records (0 if none). */
static long long
max_id(json_t *results)
{
	long long	max = 0;
	size_t		i;
	json_t	   *rec;

	json_array_foreach(results, i, rec)
	{
		const char *id = json_string_value(json_object_get(rec, "id"));
		long long	v = id ? strtoll(id, NULL, 10) : 0;

		if (v > max)
			max = v;
	}
	return max;
}

bool
hubspot_search_all(HttpClient *http, const char *object, const char *has_property,
				   json_t *properties, HubSpotPageFn fn, void *ctx, char *err, size_t errlen)
{
	char		path[128];
	char		what[160];
	long long	last_id = 0;
	char	   *after = NULL;
	long		window = 0;		/* results delivered by the current query */
	bool		ok = false;

	snprintf(path, sizeof(path), "/crm/v3/objects/%s/search", object);
	snprintf(what, sizeof(what), "POST %s", path);
	for (;;)
	{
		char	   *body = search_body(has_property, properties, last_id, after);
		HttpResponse resp;
		HttpError	herr;
		json_t	   *root,
				   *results,
				   *next;
		long long	page_max;

		if (body == NULL)
		{
			snprintf(err, errlen, "%s: out of memory building the request", what);
			break;
		}
		if (strlen(body) > SEARCH_BODY_MAX)
		{
			snprintf(err, errlen, "%s: request body of %zu characters exceeds HubSpot's limit of %d "
					 "(too many properties requested)", what, strlen(body), SEARCH_BODY_MAX);
			json_text_free(body);
			break;
		}
		if (!http_request(http, "POST", path, body, HTTP_BUDGET_SEARCH, &resp, &herr))
		{
			snprintf(err, errlen, "%s", herr.message);
			json_text_free(body);
			break;
		}
		json_text_free(body);

		/* The page's tree lives in a region, dropped at once after the callback. */
		json_region_open();
		if ((root = parse_body(what, &resp, err, errlen)) == NULL)
		{
			json_region_close();
			break;
		}
		results = json_object_get(root, "results");
		if (!json_is_array(results))
		{
			snprintf(err, errlen, "%s: the response has no \"results\" array", what);
			json_region_close();
			break;
		}
		if (!fn(ctx, results, json_is_integer(json_object_get(root, "total"))
				? (long) json_integer_value(json_object_get(root, "total")) : -1, err, errlen))
		{
			json_region_close();
			break;
		}
		window += (long) json_array_size(results);
		page_max = max_id(results);
		next = json_object_get(json_object_get(json_object_get(root, "paging"), "next"), "after");
		free(after);
		after = NULL;
		if (!json_is_string(next))
		{
			json_region_close();
			ok = true;			/* last page */
			break;
		}
		if (window + HUBSPOT_SEARCH_PAGE_MAX > HUBSPOT_SEARCH_RESULT_CAP)
		{
			/* the next page would pass the cap: new query after the last id */
			if (page_max <= last_id)
			{
				snprintf(err, errlen, "%s: no progress past id %lld at the 10,000-result cap", what, last_id);
				json_region_close();
				break;
			}
			log_debug("%s: %ld results in this query; continuing after id %lld", what, window, page_max);
			last_id = page_max;
			window = 0;
		}
		else
			after = strdup(json_string_value(next));
		json_region_close();
	}
	free(after);
	return ok;
}
