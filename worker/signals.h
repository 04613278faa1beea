/*-------------------------------------------------------------------------
 *
 * worker/signals.h
 *	  Signal flags: handlers only set flags; long loops poll them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_SIGNALS_H
#define LOOP_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

extern volatile sig_atomic_t stop_requested;	/* SIGTERM, SIGINT, SIGQUIT */

extern void signals_install(void);

static inline bool
should_stop(void)
{
	return stop_requested != 0;
}

#endif							/* LOOP_SIGNALS_H */
