/*
 * outbox.c — the durable event queue in the state DB: chunked idempotent
 * enqueue, a paged cursor (memory bounded by the page, not the queue),
 * delivery outcomes and retention.  The delivery counters (delivery_stats)
 * follow every insert and status change, in the same transaction: the writer
 * adds its chunk's counts before each commit, a delivered page moves its
 * counts with one grouped query, other outcomes one row at a time.  (Schema
 * version 2 did this with per-row SQL triggers; migration 3 dropped them.)
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

/* ---- the delivery counters ------------------------------------------------------ */

/*
 * A statement kept prepared in the connection itself: outbox_mark runs once
 * per delivered event, and compiling its UPDATE each time cost more than
 * running it.  The statement is found again by its SQL text among the
 * connection's statements, so nothing outlives the connection (state_close
 * finalizes what is left) and no pointer can dangle.  Returned reset and
 * without bindings; the caller resets it after use.
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

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Rows entering the outbox: from_audience and their statuses (n by enum
 * outbox_status).  The counters' row is created when missing. */
static int counts_insert(sqlite3 *db, const char *run_id, const char *audience,
			 const char *activation, const int64_t n[4])
{
	sqlite3_stmt *s = kept_stmt(db,
		"INSERT INTO delivery_stats (run_id, audience, activation, from_audience,"
		" pending, delivered, failed, invalid) VALUES (?1, ?2, ?3, ?4 + ?5 + ?6 + ?7, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (run_id, audience, activation) DO UPDATE SET"
		" from_audience = from_audience + excluded.from_audience,"
		" pending = pending + excluded.pending, delivered = delivered + excluded.delivered,"
		" failed = failed + excluded.failed, invalid = invalid + excluded.invalid");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, run_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, activation, -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(s, 4 + i, n[i]);
	return step_done(s);
}

/* n rows went from status `from` to `to`: move their counts (a run whose
 * counters were pruned has no row to update, as before). */
static int counts_move(sqlite3 *db, const char *run_id, const char *audience,
		       const char *activation, enum outbox_status from, enum outbox_status to,
		       int64_t n)
{
	if (from == to || n == 0)
		return 0;
	sqlite3_stmt *s = kept_stmt(db,
		"UPDATE delivery_stats SET pending = pending + ?4, delivered = delivered + ?5,"
		" failed = failed + ?6, invalid = invalid + ?7"
		" WHERE run_id = ?1 AND audience = ?2 AND activation = ?3");
	if (!s)
		return -1;
	int64_t d[4] = { 0, 0, 0, 0 };
	d[from] -= n;
	d[to] += n;
	sqlite3_bind_text(s, 1, run_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, activation, -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(s, 4 + i, d[i]);
	return step_done(s);
}

/* ---- writing ------------------------------------------------------------------- */

/* What the current chunk added, per (run, audience, activation): applied to
 * delivery_stats just before the chunk commits. */
struct tally {
	char *run_id, *audience, *activation;
	int64_t n[4];
};

struct outbox_writer {
	struct state *st;
	sqlite3_stmt *ins;
	int64_t now;
	size_t in_chunk;
	bool in_txn;
	bool error;
	struct tally *tally;
	size_t ntally;
};

static void tally_add(struct outbox_writer *w, const struct outbox_event *ev, enum outbox_status status)
{
	struct tally *t = NULL;
	for (size_t i = w->ntally; i-- > 0;) {
		struct tally *c = &w->tally[i];
		if (strcmp(c->activation, ev->activation) == 0 && strcmp(c->audience, ev->audience) == 0 &&
		    strcmp(c->run_id, ev->run_id) == 0) {
			t = c;
			break;
		}
	}
	if (!t) {
		w->tally = xrealloc(w->tally, (w->ntally + 1) * sizeof(*w->tally));
		t = &w->tally[w->ntally++];
		memset(t, 0, sizeof(*t));
		t->run_id = xstrdup(ev->run_id);
		t->audience = xstrdup(ev->audience);
		t->activation = xstrdup(ev->activation);
	}
	t->n[status]++;
}

/* Before a commit: the chunk's counts into delivery_stats. */
static int tally_apply(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->ntally; i++) {
		struct tally *t = &w->tally[i];
		if (!(t->n[0] | t->n[1] | t->n[2] | t->n[3]))
			continue;
		if (counts_insert(state_db(w->st), t->run_id, t->audience, t->activation, t->n) < 0)
			return -1;
		memset(t->n, 0, sizeof(t->n));
	}
	return 0;
}

/* After a rollback: the chunk's rows are gone, and so are its counts. */
static void tally_reset(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->ntally; i++)
		memset(w->tally[i].n, 0, sizeof(w->tally[i].n));
}

static void tally_free(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->ntally; i++) {
		free(w->tally[i].run_id);
		free(w->tally[i].audience);
		free(w->tally[i].activation);
	}
	free(w->tally);
}

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
	if (added)
		tally_add(w, ev, status);
	if (++w->in_chunk >= OUTBOX_CHUNK) {
		w->in_chunk = 0;
		if (tally_apply(w) < 0)
			goto fail;
		w->in_txn = false;
		if (state_commit(w->st) < 0) {
			tally_reset(w);
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
	tally_reset(w);
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
		if (rc == 0 && tally_apply(w) < 0)
			rc = -1;
		if (rc == 0)
			rc = state_commit(w->st);
		else
			state_rollback(w->st);
	}
	sqlite3_finalize(w->ins);
	tally_free(w);
	free(w);
	return rc;
}

void outbox_writer_abort(struct outbox_writer *w)
{
	if (w->in_txn)
		state_rollback(w->st);
	sqlite3_finalize(w->ins);
	tally_free(w);
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

int outbox_mark(struct state *st, const char *message_id, enum outbox_status status,
		const char *reason, int64_t now)
{
	static const char sql_delivered[] =
		"UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL,"
		" updated_at = ?3 WHERE message_id = ?1";
	static const char sql_other[] =
		"UPDATE outbox SET status = ?2, attempts = attempts + 1, last_error = ?4,"
		" updated_at = ?3 WHERE message_id = ?1";
	sqlite3 *db = state_db(st);
	if (state_begin(st) < 0)
		return -1;
	/* the row's status before, and whose counters it is in */
	sqlite3_stmt *q = kept_stmt(db, "SELECT status, run_id, audience, activation FROM outbox"
				    " WHERE message_id = ?1");
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, message_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	bool found = rc == SQLITE_ROW;
	enum outbox_status old = OUTBOX_PENDING;
	char *run_id = NULL, *audience = NULL, *activation = NULL;
	if (found) {
		old = status_from_name((const char *)sqlite3_column_text(q, 0));
		run_id = dup_col(q, 1);
		audience = dup_col(q, 2);
		activation = dup_col(q, 3);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (!found && rc != SQLITE_DONE)
		goto fail;
	sqlite3_stmt *s = kept_stmt(db, status == OUTBOX_DELIVERED ? sql_delivered : sql_other);
	if (!s)
		goto fail_free;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	if (status != OUTBOX_DELIVERED) {
		sqlite3_bind_text(s, 2, outbox_status_name(status), -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 4);
	}
	sqlite3_bind_int64(s, 3, now);
	if (step_done(s) < 0)
		goto fail_free;
	if (found && counts_move(db, run_id, audience, activation, old, status, 1) < 0)
		goto fail_free;
	free(run_id);
	free(audience);
	free(activation);
	return state_commit(st);
fail_free:
	free(run_id);
	free(audience);
	free(activation);
fail:
	state_rollback(st);
	return -1;
}

int outbox_mark_delivered(struct state *st, const int64_t *seqs, size_t n, int64_t now)
{
	if (n == 0)
		return 0;
	sqlite3 *db = state_db(st);
	struct strbuf ids = STRBUF_INIT;
	sb_addch(&ids, '[');
	for (size_t i = 0; i < n; i++)
		sb_addf(&ids, "%s%lld", i ? "," : "", (long long)seqs[i]);
	sb_addch(&ids, ']');
	if (state_begin(st) < 0) {
		sb_release(&ids);
		return -1;
	}
	/* the counts move first, from the statuses the rows have now */
	sqlite3_stmt *q = kept_stmt(db,
		"SELECT run_id, audience, activation, status, count(*) FROM outbox"
		" WHERE seq IN (SELECT value FROM json_each(?1)) AND status <> 'delivered'"
		" GROUP BY run_id, audience, activation, status");
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, ids.buf, (int)ids.len, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (counts_move(db, (const char *)sqlite3_column_text(q, 0),
				(const char *)sqlite3_column_text(q, 1),
				(const char *)sqlite3_column_text(q, 2),
				status_from_name((const char *)sqlite3_column_text(q, 3)), OUTBOX_DELIVERED,
				sqlite3_column_int64(q, 4)) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_stmt *u = kept_stmt(db,
		"UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL,"
		" updated_at = ?2 WHERE seq IN (SELECT value FROM json_each(?1))");
	if (!u)
		goto fail;
	sqlite3_bind_text(u, 1, ids.buf, (int)ids.len, SQLITE_STATIC);
	sqlite3_bind_int64(u, 2, now);
	if (step_done(u) < 0)
		goto fail;
	sb_release(&ids);
	return state_commit(st);
fail:
	sb_release(&ids);
	state_rollback(st);
	return -1;
}

int64_t outbox_expire(struct state *st, int64_t now, int64_t retention_s)
{
	int64_t cutoff = now - retention_s;
	if (state_begin(st) < 0)
		return -1;
	sqlite3_stmt *s = NULL;
	/* Pending ones become failed first, so the counters say what happened:
	 * their counts move, then their status. */
	if (sqlite3_prepare_v2(state_db(st),
			       "UPDATE delivery_stats SET pending = pending - x.n, failed = failed + x.n"
			       " FROM (SELECT run_id, audience, activation, count(*) AS n FROM outbox"
			       "  WHERE status = 'pending' AND created_at < ?1"
			       "  GROUP BY run_id, audience, activation) AS x"
			       " WHERE delivery_stats.run_id = x.run_id AND delivery_stats.audience = x.audience"
			       " AND delivery_stats.activation = x.activation", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
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
