/*-------------------------------------------------------------------------
 *
 * src/ascii_word.h
 *	  Matching short ASCII words in text bytes: the HubSpot internal values
 *	  and level names that the rule functions compare case-insensitively.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_ASCII_WORD_H
#define LOOP_ASCII_WORD_H

#include "postgres.h"

static inline bool
IsAsciiSpace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

/* Narrow s[0..*len) to exclude leading and trailing ASCII whitespace. */
static inline void
TrimAsciiSpace(const char **s, size_t *len)
{
	while (*len > 0 && IsAsciiSpace((unsigned char) (*s)[0]))
	{
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && IsAsciiSpace((unsigned char) (*s)[*len - 1]))
		(*len)--;
}

/* Does s[0..len) equal the lower-case ASCII word, ignoring ASCII case? */
static inline bool
EqualsWordNoCase(const char *s, size_t len, const char *word)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (word[i] == '\0' ||
			pg_ascii_tolower((unsigned char) s[i]) != (unsigned char) word[i])
			return false;
	}
	return word[len] == '\0';
}

#endif							/* LOOP_ASCII_WORD_H */
