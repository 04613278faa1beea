/*-------------------------------------------------------------------------
 *
 * worker/http.c
 *	  HTTP client for the HubSpot API (see http.h).
 *
 * A CURLM multi handle drives transfers. Each HttpTransfer owns an easy
 * handle, a response buffer and the headers captured from the answer. The
 * client has one transfer, reused for every request so that the connection
 * stays alive and peak memory is the largest response; multi_drive() already
 * waits on any number of transfers, so more can be added later.
 *
 * The token goes only into the Authorization header list. It is never
 * logged or put in a message, and CURLOPT_VERBOSE stays off.
 *
 *-------------------------------------------------------------------------
 */
#include "http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backoff.h"
#include "defaults.h"
#include "log.h"
#include "ratelimit.h"
#include "signals.h"

#define POLL_MS				1000	/* curl_multi_poll timeout */
#define SLEEP_SLICE_MS		100		/* sleeps check should_stop() this often */
#define LOCKED_WAIT_MS		2000	/* 423 Locked: HubSpot asks for >= 2 s */
#define RATE_LIMITED_WAIT_MS 1000	/* 429 without Retry-After */
#define SNIPPET_CHARS		200		/* of a non-JSON error body */
#define FIELD_CHARS			300		/* of one field of a JSON error body */
#define SHOWN_PATH_CHARS	160		/* longer paths lose their query string */
#define INITIAL_BODY_CAP	16384
#define BUDGET_MARGIN_MS	50		/* windows are padded: the server counts
									 * arrivals, which jitter after our sends */

typedef struct HttpTransfer
{
	CURL	   *easy;
	int			attempt;		/* 1-based attempt of the current request */
	char	   *buf;			/* response body, NUL-terminated, reused */
	size_t		len;
	size_t		cap;
	size_t		max;			/* max_body_bytes */
	bool		overflow;		/* body passed max: transfer aborted */
	bool		oom;			/* buffer could not grow: transfer aborted */
	CURLcode	result;
	char		errbuf[CURL_ERROR_SIZE];
	char		correlation_id[80];
	char		retry_after[64];	/* raw Retry-After value, or "" */
	long		rl_max;			/* X-HubSpot-RateLimit-*, -1 when absent */
	long		rl_remaining;
	long		rl_interval_ms;
} HttpTransfer;

struct HttpClient
{
	HttpConfig	cfg;			/* strings point into this struct */
	char	   *base_url;
	char	   *token;			/* kept only to scrub it from messages */
	char	   *url;			/* scratch: base_url + path */
	size_t		url_cap;
	CURLM	   *multi;
	HttpTransfer xfer;
	struct curl_slist *get_headers;		/* Authorization, Accept */
	struct curl_slist *body_headers;	/* the same plus Content-Type */
	RateLimit	general;
	RateLimit	search;
	HttpStats	stats;
};

/* Append printf-formatted text to the string in buf, truncating at its end. */
static void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t size, const char *fmt,...)
{
	size_t		len = strlen(buf);
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * Append untrusted text as one line, after prefix: control characters become
 * spaces, runs of white space collapse, and at most max bytes are kept (not
 * splitting a UTF-8 sequence), "..." marking a cut. NULL text appends nothing.
 */
static void
append_clean(char *buf, size_t size, const char *prefix, const char *text,
			 size_t textlen, size_t max)
{
	size_t		len;
	size_t		start;
	size_t		i;
	bool		space = true;	/* drops leading white space */

	if (text == NULL)
		return;
	appendf(buf, size, "%s", prefix);
	len = start = strlen(buf);
	for (i = 0; i < textlen && len + 1 < size && len - start < max; i++)
	{
		unsigned char ch = (unsigned char) text[i];
		bool		blank = ch <= ' ' || ch == 0x7f;

		if (!blank || !space)
			buf[len++] = blank ? ' ' : (char) ch;
		space = blank;
	}
	/* a cut inside a UTF-8 sequence drops its first bytes too */
	while (i < textlen && (text[i] & 0xC0) == 0x80 && len > start &&
		   (buf[--len] & 0xC0) == 0x80)
		;
	while (len > start && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	if (i < textlen)
		appendf(buf, size, "...");
}

/* Overwrite every occurrence of secret in buf[0..len) with '*'. */
static void
scrub(char *buf, size_t len, const char *secret)
{
	size_t		n = secret ? strlen(secret) : 0;
	char	   *p = buf;

	while (n > 0 && (p = memmem(p, len - (size_t) (p - buf), secret, n)) != NULL)
		memset(p, '*', n);
}

/* The path as shown in messages: without its query string when long. */
static void
show_path(const char *path, char *out, size_t size)
{
	size_t		n = strlen(path);
	size_t		q = strcspn(path, "?");

	if (n <= SHOWN_PATH_CHARS)
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "%.*s%s", (int) (q < SHOWN_PATH_CHARS ? q : SHOWN_PATH_CHARS),
				 path, q < SHOWN_PATH_CHARS ? "?..." : "...");
}

/* Fill *err with "METHOD path: <text>" (token scrubbed); returns false. */
static bool __attribute__((format(printf, 6, 7)))
fail(const HttpClient *c, HttpError *err, const char *method,
	 const char *shown, bool retryable, const char *fmt,...)
{
	size_t		len;
	va_list		ap;

	len = (size_t) snprintf(err->message, sizeof(err->message), "%s %s: ", method, shown);
	va_start(ap, fmt);
	if (len < sizeof(err->message))
		vsnprintf(err->message + len, sizeof(err->message) - len, fmt, ap);
	va_end(ap);
	scrub(err->message, strlen(err->message), c->token);
	err->retryable = retryable;
	return false;
}

/* Why the current request must stop now, or NULL to go on. */
static const char *
abort_reason(const HttpClient *c)
{
	if (should_stop())
		return "interrupted by signal";
	if (c->cfg.deadline_ms > 0 && clock_ms() >= c->cfg.deadline_ms)
		return "sync deadline reached";
	return NULL;
}

/* Sleep ms in short slices; false as soon as a stop signal arrives. */
static bool
sleep_ms(long long ms)
{
	long long	end = clock_ms() + ms;

	for (;;)
	{
		long long	left = end - clock_ms();
		struct timespec ts;

		if (should_stop())
			return false;
		if (left <= 0)
			return true;
		if (left > SLEEP_SLICE_MS)
			left = SLEEP_SLICE_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long) left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* Parse a decimal header value; -1 when malformed. */
static long
header_long(const char *value)
{
	char	   *end;
	long		v = strtol(value, &end, 10);

	return (end != value && *end == '\0' && v >= 0) ? v : -1;
}

/* Copy a header value, keeping printable ASCII only. */
static void
copy_value(char *dst, size_t size, const char *value)
{
	size_t		n = 0;

	for (; *value && n + 1 < size; value++)
		if (*value > ' ' && *value < 0x7f)
			dst[n++] = *value;
	dst[n] = '\0';
}

/* libcurl header callback: capture the headers we use (names case-blind). */
static size_t
header_cb(char *data, size_t size, size_t nitems, void *userdata)
{
	HttpTransfer *t = userdata;
	size_t		len = size * nitems;
	char		line[256];
	char	   *value;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
	{
		/* status line: a new response (e.g. after "100 Continue") */
		t->correlation_id[0] = t->retry_after[0] = '\0';
		t->rl_max = t->rl_remaining = t->rl_interval_ms = -1;
		return len;
	}
	if (len >= sizeof(line) || (value = memchr(data, ':', len)) == NULL)
		return len;				/* no header we care about is this long */
	memcpy(line, data, len);
	line[len] = '\0';
	value = line + (value - data);
	*value++ = '\0';
	value += strspn(value, " \t");
	value[strcspn(value, "\r\n")] = '\0';
	for (char *e = value + strlen(value); e > value && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';

	if (strcasecmp(line, "X-HubSpot-Correlation-Id") == 0)
		copy_value(t->correlation_id, sizeof(t->correlation_id), value);
	else if (strcasecmp(line, "Retry-After") == 0)
		snprintf(t->retry_after, sizeof(t->retry_after), "%s", value);
	else if (strcasecmp(line, "X-HubSpot-RateLimit-Max") == 0)
		t->rl_max = header_long(value);
	else if (strcasecmp(line, "X-HubSpot-RateLimit-Remaining") == 0)
		t->rl_remaining = header_long(value);
	else if (strcasecmp(line, "X-HubSpot-RateLimit-Interval-Milliseconds") == 0)
		t->rl_interval_ms = header_long(value);
	return len;
}

/* libcurl write callback: append to the body buffer, abort past the cap. */
static size_t
body_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *t = userdata;
	size_t		len = size * nmemb;

	if (len > t->max - t->len)
	{
		t->overflow = true;
		return 0;
	}
	if (t->len + len + 1 > t->cap)
	{
		size_t		cap = t->cap;
		char	   *buf;

		while (cap < t->len + len + 1)
			cap *= 2;
		if (cap > t->max + 1)
			cap = t->max + 1;
		if ((buf = realloc(t->buf, cap)) == NULL)
		{
			t->oom = true;
			return 0;
		}
		t->buf = buf;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return len;
}

/* Reset a transfer for a new attempt and set the per-request options. */
static bool
transfer_prepare(HttpClient *c, HttpTransfer *t, const char *method,
				 const char *json_body)
{
	CURL	   *e = t->easy;
	bool		get = strcmp(method, "GET") == 0;
	bool		post = strcmp(method, "POST") == 0;

	t->len = 0;
	t->buf[0] = '\0';
	t->overflow = t->oom = false;
	t->result = CURLE_OK;
	t->errbuf[0] = t->correlation_id[0] = t->retry_after[0] = '\0';
	t->rl_max = t->rl_remaining = t->rl_interval_ms = -1;

	if (curl_easy_setopt(e, CURLOPT_URL, c->url) != CURLE_OK)
		return false;
	if (json_body == NULL)
		return curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->get_headers) == CURLE_OK &&
			curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK &&
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, get ? NULL : method) == CURLE_OK;
	return curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->body_headers) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
						 (curl_off_t) strlen(json_body)) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, json_body) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, post ? NULL : method) == CURLE_OK;
}

/* Store the result of every transfer that libcurl reports as finished. */
static void
collect_done(HttpClient *c)
{
	CURLMsg    *msg;
	int			left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
	{
		char	   *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv != NULL)
			((HttpTransfer *) (void *) priv)->result = msg->data.result;
	}
}

/*
 * Drive every transfer added to the multi handle until all are done.
 * Returns NULL then, or why it stopped early (signal, deadline, multi error).
 */
static const char *
multi_drive(HttpClient *c)
{
	int			running = 1;

	for (;;)
	{
		CURLMcode	mc = curl_multi_perform(c->multi, &running);
		const char *reason;

		if (mc != CURLM_OK)
			return curl_multi_strerror(mc);
		collect_done(c);
		if (running == 0)
			return NULL;
		if ((reason = abort_reason(c)) != NULL)
			return reason;
		mc = curl_multi_poll(c->multi, NULL, 0, POLL_MS, NULL);
		if (mc != CURLM_OK)
			return curl_multi_strerror(mc);
	}
}

/*
 * Describe a non-2xx answer from its HubSpot error body, every field optional:
 * "HTTP 401 CATEGORY: message (correlationId ...)". Copies policyName, or
 * failing that the message, into policy for the 429 decision.
 */
static void
describe_http(const HttpTransfer *t, long status, char *out, size_t size,
			  char *policy, size_t policy_size)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(t->buf, t->len, 0, &jerr);
	const char *message = json_string_value(json_object_get(root, "message"));
	const char *category = json_string_value(json_object_get(root, "category"));
	const char *pname = json_string_value(json_object_get(root, "policyName"));
	const char *corr = json_string_value(json_object_get(root, "correlationId"));
	json_t	   *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *detail = json_string_value(json_object_get(first, "message"));

	if (category == NULL)
		category = json_string_value(json_object_get(root, "errorType"));
	if (corr == NULL || corr[0] == '\0')
		corr = t->correlation_id;
	if (detail != NULL && message != NULL && strcmp(detail, message) == 0)
		detail = NULL;
	snprintf(policy, policy_size, "%s", pname ? pname : message ? message : "");

	snprintf(out, size, "HTTP %ld", status);
	append_clean(out, size, " ", category, category ? strlen(category) : 0, FIELD_CHARS);
	append_clean(out, size, " ", pname, pname ? strlen(pname) : 0, FIELD_CHARS);
	append_clean(out, size, ": ", message, message ? strlen(message) : 0, FIELD_CHARS);
	append_clean(out, size, " (", detail, detail ? strlen(detail) : 0, FIELD_CHARS);
	if (detail != NULL)
		appendf(out, size, ")");
	if (message == NULL && !json_is_object(root) && t->len > 0)
		append_clean(out, size, ": ", t->buf, t->len, SNIPPET_CHARS);
	if (corr[0] != '\0')
	{
		append_clean(out, size, " (correlationId ", corr, strlen(corr), FIELD_CHARS);
		appendf(out, size, ")");
	}
	json_decref(root);
}

/* Describe a failed transfer (no HTTP answer); true if worth retrying. */
static bool
describe_transport(const HttpClient *c, const HttpTransfer *t, char *out,
				   size_t size)
{
	curl_off_t	sent_us = 0;
	long		os_errno = 0;
	CURLcode	r = t->result;

	if (t->overflow || t->oom)
	{
		snprintf(out, size, t->overflow ? "response larger than %zu bytes" :
				 "out of memory reading a response of %zu bytes", t->max);
		return false;
	}
	if (r == CURLE_OPERATION_TIMEDOUT)
	{
		/* no request sent yet: the connection (or TLS) setup timed out */
		curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &sent_us);
		snprintf(out, size, "%stimed out after %ld ms", sent_us ? "" : "connect ",
				 sent_us ? c->cfg.request_timeout_ms : c->cfg.connect_timeout_ms);
		return true;
	}
	snprintf(out, size, "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(r));
	curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
	if (os_errno != 0 && strstr(out, strerror((int) os_errno)) == NULL)
		appendf(out, size, " (%s)", strerror((int) os_errno));
	return r == CURLE_COULDNT_CONNECT || r == CURLE_RECV_ERROR ||
		r == CURLE_SEND_ERROR || r == CURLE_PARTIAL_FILE || r == CURLE_GOT_NOTHING;
}

/*
 * Classify a finished attempt that was not a success: describe it in out,
 * set the least wait before a retry in *floor_ms, and return true if the
 * request may be retried (HUBSPOT.md §3.5).
 */
static bool
classify(HttpClient *c, HttpTransfer *t, long status, char *out, size_t size,
		 long long *floor_ms)
{
	char		policy[FIELD_CHARS + 1];

	*floor_ms = 0;
	if (status == 0)
		return describe_transport(c, t, out, size);
	scrub(t->buf, t->len, c->token);	/* a body that echoes the token */
	describe_http(t, status, out, size, policy, sizeof(policy));
	if (status == 429 && strcasestr(policy, "DAILY") != NULL)
	{
		appendf(out, size, "; daily limit reached");
		return false;
	}
	if (status == 429)
	{
		/* secondly (search) limit: 1 s; ten-secondly: until a slot frees */
		long long	oldest = ratelimit_oldest_ms(&c->general, clock_ms());

		*floor_ms = RATE_LIMITED_WAIT_MS;
		if (strcasestr(policy, "TEN_SECONDLY") != NULL && oldest > *floor_ms)
			*floor_ms = oldest;
		return true;
	}
	if (status == 423)
		*floor_ms = LOCKED_WAIT_MS;
	/* 477 is a portal migration, where Retry-After decides */
	return status == 423 || status == 477 || status == 500 ||
		(status >= 502 && status <= 504) || (status >= 521 && status <= 524);
}

/* Lower the general budget when HubSpot advertises a smaller burst limit. */
static void
adopt_rate_headers(HttpClient *c, const HttpTransfer *t)
{
	int			before = c->general.limit;

	if (t->rl_max > 0 && t->rl_max < before && ratelimit_lower(&c->general, (int) t->rl_max))
		log_debug("HubSpot burst limit is %ld per %ld ms (%ld remaining); "
				  "client budget lowered from %d to %ld",
				  t->rl_max, t->rl_interval_ms, t->rl_remaining, before, t->rl_max);
}

/* Wait until the budget allows one more request, then count it. */
static bool
take_budget(HttpClient *c, RateLimit *rl)
{
	long long	start = clock_ms();
	long long	delay;
	bool		ok = true;

	while (ok && (delay = ratelimit_delay_ms(rl, clock_ms())) > 0)
		ok = sleep_ms(delay);
	c->stats.throttle_ms += clock_ms() - start;
	if (ok)
		ratelimit_record(rl, clock_ms());
	return ok;
}

/* Send one attempt and wait for it; NULL when it finished, else why not. */
static const char *
run_attempt(HttpClient *c, HttpTransfer *t, const char *method,
			const char *json_body, long *status)
{
	const char *reason;

	*status = 0;
	if (!transfer_prepare(c, t, method, json_body))
		return "cannot set up the transfer";
	if (curl_multi_add_handle(c->multi, t->easy) != CURLM_OK)
		return "cannot start the transfer";
	c->stats.requests++;
	if (t->attempt > 1)
		c->stats.retries++;
	reason = multi_drive(c);
	curl_multi_remove_handle(c->multi, t->easy);
	c->stats.bytes += (long long) t->len;
	if (reason == NULL && t->result == CURLE_OK)
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, status);
	return reason;
}

/* Perform one request with retries (see http.h). */
bool
http_request(HttpClient *c, const char *method, const char *path,
			 const char *json_body, HttpBudget budget, HttpResponse *resp,
			 HttpError *err)
{
	HttpTransfer *t = &c->xfer;
	RateLimit  *rl = budget == HTTP_BUDGET_SEARCH ? &c->search : &c->general;
	int			max = c->cfg.max_attempts;
	char		shown[SHOWN_PATH_CHARS + 8];
	size_t		need = strlen(c->base_url) + strlen(path) + 1;

	memset(resp, 0, sizeof(*resp));
	memset(err, 0, sizeof(*err));
	show_path(path, shown, sizeof(shown));
	if (path[0] != '/')
		return fail(c, err, method, shown, false, "path must start with '/'");
	if (need > c->url_cap)
	{
		char	   *url = realloc(c->url, need);

		if (url == NULL)
			return fail(c, err, method, shown, false, "out of memory");
		c->url = url;
		c->url_cap = need;
	}
	snprintf(c->url, c->url_cap, "%s%s", c->base_url, path);

	for (t->attempt = 1;; t->attempt++)
	{
		char		detail[sizeof(err->message)];
		const char *reason = abort_reason(c);
		long long	floor_ms;
		long long	wait_ms;
		long long	started;
		bool		retryable;
		bool		slept;

		if (reason == NULL && !take_budget(c, rl))
			reason = "interrupted by signal";
		if (reason == NULL)
			reason = abort_reason(c);
		if (reason == NULL)
			reason = run_attempt(c, t, method, json_body, &err->status);
		if (reason != NULL)
			return fail(c, err, method, shown, false, "%s", reason);
		if (budget == HTTP_BUDGET_GENERAL)
			adopt_rate_headers(c, t);

		if (err->status >= 200 && err->status < 300)
		{
			log_debug("%s %s: HTTP %ld, %zu bytes (correlationId %s)",
					  method, shown, err->status, t->len, t->correlation_id);
			resp->status = err->status;
			resp->body = t->buf;
			resp->body_len = t->len;
			memcpy(resp->correlation_id, t->correlation_id, sizeof(resp->correlation_id));
			err->status = 0;
			return true;
		}

		retryable = classify(c, t, err->status, detail, sizeof(detail), &floor_ms);
		scrub(detail, strlen(detail), c->token);
		if (!retryable && t->attempt == 1)
			return fail(c, err, method, shown, false, "%s", detail);
		if (!retryable)
			return fail(c, err, method, shown, false, "%s (attempt %d of %d)",
						detail, t->attempt, max);
		if (t->attempt >= max)
			return fail(c, err, method, shown, true, "%s; gave up after %d attempt%s",
						detail, max, max == 1 ? "" : "s");

		wait_ms = backoff_delay_ms(t->attempt, c->cfg.backoff_base_ms,
								   c->cfg.backoff_cap_ms, backoff_random());
		if (t->retry_after[0] != '\0')
		{
			long long	ra;

			if (!backoff_parse_retry_after(t->retry_after, time(NULL), &ra))
				log_debug("%s %s: ignoring malformed Retry-After", method, shown);
			else if (ra > c->cfg.retry_after_cap_ms)
				return fail(c, err, method, shown, true,
							"%s; Retry-After of %lld s exceeds the limit of %ld s",
							detail, ra / 1000, c->cfg.retry_after_cap_ms / 1000);
			else
				floor_ms = ra;
		}
		if (wait_ms < floor_ms)
			wait_ms = floor_ms;
		if (c->cfg.deadline_ms > 0 && clock_ms() + wait_ms >= c->cfg.deadline_ms)
			return fail(c, err, method, shown, true,
						"sync deadline reached before retry (%s)", detail);

		log_warn("%s %s: %s, retry %d/%d in %.1f s",
				 method, shown, detail, t->attempt, max - 1, wait_ms / 1000.0);
		started = clock_ms();
		slept = sleep_ms(wait_ms);
		c->stats.backoff_ms += clock_ms() - started;
		if (!slept)
			return fail(c, err, method, shown, false, "interrupted by signal");
	}
}

/* Fill *cfg with the defaults of defaults.h. */
void
http_config_defaults(HttpConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base_url = DEFAULT_HUBSPOT_API_BASE;
	cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	cfg->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
	cfg->burst_limit = DEFAULT_BURST_LIMIT;
	cfg->burst_window_ms = DEFAULT_BURST_WINDOW_MS;
	cfg->search_per_second = DEFAULT_SEARCH_PER_SECOND;
	cfg->max_attempts = DEFAULT_MAX_ATTEMPTS;
	cfg->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
	cfg->backoff_cap_ms = DEFAULT_BACKOFF_CAP_MS;
	cfg->retry_after_cap_ms = DEFAULT_RETRY_AFTER_CAP_MS;
	cfg->max_body_bytes = DEFAULT_MAX_BODY_BYTES;
}

/* Build a request header list: Authorization, Accept [, Content-Type]. */
static struct curl_slist *
make_headers(const char *auth, bool with_body)
{
	struct curl_slist *list = curl_slist_append(NULL, auth);
	struct curl_slist *more = list;

	if (more)
		more = curl_slist_append(list, "Accept: application/json");
	if (more && with_body)
		more = curl_slist_append(list, "Content-Type: application/json");
	if (more && with_body)
		more = curl_slist_append(list, "Expect:");	/* no 100-continue round trip */
	if (more == NULL)
	{
		curl_slist_free_all(list);
		return NULL;
	}
	return list;
}

/* Free a header list, wiping its strings (one carries the token) first. */
static void
free_headers(struct curl_slist *list)
{
	for (struct curl_slist *h = list; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(list);
}

/* Set the options that stay the same for every request of a transfer. */
static bool
transfer_init(HttpTransfer *t, const HttpConfig *cfg)
{
	CURL	   *e = t->easy = curl_easy_init();

	t->max = cfg->max_body_bytes;
	t->cap = INITIAL_BODY_CAP < t->max + 1 ? INITIAL_BODY_CAP : t->max + 1;
	t->buf = calloc(t->cap, 1);
	return e != NULL && t->buf != NULL &&
		curl_easy_setopt(e, CURLOPT_PRIVATE, (void *) t) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *) t) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *) t) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cfg->request_timeout_ms) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
		curl_easy_setopt(e, CURLOPT_USERAGENT, LOOP_SYNC_USER_AGENT) == CURLE_OK;
}

/* Create a client: validate cfg, set up libcurl handles and budgets. */
HttpClient *
http_client_new(const HttpConfig *cfg, HttpError *err)
{
	HttpClient *c;
	char	   *auth = NULL;
	size_t		n;

	memset(err, 0, sizeof(*err));
	if (cfg->base_url == NULL || cfg->base_url[0] == '\0' ||
		cfg->token == NULL || cfg->token[0] == '\0' ||
		strpbrk(cfg->token, "\r\n") != NULL ||
		cfg->max_attempts < 1 || cfg->burst_limit < 1 || cfg->burst_window_ms < 1 ||
		cfg->search_per_second < 1 || cfg->max_body_bytes < 1 ||
		cfg->max_body_bytes > SIZE_MAX / 4)
	{
		snprintf(err->message, sizeof(err->message),
				 "invalid HTTP configuration (base URL, token or limits)");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	c->cfg = *cfg;
	c->base_url = strdup(cfg->base_url);
	c->token = strdup(cfg->token);
	if (c->base_url == NULL || c->token == NULL ||
		asprintf(&auth, "Authorization: Bearer %s", cfg->token) < 0)
	{
		auth = NULL;
		goto oom;
	}
	for (n = strlen(c->base_url); n > 0 && c->base_url[n - 1] == '/'; n--)
		c->base_url[n - 1] = '\0';
	c->cfg.base_url = c->base_url;
	c->cfg.token = NULL;
	c->get_headers = make_headers(auth, false);
	c->body_headers = make_headers(auth, true);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	if (c->get_headers == NULL || c->body_headers == NULL ||
		(c->multi = curl_multi_init()) == NULL ||
		!transfer_init(&c->xfer, &c->cfg) ||
		!ratelimit_init(&c->general, cfg->burst_limit, cfg->burst_window_ms + BUDGET_MARGIN_MS) ||
		!ratelimit_init(&c->search, cfg->search_per_second, 1000 + BUDGET_MARGIN_MS))
		goto oom;
	return c;

oom:
	snprintf(err->message, sizeof(err->message), "cannot set up the HTTP client");
	http_client_free(c);
	return NULL;
}

/* Release the client, wiping the token copies. */
void
http_client_free(HttpClient *c)
{
	if (c == NULL)
		return;
	if (c->xfer.easy)
		curl_easy_cleanup(c->xfer.easy);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free_headers(c->get_headers);
	free_headers(c->body_headers);
	if (c->token)
		explicit_bzero(c->token, strlen(c->token));
	free(c->token);
	free(c->base_url);
	free(c->url);
	free(c->xfer.buf);
	ratelimit_free(&c->general);
	ratelimit_free(&c->search);
	free(c);
}

/* Counters since the client was created. */
const HttpStats *
http_stats(const HttpClient *c)
{
	return &c->stats;
}
