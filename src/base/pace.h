/*
 * pace.h — holding a stream of events to a rate (a destination's max_rate):
 * the generic cell rate algorithm (GCRA) on a schedule the caller keeps,
 * in one process or in memory shared by several.
 */
#ifndef LAC_PACE_H
#define LAC_PACE_H

#include <stddef.h>

/* Book `events` events at `rate` events a second (> 0) on the schedule
 * *tat_ms (the theoretical arrival time; 0 to start), at now_ms on a
 * monotonic clock.  Returns how many milliseconds to wait before sending
 * them (0: at once).  A burst of up to one second's events (at least one)
 * goes at once; past that, events go at the rate.  In any window of T
 * seconds at most rate × (T + 1) events go, and a batch larger than one
 * second's events waits for its share of the window before it goes. */
double pace_reserve(double *tat_ms, double now_ms, double rate, size_t events);

#endif
