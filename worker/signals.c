/*-------------------------------------------------------------------------
 *
 * worker/signals.c
 *	  Signal flags: handlers only set flags; long loops poll them.
 *
 *-------------------------------------------------------------------------
 */
#include "signals.h"

#include <string.h>

volatile sig_atomic_t stop_requested = 0;

static void
handle_stop(int signo)
{
	stop_requested = signo;
}

void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}
