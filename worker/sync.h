/*-------------------------------------------------------------------------
 *
 * worker/sync.h
 *	  One full sync: HubSpot -> staging (COPY) -> one publish transaction.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_SYNC_H
#define LOOP_SYNC_H

#include <stdbool.h>

#include "http.h"

#define SYNC_EXTRA_MAX 32

typedef struct SyncOptions
{
	const char *conninfo;		/* NULL: libpq environment */
	HttpConfig	http;
	long		deadline_s;		/* whole run */
	const char *contact_extra[SYNC_EXTRA_MAX];	/* extra properties (jsonb) */
	int			ncontact_extra;
	const char *deal_extra[SYNC_EXTRA_MAX];
	int			ndeal_extra;
	bool		progress;		/* progress lines on stderr */
} SyncOptions;

/* Run one sync; returns an exit code of defaults.h. */
extern int	sync_once(const SyncOptions *opts);

#endif							/* LOOP_SYNC_H */
