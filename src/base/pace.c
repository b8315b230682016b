/*
 * pace.c — the generic cell rate algorithm (pace.h).  Keeping one number,
 * the theoretical arrival time, instead of a token count makes the booking
 * one line of arithmetic that several processes can share under a lock.
 */
#include "base/pace.h"

/* the burst a destination takes at once: one second's worth of events
 * (at least one event) */
#define PACE_BURST_MS 1000.0

double pace_reserve(double *tat_ms, double now_ms, double rate, size_t events)
{
	double each = 1000.0 / rate, burst = each > PACE_BURST_MS ? each : PACE_BURST_MS;
	double start = *tat_ms > now_ms ? *tat_ms : now_ms;
	*tat_ms = start + (double)events * each;
	double wait = *tat_ms - burst - now_ms;
	return wait > 0 ? wait : 0;
}
