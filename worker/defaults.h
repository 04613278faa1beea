/*-------------------------------------------------------------------------
 *
 * worker/defaults.h
 *	  Names, defaults and exit codes of loop-sync, in one place.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_DEFAULTS_H
#define LOOP_DEFAULTS_H

#define LOOP_SYNC_VERSION			"1.0"
#define LOOP_SYNC_USER_AGENT		"loop-sync/" LOOP_SYNC_VERSION

/* Environment variables */
#define ENV_HUBSPOT_TOKEN			"HUBSPOT_ACCESS_TOKEN"
#define ENV_HUBSPOT_API_BASE		"HUBSPOT_API_BASE"

/* HubSpot API (HUBSPOT.md §0) */
#define DEFAULT_HUBSPOT_API_BASE	"https://api.hubapi.com"
#define HUBSPOT_SEARCH_PAGE_MAX		200		/* §2: max 200 per search page */
#define HUBSPOT_SEARCH_RESULT_CAP	10000	/* §2: paging beyond 10,000 is a 400 */

/* Properties fetched besides the mapped ones, kept in the properties jsonb */
#define DEFAULT_CONTACT_EXTRA		"jobtitle"
#define DEFAULT_DEAL_EXTRA			"dealtype"

/* HTTP defaults: a budget below HubSpot's Free/Starter limits (§3.1, §2) */
#define DEFAULT_CONNECT_TIMEOUT_MS	10000
#define DEFAULT_REQUEST_TIMEOUT_MS	60000
#define DEFAULT_BURST_LIMIT			100		/* requests per burst window */
#define DEFAULT_BURST_WINDOW_MS		10000
#define DEFAULT_SEARCH_PER_SECOND	4		/* HubSpot allows 5/s per account */
#define DEFAULT_MAX_ATTEMPTS		6
#define DEFAULT_BACKOFF_BASE_MS		500
#define DEFAULT_BACKOFF_CAP_MS		30000
#define DEFAULT_RETRY_AFTER_CAP_MS	300000
#define DEFAULT_MAX_BODY_BYTES		(64u * 1024u * 1024u)
#define DEFAULT_SYNC_DEADLINE_S		3000	/* 50 min: an hourly run never overlaps */

/* Exit codes */
#define EXIT_OK						0
#define EXIT_SYNC_FAILED			1	/* HubSpot, HTTP or data error; run recorded as failed */
#define EXIT_USAGE					2	/* bad arguments or configuration */
#define EXIT_ALREADY_RUNNING		3	/* another sync holds the lock */
#define EXIT_DATABASE				4	/* cannot connect, or a database error */
#define EXIT_INTERRUPTED			5	/* stopped by a signal; run recorded as failed */

#endif							/* LOOP_DEFAULTS_H */
