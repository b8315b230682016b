/*
 * outbox_admin.c — listing and giving up an audience's queued events
 * (outbox_admin.h).  The events live in two places (outbox.h): rows of
 * their own (tried before, or invalid) and the chunks runs wrote, whose
 * events past the cursor `next` are pending and were never tried.
 */
#include <stdlib.h>
#include <string.h>

#include "state/outbox_admin.h"
#include "state/sdb.h"
#include "state/state_private.h"

/* A limit that is none: SQLite's LIMIT -1 is an error to PostgreSQL. */
#define NO_LIMIT INT64_MAX

static void bind_or_null(struct sdb_stmt *s, int i, const char *v)
{
	if (v)
		sdb_bind_text(s, i, v, SIZE_MAX);
	else
		sdb_bind_null(s, i);
}

/* ---- chunks ---------------------------------------------------------------------- */

/* A chunk of the audience with events left. */
struct chunk_ref {
	int64_t id, events, next, created;
	char *destination, *activation, *run_id;
};

static void chunks_free(struct chunk_ref *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].destination);
		free(c[i].activation);
		free(c[i].run_id);
	}
	free(c);
}

static char *dup_text(struct sdb_stmt *s, int i)
{
	const char *t = sdb_column_text(s, i);
	return xstrdup(t ? t : "");
}

/* The audience's chunks (of activation unless NULL), in queue order.
 * Gathered before any is read or changed: a statement stays open over
 * no write.  0 or -1. */
static int audience_chunks(struct sdb *db, const char *audience, const char *activation,
			   struct chunk_ref **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = sdb_prepare(db,
		"SELECT id, events, next, created_at, destination, activation, run_id FROM outbox_chunks"
		" WHERE audience = ?1 AND activation = coalesce(?2, activation) ORDER BY id");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	bind_or_null(s, 2, activation);
	size_t cap = 0;
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct chunk_ref c = {
			.id = sdb_column_int64(s, 0), .events = sdb_column_int64(s, 1),
			.next = sdb_column_int64(s, 2), .created = sdb_column_int64(s, 3),
			.destination = dup_text(s, 4), .activation = dup_text(s, 5), .run_id = dup_text(s, 6),
		};
		VEC_PUSH(*out, *n, cap, c);
	}
	sdb_reset(s);
	if (rc != SDB_DONE) {
		chunks_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* A chunk's events: payload lines and messageId lines, as stored. */
struct chunk_lines {
	char *payload, *ids;
	size_t payload_len, ids_len;
};

static char *copy_blob(struct sdb_stmt *s, int i, size_t *len)
{
	const void *p = sdb_column_blob(s, i, len);
	char *b = xmalloc(*len + 1);
	if (*len)
		memcpy(b, p, *len);
	b[*len] = '\0';
	return b;
}

static int chunk_load(struct sdb *db, int64_t id, struct chunk_lines *out)
{
	memset(out, 0, sizeof(*out));
	struct sdb_stmt *s = sdb_prepare(db, "SELECT payload, message_ids FROM outbox_chunk_events"
				      " WHERE chunk_id = ?1");
	if (!s)
		return -1;
	sdb_bind_int64(s, 1, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		out->payload = copy_blob(s, 0, &out->payload_len);
		out->ids = copy_blob(s, 1, &out->ids_len);
	}
	sdb_reset(s);
	return rc == SDB_ROW ? 0 : -1;
}

static void chunk_lines_free(struct chunk_lines *l)
{
	free(l->payload);
	free(l->ids);
}

/* The k-th line of buf (0-based) at *start, its length in *len: 0, or -1
 * when buf has fewer lines. */
static int nth_line(const char *buf, size_t len, int64_t k, size_t *start, size_t *llen)
{
	size_t off = 0;
	for (int64_t i = 0;; i++) {
		const char *nl = off < len ? memchr(buf + off, '\n', len - off) : NULL;
		if (!nl)
			return -1;
		if (i == k) {
			*start = off;
			*llen = (size_t)(nl - (buf + off));
			return 0;
		}
		off = (size_t)(nl - buf) + 1;
	}
}

/* ---- listing ----------------------------------------------------------------------- */

int outbox_list(struct state *st, const char *audience, const char *activation, const char *status,
		int64_t limit, int (*fn)(const struct outbox_listed *, void *), void *arg)
{
	struct sdb *db = state_sdb(st);
	int64_t left = limit > 0 ? limit : NO_LIMIT;
	struct sdb_stmt *s = sdb_prepare(db,
		"SELECT message_id, status, destination, activation, run_id, last_error, attempts, created_at"
		" FROM outbox WHERE audience = ?1 AND activation = coalesce(?2, activation)"
		" AND status = coalesce(?3, status) AND status <> 'delivered' ORDER BY seq LIMIT ?4");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	bind_or_null(s, 2, activation);
	bind_or_null(s, 3, status);
	sdb_bind_int64(s, 4, left);
	int rc, stop = 0;
	while (!stop && (rc = sdb_step(s)) == SDB_ROW) {
		struct outbox_listed o = {
			.message_id = sdb_column_text(s, 0), .status = sdb_column_text(s, 1),
			.destination = sdb_column_text(s, 2), .activation = sdb_column_text(s, 3),
			.run_id = sdb_column_text(s, 4), .last_error = sdb_column_text(s, 5),
			.attempts = sdb_column_int64(s, 6), .created_at = sdb_column_int64(s, 7),
		};
		left--;
		stop = fn(&o, arg);
	}
	sdb_reset(s);
	if (stop)
		return 0;
	if (rc != SDB_DONE)
		return -1;
	if (status && strcmp(status, "pending") != 0)
		return 0;
	struct chunk_ref *chunks;
	size_t n;
	if (audience_chunks(db, audience, activation, &chunks, &n) < 0)
		return -1;
	int ret = 0;
	for (size_t i = 0; i < n && left > 0 && !stop && ret == 0; i++) {
		struct chunk_lines l;
		if (chunk_load(db, chunks[i].id, &l) < 0) {
			ret = -1;
			break;
		}
		for (int64_t k = chunks[i].next; k < chunks[i].events && left > 0 && !stop; k++) {
			size_t at, len;
			if (nth_line(l.ids, l.ids_len, k, &at, &len) < 0) {
				ret = -1;
				break;
			}
			l.ids[at + len] = '\0';
			struct outbox_listed o = {
				.message_id = l.ids + at, .status = "pending",
				.destination = chunks[i].destination, .activation = chunks[i].activation,
				.run_id = chunks[i].run_id, .created_at = chunks[i].created,
			};
			left--;
			stop = fn(&o, arg);
			l.ids[at + len] = '\n';
		}
		chunk_lines_free(&l);
	}
	chunks_free(chunks, n);
	return ret;
}

/* ---- giving up -------------------------------------------------------------------------- */

/* n pending events of (run, audience, activation) were given up. */
static int counts_given_up(struct sdb *db, const char *run_id, const char *audience,
			   const char *activation, int64_t n)
{
	struct sdb_stmt *s = sdb_prepare(db,
		"UPDATE delivery_stats SET pending = pending - ?4, failed = failed + ?4"
		" WHERE run_id = ?1 AND audience = ?2 AND activation = ?3");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, run_id, SIZE_MAX);
	sdb_bind_text(s, 2, audience, SIZE_MAX);
	sdb_bind_text(s, 3, activation, SIZE_MAX);
	sdb_bind_int64(s, 4, n);
	return sdb_run(s);
}

static int keep_discarded(struct sdb *db, const char *message_id, size_t id_len,
			  const struct chunk_ref *c, const char *audience, const char *reason,
			  int64_t now)
{
	struct sdb_stmt *s = sdb_prepare(db,
		"INSERT INTO outbox_discarded (message_id, destination, audience, activation, run_id,"
		" reason, discarded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (message_id) DO NOTHING");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, message_id, id_len);
	sdb_bind_text(s, 2, c->destination, SIZE_MAX);
	sdb_bind_text(s, 3, audience, SIZE_MAX);
	sdb_bind_text(s, 4, c->activation, SIZE_MAX);
	sdb_bind_text(s, 5, c->run_id, SIZE_MAX);
	sdb_bind_text(s, 6, reason, SIZE_MAX);
	sdb_bind_int64(s, 7, now);
	return sdb_run(s);
}

static int delete_chunk(struct sdb *db, int64_t id)
{
	static const char *const sqls[] = {
		"DELETE FROM outbox_chunk_events WHERE chunk_id = ?1",
		"DELETE FROM outbox_chunks WHERE id = ?1",
	};
	for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
		struct sdb_stmt *s = sdb_prepare(db, sqls[i]);
		if (!s || sdb_bind_int64(s, 1, id) < 0 || sdb_run(s) < 0)
			return -1;
	}
	return 0;
}

/* Give up every event of chunk c past its cursor: the chunk goes. */
static int64_t discard_chunk(struct sdb *db, const struct chunk_ref *c, const char *audience,
			     const char *reason, int64_t now)
{
	struct chunk_lines l;
	if (chunk_load(db, c->id, &l) < 0)
		return -1;
	int64_t n = 0;
	for (int64_t k = c->next; k < c->events; k++, n++) {
		size_t at, len;
		if (nth_line(l.ids, l.ids_len, k, &at, &len) < 0 ||
		    keep_discarded(db, l.ids + at, len, c, audience, reason, now) < 0) {
			chunk_lines_free(&l);
			return -1;
		}
	}
	chunk_lines_free(&l);
	if (counts_given_up(db, c->run_id, audience, c->activation, n) < 0 || delete_chunk(db, c->id) < 0)
		return -1;
	return n;
}

/* Cut line k out of buf (len bytes): the new length. */
static size_t cut_line(char *buf, size_t len, size_t at, size_t llen)
{
	memmove(buf + at, buf + at + llen + 1, len - at - llen - 1);
	return len - llen - 1;
}

/* Give up the event `id` if chunk c still holds it past its cursor: it is
 * cut out of the chunk (the chunk goes when it was the last one left).  1
 * given up, 0 not there, -1. */
static int discard_from_chunk(struct sdb *db, const struct chunk_ref *c, const char *audience,
			      const char *id, const char *reason, int64_t now)
{
	struct chunk_lines l;
	if (chunk_load(db, c->id, &l) < 0)
		return -1;
	int rc = 0;
	for (int64_t k = c->next; k < c->events && rc == 0; k++) {
		size_t at, len, pat, plen;
		if (nth_line(l.ids, l.ids_len, k, &at, &len) < 0) {
			rc = -1;
			break;
		}
		if (len != strlen(id) || memcmp(l.ids + at, id, len) != 0)
			continue;
		if (nth_line(l.payload, l.payload_len, k, &pat, &plen) < 0 ||
		    keep_discarded(db, id, len, c, audience, reason, now) < 0 ||
		    counts_given_up(db, c->run_id, audience, c->activation, 1) < 0) {
			rc = -1;
			break;
		}
		if (c->events - c->next == 1) {
			rc = delete_chunk(db, c->id) < 0 ? -1 : 1;
			break;
		}
		size_t ids_len = cut_line(l.ids, l.ids_len, at, len);
		size_t payload_len = cut_line(l.payload, l.payload_len, pat, plen);
		struct sdb_stmt *s = sdb_prepare(db, "UPDATE outbox_chunk_events SET payload = ?2,"
					      " message_ids = ?3 WHERE chunk_id = ?1");
		struct sdb_stmt *u = s ? sdb_prepare(db, "UPDATE outbox_chunks SET events = events - 1,"
						     " updated_at = ?2 WHERE id = ?1") : NULL;
		if (!u) {
			rc = -1;
			break;
		}
		sdb_bind_int64(s, 1, c->id);
		sdb_bind_blob(s, 2, l.payload, payload_len);
		sdb_bind_blob(s, 3, l.ids, ids_len);
		if (sdb_run(s) < 0) {
			rc = -1;
			break;
		}
		sdb_bind_int64(u, 1, c->id);
		sdb_bind_int64(u, 2, now);
		rc = sdb_run(u) < 0 ? -1 : 1;
	}
	chunk_lines_free(&l);
	return rc;
}

/* The rows `what` names: their pending counts move, they are kept, they go. */
#define ROWS_WHERE \
	" audience = ?1 AND activation = coalesce(?2, activation) AND status IN (?3, ?4)" \
	" AND message_id = coalesce(?5, message_id)"

static int64_t discard_rows(struct sdb *db, const char *audience, const char *activation,
			    enum outbox_discard_what what, const char *message_id, const char *reason,
			    int64_t now)
{
	static const char *const sqls[] = {
		"UPDATE delivery_stats SET pending = pending - x.n, failed = failed + x.n"
		" FROM (SELECT run_id, audience, activation, count(*) AS n FROM outbox"
		"   WHERE" ROWS_WHERE " AND status = 'pending' GROUP BY run_id, audience, activation) AS x"
		" WHERE delivery_stats.run_id = x.run_id AND delivery_stats.audience = x.audience"
		" AND delivery_stats.activation = x.activation",
		"INSERT INTO outbox_discarded (message_id, destination, audience, activation, run_id,"
		" reason, discarded_at) SELECT message_id, destination, audience, activation, run_id,"
		" CAST(?6 AS TEXT), CAST(?7 AS BIGINT) FROM outbox WHERE" ROWS_WHERE
		" ON CONFLICT (message_id) DO NOTHING",
		"DELETE FROM outbox WHERE" ROWS_WHERE,
	};
	const char *a = what == OUTBOX_DISCARD_FAILED ? "failed" : "pending";
	const char *b = what == OUTBOX_DISCARD_PENDING ? "pending" : "failed";
	int64_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
		struct sdb_stmt *s = sdb_prepare(db, sqls[i]);
		if (!s)
			return -1;
		sdb_bind_text(s, 1, audience, SIZE_MAX);
		bind_or_null(s, 2, activation);
		sdb_bind_text(s, 3, a, SIZE_MAX);
		sdb_bind_text(s, 4, b, SIZE_MAX);
		bind_or_null(s, 5, what == OUTBOX_DISCARD_MESSAGE ? message_id : NULL);
		if (i == 1) {
			sdb_bind_text(s, 6, reason, SIZE_MAX);
			sdb_bind_int64(s, 7, now);
		}
		if (sdb_run(s) < 0)
			return -1;
		if (i == 2)
			n = sdb_changes(db);
	}
	return n;
}

int64_t outbox_discard(struct state *st, const char *audience, const char *activation,
		       enum outbox_discard_what what, const char *message_id, const char *reason,
		       int64_t now)
{
	struct sdb *db = state_sdb(st);
	if (state_begin(st) < 0)
		return -1;
	int64_t n = discard_rows(db, audience, activation, what, message_id, reason, now);
	struct chunk_ref *chunks = NULL;
	size_t nchunks = 0;
	bool chunks_too = what == OUTBOX_DISCARD_PENDING || (what == OUTBOX_DISCARD_MESSAGE && n == 0);
	if (n >= 0 && chunks_too && audience_chunks(db, audience, activation, &chunks, &nchunks) < 0)
		n = -1;
	for (size_t i = 0; n >= 0 && i < nchunks; i++) {
		int64_t k = what == OUTBOX_DISCARD_PENDING
			  ? discard_chunk(db, &chunks[i], audience, reason, now)
			  : discard_from_chunk(db, &chunks[i], audience, message_id, reason, now);
		n = k < 0 ? -1 : n + k;
		if (k > 0 && what == OUTBOX_DISCARD_MESSAGE)
			break;
	}
	chunks_free(chunks, nchunks);
	if (n < 0) {
		state_rollback(st);
		return -1;
	}
	return state_commit(st) < 0 ? -1 : n;
}

int64_t outbox_discarded(struct state *st, const char *audience, const char *activation, int64_t limit,
			 int (*fn)(const struct outbox_listed *, void *), void *arg)
{
	if (st->version < 9)
		return 0; /* an older state, read without migrating: none yet */
	struct sdb *db = state_sdb(st);
	struct sdb_stmt *s = sdb_prepare(db, "SELECT count(*) FROM outbox_discarded"
				      " WHERE audience = ?1 AND activation = coalesce(?2, activation)");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	bind_or_null(s, 2, activation);
	int64_t n = sdb_step(s) == SDB_ROW ? sdb_column_int64(s, 0) : -1;
	sdb_reset(s);
	if (n <= 0 || limit <= 0 || !fn)
		return n;
	s = sdb_prepare(db, "SELECT message_id, destination, activation, run_id, reason, discarded_at"
			" FROM outbox_discarded WHERE audience = ?1 AND activation = coalesce(?2, activation)"
			" ORDER BY discarded_at DESC, message_id LIMIT ?3");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	bind_or_null(s, 2, activation);
	sdb_bind_int64(s, 3, limit);
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct outbox_listed o = {
			.message_id = sdb_column_text(s, 0), .status = "discarded",
			.destination = sdb_column_text(s, 1), .activation = sdb_column_text(s, 2),
			.run_id = sdb_column_text(s, 3), .last_error = sdb_column_text(s, 4),
			.created_at = sdb_column_int64(s, 5),
		};
		if (fn(&o, arg))
			break;
	}
	sdb_reset(s);
	return rc == SDB_ROW || rc == SDB_DONE ? n : -1;
}
