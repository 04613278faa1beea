/*-------------------------------------------------------------------------
 *
 * test/worker/test_ratelimit.c
 *	  Unit tests of worker/ratelimit.c: the sliding-window budget, driven by
 *	  a simulated clock (no sleeping).
 *
 *-------------------------------------------------------------------------
 */
#include "ratelimit.h"

#include <stdio.h>

#include "unit.h"

/*
 * Simulate a client that sends n requests as fast as the budget allows,
 * starting at t0, and check that no window of window_ms ever holds more
 * than limit of them. Returns the time of the last request.
 */
static long long
simulate(RateLimit *rl, int n, long long t0, int limit, long window_ms)
{
	long long	sent[1000];
	long long	now = t0;

	for (int i = 0; i < n; i++)
	{
		now += ratelimit_delay_ms(rl, now);
		check("delay after waiting it out", ratelimit_delay_ms(rl, now), 0);
		ratelimit_record(rl, now);
		sent[i] = now;
		if (i >= limit)
			check("no more than limit per window",
				  sent[i] - sent[i - limit] >= window_ms, 1);
	}
	return now;
}

int
main(void)
{
	RateLimit	rl;

	/* bad arguments */
	check("init limit 0", ratelimit_init(&rl, 0, 1000), 0);
	check("init window 0", ratelimit_init(&rl, 5, 0), 0);

	/* 4 per 1000 ms: the fifth request waits for the first to leave */
	check("init 4/1000", ratelimit_init(&rl, 4, 1000), 1);
	check("empty budget", ratelimit_delay_ms(&rl, 0), 0);
	check("oldest of empty", ratelimit_oldest_ms(&rl, 0), 0);
	ratelimit_record(&rl, 0);
	ratelimit_record(&rl, 100);
	ratelimit_record(&rl, 200);
	check("3 of 4 used", ratelimit_delay_ms(&rl, 250), 0);
	ratelimit_record(&rl, 300);
	check("4 of 4 used at 300", ratelimit_delay_ms(&rl, 300), 700);
	check("4 of 4 used at 999", ratelimit_delay_ms(&rl, 999), 1);
	check("first left at 1000", ratelimit_delay_ms(&rl, 1000), 0);
	check("oldest leaves in 700 ms", ratelimit_oldest_ms(&rl, 300), 700);
	ratelimit_record(&rl, 1000);
	check("next waits for t=100 to leave", ratelimit_delay_ms(&rl, 1000), 100);
	check("oldest now t=100", ratelimit_oldest_ms(&rl, 1000), 100);
	check("all expired later", ratelimit_delay_ms(&rl, 5000), 0);
	check("oldest when all expired", ratelimit_oldest_ms(&rl, 5000), 0);

	/* lowering: only down, never to 0, takes effect on stamps already held */
	check("raise refused", ratelimit_lower(&rl, 10), 0);
	check("same refused", ratelimit_lower(&rl, 4), 0);
	check("zero refused", ratelimit_lower(&rl, 0), 0);
	check("lower to 2", ratelimit_lower(&rl, 2), 1);
	check("limit now 2", rl.limit, 2);
	/* stamps 100,200,300,1000 at 1050: all live, 3 must leave (t=300) */
	check("after lowering, 4 live of 2", ratelimit_delay_ms(&rl, 1050), 250);
	/* at 1350 only t=1000 is live: 1 of 2 */
	check("after lowering, 1 of 2 used", ratelimit_delay_ms(&rl, 1350), 0);
	ratelimit_record(&rl, 1350);
	check("after lowering, 2 of 2 used", ratelimit_delay_ms(&rl, 1350), 650);
	ratelimit_free(&rl);

	/* lowering below the requests already in the window */
	check("init 5/1000", ratelimit_init(&rl, 5, 1000), 1);
	for (int i = 0; i < 5; i++)
		ratelimit_record(&rl, i * 10);
	check("lower to 2 with 5 in window", ratelimit_lower(&rl, 2), 1);
	/* 5 live (0..40); 4 must leave: wait until t=30 leaves at 1030 */
	check("wait for 4 to leave", ratelimit_delay_ms(&rl, 40), 990);
	ratelimit_free(&rl);

	/* a full ring keeps working when a caller skips the wait */
	check("init 2/1000", ratelimit_init(&rl, 2, 1000), 1);
	ratelimit_record(&rl, 0);
	ratelimit_record(&rl, 1);
	ratelimit_record(&rl, 2);
	check("overfull ring forgets the oldest", ratelimit_delay_ms(&rl, 2), 999);
	ratelimit_free(&rl);

	/* long simulations: search 4/s, burst 100/10 s, burst 5/1000 ms */
	check("init 4/1000", ratelimit_init(&rl, 4, 1000), 1);
	check("10 requests at 4/s end at 2000 ms",
		  simulate(&rl, 10, 0, 4, 1000), 2000);
	ratelimit_free(&rl);
	check("init 100/10000", ratelimit_init(&rl, 100, 10000), 1);
	check("250 requests at 100/10 s end at 20000 ms",
		  simulate(&rl, 250, 0, 100, 10000), 20000);
	ratelimit_free(&rl);
	check("init 5/1000", ratelimit_init(&rl, 5, 1000), 1);
	check("12 requests at 5/s from t=7 end at 2007 ms",
		  simulate(&rl, 12, 7, 5, 1000), 2007);
	ratelimit_free(&rl);
	ratelimit_free(&rl);		/* twice is harmless */

	printf("test_ratelimit: %d checks, %d failures "
		   "(window counting, delays, lowering, 4/s, 5/s and 100/10 s simulations)\n",
		   checks, failures);
	return failures == 0 ? 0 : 1;
}
