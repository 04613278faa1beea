/*-------------------------------------------------------------------------
 *
 * worker/hsvalue.h
 *	  Parse HubSpot property values (always JSON strings, HUBSPOT.md §8) into
 *	  text that PostgreSQL's input functions accept for the typed columns.
 *
 * Each parser returns HSV_NULL for a missing or empty value, HSV_OK with the
 * canonical text in out, or HSV_INVALID when the value does not parse (the
 * caller stores NULL, keeps the raw text, and counts a warning).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_HSVALUE_H
#define LOOP_HSVALUE_H

#include <stddef.h>

typedef enum HsvResult
{
	HSV_NULL,
	HSV_OK,
	HSV_INVALID
} HsvResult;

/* Room for any canonical output of these parsers. */
#define HSV_OUT_MAX 64

/* A decimal number: [+-]digits[.digits][e[+-]digits], finite; out = trimmed input. */
extern HsvResult hsv_number(const char *in, char *out, size_t outlen);

/* A number that fits numeric(12,2): a number with |value| < 1e10. */
extern HsvResult hsv_money(const char *in, char *out, size_t outlen);

/*
 * A point in time: ISO 8601 date-time ("2024-09-11T18:21:50.012Z", optional
 * fraction and offset, no offset = UTC), epoch milliseconds ("1653696000000")
 * or a date ("2026-02-12" = midnight UTC). out = "YYYY-MM-DD HH:MM:SS.ffffff+00".
 */
extern HsvResult hsv_timestamp(const char *in, char *out, size_t outlen);

/* A date in any of the three forms above, as its UTC calendar day "YYYY-MM-DD". */
extern HsvResult hsv_date(const char *in, char *out, size_t outlen);

/* A HubSpot record id: 1 to 18 digits. */
extern HsvResult hsv_id(const char *in, char *out, size_t outlen);

/* affiliate_subscription_status: Active|Paused|Cancelled in any case -> lower case. */
extern HsvResult hsv_subscription_status(const char *in, char *out, size_t outlen);

/* A boolean: "true"/"false" in any case. out = "t" or "f". */
extern HsvResult hsv_bool(const char *in, char *out, size_t outlen);

#endif							/* LOOP_HSVALUE_H */
