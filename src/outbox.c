/*
 * outbox.c — the durable event queue in the state DB: chunked idempotent
 * enqueue, a paged cursor (memory bounded by the page, not the queue),
 * delivery outcomes and retention.  The delivery counters follow the status
 * changes through SQL triggers (state.c, migration 2).
 */
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

static const char *const status_names[] = { "pending", "delivered", "failed", "invalid" };

const char *outbox_status_name(enum outbox_status s)
{
	return (size_t)s < ARRAY_LEN(status_names) ? status_names[s] : "?";
}

static enum outbox_status status_from_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(status_names); i++)
		if (s && strcmp(s, status_names[i]) == 0)
			return (enum outbox_status)i;
	return OUTBOX_FAILED;
}

/* ---- writing ------------------------------------------------------------------- */

struct outbox_writer {
	struct state *st;
	sqlite3_stmt *ins;
	int64_t now;
	size_t in_chunk;
	bool in_txn;
	bool error;
};

struct outbox_writer *outbox_writer_new(struct state *st, int64_t now)
{
	struct outbox_writer *w = xcalloc(1, sizeof(*w));
	w->st = st;
	w->now = now;
	if (sqlite3_prepare_v2(state_db(st),
			       "INSERT INTO outbox (message_id, destination, audience, activation, run_id,"
			       " payload, status, last_error, created_at, updated_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
			       " ON CONFLICT (message_id) DO NOTHING",
			       -1, &w->ins, NULL) != SQLITE_OK)
		w->error = true;
	return w;
}

static int add(struct outbox_writer *w, const struct outbox_event *ev, enum outbox_status status,
	       const char *reason)
{
	sqlite3_stmt *s = w->ins;
	if (w->error)
		return -1;
	if (!w->in_txn) {
		if (state_begin(w->st) < 0)
			goto fail;
		w->in_txn = true;
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, ev->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ev->destination, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ev->audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ev->activation, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ev->run_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, ev->payload, (int)ev->len, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, outbox_status_name(status), -1, SQLITE_STATIC);
	if (reason)
		sqlite3_bind_text(s, 8, reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	sqlite3_bind_int64(s, 9, w->now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	int added = sqlite3_changes(state_db(w->st)) > 0;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (++w->in_chunk >= OUTBOX_CHUNK) {
		w->in_chunk = 0;
		w->in_txn = false;
		if (state_commit(w->st) < 0) {
			w->error = true;
			return -1;
		}
	}
	return added;
fail:
	sqlite3_reset(s);
	w->error = true;
	if (w->in_txn)
		state_rollback(w->st);
	w->in_txn = false;
	return -1;
}

int outbox_add(struct outbox_writer *w, const struct outbox_event *ev)
{
	return add(w, ev, OUTBOX_PENDING, NULL);
}

int outbox_add_invalid(struct outbox_writer *w, const struct outbox_event *ev, const char *reason)
{
	return add(w, ev, OUTBOX_INVALID, reason);
}

int outbox_writer_finish(struct outbox_writer *w)
{
	int rc = w->error ? -1 : 0;
	if (w->in_txn) {
		if (rc == 0)
			rc = state_commit(w->st);
		else
			state_rollback(w->st);
	}
	sqlite3_finalize(w->ins);
	free(w);
	return rc;
}

void outbox_writer_abort(struct outbox_writer *w)
{
	if (w->in_txn)
		state_rollback(w->st);
	sqlite3_finalize(w->ins);
	free(w);
}

/* ---- reading ---------------------------------------------------------------------- */

/*
 * Keyset pagination in two phases: rows already attempted (failed, or
 * pending after a transient error), then rows never tried, each by seq.
 * Re-querying per page (instead of one long SELECT) lets delivery update
 * rows between pages and keeps at most one page in memory.
 */
struct outbox_cursor {
	struct state *st;
	char *destination;
	size_t page;
	int phase;                 /* 0: attempted before, 1: new, 2: done */
	int64_t last_seq;
	struct outbox_row *rows;
	size_t n, next;
};

struct outbox_cursor *outbox_cursor_open(struct state *st, const char *destination, size_t page)
{
	struct outbox_cursor *c = xcalloc(1, sizeof(*c));
	c->st = st;
	c->destination = xstrdup(destination);
	c->page = page ? page : 256;
	c->rows = xcalloc(c->page, sizeof(*c->rows));
	return c;
}

static void clear_rows(struct outbox_cursor *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct outbox_row *r = &c->rows[i];
		free(r->message_id);
		free(r->audience);
		free(r->activation);
		free(r->run_id);
		free(r->payload);
	}
	memset(c->rows, 0, c->page * sizeof(*c->rows));
	c->n = c->next = 0;
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

static int fill(struct outbox_cursor *c)
{
	static const char *const sql[2] = {
		"SELECT seq, message_id, audience, activation, run_id, payload, status, attempts, created_at"
		" FROM outbox WHERE destination = ?1 AND status IN ('pending', 'failed') AND attempts > 0"
		" AND seq > ?2 ORDER BY seq LIMIT ?3",
		"SELECT seq, message_id, audience, activation, run_id, payload, status, attempts, created_at"
		" FROM outbox WHERE destination = ?1 AND status = 'pending' AND attempts = 0"
		" AND seq > ?2 ORDER BY seq LIMIT ?3",
	};
	clear_rows(c);
	while (c->phase < 2) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(state_db(c->st), sql[c->phase], -1, &s, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(s, 1, c->destination, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, c->last_seq);
		sqlite3_bind_int64(s, 3, (int64_t)c->page);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct outbox_row *r = &c->rows[c->n++];
			r->seq = sqlite3_column_int64(s, 0);
			r->message_id = dup_col(s, 1);
			r->audience = dup_col(s, 2);
			r->activation = dup_col(s, 3);
			r->run_id = dup_col(s, 4);
			r->payload = dup_col(s, 5);
			r->len = (size_t)sqlite3_column_bytes(s, 5);
			r->status = status_from_name((const char *)sqlite3_column_text(s, 6));
			r->attempts = sqlite3_column_int(s, 7);
			r->created = sqlite3_column_int64(s, 8);
			c->last_seq = r->seq;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return -1;
		if (c->n)
			return 0;
		c->phase++;
		c->last_seq = 0;
	}
	return 0;
}

const struct outbox_row *outbox_cursor_next(struct outbox_cursor *c, int *err)
{
	*err = 0;
	if (c->next == c->n) {
		if (c->phase >= 2)
			return NULL;
		if (fill(c) < 0) {
			*err = -1;
			return NULL;
		}
		if (c->n == 0)
			return NULL;
	}
	return &c->rows[c->next++];
}

void outbox_cursor_close(struct outbox_cursor *c)
{
	if (!c)
		return;
	clear_rows(c);
	free(c->rows);
	free(c->destination);
	free(c);
}

/* ---- outcomes and retention ------------------------------------------------------------- */

/*
 * A statement kept prepared in the connection itself: outbox_mark runs once
 * per delivered event, and compiling its UPDATE (with the counter trigger)
 * each time cost more than running it.  The statement is found again by its
 * SQL text among the connection's statements, so nothing outlives the
 * connection (state_close finalizes what is left) and no pointer can dangle.
 * Returned reset and without bindings; the caller resets it after use.
 */
static sqlite3_stmt *kept_stmt(sqlite3 *db, const char *sql)
{
	for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s; s = sqlite3_next_stmt(db, s)) {
		const char *t = sqlite3_sql(s);
		if (t && !sqlite3_stmt_busy(s) && strcmp(t, sql) == 0) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return NULL;
	return s;
}

int outbox_mark(struct state *st, const char *message_id, enum outbox_status status,
		const char *reason, int64_t now)
{
	static const char sql_delivered[] =
		"UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL,"
		" updated_at = ?3 WHERE message_id = ?1";
	static const char sql_other[] =
		"UPDATE outbox SET status = ?2, attempts = attempts + 1, last_error = ?4,"
		" updated_at = ?3 WHERE message_id = ?1";
	sqlite3_stmt *s = kept_stmt(state_db(st), status == OUTBOX_DELIVERED ? sql_delivered : sql_other);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	if (status != OUTBOX_DELIVERED) {
		sqlite3_bind_text(s, 2, outbox_status_name(status), -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 4);
	}
	sqlite3_bind_int64(s, 3, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t outbox_expire(struct state *st, int64_t now, int64_t retention_s)
{
	int64_t cutoff = now - retention_s;
	if (state_begin(st) < 0)
		return -1;
	sqlite3_stmt *s = NULL;
	/* Pending ones become failed first, so the counters say what happened. */
	if (sqlite3_prepare_v2(state_db(st),
			       "UPDATE outbox SET status = 'failed',"
			       " last_error = 'expired: not delivered within the retention period'"
			       " WHERE status = 'pending' AND created_at < ?1", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(state_db(st), "DELETE FROM outbox WHERE created_at < ?1",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	int64_t n = sqlite3_changes(state_db(st));
	sqlite3_finalize(s);
	if (state_commit(st) < 0)
		return -1;
	return n;
fail:
	sqlite3_finalize(s);
	state_rollback(st);
	return -1;
}

int64_t outbox_count(struct state *st, const char *destination, enum outbox_status status)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(state_db(st),
			       "SELECT count(*) FROM outbox WHERE destination = ?1 AND status = ?2",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, destination, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, outbox_status_name(status), -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}
