/*-------------------------------------------------------------------------
 *
 * worker/daemon.h
 *	  loop-sync daemon: a sync every hour at minute 0 and on request.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_DAEMON_H
#define LOOP_DAEMON_H

#include <time.h>

#include "sync.h"

/* NOTIFY channel of api.request_sync() ("Sync mit HubSpot"). */
#define SYNC_REQUEST_CHANNEL "loop_sync_request"

/* The next full hour (minute 0, second 0) strictly after now. */
extern time_t daemon_next_hour(time_t now);

/* Run until SIGTERM/SIGINT; returns an exit code of defaults.h. */
extern int	daemon_run(const SyncOptions *opts);

#endif							/* LOOP_DAEMON_H */
