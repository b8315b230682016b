/*
 * alert_eval.h — the once-a-day evaluation of alerts (SPEC §5 Alerts).
 *
 * Day D is the UTC calendar day of the reference time (--now).  Each alert
 * of an applied, enabled audience compares day D−1 with day D−2:
 * size_change the members after the audience's last run of each day,
 * event_health the events delivered to its destination during each day.
 * A day the audience did not run has nothing to compare (the alert is not
 * judged).  An alert fires when the change is at least its threshold and
 * it was inside at its last judgement; it fires again only after a day back
 * inside.  Fired alerts are recorded in the state with the outcome of each
 * channel, which is then told.
 */
#ifndef LAC_ALERT_EVAL_H
#define LAC_ALERT_EVAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "project/project.h"
#include "state/state.h"

struct alert_eval_options {
	int64_t now;              /* the reference time, Unix seconds */
	FILE *log;                /* one line per fired alert; NULL: silent */
};

/* Evaluate day D once: nothing when D was evaluated already (by this or
 * another process).  p holds the checked applied audiences.  Returns the
 * number of alerts fired, or -1 with the reason in err (a state error). */
int alert_evaluate(struct project *p, struct state *st, const struct alert_eval_options *o,
		   struct strbuf *err);

#endif
