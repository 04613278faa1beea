/*-------------------------------------------------------------------------
 *
 * worker/daemon.c
 *	  loop-sync daemon: a sync every hour at minute 0 and on request.
 *
 * One connection LISTENs on loop_sync_request, where api.request_sync()
 * announces "Sync mit HubSpot" (seed 001, 003). The daemon sleeps on that
 * socket until the next full hour or a notification, then runs the same
 * sync as `loop-sync once` (on its own connection; loop.sync_begin attaches
 * the pending requests to the run). Notifications that arrive during a sync
 * wait on the socket and cause one more run. At start and after a lost
 * connection it looks for requests it may have missed. SIGTERM or SIGINT
 * stop it between steps; a running sync is cancelled and recorded as
 * interrupted.
 *
 *-------------------------------------------------------------------------
 */
#include "daemon.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defaults.h"
#include "log.h"
#include "pg.h"
#include "signals.h"

#define WAIT_SLICE_MS		1000	/* stop flags are checked this often */
#define RECONNECT_MAX_S		60		/* cap of the reconnect backoff */

time_t
daemon_next_hour(time_t now)
{
	return (now / 3600 + 1) * 3600;
}

/* Sleep up to seconds, waking early on a stop signal. */
static void
sleep_interruptible(int seconds)
{
	for (int i = 0; i < seconds * 10 && !should_stop(); i++)
		usleep(100 * 1000);
}

/*
 * Connect and LISTEN; true with *pending set when requests are waiting
 * that no sync has picked up (notifications sent while we were away).
 */
static bool
listen_connect(const SyncOptions *opts, PgConn *pg, bool *pending)
{
	char		count[32];

	if (!pg_connect(pg, opts->conninfo))
	{
		pg_disconnect(pg);
		return false;
	}
	if (!pg_exec(pg, "LISTEN " SYNC_REQUEST_CHANNEL, 0, NULL, NULL, 0) ||
		!pg_exec(pg, "SELECT count(*) FROM loop.sync_request WHERE run_id IS NULL",
				 0, NULL, count, sizeof(count)))
	{
		pg_disconnect(pg);
		return false;
	}
	*pending = atoi(count) > 0;
	return true;
}

/* Keep trying to (re)connect with a capped, doubling pause. */
static bool
listen_reconnect(const SyncOptions *opts, PgConn *pg, bool *pending)
{
	int			pause = 1;

	while (!should_stop())
	{
		if (listen_connect(opts, pg, pending))
		{
			log_info("daemon: listening on %s", SYNC_REQUEST_CHANNEL);
			return true;
		}
		log_warn("daemon: cannot listen for sync requests: %s; retrying in %d s", pg->error, pause);
		sleep_interruptible(pause);
		pause = pause * 2 > RECONNECT_MAX_S ? RECONNECT_MAX_S : pause * 2;
	}
	return false;
}

/* One sync run; the outcome is logged, the daemon carries on either way. */
static void
run_sync(const SyncOptions *opts, const char *why)
{
	int			code;

	log_info("daemon: sync (%s)", why);
	code = sync_once(opts);
	if (code == EXIT_ALREADY_RUNNING)
		log_info("daemon: another sync was running; this one was skipped");
	else if (code != EXIT_OK && !should_stop())
		log_warn("daemon: the sync failed (exit status %d); next attempt at the next hour or request", code);
}

int
daemon_run(const SyncOptions *opts)
{
	PgConn		pg;
	bool		pending = false;
	time_t		next = daemon_next_hour(time(NULL));

	if (!listen_connect(opts, &pg, &pending))
	{
		log_error("daemon: cannot listen for sync requests: %s", pg.error);
		return EXIT_DATABASE;
	}
	log_info("daemon: listening on %s; next scheduled sync at minute 0 of the next hour", SYNC_REQUEST_CHANNEL);

	while (!should_stop())
	{
		int			got;

		if (pending)
		{
			pending = false;
			run_sync(opts, "requested");
			continue;
		}
		if (time(NULL) >= next)
		{
			next = daemon_next_hour(time(NULL));
			run_sync(opts, "hourly");
			continue;
		}
		got = pg_wait_notify(&pg, WAIT_SLICE_MS);
		if (got > 0)
			pending = true;
		else if (got < 0 && !should_stop())
		{
			log_warn("daemon: lost the listening connection: %s", pg.error);
			pg_disconnect(&pg);
			if (!listen_reconnect(opts, &pg, &pending))
				break;
		}
	}
	pg_disconnect(&pg);
	log_info("daemon: stopped");
	return EXIT_OK;
}
