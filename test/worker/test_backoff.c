/*-------------------------------------------------------------------------
 *
 * test/worker/test_backoff.c
 *	  Unit tests of worker/backoff.c: equal-jitter backoff bounds and the
 *	  Retry-After parser (delta-seconds and the three HTTP-date forms).
 *
 *-------------------------------------------------------------------------
 */
#include "backoff.h"

#include <stdint.h>
#include <stdio.h>

#include "unit.h"

/* Check a Retry-After value: ok says whether it parses, want is the delay. */
static void
check_ra(const char *value, time_t now, bool ok, long long want)
{
	long long	got = -1;
	bool		parsed = backoff_parse_retry_after(value, now, &got);

	checks++;
	if (parsed != ok || (ok && got != want))
	{
		failures++;
		fprintf(stderr, "FAIL Retry-After \"%s\": got %d %lld, want %d %lld\n",
				value ? value : "NULL", parsed, got, ok, want);
	}
}

int
main(void)
{
	/* 1994-11-06 08:49:37 UTC, the RFC 9110 example date */
	const time_t date = 784111777;
	uint64_t	r1;
	uint64_t	r2;
	int			same = 0;

	/* bounds: d = min(cap, base*2^(attempt-1)); delay in [ceil(d/2), d] */
	check("attempt 1, rnd 0", backoff_delay_ms(1, 500, 30000, 0), 250);
	check("attempt 1, rnd max", backoff_delay_ms(1, 500, 30000, 250), 500);
	check("attempt 1, rnd wraps", backoff_delay_ms(1, 500, 30000, 251), 250);
	check("attempt 2, rnd 0", backoff_delay_ms(2, 500, 30000, 0), 500);
	check("attempt 3, rnd 7", backoff_delay_ms(3, 500, 30000, 7), 1007);
	check("attempt 7 capped, rnd 0", backoff_delay_ms(7, 500, 30000, 0), 15000);
	check("attempt 7 capped, rnd max", backoff_delay_ms(7, 500, 30000, 15000), 30000);
	check("attempt 1000 capped", backoff_delay_ms(1000, 500, 30000, UINT64_MAX),
		  15000 + (long long) (UINT64_MAX % 15001));
	check("base 1 never 0", backoff_delay_ms(1, 1, 30000, 0), 1);
	check("base 0 never 0", backoff_delay_ms(1, 0, 30000, 12345), 1);
	check("base 3 odd: ceil", backoff_delay_ms(1, 3, 30000, 0), 2);
	check("base above cap", backoff_delay_ms(1, 5000, 1000, 0), 500);
	for (int a = 1; a <= 12; a++)
		for (uint64_t r = 0; r < 2000; r += 97)
		{
			long long	d = backoff_delay_ms(a, 500, 30000, r * 7919);
			long long	full = 500LL << (a - 1) < 30000 ? 500LL << (a - 1) : 30000;

			check("delay within [d/2, d]", d >= full / 2 && d <= full, 1);
		}

	/* the random source differs from call to call */
	for (int i = 0; i < 100; i++)
	{
		r1 = backoff_random();
		r2 = backoff_random();
		same += r1 == r2;
	}
	check("backoff_random values differ", same, 0);

	/* Retry-After: delta-seconds */
	check_ra("2", date, true, 2000);
	check_ra("0", date, true, 0);
	check_ra("  120 \r\n", date, true, 120000);
	check_ra("99999999999999999999999", date, true, 366LL * 24 * 3600 * 1000);
	check_ra("-1", date, false, 0);
	check_ra("1.5", date, false, 0);
	check_ra("2s", date, false, 0);
	check_ra("", date, false, 0);
	check_ra("   ", date, false, 0);
	check_ra(NULL, date, false, 0);
	check_ra("soon", date, false, 0);

	/* Retry-After: HTTP-date in IMF-fixdate, RFC 850 and asctime forms */
	check_ra("Sun, 06 Nov 1994 08:49:37 GMT", date - 10, true, 10000);
	check_ra("Sunday, 06-Nov-94 08:49:37 GMT", date - 10, true, 10000);
	check_ra("Sun Nov  6 08:49:37 1994", date - 10, true, 10000);
	check_ra("Sun, 06 Nov 1994 08:49:37 GMT ", date - 3, true, 3000);
	check_ra("Sun, 06 Nov 1994 08:49:37 GMT", date, true, 0);
	check_ra("Sun, 06 Nov 1994 08:49:37 GMT", date + 60, true, 0);
	check_ra("Sun, 32 Nov 1994 08:49:37 GMT", date, false, 0);
	check_ra("Sun, 06 Foo 1994 08:49:37 GMT", date, false, 0);
	check_ra("Sun, 06 Nov 1994 08:49:37 GMT, and a date far too long to be one", date, false, 0);

	printf("test_backoff: %d checks, %d failures "
		   "(equal-jitter bounds, cap, never 0, random source, Retry-After "
		   "delta-seconds and HTTP-date forms)\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
