/*-------------------------------------------------------------------------
 *
 * test/worker/test_hsvalue.c
 *	  Unit tests of worker/hsvalue.c: HubSpot value forms -> column text.
 *	  Expected values were computed by hand (epoch arithmetic in comments).
 *
 *-------------------------------------------------------------------------
 */
#include "hsvalue.h"

#include <stdio.h>
#include <string.h>

static int	failures = 0;
static int	checks = 0;

typedef HsvResult (*Parser) (const char *, char *, size_t);

static void
check(const char *name, Parser fn, const char *in, HsvResult want, const char *want_out)
{
	char		out[HSV_OUT_MAX] = "";
	HsvResult	got = fn(in, out, sizeof(out));

	checks++;
	if (got != want || (want == HSV_OK && strcmp(out, want_out) != 0))
	{
		failures++;
		fprintf(stderr, "FAIL %s(%s%s%s): got %d \"%s\", want %d \"%s\"\n", name,
				in ? "\"" : "", in ? in : "NULL", in ? "\"" : "", got, out, want,
				want_out ? want_out : "");
	}
}

#define OK(fn, in, out)		check(#fn, fn, in, HSV_OK, out)
#define BAD(fn, in)			check(#fn, fn, in, HSV_INVALID, NULL)
#define NUL(fn, in)			check(#fn, fn, in, HSV_NULL, NULL)

int
main(void)
{
	/* numbers */
	OK(hsv_number, "89", "89");
	OK(hsv_number, " 89.50 ", "89.50");
	OK(hsv_number, "-0.5", "-0.5");
	OK(hsv_number, ".5", ".5");
	OK(hsv_number, "1e3", "1e3");
	OK(hsv_number, "0.200000000000000011102230246251565404236316680908203125"
	   , "0.200000000000000011102230246251565404236316680908203125");
	NUL(hsv_number, NULL);
	NUL(hsv_number, "");
	NUL(hsv_number, "   ");
	BAD(hsv_number, "n/a");
	BAD(hsv_number, "12,5.3");
	BAD(hsv_number, "1,234");
	BAD(hsv_number, "1e");
	BAD(hsv_number, ".");
	BAD(hsv_number, "1e999");		/* not finite */
	BAD(hsv_number, "NaN");
	BAD(hsv_number, "Infinity");
	BAD(hsv_number, "12 EUR");

	/* money: numeric(12,2) holds |v| < 1e10 */
	OK(hsv_money, "9999999999.99", "9999999999.99");
	BAD(hsv_money, "10000000000");
	BAD(hsv_money, "1e10");
	OK(hsv_money, "-150", "-150");

	/* timestamps */
	OK(hsv_timestamp, "2024-09-11T18:21:50.012Z", "2024-09-11 18:21:50.012000+00");
	OK(hsv_timestamp, "2024-09-11T18:21:50Z", "2024-09-11 18:21:50.000000+00");
	OK(hsv_timestamp, "2019-10-30T03:30:17.883+00:00", "2019-10-30 03:30:17.883000+00");
	/* 01:30 at +02:00 is 23:30 UTC the day before */
	OK(hsv_timestamp, "2026-03-01T01:30:00+02:00", "2026-02-28 23:30:00.000000+00");
	OK(hsv_timestamp, "2026-03-01T01:30:00-0130", "2026-03-01 03:00:00.000000+00");
	OK(hsv_timestamp, "2026-03-01 12:00", "2026-03-01 12:00:00.000000+00");
	OK(hsv_timestamp, "2026-02-12", "2026-02-12 00:00:00.000000+00");
	/* 1653696000000 ms = 19140 days = 2022-05-28 (airbyte PR #10576) */
	OK(hsv_timestamp, "1653696000000", "2022-05-28 00:00:00.000000+00");
	/* 1572480000000 ms = 18200 days = 2019-10-31 (HubSpot spec example) */
	OK(hsv_timestamp, "1572480000000", "2019-10-31 00:00:00.000000+00");
	OK(hsv_timestamp, "1579514400000", "2020-01-20 10:00:00.000000+00");
	OK(hsv_timestamp, "0", "1970-01-01 00:00:00.000000+00");
	OK(hsv_timestamp, "-1", "1969-12-31 23:59:59.999000+00");
	OK(hsv_timestamp, "2024-02-29T00:00:00.123456789Z", "2024-02-29 00:00:00.123456+00");
	NUL(hsv_timestamp, "");
	BAD(hsv_timestamp, "2023-02-29");	/* not a leap year */
	BAD(hsv_timestamp, "2026-13-01");
	BAD(hsv_timestamp, "2026-00-10");
	BAD(hsv_timestamp, "2026-01-32");
	BAD(hsv_timestamp, "2026-01-01T24:00:00Z");
	BAD(hsv_timestamp, "2026-01-01T10:60Z");
	BAD(hsv_timestamp, "2026-01-01T10:00:00+15:00");
	BAD(hsv_timestamp, "2026-01-01T10:00:00Zjunk");
	BAD(hsv_timestamp, "2026-1-1");
	BAD(hsv_timestamp, "20260101");
	BAD(hsv_timestamp, "yesterday");
	BAD(hsv_timestamp, "9999999999999999");	/* 16 digits */
	BAD(hsv_timestamp, "0000-01-01");

	/* dates: the UTC calendar day */
	OK(hsv_date, "2026-02-12", "2026-02-12");
	OK(hsv_date, "1653696000000", "2022-05-28");
	OK(hsv_date, "2026-02-12T00:00:00.000Z", "2026-02-12");
	OK(hsv_date, "2026-02-12T23:30:00-01:00", "2026-02-13");
	BAD(hsv_date, "12.02.2026");

	/* ids */
	OK(hsv_id, "57156923994", "57156923994");
	BAD(hsv_id, "12a");
	BAD(hsv_id, "-5");
	BAD(hsv_id, "1234567890123456789");	/* 19 digits may overflow bigint */

	/* subscription status */
	OK(hsv_subscription_status, "Active", "active");
	OK(hsv_subscription_status, "PAUSED", "paused");
	OK(hsv_subscription_status, " cancelled ", "cancelled");
	BAD(hsv_subscription_status, "Aktiv");
	BAD(hsv_subscription_status, "activ");
	NUL(hsv_subscription_status, NULL);

	/* booleans */
	OK(hsv_bool, "true", "t");
	OK(hsv_bool, "FALSE", "f");
	BAD(hsv_bool, "yes");

	printf("test_hsvalue: %d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
