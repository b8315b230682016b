/*
 * warehouse_pg.c — PostgreSQL through libpq.  Every value is read as text.
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse.h"

static void pg_error(PGconn *c, struct strbuf *err)
{
	const char *m = PQerrorMessage(c);
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	sb_addmem(err, m, n);
}

static int pg_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	PGresult *r = PQexec(w->impl, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorMessage(r);
		if (m && *m) {
			size_t n = strlen(m);
			while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
				n--;
			sb_addmem(err, m, n);
		} else {
			pg_error(w->impl, err);
		}
		PQclear(r);
		return -1;
	}
	int ncol = PQnfields(r), nrow = PQntuples(r);
	const char **vals = xcalloc((size_t)ncol + 1, sizeof(*vals));
	for (int i = 0; i < nrow; i++) {
		for (int j = 0; j < ncol; j++)
			vals[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
		if (row && row(arg, ncol, vals))
			break;
	}
	free(vals);
	PQclear(r);
	return 0;
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
