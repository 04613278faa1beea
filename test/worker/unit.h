/*-------------------------------------------------------------------------
 *
 * test/worker/unit.h
 *	  Counters and an integer check shared by the worker's unit tests.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_TEST_UNIT_H
#define LOOP_TEST_UNIT_H

#include <stdio.h>

static int	failures = 0;
static int	checks = 0;

/* Record one check; print it when it fails. */
static inline void
check(const char *what, long long got, long long want)
{
	checks++;
	if (got != want)
	{
		failures++;
		fprintf(stderr, "FAIL %s: got %lld, want %lld\n", what, got, want);
	}
}

#endif							/* LOOP_TEST_UNIT_H */
