/*
 * dest_turn.h — one delivery to a destination at a time among the runs of
 * one lac (--jobs N).  A delivery drains the destination's whole part of
 * the outbox, every audience's: two at once would both send what neither
 * has recorded yet.  Each destination gets a robust process-shared mutex in
 * memory shared with the run processes forked afterwards; a run killed in
 * its turn gives the turn up by dying.
 */
#ifndef LAC_DEST_TURN_H
#define LAC_DEST_TURN_H

#include <stddef.h>

/* n turns (one per destination of the project), shared with the processes
 * forked from now on.  0, or -1 (errno set; deliveries then go unguarded
 * only when nothing runs at once, so the caller runs one at a time). */
int dest_turns_share(size_t n);
/* Wait for turn i, then give it back.  Nothing when no turns are shared
 * (one run at a time) or i is out of range. */
void dest_turn_take(size_t i);
void dest_turn_give(size_t i);
/* Forget the shared turns (the parent, after its runs ended). */
void dest_turns_unshare(void);

#endif
