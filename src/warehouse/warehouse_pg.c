/*
 * warehouse_pg.c — PostgreSQL through libpq.  Every value is read as text;
 * query results are streamed a row at a time (single-row mode).
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse.h"

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
static int pg_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	PGconn *c = w->impl;
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
			if (rc == 0)
				result_error(c, r, err);
			rc = -1;
		}
		PQclear(r);
	}
	free(vals);
	return rc;
}

static bool pg_table_exists(struct warehouse *w, const char *schema, const char *table)
{
	const char *params[2] = { schema, table };
	PGresult *r = PQexecParams(w->impl,
		"SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
		2, NULL, params, NULL, NULL, 0);
	bool found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
	PQclear(r);
	return found;
}

static void pg_close(struct warehouse *w)
{
	PQfinish(w->impl);
}

static const struct warehouse_ops pg_ops = {
	.name = "postgres",
	.query = pg_query,
	.table_exists = pg_table_exists,
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
	w->ops = &pg_ops;
	w->d = &dialect_postgres;
	w->impl = c;
	return 0;
}
