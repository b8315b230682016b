/*
 * warehouse_sqlite.c — the embedded SQLite warehouse.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse.h"

static int lite_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		      struct strbuf *err)
{
	sqlite3 *db = w->impl;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sb_addstr(err, sqlite3_errmsg(db));
		return -1;
	}
	int rc, ncol = sqlite3_column_count(st);
	const char **vals = xcalloc((size_t)ncol + 1, sizeof(*vals));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (row && row(arg, ncol, vals))
			break;
	}
	free(vals);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sb_addstr(err, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static bool lite_table_exists(struct warehouse *w, const char *schema, const char *table)
{
	sqlite3_stmt *st;
	bool found = false;
	if (sqlite3_prepare_v2(w->impl, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static void lite_close(struct warehouse *w)
{
	sqlite3_close(w->impl);
}

static const struct warehouse_ops sqlite_ops = {
	.name = "sqlite",
	.query = lite_query,
	.table_exists = lite_table_exists,
	.close = lite_close,
};

int warehouse_open_sqlite(struct warehouse *w, const char *path, bool readonly, struct strbuf *err)
{
	sqlite3 *db = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	memset(w, 0, sizeof(*w));
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		sb_addf(err, "cannot open the SQLite warehouse '%s': %s", path,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	w->ops = &sqlite_ops;
	w->d = &dialect_sqlite;
	w->impl = db;
	return 0;
}
