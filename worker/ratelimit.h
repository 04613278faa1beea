/*-------------------------------------------------------------------------
 *
 * worker/ratelimit.h
 *	  Sliding-window request budget: at most `limit` requests in any window
 *	  of `window_ms`. The clock is passed in, so the logic is pure and unit
 *	  tested without sleeping.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_RATELIMIT_H
#define LOOP_RATELIMIT_H

#include <stdbool.h>

typedef struct RateLimit
{
	int			limit;			/* requests allowed per window, >= 1 */
	int			capacity;		/* size of stamps[]: the initial limit */
	long		window_ms;		/* window length, >= 1 */
	long long  *stamps;			/* ring of request times, oldest at head */
	int			head;
	int			count;
} RateLimit;

/* Set up an empty budget; false on bad arguments or out of memory. */
extern bool ratelimit_init(RateLimit *rl, int limit, long window_ms);

/* Release the memory of ratelimit_init (safe on a zeroed struct). */
extern void ratelimit_free(RateLimit *rl);

/* Milliseconds to wait from now_ms until one more request fits; 0 = now. */
extern long long ratelimit_delay_ms(const RateLimit *rl, long long now_ms);

/* Count one request sent at now_ms (callers first wait for delay 0). */
extern void ratelimit_record(RateLimit *rl, long long now_ms);

/* Milliseconds until the oldest request in the window leaves it; 0 if none. */
extern long long ratelimit_oldest_ms(const RateLimit *rl, long long now_ms);

/* Lower the limit (never raise it above the initial one); true if changed. */
extern bool ratelimit_lower(RateLimit *rl, int limit);

#endif							/* LOOP_RATELIMIT_H */
