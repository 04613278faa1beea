/*-------------------------------------------------------------------------
 *
 * src/level.c
 *	  Partner levels, their MRR shares, and a partner's MRR from a deal.
 *
 * One table, level_table[], defines the four levels (DESIGN.md "Level",
 * seed 001 "Partner Levels and MRR", seed 003 "Level-Based Shares"):
 *
 *	level		won deals in the 90-day window		MRR share
 *	beginner	0, and no won deal ever				 0.00 %
 *	starter		1-5 (or 0 after an earlier won deal) 20.00 %
 *	partner		6-10								25.00 %
 *	pro			11 and more							30.00 %
 *
 * Shares are held in hundredths of a percent, so that the percentage
 * (share / 10^2, scale 2) and the factor applied to a deal's MRR
 * (share / 10^4, scale 4) are both exact numerics built without parsing or
 * division.  partner_mrr is then round(deal_mrr * factor, 2): the product of
 * two numerics is exact in PostgreSQL, so the only rounding is the final one,
 * half away from zero as numeric round() does; this equals
 * round(deal_mrr * share / 100, 2) of DESIGN.md "Partner MRR".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "ascii_word.h"

typedef struct LoopLevel
{
	const char *name;			/* SQL-visible level name, lower case */
	int32		min_deals_90d;	/* fewest won deals in the window for it */
	int32		share_centipct; /* MRR share in hundredths of a percent */
} LoopLevel;

/* Ascending by min_deals_90d; beginner is also "never won a deal". */
static const LoopLevel level_table[] = {
	{"beginner", 0, 0},
	{"starter", 1, 2000},
	{"partner", 6, 2500},
	{"pro", 11, 3000},
};

#define LEVEL_BEGINNER	0
#define LEVEL_STARTER	1

/* Lists the valid names for the errhint of an unknown level. */
#define LEVEL_NAMES_HINT "Valid levels are: beginner, starter, partner, pro."

/*
 * The level named by a text, matched case-insensitively with surrounding
 * whitespace ignored; ERROR 22023 with a hint if it names none.
 */
static const LoopLevel *
LookupLevel(text *level)
{
	const char *s = VARDATA_ANY(level);
	size_t		len = VARSIZE_ANY_EXHDR(level);
	size_t		i;

	TrimAsciiSpace(&s, &len);

	for (i = 0; i < lengthof(level_table); i++)
	{
		if (EqualsWordNoCase(s, len, level_table[i].name))
			return &level_table[i];
	}

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown partner level \"%s\"", text_to_cstring(level)),
			 errhint(LEVEL_NAMES_HINT)));
	pg_unreachable();
}

/* ERROR 22023 unless deal_mrr is a finite amount >= 0. */
static inline void
CheckDealMrr(Numeric deal_mrr)
{
	if (numeric_is_nan(deal_mrr) || numeric_is_inf(deal_mrr) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp,
										  NumericGetDatum(deal_mrr),
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid deal MRR"),
				 errdetail("deal_mrr is %s; a deal's MRR must be a finite amount of EUR, zero or more.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(deal_mrr))))));
}

/*
 * SQL function: loop.level_for(won_deals_90d integer, won_deals_ever integer)
 * returns text
 */
PG_FUNCTION_INFO_V1(loop_level_for);
Datum
loop_level_for(PG_FUNCTION_ARGS)
{
	int32		won_90d = PG_GETARG_INT32(0);
	int32		won_ever = PG_GETARG_INT32(1);
	int			i;

	if (won_90d < 0 || won_ever < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("won deal count must not be negative"),
				 won_90d < 0 ?
				 errdetail("won_deals_90d is %d.", won_90d) :
				 errdetail("won_deals_ever is %d.", won_ever)));
	if (won_ever < won_90d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("won_deals_ever must not be less than won_deals_90d"),
				 errdetail("won_deals_90d is %d but won_deals_ever is %d: the 90-day window cannot hold more won deals than were ever won.",
						   won_90d, won_ever)));

	/* the highest level whose threshold the window count reaches */
	for (i = lengthof(level_table) - 1; i > 0; i--)
	{
		if (won_90d >= level_table[i].min_deals_90d)
			break;
	}

	/* an empty window keeps a partner who has won before at starter */
	if (i == LEVEL_BEGINNER && won_ever > 0)
		i = LEVEL_STARTER;

	PG_RETURN_TEXT_P(cstring_to_text(level_table[i].name));
}

/*
 * SQL function: loop.mrr_share_percent(level text) returns numeric
 *
 * The share in percent with scale 2: 20.00 means 20 %.
 */
PG_FUNCTION_INFO_V1(loop_mrr_share_percent);
Datum
loop_mrr_share_percent(PG_FUNCTION_ARGS)
{
	text	   *level = PG_GETARG_TEXT_PP(0);
	const LoopLevel *lvl = LookupLevel(level);

	PG_FREE_IF_COPY(level, 0);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(lvl->share_centipct, 2));
}

/*
 * SQL function: loop.partner_mrr(deal_mrr numeric, level text) returns numeric
 *
 * The partner's monthly share of one deal in EUR, rounded to cents.
 */
PG_FUNCTION_INFO_V1(loop_partner_mrr);
Datum
loop_partner_mrr(PG_FUNCTION_ARGS)
{
	Numeric		deal_mrr = PG_GETARG_NUMERIC(0);
	text	   *level = PG_GETARG_TEXT_PP(1);
	const LoopLevel *lvl;
	Numeric		factor;
	Datum		product;

	CheckDealMrr(deal_mrr);
	lvl = LookupLevel(level);

	/* share / 100 as an exact fraction: 20.00 % -> 0.2000 */
	factor = int64_div_fast_to_numeric(lvl->share_centipct, 4);
	product = DirectFunctionCall2(numeric_mul,
								  NumericGetDatum(deal_mrr),
								  NumericGetDatum(factor));

	PG_FREE_IF_COPY(level, 1);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, product,
										Int32GetDatum(2)));
}
