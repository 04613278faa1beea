/*-------------------------------------------------------------------------
 *
 * src/partner_id.c
 *	  New partner ids: AP-YYYYMMDD-XXXXXX.
 *
 * The format is DESIGN.md "Partner id" (seed 001 "Partner ID", glossary
 * seed 002 "partner_id"): "AP-", the registration date as eight digits, "-",
 * and six characters from [A-Z0-9] drawn from pg_strong_random(), the source
 * behind gen_random_uuid() and pgcrypto's gen_random_bytes().
 *
 * Each character is uniform over the 36 symbols: a random byte b is used
 * only when b < 252 (= 7 * 36) and then maps to symbol b % 36; bytes 252..255
 * are rejected and replaced (rejection sampling), because 256 % 36 = 4 would
 * otherwise make four symbols 8/7 as likely as the others.  On average 6.1
 * bytes are consumed per id.
 *
 * 36^6 = 2,176,782,336 ids exist per registration date, so two partners
 * registered on the same day collide with probability about k^2 / 4.4e9 for
 * k registrations that day; the partner_id primary key turns a collision
 * into a unique_violation the caller can retry.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#define PARTNER_ID_SUFFIX_LEN	6
/* "AP-" + 8 + "-" + 6 */
#define PARTNER_ID_LEN			(3 + 8 + 1 + PARTNER_ID_SUFFIX_LEN)

static const char partner_id_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

#define ALPHABET_SIZE	((int) sizeof(partner_id_alphabet) - 1)
/* largest multiple of ALPHABET_SIZE that fits in a byte's 256 values */
#define ACCEPT_LIMIT	(256 - 256 % ALPHABET_SIZE)

/*
 * Fill out[0..n) with symbols uniform over partner_id_alphabet, drawn from
 * pg_strong_random() with rejection sampling (see the file header).
 */
static void
FillRandomSymbols(char *out, int n)
{
	unsigned char buf[16];
	int			filled = 0;

	StaticAssertStmt(ALPHABET_SIZE == 36, "partner id alphabet is [A-Z0-9]");

	while (filled < n)
	{
		size_t		i;

		if (!pg_strong_random(buf, sizeof(buf)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random partner id"),
					 errdetail("pg_strong_random() failed.")));

		for (i = 0; i < sizeof(buf) && filled < n; i++)
		{
			if (buf[i] < ACCEPT_LIMIT)
				out[filled++] = partner_id_alphabet[buf[i] % ALPHABET_SIZE];
		}
	}
}

/*
 * SQL function: loop.new_partner_id(registered date DEFAULT current_date)
 * returns text
 */
PG_FUNCTION_INFO_V1(loop_new_partner_id);
Datum
loop_new_partner_id(PG_FUNCTION_ARGS)
{
	DateADT		registered = PG_GETARG_DATEADT(0);
	int			year;
	int			month;
	int			day;
	char		id[PARTNER_ID_LEN + 1];
	char		suffix[PARTNER_ID_SUFFIX_LEN + 1];

	if (DATE_NOT_FINITE(registered))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("partner id registration date must be finite"),
				 errdetail("The registration date is %s.",
						   DATE_IS_NOBEGIN(registered) ? "-infinity" : "infinity"),
				 errhint("Pass a date between 0001-01-01 and 9999-12-31.")));

	/* j2date() reports 1 BC as year 0, 2 BC as -1, ... */
	j2date(registered + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (year < 1 || year > 9999)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("partner id registration date is out of range"),
				 errdetail("The date part YYYYMMDD holds years 1 to 9999 only; the registration date is %s.",
						   DatumGetCString(DirectFunctionCall1(date_out,
															   DateADTGetDatum(registered)))),
				 errhint("Pass a date between 0001-01-01 and 9999-12-31.")));

	FillRandomSymbols(suffix, PARTNER_ID_SUFFIX_LEN);
	suffix[PARTNER_ID_SUFFIX_LEN] = '\0';

	snprintf(id, sizeof(id), "AP-%04d%02d%02d-%s", year, month, day, suffix);
	Assert(strlen(id) == PARTNER_ID_LEN);

	PG_RETURN_TEXT_P(cstring_to_text(id));
}
