/*
 * outbox.h — the durable queue of events between a run and its
 * destinations (state DB; docs/delivery.md).
 *
 * A run writes its events with an outbox_writer: they are gathered in
 * chunks (one destination and activation each) and every chunk is one row
 * of table outbox_chunks (its events in outbox_chunk_events), committed in its own transaction
 * (synchronous=FULL) before the run goes on.  Delivery reads a
 * destination's events back with an outbox_reader one page at a time:
 * first the events that have a row of their own in table outbox (retries of
 * earlier attempts), then the chunks in queue order, and records each
 * page's outcomes in one transaction.  A chunk's cursor moves past what was
 * delivered; an event refused or not taken yet gets its own outbox row
 * (failed with the reason, or pending to retry first next time); a chunk
 * whose every event was dealt with is deleted.
 *
 * The outbox never holds the same event twice: a run that stopped before
 * its snapshot swap has its events discarded (run.c) before it is redone
 * under the same id and generation, so the redone events keep their
 * messageIds, and nothing of it was delivered before the swap.
 */
#ifndef LAC_OUTBOX_H
#define LAC_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/state.h"

#define OUTBOX_CHUNK_EVENTS 20000                /* events per chunk row (and transaction) */
#define OUTBOX_CHUNK_BYTES (4u << 20)            /* payload bytes per chunk row, about */

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
/* Queue one event (status pending): 0, or -1 on a state DB error.  Every
 * full chunk is committed before this returns. */
int outbox_add(struct outbox_writer *w, const struct outbox_event *ev);
/* Record an event that must never be sent (status invalid) with why.
 * 1 added, 0 already there (same messageId), -1 error. */
int outbox_add_invalid(struct outbox_writer *w, const struct outbox_event *ev, const char *reason);
/* Commit what is left and free the writer: 0 or -1.  Abort: drop the
 * chunk being gathered and roll back what is not committed (committed
 * chunks stay; run.c discards a failed run's events). */
int outbox_writer_finish(struct outbox_writer *w);
void outbox_writer_abort(struct outbox_writer *w);

/* One event of a page, valid until the next outbox_reader_next. */
struct outbox_item {
	const char *message_id;
	const char *json;          /* NUL-terminated */
	size_t len;
};

struct outbox_reader;
struct outbox_reader *outbox_reader_open(struct state *st, const char *destination);
/* Read only the events of an audience (and of one of its activations unless
 * activation is NULL): `lac delivery A --retry`.  Before the first page. */
void outbox_reader_only(struct outbox_reader *r, const char *audience, const char *activation);
/* The same for a run of audience: the events of other audiences' runs
 * still running (not swapped yet, or crashed) are left for their own runs. */
struct outbox_reader *outbox_reader_open_for(struct state *st, const char *destination,
					     const char *audience);
/* Then only the events of run run_id (only), or all but them (!only): the
 * two parts of a run's delivery (deliver_outbox_for).  Before the first page. */
void outbox_reader_run(struct outbox_reader *r, const char *run_id, bool only);
/* The next page of undelivered events: at most max_events events and
 * max_bytes bytes of JSON (counting a separator each), but at least one.
 * Events attempted before come first (failed, then pending with attempts),
 * then new ones, each in queue order.  1 (a page in *items, *n > 0),
 * 0 at the end, -1 on a state DB error or when the page before has no
 * outcomes yet (outbox_reader_done comes after every page). */
int outbox_reader_next(struct outbox_reader *r, size_t max_events, size_t max_bytes,
		       const struct outbox_item **items, size_t *n);
/* Record the outcome of every event of the page just read, in one
 * transaction (the caller's, if one is open): DELIVERED, FAILED (refused,
 * with reasons[i]) or PENDING (not taken: attempts counted, retried first
 * next time; reasons[i] kept).  reasons may be NULL, as may any of its
 * entries.  0 or -1. */
int outbox_reader_done(struct outbox_reader *r, const enum outbox_status *status,
		       const char *const *reasons, int64_t now);
void outbox_reader_close(struct outbox_reader *r);

/* Retention: undelivered events created before now - retention_s are given
 * up (counted as failed), and every row older than that is deleted.
 * Returns the number of events deleted, or -1. */
int64_t outbox_expire(struct state *st, int64_t now, int64_t retention_s);

/* Events of a destination in a status (delivered: only those with a row of
 * their own; delivered chunk events are gone).  -1 on error. */
int64_t outbox_count(struct state *st, const char *destination, enum outbox_status status);

/* Drop the queued (pending or invalid) events of a run and its counters:
 * for a run that failed or stopped before its swap.  0 or -1. */
int outbox_discard_run(struct state *st, const char *run_id);

#endif
