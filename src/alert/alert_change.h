/*
 * alert_change.h — the arithmetic and the words of an alert (SPEC §5
 * Alerts): the change from day D−2 to day D−1 in percent, whether it is
 * outside the threshold, and the message the channels receive.
 */
#ifndef LAC_ALERT_CHANGE_H
#define LAC_ALERT_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "lang/ast.h"

struct alert_change {
	int64_t previous, current;   /* D−2 and D−1 */
	bool has_percent;            /* false from 0 to more: no finite percent */
	double percent;              /* (current - previous) / previous * 100, signed */
};

struct alert_change alert_change_of(int64_t previous, int64_t current);
/* At least threshold percent either way; from 0 to more always is. */
bool alert_change_outside(const struct alert_change *c, long threshold);

/* "members of audience 'cats' went from 100 on 2026-01-14 to 70 on
 * 2026-01-15 (-30.0%; alert 'shrink' fires at 20%)": the text of a fired
 * alert.  day is D (the evaluation's day); appended to out. */
void alert_message(const struct ast_alert *al, const struct alert_change *c, int64_t day,
		   struct strbuf *out);
/* "YYYY-MM-DD" of a day number (days since 1970-01-01). */
void alert_day_text(int64_t day, char out[16]);

#endif
