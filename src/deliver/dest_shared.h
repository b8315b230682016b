/*
 * dest_shared.h — what the runs of one lac (--jobs N) share per
 * destination, in memory mapped before they are forked:
 *
 * - the turn: a delivery that reads every audience's events (what earlier
 *   runs left undelivered) goes one at a time, since two would both send
 *   what neither has recorded yet; a run killed in its turn gives it up by
 *   dying (a robust process-shared mutex);
 * - max_rate: the schedule of pace.h, booked by every request;
 * - max_in_flight: request slots, each held by the process sending; a slot
 *   whose holder died is free again.
 */
#ifndef LAC_DEST_SHARED_H
#define LAC_DEST_SHARED_H

#include <stdbool.h>
#include <stddef.h>

/* The largest max_in_flight lac.yaml may set. */
#define DEST_IN_FLIGHT_MAX 100

/* n records (one per destination of the project), shared with the
 * processes forked from now on.  0, or -1 (errno set; nothing is shared:
 * the caller runs one at a time, and each delivery paces itself). */
int dest_shared_map(size_t n);
/* Forget them (the parent, after its runs ended). */
void dest_shared_unmap(void);

/* Wait for destination i's turn, then give it back.  Nothing when nothing
 * is shared or i is out of range. */
void dest_turn_take(size_t i);
void dest_turn_give(size_t i);

/* max_rate: book `events` events at `rate` a second on destination i's
 * shared schedule; the milliseconds to wait before sending them.  false
 * when nothing is shared (the caller keeps its own schedule). */
bool dest_shared_pace(size_t i, double rate, size_t events, double *wait_ms);

/* max_in_flight: wait for one of destination i's first max slots and hold
 * it; the slot, or -1 when nothing is shared (then no other process sends
 * to it: a lone delivery has one request in flight). */
int dest_flight_take(size_t i, int max);
void dest_flight_give(size_t i, int slot);

#endif
