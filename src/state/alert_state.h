/*
 * alert_state.h — what alerts keep in the state (SPEC §5 Alerts; migration
 * 9): per audience and UTC day the members after its last run and the
 * events delivered per destination, the days already evaluated, whether
 * each alert is outside its threshold, and the fired alerts.  src/alert/
 * evaluates and notifies; runs and deliveries record the day's figures.
 */
#ifndef LAC_ALERT_STATE_H
#define LAC_ALERT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/state.h"

/* The UTC calendar day of Unix seconds t, as days since 1970-01-01. */
int64_t state_day_of(int64_t t);

/* A successful run of audience at now left members members: the day's
 * figure (the last run of the day wins).  0 or -1. */
int state_alert_record_members(struct state *st, const char *audience, int64_t now,
			       int64_t members);
/* n events of audience were delivered to destination at now.  0 or -1. */
int state_alert_count_delivered(struct state *st, const char *audience, const char *destination,
				int64_t now, int64_t n);

/* The members after the audience's last run of day: 0 found, 1 no run
 * that day, -1 error. */
int state_alert_members(struct state *st, const char *audience, int64_t day, int64_t *out);
/* Events of audience delivered to destination during day (0 when none).
 * 0 or -1. */
int state_alert_delivered(struct state *st, const char *audience, const char *destination,
			  int64_t day, int64_t *out);

/* Whether day was evaluated: 1 yes, 0 no (also on a state older than the
 * alert tables), -1 error.  Read-only. */
int state_alert_day_evaluated(struct state *st, int64_t day);
/* Record that day is being evaluated: 1 this call claimed it, 0 another
 * process already did, -1 error. */
int state_alert_claim_day(struct state *st, int64_t day, int64_t now);

/* Whether the alert was outside its threshold at its last evaluation
 * (false when never evaluated).  0 or -1. */
int state_alert_outside(struct state *st, const char *audience, const char *alert, bool *out);
int state_alert_set_outside(struct state *st, const char *audience, const char *alert,
			    bool outside);

struct state_fired_alert {
	int64_t id;
	int64_t fired_at;         /* Unix seconds */
	const char *audience, *alert, *kind;
	int64_t previous, current;
	const char *channels;     /* JSON: [{"name", "status", "error"}] */
};
/* Record a fired alert (id is set).  0 or -1. */
int state_alert_add_fired(struct state *st, struct state_fired_alert *f);
/* Its channels' outcome once notified.  0 or -1. */
int state_alert_set_channels(struct state *st, int64_t id, const char *channels);
/* Fired alerts, oldest first; none on a state older than the alert tables.
 * The strings live during the callback.  0 or -1 (or what fn returned). */
int state_alert_list_fired(struct state *st,
			   int (*fn)(const struct state_fired_alert *, void *), void *ctx);

#endif
