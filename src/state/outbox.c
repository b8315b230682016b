/*
 * outbox.c — the durable event queue in the state DB (outbox.h): chunk rows
 * written by a run, a paged reader (memory bounded by one chunk and one
 * page, not by the queue), delivery outcomes and retention.  The delivery
 * counters (delivery_stats) follow every insert and status change in the
 * same transaction: the writer adds a chunk's counts before its commit, a
 * page moves its counts with one update per (run, activation, status).
 */
#include <stdlib.h>
#include <string.h>

#include "state/alert_state.h"
#include "state/outbox.h"
#include "state/sdb.h"

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

/* Step a kept statement (sdb_prepare keeps them: the outbox's run once per
 * chunk, page or row) that returns no rows, and reset it: 0 or -1. */
static int step_done(struct sdb_stmt *s)
{
	return sdb_run(s);
}

/* Rows entering the outbox: from_audience and their statuses (n by enum
 * outbox_status).  The counters' row is created when missing. */
static int counts_insert(struct sdb *db, const char *run_id, const char *audience,
			 const char *activation, const int64_t n[4])
{
	struct sdb_stmt *s = sdb_prepare(db,
		"INSERT INTO delivery_stats (run_id, audience, activation, from_audience,"
		" pending, delivered, failed, invalid) VALUES (?1, ?2, ?3, ?8, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (run_id, audience, activation) DO UPDATE SET"
		" from_audience = delivery_stats.from_audience + excluded.from_audience,"
		" pending = delivery_stats.pending + excluded.pending,"
		" delivered = delivery_stats.delivered + excluded.delivered,"
		" failed = delivery_stats.failed + excluded.failed, invalid = delivery_stats.invalid + excluded.invalid");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, run_id, SIZE_MAX);
	sdb_bind_text(s, 2, audience, SIZE_MAX);
	sdb_bind_text(s, 3, activation, SIZE_MAX);
	for (int i = 0; i < 4; i++)
		sdb_bind_int64(s, 4 + i, n[i]);
	sdb_bind_int64(s, 8, n[0] + n[1] + n[2] + n[3]);
	return step_done(s);
}

/* n rows went from status `from` to `to`: move their counts (a run whose
 * counters were pruned has no row to update, as before). */
static int counts_move(struct sdb *db, const char *run_id, const char *audience,
		       const char *activation, enum outbox_status from, enum outbox_status to,
		       int64_t n)
{
	if (from == to || n == 0)
		return 0;
	struct sdb_stmt *s = sdb_prepare(db,
		"UPDATE delivery_stats SET pending = pending + ?4, delivered = delivered + ?5,"
		" failed = failed + ?6, invalid = invalid + ?7"
		" WHERE run_id = ?1 AND audience = ?2 AND activation = ?3");
	if (!s)
		return -1;
	int64_t d[4] = { 0, 0, 0, 0 };
	d[from] -= n;
	d[to] += n;
	sdb_bind_text(s, 1, run_id, SIZE_MAX);
	sdb_bind_text(s, 2, audience, SIZE_MAX);
	sdb_bind_text(s, 3, activation, SIZE_MAX);
	for (int i = 0; i < 4; i++)
		sdb_bind_int64(s, 4 + i, d[i]);
	return step_done(s);
}

/* ---- writing ------------------------------------------------------------------- */

/* Invalid rows written since the last commit, per (run, audience,
 * activation): applied to delivery_stats just before the commit. */
struct tally {
	char *run_id, *audience, *activation;
	int64_t invalid;
};

/* A chunk being gathered: one destination, run, audience and activation. */
struct chunk {
	char *destination, *audience, *activation, *run_id;
	struct strbuf payload, ids;
	int64_t events;
};

struct outbox_writer {
	struct state *st;
	int64_t now;
	bool in_txn;
	bool error;
	/* open chunks (events of several activations may interleave) and the
	 * bytes they hold together: all are written when that reaches
	 * OUTBOX_CHUNK_BYTES, so memory stays bounded */
	struct chunk *chunks;
	size_t nchunks;
	size_t buffered;
	/* invalid rows and stray events in the open transaction */
	struct tally *tally;
	size_t ntally, uncommitted;
};

struct outbox_writer *outbox_writer_new(struct state *st, int64_t now)
{
	struct outbox_writer *w = xcalloc(1, sizeof(*w));
	w->st = st;
	w->now = now;
	return w;
}

static int begin(struct outbox_writer *w)
{
	if (w->in_txn)
		return 0;
	if (state_begin(w->st) < 0)
		return -1;
	w->in_txn = true;
	return 0;
}

static void tally_add(struct outbox_writer *w, const struct outbox_event *ev)
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
		t->run_id = xstrdup(ev->run_id);
		t->audience = xstrdup(ev->audience);
		t->activation = xstrdup(ev->activation);
		t->invalid = 0;
	}
	t->invalid++;
}

static void tally_free(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->ntally; i++) {
		free(w->tally[i].run_id);
		free(w->tally[i].audience);
		free(w->tally[i].activation);
	}
	free(w->tally);
	w->tally = NULL;
	w->ntally = 0;
}

/* Commit the open transaction, the invalid rows' counts first. */
static int commit(struct outbox_writer *w)
{
	if (!w->in_txn)
		return 0;
	for (size_t i = 0; i < w->ntally; i++) {
		struct tally *t = &w->tally[i];
		int64_t n[4] = { 0, 0, 0, t->invalid };
		if (counts_insert(state_sdb(w->st), t->run_id, t->audience, t->activation, n) < 0)
			return -1;
	}
	w->in_txn = false;
	w->uncommitted = 0;
	int rc = state_commit(w->st);
	tally_free(w);
	return rc;
}

static void chunk_free(struct chunk *c)
{
	free(c->destination);
	free(c->audience);
	free(c->activation);
	free(c->run_id);
	sb_release(&c->payload);
	sb_release(&c->ids);
}

/* Write chunk i as one row (its events in another), with its counts, in the
 * open transaction, and forget it. */
static int write_chunk(struct outbox_writer *w, size_t i)
{
	struct chunk *c = &w->chunks[i];
	if (begin(w) < 0)
		return -1;
	struct sdb *db = state_sdb(w->st);
	struct sdb_stmt *s = sdb_prepare(db,
		"INSERT INTO outbox_chunks (destination, audience, activation, run_id, events,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, c->destination, SIZE_MAX);
	sdb_bind_text(s, 2, c->audience, SIZE_MAX);
	sdb_bind_text(s, 3, c->activation, SIZE_MAX);
	sdb_bind_text(s, 4, c->run_id, SIZE_MAX);
	sdb_bind_int64(s, 5, c->events);
	sdb_bind_int64(s, 6, w->now);
	if (sdb_step(s) != SDB_ROW) {
		sdb_reset(s);
		return -1;
	}
	int64_t chunk_id = sdb_column_int64(s, 0);
	if (step_done(s) < 0)
		return -1;
	s = sdb_prepare(db, "INSERT INTO outbox_chunk_events (chunk_id, payload, message_ids)"
		      " VALUES (?1, ?2, ?3)");
	if (!s)
		return -1;
	sdb_bind_int64(s, 1, chunk_id);
	sdb_bind_blob(s, 2, c->payload.buf, c->payload.len);
	sdb_bind_blob(s, 3, c->ids.buf, c->ids.len);
	if (step_done(s) < 0)
		return -1;
	int64_t n[4] = { c->events, 0, 0, 0 };
	if (counts_insert(db, c->run_id, c->audience, c->activation, n) < 0)
		return -1;
	w->buffered -= c->payload.len + c->ids.len;
	/* the buffers stay for the next chunk: fresh 4 MB buffers, grown by
	 * doubling, cost a run more in copies and page faults than SQLite */
	free(c->destination);
	free(c->audience);
	free(c->activation);
	free(c->run_id);
	c->destination = c->audience = c->activation = c->run_id = NULL;
	sb_reset(&c->payload);
	sb_reset(&c->ids);
	c->events = 0;
	return 0;
}

/* Write every open chunk and commit. */
static int flush_all(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->nchunks; i++)
		if (w->chunks[i].events && write_chunk(w, i) < 0)
			return -1;
	return commit(w);
}

/* The open chunk for ev's destination, run and activation, or a new one
 * (in a written chunk's slot, reusing its buffers). */
static struct chunk *chunk_for(struct outbox_writer *w, const struct outbox_event *ev)
{
	struct chunk *c = NULL;
	for (size_t i = w->nchunks; i-- > 0;) {
		struct chunk *k = &w->chunks[i];
		if (!k->events) {
			c = k;
			continue;
		}
		if (strcmp(k->destination, ev->destination) == 0 && strcmp(k->activation, ev->activation) == 0 &&
		    strcmp(k->audience, ev->audience) == 0 && strcmp(k->run_id, ev->run_id) == 0)
			return k;
	}
	if (!c) {
		w->chunks = xrealloc(w->chunks, (w->nchunks + 1) * sizeof(*w->chunks));
		c = &w->chunks[w->nchunks++];
		memset(c, 0, sizeof(*c));
		sb_init(&c->payload);
		sb_init(&c->ids);
	}
	c->destination = xstrdup(ev->destination);
	c->audience = xstrdup(ev->audience);
	c->activation = xstrdup(ev->activation);
	c->run_id = xstrdup(ev->run_id);
	return c;
}

/* An event in a row of its own (status pending or invalid). */
static int insert_row(struct outbox_writer *w, const struct outbox_event *ev,
		      enum outbox_status status, const char *reason)
{
	if (begin(w) < 0)
		return -1;
	struct sdb_stmt *s = sdb_prepare(state_sdb(w->st),
		"INSERT INTO outbox (message_id, destination, audience, activation, run_id,"
		" payload, status, last_error, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
		" ON CONFLICT (message_id) DO NOTHING");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, ev->message_id, SIZE_MAX);
	sdb_bind_text(s, 2, ev->destination, SIZE_MAX);
	sdb_bind_text(s, 3, ev->audience, SIZE_MAX);
	sdb_bind_text(s, 4, ev->activation, SIZE_MAX);
	sdb_bind_text(s, 5, ev->run_id, SIZE_MAX);
	sdb_bind_text(s, 6, ev->payload, ev->len);
	sdb_bind_text(s, 7, outbox_status_name(status), SIZE_MAX);
	if (reason)
		sdb_bind_text(s, 8, reason, SIZE_MAX);
	sdb_bind_int64(s, 9, w->now);
	if (step_done(s) < 0)
		return -1;
	int added = sdb_changes(state_sdb(w->st)) > 0;
	if (added && status == OUTBOX_INVALID) {
		tally_add(w, ev);
	} else if (added) {
		int64_t n[4] = { 1, 0, 0, 0 };
		if (counts_insert(state_sdb(w->st), ev->run_id, ev->audience, ev->activation, n) < 0)
			return -1;
	}
	/* a long run of such rows still commits now and then */
	if (++w->uncommitted >= OUTBOX_CHUNK_EVENTS && commit(w) < 0)
		return -1;
	return added;
}

static int fail(struct outbox_writer *w)
{
	w->error = true;
	if (w->in_txn)
		state_rollback(w->st);
	w->in_txn = false;
	tally_free(w);
	return -1;
}

int outbox_add(struct outbox_writer *w, const struct outbox_event *ev)
{
	if (w->error)
		return -1;
	/* A line is an event: one whose JSON or id holds a newline (no compact
	 * JSON does) gets a row of its own instead. */
	if (memchr(ev->payload, '\n', ev->len) || strchr(ev->message_id, '\n'))
		return insert_row(w, ev, OUTBOX_PENDING, NULL) < 0 ? fail(w) : 0;
	struct chunk *c = chunk_for(w, ev);
	size_t before = c->payload.len + c->ids.len;
	sb_addmem(&c->payload, ev->payload, ev->len);
	sb_addch(&c->payload, '\n');
	sb_addstr(&c->ids, ev->message_id);
	sb_addch(&c->ids, '\n');
	w->buffered += c->payload.len + c->ids.len - before;
	if (++c->events >= OUTBOX_CHUNK_EVENTS) {
		if (write_chunk(w, (size_t)(c - w->chunks)) < 0 || commit(w) < 0)
			return fail(w);
	} else if (w->buffered >= OUTBOX_CHUNK_BYTES && flush_all(w) < 0) {
		return fail(w);
	}
	return 0;
}

int outbox_add_invalid(struct outbox_writer *w, const struct outbox_event *ev, const char *reason)
{
	if (w->error)
		return -1;
	int rc = insert_row(w, ev, OUTBOX_INVALID, reason);
	return rc < 0 ? fail(w) : rc;
}

static void writer_free(struct outbox_writer *w)
{
	for (size_t i = 0; i < w->nchunks; i++)
		chunk_free(&w->chunks[i]);
	free(w->chunks);
	tally_free(w);
	free(w);
}

int outbox_writer_finish(struct outbox_writer *w)
{
	int rc = w->error ? -1 : 0;
	if (rc == 0 && flush_all(w) < 0)
		rc = fail(w);
	if (w->in_txn)
		state_rollback(w->st);
	writer_free(w);
	return rc;
}

void outbox_writer_abort(struct outbox_writer *w)
{
	if (w->in_txn)
		state_rollback(w->st);
	writer_free(w);
}

/* ---- reading ---------------------------------------------------------------------- */

/*
 * Three phases: rows attempted before (failed, or pending after a transient
 * error), rows never tried, each by seq with keyset pagination (re-querying
 * per page lets outcomes update rows between pages); then the chunks by id,
 * one chunk in memory at a time.  A page never mixes rows and chunk events.
 */
enum { PHASE_RETRIED, PHASE_ROWS, PHASE_CHUNKS, PHASE_END };

/* What a row page item needs for its outcome. */
struct row_ref {
	int64_t seq;
	enum outbox_status status;
};

struct outbox_reader {
	struct state *st;
	char *destination;
	char *audience, *activation; /* outbox_reader_only: just theirs (NULL: all) */
	char *delivering;          /* outbox_reader_open_for: the audience whose run delivers */
	char *run_id;              /* outbox_reader_run: that run's events only, or all but them */
	bool run_only;
	int phase;
	int64_t last_seq;          /* rows: the last seq handed out */
	struct outbox_item *items;
	size_t nitems, cap;
	/* a page of rows: the strings (one buffer) and their refs */
	struct strbuf rowbuf;
	struct row_ref *refs;
	/* the current chunk: its copy with '\n' turned into NULs */
	int64_t chunk_id, chunk_events, chunk_next, chunk_created;
	char *chunk_run, *chunk_audience, *chunk_activation;
	char *payload, *ids;
	size_t payload_cap, ids_cap;
	size_t payload_len, ids_len, payload_off, ids_off;
	int64_t page_from;         /* chunk index of the page's first event */
};

struct outbox_reader *outbox_reader_open(struct state *st, const char *destination)
{
	return outbox_reader_open_for(st, destination, NULL);
}

struct outbox_reader *outbox_reader_open_for(struct state *st, const char *destination,
					     const char *audience)
{
	struct outbox_reader *r = xcalloc(1, sizeof(*r));
	r->st = st;
	r->destination = xstrdup(destination);
	r->delivering = audience ? xstrdup(audience) : NULL;
	sb_init(&r->rowbuf);
	r->chunk_id = 0;
	return r;
}

void outbox_reader_only(struct outbox_reader *r, const char *audience, const char *activation)
{
	free(r->audience);
	free(r->activation);
	r->audience = audience ? xstrdup(audience) : NULL;
	r->activation = activation ? xstrdup(activation) : NULL;
}

void outbox_reader_run(struct outbox_reader *r, const char *run_id, bool only)
{
	free(r->run_id);
	r->run_id = xstrdup(run_id);
	r->run_only = only;
}

/* The reader's filters: ?4 and ?5 are outbox_reader_only's (NULL: any).
 * ?6 is the audience whose run delivers (NULL: everyone's events): it may
 * send its own events and those of runs that ended.  Another audience's
 * running run (a --jobs neighbour before its swap, or one that crashed)
 * has not committed its change: its events wait for that audience's run.
 * ?7 and ?8 are outbox_reader_run's: only that run's events, or all but
 * them (NULL: no such filter). */
#define ONLY_THEIRS " AND audience = coalesce(?4, audience) AND activation = coalesce(?5, activation)" \
	" AND (audience = coalesce(?6, audience) OR run_id NOT IN (SELECT id FROM runs WHERE result = 'Running'))" \
	" AND run_id = coalesce(?7, run_id) AND run_id <> coalesce(?8, '')"

static void bind_only(struct outbox_reader *r, struct sdb_stmt *s)
{
	if (r->audience)
		sdb_bind_text(s, 4, r->audience, SIZE_MAX);
	else
		sdb_bind_null(s, 4);
	if (r->activation)
		sdb_bind_text(s, 5, r->activation, SIZE_MAX);
	else
		sdb_bind_null(s, 5);
	if (r->delivering)
		sdb_bind_text(s, 6, r->delivering, SIZE_MAX);
	else
		sdb_bind_null(s, 6);
	for (int i = 7; i <= 8; i++)
		if (r->run_id && r->run_only == (i == 7))
			sdb_bind_text(s, i, r->run_id, SIZE_MAX);
		else
			sdb_bind_null(s, i);
}

static void grow_items(struct outbox_reader *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->cap = n;
	r->items = xrealloc(r->items, n * sizeof(*r->items));
	r->refs = xrealloc(r->refs, n * sizeof(*r->refs));
}

/* Forget the current chunk (its buffers stay for the next one). */
static void drop_chunk(struct outbox_reader *r)
{
	free(r->chunk_run);
	free(r->chunk_audience);
	free(r->chunk_activation);
	r->chunk_run = r->chunk_audience = r->chunk_activation = NULL;
	r->chunk_events = r->chunk_next = 0;
}

/* A copy of blob column i in *buf (capacity *cap), NUL-terminated. */
static size_t copy_blob(struct sdb_stmt *s, int i, char **buf, size_t *cap)
{
	size_t len;
	const void *p = sdb_column_blob(s, i, &len);
	if (len + 1 > *cap) {
		*cap = len + 1;
		*buf = xrealloc(*buf, *cap);
	}
	if (len)
		memcpy(*buf, p, len);
	(*buf)[len] = '\0';
	return len;
}

static char *dup_col(struct sdb_stmt *s, int i)
{
	const char *t = sdb_column_text(s, i);
	return xstrdup(t ? t : "");
}

/* A page of rows of the current phase. 1, 0 (phase empty), -1. */
static int read_rows(struct outbox_reader *r, size_t max_events, size_t max_bytes)
{
	static const char *const sql[2] = {
		"SELECT seq, message_id, payload, status FROM outbox"
		" WHERE destination = ?1 AND status IN ('pending', 'failed') AND attempts > 0"
		" AND seq > ?2" ONLY_THEIRS " ORDER BY seq LIMIT ?3",
		"SELECT seq, message_id, payload, status FROM outbox"
		" WHERE destination = ?1 AND status = 'pending' AND attempts = 0"
		" AND seq > ?2" ONLY_THEIRS " ORDER BY seq LIMIT ?3",
	};
	struct sdb_stmt *s = sdb_prepare(state_sdb(r->st), sql[r->phase]);
	if (!s)
		return -1;
	sdb_bind_text(s, 1, r->destination, SIZE_MAX);
	sdb_bind_int64(s, 2, r->last_seq);
	sdb_bind_int64(s, 3, (int64_t)max_events);
	bind_only(r, s);
	grow_items(r, max_events);
	sb_reset(&r->rowbuf);
	/* offsets first: the buffer may move while it grows */
	size_t *offs = xcalloc(2 * max_events, sizeof(*offs));
	size_t n = 0, bytes = 0;
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		const char *json = sdb_column_text(s, 2);
		size_t len = json ? strlen(json) : 0;
		if (n && bytes + len + 1 > max_bytes)
			break;      /* the rest comes with the next page */
		const char *id = sdb_column_text(s, 1);
		offs[2 * n] = r->rowbuf.len;
		sb_addstr(&r->rowbuf, id ? id : "");
		sb_addch(&r->rowbuf, '\0');
		offs[2 * n + 1] = r->rowbuf.len;
		sb_addmem(&r->rowbuf, json ? json : "", len);
		sb_addch(&r->rowbuf, '\0');
		r->items[n].len = len;
		r->refs[n].seq = sdb_column_int64(s, 0);
		r->refs[n].status = status_from_name(sdb_column_text(s, 3));
		r->last_seq = r->refs[n].seq;
		bytes += len + 1;
		n++;
	}
	sdb_reset(s);
	if (rc != SDB_ROW && rc != SDB_DONE) {
		free(offs);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		r->items[i].message_id = r->rowbuf.buf + offs[2 * i];
		r->items[i].json = r->rowbuf.buf + offs[2 * i + 1];
	}
	free(offs);
	r->nitems = n;
	return n > 0;
}

/* Load the destination's next chunk after the current one. 1, 0 (none), -1. */
static int load_chunk(struct outbox_reader *r)
{
	int64_t after = r->chunk_id;
	drop_chunk(r);
	struct sdb_stmt *s = sdb_prepare(state_sdb(r->st),
		"SELECT id, run_id, audience, activation, events, next, payload, message_ids, created_at"
		" FROM outbox_chunks JOIN outbox_chunk_events ON chunk_id = id"
		" WHERE destination = ?1 AND id > ?2" ONLY_THEIRS " ORDER BY id LIMIT ?3");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, r->destination, SIZE_MAX);
	sdb_bind_int64(s, 2, after);
	sdb_bind_int64(s, 3, 1); /* one chunk; a parameter as ONLY_THEIRS numbers its own 4 to 8 */
	bind_only(r, s);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		r->chunk_id = sdb_column_int64(s, 0);
		r->chunk_run = dup_col(s, 1);
		r->chunk_audience = dup_col(s, 2);
		r->chunk_activation = dup_col(s, 3);
		r->chunk_events = sdb_column_int64(s, 4);
		r->chunk_next = sdb_column_int64(s, 5);
		r->payload_len = copy_blob(s, 6, &r->payload, &r->payload_cap);
		r->ids_len = copy_blob(s, 7, &r->ids, &r->ids_cap);
		r->chunk_created = sdb_column_int64(s, 8);
	}
	sdb_reset(s);
	if (rc != SDB_ROW)
		return rc == SDB_DONE ? 0 : -1;
	/* skip the events before the cursor: lines are events */
	r->payload_off = r->ids_off = 0;
	for (int64_t i = 0; i < r->chunk_next; i++) {
		char *p = memchr(r->payload + r->payload_off, '\n', r->payload_len - r->payload_off);
		char *q = memchr(r->ids + r->ids_off, '\n', r->ids_len - r->ids_off);
		if (!p || !q)
			return -1;
		r->payload_off = (size_t)(p - r->payload) + 1;
		r->ids_off = (size_t)(q - r->ids) + 1;
	}
	return 1;
}

/* A page from the current chunk (which has events left). 1, or -1 when the
 * chunk does not hold as many lines as it says. */
static int read_chunk(struct outbox_reader *r, size_t max_events, size_t max_bytes)
{
	grow_items(r, max_events);
	size_t n = 0, bytes = 0;
	r->page_from = r->chunk_next;
	while (n < max_events && r->chunk_next + (int64_t)n < r->chunk_events) {
		char *json = r->payload + r->payload_off, *id = r->ids + r->ids_off;
		char *p = memchr(json, '\n', r->payload_len - r->payload_off);
		char *q = memchr(id, '\n', r->ids_len - r->ids_off);
		if (!p || !q)
			return -1;
		size_t len = (size_t)(p - json);
		if (n && bytes + len + 1 > max_bytes)
			break;
		*p = *q = '\0';
		r->items[n].message_id = id;
		r->items[n].json = json;
		r->items[n].len = len;
		r->payload_off = (size_t)(p - r->payload) + 1;
		r->ids_off = (size_t)(q - r->ids) + 1;
		bytes += len + 1;
		n++;
	}
	r->nitems = n;
	return 1;
}

int outbox_reader_next(struct outbox_reader *r, size_t max_events, size_t max_bytes,
		       const struct outbox_item **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	/* the page before must have its outcomes first: the chunk cursor only
	 * moves with them */
	if (r->nitems)
		return -1;
	if (max_events == 0)
		max_events = 1;
	while (r->phase != PHASE_END) {
		int rc;
		if (r->phase < PHASE_CHUNKS) {
			rc = read_rows(r, max_events, max_bytes);
			if (rc == 0) {
				r->phase++;
				r->last_seq = 0;
				continue;
			}
		} else {
			if (r->chunk_next >= r->chunk_events) {
				rc = load_chunk(r);
				if (rc == 0) {
					r->phase = PHASE_END;
					continue;
				}
				if (rc < 0)
					return -1;
			}
			rc = read_chunk(r, max_events, max_bytes);
		}
		if (rc < 0)
			return -1;
		*items = r->items;
		*n = r->nitems;
		return 1;
	}
	return 0;
}

/* ---- outcomes ---------------------------------------------------------------------- */

/* The seqs of a page's delivered rows, in one parameter: a JSON array to
 * SQLite, an array literal to PostgreSQL. */
#define SEQS_SQLITE "seq IN (SELECT value FROM json_each(?1))"
#define SEQS_PG "seq = ANY (CAST(?1 AS BIGINT[]))"
#define COUNTS_OF_SEQS(in) \
	"SELECT run_id, audience, activation, status, count(*) FROM outbox" \
	" WHERE " in " AND status <> 'delivered' GROUP BY run_id, audience, activation, status"
#define DELIVER_SEQS(in) \
	"UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL," \
	" updated_at = ?2 WHERE " in

/* Rows of a page: delivered ones together (one grouped count move and one
 * UPDATE), the others one by one with their reasons. */
static int done_rows(struct outbox_reader *r, const enum outbox_status *status,
		     const char *const *reasons, int64_t now)
{
	struct sdb *db = state_sdb(r->st);
	bool pg = sdb_engine(db) == SDB_POSTGRES;
	struct strbuf ids = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < r->nitems && rc == 0; i++) {
		if (status[i] == OUTBOX_DELIVERED) {
			sb_addf(&ids, "%s%lld", ids.len ? "," : pg ? "{" : "[", (long long)r->refs[i].seq);
			continue;
		}
		const char *reason = reasons ? reasons[i] : NULL;
		struct sdb_stmt *q = sdb_prepare(db, "SELECT run_id, audience, activation FROM outbox WHERE seq = ?1");
		struct sdb_stmt *u = q ? sdb_prepare(db,
			"UPDATE outbox SET status = ?2, attempts = attempts + 1, last_error = ?3,"
			" updated_at = ?4 WHERE seq = ?1") : NULL;
		if (!u) {
			rc = -1;
			break;
		}
		sdb_bind_int64(q, 1, r->refs[i].seq);
		if (sdb_step(q) == SDB_ROW &&
		    counts_move(db, sdb_column_text(q, 0),
				sdb_column_text(q, 1), sdb_column_text(q, 2),
				r->refs[i].status, status[i], 1) < 0)
			rc = -1;
		sdb_reset(q);
		sdb_bind_int64(u, 1, r->refs[i].seq);
		sdb_bind_text(u, 2, outbox_status_name(status[i]), SIZE_MAX);
		if (reason)
			sdb_bind_text(u, 3, reason, SIZE_MAX);
		sdb_bind_int64(u, 4, now);
		if (rc == 0 && step_done(u) < 0)
			rc = -1;
		sdb_reset(u);
	}
	if (rc == 0 && ids.len) {
		sb_addch(&ids, pg ? '}' : ']');
		/* the counts move first, from the statuses the rows have now */
		struct sdb_stmt *q = sdb_prepare(db, pg ? COUNTS_OF_SEQS(SEQS_PG) : COUNTS_OF_SEQS(SEQS_SQLITE));
		if (!q) {
			rc = -1;
		} else {
			sdb_bind_text(q, 1, ids.buf, ids.len);
			int s;
			while ((s = sdb_step(q)) == SDB_ROW)
				if (counts_move(db, sdb_column_text(q, 0),
						sdb_column_text(q, 1),
						sdb_column_text(q, 2),
						status_from_name(sdb_column_text(q, 3)),
						OUTBOX_DELIVERED, sdb_column_int64(q, 4)) < 0 ||
				    state_alert_count_delivered(r->st, sdb_column_text(q, 1), r->destination,
								now, sdb_column_int64(q, 4)) < 0)
					break;
			if (s != SDB_DONE)
				rc = -1;
			sdb_reset(q);
		}
		struct sdb_stmt *u = rc == 0 ? sdb_prepare(db, pg ? DELIVER_SEQS(SEQS_PG)
							   : DELIVER_SEQS(SEQS_SQLITE)) : NULL;
		if (!u) {
			rc = -1;
		} else {
			sdb_bind_text(u, 1, ids.buf, ids.len);
			sdb_bind_int64(u, 2, now);
			rc = step_done(u);
		}
	}
	sb_release(&ids);
	return rc;
}

/* Events of a chunk page: the cursor moves past all of them; the ones not
 * delivered get rows of their own (failed, or pending to retry first). */
static int done_chunk(struct outbox_reader *r, const enum outbox_status *status,
		      const char *const *reasons, int64_t now)
{
	struct sdb *db = state_sdb(r->st);
	int64_t delivered = 0, failed = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		if (status[i] == OUTBOX_DELIVERED) {
			delivered++;
			continue;
		}
		/* INVALID is not an outcome of a send: treat it as refused */
		enum outbox_status to = status[i] == OUTBOX_PENDING ? OUTBOX_PENDING : OUTBOX_FAILED;
		const char *reason = reasons ? reasons[i] : NULL;
		struct sdb_stmt *s = sdb_prepare(db,
			"INSERT INTO outbox (message_id, destination, audience, activation, run_id,"
			" payload, status, attempts, last_error, created_at, updated_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10)"
			" ON CONFLICT (message_id) DO NOTHING");
		if (!s)
			return -1;
		const struct outbox_item *it = &r->items[i];
		sdb_bind_text(s, 1, it->message_id, SIZE_MAX);
		sdb_bind_text(s, 2, r->destination, SIZE_MAX);
		sdb_bind_text(s, 3, r->chunk_audience, SIZE_MAX);
		sdb_bind_text(s, 4, r->chunk_activation, SIZE_MAX);
		sdb_bind_text(s, 5, r->chunk_run, SIZE_MAX);
		sdb_bind_text(s, 6, it->json, it->len);
		sdb_bind_text(s, 7, outbox_status_name(to), SIZE_MAX);
		if (reason)
			sdb_bind_text(s, 8, reason, SIZE_MAX);
		sdb_bind_int64(s, 9, r->chunk_created);
		sdb_bind_int64(s, 10, now);
		if (step_done(s) < 0)
			return -1;
		if (to == OUTBOX_FAILED)
			failed++;
	}
	if (counts_move(db, r->chunk_run, r->chunk_audience, r->chunk_activation, OUTBOX_PENDING,
			OUTBOX_DELIVERED, delivered) < 0 ||
	    state_alert_count_delivered(r->st, r->chunk_audience, r->destination, now, delivered) < 0 ||
	    counts_move(db, r->chunk_run, r->chunk_audience, r->chunk_activation, OUTBOX_PENDING,
			OUTBOX_FAILED, failed) < 0)
		return -1;
	int64_t next = r->page_from + (int64_t)r->nitems;
	struct sdb_stmt *s;
	if (next >= r->chunk_events) {
		s = sdb_prepare(db, "DELETE FROM outbox_chunk_events WHERE chunk_id = ?1");
		if (!s)
			return -1;
		sdb_bind_int64(s, 1, r->chunk_id);
		if (step_done(s) < 0)
			return -1;
		s = sdb_prepare(db, "DELETE FROM outbox_chunks WHERE id = ?1");
		if (!s)
			return -1;
		sdb_bind_int64(s, 1, r->chunk_id);
	} else {
		s = sdb_prepare(db, "UPDATE outbox_chunks SET next = ?2, updated_at = ?3 WHERE id = ?1");
		if (!s)
			return -1;
		sdb_bind_int64(s, 1, r->chunk_id);
		sdb_bind_int64(s, 2, next);
		sdb_bind_int64(s, 3, now);
	}
	return step_done(s);
}

int outbox_reader_done(struct outbox_reader *r, const enum outbox_status *status,
		       const char *const *reasons, int64_t now)
{
	if (r->nitems == 0)
		return 0;
	if (state_begin(r->st) < 0)
		return -1;
	int rc = r->phase < PHASE_CHUNKS ? done_rows(r, status, reasons, now)
					 : done_chunk(r, status, reasons, now);
	if (rc < 0) {
		state_rollback(r->st);
		return -1;
	}
	if (state_commit(r->st) < 0)
		return -1;
	/* only now, once it is durable, does the cursor move on */
	if (r->phase == PHASE_CHUNKS)
		r->chunk_next = r->page_from + (int64_t)r->nitems;
	r->nitems = 0;
	return 0;
}

void outbox_reader_close(struct outbox_reader *r)
{
	if (!r)
		return;
	drop_chunk(r);
	free(r->payload);
	free(r->ids);
	sb_release(&r->rowbuf);
	free(r->items);
	free(r->refs);
	free(r->destination);
	free(r->audience);
	free(r->activation);
	free(r->run_id);
	free(r->delivering);
	free(r);
}

/* ---- retention, counts, discarding -------------------------------------------------- */

int64_t outbox_expire(struct state *st, int64_t now, int64_t retention_s)
{
	static const char *const sqls[] = {
		/* Undelivered events become failed first, so the counters say what
		 * happened: their counts move, then their status. */
		"UPDATE delivery_stats SET pending = pending - x.n, failed = failed + x.n"
		" FROM (SELECT run_id, audience, activation, sum(n) AS n FROM ("
		"   SELECT run_id, audience, activation, count(*) AS n FROM outbox"
		"   WHERE status = 'pending' AND created_at < ?1 GROUP BY 1, 2, 3"
		"   UNION ALL SELECT run_id, audience, activation, sum(events - next) FROM outbox_chunks"
		"   WHERE created_at < ?1 GROUP BY 1, 2, 3) AS queued GROUP BY 1, 2, 3) AS x"
		" WHERE delivery_stats.run_id = x.run_id AND delivery_stats.audience = x.audience"
		" AND delivery_stats.activation = x.activation",
		"UPDATE outbox SET status = 'failed',"
		" last_error = 'expired: not delivered within the retention period'"
		" WHERE status = 'pending' AND created_at < ?1",
	};
	struct sdb *db = state_sdb(st);
	int64_t cutoff = now - retention_s;
	if (state_begin(st) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
		struct sdb_stmt *s = sdb_prepare(db, sqls[i]);
		if (!s || sdb_bind_int64(s, 1, cutoff) < 0 || step_done(s) < 0)
			goto fail;
	}
	struct sdb_stmt *s = sdb_prepare(db, "SELECT coalesce(sum(events - next), 0) FROM outbox_chunks"
					 " WHERE created_at < ?1");
	if (!s || sdb_bind_int64(s, 1, cutoff) < 0 || sdb_step(s) != SDB_ROW) {
		sdb_reset(s);
		goto fail;
	}
	int64_t deleted = sdb_column_int64(s, 0);
	sdb_reset(s);
	static const char *const dels[] = {
		"DELETE FROM outbox_chunk_events WHERE chunk_id IN"
		" (SELECT id FROM outbox_chunks WHERE created_at < ?1)",
		"DELETE FROM outbox_chunks WHERE created_at < ?1",
		"DELETE FROM outbox WHERE created_at < ?1",
	};
	for (size_t i = 0; i < ARRAY_LEN(dels); i++) {
		s = sdb_prepare(db, dels[i]);
		if (!s || sdb_bind_int64(s, 1, cutoff) < 0 || step_done(s) < 0)
			goto fail;
	}
	deleted += sdb_changes(db); /* the outbox rows */
	if (state_commit(st) < 0)
		return -1;
	return deleted;
fail:
	state_rollback(st);
	return -1;
}

int64_t outbox_count(struct state *st, const char *destination, enum outbox_status status)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT (SELECT count(*) FROM outbox WHERE destination = ?1 AND status = ?2)"
		" + CASE WHEN ?2 = 'pending' THEN (SELECT coalesce(sum(events - next), 0)"
		"   FROM outbox_chunks WHERE destination = ?1) ELSE 0 END");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, destination, SIZE_MAX);
	sdb_bind_text(s, 2, outbox_status_name(status), SIZE_MAX);
	int64_t n = sdb_step(s) == SDB_ROW ? sdb_column_int64(s, 0) : -1;
	sdb_reset(s);
	return n;
}

int outbox_discard_run(struct state *st, const char *run_id)
{
	static const char *const sqls[] = {
		"DELETE FROM outbox_chunk_events WHERE chunk_id IN"
		" (SELECT id FROM outbox_chunks WHERE run_id = ?1)",
		"DELETE FROM outbox_chunks WHERE run_id = ?1",
		"DELETE FROM outbox WHERE run_id = ?1 AND status IN ('pending', 'invalid')",
		"DELETE FROM delivery_stats WHERE run_id = ?1",
	};
	if (state_begin(st) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
		struct sdb_stmt *s = sdb_prepare(state_sdb(st), sqls[i]);
		if (!s || sdb_bind_text(s, 1, run_id, SIZE_MAX) < 0 || step_done(s) < 0) {
			state_rollback(st);
			return -1;
		}
	}
	return state_commit(st);
}
