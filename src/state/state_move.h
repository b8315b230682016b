/*
 * state_move.h — moving a state to another backend (SPEC §1.2, `lac state
 * export` / `lac state import`, docs/gitops.md "Moving state"): the rows
 * of every state table read in one consistent read, written into an empty
 * state in one transaction, and the old state marked as moved so that lac
 * no longer writes to it.
 *
 * A row is a JSON object, column name to value: integers, strings and
 * nulls as such; a BLOB/BYTEA value as {"text": "..."} when it is UTF-8
 * text (the outbox's payloads are) and {"base64": "..."} otherwise.
 * Engines' own columns are left out: PostgreSQL's runs.rowid (the rows'
 * order carries it).  Not moved: schema_version (the export's header says
 * it), state_moved (where this state went) and the locks (they belong to
 * processes of the old state).
 */
#ifndef LAC_STATE_MOVE_H
#define LAC_STATE_MOVE_H

#include <stdint.h>

#include <jansson.h>

#include "base/util.h"
#include "state/state.h"

/* ---- one consistent read ------------------------------------------------------ */
/* A read transaction (PostgreSQL: REPEATABLE READ, READ ONLY): every read
 * until state_read_end sees the same snapshot.  0 or -1. */
int state_read_begin(struct state *st);
void state_read_end(struct state *st);

/* ---- export ------------------------------------------------------------------------ */
/* Every row of every moved table: tables in name order, rows in the order
 * they were written.  fn's non-zero return stops and is returned; -1 on a
 * state error.  The row is fn's to keep (json_incref) or not. */
int state_dump(struct state *st, int (*fn)(const char *table, json_t *row, void *ctx), void *ctx);

/* A digest of every moved row (SHA-256, hex), which any write to the
 * state's contents changes: an export records it, import compares it with
 * the old state's before trusting the export (state_fingerprint.c).  Call
 * it inside state_read_begin for a consistent read.  0 or -1. */
#define STATE_FINGERPRINT_LEN 64
int state_fingerprint(struct state *st, char out[STATE_FINGERPRINT_LEN + 1]);

/* ---- import ------------------------------------------------------------------------ */
/* 0 when the state holds no applied audience, run or queued event;
 * 1 when it does, with why in why ("it has 3 applied audiences"); -1. */
int state_check_empty(struct state *st, struct strbuf *why);
/* Write one exported row into table (a moved table of this state; the
 * names come from a file, so they are checked, never trusted).  0, or -1
 * with the reason in err.  Inside the caller's transaction. */
int state_load_row(struct state *st, const char *table, json_t *row, struct strbuf *err);
/* After the rows: the engine's id counters (PostgreSQL's identities) past
 * the ids written.  0 or -1. */
int state_load_finish(struct state *st);

/* ---- the moved mark ------------------------------------------------------------------ */
/* 0 not moved; 1 moved, with where to (free it) and when; -1 on error. */
int state_get_moved(struct state *st, char **to, int64_t *at);
/* Mark the state as moved to `to` (state_describe of the new one) at at:
 * 0 marked; 1 when it was marked already (the mark is left as it was:
 * another import got there first); -1 on error. */
int state_mark_moved(struct state *st, const char *to, int64_t at);
/* Remove the mark again (an import that found the state changed since
 * the export, or failed after marking it).  0 or -1. */
int state_clear_moved(struct state *st);
/* For a read-write open: -1 with "PATH: state was moved to ... at ...
 * (lac state import); it is read-only here" in err when it was moved. */
int state_refuse_moved(struct state *st, struct strbuf *err);

#endif
