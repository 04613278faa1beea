/*-------------------------------------------------------------------------
 *
 * test/worker/probe/http_probe.c
 *	  Drives worker/http.c for test/worker/test_http.py: performs a request
 *	  (or --count of them) and prints status, correlation id, body length,
 *	  stats and the error message, one "key: value" line each.
 *
 *	  http-probe [options] METHOD PATH [JSON_BODY]
 *	  The base URL and token come from HUBSPOT_API_BASE and
 *	  HUBSPOT_ACCESS_TOKEN; the options override http_config_defaults().
 *
 *-------------------------------------------------------------------------
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "http.h"
#include "log.h"
#include "signals.h"

/* Print usage to stderr and return the usage exit code. */
static int
usage(void)
{
	fprintf(stderr,
			"usage: http-probe [--search] [--count N] [--print-body] [--debug]\n"
			"       [--connect-timeout-ms N] [--timeout-ms N] [--burst N]\n"
			"       [--window-ms N] [--search-per-second N] [--max-attempts N]\n"
			"       [--backoff-base-ms N] [--backoff-cap-ms N]\n"
			"       [--retry-after-cap-ms N] [--max-body N] [--deadline-ms N]\n"
			"       METHOD PATH [JSON_BODY]\n");
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"search", no_argument, NULL, 's'},
		{"count", required_argument, NULL, 'n'},
		{"print-body", no_argument, NULL, 'p'},
		{"debug", no_argument, NULL, 'd'},
		{"connect-timeout-ms", required_argument, NULL, 'C'},
		{"timeout-ms", required_argument, NULL, 'T'},
		{"burst", required_argument, NULL, 'B'},
		{"window-ms", required_argument, NULL, 'W'},
		{"search-per-second", required_argument, NULL, 'S'},
		{"max-attempts", required_argument, NULL, 'A'},
		{"backoff-base-ms", required_argument, NULL, 'b'},
		{"backoff-cap-ms", required_argument, NULL, 'c'},
		{"retry-after-cap-ms", required_argument, NULL, 'R'},
		{"max-body", required_argument, NULL, 'M'},
		{"deadline-ms", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0}
	};
	HttpConfig	cfg;
	HttpError	err;
	HttpResponse resp;
	HttpClient *client;
	const HttpStats *st;
	HttpBudget	budget = HTTP_BUDGET_GENERAL;
	long		count = 1;
	long		deadline = 0;
	int			print_body = 0;
	int			opt;
	int			rc = EXIT_OK;

	http_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
	{
		long		v = optarg ? strtol(optarg, NULL, 10) : 0;

		switch (opt)
		{
			case 's': budget = HTTP_BUDGET_SEARCH; break;
			case 'n': count = v; break;
			case 'p': print_body = 1; break;
			case 'd': log_set_level(LOG_DEBUG); break;
			case 'C': cfg.connect_timeout_ms = v; break;
			case 'T': cfg.request_timeout_ms = v; break;
			case 'B': cfg.burst_limit = (int) v; break;
			case 'W': cfg.burst_window_ms = v; break;
			case 'S': cfg.search_per_second = (int) v; break;
			case 'A': cfg.max_attempts = (int) v; break;
			case 'b': cfg.backoff_base_ms = v; break;
			case 'c': cfg.backoff_cap_ms = v; break;
			case 'R': cfg.retry_after_cap_ms = v; break;
			case 'M': cfg.max_body_bytes = (size_t) v; break;
			case 'D': deadline = v; break;
			default: return usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3)
		return usage();
	if (getenv(ENV_HUBSPOT_API_BASE))
		cfg.base_url = getenv(ENV_HUBSPOT_API_BASE);
	cfg.token = getenv(ENV_HUBSPOT_TOKEN);
	if (deadline > 0)
		cfg.deadline_ms = clock_ms() + deadline;

	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	client = http_client_new(&cfg, &err);
	if (client == NULL)
	{
		printf("error: %s\n", err.message);
		curl_global_cleanup();
		return EXIT_USAGE;
	}
	for (long i = 1; i <= count; i++)
	{
		if (!http_request(client, argv[optind], argv[optind + 1],
						  argv[optind + 2], budget, &resp, &err))
		{
			printf("error_status: %ld\nretryable: %d\nerror: %s\n",
				   err.status, err.retryable, err.message);
			rc = EXIT_SYNC_FAILED;
			break;
		}
		printf("status: %ld\ncorrelation_id: %s\nbody_len: %zu\n",
			   resp.status, resp.correlation_id, resp.body_len);
		if (print_body)
			printf("body: %s\n", resp.body);
		fflush(stdout);
	}
	st = http_stats(client);
	printf("stats: requests=%ld retries=%ld bytes=%lld throttle_ms=%lld backoff_ms=%lld\n",
		   st->requests, st->retries, st->bytes, st->throttle_ms, st->backoff_ms);
	http_client_free(client);
	curl_global_cleanup();
	return rc;
}
