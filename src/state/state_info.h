/*
 * state_info.h — what `lac state show` reads of a state besides its
 * audiences (SPEC §1.2): where it is, the events still to deliver and the
 * locks held.  Read-only; the strings handed to a callback live during it.
 */
#ifndef LAC_STATE_INFO_H
#define LAC_STATE_INFO_H

#include <stdint.h>

#include "state/sdb.h"
#include "state/state.h"

/* Where the state is: the file, or the server, database, user and schema
 * (never a password).  The strings live as long as st. */
void state_location(struct state *st, struct sdb_location *out);
/* The same in words, for messages: "sqlite file PATH" or "postgres schema
 * S in database D on HOST".  Free it. */
char *state_describe(struct state *st);

/* Undelivered events of one activation: pending (in queued chunks past
 * their cursor, or rows waiting for a retry) and failed (refused, retried
 * first by the next run). */
struct state_pending {
	const char *audience, *activation;
	int64_t pending, failed;
};
/* Every activation with undelivered events, by audience and activation. */
int state_list_pending(struct state *st, int (*fn)(const struct state_pending *, void *), void *ctx);

/* A lock held in the state. */
struct state_lock_info {
	const char *id;           /* "run:<audience>" */
	const char *command;      /* what holds it ("run") */
	int64_t pid;
	const char *host;
	int64_t since;            /* Unix seconds */
};
/* Every lock held now, by id (state_lock.c, which knows how they are
 * kept: lock files on SQLite, lock_holders on PostgreSQL). */
int state_list_locks(struct state *st, int (*fn)(const struct state_lock_info *, void *), void *ctx);

#endif
