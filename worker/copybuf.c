/*-------------------------------------------------------------------------
 *
 * worker/copybuf.c
 *	  Rows in COPY text format, in a buffer reused page after page.
 *
 * Text format rules (PostgreSQL docs, COPY "Text Format"): fields separated
 * by a tab, rows by a newline, NULL written as \N, and backslash, tab,
 * newline and carriage return escaped with a backslash.
 *
 *-------------------------------------------------------------------------
 */
#include "copybuf.h"

#include <stdlib.h>
#include <string.h>

/* Make room for n more bytes. */
static bool
reserve(CopyBuf *buf, size_t n)
{
	size_t		want = buf->len + n;
	char	   *p;

	if (buf->oom)
		return false;
	if (want <= buf->cap)
		return true;
	if (buf->cap == 0)
		buf->cap = 64 * 1024;
	while (buf->cap < want)
		buf->cap *= 2;
	p = realloc(buf->data, buf->cap);
	if (p == NULL)
	{
		buf->oom = true;
		return false;
	}
	buf->data = p;
	return true;
}

void
copybuf_reset(CopyBuf *buf)
{
	buf->len = 0;
	buf->row_open = false;
}

void
copybuf_free(CopyBuf *buf)
{
	free(buf->data);
	memset(buf, 0, sizeof(*buf));
}

void
copybuf_field(CopyBuf *buf, const char *value)
{
	size_t		n = value ? strlen(value) : 0;

	/* worst case: every byte escaped, plus separator */
	if (!reserve(buf, 2 * n + 3))
		return;
	if (buf->row_open)
		buf->data[buf->len++] = '\t';
	buf->row_open = true;
	if (value == NULL)
	{
		memcpy(buf->data + buf->len, "\\N", 2);
		buf->len += 2;
		return;
	}
	for (const char *p = value; *p; p++)
	{
		char		c = *p;

		switch (c)
		{
			case '\\':
				buf->data[buf->len++] = '\\';
				buf->data[buf->len++] = '\\';
				break;
			case '\t':
				buf->data[buf->len++] = '\\';
				buf->data[buf->len++] = 't';
				break;
			case '\n':
				buf->data[buf->len++] = '\\';
				buf->data[buf->len++] = 'n';
				break;
			case '\r':
				buf->data[buf->len++] = '\\';
				buf->data[buf->len++] = 'r';
				break;
			default:
				buf->data[buf->len++] = c;
		}
	}
}

void
copybuf_end_row(CopyBuf *buf)
{
	if (!reserve(buf, 1))
		return;
	buf->data[buf->len++] = '\n';
	buf->row_open = false;
}
