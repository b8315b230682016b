/*
 * warehouse_sqlite.c — the embedded SQLite warehouse.  A statement's
 * timeout and a cancel are both the progress handler's: it interrupts the
 * statement once the deadline passed or a cancel was asked for.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/time.h"
#include "warehouse/warehouse.h"

struct lite {
	sqlite3 *db;
	int64_t timeout_ms;          /* 0: none */
	int64_t deadline_ms;         /* of the statement running now (monotonic clock) */
	bool timed_out;
	volatile sig_atomic_t cancelled;
};

/* How many virtual machine steps go between two looks at the clock. */
#define LITE_PROGRESS_STEPS 10000

static int lite_progress(void *arg)
{
	struct lite *l = arg;
	if (l->cancelled)
		return 1;
	if (l->timeout_ms && time_mono_ms() > l->deadline_ms) {
		l->timed_out = true;
		return 1;
	}
	return 0;
}

/* The error of the statement that just failed, in lac's words when lac
 * interrupted it. */
static void lite_error(struct lite *l, struct strbuf *err)
{
	if (l->timed_out)
		sb_addf(err, "the statement did not finish within the warehouse timeout (%lld ms) and was cancelled",
			(long long)l->timeout_ms);
	else if (l->cancelled)
		sb_addstr(err, "the statement was cancelled");
	else
		sb_addstr(err, sqlite3_errmsg(l->db));
}

static int lite_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		      struct strbuf *err)
{
	struct lite *l = w->impl;
	sqlite3_stmt *st;
	l->deadline_ms = time_mono_ms() + l->timeout_ms;
	l->timed_out = false;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		lite_error(l, err);
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
		lite_error(l, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int lite_table_exists(struct warehouse *w, const char *schema, const char *table,
			     struct strbuf *err)
{
	struct lite *l = w->impl;
	sqlite3_stmt *st;
	(void)schema;
	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		sb_addstr(err, sqlite3_errmsg(l->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	int step = sqlite3_step(st), rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		sb_addstr(err, sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	return rc;
}

/* In-process: asking table by table costs nothing. */
static int lite_tables_exist(struct warehouse *w, const char *schema, const char *const *tables,
			     size_t n, bool *found, struct strbuf *err)
{
	return warehouse_tables_exist_each(w, schema, tables, n, found, err, lite_table_exists);
}

static int lite_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	struct lite *l = w->impl;
	(void)err;
	l->timeout_ms = ms;
	return 0;
}

/* SQLite runs in lac's process: there is nobody to tag statements for. */
static int lite_set_context(struct warehouse *w, const char *command, const char *audience,
			    const char *run_id, struct strbuf *err)
{
	(void)w, (void)command, (void)audience, (void)run_id, (void)err;
	return 0;
}

static bool lite_cancel(struct warehouse *w)
{
	struct lite *l = w->impl;
	l->cancelled = 1;
	return false;
}

static void lite_close(struct warehouse *w)
{
	struct lite *l = w->impl;
	sqlite3_close(l->db);
	free(l);
}

static const struct warehouse_ops sqlite_ops = {
	.name = "sqlite",
	.query = lite_query,
	.exec_batch = warehouse_batch_by_query,
	.tables_exist = lite_tables_exist,
	.set_timeout = lite_set_timeout,
	.set_context = lite_set_context,
	.cancel = lite_cancel,
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
	struct lite *l = xcalloc(1, sizeof(*l));
	l->db = db;
	sqlite3_progress_handler(db, LITE_PROGRESS_STEPS, lite_progress, l);
	w->ops = &sqlite_ops;
	w->d = &dialect_sqlite;
	w->impl = l;
	return 0;
}
