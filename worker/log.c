/*-------------------------------------------------------------------------
 *
 * worker/log.c
 *	  Leveled logging to stderr for loop-sync.
 *
 *-------------------------------------------------------------------------
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static LogLevel min_level = LOG_INFO;

static const char *const level_names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};

void
log_set_level(LogLevel level)
{
	min_level = level;
}

bool
log_enabled(LogLevel level)
{
	return level >= min_level;
}

void
log_msg(LogLevel level, const char *fmt,...)
{
	va_list		ap;

	if (!log_enabled(level))
		return;
	fprintf(stderr, "loop-sync: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

long long
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
