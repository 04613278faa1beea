/*-------------------------------------------------------------------------
 *
 * worker/stage.c
 *	  Map HubSpot records (JSON) to rows of loop's staging tables.
 *
 * The column maps below are the HubSpot property -> column contract of
 * DESIGN.md. A mapped value that does not parse is stored as NULL, its raw
 * text goes into the row's properties jsonb, and a warning is counted; every
 * fetched property without a column is kept in properties as well.
 *
 *-------------------------------------------------------------------------
 */
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsvalue.h"
#include "jsonregion.h"
#include "log.h"

#define NELEM(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const ColumnMap contact_columns[] = {
	{"affiliate_partner_id", "affiliate_partner_id", COL_TEXT, true},
	{"firstname", "firstname", COL_TEXT, false},
	{"lastname", "lastname", COL_TEXT, false},
	{"email", "email", COL_TEXT, false},
	{"phone", "phone", COL_TEXT, false},
	{"company", "company", COL_TEXT, false},
	{"lifecyclestage", "lifecyclestage", COL_TEXT, false},
	{"hs_lead_status", "hs_lead_status", COL_TEXT, false},
	{"affiliate_referral_date", "affiliate_referral_date", COL_DATE, false},
	{"source__c", "utm_source", COL_TEXT, false},
	{"utm_medium__c", "utm_medium", COL_TEXT, false},
	{"utm_campaign__c", "utm_campaign", COL_TEXT, false},
	{"content__c", "utm_content", COL_TEXT, false},
	{"utm_term__c", "utm_term", COL_TEXT, false},
	{"createdate", "created_at", COL_TIMESTAMP, false},
	{"lastmodifieddate", "updated_at", COL_TIMESTAMP, false},
};

static const ColumnMap deal_columns[] = {
	{"affiliate_partner_id", "affiliate_partner_id", COL_TEXT, true},
	{"dealname", "dealname", COL_TEXT, false},
	{"pipeline", "pipeline", COL_TEXT, false},
	{"dealstage", "dealstage", COL_TEXT, false},
	{"closedate", "closedate", COL_TIMESTAMP, false},
	{"amount", "amount", COL_NUMBER, false},
	{"affiliate_mrr", "affiliate_mrr", COL_MONEY, false},
	{"affiliate_subscription_status", "affiliate_subscription_status", COL_SUBSCRIPTION_STATUS, false},
	{"createdate", "created_at", COL_TIMESTAMP, false},
	{"hs_lastmodifieddate", "updated_at", COL_TIMESTAMP, false},
};

const ObjectMap contact_map = {
	"contacts", "loop.stage_contact", "contact_id", contact_columns, NELEM(contact_columns)
};

const ObjectMap deal_map = {
	"deals", "loop.stage_deal", "deal_id", deal_columns, NELEM(deal_columns)
};

void
warnings_add(Warnings *w, const char *object, const char *id,
			 const char *property, const char *value)
{
	WarningSample *ws;

	w->count++;
	if (w->nsamples >= WARNING_SAMPLES_MAX)
		return;
	log_warn("%s %s: %s value \"%.80s\" is not valid; stored as NULL",
			 object, id ? id : "?", property, value ? value : "");
	ws = &w->samples[w->nsamples++];
	snprintf(ws->object, sizeof(ws->object), "%s", object);
	snprintf(ws->id, sizeof(ws->id), "%s", id ? id : "");
	snprintf(ws->property, sizeof(ws->property), "%s", property);
	snprintf(ws->value, sizeof(ws->value), "%.200s", value ? value : "");
}

json_t *
warnings_json(const Warnings *w)
{
	json_t	   *list = json_array();

	for (int i = 0; i < w->nsamples; i++)
	{
		const WarningSample *ws = &w->samples[i];

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "object", ws->object, "id", ws->id,
											  "property", ws->property, "value", ws->value));
	}
	return list;
}

json_t *
stage_property_list(const ObjectMap *map, const char *const *extra, int nextra)
{
	json_t	   *list = json_array();

	for (int i = 0; i < map->ncolumns; i++)
		json_array_append_new(list, json_string(map->columns[i].property));
	for (int i = 0; i < nextra; i++)
		json_array_append_new(list, json_string(extra[i]));
	return list;
}

void
stage_copy_sql(const ObjectMap *map, char *buf, size_t len)
{
	size_t		n = (size_t) snprintf(buf, len, "COPY %s (%s", map->stage_table, map->id_column);

	for (int i = 0; i < map->ncolumns && n < len; i++)
		n += (size_t) snprintf(buf + n, len - n, ", %s", map->columns[i].column);
	if (n < len)
		snprintf(buf + n, len - n, ", properties) FROM STDIN");
}

/* Parse one property value by column type. */
static HsvResult
parse_value(ColType type, const char *raw, char *out, size_t outlen)
{
	switch (type)
	{
		case COL_NUMBER:
			return hsv_number(raw, out, outlen);
		case COL_MONEY:
			return hsv_money(raw, out, outlen);
		case COL_TIMESTAMP:
			return hsv_timestamp(raw, out, outlen);
		case COL_DATE:
			return hsv_date(raw, out, outlen);
		case COL_SUBSCRIPTION_STATUS:
			return hsv_subscription_status(raw, out, outlen);
		case COL_TEXT:
			break;
	}
	return HSV_OK;				/* text is stored as sent */
}

/* A property's string value, NULL for null/absent/non-string. */
static const char *
prop_string(json_t *props, const char *name)
{
	json_t	   *v = json_object_get(props, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool
stage_object_row(const ObjectMap *map, const char *const *extra_names, int nextra,
				 json_t *record, CopyBuf *buf, Warnings *w, long long *id)
{
	json_t	   *props = json_object_get(record, "properties");
	const char *raw_id = json_string_value(json_object_get(record, "id"));
	char		idtext[HSV_OUT_MAX];
	json_t	   *extra;
	char	   *extra_text;
	size_t		mark = buf->len;

	*id = 0;
	if (hsv_id(raw_id, idtext, sizeof(idtext)) != HSV_OK)
	{
		warnings_add(w, map->object, raw_id, "id", raw_id);
		return false;
	}
	*id = strtoll(idtext, NULL, 10);
	if (!json_is_object(props))
	{
		warnings_add(w, map->object, idtext, "properties", "(missing)");
		return false;
	}

	/* Text is stored as sent; other types are parsed and checked. */
	extra = json_object();
	copybuf_field(buf, idtext);
	for (int i = 0; i < map->ncolumns; i++)
	{
		const ColumnMap *col = &map->columns[i];
		const char *raw = prop_string(props, col->property);
		char		out[HSV_OUT_MAX];
		HsvResult	r = parse_value(col->type, raw, out, sizeof(out));

		if (col->required && (raw == NULL || raw[0] == '\0'))
		{
			warnings_add(w, map->object, idtext, col->property, raw);
			buf->len = mark;
			buf->row_open = false;
			json_decref(extra);
			return false;
		}
		if (r == HSV_INVALID)
		{
			warnings_add(w, map->object, idtext, col->property, raw);
			json_object_set_new(extra, col->property, json_string(raw));
			copybuf_field(buf, NULL);
		}
		else if (col->type == COL_TEXT)
			copybuf_field(buf, raw);
		else
			copybuf_field(buf, r == HSV_OK ? out : NULL);
	}

	/* The extra properties requested go to properties (jsonb) as well. */
	for (int i = 0; i < nextra; i++)
	{
		json_t	   *value = json_object_get(props, extra_names[i]);

		/* rebuild strings from their C text: jsonb rejects \u0000 */
		if (value != NULL)
			json_object_set_new(extra, extra_names[i],
								json_is_string(value) ? json_string(json_string_value(value)) : json_null());
	}
	if (json_object_size(extra) == 0)
		copybuf_field(buf, "{}");
	else
	{
		extra_text = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
		copybuf_field(buf, extra_text ? extra_text : "{}");
		json_text_free(extra_text);
	}
	json_decref(extra);
	copybuf_end_row(buf);
	return true;
}

const char *
stage_pipeline_copy_sql(void)
{
	return "COPY loop.stage_deal_stage (pipeline_id, pipeline_label, pipeline_display_order, "
		"pipeline_archived, stage_id, label, display_order, is_closed, probability, archived) FROM STDIN";
}

/* A metadata value that may be a string, a number or a boolean. */
static const char *
lenient_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		return NULL;
	return buf;
}

/* displayOrder as text (an integer), NULL if absent. */
static const char *
int_text(json_t *v, char *buf, size_t len)
{
	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return buf;
}

int
stage_pipeline_rows(json_t *response, CopyBuf *buf, Warnings *w, char *err, size_t errlen)
{
	json_t	   *pipelines = json_object_get(response, "results");
	size_t		i;
	json_t	   *pl;
	int			rows = 0;

	if (!json_is_array(pipelines))
	{
		snprintf(err, errlen, "pipelines response has no \"results\" array");
		return -1;
	}
	json_array_foreach(pipelines, i, pl)
	{
		const char *pid = json_string_value(json_object_get(pl, "id"));
		const char *plabel = json_string_value(json_object_get(pl, "label"));
		json_t	   *stages = json_object_get(pl, "stages");
		char		porder[32];
		size_t		j;
		json_t	   *st;

		if (pid == NULL || plabel == NULL || !json_is_array(stages))
		{
			snprintf(err, errlen, "pipeline %zu lacks id, label or stages", i);
			return -1;
		}
		json_array_foreach(stages, j, st)
		{
			const char *sid = json_string_value(json_object_get(st, "id"));
			const char *slabel = json_string_value(json_object_get(st, "label"));
			json_t	   *meta = json_object_get(st, "metadata");
			char		sorder[32],
						tmp[64],
						closed[HSV_OUT_MAX],
						prob[HSV_OUT_MAX];
			const char *raw;
			HsvResult	rc,
						rp;

			if (sid == NULL || slabel == NULL)
			{
				snprintf(err, errlen, "a stage of pipeline %s lacks id or label", pid);
				return -1;
			}
			raw = lenient_text(json_object_get(meta, "isClosed"), tmp, sizeof(tmp));
			if ((rc = hsv_bool(raw, closed, sizeof(closed))) == HSV_INVALID)
				warnings_add(w, "pipelines", sid, "metadata.isClosed", raw);
			raw = lenient_text(json_object_get(meta, "probability"), tmp, sizeof(tmp));
			if ((rp = hsv_number(raw, prob, sizeof(prob))) == HSV_INVALID)
				warnings_add(w, "pipelines", sid, "metadata.probability", raw);

			copybuf_field(buf, pid);
			copybuf_field(buf, plabel);
			copybuf_field(buf, int_text(json_object_get(pl, "displayOrder"), porder, sizeof(porder)));
			copybuf_field(buf, json_is_true(json_object_get(pl, "archived")) ? "t" : "f");
			copybuf_field(buf, sid);
			copybuf_field(buf, slabel);
			copybuf_field(buf, int_text(json_object_get(st, "displayOrder"), sorder, sizeof(sorder)));
			copybuf_field(buf, rc == HSV_OK ? closed : NULL);
			copybuf_field(buf, rp == HSV_OK ? prob : NULL);
			copybuf_field(buf, json_is_true(json_object_get(st, "archived")) ? "t" : "f");
			copybuf_end_row(buf);
			rows++;
		}
	}
	return rows;
}
