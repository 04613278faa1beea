/*-------------------------------------------------------------------------
 *
 * src/lead_status.c
 *	  Funnel bucket of a referred lead: won, deal, qualified or new.
 *
 * The rule is DESIGN.md "Lead status" (glossary, seed 002, "Conversion
 * Funnel"): every contact lands in exactly one bucket, checked in this order,
 * case-insensitively and ignoring surrounding whitespace, on HubSpot's
 * internal values:
 *
 *	1. won		 lifecyclestage customer or evangelist
 *	2. deal		 lifecyclestage opportunity
 *	3. qualified lifecyclestage marketingqualifiedlead or salesqualifiedlead,
 *				 or hs_lead_status naming a qualified state (below)
 *	4. new		 everything else: subscriber, lead, other, custom stage ids,
 *				 empty strings and NULLs
 *
 * hs_lead_status is free text in HubSpot portals (the default values are
 * NEW, OPEN, IN_PROGRESS, OPEN_DEAL, UNQUALIFIED, ATTEMPTED_TO_CONTACT,
 * CONNECTED, BAD_TIMING; portals add their own).  It names a qualified state
 * when, split into tokens on every byte that is not an ASCII letter or digit,
 *
 *	- one token is "qualified", and
 *	- no token is a negation: "not", "non", "unqualified" or "disqualified".
 *
 * So QUALIFIED, SALES_QUALIFIED and "Qualified lead" qualify; UNQUALIFIED and
 * DISQUALIFIED (no "qualified" token), NOT_QUALIFIED, NOT-QUALIFIED and
 * NON_QUALIFIED (a negation token) do not.  Bytes with the high bit set are
 * part of a token, so a multibyte letter never splits a word; every server
 * encoding is ASCII-safe, so this reading is valid in all of them.
 *
 * Both inputs are scanned in place, once, without allocation (beyond the
 * detoasting of a compressed or out-of-line value); any length is handled.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "ascii_word.h"

/* The four buckets, in the order they are checked. */
typedef enum LeadStatus
{
	LEAD_WON,
	LEAD_DEAL,
	LEAD_QUALIFIED,
	LEAD_NEW
} LeadStatus;

static const char *const lead_status_names[] = {
	[LEAD_WON] = "won",
	[LEAD_DEAL] = "deal",
	[LEAD_QUALIFIED] = "qualified",
	[LEAD_NEW] = "new",
};

/* lifecyclestage internal values that decide a bucket; all others are new */
typedef struct LifecycleRule
{
	const char *stage;
	LeadStatus	status;
} LifecycleRule;

static const LifecycleRule lifecycle_rules[] = {
	{"customer", LEAD_WON},
	{"evangelist", LEAD_WON},
	{"opportunity", LEAD_DEAL},
	{"marketingqualifiedlead", LEAD_QUALIFIED},
	{"salesqualifiedlead", LEAD_QUALIFIED},
};

/* hs_lead_status tokens that cancel a "qualified" token */
static const char *const negation_tokens[] = {
	"not", "non", "unqualified", "disqualified",
};

/* Letters, digits and non-ASCII bytes form tokens; the rest separates them. */
static inline bool
IsTokenByte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || IS_HIGHBIT_SET(c);
}

/* Bucket decided by lifecyclestage alone: won, deal, qualified or new. */
static LeadStatus
LifecycleStatus(const char *s, size_t len)
{
	size_t		i;

	TrimAsciiSpace(&s, &len);

	for (i = 0; i < lengthof(lifecycle_rules); i++)
	{
		if (EqualsWordNoCase(s, len, lifecycle_rules[i].stage))
			return lifecycle_rules[i].status;
	}
	return LEAD_NEW;
}

/* Does hs_lead_status name a qualified state (see the file header)? */
static bool
LeadStatusIsQualified(const char *s, size_t len)
{
	bool		qualified = false;
	size_t		pos = 0;

	while (pos < len)
	{
		size_t		start;
		size_t		toklen;
		size_t		i;

		while (pos < len && !IsTokenByte((unsigned char) s[pos]))
			pos++;
		start = pos;
		while (pos < len && IsTokenByte((unsigned char) s[pos]))
			pos++;
		toklen = pos - start;
		if (toklen == 0)
			break;

		if (EqualsWordNoCase(s + start, toklen, "qualified"))
			qualified = true;
		for (i = 0; i < lengthof(negation_tokens); i++)
		{
			if (EqualsWordNoCase(s + start, toklen, negation_tokens[i]))
				return false;
		}
	}
	return qualified;
}

/*
 * SQL function: loop.lead_status(lifecyclestage text, hs_lead_status text)
 * returns text
 *
 * Not strict: a NULL argument reads as "no value", so (NULL, NULL) is new.
 */
PG_FUNCTION_INFO_V1(loop_lead_status);
Datum
loop_lead_status(PG_FUNCTION_ARGS)
{
	LeadStatus	status = LEAD_NEW;

	if (!PG_ARGISNULL(0))
	{
		text	   *stage = PG_GETARG_TEXT_PP(0);

		status = LifecycleStatus(VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage));
		PG_FREE_IF_COPY(stage, 0);
	}

	if (status == LEAD_NEW && !PG_ARGISNULL(1))
	{
		text	   *lead_status = PG_GETARG_TEXT_PP(1);

		if (LeadStatusIsQualified(VARDATA_ANY(lead_status),
								  VARSIZE_ANY_EXHDR(lead_status)))
			status = LEAD_QUALIFIED;
		PG_FREE_IF_COPY(lead_status, 1);
	}

	PG_RETURN_TEXT_P(cstring_to_text(lead_status_names[status]));
}
