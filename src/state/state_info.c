/*
 * state_info.c — where a state is, its undelivered events and its locks
 * (state_info.h), for `lac state show`.
 */
#include <stdlib.h>
#include <string.h>

#include "state/state_info.h"

void state_location(struct state *st, struct sdb_location *out)
{
	sdb_location(state_sdb(st), out);
}

char *state_describe(struct state *st)
{
	struct sdb_location w;
	state_location(st, &w);
	if (w.file) {
		/* absolute: the message may be read from another directory */
		char *abs = realpath(w.file, NULL);
		char *s = xasprintf("sqlite file %s", abs ? abs : w.file);
		free(abs);
		return s;
	}
	return xasprintf("postgres schema %s in database %s on %s", w.schema ? w.schema : "?",
			 w.database ? w.database : "?", w.host && *w.host ? w.host : "localhost");
}

/* Step s, handing each row to row(); the callback's non-zero return stops
 * and is returned; -1 on a state error. */
static int each_row(struct sdb_stmt *s, int (*row)(struct sdb_stmt *, void *), void *ctx)
{
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW)
		if ((ret = row(s, ctx)) != 0)
			break;
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}

struct pending_ctx {
	int (*fn)(const struct state_pending *, void *);
	void *ctx;
};

static int pending_row(struct sdb_stmt *s, void *arg)
{
	struct pending_ctx *x = arg;
	struct state_pending p = {
		.audience = sdb_column_text(s, 0),
		.activation = sdb_column_text(s, 1),
		.pending = sdb_column_int64(s, 2),
		.failed = sdb_column_int64(s, 3),
	};
	return x->fn(&p, x->ctx);
}

int state_list_pending(struct state *st, int (*fn)(const struct state_pending *, void *), void *ctx)
{
	/* a chunk's events from its cursor on are queued; rows of their own
	 * wait for a retry (pending) or were refused (failed) */
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT audience, activation, sum(pending), sum(failed) FROM ("
		"  SELECT audience, activation, events - next AS pending, 0 AS failed FROM outbox_chunks"
		"  UNION ALL SELECT audience, activation,"
		"    CASE WHEN status = 'pending' THEN 1 ELSE 0 END, CASE WHEN status = 'failed' THEN 1 ELSE 0 END"
		"  FROM outbox WHERE status IN ('pending', 'failed')"
		") AS undelivered GROUP BY audience, activation ORDER BY audience, activation");
	struct pending_ctx x = { fn, ctx };
	return each_row(s, pending_row, &x);
}
