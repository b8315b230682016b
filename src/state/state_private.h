/*
 * state_private.h — the state handle, shared by state.c (opening,
 * migrations, the tables) and state_lock.c (the locks).  Only files of
 * src/state/ include it.
 */
#ifndef LAC_STATE_PRIVATE_H
#define LAC_STATE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/sdb.h"
#include "state/state.h"

/* A lock this handle holds (state_lock.c). */
struct held_lock {
	char *id;
	int depth;               /* taken this many times by this handle */
	int fd;                  /* SQLite: the flock'ed lock file; -1 on PostgreSQL */
};

struct state {
	struct sdb *db;
	char *path;              /* the file, or postgres:<schema> (for messages) */
	char *schema;            /* PostgreSQL: the schema; NULL for a file */
	bool readonly;
	int version;             /* the open schema's: older than ours read-only */
	int txn_depth;
	struct held_lock *locks;
	size_t nlocks, clocks;
};

/* Release every lock the handle still holds (state_close). */
void state_unlock_all(struct state *st);

#endif
