/*
 * dest_limit.c — a destination's max_rate and max_in_flight around each
 * request (dest_private.h), on the records the runs of one lac share
 * (dest_shared.h), or on the destination's own schedule when none are.
 */
#include "base/pace.h"
#include "base/time.h"
#include "deliver/dest_private.h"
#include "deliver/dest_shared.h"

void dest_limit_enter(struct dest *d, size_t events)
{
	const struct dest_config *c = &d->cfg;
	size_t i = dest_shared_index(d);
	d->flight_slot = c->max_in_flight > 0 ? dest_flight_take(i, c->max_in_flight) : -1;
	if (c->max_rate <= 0)
		return;
	double wait;
	if (!dest_shared_pace(i, c->max_rate, events, &wait))
		wait = pace_reserve(&d->tat_ms, (double)time_mono_ms(), c->max_rate, events);
	time_sleep_ms((int64_t)(wait + 0.999));
}

void dest_limit_leave(struct dest *d)
{
	if (d->flight_slot >= 0)
		dest_flight_give(dest_shared_index(d), d->flight_slot);
	d->flight_slot = -1;
}
