/*-------------------------------------------------------------------------
 *
 * worker/backoff.h
 *	  Capped exponential backoff with "equal jitter", and the Retry-After
 *	  header parser. Both are pure functions; randomness is passed in.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_BACKOFF_H
#define LOOP_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * Delay before retry number `attempt` (1 = the first retry):
 * d = min(cap_ms, base_ms * 2^(attempt-1)), delay = ceil(d/2) + rnd % (d/2 + 1),
 * so delay lies in [ceil(d/2), d] and is at least 1 ms.
 */
extern long long backoff_delay_ms(int attempt, long base_ms, long cap_ms,
								  uint64_t rnd);

/* A fresh random value for backoff_delay_ms (getrandom, else clock and pid). */
extern uint64_t backoff_random(void);

/*
 * Parse a Retry-After value: delta-seconds or an HTTP-date, relative to the
 * wall-clock time now. Sets *delay_ms (0 for a date in the past) and returns
 * true, or returns false for a malformed value.
 */
extern bool backoff_parse_retry_after(const char *value, time_t now,
									  long long *delay_ms);

#endif							/* LOOP_BACKOFF_H */
