/*-------------------------------------------------------------------------
 *
 * worker/ratelimit.c
 *	  Sliding-window request budget with an injectable clock.
 *
 * A request at time t is allowed when fewer than `limit` recorded requests
 * lie in (t - window_ms, t]. Request times are kept in a ring buffer whose
 * size is the initial limit, so memory is fixed and every call is O(limit).
 *
 *-------------------------------------------------------------------------
 */
#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

/* Time of the i-th oldest recorded request (0 = oldest). */
static long long
stamp_at(const RateLimit *rl, int i)
{
	return rl->stamps[(rl->head + i) % rl->capacity];
}

/* Index of the oldest recorded request still inside the window at now_ms. */
static int
first_live(const RateLimit *rl, long long now_ms)
{
	int			i = 0;

	while (i < rl->count && stamp_at(rl, i) + rl->window_ms <= now_ms)
		i++;
	return i;
}

/* Set up an empty budget; false on bad arguments or out of memory. */
bool
ratelimit_init(RateLimit *rl, int limit, long window_ms)
{
	memset(rl, 0, sizeof(*rl));
	if (limit < 1 || window_ms < 1)
		return false;
	rl->stamps = calloc((size_t) limit, sizeof(long long));
	if (rl->stamps == NULL)
		return false;
	rl->limit = limit;
	rl->capacity = limit;
	rl->window_ms = window_ms;
	return true;
}

/* Release the memory of ratelimit_init (safe on a zeroed struct). */
void
ratelimit_free(RateLimit *rl)
{
	free(rl->stamps);
	memset(rl, 0, sizeof(*rl));
}

/* Milliseconds to wait from now_ms until one more request fits; 0 = now. */
long long
ratelimit_delay_ms(const RateLimit *rl, long long now_ms)
{
	int			live = first_live(rl, now_ms);
	int			in_window = rl->count - live;
	long long	delay;

	if (in_window < rl->limit)
		return 0;
	/* the request that must leave so that in_window drops below limit */
	delay = stamp_at(rl, live + in_window - rl->limit) + rl->window_ms - now_ms;
	return delay > 0 ? delay : 0;
}

/* Count one request sent at now_ms (callers first wait for delay 0). */
void
ratelimit_record(RateLimit *rl, long long now_ms)
{
	int			live = first_live(rl, now_ms);

	rl->head = (rl->head + live) % rl->capacity;
	rl->count -= live;
	if (rl->count == rl->capacity)
	{
		/* full ring: forget the oldest; only reached if a caller skipped the wait */
		rl->head = (rl->head + 1) % rl->capacity;
		rl->count--;
	}
	rl->stamps[(rl->head + rl->count) % rl->capacity] = now_ms;
	rl->count++;
}

/* Milliseconds until the oldest request in the window leaves it; 0 if none. */
long long
ratelimit_oldest_ms(const RateLimit *rl, long long now_ms)
{
	int			live = first_live(rl, now_ms);

	if (live == rl->count)
		return 0;
	return stamp_at(rl, live) + rl->window_ms - now_ms;
}

/* Lower the limit (never raise it above the initial one); true if changed. */
bool
ratelimit_lower(RateLimit *rl, int limit)
{
	if (limit < 1 || limit >= rl->limit)
		return false;
	rl->limit = limit;
	return true;
}
