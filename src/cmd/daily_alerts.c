/*
 * daily_alerts.c — start the day's alert evaluation from a command
 * (daily_alerts.h).
 */
#include <stdio.h>

#include "alert/alert_eval.h"
#include "cmd/daily_alerts.h"

int daily_alerts(const struct cli *c, struct project *p, struct state *st, int64_t now)
{
	struct alert_eval_options o = {
		.now = now,
		.log = c->format == OUT_JSON || c->quiet ? NULL : stderr,
	};
	struct strbuf err = STRBUF_INIT;
	int rc = alert_evaluate(p, st, &o, &err);
	if (rc < 0)
		fprintf(stderr, "lac: %s\n", err.buf);
	sb_release(&err);
	return rc < 0 ? -1 : 0;
}
