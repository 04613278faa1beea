/*-------------------------------------------------------------------------
 *
 * worker/pg.h
 *	  libpq wrapper of loop-sync: one connection, one execution path.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_PG_H
#define LOOP_PG_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

typedef struct PgConn
{
	PGconn	   *conn;
	char		sqlstate[6];	/* of the last error, "" if none or not SQL */
	char		error[768];		/* one-line message of the last error */
} PgConn;

/*
 * Connect with libpq's environment (PGHOST, PGDATABASE, ...) overridden by
 * conninfo when not NULL, then pin an empty search_path (pg_dump's secure
 * pattern). Returns false with pg->error set.
 */
extern bool pg_connect(PgConn *pg, const char *conninfo);
extern void pg_disconnect(PgConn *pg);

/*
 * Run one parameterised statement (text parameters, no interpolation) and
 * copy the first column of the first row into out (NULL -> "", out may be
 * NULL to discard). Waits on the socket so a stop signal cancels the query.
 */
extern bool pg_exec(PgConn *pg, const char *sql, int nparams,
					const char *const *params, char *out, size_t outlen);

/*
 * Wait up to timeout_ms for NOTIFY messages on a connection that LISTENs.
 * Returns the number of notifications received (0 on timeout or when a stop
 * signal arrives), or -1 if the connection failed (pg->error set).
 */
extern int	pg_wait_notify(PgConn *pg, int timeout_ms);

/* COPY ... FROM STDIN: begin, send text-format data, end (abort if errmsg). */
extern bool pg_copy_begin(PgConn *pg, const char *copy_sql);
extern bool pg_copy_put(PgConn *pg, const char *data, size_t len);
extern bool pg_copy_end(PgConn *pg, const char *abort_reason);

#endif							/* LOOP_PG_H */
