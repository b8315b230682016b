/*
 * daily_alerts.h — the day's alert evaluation (alert/alert_eval.h) as `lac
 * run`, `lac apply` and `lac daemon` start it after their runs: once per
 * UTC day, at the reference time (--now).  A line per fired alert on stderr
 * in text output; JSON output keeps its one document (NDJSON for the
 * daemon) unchanged, and `lac alerts` lists what fired.
 */
#ifndef LAC_DAILY_ALERTS_H
#define LAC_DAILY_ALERTS_H

#include <stdint.h>

#include "cmd/cli.h"
#include "project/project.h"
#include "state/state.h"

/* Evaluate the day of now if nobody has.  A state error is reported on
 * stderr and returned as -1; it never fails the runs before it. */
int daily_alerts(const struct cli *c, struct project *p, struct state *st, int64_t now);

#endif
