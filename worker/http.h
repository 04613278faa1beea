/*-------------------------------------------------------------------------
 *
 * worker/http.h
 *	  HTTP client for the HubSpot API: one reused libcurl easy handle driven
 *	  by a multi handle (so several transfers can be in flight later), a
 *	  client-side request budget, retries with capped exponential backoff and
 *	  jitter, Retry-After, and HubSpot error bodies turned into messages.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_HTTP_H
#define LOOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* Which client-side budget a request draws from (HUBSPOT.md §2, §3.1). */
typedef enum HttpBudget
{
	HTTP_BUDGET_GENERAL,		/* burst limit: N requests per window */
	HTTP_BUDGET_SEARCH			/* CRM search: N requests per second */
} HttpBudget;

typedef struct HttpConfig
{
	const char *base_url;		/* e.g. "https://api.hubapi.com", no trailing '/' */
	const char *token;			/* private-app token; never logged or printed */
	long		connect_timeout_ms; /* per connection attempt */
	long		request_timeout_ms; /* whole transfer */
	int			burst_limit;	/* general requests per burst window */
	long		burst_window_ms;
	int			search_per_second;	/* search requests per 1000 ms */
	int			max_attempts;	/* per request, first try included */
	long		backoff_base_ms;
	long		backoff_cap_ms;
	long		retry_after_cap_ms; /* a longer Retry-After fails the request */
	size_t		max_body_bytes; /* larger responses fail the request */
	long long	deadline_ms;	/* clock_ms() after which no request starts; 0 = none */
} HttpConfig;

typedef struct HttpResponse
{
	long		status;			/* final HTTP status (2xx on success) */
	const char *body;			/* NUL-terminated; owned by the client and valid
								 * until the next request */
	size_t		body_len;
	char		correlation_id[80]; /* X-HubSpot-Correlation-Id, or "" */
} HttpResponse;

typedef struct HttpError
{
	long		status;			/* HTTP status of the last attempt, 0 if none */
	bool		retryable;		/* last failure was of a retryable kind */
	char		message[768];	/* one line, includes HubSpot's message and
								 * correlationId when present; no secrets */
} HttpError;

typedef struct HttpStats
{
	long		requests;		/* attempts sent */
	long		retries;		/* attempts after the first, summed */
	long long	bytes;			/* response bytes after decompression */
	long long	throttle_ms;	/* time spent waiting for the budget */
	long long	backoff_ms;		/* time spent in retry backoff */
} HttpStats;

typedef struct HttpClient HttpClient;

/* Fill *cfg with the defaults of defaults.h. */
extern void http_config_defaults(HttpConfig *cfg);

extern HttpClient *http_client_new(const HttpConfig *cfg, HttpError *err);
extern void http_client_free(HttpClient *client);

/*
 * Perform one request with retries. path includes the query string and starts
 * with '/'. json_body is NULL for GET. Returns true with *resp filled for a
 * 2xx answer; false with *err filled otherwise (including when a stop signal
 * arrived or the deadline passed).
 */
extern bool http_request(HttpClient *client, const char *method,
						 const char *path, const char *json_body,
						 HttpBudget budget, HttpResponse *resp, HttpError *err);

extern const HttpStats *http_stats(const HttpClient *client);

#endif							/* LOOP_HTTP_H */
