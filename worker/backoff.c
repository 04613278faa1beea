/*-------------------------------------------------------------------------
 *
 * worker/backoff.c
 *	  Capped exponential backoff with "equal jitter", and Retry-After.
 *
 * Equal jitter keeps half of the exponential delay and randomizes the other
 * half (AWS Architecture Blog, "Exponential Backoff And Jitter"): a retry
 * never fires at once, and clients that failed together spread out.
 *
 *-------------------------------------------------------------------------
 */
#include "backoff.h"

#include <ctype.h>
#include <curl/curl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Longest Retry-After we represent (a year); anything beyond is clamped. */
#define RETRY_AFTER_MAX_S	(366LL * 24 * 3600)

/* Delay before retry number `attempt`, in [ceil(d/2), d] with d capped. */
long long
backoff_delay_ms(int attempt, long base_ms, long cap_ms, uint64_t rnd)
{
	long long	d = base_ms > 0 ? base_ms : 1;
	long long	cap = cap_ms > 0 ? cap_ms : 1;
	long long	half;

	for (int i = 1; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	half = d / 2;
	return (d - half) + (long long) (rnd % (uint64_t) (half + 1));
}

/* SplitMix64 step: mixes a weak seed into a well-spread value. */
static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* A fresh random value for backoff_delay_ms (getrandom, else clock and pid). */
uint64_t
backoff_random(void)
{
	static uint64_t counter;
	uint64_t	value;
	struct timespec ts;

	if (getrandom(&value, sizeof(value), GRND_NONBLOCK) == (ssize_t) sizeof(value))
		return value;
	clock_gettime(CLOCK_REALTIME, &ts);
	counter++;
	return splitmix64((uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 20) ^
					  ((uint64_t) getpid() << 40) ^ counter);
}

/* Parse delta-seconds or an HTTP-date into *delay_ms; false if malformed. */
bool
backoff_parse_retry_after(const char *value, time_t now, long long *delay_ms)
{
	const char *p = value;
	const char *end;
	long long	seconds = 0;

	if (value == NULL)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char) end[-1]))
		end--;
	if (p == end)
		return false;

	if (isdigit((unsigned char) *p))
	{
		/* delta-seconds: digits only */
		for (const char *q = p; q < end; q++)
		{
			if (!isdigit((unsigned char) *q))
				return false;
			if (seconds < RETRY_AFTER_MAX_S)
				seconds = seconds * 10 + (*q - '0');
		}
	}
	else
	{
		/* HTTP-date: IMF-fixdate, RFC 850 or asctime (curl_getdate reads all three) */
		char		date[64];
		time_t		when;

		if ((size_t) (end - p) >= sizeof(date))
			return false;
		memcpy(date, p, (size_t) (end - p));
		date[end - p] = '\0';
		when = curl_getdate(date, NULL);
		if (when == (time_t) -1)
			return false;
		seconds = when > now ? (long long) (when - now) : 0;
	}
	if (seconds > RETRY_AFTER_MAX_S)
		seconds = RETRY_AFTER_MAX_S;
	*delay_ms = seconds * 1000;
	return true;
}
