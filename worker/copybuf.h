/*-------------------------------------------------------------------------
 *
 * worker/copybuf.h
 *	  Build rows in COPY text format (tab-separated, \N for NULL, backslash
 *	  escapes) in a growable buffer that is reused page after page.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_COPYBUF_H
#define LOOP_COPYBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct CopyBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		row_open;		/* a field was added since the last row end */
	bool		oom;			/* an allocation failed; the buffer is unusable */
} CopyBuf;

extern void copybuf_reset(CopyBuf *buf);
extern void copybuf_free(CopyBuf *buf);

/* Append one field; NULL value -> \N. */
extern void copybuf_field(CopyBuf *buf, const char *value);
extern void copybuf_end_row(CopyBuf *buf);

#endif							/* LOOP_COPYBUF_H */
