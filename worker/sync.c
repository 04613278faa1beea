/*-------------------------------------------------------------------------
 *
 * worker/sync.c
 *	  One full sync: HubSpot -> staging (COPY) -> one publish transaction.
 *
 * Protocol (sql/30_sync.sql): loop.sync_begin() takes the sync lock and opens
 * a run; pages stream into loop.stage_* with one COPY per page, so memory
 * stays at one page whatever the portal's size; loop.sync_publish() merges
 * everything in one transaction. Any failure before publish ends in
 * loop.sync_fail(), which leaves the live tables as they were.
 *
 *-------------------------------------------------------------------------
 */
#include "sync.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "copybuf.h"
#include "defaults.h"
#include "hubspot.h"
#include "jsonregion.h"
#include "log.h"
#include "pg.h"
#include "signals.h"
#include "stage.h"

typedef struct Sync
{
	const SyncOptions *opts;
	PgConn		pg;
	HttpClient *http;
	CopyBuf		buf;
	Warnings	warnings;
	char		run_id[32];
	long		stages;
	long		contacts;
	long		deals;
	long long	started_ms;
} Sync;

/* Per-object page handler state. */
typedef struct ObjectLoad
{
	Sync	   *sync;
	const ObjectMap *map;
	const char *const *extra;	/* extra properties requested */
	int			nextra;
	char		copy_sql[1024];
	long	   *count;
	long long	last_id;		/* ids arrive in ascending order */
	long long	started_ms;
	long long	reported_ms;
} ObjectLoad;

/* COPY the buffer's rows into staging in one statement. */
static bool
copy_rows(Sync *s, const char *copy_sql, char *err, size_t errlen)
{
	if (s->buf.oom)
	{
		snprintf(err, errlen, "out of memory building COPY rows");
		return false;
	}
	if (s->buf.len == 0)
		return true;
	if (!pg_copy_begin(&s->pg, copy_sql) ||
		!pg_copy_put(&s->pg, s->buf.data, s->buf.len) ||
		!pg_copy_end(&s->pg, NULL))
	{
		snprintf(err, errlen, "loading staging: %s", s->pg.error);
		return false;
	}
	return true;
}

/* Progress line: at most every 2 s, and at the end of a phase. */
static void
report_progress(ObjectLoad *load, long total, bool done)
{
	long long	now = clock_ms();
	double		secs = (now - load->started_ms) / 1000.0;

	if (!load->sync->opts->progress || (!done && now - load->reported_ms < 2000))
		return;
	load->reported_ms = now;
	if (done)
		fprintf(stderr, "loop-sync: %s: %ld fetched in %.1f s\n", load->map->object, *load->count, secs);
	else
		fprintf(stderr, "loop-sync: %s: %ld of %ld fetched (%.0f/s)\n", load->map->object,
				*load->count, total, secs > 0 ? *load->count / secs : 0.0);
}

/* HubSpotPageFn: map a page to rows and COPY them into staging. */
static bool
load_page(void *ctx, json_t *results, long total, char *err, size_t errlen)
{
	ObjectLoad *load = ctx;
	Sync	   *s = load->sync;
	size_t		i;
	json_t	   *rec;

	copybuf_reset(&s->buf);
	json_array_foreach(results, i, rec)
	{
		size_t		mark = s->buf.len;
		long long	id;

		if (!stage_object_row(load->map, load->extra, load->nextra, rec, &s->buf, &s->warnings, &id))
			continue;
		if (id <= load->last_id)
		{
			/* a repeat (e.g. search index lag); the first copy stands */
			log_debug("%s %lld: repeated or out of order; skipped", load->map->object, id);
			s->buf.len = mark;
			continue;
		}
		load->last_id = id;
		(*load->count)++;
	}
	if (!copy_rows(s, load->copy_sql, err, errlen))
		return false;
	report_progress(load, total, false);
	return true;
}

/* Fetch every attributed record of one object type into staging. */
static bool
load_objects(Sync *s, const ObjectMap *map, const char *const *extra, int nextra,
			 long *count, char *err, size_t errlen)
{
	ObjectLoad	load = {.sync = s, .map = map, .extra = extra, .nextra = nextra, .count = count};
	json_t	   *props = stage_property_list(map, extra, nextra);
	bool		ok;

	stage_copy_sql(map, load.copy_sql, sizeof(load.copy_sql));
	load.started_ms = load.reported_ms = clock_ms();
	ok = hubspot_search_all(s->http, map->object, "affiliate_partner_id", props,
							load_page, &load, err, errlen);
	json_decref(props);
	if (ok)
		report_progress(&load, *count, true);
	return ok;
}

/* Fetch the deal pipelines and their stages into staging. */
static bool
load_pipelines(Sync *s, char *err, size_t errlen)
{
	json_t	   *resp;
	int			rows;

	if (!hubspot_get_deal_pipelines(s->http, &resp, err, errlen))
		return false;
	copybuf_reset(&s->buf);
	rows = stage_pipeline_rows(resp, &s->buf, &s->warnings, err, errlen);
	json_decref(resp);
	if (rows < 0 || !copy_rows(s, stage_pipeline_copy_sql(), err, errlen))
		return false;
	s->stages = rows;
	if (s->opts->progress)
		fprintf(stderr, "loop-sync: pipelines: %d deal stages\n", rows);
	return true;
}

/* The counters handed to loop.sync_publish / loop.sync_fail. */
static char *
stats_json(Sync *s)
{
	const HttpStats *hs = s->http ? http_stats(s->http) : NULL;
	json_t	   *o = json_pack("{s:I, s:I, s:I, s:I, s:o, s:I, s:I}",
							  "stages_fetched", (json_int_t) s->stages,
							  "contacts_fetched", (json_int_t) s->contacts,
							  "deals_fetched", (json_int_t) s->deals,
							  "warnings", (json_int_t) s->warnings.count,
							  "warning_samples", warnings_json(&s->warnings),
							  "http_requests", (json_int_t) (hs ? hs->requests : 0),
							  "http_retries", (json_int_t) (hs ? hs->retries : 0));
	char	   *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text;				/* json_text_free() it */
}

/* Record the failure in loop.sync_run; returns the exit code to use. */
static int
fail_run(Sync *s, const char *reason)
{
	char	   *stats = stats_json(s);
	const char *params[3] = {s->run_id, reason, stats};
	int			code = should_stop() ? EXIT_INTERRUPTED : EXIT_SYNC_FAILED;

	log_error("sync failed: %s", reason);
	if (!pg_exec(&s->pg, "SELECT id FROM loop.sync_fail($1, $2, $3::jsonb)", 3, params, NULL, 0))
	{
		log_error("could not record the failure in loop.sync_run: %s", s->pg.error);
		code = EXIT_DATABASE;
	}
	json_text_free(stats);
	return code;
}

/* Publish the run and print the one-line summary. */
static bool
publish_run(Sync *s, char *err, size_t errlen)
{
	char	   *stats = stats_json(s);
	const char *params[2] = {s->run_id, stats};
	char		summary[512];
	long long	t0 = clock_ms();
	bool		ok;

	if (s->opts->progress)
		fprintf(stderr, "loop-sync: publishing run %s\n", s->run_id);
	ok = pg_exec(&s->pg,
				 "SELECT format('contacts %s (+%s ~%s -%s), deals %s (+%s ~%s -%s), merge %s ms', "
				 "r.contacts_fetched, r.contacts_inserted, r.contacts_updated, r.contacts_deleted, "
				 "r.deals_fetched, r.deals_inserted, r.deals_updated, r.deals_deleted, r.merge_ms) "
				 "FROM loop.sync_publish($1, $2::jsonb) r",
				 2, params, summary, sizeof(summary));
	json_text_free(stats);
	if (!ok)
	{
		snprintf(err, errlen, "publishing: %s", s->pg.error);
		return false;
	}
	{
		const HttpStats *hs = http_stats(s->http);

		printf("loop-sync: run %s succeeded in %.1f s: %ld stages, %s (commit %lld ms), "
			   "%ld warnings, %ld requests (%ld retries)\n",
			   s->run_id, (clock_ms() - s->started_ms) / 1000.0, s->stages, summary,
			   clock_ms() - t0, s->warnings.count, hs->requests, hs->retries);
		fflush(stdout);			/* the daemon's output may be a pipe or file */
	}
	return true;
}

int
sync_once(const SyncOptions *opts)
{
	Sync		s;
	HttpConfig	hc = opts->http;
	HttpError	herr;
	char		err[1024] = "";
	int			code = EXIT_OK;

	memset(&s, 0, sizeof(s));
	s.opts = opts;
	s.started_ms = clock_ms();

	if (!pg_connect(&s.pg, opts->conninfo))
	{
		log_error("cannot connect to the database: %s", s.pg.error);
		code = EXIT_DATABASE;
		goto done;
	}
	if (!pg_exec(&s.pg, "SELECT loop.sync_begin()", 0, NULL, s.run_id, sizeof(s.run_id)))
	{
		if (strcmp(s.pg.sqlstate, "55P03") == 0)
		{
			log_error("%s", s.pg.error);
			code = EXIT_ALREADY_RUNNING;
		}
		else
		{
			log_error("cannot start a sync run: %s", s.pg.error);
			code = EXIT_DATABASE;
		}
		goto done;
	}
	if (opts->progress)
		fprintf(stderr, "loop-sync: run %s started\n", s.run_id);

	hc.deadline_ms = opts->deadline_s > 0 ? s.started_ms + opts->deadline_s * 1000LL : 0;
	if ((s.http = http_client_new(&hc, &herr)) == NULL)
	{
		code = fail_run(&s, herr.message);
		goto done;
	}
	if (!load_pipelines(&s, err, sizeof(err)) ||
		!load_objects(&s, &contact_map, opts->contact_extra, opts->ncontact_extra,
					  &s.contacts, err, sizeof(err)) ||
		!load_objects(&s, &deal_map, opts->deal_extra, opts->ndeal_extra,
					  &s.deals, err, sizeof(err)) ||
		!publish_run(&s, err, sizeof(err)))
		code = fail_run(&s, err);

done:
	if (s.http)
		http_client_free(s.http);
	copybuf_free(&s.buf);
	pg_disconnect(&s.pg);
	return code;
}
