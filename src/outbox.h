/*
 * outbox.h — the durable queue of events between a run and its
 * destinations (state DB table outbox; docs/delivery.md).
 *
 * A run writes its events with an outbox_writer (one transaction per chunk,
 * synchronous=FULL), idempotent on messageId so a crashed run can simply be
 * replayed.  Delivery reads them back for one destination with a cursor that
 * holds one page at a time, retries first, and records each outcome.
 */
#ifndef LAC_OUTBOX_H
#define LAC_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"

#define OUTBOX_CHUNK 50000                       /* events per enqueue transaction */
#define OUTBOX_RETENTION_DEFAULT (7 * 24 * 3600) /* seconds failed events are retried */

enum outbox_status { OUTBOX_PENDING, OUTBOX_DELIVERED, OUTBOX_FAILED, OUTBOX_INVALID };
const char *outbox_status_name(enum outbox_status s); /* "pending" */

struct outbox_event {
	const char *message_id;
	const char *destination;
	const char *audience;
	const char *activation;
	const char *run_id;
	const char *payload;       /* the event's JSON */
	size_t len;
};

struct outbox_writer;
/* Start writing events created at now (Unix seconds). */
struct outbox_writer *outbox_writer_new(struct state *st, int64_t now);
/* Queue one event (status pending).  1 added, 0 already there (same
 * messageId: nothing changes), -1 error.  Commits every OUTBOX_CHUNK events. */
int outbox_add(struct outbox_writer *w, const struct outbox_event *ev);
/* Record an event that must never be sent (status invalid) with why. */
int outbox_add_invalid(struct outbox_writer *w, const struct outbox_event *ev, const char *reason);
/* Commit what is left and free the writer: 0 or -1.  Abort: roll back the
 * current chunk (earlier chunks stay; re-adding them is a no-op). */
int outbox_writer_finish(struct outbox_writer *w);
void outbox_writer_abort(struct outbox_writer *w);

/* Events not delivered for a destination: previously attempted ones first
 * (failed, then pending with attempts), then new ones, each in queue order. */
struct outbox_row {
	int64_t seq;
	char *message_id, *audience, *activation, *run_id, *payload;
	size_t len;
	enum outbox_status status;
	int attempts;
	int64_t created;
};
struct outbox_cursor;
/* page: rows held in memory at once (0 = 256). */
struct outbox_cursor *outbox_cursor_open(struct state *st, const char *destination, size_t page);
/* The next row (valid until the next call), NULL at the end; *err set on error. */
const struct outbox_row *outbox_cursor_next(struct outbox_cursor *c, int *err);
void outbox_cursor_close(struct outbox_cursor *c);

/* Record a delivery outcome: DELIVERED, FAILED (reason) or PENDING (a
 * transient error: attempts counted, retried later; reason kept). */
int outbox_mark(struct state *st, const char *message_id, enum outbox_status status,
		const char *reason, int64_t now);
/* Record that the rows seqs[0..n) (outbox_row.seq) were delivered: one
 * grouped counter update and one UPDATE for all of them, in one transaction
 * (the caller's, if one is open).  0 or -1. */
int outbox_mark_delivered(struct state *st, const int64_t *seqs, size_t n, int64_t now);

/* Retention: undelivered events created before now - retention_s are given up
 * (pending ones become failed "expired"), and every row older than that is
 * deleted.  Returns the number of rows deleted, or -1. */
int64_t outbox_expire(struct state *st, int64_t now, int64_t retention_s);

/* Counts for tests and `lac delivery`: rows of a destination in a status. */
int64_t outbox_count(struct state *st, const char *destination, enum outbox_status status);

#endif
