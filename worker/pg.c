/*-------------------------------------------------------------------------
 *
 * worker/pg.c
 *	  libpq wrapper of loop-sync: one connection, one execution path.
 *
 * Queries are sent with PQsendQueryParams and awaited with poll() on the
 * connection's socket, so a stop signal is noticed within 200 ms and the
 * running statement is cancelled (pgcopydb's pgsql_fetch_results pattern).
 *
 *-------------------------------------------------------------------------
 */
#include "pg.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "signals.h"

/* Record a one-line error message (newlines folded) and SQLSTATE. */
static void
set_error(PgConn *pg, const char *sqlstate, const char *msg)
{
	size_t		n;

	snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s", sqlstate ? sqlstate : "");
	snprintf(pg->error, sizeof(pg->error), "%s", msg ? msg : "unknown database error");
	n = strlen(pg->error);
	while (n > 0 && (pg->error[n - 1] == '\n' || pg->error[n - 1] == ' '))
		pg->error[--n] = '\0';
	for (char *p = pg->error; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

/* Take the error of a failed result: primary message, detail, SQLSTATE. */
static void
set_result_error(PgConn *pg, const PGresult *res)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	char		msg[768];

	if (primary == NULL)
	{
		set_error(pg, NULL, PQerrorMessage(pg->conn));
		return;
	}
	snprintf(msg, sizeof(msg), "%s%s%s", primary, detail ? ": " : "", detail ? detail : "");
	set_error(pg, PQresultErrorField(res, PG_DIAG_SQLSTATE), msg);
}

/* Route server notices to the log at DEBUG level. */
static void
notice_processor(void *arg, const char *message)
{
	(void) arg;
	log_debug("server: %.*s", (int) strcspn(message, "\n"), message);
}

bool
pg_connect(PgConn *pg, const char *conninfo)
{
	const char *keys[] = {"dbname", "fallback_application_name", "connect_timeout", NULL};
	const char *vals[] = {conninfo, "loop-sync", "10", NULL};
	PGresult   *res;

	memset(pg, 0, sizeof(*pg));
	/* expand_dbname=1: dbname may be a full conninfo string or URI */
	pg->conn = PQconnectdbParams(keys, vals, 1);
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK)
	{
		set_error(pg, NULL, pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
		return false;
	}
	PQsetNoticeProcessor(pg->conn, notice_processor, NULL);
	res = PQexec(pg->conn, "SELECT pg_catalog.set_config('search_path', '', false)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		set_result_error(pg, res);
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

void
pg_disconnect(PgConn *pg)
{
	if (pg->conn == NULL)
		return;
	if (PQtransactionStatus(pg->conn) == PQTRANS_ACTIVE)
	{
		PGcancel   *cancel = PQgetCancel(pg->conn);
		char		buf[256];

		if (cancel)
		{
			PQcancel(cancel, buf, sizeof(buf));
			PQfreeCancel(cancel);
		}
	}
	PQfinish(pg->conn);
	pg->conn = NULL;
}

/* Cancel the running statement (on a stop signal). */
static void
cancel_query(PgConn *pg)
{
	PGcancel   *cancel = PQgetCancel(pg->conn);
	char		buf[256];

	if (cancel == NULL)
		return;
	if (!PQcancel(cancel, buf, sizeof(buf)))
		log_warn("could not cancel the running query: %s", buf);
	PQfreeCancel(cancel);
}

/*
 * Wait until a result is ready, cancelling once if a stop is requested while
 * waiting. Statements sent after the stop (recording the failure) run to the
 * end.
 */
static bool
wait_result(PgConn *pg)
{
	bool		cancelled = should_stop();

	while (PQisBusy(pg->conn))
	{
		struct pollfd pfd = {.fd = PQsocket(pg->conn), .events = POLLIN};

		if (should_stop() && !cancelled)
		{
			cancel_query(pg);
			cancelled = true;
		}
		if (poll(&pfd, 1, 200) < 0 && !should_stop())
		{
			set_error(pg, NULL, "poll() on the database socket failed");
			return false;
		}
		if (!PQconsumeInput(pg->conn))
		{
			set_error(pg, NULL, PQerrorMessage(pg->conn));
			return false;
		}
	}
	return true;
}

bool
pg_exec(PgConn *pg, const char *sql, int nparams, const char *const *params,
		char *out, size_t outlen)
{
	PGresult   *res;
	bool		ok = true;
	bool		first = true;

	pg->sqlstate[0] = pg->error[0] = '\0';
	if (!PQsendQueryParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0))
	{
		set_error(pg, NULL, PQerrorMessage(pg->conn));
		return false;
	}
	if (!wait_result(pg))
		return false;
	while ((res = PQgetResult(pg->conn)) != NULL)
	{
		ExecStatusType st = PQresultStatus(res);

		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		{
			if (ok)
				set_result_error(pg, res);
			ok = false;
		}
		else if (first && out != NULL)
		{
			const char *v = (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0)
				? PQgetvalue(res, 0, 0) : "";

			snprintf(out, outlen, "%s", v);
		}
		first = false;
		PQclear(res);
		if (!wait_result(pg))
			return false;
	}
	return ok;
}

int
pg_wait_notify(PgConn *pg, int timeout_ms)
{
	struct pollfd pfd = {.fd = PQsocket(pg->conn), .events = POLLIN};
	PGnotify   *n;
	int			count = 0;

	if (pfd.fd < 0 || PQstatus(pg->conn) != CONNECTION_OK)
	{
		set_error(pg, NULL, "the listening connection is closed");
		return -1;
	}
	if (poll(&pfd, 1, timeout_ms) < 0 && !should_stop())
	{
		set_error(pg, NULL, "poll() on the database socket failed");
		return -1;
	}
	if (!PQconsumeInput(pg->conn))
	{
		set_error(pg, NULL, PQerrorMessage(pg->conn));
		return -1;
	}
	while ((n = PQnotifies(pg->conn)) != NULL)
	{
		log_debug("notification on %s: %s", n->relname, n->extra);
		PQfreemem(n);
		count++;
	}
	return count;
}

bool
pg_copy_begin(PgConn *pg, const char *copy_sql)
{
	PGresult   *res;

	pg->sqlstate[0] = pg->error[0] = '\0';
	if (!PQsendQuery(pg->conn, copy_sql) || !wait_result(pg))
	{
		if (pg->error[0] == '\0')
			set_error(pg, NULL, PQerrorMessage(pg->conn));
		return false;
	}
	res = PQgetResult(pg->conn);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		set_result_error(pg, res);
		PQclear(res);
		while ((res = PQgetResult(pg->conn)) != NULL)
			PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

bool
pg_copy_put(PgConn *pg, const char *data, size_t len)
{
	/* Blocking connection: PQputCopyData returns 1 once the data is queued. */
	if (PQputCopyData(pg->conn, data, (int) len) != 1)
	{
		set_error(pg, NULL, PQerrorMessage(pg->conn));
		return false;
	}
	return true;
}

bool
pg_copy_end(PgConn *pg, const char *abort_reason)
{
	PGresult   *res;
	bool		ok = true;

	if (PQputCopyEnd(pg->conn, abort_reason) != 1)
	{
		set_error(pg, NULL, PQerrorMessage(pg->conn));
		return false;
	}
	if (!wait_result(pg))
		return false;
	while ((res = PQgetResult(pg->conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ok)
		{
			set_result_error(pg, res);
			ok = false;
		}
		PQclear(res);
	}
	return ok && abort_reason == NULL;
}
