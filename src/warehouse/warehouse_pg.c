/*
 * warehouse_pg.c — PostgreSQL through libpq.  Every value is read as text;
 * query results are streamed a row at a time (single-row mode).  The
 * timeout is the server's statement_timeout; a cancel is PQcancel.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse.h"

struct pg {
	PGconn *c;
	PGcancel *cancel;   /* made once at connect: PQcancel is then signal-safe */
};

/* How often a transaction that lost a serialization conflict is tried again. */
#define PG_SERIALIZATION_TRIES 5

static void pg_error(PGconn *c, struct strbuf *err)
{
	const char *m = PQerrorMessage(c);
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	sb_addmem(err, m, n);
}

static void result_error(PGconn *c, const PGresult *r, struct strbuf *err)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	if (m && *m) {
		size_t n = strlen(m);
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		sb_addmem(err, m, n);
	} else {
		pg_error(c, err);
	}
}

/* Rows are streamed in single-row mode, so memory does not grow with the
 * result.  Every result is read to the end (also after the callback
 * stopped or an error), leaving the connection ready for the next query. */
static int pg_run(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		  struct strbuf *err, char sqlstate[6])
{
	PGconn *c = ((struct pg *)w->impl)->c;
	sqlstate[0] = '\0';
	if (!PQsendQuery(c, sql)) {
		pg_error(c, err);
		return -1;
	}
	PQsetSingleRowMode(c);
	const char **vals = NULL;
	int nvals = -1, rc = 0;
	bool stop = false;
	PGresult *r;
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
			/* one row in single-row mode; the closing TUPLES_OK has none */
			int ncol = PQnfields(r), nrow = PQntuples(r);
			if (ncol > nvals) {
				free(vals);
				vals = xcalloc((size_t)ncol + 1, sizeof(*vals));
				nvals = ncol;
			}
			for (int i = 0; i < nrow && row && !stop && rc == 0; i++) {
				for (int j = 0; j < ncol; j++)
					vals[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
				stop = row(arg, ncol, vals) != 0;
			}
		} else if (st != PGRES_COMMAND_OK) {
			if (rc == 0) {
				result_error(c, r, err);
				const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
				if (code && strlen(code) == 5)
					memcpy(sqlstate, code, 6);
			}
			rc = -1;
		}
		PQclear(r);
	}
	free(vals);
	return rc;
}

static int pg_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	char sqlstate[6];
	return pg_run(w, sql, row, arg, err, sqlstate);
}

/* serialization_failure, deadlock_detected: the transaction may succeed when tried again */
static bool pg_retryable(const char *sqlstate)
{
	return strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0;
}

/* One try of a transactional batch; ROLLBACK after a failure. */
static int pg_batch_once(struct warehouse *w, const char *const *stmts, size_t n,
			 struct strbuf *err, char sqlstate[6])
{
	if (pg_run(w, "BEGIN", NULL, NULL, err, sqlstate) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pg_run(w, stmts[i], NULL, NULL, err, sqlstate) == 0)
			continue;
		char ignored_state[6];
		struct strbuf ignored = STRBUF_INIT;
		pg_run(w, "ROLLBACK", NULL, NULL, &ignored, ignored_state);
		sb_release(&ignored);
		return -1;
	}
	return pg_run(w, "COMMIT", NULL, NULL, err, sqlstate);
}

static int pg_exec_batch(struct warehouse *w, const char *const *stmts, size_t n,
			 bool transactional, struct strbuf *err)
{
	if (!transactional)
		return warehouse_batch_by_query(w, stmts, n, false, err);
	char sqlstate[6];
	for (int tries = 1;; tries++) {
		size_t keep = err->len;
		int rc = pg_batch_once(w, stmts, n, err, sqlstate);
		if (rc == 0 || !pg_retryable(sqlstate) || tries == PG_SERIALIZATION_TRIES)
			return rc;
		sb_setlen(err, keep); /* the conflict is gone with the retry */
	}
}

static int pg_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SET statement_timeout = %lld", (long long)ms);
	return pg_query(w, sql, NULL, NULL, err);
}

/* application_name = "lac <command> <audience> <run>" (pg_stat_activity shows it). */
static int pg_set_context(struct warehouse *w, const char *command, const char *audience,
			  const char *run_id, struct strbuf *err)
{
	PGconn *c = ((struct pg *)w->impl)->c;
	char *tag = warehouse_tag(command, audience, run_id);
	char *lit = PQescapeLiteral(c, tag, strlen(tag));
	free(tag);
	if (!lit) {
		pg_error(c, err);
		return -1;
	}
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SET application_name = %s", lit);
	PQfreemem(lit);
	int rc = pg_query(w, sql.buf, NULL, NULL, err);
	sb_release(&sql);
	return rc;
}

static void pg_cancel(struct warehouse *w)
{
	char errbuf[256]; /* PQcancel's own message buffer; lac is exiting, it is not shown */
	PQcancel(((struct pg *)w->impl)->cancel, errbuf, (int)sizeof(errbuf));
}

static bool pg_table_exists(struct warehouse *w, const char *schema, const char *table)
{
	const char *params[2] = { schema, table };
	PGresult *r = PQexecParams(((struct pg *)w->impl)->c,
		"SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
		2, NULL, params, NULL, NULL, 0);
	bool found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
	PQclear(r);
	return found;
}

static void pg_close(struct warehouse *w)
{
	struct pg *g = w->impl;
	PQfreeCancel(g->cancel);
	PQfinish(g->c);
	free(g);
}

static const struct warehouse_ops pg_ops = {
	.name = "postgres",
	.query = pg_query,
	.exec_batch = pg_exec_batch,
	.table_exists = pg_table_exists,
	.set_timeout = pg_set_timeout,
	.set_context = pg_set_context,
	.cancel = pg_cancel,
	.close = pg_close,
};

int warehouse_open_postgres(struct warehouse *w, const char *dsn, struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	PGconn *c = PQconnectdb(dsn);
	if (PQstatus(c) != CONNECTION_OK) {
		sb_addstr(err, "cannot connect to PostgreSQL: ");
		pg_error(c, err);
		PQfinish(c);
		return -1;
	}
	PQclear(PQexec(c, "SET TIME ZONE 'UTC'"));
	struct pg *g = xcalloc(1, sizeof(*g));
	g->c = c;
	g->cancel = PQgetCancel(c);
	w->ops = &pg_ops;
	w->d = &dialect_postgres;
	w->impl = g;
	return 0;
}
