/*-------------------------------------------------------------------------
 *
 * worker/main.c
 *	  loop-sync: load HubSpot CRM data into the loop extension's tables.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "daemon.h"
#include "defaults.h"
#include "jsonregion.h"
#include "log.h"
#include "signals.h"
#include "sync.h"

static void
usage(FILE *out)
{
	fprintf(out,
			"loop-sync loads HubSpot contacts, deals and deal pipelines into the loop extension's tables.\n"
			"\n"
			"Usage:\n"
			"  loop-sync [OPTION]... once     run one full sync and exit\n"
			"  loop-sync [OPTION]... daemon   sync every hour at minute 0 (UTC) and whenever an admin\n"
			"                                 requests one (api.request_sync, NOTIFY %s);\n"
			"                                 stops cleanly on SIGTERM or SIGINT\n"
			"\n"
			"Database:\n"
			"  -d, --dbname=CONNINFO        connection string or URI; otherwise libpq's environment\n"
			"                               (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE, ...)\n"
			"HubSpot:\n"
			"      --api-base=URL           API base URL (env %s; default %s)\n"
			"      --contact-property=NAME  also fetch this contact property, kept in properties jsonb\n"
			"                               (repeatable, up to %d; %s is always fetched)\n"
			"      --deal-property=NAME     the same for deals (%s is always fetched)\n"
			"Request budget and retries (defaults stay under HubSpot's Free/Starter limits):\n"
			"      --burst-limit=N          requests per burst window, search excluded (default %d)\n"
			"      --burst-window=MS        burst window in milliseconds (default %d)\n"
			"      --search-rate=N          search requests per second (default %d; HubSpot allows 5)\n"
			"      --max-attempts=N         attempts per request on 429, 5xx and timeouts (default %d)\n"
			"      --connect-timeout=S      seconds to connect (default %d)\n"
			"      --request-timeout=S      seconds per request (default %d)\n"
			"      --deadline=S             give up the whole sync after S seconds (default %d)\n"
			"Output:\n"
			"  -q, --quiet                  no progress lines on stderr\n"
			"  -v, --verbose                debug messages (never the token)\n"
			"      --help                   show this help and exit\n"
			"      --version                show the version and exit\n"
			"\n"
			"Environment:\n"
			"  %s   HubSpot private-app token (required; never printed)\n"
			"  %s       API base URL, as --api-base\n"
			"\n"
			"Exit status: %d success; %d sync failed (HubSpot, HTTP or data; recorded in loop.sync_run);\n"
			"  %d bad usage or configuration; %d another sync is running; %d database error;\n"
			"  %d interrupted by a signal.\n",
			SYNC_REQUEST_CHANNEL, ENV_HUBSPOT_API_BASE, DEFAULT_HUBSPOT_API_BASE, SYNC_EXTRA_MAX - 1,
			DEFAULT_CONTACT_EXTRA, DEFAULT_DEAL_EXTRA,
			DEFAULT_BURST_LIMIT, DEFAULT_BURST_WINDOW_MS, DEFAULT_SEARCH_PER_SECOND,
			DEFAULT_MAX_ATTEMPTS, DEFAULT_CONNECT_TIMEOUT_MS / 1000, DEFAULT_REQUEST_TIMEOUT_MS / 1000,
			DEFAULT_SYNC_DEADLINE_S, ENV_HUBSPOT_TOKEN, ENV_HUBSPOT_API_BASE,
			EXIT_OK, EXIT_SYNC_FAILED, EXIT_USAGE, EXIT_ALREADY_RUNNING, EXIT_DATABASE,
			EXIT_INTERRUPTED);
}

/* Parse a positive integer option or exit with a usage error. */
static long
positive(const char *name, const char *arg, long max)
{
	char	   *end;
	long		v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v <= 0 || v > max)
	{
		fprintf(stderr, "loop-sync: --%s must be an integer from 1 to %ld, not \"%s\"\n", name, max, arg);
		exit(EXIT_USAGE);
	}
	return v;
}

/* Append a property name to an extra list, checking HubSpot's name rules. */
static void
add_property(const char **list, int *n, const char *name)
{
	if (*n >= SYNC_EXTRA_MAX)
	{
		fprintf(stderr, "loop-sync: at most %d extra properties per object\n", SYNC_EXTRA_MAX);
		exit(EXIT_USAGE);
	}
	if (name[0] == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
	{
		fprintf(stderr, "loop-sync: \"%s\" is not a HubSpot property name (lower-case letters, digits, _)\n",
				name);
		exit(EXIT_USAGE);
	}
	list[(*n)++] = name;
}

/*
 * Is the API base acceptable? https:// anywhere; plain http:// only to the
 * loopback interface (the fake HubSpot of the tests), because the token
 * would travel unencrypted.
 */
static bool
api_base_ok(const char *url)
{
	static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *host;
	size_t		len;

	if (strncmp(url, "https://", 8) == 0)
		return true;
	if (strncmp(url, "http://", 7) != 0)
		return false;
	host = url + 7;
	len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		if (strlen(loopback[i]) == len && strncmp(host, loopback[i], len) == 0)
			return true;
	return false;
}

/* Strip trailing '/' characters from a base URL (in place). */
static const char *
trim_slashes(char *url)
{
	size_t		n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

int
main(int argc, char **argv)
{
	enum
	{
		OPT_API_BASE = 256, OPT_CONTACT_PROP, OPT_DEAL_PROP, OPT_BURST, OPT_BURST_WINDOW,
		OPT_SEARCH_RATE, OPT_ATTEMPTS, OPT_CONNECT_TIMEOUT, OPT_REQUEST_TIMEOUT, OPT_DEADLINE,
		OPT_HELP, OPT_VERSION
	};
	static const struct option options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"api-base", required_argument, NULL, OPT_API_BASE},
		{"contact-property", required_argument, NULL, OPT_CONTACT_PROP},
		{"deal-property", required_argument, NULL, OPT_DEAL_PROP},
		{"burst-limit", required_argument, NULL, OPT_BURST},
		{"burst-window", required_argument, NULL, OPT_BURST_WINDOW},
		{"search-rate", required_argument, NULL, OPT_SEARCH_RATE},
		{"max-attempts", required_argument, NULL, OPT_ATTEMPTS},
		{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
		{"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
		{"deadline", required_argument, NULL, OPT_DEADLINE},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0}
	};
	SyncOptions opts;
	char	   *api_base = NULL;
	char	   *api_base_env = NULL;	/* our copy of HUBSPOT_API_BASE */
	const char *token;
	int			c,
				code;

	memset(&opts, 0, sizeof(opts));
	http_config_defaults(&opts.http);
	opts.deadline_s = DEFAULT_SYNC_DEADLINE_S;
	opts.progress = true;
	add_property(opts.contact_extra, &opts.ncontact_extra, DEFAULT_CONTACT_EXTRA);
	add_property(opts.deal_extra, &opts.ndeal_extra, DEFAULT_DEAL_EXTRA);

	while ((c = getopt_long(argc, argv, "d:qv", options, NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				opts.conninfo = optarg;
				break;
			case OPT_API_BASE:
				api_base = optarg;
				break;
			case OPT_CONTACT_PROP:
				add_property(opts.contact_extra, &opts.ncontact_extra, optarg);
				break;
			case OPT_DEAL_PROP:
				add_property(opts.deal_extra, &opts.ndeal_extra, optarg);
				break;
			case OPT_BURST:
				opts.http.burst_limit = (int) positive("burst-limit", optarg, 100000);
				break;
			case OPT_BURST_WINDOW:
				opts.http.burst_window_ms = positive("burst-window", optarg, 3600000);
				break;
			case OPT_SEARCH_RATE:
				opts.http.search_per_second = (int) positive("search-rate", optarg, 100000);
				break;
			case OPT_ATTEMPTS:
				opts.http.max_attempts = (int) positive("max-attempts", optarg, 100);
				break;
			case OPT_CONNECT_TIMEOUT:
				opts.http.connect_timeout_ms = positive("connect-timeout", optarg, 3600) * 1000;
				break;
			case OPT_REQUEST_TIMEOUT:
				opts.http.request_timeout_ms = positive("request-timeout", optarg, 3600) * 1000;
				break;
			case OPT_DEADLINE:
				opts.deadline_s = positive("deadline", optarg, 86400);
				break;
			case 'q':
				opts.progress = false;
				break;
			case 'v':
				log_set_level(LOG_DEBUG);
				break;
			case OPT_HELP:
				usage(stdout);
				return EXIT_OK;
			case OPT_VERSION:
				printf("loop-sync %s\n", LOOP_SYNC_VERSION);
				return EXIT_OK;
			default:
				fprintf(stderr, "Try \"loop-sync --help\" for more information.\n");
				return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (strcmp(argv[optind], "once") != 0 && strcmp(argv[optind], "daemon") != 0))
	{
		fprintf(stderr, "loop-sync: %s\nTry \"loop-sync --help\" for more information.\n",
				optind >= argc ? "a command is required (once or daemon)"
				: optind < argc - 1 ? "too many arguments"
				: "unknown command; the commands are \"once\" and \"daemon\"");
		return EXIT_USAGE;
	}

	token = getenv(ENV_HUBSPOT_TOKEN);
	if (token == NULL || token[0] == '\0')
	{
		fprintf(stderr, "loop-sync: %s is not set; create a HubSpot private app with crm.objects.contacts.read "
				"and crm.objects.deals.read and export its token\n", ENV_HUBSPOT_TOKEN);
		return EXIT_USAGE;
	}
	if (strpbrk(token, "\r\n ") != NULL)
	{
		fprintf(stderr, "loop-sync: %s contains whitespace or a line break\n", ENV_HUBSPOT_TOKEN);
		return EXIT_USAGE;
	}
	opts.http.token = token;
	if (api_base == NULL && getenv(ENV_HUBSPOT_API_BASE) != NULL && getenv(ENV_HUBSPOT_API_BASE)[0] != '\0')
		api_base = api_base_env = strdup(getenv(ENV_HUBSPOT_API_BASE));
	opts.http.base_url = api_base ? trim_slashes(api_base) : DEFAULT_HUBSPOT_API_BASE;
	if (!api_base_ok(opts.http.base_url))
	{
		fprintf(stderr, "loop-sync: the API base URL must start with https:// (plain http:// only to "
				"127.0.0.1, localhost or [::1]): %s\n", opts.http.base_url);
		return EXIT_USAGE;
	}

	signals_install();
	json_region_install();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
	{
		fprintf(stderr, "loop-sync: libcurl initialisation failed\n");
		return EXIT_SYNC_FAILED;
	}
	code = strcmp(argv[optind], "daemon") == 0 ? daemon_run(&opts) : sync_once(&opts);
	curl_global_cleanup();
	json_region_free_all();
	free(api_base_env);
	return code;
}
