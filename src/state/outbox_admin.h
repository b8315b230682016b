/*
 * outbox_admin.h — what an operator does with an audience's queued events
 * (`lac delivery A --events | --discard`, SPEC §6): list them with their
 * messageIds, and give them up.  Delivery itself is outbox.h's reader.
 */
#ifndef LAC_OUTBOX_ADMIN_H
#define LAC_OUTBOX_ADMIN_H

#include <stdint.h>

#include "state/state.h"

/* One queued event; the strings live during the callback.  An event still
 * in its run's chunk was never tried: attempts 0, no last_error. */
struct outbox_listed {
	const char *message_id, *status, *destination, *activation, *run_id;
	const char *last_error;   /* NULL when none was recorded */
	int64_t attempts, created_at;
};

/* The audience's queued events (of one activation unless it is NULL) in
 * status "pending", "failed" or "invalid" (NULL: all three): those with a
 * row of their own first (tried before, or invalid), in queue order, then
 * those still in their run's chunk.  At most limit (0: all).  fn returns
 * non-zero to stop.  0, or -1 on a state DB error. */
int outbox_list(struct state *st, const char *audience, const char *activation, const char *status,
		int64_t limit, int (*fn)(const struct outbox_listed *, void *), void *arg);

/* Which undelivered events to give up. */
enum outbox_discard_what {
	OUTBOX_DISCARD_FAILED,     /* every failed one */
	OUTBOX_DISCARD_PENDING,    /* every pending one (tried or not) */
	OUTBOX_DISCARD_MESSAGE,    /* the pending or failed one with that messageId */
};

/* Give up the audience's events (of one activation unless it is NULL) that
 * `what` names: they leave the outbox, so no delivery sends them, and are
 * kept in outbox_discarded with reason and now; their counts move from
 * pending to failed (given up), as the retention's do.  One transaction.
 * The number given up, or -1 on a state DB error. */
int64_t outbox_discard(struct state *st, const char *audience, const char *activation,
		       enum outbox_discard_what what, const char *message_id, const char *reason,
		       int64_t now);

/* The audience's events given up so far (of one activation unless it is
 * NULL): how many, and the newest at most `limit` through fn (reason as
 * last_error, discarded_at as created_at).  A state older than the
 * table has none.  The count, or -1. */
int64_t outbox_discarded(struct state *st, const char *audience, const char *activation, int64_t limit,
			 int (*fn)(const struct outbox_listed *, void *), void *arg);

#endif
