/*
 * fixture.c — building an audience test's SQLite warehouse (fixture.h).
 */
#include <stdlib.h>

#include "sql/sqlbuf.h"
#include "warehouse/fixture.h"

/* The SQLite column type that keeps a value of type t as lac reads it
 * (data/warehouse.sql of the examples: numbers numeric, BOOLEAN 0/1, the
 * rest text). */
static const char *sqlite_type(enum col_type t)
{
	switch (t) {
	case TY_NUMBER:
		return "NUMERIC";
	case TY_BOOLEAN:
		return "INTEGER";
	default:
		return "TEXT";
	}
}

static char *create_table(const struct dialect *d, const struct graph_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	sql_fmt(&sb, d, "CREATE TABLE %T (", t->parts, t->nparts);
	for (size_t i = 0; i < t->ncolumns; i++)
		sql_fmt(&sb, d, "%s%I %s", i ? ", " : "", t->columns[i].name,
			sqlite_type(t->columns[i].type));
	sb_addch(&sb, ')');
	return sb_detach(&sb);
}

static char *insert_row(const struct dialect *d, const struct graph_table *t,
			const struct fixture_row *r)
{
	struct strbuf sb = STRBUF_INIT;
	if (!r->ncells) {
		sql_fmt(&sb, d, "INSERT INTO %T DEFAULT VALUES", t->parts, t->nparts);
		return sb_detach(&sb);
	}
	sql_fmt(&sb, d, "INSERT INTO %T (", t->parts, t->nparts);
	for (size_t i = 0; i < r->ncells; i++)
		sql_fmt(&sb, d, "%s%I", i ? ", " : "", r->cells[i].column);
	sb_addstr(&sb, ") VALUES (");
	for (size_t i = 0; i < r->ncells; i++) {
		if (i)
			sb_addstr(&sb, ", ");
		if (r->cells[i].value)
			sql_fmt(&sb, d, "%L", r->cells[i].value);
		else
			sb_addstr(&sb, "NULL");
	}
	sb_addch(&sb, ')');
	return sb_detach(&sb);
}

/* Run stmts[0..n) in one transaction and free them. */
static int run_batch(struct warehouse *w, char **stmts, size_t n, struct strbuf *err)
{
	int rc = w->ops->exec_batch(w, (const char *const *)stmts, n, true, err);
	for (size_t i = 0; i < n; i++)
		free(stmts[i]);
	free(stmts);
	return rc;
}

static void push_inserts(struct warehouse *w, const struct fixture_table *t, char ***stmts,
			 size_t *n, size_t *cap)
{
	for (size_t r = 0; r < t->nrows; r++)
		VEC_PUSH(*stmts, *n, *cap, insert_row(w->d, t->table, &t->rows[r]));
}

int fixture_write(struct warehouse *w, const struct graph_table *tables, size_t ntables,
		  const struct fixture_table *rows, size_t nrows, struct strbuf *err)
{
	char **stmts = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < ntables; i++)
		VEC_PUSH(stmts, n, cap, create_table(w->d, &tables[i]));
	for (size_t i = 0; i < nrows; i++)
		push_inserts(w, &rows[i], &stmts, &n, &cap);
	return run_batch(w, stmts, n, err);
}

int fixture_replace(struct warehouse *w, const struct fixture_table *rows, size_t nrows,
		    struct strbuf *err)
{
	char **stmts = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < nrows; i++) {
		struct strbuf sb = STRBUF_INIT;
		sql_fmt(&sb, w->d, "DELETE FROM %T", rows[i].table->parts, rows[i].table->nparts);
		VEC_PUSH(stmts, n, cap, sb_detach(&sb));
		push_inserts(w, &rows[i], &stmts, &n, &cap);
	}
	return run_batch(w, stmts, n, err);
}
