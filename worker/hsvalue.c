/*-------------------------------------------------------------------------
 *
 * worker/hsvalue.c
 *	  Parse HubSpot property values into canonical text for typed columns.
 *
 * HubSpot sends every property as a string or null (HUBSPOT.md §8): numbers
 * as decimal text (sometimes with long expansions), datetimes as ISO 8601,
 * and date properties as YYYY-MM-DD, epoch milliseconds or ISO datetimes.
 * Everything is validated here, so a malformed value becomes a counted
 * warning instead of a failed COPY.
 *
 *-------------------------------------------------------------------------
 */
#include "hsvalue.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * The value without surrounding ASCII whitespace, as *start and *len; false
 * for a missing or blank value (HSV_NULL).
 */
static bool
present(const char *in, const char **start, size_t *len)
{
	size_t		n;

	if (in == NULL)
		return false;
	n = strlen(in);
	while (n > 0 && isspace((unsigned char) *in))
		in++, n--;
	while (n > 0 && isspace((unsigned char) in[n - 1]))
		n--;
	*start = in;
	*len = n;
	return n > 0;
}

/* Copy a slice into out if it fits. */
static HsvResult
emit(const char *s, size_t len, char *out, size_t outlen)
{
	if (len + 1 > outlen)
		return HSV_INVALID;
	memcpy(out, s, len);
	out[len] = '\0';
	return HSV_OK;
}

/* Count consecutive digits at s (at most max). */
static size_t
digits(const char *s, size_t max)
{
	size_t		i = 0;

	while (i < max && isdigit((unsigned char) s[i]))
		i++;
	return i;
}

/* Value of exactly n digits at s. */
static int
digits_value(const char *s, size_t n)
{
	int			v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Does s[0..len) match the decimal number grammar? */
static bool
is_decimal(const char *s, size_t len)
{
	size_t		i = 0,
				intpart,
				fracpart = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	intpart = digits(s + i, len - i);
	i += intpart;
	if (i < len && s[i] == '.')
	{
		i++;
		fracpart = digits(s + i, len - i);
		i += fracpart;
	}
	if (intpart + fracpart == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		expdigits;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		expdigits = digits(s + i, len - i);
		if (expdigits == 0)
			return false;
		i += expdigits;
	}
	return i == len;
}

/* Parse a number and check |value| < limit (limit <= 0: any finite value). */
static HsvResult
parse_number(const char *in, double limit, char *out, size_t outlen)
{
	const char *s;
	size_t		len;
	char		buf[HSV_OUT_MAX];
	double		v;

	if (!present(in, &s, &len))
		return HSV_NULL;
	if (len >= sizeof(buf) || !is_decimal(s, len))
		return HSV_INVALID;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, NULL);
	if (errno == ERANGE && v != 0.0)
		return HSV_INVALID;
	if (!isfinite(v) || (limit > 0 && fabs(v) >= limit))
		return HSV_INVALID;
	return emit(s, len, out, outlen);
}

HsvResult
hsv_number(const char *in, char *out, size_t outlen)
{
	return parse_number(in, 0, out, outlen);
}

HsvResult
hsv_money(const char *in, char *out, size_t outlen)
{
	return parse_number(in, 1e10, out, outlen);
}

/* Days in a month of the proleptic Gregorian calendar. */
static int
days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/*
 * Parse any of the three time forms into seconds since the epoch (UTC) plus
 * microseconds. Returns false when the text is not one of them.
 */
static bool
parse_instant(const char *s, size_t len, long long *secs, int *usecs)
{
	struct tm	tm;
	size_t		i;
	int			offset_min = 0;

	memset(&tm, 0, sizeof(tm));
	*usecs = 0;

	/* epoch milliseconds: an optionally negative run of digits */
	i = (len > 0 && s[0] == '-') ? 1 : 0;
	if (len > i && len - i <= 15 && digits(s + i, len - i) == len - i && len - i != 8)
	{
		long long	ms = strtoll(s, NULL, 10);
		long long	q = ms / 1000,
					r = ms % 1000;

		if (r < 0)
			q -= 1, r += 1000;
		*secs = q;
		*usecs = (int) r * 1000;
		return q >= -62135596800LL && q <= 253402300799LL; /* years 1..9999 */
	}

	/* YYYY-MM-DD */
	if (len < 10 || digits(s, 4) != 4 || s[4] != '-' || digits(s + 5, 2) != 2 ||
		s[7] != '-' || digits(s + 8, 2) != 2)
		return false;
	tm.tm_year = digits_value(s, 4) - 1900;
	tm.tm_mon = digits_value(s + 5, 2) - 1;
	tm.tm_mday = digits_value(s + 8, 2);
	if (tm.tm_year + 1900 < 1 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
		tm.tm_mday > days_in_month(tm.tm_year + 1900, tm.tm_mon + 1))
		return false;
	i = 10;

	/* [T ]HH:MM[:SS[.fraction]] */
	if (i < len)
	{
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return false;
		i++;
		if (len - i < 5 || digits(s + i, 2) != 2 || s[i + 2] != ':' || digits(s + i + 3, 2) != 2)
			return false;
		tm.tm_hour = digits_value(s + i, 2);
		tm.tm_min = digits_value(s + i + 3, 2);
		i += 5;
		if (i < len && s[i] == ':')
		{
			if (digits(s + i + 1, len - i - 1) < 2)
				return false;
			tm.tm_sec = digits_value(s + i + 1, 2);
			i += 3;
			if (i < len && (s[i] == '.' || s[i] == ','))
			{
				size_t		n = digits(s + i + 1, len - i - 1);
				int			scale = 100000;

				if (n == 0 || n > 9)
					return false;
				for (size_t k = 0; k < n && k < 6; k++, scale /= 10)
					*usecs += (s[i + 1 + k] - '0') * scale;
				i += 1 + n;
			}
		}
		if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
			return false;

		/* zone: Z, +HH, +HH:MM, +HHMM; none = UTC */
		if (i < len && (s[i] == 'Z' || s[i] == 'z'))
			i++;
		else if (i < len && (s[i] == '+' || s[i] == '-'))
		{
			int			sign = s[i] == '-' ? -1 : 1;
			int			hh,
						mm = 0;

			i++;
			if (digits(s + i, len - i) < 2)
				return false;
			hh = digits_value(s + i, 2);
			i += 2;
			if (i < len && s[i] == ':')
				i++;
			if (i < len)
			{
				if (digits(s + i, len - i) != 2)
					return false;
				mm = digits_value(s + i, 2);
				i += 2;
			}
			if (hh > 14 || mm > 59)
				return false;
			offset_min = sign * (hh * 60 + mm);
		}
	}
	if (i != len)
		return false;
	*secs = (long long) timegm(&tm) - offset_min * 60LL;
	return true;
}

/* Write v as exactly n decimal digits at p; returns p + n. */
static char *
put_digits(char *p, long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char) ('0' + v % 10);
	return p + n;
}

HsvResult
hsv_timestamp(const char *in, char *out, size_t outlen)
{
	const char *s;
	size_t		len;
	long long	secs;
	int			usecs;
	time_t		t;
	struct tm	tm;
	char	   *p = out;

	if (!present(in, &s, &len))
		return HSV_NULL;
	if (!parse_instant(s, len, &secs, &usecs))
		return HSV_INVALID;
	t = (time_t) secs;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999 ||
		outlen < sizeof("YYYY-MM-DD HH:MM:SS.ffffff+00"))
		return HSV_INVALID;
	/* "YYYY-MM-DD HH:MM:SS.ffffff+00", formatted by hand: this runs for
	 * every date of every record */
	p = put_digits(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = ' ';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, usecs, 6);
	memcpy(p, "+00", 4);
	return HSV_OK;
}

HsvResult
hsv_date(const char *in, char *out, size_t outlen)
{
	char		ts[HSV_OUT_MAX];
	HsvResult	r = hsv_timestamp(in, ts, sizeof(ts));

	if (r != HSV_OK)
		return r;
	return emit(ts, 10, out, outlen);
}

HsvResult
hsv_id(const char *in, char *out, size_t outlen)
{
	const char *s;
	size_t		len;

	if (!present(in, &s, &len))
		return HSV_NULL;
	if (len > 18 || digits(s, len) != len)
		return HSV_INVALID;
	return emit(s, len, out, outlen);
}

HsvResult
hsv_subscription_status(const char *in, char *out, size_t outlen)
{
	static const char *const valid[] = {"active", "paused", "cancelled"};
	const char *s;
	size_t		len;

	if (!present(in, &s, &len))
		return HSV_NULL;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (strlen(valid[i]) == len && strncasecmp(s, valid[i], len) == 0)
			return emit(valid[i], len, out, outlen);
	return HSV_INVALID;
}

HsvResult
hsv_bool(const char *in, char *out, size_t outlen)
{
	const char *s;
	size_t		len;

	if (!present(in, &s, &len))
		return HSV_NULL;
	if (len == 4 && strncasecmp(s, "true", 4) == 0)
		return emit("t", 1, out, outlen);
	if (len == 5 && strncasecmp(s, "false", 5) == 0)
		return emit("f", 1, out, outlen);
	return HSV_INVALID;
}
