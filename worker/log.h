/*-------------------------------------------------------------------------
 *
 * worker/log.h
 *	  Leveled logging to stderr for loop-sync.
 *
 * Every message is one line: "loop-sync: LEVEL: text". Secrets (the HubSpot
 * token, passwords in a conninfo) must never be passed to these functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_LOG_H
#define LOOP_LOG_H

#include <stdbool.h>

typedef enum LogLevel
{
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR
} LogLevel;

extern void log_set_level(LogLevel level);
extern bool log_enabled(LogLevel level);
extern void log_msg(LogLevel level, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

/* Monotonic clock in milliseconds, for rates, budgets and deadlines. */
extern long long clock_ms(void);

#endif							/* LOOP_LOG_H */
